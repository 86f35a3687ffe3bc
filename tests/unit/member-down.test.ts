import * as assert from "node:assert/strict";
import { SETTING_SPECS, enabledVariable, variableName } from "../../provider/flavors/names";
import { EnablementDesired, EnablementPrevious, planEnablement } from "../../provider/plan/enablement-plan";
import { DownMember, memberDownVerdict } from "../../provider/plan/member-down";
import { planPluginInstall } from "../../provider/plan/plugin-plan";
import { ResolvedTerminology, SemisyncSettings, SettingKey } from "../../provider/types";
import { VersionLabel, defaultChannel, flavorOf, observedOn, pluginVariables } from "./fixtures";

const DOWN: DownMember[] = [{ server: "127.0.0.1:3307", role: "replica" }];

const LANES: { label: VersionLabel; terminology: ResolvedTerminology }[] = [
  { label: "MySQL 5.7", terminology: "legacy" },
  { label: "MySQL 8.0.26", terminology: "modern" },
  { label: "MySQL 8.4", terminology: "modern" },
  { label: "MySQL 9.7", terminology: "modern" },
  { label: "MariaDB 10.5.0", terminology: "legacy" },
  { label: "MariaDB 10.11", terminology: "legacy" },
  { label: "MariaDB 11.8", terminology: "legacy" },
];

/**
 * The table of `memberDownVerdict`, as planned on each lane from a live source switched on at
 * timeout 10000, wait count 2 (where it exists), wait_no_replica ON, AFTER_SYNC, trace 32.
 */
interface Row {
  change: string;
  desired: Partial<EnablementDesired> & { settings?: SemisyncSettings };
  previous?: EnablementPrevious;
  source?: Record<string, string>;
  needsWaitCount?: boolean;
  proceeds: boolean;
}

const ROWS: Row[] = [
  { change: "timeoutMs lowered 10000 → 2000", desired: { settings: { timeoutMs: 2000 } }, proceeds: true },
  { change: "timeoutMs raised 10000 → 60000", desired: { settings: { timeoutMs: 60_000 } }, proceeds: false },
  { change: "timeoutMs put back to the server default (no longer declared)", desired: {}, source: { timeout: "2000" }, previous: { managedSettings: ["timeoutMs"], persisted: false }, proceeds: false },
  {
    change: "timeoutMs put back to a lower value found at create",
    desired: {},
    source: { timeout: "5000" },
    previous: { managedSettings: ["timeoutMs"], persisted: false, restoreTo: { timeoutMs: 1000 } },
    proceeds: true,
  },
  { change: "waitForReplicaCount lowered 2 → 1", desired: { settings: { waitForReplicaCount: 1 } }, needsWaitCount: true, proceeds: true },
  { change: "waitForReplicaCount raised 2 → 3", desired: { settings: { waitForReplicaCount: 3 } }, needsWaitCount: true, proceeds: false },
  { change: "waitNoReplica switched off", desired: { settings: { waitNoReplica: false } }, proceeds: true },
  { change: "waitNoReplica switched on", desired: { settings: { waitNoReplica: true } }, source: { noReplica: "OFF" }, proceeds: false },
  { change: "waitPoint AFTER_SYNC → AFTER_COMMIT", desired: { settings: { waitPoint: "AFTER_COMMIT" } }, proceeds: true },
  { change: "traceLevel 32 → 16", desired: { settings: { traceLevel: 16 } }, proceeds: true },
  { change: "timeoutMs lowered and traceLevel changed together", desired: { settings: { timeoutMs: 2000, traceLevel: 64 } }, proceeds: true },
  { change: "timeoutMs lowered and waitNoReplica switched on together", desired: { settings: { timeoutMs: 2000, waitNoReplica: true } }, source: { noReplica: "OFF" }, proceeds: false },
  { change: "the source side switched on", desired: { settings: {} }, source: { enabled: "OFF" }, proceeds: false },
  { change: "the source side switched off (a role change)", desired: { enabled: false }, proceeds: false },
  { change: "nothing to do", desired: { settings: { timeoutMs: 10_000 } }, proceeds: true },
];

function liveSource(label: VersionLabel, terminology: ResolvedTerminology, row: Row) {
  const flavor = flavorOf(label);
  const name = (suffix: string) => variableName(terminology, "source", suffix);
  const count = terminology === "modern" ? "wait_for_replica_count" : "wait_for_slave_count";
  const noReplica = terminology === "modern" ? "wait_no_replica" : "wait_no_slave";
  const overrides: Record<string, string> = { [enabledVariable(terminology, "source")]: row.source?.enabled ?? "ON" };
  if (flavor.supportsWaitForReplicaCount) overrides[name(count)] = "2";
  if (row.source?.timeout) overrides[name("timeout")] = row.source.timeout;
  if (row.source?.noReplica) overrides[name(noReplica)] = row.source.noReplica;
  return observedOn(label, { variables: pluginVariables(flavor, terminology, "source", overrides), status: {} });
}

describe("memberDownVerdict: with a member down, only a change that cannot stall a commit or need it goes ahead", () => {
  for (const { label, terminology } of LANES) {
    describe(`on ${label} (${terminology} names)`, () => {
      const flavor = flavorOf(label);
      for (const row of ROWS) {
        if (row.needsWaitCount && !flavor.supportsWaitForReplicaCount) continue;
        it(`${row.change}: ${row.proceeds ? "goes ahead with a warning naming the down member" : "refused"}`, () => {
          const desired: EnablementDesired = { role: "source", enabled: true, settings: {}, persist: false, restartIoThread: true, ...row.desired };
          const plan = planEnablement(desired, liveSource(label, terminology, row), flavor, row.previous);
          const verdict = memberDownVerdict(plan.statements, DOWN);
          assert.equal(verdict.proceed, row.proceeds, JSON.stringify(verdict));
          if (verdict.proceed) assert.match(verdict.warning, /127\.0\.0\.1:3307 \(replica\) could not be reached; going ahead/);
          else assert.match(verdict.reason, /which needs every member, and 127\.0\.0\.1:3307 \(replica\) is down$/);
        });
      }

      it("a plugin installed on a reachable member: refused", () => {
        const plan = planPluginInstall("source", "automatic", observedOn(label, flavor.builtIn ? { variables: pluginVariables(flavor, terminology, "source") } : {}), flavor);
        if (plan.kind !== "install") return assert.equal(plan.kind, "built-in", "only built-in semisync installs nothing");
        const verdict = memberDownVerdict(plan.statements, DOWN);
        assert.equal(verdict.proceed, false);
        assert.match((verdict as { reason: string }).reason, /installs the source plugin/);
      });

      it("a replica switched on (its IO thread restarted): refused", () => {
        const observed = observedOn(label, { variables: pluginVariables(flavor, terminology, "replica"), status: {}, channels: [defaultChannel()] });
        const plan = planEnablement({ role: "replica", enabled: true, settings: {}, persist: false, restartIoThread: true }, observed, flavor);
        assert.equal(memberDownVerdict(plan.statements, DOWN).proceed, false);
      });

      it("a replica's traceLevel tuned: goes ahead", () => {
        const overrides = { [enabledVariable(terminology, "replica")]: "ON" };
        const observed = observedOn(label, {
          variables: pluginVariables(flavor, terminology, "replica", overrides),
          status: { [terminology === "modern" ? "Rpl_semi_sync_replica_status" : "Rpl_semi_sync_slave_status"]: "ON" },
          channels: [defaultChannel()],
        });
        const plan = planEnablement({ role: "replica", enabled: true, settings: { traceLevel: 64 }, persist: false, restartIoThread: true }, observed, flavor);
        assert.equal(plan.statements.length, 1);
        assert.equal(memberDownVerdict(plan.statements, DOWN).proceed, true);
      });
    });
  }

  it("a statement that does not say what it changes is refused", () => {
    const verdict = memberDownVerdict([{ sql: "SET GLOBAL something = 1", purpose: "something" }], DOWN);
    assert.equal(verdict.proceed, false);
  });

  it("names every down member, once", () => {
    const verdict = memberDownVerdict([], [...DOWN, { server: "127.0.0.1:3308", role: "replica" }]);
    assert.ok(verdict.proceed);
    assert.match(verdict.warning, /^127\.0\.0\.1:3307 \(replica\), 127\.0\.0\.1:3308 \(replica\) could not be reached/);
  });

  it("every tunable has a rule", () => {
    for (const spec of SETTING_SPECS) {
      const verdict = memberDownVerdict([{ sql: "", purpose: "", effect: { kind: "setting", key: spec.key as SettingKey, from: "1", to: "1" } }], DOWN);
      assert.equal(typeof verdict.proceed, "boolean", spec.key);
    }
  });
});
