/*
 * What the provider reads from a server, as plain data: `sql/observe.ts` fills it in, `plan/`
 * decides from it, `crud/` carries it from one to the other.
 */

export interface ServerFacts {
  version: string;
  versionComment: string;
  compileOs: string;
  /** `@@version_compile_machine`, e.g. `x86_64`, `aarch64`, `i686`: how wide an `unsigned long` is (`unsignedLongMax`). */
  compileMachine?: string;
  haveDynamicLoading: string;
  pluginDir: string;
  /** `@@server_id`: what a replica's `Source_Server_Id` names its source by. */
  serverId?: number;
}

export interface PluginRow {
  name: string;
  status: string;
  library: string | null;
}

export interface ReplicationChannel {
  /** `''` for the default channel (MySQL) or connection (MariaDB). */
  name: string;
  ioRunning: string;
  sqlRunning: string;
  sourceHost: string;
  sourcePort: number;
  lastIoError: string;
  /** `Last_IO_Errno` / the same on MariaDB and before 8.0.22: why the IO thread last failed; 0 when it did not. */
  lastIoErrno?: number;
  /** `Replica_IO_State` / `Slave_IO_State`: how far the IO thread has got with its source. */
  ioState?: string;
  /** `Source_Server_Id` / `Master_Server_Id`: the source's `@@server_id` as of the last connection; 0 before any. */
  sourceServerId?: number;
}

/** What a server looked like at one moment: the planner's only view of it. */
export interface ObservedState {
  facts: ServerFacts;
  plugins: PluginRow[];
  /** `rpl_semi_sync_*` global variables by name. */
  variables: Record<string, string>;
  /** `Rpl_semi_sync_*` global status by name. */
  status: Record<string, string>;
  /** Replication channels; present only when asked for. */
  channels?: ReplicationChannel[];
  /** `rpl_semi_sync_*` values in mysqld-auto.cnf; present only where SET PERSIST exists. */
  persisted?: Record<string, string>;
}

/** What the provider's account may do on one server, as read before any change (`plan/privileges.ts` decides). */
export interface AccountPrivileges {
  /** The account as `CURRENT_USER()` names it, quoted for a GRANT statement: `'semisync'@'%'`. */
  account: string;
  /** Its global privileges, from `information_schema.USER_PRIVILEGES` (upper case; `ALL` already expanded). */
  global: string[];
  /** `CURRENT_ROLE()` when a role is active (its privileges are not in `global`). */
  activeRoles?: string;
  /** With an active role only: the `SHOW GRANTS` lines, which list what the role brings. Never shown (MariaDB prints the password hash in them). */
  grantLines?: string[];
  /** Whether `INSERT INTO mysql.plugin` would be allowed, probed with `EXPLAIN`; absent when not asked. */
  canInsertPlugin?: boolean;
}
