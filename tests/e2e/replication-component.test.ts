import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { Stack } from "@pulumi/pulumi/automation";
import { SemisyncEnablement, SemisyncPlugin, SemisyncReplication } from "../../provider";
import { assertNoChangesAfterUp } from "../support/empty-plan";
import { CommitWriter, maxLatency, STALL_MS, startCommitWriter } from "../support/commit-writer";
import { inlineStack } from "../support/pulumi-workspace";
import { Server, Topology } from "../testbed/topology";
import { testBed } from "../support/test-bed";

// Raised so that a stall, if any, is unmistakable: a stalled commit waits this long.
const RAISED_TIMEOUT_MS = 20_000;

const connectionOf = (server: Server, password: pulumi.Output<string>) => ({ host: server.host, port: server.port, user: server.user, password });

function componentProgram(topology: Topology) {
  return async () => {
    const config = new pulumi.Config();
    const password = config.requireSecret("adminPassword");
    const count = config.requireNumber("replicaCount");
    const replication = new SemisyncReplication("topology", {
      source: connectionOf(topology.source, password),
      replicas: topology.replicas.slice(0, count).map((r) => ({ ...connectionOf(r, password), name: r.name })),
      timeoutMs: RAISED_TIMEOUT_MS,
      traceLevel: config.getNumber("traceLevel"),
    });
    return { sourceStatus: replication.sourceStatus, sourceClients: replication.sourceClients, replicaStatuses: replication.replicaStatuses };
  };
}

describe("SemisyncReplication keeps every commit flowing while the topology changes", function () {
  let stack: Stack;
  let writer: CommitWriter;

  after(async function () {
    await writer?.stop();
  });

  const bed = testBed("mysql", { replicas: 3 });

  async function deploy(replicaCount: number, extra: Record<string, string> = {}) {
    await stack.setConfig("replicaCount", { value: String(replicaCount) });
    for (const [key, value] of Object.entries(extra)) await stack.setConfig(key, { value });
    writer.take();
    const result = await stack.up();
    await writer.settle();
    const samples = writer.take();
    assert.ok(samples.length > 0, "the writer committed during the deployment");
    assert.ok(maxLatency(samples) < STALL_MS, `a commit waited ${maxLatency(samples).toFixed(0)} ms (bar ${STALL_MS} ms, timeout ${RAISED_TIMEOUT_MS} ms)`);
    await assertNoChangesAfterUp(stack);
    return result;
  }

  before(async function () {
    stack = await bed.stack("semisync-component", componentProgram(bed.topology));
    writer = await startCommitWriter(bed.topology.source);
  });

  it("up with two replicas switches the source on last, with no commit stalled", async function () {
    const result = await deploy(2);
    assert.equal(result.outputs.sourceStatus.value, "ON");
    assert.equal(result.outputs.sourceClients.value, 2);
    assert.deepEqual(result.outputs.replicaStatuses.value, { "replica-1": "ON", "replica-2": "ON" });
  });

  it("adding a third replica stalls no commit", async function () {
    const result = await deploy(3);
    assert.equal(result.outputs.sourceClients.value, 3);
  });

  it("changing a setting stalls no commit", async function () {
    await deploy(3, { traceLevel: "48" });
    const [row] = await bed.topology.source.query("SHOW GLOBAL VARIABLES LIKE 'rpl_semi_sync_source_trace_level'");
    assert.equal(row.Value, "48");
  });

  it("removing one replica stalls no commit", async function () {
    const result = await deploy(2);
    assert.deepEqual(result.outputs.replicaStatuses.value, { "replica-1": "ON", "replica-2": "ON" });
    const [clients] = await bed.topology.source.query("SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_source_clients'");
    assert.equal(clients.Value, "2");
  });

  it("removing every replica switches the source off before the last one leaves", async function () {
    const result = await deploy(0);
    assert.equal(result.outputs.sourceStatus.value, "OFF");
    const [enabled] = await bed.topology.source.query("SHOW GLOBAL VARIABLES LIKE 'rpl_semi_sync_source_enabled'");
    assert.equal(enabled.Value, "OFF");
  });

  it("destroy of the whole topology stalls no commit and leaves no plugin", async function () {
    await deploy(2);
    writer.take();
    await stack.destroy();
    await writer.settle();
    const samples = writer.take();
    assert.ok(samples.length > 0);
    assert.ok(maxLatency(samples) < STALL_MS, `a commit waited ${maxLatency(samples).toFixed(0)} ms during destroy`);
    const plugins = await bed.topology.source.query("SELECT PLUGIN_NAME FROM information_schema.PLUGINS WHERE PLUGIN_NAME LIKE 'rpl_semi_sync%'");
    assert.deepEqual(plugins, []);
  });
});

describe("hand-wired base resources: the unsafe orders fail loudly instead of stalling", function () {
  const bed = testBed("mysql", { replicas: 1 });

  it("switching a source on before any replica is semisync fails after the bounded wait and changes nothing", async function () {
    const { stack } = await inlineStack("semisync-naive-up", async () => {
      const password = pulumi.secret(bed.topology.source.password);
      const plugin = new SemisyncPlugin("source-plugin", { connection: connectionOf(bed.topology.source, password), role: "source" });
      new SemisyncEnablement("source-on", { connection: connectionOf(bed.topology.source, password), role: "source", clientsTimeoutMs: 2_000 }, { dependsOn: [plugin] });
    });
    await assert.rejects(stack.up(), /only 0 of the 1 semisync replica\(s\) needed were connected after 2000 ms.*Nothing was changed/s);
    const [enabled] = await bed.topology.source.query("SHOW GLOBAL VARIABLES LIKE 'rpl_semi_sync_source_enabled'");
    assert.equal(enabled.Value, "OFF");
    await stack.destroy();
  });
});
