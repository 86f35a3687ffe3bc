import { SETTING_SPECS, SettingSpec, enabledVariable, variableName, wholeDigits } from "../flavors/names";
import { ReplicationChannel, ResolvedTerminology, Role, SemisyncSettings } from "../types";

/**
 * What survives a restart, decided in one place.
 *
 * A source that boots with semisync switched on has no semisync replica connected yet, so its
 * first commit waits the whole `timeoutMs` (measured on MySQL 9.7: 5013 ms with timeoutMs 5000),
 * and its replicas may take a whole connect retry (60 s by default) to come back. So the
 * source's switch is never kept across a restart: `persist` keeps the tunables and the
 * replica's switch, and the source boots with semisync off; the next `pulumi up` (its diff reads the switch) sees
 * it off and switches it on once `requiredClients` replicas are back, as on the first `up`.
 * A replica that boots with semisync on costs nothing: it registers when its IO thread connects.
 */
export interface RestartPolicyInput {
  role: Role;
  enabled: boolean;
  settings: SemisyncSettings;
}

/** The value the switch should keep across a restart: the replica's declared state; the source's never (boots OFF). */
export function switchAcrossRestart(role: Role, enabled: boolean): "ON" | "OFF" | undefined {
  return role === "replica" ? (enabled ? "ON" : "OFF") : undefined;
}

/**
 * The persisted `rpl_semi_sync_*` values (mysqld-auto.cnf) that `persist: true` must leave behind:
 * variable name to value, or to `undefined` when the variable must not be persisted at all.
 */
export function persistedTarget(desired: RestartPolicyInput, terminology: ResolvedTerminology, specs: readonly SettingSpec[] = SETTING_SPECS): Record<string, string | undefined> {
  const target: Record<string, string | undefined> = { [enabledVariable(terminology, desired.role)]: switchAcrossRestart(desired.role, desired.enabled) };
  for (const spec of specs.filter((s) => s.roles.includes(desired.role))) {
    const wanted = desired.settings[spec.key];
    if (wanted === undefined) continue;
    target[variableName(terminology, desired.role, spec.suffix[terminology])] = spec.kind === "bool" ? (wanted ? "ON" : "OFF") : typeof wanted === "number" ? wholeDigits(wanted) : String(wanted).toUpperCase();
  }
  return target;
}

/**
 * How the persisted values differ from `persistedTarget`, one line per variable, e.g.
 * `rpl_semi_sync_source_timeout: persisted (none), wanted 5000`. Empty when they agree.
 */
export function persistedDrift(desired: RestartPolicyInput, terminology: ResolvedTerminology, persisted: Record<string, string>): string[] {
  const drift: string[] = [];
  for (const [name, wanted] of Object.entries(persistedTarget(desired, terminology))) {
    const actual = persisted[name];
    if (wanted === undefined ? actual === undefined : actual !== undefined && samePersisted(actual, wanted)) continue;
    drift.push(`${name}: persisted ${actual ?? "(none)"}, wanted ${wanted ?? "(none)"}`);
  }
  return drift;
}

function samePersisted(actual: string, wanted: string): boolean {
  const on = (v: string) => ["ON", "1", "TRUE", "YES"].includes(v.toUpperCase());
  const off = (v: string) => ["OFF", "0", "FALSE", "NO"].includes(v.toUpperCase());
  if (wanted === "ON") return on(actual);
  if (wanted === "OFF") return off(actual);
  return actual.toUpperCase() === wanted;
}

/**
 * Whether a replica's IO thread must be restarted for it to acknowledge: its semisync status is
 * not what is declared, or (declared on) its IO thread is waiting out a connect retry, which
 * after a source restart lasts up to SOURCE_CONNECT_RETRY (60 s by default) while the source,
 * already back, would stall or wait for it.
 */
export function ioRestartNeeded(desired: { role: Role; enabled: boolean; restartIoThread: boolean }, semisyncStatusOn: boolean, channel: ReplicationChannel | undefined): boolean {
  if (desired.role !== "replica" || !desired.restartIoThread) return false;
  if (semisyncStatusOn !== desired.enabled) return true;
  return desired.enabled && channel !== undefined && isReconnecting(channel);
}

/** `Replica_IO_Running: Connecting`: the IO thread runs but has no connection to its source. */
export function isReconnecting(channel: Pick<ReplicationChannel, "ioRunning">): boolean {
  return channel.ioRunning.toUpperCase() === "CONNECTING";
}
