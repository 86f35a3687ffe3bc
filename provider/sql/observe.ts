import { ALL_PLUGIN_NAMES } from "../flavors/names";
import { Flavor } from "../flavors/generations";
import { Row, Session } from "./connection";

export interface ServerFacts {
  version: string;
  versionComment: string;
  compileOs: string;
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

export async function readFacts(session: Session): Promise<ServerFacts> {
  const [row] = await session.query(
    "SELECT @@version AS version, @@version_comment AS versionComment, @@version_compile_os AS compileOs, " +
      "@@have_dynamic_loading AS haveDynamicLoading, @@plugin_dir AS pluginDir, @@server_id AS serverId",
  );
  return {
    version: String(row.version),
    versionComment: String(row.versionComment ?? ""),
    compileOs: String(row.compileOs ?? ""),
    haveDynamicLoading: String(row.haveDynamicLoading ?? ""),
    pluginDir: String(row.pluginDir ?? ""),
    serverId: row.serverId === undefined || row.serverId === null ? undefined : Number(row.serverId),
  };
}

export async function observe(
  session: Session,
  flavor: Flavor,
  facts: ServerFacts,
  options: { channels?: boolean } = {},
): Promise<ObservedState> {
  const plugins = (
    await session.query(
      `SELECT PLUGIN_NAME AS pluginName, PLUGIN_STATUS AS pluginStatus, PLUGIN_LIBRARY AS pluginLibrary FROM information_schema.PLUGINS WHERE PLUGIN_NAME IN (${ALL_PLUGIN_NAMES.map(() => "?").join(", ")})`,
      [...ALL_PLUGIN_NAMES],
    )
  ).map((r) => ({ name: String(r.pluginName), status: String(r.pluginStatus), library: r.pluginLibrary === null ? null : String(r.pluginLibrary) }));
  const variables = nameValue(await session.query("SHOW GLOBAL VARIABLES LIKE 'rpl\\_semi\\_sync\\_%'"));
  const status = nameValue(await session.query("SHOW GLOBAL STATUS LIKE 'Rpl\\_semi\\_sync\\_%'"));
  const observed: ObservedState = { facts, plugins, variables, status };
  if (options.channels) observed.channels = await readChannels(session, flavor);
  if (flavor.supportsPersist) {
    observed.persisted = nameValue(
      await session.query(
        "SELECT VARIABLE_NAME AS Variable_name, VARIABLE_VALUE AS Value FROM performance_schema.persisted_variables WHERE VARIABLE_NAME LIKE 'rpl\\_semi\\_sync\\_%'",
      ),
    );
  }
  return observed;
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
