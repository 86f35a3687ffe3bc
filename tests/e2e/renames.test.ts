import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { Stack } from "@pulumi/pulumi/automation";
import { SemisyncReplication } from "../../provider";
import { assertNoChangesAfterUp } from "../support/empty-plan";
import { CommitWriter, maxLatency, STALL_MS, startCommitWriter, whileCommitting } from "../support/commit-writer";
import { installedPlugins, semisyncStatus, semisyncVariables } from "../support/server-probes";
import { Server, Topology } from "../testbed/topology";
import { testBed } from "../support/test-bed";

// Raised so that a stall, if any, is unmistakable.
const RAISED_TIMEOUT_MS = 20_000;

const connectionOf = (server: Server, password: pulumi.Output<string>) => ({ host: server.host, port: server.port, user: server.user, password });

/** Every server semisync as the component leaves it, and the outputs saying exactly that. */
async function assertSemisyncEverywhere(topology: Topology, replicas: Server[], outputs: Record<string, { value: unknown }>, keys: string[]) {
  assert.deepEqual(await installedPlugins(topology.source), ["rpl_semi_sync_source"], "source plugin");
  assert.equal((await semisyncVariables(topology.source)).rpl_semi_sync_source_enabled, "ON", "source switched on");
  const clients = (await semisyncStatus(topology.source)).Rpl_semi_sync_source_clients;
  assert.equal(clients, String(replicas.length), "source clients");
  for (const replica of replicas) {
    assert.deepEqual(await installedPlugins(replica), ["rpl_semi_sync_replica"], `${replica.name} plugin`);
    assert.equal((await semisyncVariables(replica)).rpl_semi_sync_replica_enabled, "ON", `${replica.name} switched on`);
    assert.equal((await semisyncStatus(replica)).Rpl_semi_sync_replica_status, "ON", `${replica.name} registered`);
  }
  assert.equal(outputs.sourceStatus.value, "ON");
  assert.equal(outputs.sourceClients.value, Number(clients));
  assert.deepEqual(outputs.replicaStatuses.value, Object.fromEntries(keys.map((k) => [k, "ON"])));
}

describe("a URN change (rename, new key) never removes semisync: it converges with every server still semisync", function () {
  let stack: Stack;
  let writer: CommitWriter;

  after(async function () {
    await writer?.stop();
  });

  const bed = testBed("mysql", { replicas: 2 });

  async function upMeasured(config: Record<string, string>) {
    for (const [key, value] of Object.entries(config)) await stack.setConfig(key, { value });
    writer.take();
    const result = await stack.up();
    await writer.settle();
    const samples = writer.take();
    assert.ok(samples.length > 0, "the writer committed during the deployment");
    assert.ok(maxLatency(samples) < STALL_MS, `a commit waited ${maxLatency(samples).toFixed(0)} ms`);
    await assertNoChangesAfterUp(stack);
    return { result, maxMs: maxLatency(samples) };
  }

  before(async function () {
    stack = await bed.stack("semisync-renames", async () => {
      const config = new pulumi.Config();
      const password = config.requireSecret("adminPassword");
      const names = config.require("replicaNames").split(",");
      const alias = config.get("aliasOf");
      const replication = new SemisyncReplication(
        config.require("componentName"),
        {
          source: connectionOf(bed.topology.source, password),
          replicas: bed.topology.replicas.map((r, i) => ({ ...connectionOf(r, password), name: names[i] })),
          timeoutMs: RAISED_TIMEOUT_MS,
        },
        alias ? { aliases: [{ name: alias }] } : undefined,
      );
      return { sourceStatus: replication.sourceStatus, sourceClients: replication.sourceClients, replicaStatuses: replication.replicaStatuses, adopted: replication.adopted };
    });
    writer = await startCommitWriter(bed.topology.source);
    await upMeasured({ componentName: "orders", replicaNames: "db2,db3" });
  });

  it("renaming the component (orders → orders-db): every server stays semisync, outputs match, a second up changes nothing", async function () {
    const { result, maxMs } = await upMeasured({ componentName: "orders-db" });
    console.log(`      rename up: ${JSON.stringify(result.summary.resourceChanges)}, max commit ${maxMs.toFixed(1)} ms`);
    await assertSemisyncEverywhere(bed.topology, bed.topology.replicas, result.outputs, ["db2", "db3"]);
    assert.match(result.stdout, /left installed, because another resource of this deployment has just taken it over/);
    const again = await stack.up();
    assert.deepEqual(again.summary.resourceChanges, { same: 8 });
    await assertSemisyncEverywhere(bed.topology, bed.topology.replicas, again.outputs, ["db2", "db3"]);
    await assertNoChangesAfterUp(stack);
  });

  it("renaming one replica (db3 → db3-new): every server stays semisync, outputs match, a second up changes nothing", async function () {
    const { result, maxMs } = await upMeasured({ replicaNames: "db2,db3-new" });
    console.log(`      replica rename up: ${JSON.stringify(result.summary.resourceChanges)}, max commit ${maxMs.toFixed(1)} ms`);
    await assertSemisyncEverywhere(bed.topology, bed.topology.replicas, result.outputs, ["db2", "db3-new"]);
    const again = await stack.up();
    assert.deepEqual(again.summary.resourceChanges, { same: 8 });
    await assertNoChangesAfterUp(stack);
  });

  it("renaming with aliases keeps every resource: nothing is created or deleted", async function () {
    const { result } = await upMeasured({ componentName: "orders-main", aliasOf: "orders-db" });
    assert.deepEqual(result.summary.resourceChanges, { same: 8 });
    await assertSemisyncEverywhere(bed.topology, bed.topology.replicas, result.outputs, ["db2", "db3-new"]);
  });

  it("destroy after the renames succeeds and leaves semisync as the renames found it (adopted), with no commit stalled", async function () {
    writer.take();
    const result = await stack.destroy();
    await writer.settle();
    const samples = writer.take();
    console.log(`      destroy after renames: max commit ${maxLatency(samples).toFixed(1)} ms`);
    assert.ok(maxLatency(samples) < STALL_MS, `a commit waited ${maxLatency(samples).toFixed(0)} ms`);
    assert.match(result.stdout, /left installed, as it was found when this resource adopted it/);
    assert.deepEqual(await installedPlugins(bed.topology.source), ["rpl_semi_sync_source"]);
    for (const replica of bed.topology.replicas) assert.equal((await semisyncStatus(replica)).Rpl_semi_sync_replica_status, "ON", `${replica.name} still semisync`);
  });
});

describe("index-keyed replicas (hosts are outputs): removing the first leaves the second semisync", function () {
  const bed = testBed("mysql", { replicas: 2 });

  it("the remaining replica stays semisync, the removed one is switched off and its plugin removed, a second up changes nothing", async function () {
    const stack = await bed.stack("semisync-index-keys", async () => {
      const config = new pulumi.Config();
      const password = config.requireSecret("adminPassword");
      const members = bed.topology.replicas.slice(config.requireNumber("first"));
      const replication = new SemisyncReplication("orders", {
        source: connectionOf(bed.topology.source, password),
        // Hosts known only at apply time: the replicas are keyed by position.
        replicas: members.map((r) => ({ ...connectionOf(r, password), host: pulumi.output(r.host) })),
        timeoutMs: RAISED_TIMEOUT_MS,
      });
      return { sourceStatus: replication.sourceStatus, sourceClients: replication.sourceClients, replicaStatuses: replication.replicaStatuses };
    });
    await stack.setConfig("first", { value: "0" });
    await stack.up();
    await assertNoChangesAfterUp(stack);
    const writer = await startCommitWriter(bed.topology.source);
    try {
      await stack.setConfig("first", { value: "1" });
      writer.take();
      const result = await stack.up();
      await writer.settle();
      const samples = writer.take();
      console.log(`      index-keyed removal up: ${JSON.stringify(result.summary.resourceChanges)}, max commit ${maxLatency(samples).toFixed(1)} ms`);
      assert.ok(maxLatency(samples) < STALL_MS, `a commit waited ${maxLatency(samples).toFixed(0)} ms`);
      await assertSemisyncEverywhere(bed.topology, [bed.topology.replicas[1]], result.outputs, ["0"]);
      await assertNoChangesAfterUp(stack);
      const removed = bed.topology.replicas[0];
      assert.deepEqual(await installedPlugins(removed), [], "the removed replica's plugin is gone");
      const again = await stack.up();
      assert.deepEqual(again.summary.resourceChanges, { same: 6 });
      await assertNoChangesAfterUp(stack);
    } finally {
      await writer.stop();
    }
    await stack.destroy();
  });
});

describe("a renamed replica among created ones: destroy removes what the component created and leaves the adopted replica", function () {
  const bed = testBed("mysql", { replicas: 2 });

  it("the source is switched off, the created replica torn down, the renamed one left semisync, and the source plugin kept for it; no commit stalls", async function () {
    const stack = await bed.stack("semisync-mixed-lineage", async () => {
      const config = new pulumi.Config();
      const password = config.requireSecret("adminPassword");
      const names = config.require("replicaNames").split(",");
      new SemisyncReplication("orders", {
        source: connectionOf(bed.topology.source, password),
        replicas: bed.topology.replicas.map((r, i) => ({ ...connectionOf(r, password), name: names[i] })),
        timeoutMs: RAISED_TIMEOUT_MS,
      });
    });
    await stack.setConfig("replicaNames", { value: "db2,db3" });
    await stack.up();
    await assertNoChangesAfterUp(stack);
    await stack.setConfig("replicaNames", { value: "db2,db3-new" });
    await stack.up();
    await assertNoChangesAfterUp(stack);
    const destroy = await whileCommitting(
      bed.topology.source,
      () => stack.destroy(),
      (samples) => {
        console.log(`      destroy of a mixed lineage: max commit ${maxLatency(samples).toFixed(1)} ms`);
        assert.ok(maxLatency(samples) < STALL_MS, `a commit waited ${maxLatency(samples).toFixed(0)} ms`);
      },
    );
    const [created, renamed] = bed.topology.replicas;
    assert.equal((await semisyncVariables(bed.topology.source)).rpl_semi_sync_source_enabled, "OFF", "the source, switched on by the component, is off");
    assert.deepEqual(await installedPlugins(created), [], "the replica the component set up is torn down");
    assert.equal((await semisyncStatus(renamed)).Rpl_semi_sync_replica_status, "ON", "the renamed replica, adopted, stays semisync");
    assert.deepEqual(await installedPlugins(bed.topology.source), ["rpl_semi_sync_source"], "the source plugin stays: the adopted replica uses it");
    assert.match(destroy.stdout, /left installed, because 1 semisync replica\(s\) are still connected/);
  });
});
