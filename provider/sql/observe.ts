import { ALL_PLUGIN_NAMES } from "../flavors/names";
import { Flavor } from "../flavors/generations";
import { Row, Session } from "./connection";
import { isLockWaitTimeout, isPrivilegeMissing } from "./errors";
import { AccountPrivileges, ObservedState, PluginRow, ReplicationChannel, ServerFacts } from "../types";

// Kept here too: code written against 0.2.0 imports the observed-state types from this module.
export type { AccountPrivileges, ObservedState, PluginRow, ReplicationChannel, ServerFacts } from "../types";

export async function readFacts(session: Session): Promise<ServerFacts> {
  const [row] = await session.query(
    "SELECT @@version AS version, @@version_comment AS versionComment, @@version_compile_os AS compileOs, " +
      "@@version_compile_machine AS compileMachine, @@have_dynamic_loading AS haveDynamicLoading, @@plugin_dir AS pluginDir, @@server_id AS serverId",
  );
  return {
    version: String(row.version),
    versionComment: String(row.versionComment ?? ""),
    compileOs: String(row.compileOs ?? ""),
    compileMachine: String(row.compileMachine ?? ""),
    haveDynamicLoading: String(row.haveDynamicLoading ?? ""),
    pluginDir: String(row.pluginDir ?? ""),
    serverId: row.serverId === undefined || row.serverId === null ? undefined : Number(row.serverId),
  };
}

/**
 * What to read besides the facts. Everything but the channels by default; `diff` asks for the
 * least its decision needs (`plan/live.ts`), each part one statement.
 */
export interface ObserveOptions {
  channels?: boolean;
  /** `information_schema.PLUGINS`; default true. */
  plugins?: boolean;
  /** The `rpl_semi_sync_*` variables and status; default true. */
  settings?: boolean;
  /** mysqld-auto.cnf, where SET PERSIST exists; default true. */
  persisted?: boolean;
}

export async function observe(session: Session, flavor: Flavor, facts: ServerFacts, options: ObserveOptions = {}): Promise<ObservedState> {
  const plugins = options.plugins === false ? [] : await readPlugins(session);
  const settings = options.settings !== false;
  const variables = settings ? nameValue(await session.query("SHOW GLOBAL VARIABLES LIKE 'rpl\\_semi\\_sync\\_%'")) : {};
  const status = settings ? nameValue(await session.query("SHOW GLOBAL STATUS LIKE 'Rpl\\_semi\\_sync\\_%'")) : {};
  const observed: ObservedState = { facts, plugins, variables, status };
  if (options.channels) observed.channels = await readChannels(session, flavor);
  if (flavor.supportsPersist && options.persisted !== false) {
    observed.persisted = nameValue(await session.query("SELECT VARIABLE_NAME AS Variable_name, VARIABLE_VALUE AS Value FROM performance_schema.persisted_variables WHERE VARIABLE_NAME LIKE 'rpl\\_semi\\_sync\\_%'"));
  }
  return observed;
}

async function readPlugins(session: Session): Promise<PluginRow[]> {
  return (
    await session.query(
      `SELECT PLUGIN_NAME AS pluginName, PLUGIN_STATUS AS pluginStatus, PLUGIN_LIBRARY AS pluginLibrary FROM information_schema.PLUGINS WHERE PLUGIN_NAME IN (${ALL_PLUGIN_NAMES.map(() => "?").join(", ")})`,
      [...ALL_PLUGIN_NAMES],
    )
  ).map((r) => ({ name: String(r.pluginName), status: String(r.pluginStatus), library: r.pluginLibrary === null ? null : String(r.pluginLibrary) }));
}

function nameValue(rows: Row[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const row of rows) out[String(row.Variable_name)] = String(row.Value);
  return out;
}

// Group Replication's channels are not ordinary replication and are never restarted by us.
const GROUP_REPLICATION_CHANNELS = ["group_replication_applier", "group_replication_recovery"];

export async function readChannels(session: Session, flavor: Flavor): Promise<ReplicationChannel[]> {
  const rows = await session.query(flavor.replicaStatusStatement);
  return rows
    .map((r) => ({
      name: String(r.Channel_Name ?? r.Connection_name ?? ""),
      ioRunning: String(r.Replica_IO_Running ?? r.Slave_IO_Running ?? "No"),
      sqlRunning: String(r.Replica_SQL_Running ?? r.Slave_SQL_Running ?? "No"),
      sourceHost: String(r.Source_Host ?? r.Master_Host ?? ""),
      sourcePort: Number(r.Source_Port ?? r.Master_Port ?? 0),
      lastIoError: String(r.Last_IO_Error ?? ""),
      lastIoErrno: Number(r.Last_IO_Errno ?? 0),
      ioState: String(r.Replica_IO_State ?? r.Slave_IO_State ?? ""),
      sourceServerId: Number(r.Source_Server_Id ?? r.Master_Server_Id ?? 0),
    }))
    .filter((c) => !GROUP_REPLICATION_CHANNELS.includes(c.name));
}

/**
 * Reads the account's privileges without changing anything. Global privileges come from
 * `information_schema.USER_PRIVILEGES` of `CURRENT_USER()` (exact names; no statement text to
 * parse); an active role's do not appear there, so only then `SHOW GRANTS` is read as well. The
 * table privilege `INSTALL PLUGIN` needs is asked of the server itself: `EXPLAIN INSERT INTO
 * mysql.plugin …` passes the same privilege check as the INSERT (through roles, wildcard grants
 * and partial revokes) and runs nothing.
 */
export async function readAccountPrivileges(session: Session, flavor: Flavor, options: { insertPlugin: boolean }): Promise<AccountPrivileges> {
  const [who] = await session.query(flavor.roles ? "SELECT CURRENT_USER() AS account, CURRENT_ROLE() AS roles" : "SELECT CURRENT_USER() AS account");
  const current = String(who.account);
  const at = current.lastIndexOf("@");
  const account = `'${current.slice(0, at)}'@'${current.slice(at + 1)}'`;
  const rows = await session.query("SELECT PRIVILEGE_TYPE AS privilege FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = ?", [account]);
  const privileges: AccountPrivileges = { account, global: rows.map((r) => String(r.privilege).toUpperCase()) };
  // MySQL says NONE, MariaDB NULL, when no role is active.
  const roles = who.roles === null || who.roles === undefined ? "NONE" : String(who.roles);
  if (roles.toUpperCase() !== "NONE") {
    privileges.activeRoles = roles;
    privileges.grantLines = (await session.query("SHOW GRANTS")).map((row) => String(Object.values(row)[0]));
  }
  if (options.insertPlugin) privileges.canInsertPlugin = await probeInsertPlugin(session);
  return privileges;
}

/**
 * `EXPLAIN INSERT` checks the table privilege before it opens the table, and opening it waits
 * for the table's locks: a global read lock (a backup's `FLUSH TABLES WITH READ LOCK`) held the
 * probe until the statement bound and refused the whole topology with a bare driver timeout. So
 * the probe waits for locks 1 s at most, and a lock wait timeout means the privilege check
 * already passed (measured on MySQL 9.7 and MariaDB 11.8 under FTWRL: a missing privilege is
 * 1142 within 1 ms, a granted one 1205 after the 1 s). The `INSTALL PLUGIN` that follows waits
 * for the lock under its own statement bound, as before.
 */
async function probeInsertPlugin(session: Session): Promise<boolean> {
  const [row] = await session.query("SELECT @@SESSION.lock_wait_timeout AS wait");
  const previous = Number(row.wait);
  await session.query("SET SESSION lock_wait_timeout = 1");
  try {
    await session.query("EXPLAIN INSERT INTO mysql.plugin (name, dl) VALUES ('', '')");
    return true;
  } catch (error) {
    if (isPrivilegeMissing(error)) return false;
    if (isLockWaitTimeout(error)) return true;
    throw error;
  } finally {
    if (Number.isSafeInteger(previous)) await session.query(`SET SESSION lock_wait_timeout = ${previous}`);
  }
}
