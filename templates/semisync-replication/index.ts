import * as pulumi from "@pulumi/pulumi";
import { SemisyncReplication } from "pulumi-mysql-semisync";

const config = new pulumi.Config();
const user = config.require("user");
const password = config.requireSecret("password");

function endpoint(text: string) {
  const [host, port] = text.trim().split(":");
  if (!host) throw new Error(`'${text}' is not host:port`);
  return { host, port: port ? Number(port) : 3306 };
}

const replication = new SemisyncReplication("semisync", {
  source: { host: config.require("sourceHost"), port: config.requireNumber("sourcePort"), user, password },
  replicas: config
    .require("replicas")
    .split(",")
    .filter((r) => r.trim() !== "")
    .map((r) => ({ ...endpoint(r), user, password, name: r.trim().replace(":", "-") })),
  timeoutMs: config.requireNumber("timeoutMs"),
});

export const sourceStatus = replication.sourceStatus;
export const sourceClients = replication.sourceClients;
export const replicaStatuses = replication.replicaStatuses;
