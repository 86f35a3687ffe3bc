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
const SUPER_GRANTS: Grants = { readReplicaStatus: "REPLICATION CLIENT", setSourceVariable: "SUPER", setReplicaVariable: "SUPER", restartIoThread: "SUPER" };
const MYSQL_8_GRANTS: Grants = {
  readReplicaStatus: "REPLICATION CLIENT",
  setSourceVariable: "SYSTEM_VARIABLES_ADMIN",
  setReplicaVariable: "SYSTEM_VARIABLES_ADMIN",
  restartIoThread: "REPLICATION_SLAVE_ADMIN",
};
const MARIADB_SPLIT_GRANTS: Grants = {
  readReplicaStatus: "REPLICATION SLAVE ADMIN",
  setSourceVariable: "REPLICATION MASTER ADMIN",
  setReplicaVariable: "REPLICATION SLAVE ADMIN",
  restartIoThread: "REPLICATION SLAVE ADMIN",
};
const MARIADB_MONITOR_GRANTS: Grants = { ...MARIADB_SPLIT_GRANTS, readReplicaStatus: "REPLICA MONITOR" };

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
    grants: MARIADB_MONITOR_GRANTS,
  },
];

export function flavorById(id: string): Flavor {
  const flavor = GENERATIONS.find((f) => f.id === id);
  if (!flavor) throw new Error(`unknown server flavor ${id}`);
  return flavor;
}
