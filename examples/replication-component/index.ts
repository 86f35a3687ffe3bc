// (a) One source and its replicas with SemisyncReplication: the safe order is built in.
// Servers come from the stack config (`source`, `replicas`, `user`, `password`); without it, from
// the local test bed started by `npm run testbed -- up`.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { SemisyncReplication } from "pulumi-mysql-semisync";

interface Endpoint {
  host: string;
  port: number;
}

const config = new pulumi.Config();
const testbed = () => {
  const file = path.join(process.env.SEMISYNC_CACHE ?? path.join(os.homedir(), ".cache", "pulumi-mysql-semisync"), "testbed.json");
  if (!fs.existsSync(file)) throw new Error(`no stack config and no local test bed (${file}): run \`npm run testbed -- up\`, or set source, replicas, user and password`);
  return JSON.parse(fs.readFileSync(file, "utf8"));
};
const source: Endpoint = config.getObject<Endpoint>("source") ?? testbed().source;
const replicas: Endpoint[] = config.getObject<Endpoint[]>("replicas") ?? testbed().replicas;
const user: string = config.get("user") ?? testbed().source.user;
const password = config.getSecret("password") ?? pulumi.secret<string>(testbed().source.password);

const connection = (server: Endpoint) => ({ host: server.host, port: Number(server.port), user, password });

const replication = new SemisyncReplication("semisync", {
  source: connection(source),
  replicas: replicas.map((replica) => ({ ...connection(replica), name: `${replica.host}-${replica.port}` })),
  timeoutMs: config.getNumber("timeoutMs") ?? 10_000,
});

export const sourceStatus = replication.sourceStatus;
export const sourceClients = replication.sourceClients;
export const replicaStatuses = replication.replicaStatuses;
