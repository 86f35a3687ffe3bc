/**
 * A real failover on the test bed, as an orchestrator (orchestrator, replication-manager, an
 * operator) does it with GTIDs. Real statements on real servers; Pulumi is not involved, which is
 * the point: the program learns about the new roles only when its user edits it.
 *
 *   1. stop writes on the old source (`super_read_only` where it exists, else `read_only`);
 *   2. wait until the new source has applied everything the old one wrote
 *      (`WAIT_FOR_EXECUTED_GTID_SET` on MySQL, `MASTER_GTID_WAIT` on MariaDB);
 *   3. `STOP REPLICA` + `RESET REPLICA ALL` on the new source, then make it writable;
 *   4. point every other member, the old source included, at the new source with GTID
 *      auto-positioning and start replication;
 *   5. wait until every re-pointed member's threads run against the new source.
 *
 * Semisync is left exactly as it is: the plugins, the switches and the IO threads' semisync
 * state are what the program's next `up` has to deal with.
 */
import { ConnectRetry, ReplicationStatus, configureReplica, replicationStatus, resetReplicaAllStatement, serverFlavor, stopReplicaStatement } from "./replication";
import { Server } from "./server";
import { sleep, testbedLogin, withConnection } from "./sql-client";
import { Topology } from "./topology";

export interface PromoteOptions {
  /**
   * The members to re-point at the new source. Defaults to every member of the topology but the
   * new source (the old source included).
   */
  others?: Server[];
  /** Bound of each wait and of each statement, in ms. Defaults to 30 s. */
  waitMs?: number;
  /** Reconnect interval of the re-pointed replicas. Defaults to 1 s, as startTopology's. */
  connectRetry?: ConnectRetry;
  /**
   * How writes are stopped on the old source: "super_read_only" (where the server has it, else
   * read_only) or "read_only" alone, which is orchestrator's default (`UseSuperReadOnly: false`)
   * and leaves users with SUPER / CONNECTION_ADMIN able to write. Defaults to "super_read_only".
   */
  stopWrites?: "super_read_only" | "read_only";
  /**
   * The old source, down (a stopped or frozen container): an orchestrator's dead-source recovery.
   * Writes are not stopped there and nothing is asked of it; the new source applies what it has
   * received before it takes writes, and only the live members are re-pointed.
   */
  deadSource?: Server;
}

/** The topology with its new roles; `stop()` still stops every container. */
export interface FailedOverTopology extends Topology {
  /** The source before the failover, now a read-only replica of the new source. */
  readonly oldSource: Server;
}

const DEFAULT_WAIT_MS = 30_000;

function where(server: Server): string {
  return `"${server.name}" [127.0.0.1:${server.port}]`;
}

/** One statement on its own connection, given up on (connection destroyed) after `waitMs`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a row's columns are read as each caller expects them
async function run<R = Record<string, any>>(server: Server, sql: string, waitMs: number, params?: unknown[]): Promise<R[]> {
  try {
    return await withConnection(testbedLogin(server), async (connection) => {
      const [result] = await connection.query({ sql, timeout: waitMs }, params);
      return Array.isArray(result) ? (result as R[]) : [];
    });
  } catch (error) {
    throw new Error(`failover: ${sql.split(" ").slice(0, 4).join(" ")} … on ${where(server)} failed: ${(error as Error).message}`);
  }
}

async function hasVariable(server: Server, name: string, waitMs: number): Promise<boolean> {
  return (await run(server, "SHOW GLOBAL VARIABLES LIKE ?", waitMs, [name])).length > 0;
}

/** The member that replicates from no one; a failover needs exactly one. */
async function currentSource(members: Server[]): Promise<Server> {
  const statuses = await Promise.all(members.map((member) => replicationStatus(member)));
  const sources = members.filter((_, index) => statuses[index] === undefined);
  if (sources.length !== 1) {
    throw new Error(`failover: expected exactly one member that replicates from no one (the current source), found ` + `${sources.length}: ${sources.map(where).join(", ") || "none"}`);
  }
  return sources[0];
}

/** Everything `server` has written, in the form the other members' GTID wait function takes. */
async function executedGtids(server: Server, family: "mysql" | "mariadb", waitMs: number): Promise<string> {
  if (family === "mariadb") {
    const [row] = await run(server, "SELECT @@GLOBAL.gtid_binlog_pos AS gtids", waitMs);
    return row.gtids;
  }
  const [row] = await run(server, "SELECT @@GLOBAL.gtid_mode AS mode, @@GLOBAL.gtid_executed AS gtids", waitMs);
  if (row.mode !== "ON") throw new Error(`failover: ${where(server)} has gtid_mode ${row.mode}; promote needs a GTID topology (startTopology's default)`);
  return row.gtids;
}

/** What `replica` has received from its (dead) source: its IO thread's GTID set. */
async function receivedGtids(replica: Server, family: "mysql" | "mariadb", waitMs: number): Promise<string> {
  if (family === "mariadb") {
    const [row] = await run(replica, "SHOW SLAVE STATUS", waitMs);
    return row?.Gtid_IO_Pos ?? "";
  }
  const [row] = await run(replica, "SELECT RECEIVED_TRANSACTION_SET AS gtids FROM performance_schema.replication_connection_status WHERE CHANNEL_NAME = ''", waitMs);
  return row?.gtids ?? "";
}

async function waitUntilApplied(server: Server, family: "mysql" | "mariadb", gtids: string, waitMs: number): Promise<void> {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  // WAIT_FOR_EXECUTED_GTID_SET returns 0 once applied, 1 on timeout; MASTER_GTID_WAIT 0 or -1.
  const sql = family === "mariadb" ? "SELECT MASTER_GTID_WAIT(?, ?) AS r" : "SELECT WAIT_FOR_EXECUTED_GTID_SET(?, ?) AS r";
  const [row] = await run(server, sql, waitMs + 5_000, [gtids, seconds]);
  if (Number(row.r) !== 0) {
    throw new Error(`failover: ${where(server)} did not apply the old source's transactions (${gtids.replace(/\s+/g, "")}) within ${seconds} s; is it replicating?`);
  }
}

async function waitUntilReplicatingFrom(member: Server, source: Server, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  let status: ReplicationStatus | undefined;
  for (;;) {
    status = await replicationStatus(member);
    if (status?.ioRunning && status.sqlRunning && status.sourcePort === source.port) return;
    if (Date.now() >= deadline) break;
    await sleep(200);
  }
  const detail = status
    ? `pointed at port ${status.sourcePort}, IO thread ${status.ioRunning ? "connected" : `not connected (${status.lastIoError || "no error"})`}, ` +
      `SQL thread ${status.sqlRunning ? "running" : `stopped (${status.lastSqlError || "no error"})`}`
    : "it is not configured as a replica";
  throw new Error(`failover: ${where(member)} did not replicate from ${where(source)} within ${waitMs / 1000} s: ${detail}`);
}

/**
 * Promotes `newSource` (an index into `topology.replicas`, or one of the topology's servers) to
 * source, as an orchestrator does, and returns the topology with its new roles. The current source
 * is found by asking the servers (the one member that replicates from no one), so the topology
 * returned by an earlier promote, or the original one, both work for a fail-back.
 */
export async function promote(topology: Topology, newSource: number | Server, options: PromoteOptions = {}): Promise<FailedOverTopology> {
  const waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
  const members = [topology.source, ...topology.replicas];
  const promoted = typeof newSource === "number" ? topology.replicas[newSource] : newSource;
  if (!promoted || !members.includes(promoted)) throw new Error(`failover: ${String(typeof newSource === "number" ? `replica index ${newSource}` : newSource.name)} is not a member of topology ${topology.id}`);
  const dead = options.deadSource;
  const oldSource = dead ?? (await currentSource(members));
  if (oldSource === promoted) throw new Error(`failover: ${where(promoted)} is already the source`);
  const others = options.others ?? members.filter((member) => member !== promoted && member !== dead);
  const { family } = await serverFlavor(promoted);

  if (dead) {
    // 1–2 with the source gone: the new source applies everything it received from it.
    await waitUntilApplied(promoted, family, await receivedGtids(promoted, family, waitMs), waitMs);
  } else {
    // 1. No new writes on the old source. super_read_only (MySQL) also stops users with SUPER.
    const superReadOnly = (options.stopWrites ?? "super_read_only") === "super_read_only" && (await hasVariable(oldSource, "super_read_only", waitMs));
    await run(oldSource, `SET GLOBAL ${superReadOnly ? "super_read_only" : "read_only"} = ON`, waitMs);

    // 2. Nothing the old source wrote may be lost: the new source applies all of it first.
    await waitUntilApplied(promoted, family, await executedGtids(oldSource, family, waitMs), waitMs);
  }

  // 3. The new source forgets its source and takes writes.
  const promotedFlavor = await serverFlavor(promoted);
  await run(promoted, stopReplicaStatement(promotedFlavor), waitMs);
  await run(promoted, resetReplicaAllStatement(promotedFlavor), waitMs);
  await run(promoted, "SET GLOBAL read_only = OFF", waitMs); // also turns super_read_only off

  // 4–5. Everyone else replicates from the new source.
  await repoint(others, promoted, topology.replicationPassword, { demoted: oldSource, waitMs, connectRetry: options.connectRetry });

  return { ...topology, source: promoted, replicas: others, oldSource };
}

/**
 * Points `members` at `source` with GTID auto-positioning and waits (bounded) until each
 * replicates from it: step 4–5 of `promote`, and what an orchestrator does with a dead source that
 * comes back (`demoted`: it was a source, so its own writes are in its binlog).
 */
export async function repoint(members: Server[], source: Server, replicationPassword: string, options: { demoted?: Server; waitMs?: number; connectRetry?: ConnectRetry } = {}): Promise<void> {
  const waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
  for (const member of members) {
    const flavor = await serverFlavor(member);
    if (await replicationStatus(member)) await run(member, stopReplicaStatement(flavor), waitMs);
    if (flavor.family === "mariadb" && member === options.demoted) {
      // A MariaDB replica asks for the events after gtid_slave_pos, and the old source's own writes
      // are in its binlog, not there: the GTID page of MariaDB's manual has a demoted source copy
      // gtid_binlog_pos into gtid_slave_pos first (or use current_pos). Without it the member asks
      // from an old position and is saved only by skipping events that carry its own server_id.
      await run(member, "SET GLOBAL gtid_slave_pos = @@GLOBAL.gtid_binlog_pos", waitMs);
    }
    await configureReplica(member, source, replicationPassword, true, options.connectRetry ?? 1);
  }

  // Bounded: a re-pointed member that cannot log in or fetch fails here, naming itself.
  await Promise.all(members.map((member) => waitUntilReplicatingFrom(member, source, waitMs)));
}
