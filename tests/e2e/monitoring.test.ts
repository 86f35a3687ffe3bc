import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { Stack } from "@pulumi/pulumi/automation";
import { SemisyncReplication } from "../../provider";
import { startCommitWriter } from "../support/commit-writer";
import { assertNoChangesAfterUp } from "../support/empty-plan";
import { Lane, lanes } from "../testbed/lanes";
import { waitForReplicationRunning } from "../testbed/replication";
import { Server, Topology } from "../testbed/topology";
import { testBed } from "../support/test-bed";

/*
 * The source's counters as outputs (docs/monitoring.md): read at every create, update and
 * refresh, and never a reason for a change, since every commit moves them.
 */

interface Counters {
  noTx: number;
  yesTx: number;
  noTimes: number;
  waitSessions: number;
}

function program(topology: Topology) {
  return async () => {
    const config = new pulumi.Config();
    const password = config.requireSecret("adminPassword");
    const connectionOf = (server: Server) => ({ host: server.host, port: server.port, user: server.user, password });
    const replication = new SemisyncReplication("monitored", {
      source: connectionOf(topology.source),
      replicas: topology.replicas.map((r) => ({ ...connectionOf(r), name: r.name })),
      timeoutMs: config.getNumber("timeoutMs") ?? 10_000,
    });
    return {
      sourceMonitoring: replication.sourceMonitoring,
      replicaMonitoring: Object.values(replication.replicaEnablements)[0].monitoring,
    };
  };
}

// One lane per family: the counters' names differ by family (and plugin names), not by release.
const LANES = (["mysql", "mariadb"] as const).map((family) => lanes().find((l) => l.family === family)).filter((l): l is Lane => l !== undefined);

for (const lane of LANES) {
  const prefix = lane.family === "mysql" ? "Rpl_semi_sync_source_" : "Rpl_semi_sync_master_";

  describe(`monitoring outputs of the source, ${prefix}*: ${lane.name}`, function () {
    let stack: Stack;
    const bed = testBed(lane, { replicas: 1 });

    const serverCounters = async (): Promise<Counters> => {
      const rows = await bed.topology.source.query(`SHOW GLOBAL STATUS WHERE Variable_name IN ('${prefix}no_tx', '${prefix}yes_tx', '${prefix}no_times', '${prefix}wait_sessions')`);
      const value = (suffix: string) => Number(rows.find((r) => r.Variable_name === `${prefix}${suffix}`)?.Value);
      return { noTx: value("no_tx"), yesTx: value("yes_tx"), noTimes: value("no_times"), waitSessions: value("wait_sessions") };
    };

    /** The source enablement's `monitoring` as the state holds it. */
    const stateCounters = async (): Promise<Counters | undefined> => {
      const state = await stack.exportStack();
      const resources = (state.deployment as { resources: { urn: string; outputs?: Record<string, unknown> }[] }).resources;
      const source = resources.find((r) => r.urn.endsWith("::monitored-source") && r.urn.includes("SemisyncEnablement"));
      assert.ok(source, `the source enablement is in the state: ${resources.map((r) => r.urn).join(", ")}`);
      return source.outputs?.monitoring as Counters | undefined;
    };

    const commit = async (n: number) => {
      await bed.topology.source.query("CREATE DATABASE IF NOT EXISTS monitoring_probe");
      await bed.topology.source.query("CREATE TABLE IF NOT EXISTS monitoring_probe.commits (id INT AUTO_INCREMENT PRIMARY KEY)");
      for (let i = 0; i < n; i++) await bed.topology.source.query("INSERT INTO monitoring_probe.commits () VALUES ()");
    };

    before(async function () {
      stack = await bed.stack("semisync-monitoring", program(bed.topology));
    });

    it(`up reports ${prefix}{no_tx,yes_tx,no_times,wait_sessions} as the source's monitoring output, and nothing on a replica`, async function () {
      const result = await stack.up();
      assert.deepEqual(result.outputs.sourceMonitoring.value, await serverCounters());
      assert.equal(result.outputs.replicaMonitoring?.value, undefined);
      await assertNoChangesAfterUp(stack);
    });

    it("commits between up and refresh or preview, and during them, are no reason for a change; refresh records the new counts", async function () {
      const before = await stateCounters();
      await commit(5);
      const writer = await startCommitWriter(bed.topology.source, { pauseMs: 20 });
      try {
        await writer.settle();
        await stack.refresh({ expectNoChanges: true });
        await stack.preview({ expectNoChanges: true });
        const again = await stack.up();
        assert.deepEqual(Object.keys(again.summary.resourceChanges ?? {}), ["same"], JSON.stringify(again.summary.resourceChanges));
      } finally {
        const samples = await writer.stop();
        assert.ok(samples.length > 0, "the writer committed");
      }
      const after = await stateCounters();
      assert.ok(before && after, "the state holds the counters");
      assert.ok(after.yesTx >= before.yesTx + 5, `refresh recorded the commits: yesTx ${before.yesTx} -> ${after.yesTx}`);
    });

    it("a source that fell back shows it after a refresh, with no change planned: no_times and no_tx grow", async function () {
      await stack.setConfig("timeoutMs", { value: "500" });
      await stack.up();
      const before = await serverCounters();
      await bed.topology.replicas[0].query("STOP REPLICA IO_THREAD");
      try {
        await commit(1); // waits the 500 ms, then the source falls back to asynchronous
      } finally {
        await bed.topology.replicas[0].query("START REPLICA IO_THREAD");
      }
      await waitForReplicationRunning(bed.topology.replicas[0]);
      await stack.refresh({ expectNoChanges: true });
      const after = await stateCounters();
      assert.ok(after, "the state holds the counters");
      console.log(`      ${lane.name}: no_times ${before.noTimes} -> ${after.noTimes}, no_tx ${before.noTx} -> ${after.noTx}`);
      assert.ok(after.noTimes > before.noTimes, `no_times grew: ${before.noTimes} -> ${after.noTimes}`);
      assert.ok(after.noTx > before.noTx, `no_tx grew: ${before.noTx} -> ${after.noTx}`);
    });

    it("destroy is clean", async function () {
      const result = await stack.destroy();
      assert.equal(result.summary.result, "succeeded");
    });
  });
}
