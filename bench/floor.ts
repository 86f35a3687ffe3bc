// The floor: a hand-written mysql2 script doing what SemisyncReplication does on MySQL 8.0.26+
// (modern names), in the same stall-free order, with nothing else — no state, no engine, no
// observation beyond the one wait that keeps commits from stalling. Run as its own process so its
// wall time includes a Node start, like every other approach the bench compares.
//
//   BENCH_TARGET='{"source":{host,port,user,password},"replicas":[…],"timeoutMs":10000}' node dist/bench/floor.js up|down
import * as mysql from "mysql2/promise";
import { openConnection } from "../tests/testbed/sql-client";

interface Address {
  host: string;
  port: number;
  user: string;
  password: string;
}

interface Target {
  source: Address;
  replicas: Address[];
  timeoutMs: number;
}

const POLL_MS = 20;
const WAIT_LIMIT_MS = 30_000;

// TLS when offered: a cold caching_sha2_password login needs it (tests/testbed/sql-client.ts).
const connect = (a: Address) => openConnection(a, { connectTimeoutMs: 10_000 });

async function clients(source: mysql.Connection): Promise<number> {
  const [rows] = await source.query<mysql.RowDataPacket[]>("SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_source_clients'");
  return Number(rows[0]?.Value ?? 0);
}

/** Bounded: a commit must not wait on a replica that is not a semisync client yet. */
async function waitForClients(source: mysql.Connection, done: (n: number) => boolean): Promise<void> {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  while (!done(await clients(source))) {
    if (Date.now() > deadline) throw new Error("semisync client count did not settle within 30 s");
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function up(target: Target): Promise<void> {
  const source = await connect(target.source);
  try {
    // 1. The source plugin, switched off: replicas can register, no commit waits yet.
    await source.query("INSTALL PLUGIN rpl_semi_sync_source SONAME 'semisync_source.so'");
    // 2. Every replica at once: plugin, switch, IO thread restart (registration is per connection).
    await Promise.all(
      target.replicas.map(async (address) => {
        const replica = await connect(address);
        try {
          await replica.query("INSTALL PLUGIN rpl_semi_sync_replica SONAME 'semisync_replica.so'");
          await replica.query("SET GLOBAL rpl_semi_sync_replica_enabled = ON");
          await replica.query("STOP REPLICA IO_THREAD");
          await replica.query("START REPLICA IO_THREAD");
        } finally {
          await replica.end();
        }
      }),
    );
    // 3. Wait for the clients, then switch the source on.
    await waitForClients(source, (n) => n >= target.replicas.length);
    await source.query(`SET GLOBAL rpl_semi_sync_source_timeout = ${Number(target.timeoutMs)}`);
    await source.query("SET GLOBAL rpl_semi_sync_source_enabled = ON");
  } finally {
    await source.end();
  }
}

async function down(target: Target): Promise<void> {
  const source = await connect(target.source);
  try {
    // The reverse: the source stops waiting first, so no replica's departure can stall a commit.
    await source.query("SET GLOBAL rpl_semi_sync_source_enabled = OFF");
    await Promise.all(
      target.replicas.map(async (address) => {
        const replica = await connect(address);
        try {
          await replica.query("SET GLOBAL rpl_semi_sync_replica_enabled = OFF");
          await replica.query("STOP REPLICA IO_THREAD");
          await replica.query("START REPLICA IO_THREAD");
          await replica.query("UNINSTALL PLUGIN rpl_semi_sync_replica");
        } finally {
          await replica.end();
        }
      }),
    );
    // UNINSTALL is refused while the client count (which lags ~0.5 s) is above 0.
    await waitForClients(source, (n) => n === 0);
    await source.query("UNINSTALL PLUGIN rpl_semi_sync_source");
  } finally {
    await source.end();
  }
}

const action = process.argv[2];
const target = JSON.parse(process.env.BENCH_TARGET ?? "null") as Target | null;
if (!target || (action !== "up" && action !== "down")) {
  process.stderr.write("usage: BENCH_TARGET='{…}' node dist/bench/floor.js up|down\n");
  process.exit(2);
}
(action === "up" ? up(target) : down(target)).catch((error) => {
  process.stderr.write(`floor ${action} failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
