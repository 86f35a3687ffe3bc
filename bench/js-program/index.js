// examples/replication-component/index.ts as plain JavaScript: the same component and inputs,
// from the same stack config (`source`, `replicas`, `user`, `password`, `timeoutMs`).
"use strict";
const pulumi = require("@pulumi/pulumi");
const { SemisyncReplication } = require("pulumi-mysql-semisync");

const config = new pulumi.Config();
const source = config.requireObject("source");
const replicas = config.requireObject("replicas");
const user = config.require("user");
const password = config.requireSecret("password");

const connection = (server) => ({ host: server.host, port: Number(server.port), user, password });

const replication = new SemisyncReplication("semisync", {
  source: connection(source),
  replicas: replicas.map((replica) => ({ ...connection(replica), name: `${replica.host}-${replica.port}` })),
  timeoutMs: config.getNumber("timeoutMs") ?? 10_000,
});

exports.sourceStatus = replication.sourceStatus;
exports.sourceClients = replication.sourceClients;
exports.replicaStatuses = replication.replicaStatuses;
