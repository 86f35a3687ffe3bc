import * as assert from "node:assert/strict";
import { Flavor } from "../../provider/flavors/generations";
import { EnablementDesired, EnablementPlan, EnablementPrevious, planEnablement, settingsNotStored } from "../../provider/plan/enablement-plan";
import { persistedDrift } from "../../provider/plan/restart-policy";
import { ObservedState } from "../../provider/types";
import { ResolvedTerminology, SemisyncSettings, SettingKey, WaitPoint } from "../../provider/types";
import { VersionLabel, applyToState, defaultChannel, expectPlanError, flavorOf, observedOn, pluginVariables, sqlOf } from "./fixtures";

function desired(overrides: Partial<EnablementDesired> = {}): EnablementDesired {
  return { role: "source", enabled: true, settings: {}, persist: false, restartIoThread: true, ...overrides };
}

/** The `previous` the provider derives from the outputs of a run that applied `d`. */
function previousAfter(d: EnablementDesired): EnablementPrevious {
  return { managedSettings: (Object.keys(d.settings) as SettingKey[]).filter((k) => d.settings[k] !== undefined), persisted: d.persist };
}

/**
 * Plans, applies the plan to a model of the server, and plans again against the result: the
 * second plan must be empty, or the provider would never settle.
 */
function planSettled(d: EnablementDesired, observed: ObservedState, flavor: Flavor, previous?: EnablementPrevious): { plan: EnablementPlan; after: ObservedState } {
  const plan = planEnablement(d, observed, flavor, previous);
  const after = applyToState(observed, plan.statements, flavor, plan.terminology);
  const again = planEnablement(d, after, flavor, previousAfter(d));
  assert.deepEqual(sqlOf(again.statements), [], `re-planning after ${JSON.stringify(sqlOf(plan.statements))} must do nothing`);
  assert.equal(again.expectReplicaStatus, undefined);
  return { plan, after };
}

interface SourceCase {
  label: VersionLabel;
  terminology: ResolvedTerminology;
  prefix: string;
  countSuffix?: string;
  noReplicaSuffix: string;
}

const SOURCE_CASES: SourceCase[] = [
  { label: "MySQL 5.7", terminology: "legacy", prefix: "rpl_semi_sync_master_", countSuffix: "wait_for_slave_count", noReplicaSuffix: "wait_no_slave" },
  { label: "MySQL 8.0.21", terminology: "legacy", prefix: "rpl_semi_sync_master_", countSuffix: "wait_for_slave_count", noReplicaSuffix: "wait_no_slave" },
  { label: "MySQL 8.0.25", terminology: "legacy", prefix: "rpl_semi_sync_master_", countSuffix: "wait_for_slave_count", noReplicaSuffix: "wait_no_slave" },
  { label: "MySQL 8.0.26", terminology: "modern", prefix: "rpl_semi_sync_source_", countSuffix: "wait_for_replica_count", noReplicaSuffix: "wait_no_replica" },
  { label: "MySQL 8.0.26", terminology: "legacy", prefix: "rpl_semi_sync_master_", countSuffix: "wait_for_slave_count", noReplicaSuffix: "wait_no_slave" },
  { label: "MySQL 8.4", terminology: "modern", prefix: "rpl_semi_sync_source_", countSuffix: "wait_for_replica_count", noReplicaSuffix: "wait_no_replica" },
  { label: "MySQL 8.4", terminology: "legacy", prefix: "rpl_semi_sync_master_", countSuffix: "wait_for_slave_count", noReplicaSuffix: "wait_no_slave" },
  { label: "MySQL 9.7", terminology: "modern", prefix: "rpl_semi_sync_source_", countSuffix: "wait_for_replica_count", noReplicaSuffix: "wait_no_replica" },
  { label: "MariaDB 10.2", terminology: "legacy", prefix: "rpl_semi_sync_master_", noReplicaSuffix: "wait_no_slave" },
  { label: "MariaDB 10.11", terminology: "legacy", prefix: "rpl_semi_sync_master_", noReplicaSuffix: "wait_no_slave" },
];

function sourceServer(c: { label: VersionLabel; terminology: ResolvedTerminology }, overrides: Record<string, string> = {}, persisted?: Record<string, string>): ObservedState {
  const flavor = flavorOf(c.label);
  return observedOn(c.label, { variables: pluginVariables(flavor, c.terminology, "source", overrides), status: {}, persisted });
}

describe("planEnablement on a source", () => {
  for (const c of SOURCE_CASES) {
    const flavor = () => flavorOf(c.label);
    const settings = (): SemisyncSettings => ({
      timeoutMs: 5000,
      ...(c.countSuffix ? { waitForReplicaCount: 2 } : {}),
      waitNoReplica: false,
      waitPoint: "AFTER_COMMIT",
      traceLevel: 16,
    });

    it(`sets ${c.prefix}* settings, then ${c.prefix}enabled, on ${c.label} with the ${c.terminology} plugin`, () => {
      const { plan } = planSettled(desired({ settings: settings() }), sourceServer(c), flavor());
      assert.equal(plan.terminology, c.terminology);
      assert.deepEqual(sqlOf(plan.statements), [
        `SET GLOBAL ${c.prefix}timeout = 5000`,
        ...(c.countSuffix ? [`SET GLOBAL ${c.prefix}${c.countSuffix} = 2`] : []),
        `SET GLOBAL ${c.prefix}${c.noReplicaSuffix} = OFF`,
        `SET GLOBAL ${c.prefix}wait_point = AFTER_COMMIT`,
        `SET GLOBAL ${c.prefix}trace_level = 16`,
        `SET GLOBAL ${c.prefix}enabled = ON`,
      ]);
      assert.equal(plan.expectReplicaStatus, undefined);
    });

    it(`does nothing on ${c.label} (${c.terminology}) when the server already matches`, () => {
      const overrides: Record<string, string> = {
        [`${c.prefix}enabled`]: "ON",
        [`${c.prefix}timeout`]: "5000",
        [`${c.prefix}${c.noReplicaSuffix}`]: "OFF",
        [`${c.prefix}wait_point`]: "AFTER_COMMIT",
        [`${c.prefix}trace_level`]: "16",
      };
      if (c.countSuffix) overrides[`${c.prefix}${c.countSuffix}`] = "2";
      const plan = planEnablement(desired({ settings: settings() }), sourceServer(c, overrides), flavor());
      assert.deepEqual(sqlOf(plan.statements), []);
    });
  }

  it("names the modern variables rpl_semi_sync_source_wait_for_replica_count and _wait_no_replica", () => {
    const c = { label: "MySQL 9.7" as const, terminology: "modern" as const };
    const plan = planEnablement(desired({ settings: { waitForReplicaCount: 3, waitNoReplica: false } }), sourceServer(c), flavorOf(c.label));
    assert.deepEqual(sqlOf(plan.statements), ["SET GLOBAL rpl_semi_sync_source_wait_for_replica_count = 3", "SET GLOBAL rpl_semi_sync_source_wait_no_replica = OFF", "SET GLOBAL rpl_semi_sync_source_enabled = ON"]);
  });

  it("names the legacy variables rpl_semi_sync_master_wait_for_slave_count and _wait_no_slave", () => {
    const c = { label: "MySQL 8.0.25" as const, terminology: "legacy" as const };
    const plan = planEnablement(desired({ settings: { waitForReplicaCount: 3, waitNoReplica: false } }), sourceServer(c), flavorOf(c.label));
    assert.deepEqual(sqlOf(plan.statements), ["SET GLOBAL rpl_semi_sync_master_wait_for_slave_count = 3", "SET GLOBAL rpl_semi_sync_master_wait_no_slave = OFF", "SET GLOBAL rpl_semi_sync_master_enabled = ON"]);
  });

  it("writes only the drifted setting and leaves matching ones alone", () => {
    const c = { label: "MySQL 8.4" as const, terminology: "modern" as const };
    const observed = sourceServer(c, { rpl_semi_sync_source_enabled: "ON", rpl_semi_sync_source_timeout: "1000" });
    const { plan } = planSettled(desired({ settings: { timeoutMs: 2000, waitPoint: "AFTER_SYNC" } }), observed, flavorOf(c.label));
    assert.deepEqual(sqlOf(plan.statements), ["SET GLOBAL rpl_semi_sync_source_timeout = 2000"]);
    assert.deepEqual(plan.statements[0].undo, ["SET GLOBAL rpl_semi_sync_source_timeout = 1000"]);
  });

  it("undoes the enable with SET GLOBAL …_enabled = OFF", () => {
    const c = { label: "MySQL 8.4" as const, terminology: "modern" as const };
    const plan = planEnablement(desired(), sourceServer(c), flavorOf(c.label));
    assert.deepEqual(
      plan.statements.map((s) => [s.sql, s.undo]),
      [["SET GLOBAL rpl_semi_sync_source_enabled = ON", ["SET GLOBAL rpl_semi_sync_source_enabled = OFF"]]],
    );
  });

  it("treats 1 as ON when comparing …_enabled", () => {
    const c = { label: "MySQL 8.4" as const, terminology: "modern" as const };
    const plan = planEnablement(desired(), sourceServer(c, { rpl_semi_sync_source_enabled: "1" }), flavorOf(c.label));
    assert.deepEqual(sqlOf(plan.statements), []);
  });

  it("disables with SET GLOBAL …_enabled = OFF and nothing else", () => {
    const c = { label: "MySQL 8.4" as const, terminology: "modern" as const };
    const { plan } = planSettled(desired({ enabled: false }), sourceServer(c, { rpl_semi_sync_source_enabled: "ON" }), flavorOf(c.label));
    assert.deepEqual(sqlOf(plan.statements), ["SET GLOBAL rpl_semi_sync_source_enabled = OFF"]);
  });

  it("switches …_enabled off before touching any setting when disabling", () => {
    // Restoring a default such as wait_no_replica=ON on a source that is still on would act on it.
    const c = { label: "MySQL 8.4" as const, terminology: "modern" as const };
    const plan = planEnablement(desired({ enabled: false, settings: { timeoutMs: 3000 } }), sourceServer(c, { rpl_semi_sync_source_enabled: "ON" }), flavorOf(c.label));
    assert.deepEqual(sqlOf(plan.statements), ["SET GLOBAL rpl_semi_sync_source_enabled = OFF", "SET GLOBAL rpl_semi_sync_source_timeout = 3000"]);
  });

  it("lists option-file lines for the declared state", () => {
    const c = { label: "MySQL 5.7" as const, terminology: "legacy" as const };
    const plan = planEnablement(desired({ settings: { timeoutMs: 5000, waitPoint: "AFTER_SYNC" } }), sourceServer(c), flavorOf(c.label));
    // loose_: a server restarted without the plugin must still start.
    // The source starts with semisync off: switched on at boot it would stall its first commit.
    assert.deepEqual(plan.optionFileLines, ["loose_rpl_semi_sync_master_enabled=OFF", "loose_rpl_semi_sync_master_timeout=5000", "loose_rpl_semi_sync_master_wait_point=AFTER_SYNC"]);
  });
});

describe("planEnablement with persist", () => {
  for (const label of ["MySQL 8.0.21", "MySQL 8.4", "MySQL 9.7"] as const) {
    const terminology: ResolvedTerminology = label === "MySQL 8.0.21" ? "legacy" : "modern";
    const prefix = terminology === "modern" ? "rpl_semi_sync_source_" : "rpl_semi_sync_master_";
    it(`persists the source's tunables but not its switch on ${label}, so a restarted source boots off`, () => {
      const { plan, after } = planSettled(desired({ persist: true, settings: { timeoutMs: 5000 } }), sourceServer({ label, terminology }), flavorOf(label));
      assert.deepEqual(sqlOf(plan.statements), [`SET PERSIST ${prefix}timeout = 5000`, `SET GLOBAL ${prefix}enabled = ON`]);
      assert.deepEqual(after.persisted, { [`${prefix}timeout`]: "5000" });
    });

    it(`persists the replica's switch on ${label}: a replica that boots on registers by itself`, () => {
      const replicaPrefix = terminology === "modern" ? "rpl_semi_sync_replica_" : "rpl_semi_sync_slave_";
      const flavor = flavorOf(label);
      const observed = observedOn(label, { variables: pluginVariables(flavor, terminology, "replica"), status: {}, channels: [defaultChannel()] });
      const { plan, after } = planSettled(desired({ role: "replica", persist: true, settings: { traceLevel: 16 } }), observed, flavor);
      assert.deepEqual(sqlOf(plan.statements), [
        `SET PERSIST ${replicaPrefix}trace_level = 16`,
        `SET PERSIST ${replicaPrefix}enabled = ON`,
        `STOP ${flavor.replicaKeyword} IO_THREAD`,
        `START ${flavor.replicaKeyword} IO_THREAD`,
      ]);
      assert.deepEqual(after.persisted, { [`${replicaPrefix}trace_level`]: "16", [`${replicaPrefix}enabled`]: "ON" });
    });

    it(`removes a persisted source switch (a SET PERSIST behind Pulumi's back) on ${label}`, () => {
      const live = { [`${prefix}enabled`]: "ON", [`${prefix}timeout`]: "5000" };
      const observed = sourceServer({ label, terminology }, live, { ...live });
      const { plan, after } = planSettled(desired({ persist: true, settings: { timeoutMs: 5000 } }), observed, flavorOf(label));
      assert.deepEqual(sqlOf(plan.statements), [`RESET PERSIST IF EXISTS ${prefix}enabled`]);
      assert.deepEqual(after.persisted, { [`${prefix}timeout`]: "5000" });
      assert.equal(after.variables[`${prefix}enabled`], "ON", "the running source stays on");
    });
  }

  it("persists values that are already live but not yet persisted on MySQL 8.4", () => {
    const c = { label: "MySQL 8.4" as const, terminology: "modern" as const };
    const observed = sourceServer(c, { rpl_semi_sync_source_enabled: "ON", rpl_semi_sync_source_timeout: "5000" }, {});
    const { plan } = planSettled(desired({ persist: true, settings: { timeoutMs: 5000 } }), observed, flavorOf(c.label));
    assert.deepEqual(sqlOf(plan.statements), ["SET PERSIST rpl_semi_sync_source_timeout = 5000"]);
  });

  it("re-persists a tunable removed by RESET PERSIST behind Pulumi's back on MySQL 9.7", () => {
    const c = { label: "MySQL 9.7" as const, terminology: "modern" as const };
    const observed = sourceServer(c, { rpl_semi_sync_source_enabled: "ON", rpl_semi_sync_source_timeout: "5000" }, {});
    const { plan, after } = planSettled(desired({ persist: true, settings: { timeoutMs: 5000 } }), observed, flavorOf(c.label));
    assert.deepEqual(sqlOf(plan.statements), ["SET PERSIST rpl_semi_sync_source_timeout = 5000"]);
    assert.deepEqual(after.persisted, { rpl_semi_sync_source_timeout: "5000" });
  });

  it("does nothing when live and persisted values both match on MySQL 8.4", () => {
    const c = { label: "MySQL 8.4" as const, terminology: "modern" as const };
    const observed = sourceServer(c, { rpl_semi_sync_source_enabled: "ON", rpl_semi_sync_source_timeout: "5000" }, { rpl_semi_sync_source_timeout: "5000" });
    assert.deepEqual(sqlOf(planEnablement(desired({ persist: true, settings: { timeoutMs: 5000 } }), observed, flavorOf(c.label)).statements), []);
  });

  for (const label of ["MySQL 5.7", "MariaDB 10.2", "MariaDB 10.11"] as const) {
    it(`refuses persist on ${label} and names the option-file lines instead`, () => {
      const c = { label, terminology: "legacy" as const };
      const error = expectPlanError(() => planEnablement(desired({ persist: true, settings: { timeoutMs: 5000 } }), sourceServer(c), flavorOf(label)), /SET PERSIST does not exist/);
      assert.match(error.fix, /rpl_semi_sync_master_enabled=OFF/, "a source starts with semisync off");
      assert.match(error.fix, /rpl_semi_sync_master_timeout=5000/);
      assert.match(error.fix, /\[mysqld\]/);
      assert.match(error.fix, /persist to false/);
    });
  }

  it("stops persisting with RESET PERSIST IF EXISTS when persist goes from true to false", () => {
    const c = { label: "MySQL 8.4" as const, terminology: "modern" as const };
    const live = { rpl_semi_sync_source_enabled: "ON", rpl_semi_sync_source_timeout: "5000" };
    const observed = sourceServer(c, live, { ...live });
    const { plan, after } = planSettled(desired({ persist: false, settings: { timeoutMs: 5000 } }), observed, flavorOf(c.label), {
      managedSettings: ["timeoutMs"],
      persisted: true,
    });
    assert.deepEqual(sqlOf(plan.statements), ["RESET PERSIST IF EXISTS rpl_semi_sync_source_timeout", "RESET PERSIST IF EXISTS rpl_semi_sync_source_enabled"]);
    assert.deepEqual(after.persisted, {});
  });

  it("does not RESET PERSIST values it never persisted", () => {
    const c = { label: "MySQL 8.4" as const, terminology: "modern" as const };
    const observed = sourceServer(c, { rpl_semi_sync_source_enabled: "ON" }, {});
    const plan = planEnablement(desired({ persist: false }), observed, flavorOf(c.label), { managedSettings: [], persisted: false });
    assert.deepEqual(sqlOf(plan.statements), []);
  });

  // A setting dropped from the declaration while persist stays true must not come back from
  // mysqld-auto.cnf at the next restart.
  it("stops persisting a setting that is no longer declared while persist stays true", () => {
    const c = { label: "MySQL 8.4" as const, terminology: "modern" as const };
    const live = { rpl_semi_sync_source_enabled: "ON", rpl_semi_sync_source_timeout: "5000" };
    const observed = sourceServer(c, live, { ...live });
    const { plan, after } = planSettled(desired({ persist: true, settings: {} }), observed, flavorOf(c.label), { managedSettings: ["timeoutMs"], persisted: true });
    assert.equal(after.variables.rpl_semi_sync_source_timeout, "10000", "the live value goes back to the default");
    const persistedTimeout = after.persisted?.rpl_semi_sync_source_timeout;
    assert.ok(
      persistedTimeout === undefined || persistedTimeout === "10000",
      `mysqld-auto.cnf still holds rpl_semi_sync_source_timeout=${persistedTimeout} after ${JSON.stringify(sqlOf(plan.statements))}, so a restart brings 5000 back`,
    );
  });
});

describe("planEnablement refusals", () => {
  it("refuses waitForReplicaCount on MariaDB 10.11, which has no wait_for_slave_count", () => {
    const c = { label: "MariaDB 10.11" as const, terminology: "legacy" as const };
    expectPlanError(() => planEnablement(desired({ settings: { waitForReplicaCount: 2 } }), sourceServer(c), flavorOf(c.label)), /waitForReplicaCount has no variable on MariaDB/, /remove waitForReplicaCount/);
  });

  it("refuses waitForReplicaCount on MariaDB 10.2 too", () => {
    const c = { label: "MariaDB 10.2" as const, terminology: "legacy" as const };
    expectPlanError(() => planEnablement(desired({ settings: { waitForReplicaCount: 1 } }), sourceServer(c), flavorOf(c.label)), /waitForReplicaCount/);
  });

  for (const [label, role, variable] of [
    ["MySQL 9.7", "source", "rpl_semi_sync_source_enabled"],
    ["MySQL 8.0.25", "replica", "rpl_semi_sync_slave_enabled"],
    ["MariaDB 10.2", "source", "rpl_semi_sync_master_enabled"],
  ] as const) {
    it(`tells to declare a SemisyncPlugin when the ${role} plugin is not installed on ${label}`, () => {
      expectPlanError(
        () => planEnablement(desired({ role }), observedOn(label, { channels: [defaultChannel()] }), flavorOf(label)),
        new RegExp(`${role} plugin is not installed`),
        new RegExp(variable),
        new RegExp(`declare a SemisyncPlugin with role "${role}"`),
      );
    });
  }

  it("refuses source-only settings on a replica", () => {
    const flavor = flavorOf("MySQL 8.4");
    const observed = observedOn("MySQL 8.4", { variables: pluginVariables(flavor, "modern", "replica"), channels: [defaultChannel()] });
    expectPlanError(() => planEnablement(desired({ role: "replica", settings: { timeoutMs: 1000 } }), observed, flavor), /timeoutMs applies to a source only/);
  });
});

describe("planEnablement values reach SQL only as validated keywords and integers", () => {
  const c = { label: "MySQL 8.4" as const, terminology: "modern" as const };

  it("upper-cases a waitPoint of after_commit", () => {
    const plan = planEnablement(desired({ settings: { waitPoint: "after_commit" as WaitPoint } }), sourceServer(c, { rpl_semi_sync_source_enabled: "ON" }), flavorOf(c.label));
    assert.deepEqual(sqlOf(plan.statements), ["SET GLOBAL rpl_semi_sync_source_wait_point = AFTER_COMMIT"]);
  });

  it("throws on a waitPoint that is not a keyword instead of writing it", () => {
    const waitPoint = "AFTER_SYNC; DROP TABLE x" as WaitPoint;
    assert.throws(() => planEnablement(desired({ settings: { waitPoint } }), sourceServer(c), flavorOf(c.label)), /invalid waitPoint/);
  });

  it("throws on a timeoutMs that is a string instead of writing it", () => {
    const timeoutMs = "5000; DROP TABLE x" as unknown as number;
    assert.throws(() => planEnablement(desired({ settings: { timeoutMs } }), sourceServer(c), flavorOf(c.label)), /invalid timeoutMs/);
  });

  it("throws on a fractional traceLevel", () => {
    assert.throws(() => planEnablement(desired({ settings: { traceLevel: 1.5 } }), sourceServer(c), flavorOf(c.label)), /invalid traceLevel/);
  });
});

describe("planEnablement on a replica", () => {
  const REPLICA_CASES: { label: VersionLabel; terminology: ResolvedTerminology; keyword: "SLAVE" | "REPLICA" }[] = [
    { label: "MySQL 5.7", terminology: "legacy", keyword: "SLAVE" },
    { label: "MySQL 8.0.21", terminology: "legacy", keyword: "SLAVE" },
    { label: "MySQL 8.0.22", terminology: "legacy", keyword: "REPLICA" },
    { label: "MySQL 8.0.26", terminology: "modern", keyword: "REPLICA" },
    { label: "MySQL 8.4", terminology: "legacy", keyword: "REPLICA" },
    { label: "MySQL 9.7", terminology: "modern", keyword: "REPLICA" },
    { label: "MariaDB 10.2", terminology: "legacy", keyword: "SLAVE" },
    { label: "MariaDB 10.5.0", terminology: "legacy", keyword: "SLAVE" },
    { label: "MariaDB 10.11", terminology: "legacy", keyword: "REPLICA" },
  ];

  function replicaServer(label: VersionLabel, terminology: ResolvedTerminology, enabled: string, status: string, channels = [defaultChannel()]): ObservedState {
    const flavor = flavorOf(label);
    const prefix = terminology === "modern" ? "rpl_semi_sync_replica_" : "rpl_semi_sync_slave_";
    const statusVariable = terminology === "modern" ? "Rpl_semi_sync_replica_status" : "Rpl_semi_sync_slave_status";
    return observedOn(label, {
      variables: pluginVariables(flavor, terminology, "replica", { [`${prefix}enabled`]: enabled }),
      status: { [statusVariable]: status },
      channels,
    });
  }

  for (const c of REPLICA_CASES) {
    const enabledVar = c.terminology === "modern" ? "rpl_semi_sync_replica_enabled" : "rpl_semi_sync_slave_enabled";

    it(`enables ${enabledVar}, then restarts the IO thread with STOP/START ${c.keyword} on ${c.label}`, () => {
      const { plan } = planSettled(desired({ role: "replica" }), replicaServer(c.label, c.terminology, "OFF", "OFF"), flavorOf(c.label));
      assert.deepEqual(sqlOf(plan.statements), [`SET GLOBAL ${enabledVar} = ON`, `STOP ${c.keyword} IO_THREAD`, `START ${c.keyword} IO_THREAD`]);
      assert.deepEqual(plan.statements[1].undo, [`START ${c.keyword} IO_THREAD`]);
      assert.equal(plan.expectReplicaStatus, "ON");
    });

    it(`disables ${enabledVar}, then restarts the IO thread with ${c.keyword} on ${c.label}`, () => {
      const { plan } = planSettled(desired({ role: "replica", enabled: false }), replicaServer(c.label, c.terminology, "ON", "ON"), flavorOf(c.label));
      assert.deepEqual(sqlOf(plan.statements), [`SET GLOBAL ${enabledVar} = OFF`, `STOP ${c.keyword} IO_THREAD`, `START ${c.keyword} IO_THREAD`]);
      assert.equal(plan.expectReplicaStatus, "OFF");
    });
  }

  it("does nothing when the replica is enabled and its semisync status is ON", () => {
    const plan = planEnablement(desired({ role: "replica" }), replicaServer("MySQL 8.4", "modern", "ON", "ON"), flavorOf("MySQL 8.4"));
    assert.deepEqual(sqlOf(plan.statements), []);
    assert.equal(plan.expectReplicaStatus, undefined);
  });

  it("only restarts the IO thread when …_enabled is ON but the status is OFF", () => {
    const { plan } = planSettled(desired({ role: "replica" }), replicaServer("MySQL 8.4", "modern", "ON", "OFF"), flavorOf("MySQL 8.4"));
    assert.deepEqual(sqlOf(plan.statements), ["STOP REPLICA IO_THREAD", "START REPLICA IO_THREAD"]);
    assert.equal(plan.expectReplicaStatus, "ON");
  });

  it("does not restart the IO thread when restartIoThread is false", () => {
    const plan = planEnablement(desired({ role: "replica", restartIoThread: false }), replicaServer("MySQL 8.4", "modern", "OFF", "OFF"), flavorOf("MySQL 8.4"));
    assert.deepEqual(sqlOf(plan.statements), ["SET GLOBAL rpl_semi_sync_replica_enabled = ON"]);
    assert.equal(plan.expectReplicaStatus, undefined);
  });

  it("sets the replica's trace level before enabling it", () => {
    const plan = planEnablement(desired({ role: "replica", settings: { traceLevel: 64 } }), replicaServer("MySQL 9.7", "modern", "OFF", "OFF"), flavorOf("MySQL 9.7"));
    assert.deepEqual(sqlOf(plan.statements), ["SET GLOBAL rpl_semi_sync_replica_trace_level = 64", "SET GLOBAL rpl_semi_sync_replica_enabled = ON", "STOP REPLICA IO_THREAD", "START REPLICA IO_THREAD"]);
  });

  it("refuses to enable a replica without replication channels", () => {
    expectPlanError(() => planEnablement(desired({ role: "replica" }), replicaServer("MySQL 8.4", "modern", "OFF", "OFF", []), flavorOf("MySQL 8.4")), /replication is not configured/);
  });

  it("refuses to enable a replica whose channels were not read at all", () => {
    const observed = replicaServer("MySQL 8.4", "modern", "OFF", "OFF");
    delete observed.channels;
    expectPlanError(() => planEnablement(desired({ role: "replica" }), observed, flavorOf("MySQL 8.4")), /replication is not configured/);
  });

  it("refuses to enable a replica with several channels, naming them", () => {
    const channels = [defaultChannel(), defaultChannel({ name: "analytics" })];
    expectPlanError(() => planEnablement(desired({ role: "replica" }), replicaServer("MySQL 8.4", "modern", "OFF", "OFF", channels), flavorOf("MySQL 8.4")), /'', 'analytics'/, /single, default replication channel/);
  });

  it("refuses to enable a replica whose only channel is named", () => {
    const channels = [defaultChannel({ name: "east" })];
    expectPlanError(() => planEnablement(desired({ role: "replica" }), replicaServer("MySQL 8.4", "modern", "OFF", "OFF", channels), flavorOf("MySQL 8.4")), /default replication channel.*'east'/);
  });

  it("refuses to enable a replica whose IO thread is not running, quoting the last IO error", () => {
    const channels = [defaultChannel({ ioRunning: "No", lastIoError: "error connecting to source" })];
    expectPlanError(
      () => planEnablement(desired({ role: "replica" }), replicaServer("MySQL 8.4", "modern", "OFF", "OFF", channels), flavorOf("MySQL 8.4")),
      /IO thread is not running \(last error: error connecting to source\)/,
    );
  });

  it("checks the channel even when restartIoThread is false", () => {
    expectPlanError(() => planEnablement(desired({ role: "replica", restartIoThread: false }), replicaServer("MySQL 8.4", "modern", "OFF", "OFF", []), flavorOf("MySQL 8.4")), /replication is not configured/);
  });

  it("disables a replica whose semisync status is OFF without needing any channel", () => {
    const { plan } = planSettled(desired({ role: "replica", enabled: false }), replicaServer("MySQL 8.4", "modern", "ON", "OFF", []), flavorOf("MySQL 8.4"));
    assert.deepEqual(sqlOf(plan.statements), ["SET GLOBAL rpl_semi_sync_replica_enabled = OFF"]);
    assert.equal(plan.expectReplicaStatus, undefined);
  });

  it("refuses to disable a replica whose semisync IO thread must be restarted but has no channel", () => {
    expectPlanError(() => planEnablement(desired({ role: "replica", enabled: false }), replicaServer("MySQL 8.4", "modern", "ON", "ON", []), flavorOf("MySQL 8.4")), /replication is not configured/);
  });
});

describe("planEnablement with settings managed before", () => {
  const c = { label: "MySQL 8.4" as const, terminology: "modern" as const };

  it("resets a setting that is no longer declared with = DEFAULT", () => {
    const observed = sourceServer(c, { rpl_semi_sync_source_enabled: "ON", rpl_semi_sync_source_timeout: "5000", rpl_semi_sync_source_wait_point: "AFTER_COMMIT" });
    const { plan, after } = planSettled(desired({ settings: { timeoutMs: 5000 } }), observed, flavorOf(c.label), { managedSettings: ["timeoutMs", "waitPoint"], persisted: false });
    assert.deepEqual(sqlOf(plan.statements), ["SET GLOBAL rpl_semi_sync_source_wait_point = DEFAULT"]);
    assert.deepEqual(plan.statements[0].undo, ["SET GLOBAL rpl_semi_sync_source_wait_point = AFTER_COMMIT"]);
    assert.equal(after.variables.rpl_semi_sync_source_wait_point, "AFTER_SYNC");
  });

  it("leaves settings it never managed alone", () => {
    const observed = sourceServer(c, { rpl_semi_sync_source_enabled: "ON", rpl_semi_sync_source_timeout: "777" });
    const plan = planEnablement(desired(), observed, flavorOf(c.label), { managedSettings: [], persisted: false });
    assert.deepEqual(sqlOf(plan.statements), []);
  });

  it("resets every managed setting with the legacy names on MariaDB 10.11", () => {
    const l = { label: "MariaDB 10.11" as const, terminology: "legacy" as const };
    const observed = sourceServer(l, { rpl_semi_sync_master_enabled: "ON", rpl_semi_sync_master_timeout: "5000", rpl_semi_sync_master_wait_no_slave: "OFF" });
    const { plan } = planSettled(desired(), observed, flavorOf(l.label), { managedSettings: ["timeoutMs", "waitNoReplica"], persisted: false });
    assert.deepEqual(sqlOf(plan.statements), ["SET GLOBAL rpl_semi_sync_master_timeout = DEFAULT", "SET GLOBAL rpl_semi_sync_master_wait_no_slave = DEFAULT"]);
  });
});

describe("planEnablement: persisted values it does not own, and undo of SET PERSIST", () => {
  const c = { label: "MySQL 8.4" as const, terminology: "modern" as const };

  it("leaves a persisted setting it never managed alone when it stops persisting", () => {
    const server = sourceServer(c, { rpl_semi_sync_source_enabled: "ON", rpl_semi_sync_source_timeout: "5000" });
    server.persisted = { rpl_semi_sync_source_timeout: "5000", rpl_semi_sync_source_trace_level: "16", rpl_semi_sync_source_enabled: "ON" };
    const plan = planEnablement(desired({ persist: false, settings: { timeoutMs: 5000 } }), server, flavorOf(c.label), { managedSettings: ["timeoutMs"], persisted: true });
    assert.deepEqual(sqlOf(plan.statements), ["RESET PERSIST IF EXISTS rpl_semi_sync_source_timeout", "RESET PERSIST IF EXISTS rpl_semi_sync_source_enabled"]);
  });

  it("undoes a SET PERSIST by restoring both the persisted and the running value", () => {
    const server = sourceServer(c, { rpl_semi_sync_source_timeout: "10000" });
    server.persisted = { rpl_semi_sync_source_timeout: "7000" };
    const plan = planEnablement(desired({ persist: true, enabled: false, settings: { timeoutMs: 3000 } }), server, flavorOf(c.label));
    const write = plan.statements.find((st) => st.sql === "SET PERSIST rpl_semi_sync_source_timeout = 3000");
    assert.deepEqual(write?.undo, ["SET PERSIST rpl_semi_sync_source_timeout = 7000", "SET GLOBAL rpl_semi_sync_source_timeout = 10000"]);
  });

  it("undoes a first SET PERSIST with RESET PERSIST", () => {
    const server = sourceServer(c, { rpl_semi_sync_source_timeout: "10000" });
    server.persisted = {};
    const plan = planEnablement(desired({ persist: true, enabled: false, settings: { timeoutMs: 3000 } }), server, flavorOf(c.label));
    const write = plan.statements.find((st) => st.sql === "SET PERSIST rpl_semi_sync_source_timeout = 3000");
    assert.deepEqual(write?.undo, ["RESET PERSIST IF EXISTS rpl_semi_sync_source_timeout", "SET GLOBAL rpl_semi_sync_source_timeout = 10000"]);
  });
});

describe("planEnablement: timeoutMs above 4294967295, the never-fall-back profile", () => {
  // Vitess's value: above Number.MAX_SAFE_INTEGER, yet exactly a double, so it reaches the
  // provider intact; String() of it is "1e+18", which every server refuses (ERROR 1232).
  const VITESS_TIMEOUT_MS = 1_000_000_000_000_000_000;

  for (const c of SOURCE_CASES) {
    it(`writes 1000000000000000000 in whole digits and then finds nothing to do on ${c.label} (${c.terminology})`, () => {
      const { plan, after } = planSettled(desired({ settings: { timeoutMs: VITESS_TIMEOUT_MS, waitNoReplica: true } }), sourceServer(c), flavorOf(c.label));
      assert.deepEqual(sqlOf(plan.statements), [`SET GLOBAL ${c.prefix}timeout = 1000000000000000000`, `SET GLOBAL ${c.prefix}enabled = ON`]);
      assert.equal(after.variables[`${c.prefix}timeout`], "1000000000000000000");
      assert.ok(plan.optionFileLines.includes(`loose_${c.prefix}timeout=1000000000000000000`), JSON.stringify(plan.optionFileLines));
    });
  }

  // An unsigned long is 32 bits on Windows (LLP64, 64-bit builds too) and on 32-bit builds.
  const NARROW_BUILDS = [
    { label: "MySQL 8.4" as const, terminology: "modern" as const, compileOs: "Win64", compileMachine: "x86_64", build: /Windows builds/ },
    { label: "MySQL 5.7" as const, terminology: "legacy" as const, compileOs: "Win32", compileMachine: "x86", build: /Windows builds/ },
    { label: "MariaDB 10.11" as const, terminology: "legacy" as const, compileOs: "debian-linux-gnueabihf", compileMachine: "armv7l", build: /'armv7l'/ },
    { label: "MariaDB 10.11" as const, terminology: "legacy" as const, compileOs: "Linux", compileMachine: "i686", build: /'i686'/ },
  ];
  for (const b of NARROW_BUILDS) {
    it(`refuses 1000000000000000000 before any change on ${b.label} built for ${b.compileOs} ${b.compileMachine}, naming 4294967295`, () => {
      const server = observedOn(b.label, { compileOs: b.compileOs, compileMachine: b.compileMachine, variables: pluginVariables(flavorOf(b.label), b.terminology, "source") });
      const error = expectPlanError(
        () => planEnablement(desired({ settings: { timeoutMs: VITESS_TIMEOUT_MS } }), server, flavorOf(b.label)),
        /timeoutMs 1000000000000000000 is above 4294967295/,
        b.build,
        /set timeoutMs to 4294967295 or less/,
      );
      assert.match(error.message, /_timeout this server accepts/);
    });

    it(`accepts 4294967295 on ${b.label} built for ${b.compileOs} ${b.compileMachine}`, () => {
      const server = observedOn(b.label, { compileOs: b.compileOs, compileMachine: b.compileMachine, variables: pluginVariables(flavorOf(b.label), b.terminology, "source") });
      const { plan } = planSettled(desired({ settings: { timeoutMs: 4_294_967_295 } }), server, flavorOf(b.label));
      assert.match(sqlOf(plan.statements)[0], /_timeout = 4294967295$/);
    });
  }

  for (const machine of ["x86_64", "aarch64", "ppc64le", "s390x", "riscv64"]) {
    it(`accepts 18446744073709549568 on a Linux build for ${machine}`, () => {
      const c = { label: "MariaDB 11.8" as const, terminology: "legacy" as const };
      const server = observedOn(c.label, { compileMachine: machine, variables: pluginVariables(flavorOf(c.label), c.terminology, "source") });
      const { plan } = planSettled(desired({ settings: { timeoutMs: 18_446_744_073_709_549_568 } }), server, flavorOf(c.label));
      assert.equal(sqlOf(plan.statements)[0], "SET GLOBAL rpl_semi_sync_master_timeout = 18446744073709549568");
    });
  }

  it("puts a found 18446744073709551615, recorded as 2^64 after rounding, back as 18446744073709551615", () => {
    const c = { label: "MySQL 9.7" as const, terminology: "modern" as const };
    const server = sourceServer(c, { rpl_semi_sync_source_enabled: "ON", rpl_semi_sync_source_timeout: "5000" });
    const plan = planEnablement(desired({ settings: {} }), server, flavorOf(c.label), { managedSettings: ["timeoutMs"], persisted: false, restoreTo: { timeoutMs: 2 ** 64 } });
    assert.deepEqual(sqlOf(plan.statements), ["SET GLOBAL rpl_semi_sync_source_timeout = 18446744073709551615"]);
  });

  it("keeps a persisted 1000000000000000000 in whole digits, so a restart brings back the declared value", () => {
    const c = { label: "MySQL 8.4" as const, terminology: "modern" as const };
    const { plan, after } = planSettled(desired({ persist: true, settings: { timeoutMs: VITESS_TIMEOUT_MS } }), sourceServer(c), flavorOf(c.label));
    assert.ok(sqlOf(plan.statements).includes("SET PERSIST rpl_semi_sync_source_timeout = 1000000000000000000"), JSON.stringify(sqlOf(plan.statements)));
    assert.deepEqual(persistedDrift({ role: "source", enabled: true, settings: { timeoutMs: VITESS_TIMEOUT_MS } }, "modern", after.persisted!), []);
  });

  it("compares the server's digits exactly: 1000000000000000001 is not the declared 1000000000000000000", () => {
    const c = { label: "MySQL 9.7" as const, terminology: "modern" as const };
    const server = sourceServer(c, { rpl_semi_sync_source_enabled: "ON", rpl_semi_sync_source_timeout: "1000000000000000001" });
    const plan = planEnablement(desired({ settings: { timeoutMs: VITESS_TIMEOUT_MS } }), server, flavorOf(c.label));
    assert.deepEqual(sqlOf(plan.statements), ["SET GLOBAL rpl_semi_sync_source_timeout = 1000000000000000000"]);
    assert.deepEqual(plan.statements[0].undo, ["SET GLOBAL rpl_semi_sync_source_timeout = 1000000000000000001"]);
  });

  it("puts a found timeout above 2^53 back in whole digits", () => {
    const c = { label: "MariaDB 10.11" as const, terminology: "legacy" as const };
    const server = sourceServer(c, { rpl_semi_sync_master_enabled: "ON", rpl_semi_sync_master_timeout: "5000" });
    const plan = planEnablement(desired({ settings: {} }), server, flavorOf(c.label), { managedSettings: ["timeoutMs"], persisted: false, restoreTo: { timeoutMs: VITESS_TIMEOUT_MS } });
    assert.deepEqual(sqlOf(plan.statements), ["SET GLOBAL rpl_semi_sync_master_timeout = 1000000000000000000"]);
    assert.match(plan.statements[0].purpose, /back to 1000000000000000000,/);
  });
});

describe("settingsNotStored: a value the server did not keep fails instead of drifting", () => {
  const c = { label: "MariaDB 11.8" as const, terminology: "legacy" as const };

  it("names a timeout that MariaDB truncated to 9223372036854775807 with only a warning", () => {
    const server = sourceServer(c, { rpl_semi_sync_master_timeout: "9223372036854775807" });
    assert.deepEqual(settingsNotStored(desired({ settings: { timeoutMs: 18_446_744_073_709_549_568 } }), server, c.terminology), [
      "rpl_semi_sync_master_timeout reads 9223372036854775807 after setting it to 18446744073709549568",
    ]);
  });

  it("is empty when every declared setting reads back as declared, digit for digit", () => {
    const server = sourceServer(c, { rpl_semi_sync_master_timeout: "1000000000000000000", rpl_semi_sync_master_wait_no_slave: "ON", rpl_semi_sync_master_wait_point: "AFTER_SYNC" });
    assert.deepEqual(settingsNotStored(desired({ settings: { timeoutMs: 1_000_000_000_000_000_000, waitNoReplica: true, waitPoint: "AFTER_SYNC" } }), server, c.terminology), []);
  });
});
