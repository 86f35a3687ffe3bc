// (c) Connections read from stack config only, the password a Pulumi secret:
//   pulumi config set --path source.host db1.example
//   pulumi config set --path source.port 3306
//   pulumi config set --path 'replicas[0].host' db2.example   (and .port, and more replicas)
//   pulumi config set user semisync
//   pulumi config set --secret password
import * as pulumi from "@pulumi/pulumi";
import { SemisyncReplication } from "pulumi-mysql-semisync";

interface Endpoint {
  host: string;
  port?: number;
}

const config = new pulumi.Config();
const user = config.require("user");
const password = config.requireSecret("password");
const connection = (server: Endpoint) => ({ host: server.host, port: Number(server.port ?? 3306), user, password });

const replication = new SemisyncReplication("semisync", {
  source: connection(config.requireObject<Endpoint>("source")),
  replicas: config.requireObject<Endpoint[]>("replicas").map((r) => ({ ...connection(r), name: `${r.host}-${r.port ?? 3306}` })),
  timeoutMs: config.getNumber("timeoutMs"),
  waitForReplicaCount: config.getNumber("waitForReplicaCount"),
});

export const sourceStatus = replication.sourceStatus;
export const sourceClients = replication.sourceClients;
export const replicaStatuses = replication.replicaStatuses;
