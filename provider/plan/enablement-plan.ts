import { describeFlavor } from "../flavors/detect";
import { Flavor } from "../flavors/generations";
import { SETTING_SPECS, SettingSpec, enabledVariable, sideNames, unsignedLongMax, UNSIGNED_LONG_MAX_64, variableName, wholeDigits } from "../flavors/names";
import { ER } from "../flavors/error-numbers";
import { ObservedState, ReplicationChannel, ResolvedTerminology, Role, SemisyncSettings, SettingKey, Statement } from "../types";
import { planError } from "./plan-error";
import { ioRestartStatements } from "./replica-statements";
import { ioRestartNeeded, switchAcrossRestart } from "./restart-policy";

export interface EnablementDesired {
  role: Role;
  enabled: boolean;
  settings: SemisyncSettings;
  persist: boolean;
  restartIoThread: boolean;
  /**
   * Teardown of semisync that was on before the resource existed: leave `…_enabled` and the IO
   * thread as they are and check nothing about replication; only settings move.
   */
  keepSwitch?: boolean;
  /**
   * Replica side of a server that replicates from no one (a failover-ready topology's source):
   * only the switch and settings move; no channel is required and no IO thread restarted.
   */
  standby?: boolean;
}

/** What the previous deployment managed, so what it no longer declares is restored. */
export interface EnablementPrevious {
  managedSettings: SettingKey[];
  persisted: boolean;
  /**
   * What a managed setting that is no longer declared goes back to: the value found when the
   * resource was created. A setting missing here goes back to the server default.
   */
  restoreTo?: SemisyncSettings;
}

export interface EnablementPlan {
  terminology: ResolvedTerminology;
  statements: Statement[];
  /** Replica: the semisync status the IO restart must lead to. */
  expectReplicaStatus?: "ON" | "OFF";
  /** `[mysqld]` option-file lines that make the declared state survive a restart. */
  optionFileLines: string[];
}

/** The terminology of the plugin installed for `role`, read from which variables exist. */
export function installedTerminology(role: Role, observed: ObservedState): ResolvedTerminology | undefined {
  return (["modern", "legacy"] as const).find((t) => enabledVariable(t, role) in observed.variables);
}

export function planEnablement(desired: EnablementDesired, observed: ObservedState, flavor: Flavor, previous?: EnablementPrevious): EnablementPlan {
  const { role } = desired;
  // A replica role on a server with no replication is most likely the wrong host: say so first.
  const keepSwitch = desired.keepSwitch === true;
  // Neither check nor restart the replication of a standby: it has none, or none of ours.
  const replicating = role === "replica" && !keepSwitch && desired.standby !== true;
  if (replicating && desired.enabled && observed.channels) requireReplicationConfigured(observed.channels);
  const terminology = installedTerminology(role, observed);
  if (!terminology) {
    throw planError(
      `the semisync ${role} plugin is not installed, so there is no ${enabledVariable(flavor.terminologies[0], role)} to set.`,
      `declare a SemisyncPlugin with role "${role}" for this server and pass it in the enablement's dependsOn.`,
    );
  }
  const unsupported = SETTING_SPECS.filter((s) => desired.settings[s.key] !== undefined && !supports(flavor, s));
  if (unsupported.length > 0) {
    throw planError(`${unsupported.map((s) => s.key).join(", ")} has no variable on ${describeFlavor(flavor)}.`, `remove ${unsupported.map((s) => s.key).join(", ")} from this server's settings.`);
  }
  const misplaced = SETTING_SPECS.filter((s) => desired.settings[s.key] !== undefined && !s.roles.includes(role));
  if (misplaced.length > 0) {
    throw planError(`${misplaced.map((s) => s.key).join(", ")} applies to a source only, and this enablement has role "${role}".`, `move ${misplaced.map((s) => s.key).join(", ")} to the source's enablement.`);
  }
  const ulongMax = unsignedLongMax(observed.facts);
  const tooLarge = SETTING_SPECS.find((s) => s.kind === "ulong" && above(desired.settings[s.key], ulongMax));
  if (tooLarge) {
    const name = variableName(terminology, role, tooLarge.suffix[terminology]);
    const build = /^win/i.test(observed.facts.compileOs)
      ? `Windows builds (@@version_compile_os ${observed.facts.compileOs})`
      : `a build whose @@version_compile_machine is '${observed.facts.compileMachine ?? ""}', not known to be 64-bit`;
    throw planError(
      `${tooLarge.key} ${wholeDigits(desired.settings[tooLarge.key] as number)} is above ${ulongMax}, the largest ${name} this server accepts: an unsigned long, 32 bits on ${build}.`,
      `set ${tooLarge.key} to ${ulongMax} or less (about ${Math.floor(Number(ulongMax) / 86_400_000)} days; with waitNoReplica true that is already a source that does not fall back in practice).`,
    );
  }
  if (desired.persist && !flavor.supportsPersist) {
    throw planError(
      `SET PERSIST does not exist on ${describeFlavor(flavor)}.`,
      `set persist to false and add these lines to the [mysqld] section of the server's option file: ${optionFileLines(desired, terminology).join("; ")}`,
    );
  }
  const replicaStatusNow = role === "replica" && isOn(observed.status[sideNames(terminology, role).statusVariable]);
  const restartIo = replicating && ioRestartNeeded(desired, replicaStatusNow, observed.channels?.length === 1 ? observed.channels[0] : undefined);
  // Disabling a replica whose IO thread is not semisync needs no running replication.
  if (replicating && (desired.enabled || restartIo)) checkReplicaChannels(observed.channels ?? []);

  const write = desired.persist ? "SET PERSIST" : "SET GLOBAL";
  // Undoing a SET PERSIST must restore the persisted value as well as the running one.
  const undoWrite = (name: string): string[] | undefined => {
    const running = restore(name, observed.variables[name]);
    if (!desired.persist || !running) return running;
    const persistedBefore = observed.persisted?.[name];
    const persisted = persistedBefore === undefined ? `RESET PERSIST IF EXISTS ${name}` : restore(name, persistedBefore, "SET PERSIST")?.[0];
    return persisted ? [persisted, ...running] : running;
  };
  const settings: Statement[] = [];
  const resets: Statement[] = [];
  for (const spec of SETTING_SPECS.filter((s) => s.roles.includes(role) && supports(flavor, s))) {
    const name = variableName(terminology, role, spec.suffix[terminology]);
    const current = observed.variables[name];
    const wanted = desired.settings[spec.key];
    const managedBefore = previous?.managedSettings.includes(spec.key) ?? false;
    if (wanted !== undefined) {
      const sqlValue = toSqlValue(spec, wanted, ulongMax);
      const drifted = !sameValue(spec, current, wanted);
      const notPersisted = desired.persist && !sameValue(spec, observed.persisted?.[name], wanted);
      if (drifted || notPersisted) {
        settings.push({ sql: `${write} ${name} = ${sqlValue}`, purpose: `set ${spec.key} (${spec.label})`, undo: undoWrite(name), effect: { kind: "setting", key: spec.key, from: current, to: sqlValue } });
      }
    } else if (managedBefore) {
      const found = previous?.restoreTo?.[spec.key];
      if (found === undefined) {
        settings.push({
          sql: `SET GLOBAL ${name} = DEFAULT`,
          purpose: `restore ${spec.key} to the server default, as it is no longer declared`,
          undo: restore(name, current),
          effect: { kind: "setting", key: spec.key, from: current, to: "DEFAULT" },
        });
      } else if (!sameValue(spec, current, found)) {
        // A found value above 2^53 was rounded when it was recorded, possibly past the build's limit.
        const value = toSqlValue(spec, spec.kind === "ulong" && above(found, ulongMax) ? ulongMax : found, ulongMax);
        settings.push({
          sql: `SET GLOBAL ${name} = ${value}`,
          purpose: `put ${spec.key} back to ${value}, the value found when this resource was created`,
          undo: restore(name, current),
          effect: { kind: "setting", key: spec.key, from: current, to: value },
        });
      }
    }
    // What this resource persisted and no longer persists must not return at restart; what it
    // never managed (a DBA's own SET PERSIST) is left alone.
    const persistedByUs = managedBefore && previous?.persisted && observed.persisted !== undefined && name in observed.persisted;
    if (persistedByUs && !(desired.persist && wanted !== undefined)) {
      resets.push({ sql: `RESET PERSIST IF EXISTS ${name}`, purpose: `stop persisting ${name}`, effect: { kind: "persistence" } });
    }
  }

  const enabledName = enabledVariable(terminology, role);
  const enabledNow = isOn(observed.variables[enabledName]);
  const enabledPersisted = observed.persisted?.[enabledName];
  // The source's switch is never persisted (restart-policy.ts): a source that boots switched on
  // stalls its first commit for the whole timeout.
  const persistSwitch = desired.persist && switchAcrossRestart(role, desired.enabled) !== undefined;
  const switchWrite = persistSwitch ? "SET PERSIST" : "SET GLOBAL";
  const switching: Statement[] = [];
  if (!keepSwitch && (enabledNow !== desired.enabled || (persistSwitch && (enabledPersisted === undefined || isOn(enabledPersisted) !== desired.enabled)))) {
    switching.push({
      sql: `${switchWrite} ${enabledName} = ${desired.enabled ? "ON" : "OFF"}`,
      purpose: `${desired.enabled ? "enable" : "disable"} semisync on the ${role}`,
      undo: persistSwitch ? undoWrite(enabledName) : restore(enabledName, observed.variables[enabledName]),
      effect: { kind: "switch", side: role, on: desired.enabled },
    });
  }
  const stopPersistingSwitch = enabledPersisted !== undefined && !persistSwitch && (desired.persist || (previous?.persisted ?? false));
  if (stopPersistingSwitch) {
    resets.push({
      sql: `RESET PERSIST IF EXISTS ${enabledName}`,
      purpose: desired.persist ? `stop persisting ${enabledName}, so a restarted source boots with semisync off instead of stalling its first commit` : `stop persisting ${enabledName}`,
      effect: { kind: "persistence" },
    });
  }
  // Switching on goes after the tuning, so the source never runs enabled with the old settings;
  // switching off goes first, so restoring defaults (wait_no_replica=ON above all) never acts on
  // a source that is still on. RESET PERSIST comes last: it has no undo.
  const switchingOff = enabledNow && !desired.enabled;
  const statements: Statement[] = switchingOff ? [...switching, ...settings] : [...settings, ...switching];

  let expectReplicaStatus: "ON" | "OFF" | undefined;
  if (restartIo) {
    const [stop, start] = ioRestartStatements(flavor);
    statements.push({ ...stop, undo: [start.sql] }, start);
    expectReplicaStatus = desired.enabled ? "ON" : "OFF";
  }
  statements.push(...resets);
  return { terminology, statements, expectReplicaStatus, optionFileLines: optionFileLines(desired, terminology) };
}

/**
 * The declared settings the server does not report back as declared, after the plan ran: a server
 * that takes a value with only a warning and stores another (MariaDB stores 9223372036854775807
 * for a timeout it cannot hold) must fail the deployment rather than drift forever. Empty when all agree.
 */
export function settingsNotStored(desired: EnablementDesired, observed: ObservedState, terminology: ResolvedTerminology): string[] {
  return SETTING_SPECS.filter((s) => s.roles.includes(desired.role) && desired.settings[s.key] !== undefined).flatMap((spec) => {
    const name = variableName(terminology, desired.role, spec.suffix[terminology]);
    const wanted = desired.settings[spec.key]!;
    const current = observed.variables[name];
    if (sameValue(spec, current, wanted)) return [];
    return [`${name} reads ${current ?? "(absent)"} after setting it to ${typeof wanted === "number" && Number.isInteger(wanted) ? wholeDigits(wanted) : String(wanted)}`];
  });
}

function supports(flavor: Flavor, spec: SettingSpec): boolean {
  return spec.key !== "waitForReplicaCount" || flavor.supportsWaitForReplicaCount;
}

/** A server with no replication channel cannot be a replica; a likely wrong host. */
export function requireReplicationConfigured(channels: ReplicationChannel[]): void {
  if (channels.length === 0) {
    throw planError(
      "replication is not configured on this server, so it cannot be a semisync replica.",
      'configure replication first (CHANGE REPLICATION SOURCE TO … / CHANGE MASTER TO …; START REPLICA), or use role "source" — after a failover that promoted this server, declare it as the source (SemisyncReplication\'s `source`; with failoverReady its resources stay as they are).',
    );
  }
}

/**
 * A replica needs exactly the default channel, with its IO thread running, or connecting for a
 * reason retrying can cure (the source restarting or briefly unreachable): a source that rejects
 * the channel's login will never let the replica acknowledge, so that refuses before any change.
 */
export function checkReplicaChannels(channels: ReplicationChannel[]): void {
  requireReplicationConfigured(channels);
  if (channels.length > 1 || channels[0].name !== "") {
    throw planError(`semisync works only on the default replication channel, and this server has ${channels.map((c) => `'${c.name}'`).join(", ")}.`, "use a single, default replication channel on semisync replicas.");
  }
  const channel = channels[0];
  if (channel.ioRunning.toUpperCase() === "NO") {
    throw planError(
      `the replication IO thread is not running${channel.lastIoError ? ` (last error: ${channel.lastIoError})` : ""}.`,
      "start replication (START REPLICA) and make sure it reaches the source, then run again.",
    );
  }
  // The errno stays after a later successful connection, so only a thread not connected refuses.
  if (channel.ioRunning.toUpperCase() !== "YES" && isReplicationLoginRejected(channel.lastIoErrno)) {
    throw planError(
      `the replication IO thread cannot log in to its source (IO thread ${channel.ioRunning}, last error ${channel.lastIoErrno}: ${channel.lastIoError}).`,
      "fix the replication user's credentials on this replica (STOP REPLICA; CHANGE REPLICATION SOURCE TO SOURCE_USER=…, SOURCE_PASSWORD=… / CHANGE MASTER TO MASTER_PASSWORD=…; START REPLICA) or the user's account and grants on the source, then run again.",
    );
  }
}

/**
 * A replication IO thread's `Last_IO_Errno` that retrying cannot cure: the source rejects the
 * channel's user or password (1045), or the authentication plugin cannot complete without a
 * change to the channel (2061). Network errors (source down, restarting) are not among them.
 */
export function isReplicationLoginRejected(lastIoErrno: number | undefined): boolean {
  return lastIoErrno === ER.ACCESS_DENIED || lastIoErrno === ER.CR_AUTH_PLUGIN_ERR;
}

export function isOn(value: string | undefined): boolean {
  return value !== undefined && ["ON", "1", "YES", "TRUE"].includes(value.toUpperCase());
}

/** Whether `value` is a whole number above `max`, compared exactly (above 2^53 `>` on numbers rounds). */
function above(value: unknown, max: bigint): boolean {
  return typeof value === "number" && Number.isInteger(value) && BigInt(value) > max;
}

function sameValue(spec: SettingSpec, current: string | undefined, wanted: number | boolean | string): boolean {
  if (current === undefined) return false;
  if (spec.kind === "bool") return isOn(current) === wanted;
  if (spec.kind === "enum") return current.toUpperCase() === String(wanted).toUpperCase();
  // Digit for digit: the server's "1000000000000000001" is not a declared 1e18, though Number() says so.
  if (typeof wanted === "number" && Number.isInteger(wanted) && /^\d+$/.test(current)) return BigInt(current) === BigInt(wanted);
  return current === String(wanted);
}

/** Values reach SQL only after validation, and only as integers in plain digits or fixed keywords. */
function toSqlValue(spec: SettingSpec, value: number | boolean | string | bigint, ulongMax: bigint): string {
  if (typeof value === "bigint") return value.toString(); // the build's own limit, never user input
  if (spec.kind === "bool") return value ? "ON" : "OFF";
  if (spec.kind === "enum") {
    const keyword = String(value).toUpperCase();
    if (!spec.allowed?.includes(keyword)) throw new Error(`invalid ${spec.key} ${String(value)}`);
    return keyword;
  }
  const valid = spec.kind === "ulong" ? typeof value === "number" && Number.isInteger(value) && value >= 0 && !above(value, ulongMax) : Number.isSafeInteger(value);
  if (!valid) throw new Error(`invalid ${spec.key} ${String(value)}`);
  return wholeDigits(value as number);
}

/** The statement that puts `name` back to a value the server reported (never free text). */
function restore(name: string, current: string | undefined, write = "SET GLOBAL"): string[] | undefined {
  if (current === undefined) return undefined;
  return [`${write} ${name} = ${/^\d+$/.test(current) ? current : /^[A-Z_]+$/i.test(current) ? current.toUpperCase() : "DEFAULT"}`];
}

function optionFileLines(desired: EnablementDesired, terminology: ResolvedTerminology): string[] {
  // loose_: a server started without the plugin must not refuse to start over an unknown variable.
  // A source starts with semisync off (restart-policy.ts); the next `pulumi up` switches it on (plan/live.ts).
  const lines = [`loose_${enabledVariable(terminology, desired.role)}=${switchAcrossRestart(desired.role, desired.enabled) ?? "OFF"}`];
  for (const spec of SETTING_SPECS.filter((s) => s.roles.includes(desired.role))) {
    const wanted = desired.settings[spec.key];
    if (wanted !== undefined) lines.push(`loose_${variableName(terminology, desired.role, spec.suffix[terminology])}=${toSqlValue(spec, wanted, UNSIGNED_LONG_MAX_64)}`);
  }
  return lines;
}
