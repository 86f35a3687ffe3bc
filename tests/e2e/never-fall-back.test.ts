import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { Stack } from "@pulumi/pulumi/automation";
import { SemisyncReplication } from "../../provider";
import { assertNoChangesAfterUp } from "../support/empty-plan";
import { lanes } from "../testbed/lanes";
import { Server, Topology } from "../testbed/topology";
import { testBed } from "../support/test-bed";

/*
 * The "never fall back" profile (docs/never-fall-back.md): a timeout no commit ever reaches, as Vitess sets it
 * (rpl_semi_sync_source_timeout = 1000000000000000000 with wait_no_replica on). The value is
 * above Number.MAX_SAFE_INTEGER but exactly a double, so it must reach the server, the state and
 * the outputs digit for digit, and never read back as drift.
 */
const VITESS_TIMEOUT_MS = "1000000000000000000";
// The largest double at or below 2^64 - 1, the limit of an unsigned long on a 64-bit server.
const LARGEST_SHARED_MS = "18446744073709549568";

function program(topology: Topology) {
  return async () => {
    const config = new pulumi.Config();
    const password = config.requireSecret("adminPassword");
    const connectionOf = (server: Server) => ({ host: server.host, port: server.port, user: server.user, password });
    const replication = new SemisyncReplication("never-fall-back", {
      source: connectionOf(topology.source),
      replicas: topology.replicas.map((r) => ({ ...connectionOf(r), name: r.name })),
      timeoutMs: config.getNumber("timeoutMs"),
      waitNoReplica: true,
    });
    return {
      sourceStatus: replication.sourceStatus,
      effectiveTimeoutMs: replication.sourceEnablement.effective.apply((e) => e.timeoutMs),
    };
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One commit on `server`: when it returned (epoch ms), if it has. */
function pendingCommit(server: Server) {
  const state: { returnedAt?: number; done: Promise<void> } = { done: Promise.resolve() };
  state.done = server.query("INSERT INTO never_fall_back.commits () VALUES ()").then(() => {
    state.returnedAt = Date.now();
  });
  return state;
}

for (const lane of lanes()) {
  const timeoutVariable = lane.family === "mysql" ? "rpl_semi_sync_source_timeout" : "rpl_semi_sync_master_timeout";
  const enabledVariable = lane.family === "mysql" ? "rpl_semi_sync_source_enabled" : "rpl_semi_sync_master_enabled";
  const waitSessions = lane.family === "mysql" ? "Rpl_semi_sync_source_wait_sessions" : "Rpl_semi_sync_master_wait_sessions";

  describe(`timeoutMs above 4294967295, the never-fall-back profile: ${lane.name}`, function () {
    let stack: Stack;
    const bed = testBed(lane, { replicas: 1 });

    const serverTimeout = async () => (await bed.topology.source.query(`SHOW GLOBAL VARIABLES LIKE '${timeoutVariable}'`))[0]?.Value;

    before(async function () {
      stack = await bed.stack("semisync-never-fall-back", program(bed.topology));
    });

    it(`up with timeoutMs ${VITESS_TIMEOUT_MS} stores those digits on the server and in the outputs, and nothing changes after it`, async function () {
      await stack.setConfig("timeoutMs", { value: VITESS_TIMEOUT_MS });
      const result = await stack.up();
      assert.equal(result.summary.result, "succeeded");
      assert.equal(await serverTimeout(), VITESS_TIMEOUT_MS);
      assert.equal(result.outputs.sourceStatus.value, "ON");
      assert.equal(BigInt(result.outputs.effectiveTimeoutMs.value).toString(), VITESS_TIMEOUT_MS);
      await assertNoChangesAfterUp(stack);
      const again = await stack.up();
      assert.deepEqual(Object.keys(again.summary.resourceChanges ?? {}), ["same"], JSON.stringify(again.summary.resourceChanges));
    });

    it("the risk, measured: with its only replica's IO thread stopped a commit waits, and returns once the replica is back", async function () {
      const replica = bed.topology.replicas[0];
      await bed.topology.source.query("CREATE DATABASE IF NOT EXISTS never_fall_back");
      await bed.topology.source.query("CREATE TABLE IF NOT EXISTS never_fall_back.commits (id INT AUTO_INCREMENT PRIMARY KEY)");
      await replica.query("STOP REPLICA IO_THREAD");
      const commit = pendingCommit(bed.topology.source);
      await sleep(3_000);
      assert.equal(commit.returnedAt, undefined, "the commit waits while no replica acknowledges");
      assert.equal((await bed.topology.source.query(`SHOW GLOBAL STATUS LIKE '${waitSessions}'`))[0]?.Value, "1");
      await replica.query("START REPLICA IO_THREAD");
      const restarted = Date.now();
      await commit.done;
      const releasedMs = Math.max(0, commit.returnedAt! - restarted);
      console.log(`      ${lane.name}: the waiting commit returned ${releasedMs} ms after START REPLICA IO_THREAD had returned`);
      assert.ok(releasedMs < 15_000, `released ${releasedMs} ms after the replica came back`);
    });

    it("switching the source off releases a waiting commit at once, and up --refresh switches it back on", async function () {
      const replica = bed.topology.replicas[0];
      await replica.query("STOP REPLICA IO_THREAD");
      const commit = pendingCommit(bed.topology.source);
      await sleep(1_500);
      assert.equal(commit.returnedAt, undefined, "the commit waits while no replica acknowledges");
      await bed.topology.source.query(`SET GLOBAL ${enabledVariable} = OFF`);
      const switchedOff = Date.now();
      await commit.done;
      const releasedMs = Math.max(0, commit.returnedAt! - switchedOff);
      console.log(`      ${lane.name}: the waiting commit returned ${releasedMs} ms after SET GLOBAL ${enabledVariable} = OFF had returned`);
      assert.ok(releasedMs < 1_000, `released ${releasedMs} ms after the switch-off`);
      await replica.query("START REPLICA IO_THREAD");
      await stack.up({ refresh: true });
      assert.equal((await bed.topology.source.query(`SHOW GLOBAL VARIABLES LIKE '${enabledVariable}'`))[0]?.Value, "ON");
      assert.equal(await serverTimeout(), VITESS_TIMEOUT_MS);
      await assertNoChangesAfterUp(stack);
    });

    it(`timeoutMs ${LARGEST_SHARED_MS}, the largest value JavaScript and a 64-bit server share, round-trips too`, async function () {
      await stack.setConfig("timeoutMs", { value: LARGEST_SHARED_MS });
      const result = await stack.up();
      assert.equal(await serverTimeout(), LARGEST_SHARED_MS);
      assert.equal(BigInt(result.outputs.effectiveTimeoutMs.value).toString(), LARGEST_SHARED_MS);
      await assertNoChangesAfterUp(stack);
    });

    it("timeoutMs 18446744073709551615, which JavaScript rounds to 2^64, is refused at preview and up with the fix, and nothing changes", async function () {
      await stack.setConfig("timeoutMs", { value: "18446744073709551615" });
      const expected = /timeoutMs must be a whole number from 0 to 18446744073709551615, got 18446744073709551616.*18446744073709549568/s;
      await assert.rejects(stack.preview(), expected);
      await assert.rejects(stack.up(), expected);
      assert.equal(await serverTimeout(), LARGEST_SHARED_MS, "the refused value changed nothing");
    });

    it("destroy puts back the timeout found before the first up", async function () {
      await stack.setConfig("timeoutMs", { value: VITESS_TIMEOUT_MS });
      await stack.destroy();
      assert.equal(await serverTimeout(), lane.family === "mysql" ? undefined : "10000", "MySQL: the plugin and its variable are gone; MariaDB: back to 10000");
    });
  });
}
