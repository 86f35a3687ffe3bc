import { Server } from "./server";
import { sleep } from "./sql-client";

export interface ServerFlavor {
  family: "mysql" | "mariadb";
  version: [number, number, number];
}

export interface ReplicationStatus {
  ioRunning: boolean;
  /** True only when the IO thread is stopped: `Connecting` (just started, or retrying) is not. */
  ioStopped: boolean;
  sqlRunning: boolean;
  lastIoError: string;
  lastSqlError: string;
  /** The port of the source this replica is pointed at. */
  sourcePort: number;
}

interface BinlogCoordinates {
  file: string;
  position: number;
}

export async function serverFlavor(server: Server): Promise<ServerFlavor> {
  const [row] = await server.query<{ version: string }>("SELECT VERSION() AS version");
  const numbers = /^(\d+)\.(\d+)\.(\d+)/.exec(row.version);
  if (!numbers) throw new Error(`server "${server.name}" reports an unparsable version "${row.version}"`);
  return {
    family: /mariadb/i.test(row.version) ? "mariadb" : "mysql",
    version: [Number(numbers[1]), Number(numbers[2]), Number(numbers[3])],
  };
}

function atLeast(flavor: ServerFlavor, major: number, minor: number, patch: number): boolean {
  const [a, b, c] = flavor.version;
  return a !== major ? a > major : b !== minor ? b > minor : c >= patch;
}

// MySQL 8.4 and 9.x reject the SLAVE spellings; MariaDB before 10.5.1 and MySQL before 8.0.22 lack REPLICA.
function speaksReplica(flavor: ServerFlavor): boolean {
  return flavor.family === "mariadb" ? atLeast(flavor, 10, 5, 1) : atLeast(flavor, 8, 0, 22);
}

function showReplicaStatusStatement(flavor: ServerFlavor): string {
  return speaksReplica(flavor) ? "SHOW REPLICA STATUS" : "SHOW SLAVE STATUS";
}

export function startReplicaStatement(flavor: ServerFlavor): string {
  return speaksReplica(flavor) ? "START REPLICA" : "START SLAVE";
}

export function stopReplicaStatement(flavor: ServerFlavor): string {
  return speaksReplica(flavor) ? "STOP REPLICA" : "STOP SLAVE";
}

/** Forgets the source and the connection settings, as a promoted replica must. */
export function resetReplicaAllStatement(flavor: ServerFlavor): string {
  return speaksReplica(flavor) ? "RESET REPLICA ALL" : "RESET SLAVE ALL";
}

function showSourceStatusStatement(flavor: ServerFlavor): string {
  return flavor.family === "mysql" && atLeast(flavor, 8, 2, 0) ? "SHOW BINARY LOG STATUS" : "SHOW MASTER STATUS";
}

/**
 * Seconds between a replica's reconnect attempts after it loses its source, or "server-default"
 * to leave the server's own (60 s on MySQL and MariaDB), which is what users run with.
 */
export type ConnectRetry = number | "server-default";

function changeSourceStatement(
  flavor: ServerFlavor,
  source: Server,
  replicationPassword: string,
  position: "gtid" | BinlogCoordinates,
  connectRetry: ConnectRetry,
  sourceRequiresTls = false,
): { sql: string; params: unknown[] } {
  const params: unknown[] = [source.host, source.port, "repl", replicationPassword];
  const byCoordinates = (prefix: string) => {
    if (position === "gtid") return [];
    params.push(position.file, position.position);
    return [`${prefix}_LOG_FILE = ?`, `${prefix}_LOG_POS = ?`];
  };
  const retry = (prefix: string) => (connectRetry === "server-default" ? [] : [`${prefix}_CONNECT_RETRY = ${Math.max(1, Math.floor(connectRetry))}`]);
  let options: string[];
  if (flavor.family === "mariadb") {
    options = [...retry("MASTER"), ...byCoordinates("MASTER"), `MASTER_USE_GTID = ${position === "gtid" ? "slave_pos" : "no"}`];
    return { sql: `CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?, ${options.join(", ")}`, params };
  }
  const prefix = atLeast(flavor, 8, 0, 23) ? "SOURCE" : "MASTER";
  // RETRY_COUNT 86400 is the server default too; it is spelt out only next to a short retry.
  options = connectRetry === "server-default" ? [] : [...retry(prefix), `${prefix}_RETRY_COUNT = 86400`];
  // caching_sha2_password (the 8.0+ default) needs the source's RSA key on a connection without TLS.
  if (flavor.version[0] >= 8) options.push(`GET_${prefix}_PUBLIC_KEY = 1`);
  // A source with require_secure_transport refuses a channel without TLS.
  if (sourceRequiresTls) options.push(`${prefix}_SSL = 1`);
  options.push(...(position === "gtid" ? [`${prefix}_AUTO_POSITION = 1`] : byCoordinates(prefix)));
  const head = prefix === "SOURCE" ? "CHANGE REPLICATION SOURCE TO" : "CHANGE MASTER TO";
  return {
    sql: `${head} ${prefix}_HOST = ?, ${prefix}_PORT = ?, ${prefix}_USER = ?, ${prefix}_PASSWORD = ?, ${options.join(", ")}`,
    params,
  };
}

async function currentBinlogCoordinates(source: Server): Promise<BinlogCoordinates> {
  const [row] = await source.query(showSourceStatusStatement(await serverFlavor(source)));
  if (!row) throw new Error(`server "${source.name}" has no binary log to replicate from`);
  return { file: row.File, position: Number(row.Position) };
}

/**
 * Points replica at source (GTID auto-positioning, or the source's current binlog position) and
 * starts it. The replica's threads must be stopped (CHANGE REPLICATION SOURCE refuses otherwise).
 */
export async function configureReplica(replica: Server, source: Server, replicationPassword: string, gtid: boolean, connectRetry: ConnectRetry = 1): Promise<void> {
  const flavor = await serverFlavor(replica);
  const position = gtid ? "gtid" : await currentBinlogCoordinates(source);
  const change = changeSourceStatement(flavor, source, replicationPassword, position, connectRetry, await requiresSecureTransport(source));
  await replica.query(change.sql, change.params);
  await replica.query(startReplicaStatement(flavor));
}

async function requiresSecureTransport(server: Server): Promise<boolean> {
  const [row] = await server.query("SHOW GLOBAL VARIABLES LIKE 'require_secure_transport'");
  return row?.Value === "ON";
}

/** The replication threads' state, or undefined when the server is not a replica. */
export async function replicationStatus(replica: Server): Promise<ReplicationStatus | undefined> {
  const [row] = await replica.query(showReplicaStatusStatement(await serverFlavor(replica)));
  if (!row) return undefined;
  return {
    ioRunning: (row.Replica_IO_Running ?? row.Slave_IO_Running) === "Yes",
    ioStopped: (row.Replica_IO_Running ?? row.Slave_IO_Running) === "No",
    sqlRunning: (row.Replica_SQL_Running ?? row.Slave_SQL_Running) === "Yes",
    lastIoError: row.Last_IO_Error ?? "",
    lastSqlError: row.Last_SQL_Error ?? "",
    sourcePort: Number(row.Source_Port ?? row.Master_Port),
  };
}

export async function waitForReplicationRunning(replica: Server, waitMs = 60_000): Promise<void> {
  const deadline = Date.now() + waitMs;
  let status: ReplicationStatus | undefined;
  while (Date.now() < deadline) {
    status = await replicationStatus(replica);
    if (status?.ioRunning && status.sqlRunning) return;
    await sleep(250);
  }
  const detail = status
    ? `IO thread ${status.ioRunning ? "running" : "stopped"} (${status.lastIoError || "no error"}), ` + `SQL thread ${status.sqlRunning ? "running" : "stopped"} (${status.lastSqlError || "no error"})`
    : "it is not configured as a replica";
  throw new Error(`replication on "${replica.name}" (127.0.0.1:${replica.port}) did not run within ${waitMs / 1000} s: ${detail}`);
}
