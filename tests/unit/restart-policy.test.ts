import * as assert from "node:assert/strict";
import { EnablementDesired, planEnablement } from "../../provider/plan/enablement-plan";
import { ioRestartNeeded, persistedDrift, persistedTarget, switchAcrossRestart } from "../../provider/plan/restart-policy";
import { ResolvedTerminology } from "../../provider/types";
import { VersionLabel, applyToState, defaultChannel, flavorOf, observedOn, pluginVariables, sqlOf } from "./fixtures";

function desired(overrides: Partial<EnablementDesired> = {}): EnablementDesired {
  return { role: "source", enabled: true, settings: {}, persist: true, restartIoThread: true, ...overrides };
}

describe("what survives a restart", () => {
  it("never keeps the source's switch, so a restarted source boots off instead of stalling its first commit", () => {
    assert.equal(switchAcrossRestart("source", true), undefined);
    assert.equal(switchAcrossRestart("source", false), undefined);
  });

  it("keeps the replica's switch as declared, so a restarted replica registers by itself", () => {
    assert.equal(switchAcrossRestart("replica", true), "ON");
    assert.equal(switchAcrossRestart("replica", false), "OFF");
  });

  const cases: { terminology: ResolvedTerminology; source: string; replica: string }[] = [
    { terminology: "modern", source: "rpl_semi_sync_source_", replica: "rpl_semi_sync_replica_" },
    { terminology: "legacy", source: "rpl_semi_sync_master_", replica: "rpl_semi_sync_slave_" },
  ];
  for (const c of cases) {
    it(`wants the declared tunables persisted and the source switch absent (${c.terminology} names)`, () => {
      const target = persistedTarget({ role: "source", enabled: true, settings: { timeoutMs: 5000, waitNoReplica: false, waitPoint: "AFTER_SYNC" } }, c.terminology);
      const noReplica = c.terminology === "modern" ? "wait_no_replica" : "wait_no_slave";
      assert.deepEqual(target, {
        [`${c.source}enabled`]: undefined,
        [`${c.source}timeout`]: "5000",
        [`${c.source}${noReplica}`]: "OFF",
        [`${c.source}wait_point`]: "AFTER_SYNC",
      });
      assert.deepEqual(persistedTarget({ role: "replica", enabled: true, settings: { traceLevel: 16 } }, c.terminology), {
        [`${c.replica}enabled`]: "ON",
        [`${c.replica}trace_level`]: "16",
      });
    });
  }

  it("reports a tunable removed by RESET PERSIST behind Pulumi's back as drift", () => {
    const drift = persistedDrift({ role: "source", enabled: true, settings: { timeoutMs: 5000 } }, "modern", {});
    assert.deepEqual(drift, ["rpl_semi_sync_source_timeout: persisted (none), wanted 5000"]);
  });

  it("reports a persisted source switch as drift: the next restart would stall the first commit", () => {
    const drift = persistedDrift({ role: "source", enabled: true, settings: {} }, "modern", { rpl_semi_sync_source_enabled: "ON" });
    assert.deepEqual(drift, ["rpl_semi_sync_source_enabled: persisted ON, wanted (none)"]);
  });

  it("reports a replica switch reset behind Pulumi's back as drift", () => {
    assert.deepEqual(persistedDrift({ role: "replica", enabled: true, settings: {} }, "legacy", {}), ["rpl_semi_sync_slave_enabled: persisted (none), wanted ON"]);
  });

  it("reports nothing when the persisted values match, whatever their spelling", () => {
    const persisted = { rpl_semi_sync_source_timeout: "5000", rpl_semi_sync_source_wait_no_replica: "OFF", rpl_semi_sync_source_wait_point: "after_sync" };
    assert.deepEqual(persistedDrift({ role: "source", enabled: true, settings: { timeoutMs: 5000, waitNoReplica: false, waitPoint: "AFTER_SYNC" } }, "modern", persisted), []);
    assert.deepEqual(persistedDrift({ role: "replica", enabled: true, settings: {} }, "modern", { rpl_semi_sync_replica_enabled: "ON" }), []);
  });
});

describe("a replica whose IO thread waits out a connect retry", () => {
  const connecting = defaultChannel({ ioRunning: "Connecting", lastIoError: "error reconnecting to source 'repl@127.0.0.1:3306'" });

  it("is restarted when semisync is declared on, whatever its semisync status says", () => {
    assert.equal(ioRestartNeeded({ role: "replica", enabled: true, restartIoThread: true }, true, connecting), true);
    assert.equal(ioRestartNeeded({ role: "replica", enabled: true, restartIoThread: true }, false, connecting), true);
  });

  it("is left alone when connected, when declared off and already off, with restartIoThread false, and on a source", () => {
    assert.equal(ioRestartNeeded({ role: "replica", enabled: true, restartIoThread: true }, true, defaultChannel()), false);
    assert.equal(ioRestartNeeded({ role: "replica", enabled: false, restartIoThread: true }, false, connecting), false);
    assert.equal(ioRestartNeeded({ role: "replica", enabled: true, restartIoThread: false }, false, connecting), false);
    assert.equal(ioRestartNeeded({ role: "source", enabled: true, restartIoThread: true }, false, connecting), false);
  });

  const flavors: { label: VersionLabel; terminology: ResolvedTerminology; enabled: string; status: string }[] = [
    { label: "MySQL 8.0.21", terminology: "legacy", enabled: "rpl_semi_sync_slave_enabled", status: "Rpl_semi_sync_slave_status" },
    { label: "MySQL 8.4", terminology: "modern", enabled: "rpl_semi_sync_replica_enabled", status: "Rpl_semi_sync_replica_status" },
    { label: "MySQL 9.7", terminology: "modern", enabled: "rpl_semi_sync_replica_enabled", status: "Rpl_semi_sync_replica_status" },
    { label: "MariaDB 10.2", terminology: "legacy", enabled: "rpl_semi_sync_slave_enabled", status: "Rpl_semi_sync_slave_status" },
    { label: "MariaDB 10.11", terminology: "legacy", enabled: "rpl_semi_sync_slave_enabled", status: "Rpl_semi_sync_slave_status" },
  ];
  for (const f of flavors) {
    it(`plans only the IO-thread restart on ${f.label} (enabled and reporting ON, but connecting)`, () => {
      const flavor = flavorOf(f.label);
      const observed = observedOn(f.label, {
        variables: pluginVariables(flavor, f.terminology, "replica", { [f.enabled]: "ON" }),
        status: { [f.status]: "ON" },
        channels: [connecting],
      });
      const plan = planEnablement(desired({ role: "replica", persist: false }), observed, flavor);
      assert.deepEqual(sqlOf(plan.statements), [`STOP ${flavor.replicaKeyword} IO_THREAD`, `START ${flavor.replicaKeyword} IO_THREAD`]);
      assert.equal(plan.expectReplicaStatus, "ON");
      const after = applyToState(observed, plan.statements, flavor, plan.terminology);
      after.channels = [defaultChannel()];
      assert.deepEqual(sqlOf(planEnablement(desired({ role: "replica", persist: false }), after, flavor).statements), []);
    });
  }
});
