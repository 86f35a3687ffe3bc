import * as assert from "node:assert/strict";
import { planEnablement } from "../../provider/plan/enablement-plan";
import { Origin, claimsThatBlockDelete, foundOn, pluginKeptOnDelete, teardownOf } from "../../provider/plan/ownership";
import { planPluginRemoval } from "../../provider/plan/plugin-plan";
import { ObservedState } from "../../provider/types";
import { ResolvedTerminology, Role, SettingKey } from "../../provider/types";
import { VersionLabel, applyToState, defaultChannel, expectPlanError, flavorOf, observedOn, pluginRow, pluginVariables, sqlOf } from "./fixtures";

interface Case {
  label: VersionLabel;
  terminology: ResolvedTerminology;
  source: string;
  replica: string;
  keyword: "SLAVE" | "REPLICA";
}

const CASES: Case[] = [
  { label: "MySQL 5.7", terminology: "legacy", source: "rpl_semi_sync_master_", replica: "rpl_semi_sync_slave_", keyword: "SLAVE" },
  { label: "MySQL 8.0.25", terminology: "legacy", source: "rpl_semi_sync_master_", replica: "rpl_semi_sync_slave_", keyword: "REPLICA" },
  { label: "MySQL 8.4", terminology: "modern", source: "rpl_semi_sync_source_", replica: "rpl_semi_sync_replica_", keyword: "REPLICA" },
  { label: "MySQL 9.7", terminology: "modern", source: "rpl_semi_sync_source_", replica: "rpl_semi_sync_replica_", keyword: "REPLICA" },
  { label: "MariaDB 10.2", terminology: "legacy", source: "rpl_semi_sync_master_", replica: "rpl_semi_sync_slave_", keyword: "SLAVE" },
  { label: "MariaDB 10.11", terminology: "legacy", source: "rpl_semi_sync_master_", replica: "rpl_semi_sync_slave_", keyword: "REPLICA" },
];

function server(c: Case, role: Role, overrides: Record<string, string>, status: Record<string, string> = {}, channels?: ObservedState["channels"]): ObservedState {
  return observedOn(c.label, { variables: pluginVariables(flavorOf(c.label), c.terminology, role, overrides), status, channels });
}

/** The delete of an enablement that managed `managed`, as the provider plans it, applied to a model of the server. */
function teardown(c: Case, role: Role, origin: Origin, observed: ObservedState, managed: SettingKey[]) {
  const prefix = role === "source" ? c.source : c.replica;
  const t = teardownOf(role, origin, observed.variables[`${prefix}enabled`] === "ON", true);
  const plan = planEnablement(t.desired, observed, flavorOf(c.label), { managedSettings: managed, persisted: false, restoreTo: t.restoreTo });
  return { plan, keptOn: t.keptOn, after: applyToState(observed, plan.statements, flavorOf(c.label), c.terminology) };
}

describe("what an enablement records at create (foundOn)", () => {
  for (const c of CASES) {
    it(`reads the source switch and a hand-set timeout of 5000 on ${c.label}`, () => {
      const found = foundOn("source", server(c, "source", { [`${c.source}enabled`]: "ON", [`${c.source}timeout`]: "5000" }), c.terminology);
      assert.equal(found.enabled, true);
      assert.equal(found.settings.timeoutMs, 5000);
      assert.equal(found.settings.traceLevel, 32);
    });
  }

  it("records a replica found switched off as not adopted", () => {
    const found = foundOn("replica", server(CASES[3], "replica", {}), "modern");
    assert.deepEqual(found, { enabled: false, settings: { traceLevel: 32 } });
  });
});

describe("an enablement's delete puts back what it found", () => {
  for (const c of CASES) {
    it(`leaves an adopted source on and puts a hand-set timeout of 5000 back on ${c.label}`, () => {
      const observed = server(c, "source", { [`${c.source}enabled`]: "ON", [`${c.source}timeout`]: "20000" });
      const origin: Origin = { found: { enabled: true, settings: { timeoutMs: 5000 } } };
      const { plan, keptOn, after } = teardown(c, "source", origin, observed, ["timeoutMs"]);
      assert.equal(keptOn, true);
      assert.deepEqual(sqlOf(plan.statements), [`SET GLOBAL ${c.source}timeout = 5000`]);
      assert.deepEqual(plan.statements[0].undo, [`SET GLOBAL ${c.source}timeout = 20000`]);
      assert.equal(after.variables[`${c.source}enabled`], "ON");
    });

    it(`switches off a source it switched on itself and puts the found timeout back on ${c.label}`, () => {
      const observed = server(c, "source", { [`${c.source}enabled`]: "ON", [`${c.source}timeout`]: "20000" });
      const { plan, keptOn } = teardown(c, "source", { found: { enabled: false, settings: { timeoutMs: 5000 } } }, observed, ["timeoutMs"]);
      assert.equal(keptOn, false);
      assert.deepEqual(sqlOf(plan.statements), [`SET GLOBAL ${c.source}enabled = OFF`, `SET GLOBAL ${c.source}timeout = 5000`]);
    });

    it(`with removeAdopted switches an adopted source off and restores defaults on ${c.label}`, () => {
      const observed = server(c, "source", { [`${c.source}enabled`]: "ON", [`${c.source}timeout`]: "20000" });
      const { plan, after } = teardown(c, "source", { found: { enabled: true, settings: { timeoutMs: 5000 } }, removeAdopted: true }, observed, ["timeoutMs"]);
      assert.deepEqual(sqlOf(plan.statements), [`SET GLOBAL ${c.source}enabled = OFF`, `SET GLOBAL ${c.source}timeout = DEFAULT`]);
      assert.equal(after.variables[`${c.source}timeout`], "10000");
    });

    it(`treats 0.1.0 state (nothing recorded) as created: off and defaults on ${c.label}`, () => {
      const observed = server(c, "source", { [`${c.source}enabled`]: "ON", [`${c.source}timeout`]: "20000" });
      const { plan } = teardown(c, "source", {}, observed, ["timeoutMs"]);
      assert.deepEqual(sqlOf(plan.statements), [`SET GLOBAL ${c.source}enabled = OFF`, `SET GLOBAL ${c.source}timeout = DEFAULT`]);
    });

    it(`leaves an adopted replica on with no IO restart and no replication check on ${c.label}`, () => {
      // Replication stopped at teardown time must not matter: nothing about it changes.
      const observed = server(c, "replica", { [`${c.replica}enabled`]: "ON", [`${c.replica}trace_level`]: "16" }, {}, [defaultChannel({ ioRunning: "No" })]);
      const { plan } = teardown(c, "replica", { found: { enabled: true, settings: { traceLevel: 64 } } }, observed, ["traceLevel"]);
      assert.deepEqual(sqlOf(plan.statements), [`SET GLOBAL ${c.replica}trace_level = 64`]);
      assert.equal(plan.expectReplicaStatus, undefined);
    });

    it(`switches off and restarts the IO thread of a replica it switched on itself on ${c.label}`, () => {
      const observed = server(c, "replica", { [`${c.replica}enabled`]: "ON" }, { [c.terminology === "modern" ? "Rpl_semi_sync_replica_status" : "Rpl_semi_sync_slave_status"]: "ON" }, [defaultChannel()]);
      const { plan } = teardown(c, "replica", { found: { enabled: false, settings: { traceLevel: 32 } } }, observed, []);
      assert.deepEqual(sqlOf(plan.statements), [`SET GLOBAL ${c.replica}enabled = OFF`, `STOP ${c.keyword} IO_THREAD`, `START ${c.keyword} IO_THREAD`]);
      assert.equal(plan.expectReplicaStatus, "OFF");
    });
  }

  it("never switches on at delete a source found on but switched off since", () => {
    const c = CASES[3];
    const observed = server(c, "source", { rpl_semi_sync_source_enabled: "OFF" });
    const { plan, keptOn } = teardown(c, "source", { found: { enabled: true, settings: {} } }, observed, []);
    assert.equal(keptOn, false);
    assert.deepEqual(sqlOf(plan.statements), []);
  });

  it("an update that stops declaring a setting puts back the found value, not the server default", () => {
    const c = CASES[2];
    const observed = server(c, "source", { rpl_semi_sync_source_enabled: "ON", rpl_semi_sync_source_timeout: "20000" });
    const desired = { role: "source" as const, enabled: true, settings: {}, persist: false, restartIoThread: true };
    const plan = planEnablement(desired, observed, flavorOf(c.label), { managedSettings: ["timeoutMs"], persisted: false, restoreTo: { timeoutMs: 5000 } });
    assert.deepEqual(sqlOf(plan.statements), ["SET GLOBAL rpl_semi_sync_source_timeout = 5000"]);
  });
});

describe("a plugin's delete keeps what it adopted", () => {
  it("keeps an adopted plugin", () => assert.equal(pluginKeptOnDelete({ adopted: true }), true));
  it("removes a plugin it installed", () => assert.equal(pluginKeptOnDelete({ adopted: false }), false));
  it("removes an adopted plugin with removeAdopted", () => assert.equal(pluginKeptOnDelete({ adopted: true, removeAdopted: true }), false));
  it("removes the plugin of 0.1.0 state that recorded nothing", () => assert.equal(pluginKeptOnDelete({}), false));

  for (const [label, plugin, clients] of [
    ["MySQL 9.7", "rpl_semi_sync_source", "Rpl_semi_sync_source_clients"],
    ["MySQL 5.7", "rpl_semi_sync_master", "Rpl_semi_sync_master_clients"],
  ] as const) {
    it(`leaves ${plugin} installed on ${label} while replicas this deployment left semisync are connected`, () => {
      const observed = observedOn(label, { plugins: [pluginRow(plugin)], status: { [clients]: "1" } });
      const removal = planPluginRemoval("source", plugin, observed, flavorOf(label), ["127.0.0.1:3307"]);
      assert.equal(removal.kind, "nothing");
      assert.match(removal.kind === "nothing" ? removal.reason : "", /left installed.*127\.0\.0\.1:3307/);
    });

    it(`still refuses ${plugin} on ${label} with connected replicas nobody left on purpose`, () => {
      const observed = observedOn(label, { plugins: [pluginRow(plugin)], status: { [clients]: "1" } });
      expectPlanError(() => planPluginRemoval("source", plugin, observed, flavorOf(label)), /cannot be uninstalled while 1 semisync replica/);
    });
  }
});

describe("which claims of the same deployment stop a delete", () => {
  it("a plugin's delete yields to a new plugin or a new enablement on the same side", () => {
    assert.deepEqual(claimsThatBlockDelete("plugin"), ["plugin", "enablement"]);
  });
  it("an enablement's delete yields only to a new enablement", () => {
    assert.deepEqual(claimsThatBlockDelete("enablement"), ["enablement"]);
  });
});
