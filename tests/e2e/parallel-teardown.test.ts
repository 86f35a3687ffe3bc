import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { SemisyncReplication } from "../../provider";
import { STALL_MS, maxLatency, startCommitWriter } from "../support/commit-writer";
import { installedPlugins, semisyncStatus, semisyncVariables } from "../support/server-probes";
import { testBed } from "../support/test-bed";

describe("replicas of one source replaced together are switched off one at a time: no commit stalls", function () {
  const bed = testBed("mysql", { replicas: 2 });

  it("reordering index-keyed replicas either converges with both semisync or is refused by the guard, and no commit waits", async function () {
    const stack = await bed.stack("semisync-parallel-teardown", async () => {
      const config = new pulumi.Config();
      const password = config.requireSecret("adminPassword");
      const members = config.get("swap") === "1" ? [...bed.topology.replicas].reverse() : bed.topology.replicas;
      const replication = new SemisyncReplication("orders", {
        source: { host: bed.topology.source.host, port: bed.topology.source.port, user: bed.topology.source.user, password },
        // Hosts known only at apply time: keyed by position, so the reorder replaces both replicas.
        replicas: members.map((r) => ({ host: pulumi.output(r.host), port: r.port, user: r.user, password })),
      });
      return { sourceStatus: replication.sourceStatus, replicaStatuses: replication.replicaStatuses };
    });
    await stack.up();
    const writer = await startCommitWriter(bed.topology.source);
    let refusal: string | undefined;
    try {
      await stack.setConfig("swap", { value: "1" });
      writer.take();
      try {
        const result = await stack.up();
        console.log(`      reorder up: ${JSON.stringify(result.summary.resourceChanges)}`);
      } catch (error) {
        refusal = String((error as Error).message);
      }
      await writer.settle();
      const samples = writer.take();
      assert.ok(samples.length > 0, "the writer committed during the deployment");
      console.log(`      reorder up ${refusal ? "refused" : "converged"}: max commit ${maxLatency(samples).toFixed(1)} ms over ${samples.length} commits`);
      assert.ok(maxLatency(samples) < STALL_MS, `a commit waited ${maxLatency(samples).toFixed(0)} ms`);
    } finally {
      await writer.stop();
    }
    if (refusal) {
      assert.match(refusal, /switching this replica off now would stall the source's next commit/);
      assert.match(refusal, /Nothing was changed/);
      assert.match(refusal, /stable `name`/);
    } else {
      assert.equal((await semisyncVariables(bed.topology.source)).rpl_semi_sync_source_enabled, "ON", "source switched on");
      assert.equal((await semisyncStatus(bed.topology.source)).Rpl_semi_sync_source_clients, "2", "source clients");
      for (const replica of bed.topology.replicas) {
        assert.deepEqual(await installedPlugins(replica), ["rpl_semi_sync_replica"], `${replica.name} plugin`);
        assert.equal((await semisyncStatus(replica)).Rpl_semi_sync_replica_status, "ON", `${replica.name} registered`);
      }
    }
    await stack.destroy();
  });
});
