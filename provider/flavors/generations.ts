import { ResolvedTerminology } from "../types";

export type Family = "mysql" | "mariadb";

/** The privilege (`… ON *.*`) each kind of statement needs on a generation, for "missing grant" fixes. */
export interface Grants {
  /** `SHOW REPLICA STATUS` / `SHOW ALL SLAVES STATUS`. */
  readReplicaStatus: string;
  /** `SET GLOBAL` of a source-side `rpl_semi_sync_*` variable. */
  setSourceVariable: string;
  /** `SET GLOBAL` of a replica-side `rpl_semi_sync_*` variable. */
  setReplicaVariable: string;
  /** `STOP/START … IO_THREAD`. */
  restartIoThread: string;
  /**
   * `SUPER` still stands in for the privileges above (MySQL, where it is deprecated; MariaDB
   * before 11.0.1). Where a field above already is `SUPER`, this is true as well.
   */
  superSuffices: boolean;
}

/** What the provider does on a server that needs a privilege, as the preflight checks it. */
export type PrivilegeNeed = "installPlugin" | "uninstallPlugin" | "setSourceVariable" | "setReplicaVariable" | "restartIoThread" | "readReplicaStatus";

/** The `GRANT` clause (privilege and level) that `need` asks for on `flavor`, e.g. `INSERT ON mysql.plugin`. */
export function grantFor(need: PrivilegeNeed, flavor: Flavor): string {
  if (need === "installPlugin") return "INSERT ON mysql.plugin";
  if (need === "uninstallPlugin") return "DELETE ON mysql.plugin";
  return `${flavor.grants[need]} ON *.*`;
}

/** Which kind of privileged work a statement the provider runs is (`Flavor.grants`). */
export function statementNeed(sql: string): PrivilegeNeed | undefined {
  if (sql.startsWith("INSTALL PLUGIN")) return "installPlugin";
  if (sql.startsWith("UNINSTALL PLUGIN")) return "uninstallPlugin";
  if (/^(SET (GLOBAL|PERSIST)|RESET PERSIST)/.test(sql)) return /rpl_semi_sync_(master|source)_/.test(sql) ? "setSourceVariable" : "setReplicaVariable";
  if (/^(STOP|START) (SLAVE|REPLICA)/.test(sql)) return "restartIoThread";
  if (/^SHOW .*STATUS/.test(sql)) return "readReplicaStatus";
  return undefined;
}

/**
 * The privilege a statement needs on a flavor, for "missing grant" errors, read from the
 * generation's record (`Flavor.grants`, which cites the manuals): MariaDB split SUPER in 10.5.2
 * and moved SHOW SLAVE STATUS to REPLICA MONITOR in 10.5.9.
 */
export function requiredGrant(sql: string, flavor: Flavor): string {
  const need = statementNeed(sql);
  return need ? grantFor(need, flavor) : "the privilege the statement names";
}

/**
 * What one server generation can do, as data. Code asks these records; it never compares
 * version numbers itself.
 */
export interface Flavor {
  id: string;
  family: Family;
  /** Lowest version (inclusive) of the generation. */
  since: string;
  /** Terminologies whose plugins this generation ships, preferred first. */
  terminologies: readonly ResolvedTerminology[];
  /** Semisync is compiled into the server; there is nothing to install or uninstall. */
  builtIn: boolean;
  /** Keyword of `STOP … IO_THREAD`, `START … IO_THREAD` and `SHOW … STATUS`. */
  replicaKeyword: "SLAVE" | "REPLICA";
  /** `SHOW … STATUS` variant that lists every replication channel or connection. */
  replicaStatusStatement: string;
  /** `SET PERSIST` exists. */
  supportsPersist: boolean;
  /** `…_wait_for_replica_count` / `…_wait_for_slave_count` exists. */
  supportsWaitForReplicaCount: boolean;
  /**
   * Roles exist (`CURRENT_ROLE()`), so privileges may come through an active role: MySQL 8.0.0
   * (https://dev.mysql.com/doc/refman/8.0/en/roles.html), MariaDB 10.0.5
   * (https://mariadb.com/kb/en/roles_overview/).
   */
  roles: boolean;
  /** `INSTALL PLUGIN` refuses one side's old and new plugins together (ER 4045). */
  pluginConflictErrno?: number;
  grants: Grants;
}

// Version cut-offs, each from the manual:
// 8.0.22 STOP/START REPLICA: https://dev.mysql.com/doc/refman/8.0/en/stop-replica.html
// 8.0.26 new plugin names: https://dev.mysql.com/doc/refman/8.0/en/replication-semisync-installation.html
// 8.4.0 SLAVE statements removed: https://dev.mysql.com/doc/relnotes/mysql/8.4/en/news-8-4-0.html
// 9.5.0 old plugins removed: https://dev.mysql.com/doc/refman/9.5/en/added-deprecated-removed.html
// MariaDB 10.3.3 built in: https://mariadb.com/kb/en/semisynchronous-replication/
// MariaDB 10.5.1 STOP REPLICA: https://mariadb.com/kb/en/stop-replica/
const MYSQL_CHANNELS = "SHOW SLAVE STATUS";
const MARIADB_CONNECTIONS = "SHOW ALL SLAVES STATUS";
const ER_INSTALL_PLUGIN_CONFLICT_CLIENT = 4045;

// Privileges, each from the manual:
// MySQL 8.0 dynamic privileges: https://dev.mysql.com/doc/refman/8.0/en/privileges-provided.html
// MariaDB 10.5.2 split SUPER into REPLICATION MASTER ADMIN / REPLICATION SLAVE ADMIN / BINLOG
//   MONITOR (https://mariadb.com/kb/en/grant/, "Global Privileges"; change history on
//   https://mariadb.com/docs/server/ref/mdb/privileges/REPLICATION_MASTER_ADMIN); 10.5.1 still
//   checks SUPER and REPLICATION CLIENT.
// MariaDB 10.5.9 added REPLICA MONITOR (alias SLAVE MONITOR) and moved SHOW SLAVE STATUS to it from
//   REPLICATION SLAVE ADMIN: "In MariaDB Server versions 10.5.0 to 10.5.8, the monitor user instead
//   requires REPLICATION SLAVE ADMIN … In MariaDB Server 10.5.9 and later, REPLICA MONITOR is
//   required" (https://mariadb.com/kb/en/mariadb-maxscale-25-mariadb-monitor, "Required Grants").
// MariaDB 11.0.1: SUPER no longer includes the privileges split off in 10.5.2 (MariaDB KB, GRANT,
//   "SUPER"; MDEV-29668). Measured here with an account holding only SUPER: 10.5.23 and 10.11.18
//   run SET GLOBAL rpl_semi_sync_* and STOP/START SLAVE IO_THREAD, 11.8 refuses them (error 1227).
// MySQL 8.0+: SUPER is deprecated but still accepted for SET GLOBAL / SET PERSIST / RESET PERSIST
//   and STOP/START REPLICA (https://dev.mysql.com/doc/refman/8.0/en/privileges-provided.html,
//   "SUPER"); measured on 9.7.4 with an account holding only SUPER. SET PERSIST needs
//   SYSTEM_VARIABLES_ADMIN (or SUPER); PERSIST_RO_VARIABLES_ADMIN only for SET PERSIST_ONLY of
//   read-only variables, which the provider never runs
//   (https://dev.mysql.com/doc/refman/8.0/en/persisted-system-variables.html).
const SUPER_GRANTS: Grants = { readReplicaStatus: "REPLICATION CLIENT", setSourceVariable: "SUPER", setReplicaVariable: "SUPER", restartIoThread: "SUPER", superSuffices: true };
const MYSQL_8_GRANTS: Grants = {
  readReplicaStatus: "REPLICATION CLIENT",
  setSourceVariable: "SYSTEM_VARIABLES_ADMIN",
  setReplicaVariable: "SYSTEM_VARIABLES_ADMIN",
  restartIoThread: "REPLICATION_SLAVE_ADMIN",
  superSuffices: true,
};
const MARIADB_SPLIT_GRANTS: Grants = {
  readReplicaStatus: "REPLICATION SLAVE ADMIN",
  setSourceVariable: "REPLICATION MASTER ADMIN",
  setReplicaVariable: "REPLICATION SLAVE ADMIN",
  restartIoThread: "REPLICATION SLAVE ADMIN",
  superSuffices: true,
};
const MARIADB_MONITOR_GRANTS: Grants = { ...MARIADB_SPLIT_GRANTS, readReplicaStatus: "REPLICA MONITOR" };
const MARIADB_11_GRANTS: Grants = { ...MARIADB_MONITOR_GRANTS, superSuffices: false };

/** Oldest first; `detectFlavor` picks the last whose `since` the server reaches. */
export const GENERATIONS: readonly Flavor[] = [
  {
    id: "mysql-5.7",
    family: "mysql",
    since: "5.7.0",
    terminologies: ["legacy"],
    builtIn: false,
    replicaKeyword: "SLAVE",
    replicaStatusStatement: MYSQL_CHANNELS,
    supportsPersist: false,
    supportsWaitForReplicaCount: true,
    roles: false,
    grants: SUPER_GRANTS,
  },
  {
    id: "mysql-8.0",
    family: "mysql",
    since: "8.0.0",
    terminologies: ["legacy"],
    builtIn: false,
    replicaKeyword: "SLAVE",
    replicaStatusStatement: MYSQL_CHANNELS,
    supportsPersist: true,
    supportsWaitForReplicaCount: true,
    roles: true,
    grants: MYSQL_8_GRANTS,
  },
  {
    id: "mysql-8.0.22",
    family: "mysql",
    since: "8.0.22",
    terminologies: ["legacy"],
    builtIn: false,
    replicaKeyword: "REPLICA",
    replicaStatusStatement: "SHOW REPLICA STATUS",
    supportsPersist: true,
    supportsWaitForReplicaCount: true,
    roles: true,
    grants: MYSQL_8_GRANTS,
  },
  {
    id: "mysql-8.0.26",
    family: "mysql",
    since: "8.0.26",
    terminologies: ["modern", "legacy"],
    builtIn: false,
    replicaKeyword: "REPLICA",
    replicaStatusStatement: "SHOW REPLICA STATUS",
    supportsPersist: true,
    supportsWaitForReplicaCount: true,
    roles: true,
    pluginConflictErrno: ER_INSTALL_PLUGIN_CONFLICT_CLIENT,
    grants: MYSQL_8_GRANTS,
  },
  {
    id: "mysql-8.4",
    family: "mysql",
    since: "8.4.0",
    terminologies: ["modern", "legacy"],
    builtIn: false,
    replicaKeyword: "REPLICA",
    replicaStatusStatement: "SHOW REPLICA STATUS",
    supportsPersist: true,
    supportsWaitForReplicaCount: true,
    roles: true,
    pluginConflictErrno: ER_INSTALL_PLUGIN_CONFLICT_CLIENT,
    grants: MYSQL_8_GRANTS,
  },
  {
    id: "mysql-9.5",
    family: "mysql",
    since: "9.5.0",
    terminologies: ["modern"],
    builtIn: false,
    replicaKeyword: "REPLICA",
    replicaStatusStatement: "SHOW REPLICA STATUS",
    supportsPersist: true,
    supportsWaitForReplicaCount: true,
    roles: true,
    pluginConflictErrno: ER_INSTALL_PLUGIN_CONFLICT_CLIENT,
    grants: MYSQL_8_GRANTS,
  },
  {
    id: "mariadb-10.0",
    family: "mariadb",
    since: "10.0.0",
    terminologies: ["legacy"],
    builtIn: false,
    replicaKeyword: "SLAVE",
    replicaStatusStatement: MARIADB_CONNECTIONS,
    supportsPersist: false,
    supportsWaitForReplicaCount: false,
    roles: true,
    grants: SUPER_GRANTS,
  },
  {
    id: "mariadb-10.3.3",
    family: "mariadb",
    since: "10.3.3",
    terminologies: ["legacy"],
    builtIn: true,
    replicaKeyword: "SLAVE",
    replicaStatusStatement: MARIADB_CONNECTIONS,
    supportsPersist: false,
    supportsWaitForReplicaCount: false,
    roles: true,
    grants: SUPER_GRANTS,
  },
  {
    id: "mariadb-10.5.1",
    family: "mariadb",
    since: "10.5.1",
    terminologies: ["legacy"],
    builtIn: true,
    replicaKeyword: "REPLICA",
    replicaStatusStatement: MARIADB_CONNECTIONS,
    supportsPersist: false,
    supportsWaitForReplicaCount: false,
    roles: true,
    grants: SUPER_GRANTS,
  },
  {
    id: "mariadb-10.5.2",
    family: "mariadb",
    since: "10.5.2",
    terminologies: ["legacy"],
    builtIn: true,
    replicaKeyword: "REPLICA",
    replicaStatusStatement: MARIADB_CONNECTIONS,
    supportsPersist: false,
    supportsWaitForReplicaCount: false,
    roles: true,
    grants: MARIADB_SPLIT_GRANTS,
  },
  {
    id: "mariadb-10.5.9",
    family: "mariadb",
    since: "10.5.9",
    terminologies: ["legacy"],
    builtIn: true,
    replicaKeyword: "REPLICA",
    replicaStatusStatement: MARIADB_CONNECTIONS,
    supportsPersist: false,
    supportsWaitForReplicaCount: false,
    roles: true,
    grants: MARIADB_MONITOR_GRANTS,
  },
  {
    id: "mariadb-11.0.1",
    family: "mariadb",
    since: "11.0.1",
    terminologies: ["legacy"],
    builtIn: true,
    replicaKeyword: "REPLICA",
    replicaStatusStatement: MARIADB_CONNECTIONS,
    supportsPersist: false,
    supportsWaitForReplicaCount: false,
    roles: true,
    grants: MARIADB_11_GRANTS,
  },
];

export function flavorById(id: string): Flavor {
  const flavor = GENERATIONS.find((f) => f.id === id);
  if (!flavor) throw new Error(`unknown server flavor ${id}`);
  return flavor;
}
