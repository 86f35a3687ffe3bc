// (d) A failover-ready topology: both semisync plugins on every member, each member's resources
// keyed by its name, and the source chosen by one stack config value. After an orchestrator
// (orchestrator, replication-manager, an operator) has promoted another member, change that value:
//   pulumi config set source db2
//   pulumi up            # in-place updates only: no plugin installed or removed, no commit stalls
// The members, from stack config:
//   pulumi config set --path 'members[0].name' db1    (and .host, .port; db2, db3, …)
//   pulumi config set --path 'members[2].acknowledge' false   a replica that must never be promoted
//                                                               and never acknowledges (async-only)
//   pulumi config set source db1
//   pulumi config set user semisync
//   pulumi config set --secret password
import * as pulumi from "@pulumi/pulumi";
import { SemisyncReplication } from "pulumi-mysql-semisync";

interface Member {
  /** Stable across failovers: it keys the member's resources, whatever its role. */
  name: string;
  host: string;
  port?: number;
  /** false: an async-only replica, not counted by waitForReplicaCount. Defaults to true. */
  acknowledge?: boolean | string;
}

const config = new pulumi.Config();
const members = config.requireObject<Member[]>("members");
const sourceName = config.require("source");
const user = config.require("user");
const password = config.requireSecret("password");

const source = members.find((member) => member.name === sourceName);
if (!source) throw new Error(`config "source" is "${sourceName}", which is none of the members (${members.map((m) => m.name).join(", ")}); set it to the member that is the source now`);
// `pulumi config set --path` may store "false" as a string.
const acknowledges = (member: Member) => String(member.acknowledge ?? true) !== "false";
if (!acknowledges(source)) throw new Error(`member "${source.name}" is the source but has acknowledge: false (a never-promote replica); check the config`);

const connection = (member: Member) => ({ name: member.name, host: member.host, port: Number(member.port ?? 3306), user, password });

const replication = new SemisyncReplication("semisync", {
  failoverReady: true,
  source: connection(source),
  replicas: members.filter((member) => member !== source).map((member) => ({ ...connection(member), acknowledge: acknowledges(member) })),
  timeoutMs: config.getNumber("timeoutMs"),
  waitForReplicaCount: config.getNumber("waitForReplicaCount"),
});

export const currentSource = source.name;
export const sourceStatus = replication.sourceStatus;
export const sourceClients = replication.sourceClients;
export const replicaStatuses = replication.replicaStatuses;
