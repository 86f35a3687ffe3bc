import { ResolvedTerminology, Role, SemisyncMonitoring, SettingKey } from "../types";

/** Plugin, library and variable names of one side under one terminology. */
export interface SideNames {
  plugin: string;
  /** Library base name; the platform suffix is added by `libraryFileName`. */
  library: string;
  /** Prefix of this side's system variables, e.g. `rpl_semi_sync_source_`. */
  variablePrefix: string;
  /** Status variable that says whether semisync is operating on this side right now. */
  statusVariable: string;
  /** Source side only: the number of connected semisync replicas. */
  clientsVariable?: string;
}

// https://dev.mysql.com/doc/refman/8.0/en/replication-semisync-installation.html
const SIDES: Record<ResolvedTerminology, Record<Role, SideNames>> = {
  modern: {
    source: {
      plugin: "rpl_semi_sync_source",
      library: "semisync_source",
      variablePrefix: "rpl_semi_sync_source_",
      statusVariable: "Rpl_semi_sync_source_status",
      clientsVariable: "Rpl_semi_sync_source_clients",
    },
    replica: {
      plugin: "rpl_semi_sync_replica",
      library: "semisync_replica",
      variablePrefix: "rpl_semi_sync_replica_",
      statusVariable: "Rpl_semi_sync_replica_status",
    },
  },
  legacy: {
    source: {
      plugin: "rpl_semi_sync_master",
      library: "semisync_master",
      variablePrefix: "rpl_semi_sync_master_",
      statusVariable: "Rpl_semi_sync_master_status",
      clientsVariable: "Rpl_semi_sync_master_clients",
    },
    replica: {
      plugin: "rpl_semi_sync_slave",
      library: "semisync_slave",
      variablePrefix: "rpl_semi_sync_slave_",
      statusVariable: "Rpl_semi_sync_slave_status",
    },
  },
};

export function sideNames(terminology: ResolvedTerminology, role: Role): SideNames {
  return SIDES[terminology][role];
}

/**
 * The source's status counters reported as `monitoring`, by output name: `Rpl_semi_sync_source_no_tx`
 * or, with legacy plugins and on MariaDB, `Rpl_semi_sync_master_no_tx`, and so on.
 * https://dev.mysql.com/doc/refman/8.4/en/server-status-variables.html ;
 * https://mariadb.com/kb/en/semisynchronous-replication-plugin-status-variables/
 */
export function monitoringVariables(terminology: ResolvedTerminology): Record<keyof SemisyncMonitoring, string> {
  const prefix = SIDES[terminology].source.statusVariable.replace(/status$/, "");
  return { noTx: `${prefix}no_tx`, yesTx: `${prefix}yes_tx`, noTimes: `${prefix}no_times`, waitSessions: `${prefix}wait_sessions` };
}

/** Every semisync plugin name, for the INFORMATION_SCHEMA.PLUGINS probe. */
export const ALL_PLUGIN_NAMES: readonly string[] = Object.values(SIDES).flatMap((bySide) => Object.values(bySide).map((side) => side.plugin));

/** The terminology whose plugin of `role` is called `pluginName`, if any. */
export function terminologyOfPlugin(pluginName: string, role: Role): ResolvedTerminology | undefined {
  return (Object.keys(SIDES) as ResolvedTerminology[]).find((t) => SIDES[t][role].plugin === pluginName);
}

/**
 * `.dll` on Windows builds, `.so` everywhere else. `@@version_compile_os` is `Win64`/`Win32` on
 * Windows (cmake/os/Windows.cmake) but distribution-specific elsewhere (Debian's MariaDB says
 * `debian-linux-gnu`), so only the Windows prefix is reliable.
 */
export function libraryFileName(library: string, compileOs: string): string {
  return /^win/i.test(compileOs) ? `${library}.dll` : `${library}.so`;
}

/** How each tunable setting is spelt, typed and bounded. */
export interface SettingSpec {
  key: SettingKey;
  roles: readonly Role[];
  suffix: Record<ResolvedTerminology, string>;
  /** `ulong`: a C `unsigned long`, whose range depends on the server's build (`unsignedLongMax`). */
  kind: "uint" | "ulong" | "bool" | "enum" | "bitmask";
  min?: number;
  max?: number;
  allowed?: readonly (string | number)[];
  /** What the variable means, for error messages. */
  label: string;
}

/** 2^64 - 1: an `unsigned long` on 64-bit Linux, macOS and the BSDs (LP64). */
export const UNSIGNED_LONG_MAX_64 = 18_446_744_073_709_551_615n;
/** 2^32 - 1: an `unsigned long` on Windows (LLP64, 64-bit builds included) and on 32-bit builds. */
export const UNSIGNED_LONG_MAX_32 = 4_294_967_295n;

/**
 * The largest value a server accepts for an `unsigned long` system variable declared with maximum
 * `~0UL` (`rpl_semi_sync_source_timeout`/`_master_timeout` in MySQL's and MariaDB's semisync
 * code alike). The limit comes with the build, not the generation: measured 18446744073709551615
 * on MySQL 9.7 (performance_schema.variables_info MAX_VALUE) and MariaDB 10.5, 10.11 and 11.8
 * (information_schema.SYSTEM_VARIABLES NUMERIC_MAX_VALUE), all x86_64 Linux; the MySQL manual's
 * "Maximum Value 4294967295" is the 32-bit figure. Windows keeps `long` at 32 bits on 64-bit
 * builds (`@@version_compile_os` Win64/Win32). A build whose machine is not known to be 64-bit
 * gets the 32-bit limit: refusing a huge timeout there is safe, a value cut short is not (MariaDB
 * stores 9223372036854775807 with only a warning for a value it cannot hold).
 */
export function unsignedLongMax(facts: { compileOs: string; compileMachine?: string }): bigint {
  if (/^win/i.test(facts.compileOs)) return UNSIGNED_LONG_MAX_32;
  return /64|s390x/i.test(facts.compileMachine ?? "") ? UNSIGNED_LONG_MAX_64 : UNSIGNED_LONG_MAX_32;
}

/**
 * A whole number in plain digits, exact for every integer a double holds. `String(1e18)` is
 * "1e+18", which every server refuses in SET (ERROR 1232) and which never equals the server's
 * "1000000000000000000". Callers pass integers only.
 */
export function wholeDigits(value: number): string {
  return BigInt(value).toString();
}

// Ranges from the MYSQL_SYSVAR_* declarations in plugin/semisync/semisync_source_plugin.cc.
export const SETTING_SPECS: readonly SettingSpec[] = [
  {
    key: "timeoutMs",
    roles: ["source"],
    suffix: { modern: "timeout", legacy: "timeout" },
    // MYSQL_SYSVAR_ULONG(timeout, …, 10000, 0, ~0UL, 1): 0 up to the build's unsigned long.
    kind: "ulong",
    label: "milliseconds a commit waits for an acknowledgement before falling back to asynchronous",
  },
  {
    key: "waitForReplicaCount",
    roles: ["source"],
    suffix: { modern: "wait_for_replica_count", legacy: "wait_for_slave_count" },
    kind: "uint",
    min: 1,
    max: 65_535,
    label: "replica acknowledgements each commit waits for",
  },
  {
    key: "waitNoReplica",
    roles: ["source"],
    suffix: { modern: "wait_no_replica", legacy: "wait_no_slave" },
    kind: "bool",
    label: "whether the source keeps waiting while fewer replicas than needed are connected",
  },
  {
    key: "waitPoint",
    roles: ["source"],
    suffix: { modern: "wait_point", legacy: "wait_point" },
    kind: "enum",
    allowed: ["AFTER_SYNC", "AFTER_COMMIT"],
    label: "when a commit waits for the acknowledgement",
  },
  {
    key: "traceLevel",
    roles: ["source", "replica"],
    suffix: { modern: "trace_level", legacy: "trace_level" },
    kind: "bitmask",
    allowed: [1, 16, 32, 64],
    label: "debug trace bits",
  },
];

/** `rpl_semi_sync_<side>_<suffix>`: the system variable behind a setting. */
export function variableName(terminology: ResolvedTerminology, role: Role, suffix: string): string {
  return `${sideNames(terminology, role).variablePrefix}${suffix}`;
}

export function enabledVariable(terminology: ResolvedTerminology, role: Role): string {
  return variableName(terminology, role, "enabled");
}

/** The source's acknowledgement count: `…_wait_for_replica_count`, `…_wait_for_slave_count` with legacy names. */
export function waitCountVariable(terminology: ResolvedTerminology): string {
  return variableName(terminology, "source", terminology === "modern" ? "wait_for_replica_count" : "wait_for_slave_count");
}
