import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { Stack } from "@pulumi/pulumi/automation";
import { SemisyncReplication } from "../../provider";
import { assertNoChangesAfterUp } from "../support/empty-plan";
import { maxLatency, whileCommitting } from "../support/commit-writer";
import { installedPlugins, semisyncStatus, semisyncVariables } from "../support/server-probes";
import { Server, Topology } from "../testbed/topology";
import { testBed } from "../support/test-bed";

const HAND_SET_TIMEOUT = "5000";
const DECLARED_TIMEOUT_MS = 20_000;

/** Semisync switched on by hand, the way a DBA does it on a live fleet: replicas first, then the source. */
async function enableByHand(topology: Topology): Promise<void> {
  await topology.source.query("INSTALL PLUGIN rpl_semi_sync_source SONAME 'semisync_source.so'");
  for (const replica of topology.replicas) {
    await replica.query("INSTALL PLUGIN rpl_semi_sync_replica SONAME 'semisync_replica.so'");
    await replica.query("SET GLOBAL rpl_semi_sync_replica_enabled = ON");
    await replica.query("STOP REPLICA IO_THREAD");
    await replica.query("START REPLICA IO_THREAD");
  }
  for (let i = 0; i < 100 && (await semisyncStatus(topology.source)).Rpl_semi_sync_source_clients !== String(topology.replicas.length); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await topology.source.query(`SET GLOBAL rpl_semi_sync_source_timeout = ${HAND_SET_TIMEOUT}`);
  await topology.source.query("SET GLOBAL rpl_semi_sync_source_enabled = ON");
}

async function assertAsFound(topology: Topology) {
  assert.deepEqual(await installedPlugins(topology.source), ["rpl_semi_sync_source"], "the source plugin stays installed");
  const source = await semisyncVariables(topology.source);
  assert.equal(source.rpl_semi_sync_source_enabled, "ON", "the source stays switched on");
  assert.equal(source.rpl_semi_sync_source_timeout, HAND_SET_TIMEOUT, "the hand-set timeout is put back");
  for (const replica of topology.replicas) {
    assert.deepEqual(await installedPlugins(replica), ["rpl_semi_sync_replica"], `${replica.name}'s plugin stays installed`);
    assert.equal((await semisyncVariables(replica)).rpl_semi_sync_replica_enabled, "ON", `${replica.name} stays switched on`);
  }
}

describe("an adopted fleet is left as it was found", function () {
  let stack: Stack;
  const bed = testBed("mysql", { replicas: 2 });

  before(async function () {
    stack = await bed.stack("semisync-adopted", async () => {
      const config = new pulumi.Config();
      const password = config.requireSecret("adminPassword");
      const connection = (s: Server) => ({ host: s.host, port: s.port, user: s.user, password });
      const replication = new SemisyncReplication("orders", {
        source: connection(bed.topology.source),
        replicas: bed.topology.replicas.map((r) => ({ ...connection(r), name: r.name })),
        timeoutMs: DECLARED_TIMEOUT_MS,
        removeAdopted: config.getBoolean("removeAdopted"),
      });
      return { adopted: replication.adopted, sourceStatus: replication.sourceStatus };
    });
    await enableByHand(bed.topology);
  });

  it("up reports what it adopted, and destroy puts the hand-set state back: plugins, switches and timeout 5000", async function () {
    const up = await stack.up();
    assert.equal((await semisyncVariables(bed.topology.source)).rpl_semi_sync_source_timeout, String(DECLARED_TIMEOUT_MS));
    await assertNoChangesAfterUp(stack);
    const destroy = await whileCommitting(
      bed.topology.source,
      () => stack.destroy(),
      (samples) => {
        console.log(`      destroy of the adopted fleet: max commit ${maxLatency(samples).toFixed(1)} ms over ${samples.length} commits`);
        assert.ok(maxLatency(samples) < 2_500, `a commit waited ${maxLatency(samples).toFixed(0)} ms`);
      },
    );
    await assertAsFound(bed.topology);
    assert.match(destroy.stdout, /left switched on, as it was found when this resource adopted it/);
    const adopted = { plugin: true, enabled: true };
    assert.deepEqual(up.outputs.adopted?.value, { source: adopted, replicas: { "replica-1": adopted, "replica-2": adopted } }, "up said what it adopted");
  });

  it("with removeAdopted: true, destroy removes the adopted semisync too", async function () {
    await stack.setConfig("removeAdopted", { value: "true" });
    await stack.up();
    await assertNoChangesAfterUp(stack);
    await stack.destroy();
    for (const server of [bed.topology.source, ...bed.topology.replicas]) assert.deepEqual(await installedPlugins(server), [], `${server.name} has no plugin`);
  });
});
