import * as assert from "node:assert/strict";
import { monitoringVariables } from "../../provider/flavors/names";
import { monitoringOf } from "../../provider/plan/monitoring";
import { ResolvedTerminology } from "../../provider/types";
import { VersionLabel, flavorOf, observedOn, pluginVariables } from "./fixtures";

const CASES: { label: VersionLabel; terminology: ResolvedTerminology; prefix: string }[] = [
  { label: "MySQL 5.7", terminology: "legacy", prefix: "Rpl_semi_sync_master_" },
  { label: "MySQL 8.0.26", terminology: "legacy", prefix: "Rpl_semi_sync_master_" },
  { label: "MySQL 8.4", terminology: "modern", prefix: "Rpl_semi_sync_source_" },
  { label: "MySQL 9.7", terminology: "modern", prefix: "Rpl_semi_sync_source_" },
  { label: "MariaDB 10.11", terminology: "legacy", prefix: "Rpl_semi_sync_master_" },
  { label: "MariaDB 11.8", terminology: "legacy", prefix: "Rpl_semi_sync_master_" },
];

describe("monitoringOf: the source's counters by name family", () => {
  for (const c of CASES) {
    it(`reads ${c.prefix}{no_tx,yes_tx,no_times,wait_sessions} on ${c.label} (${c.terminology})`, () => {
      const status = { [`${c.prefix}no_tx`]: "3", [`${c.prefix}yes_tx`]: "1000000", [`${c.prefix}no_times`]: "2", [`${c.prefix}wait_sessions`]: "0", [`${c.prefix}status`]: "ON" };
      const observed = observedOn(c.label, { variables: pluginVariables(flavorOf(c.label), c.terminology, "source"), status });
      assert.deepEqual(monitoringOf(observed, c.terminology), { noTx: 3, yesTx: 1_000_000, noTimes: 2, waitSessions: 0 });
    });
  }

  it("names the variables of both families", () => {
    assert.deepEqual(monitoringVariables("modern"), {
      noTx: "Rpl_semi_sync_source_no_tx",
      yesTx: "Rpl_semi_sync_source_yes_tx",
      noTimes: "Rpl_semi_sync_source_no_times",
      waitSessions: "Rpl_semi_sync_source_wait_sessions",
    });
    assert.deepEqual(monitoringVariables("legacy"), {
      noTx: "Rpl_semi_sync_master_no_tx",
      yesTx: "Rpl_semi_sync_master_yes_tx",
      noTimes: "Rpl_semi_sync_master_no_times",
      waitSessions: "Rpl_semi_sync_master_wait_sessions",
    });
  });

  it("is undefined when the server does not report the counters (the other family's plugin, or none)", () => {
    const observed = observedOn("MySQL 9.7", { status: { Rpl_semi_sync_master_no_tx: "1", Rpl_semi_sync_master_yes_tx: "1", Rpl_semi_sync_master_no_times: "0", Rpl_semi_sync_master_wait_sessions: "0" } });
    assert.equal(monitoringOf(observed, "modern"), undefined);
  });
});
