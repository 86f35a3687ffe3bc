import { ResolvedTerminology, Role, SettingKey } from "../types";

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

/** Every semisync plugin name, for the INFORMATION_SCHEMA.PLUGINS probe. */
export const ALL_PLUGIN_NAMES: readonly string[] = Object.values(SIDES).flatMap((bySide) =>
  Object.values(bySide).map((side) => side.plugin),
);

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
  kind: "uint" | "bool" | "enum" | "bitmask";
  min?: number;
  max?: number;
  allowed?: readonly (string | number)[];
  /** What the variable means, for error messages. */
  label: string;
}

// Ranges from the MYSQL_SYSVAR_* declarations in plugin/semisync/semisync_source_plugin.cc.
export const SETTING_SPECS: readonly SettingSpec[] = [
  {
    key: "timeoutMs",
    roles: ["source"],
    suffix: { modern: "timeout", legacy: "timeout" },
    kind: "uint",
    min: 0,
    max: 4_294_967_295,
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
