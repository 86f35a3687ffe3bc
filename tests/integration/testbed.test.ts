import * as assert from "assert";
import { lanes } from "../testbed/lanes";
import { replicationStatus, waitForReplicationRunning } from "../testbed/replication";
import { sleep } from "../testbed/sql-client";
import { Server } from "../testbed/topology";
import { testBed } from "../support/test-bed";

const REPLICATION_DEADLINE_MS = 30_000;

async function eventually<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + REPLICATION_DEADLINE_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new Error(`${what} within ${REPLICATION_DEADLINE_MS / 1000} s`);
    await sleep(200);
  }
}

async function insertProbeRow(source: Server, id: number): Promise<void> {
  await source.query("INSERT INTO testbed_probe.notes (id, note) VALUES (?, ?)", [id, `note ${id}`]);
}

async function waitForProbeRow(replica: Server, id: number): Promise<void> {
  await eventually(`row ${id} did not reach ${replica.name}`, async () => {
    const rows = await replica.query("SELECT note FROM testbed_probe.notes WHERE id = ?", [id]);
    return rows.length === 1 ? rows[0].note : undefined;
  });
}

for (const lane of lanes()) {
  describe(`test bed on ${lane.name} (${lane.image})`, function () {
    this.timeout(300_000);
    const bed = testBed(lane, { replicas: 2 });

    before(async function () {
      await bed.topology.source.query("CREATE DATABASE testbed_probe");
      await bed.topology.source.query("CREATE TABLE testbed_probe.notes (id INT PRIMARY KEY, note VARCHAR(64) NOT NULL)");
    });

    it("runs both replication threads on every replica and none on the source", async function () {
      assert.strictEqual(await replicationStatus(bed.topology.source), undefined);
      for (const replica of bed.topology.replicas) {
        const status = await replicationStatus(replica);
        assert.deepStrictEqual({ name: replica.name, io: status?.ioRunning, sql: status?.sqlRunning }, { name: replica.name, io: true, sql: true });
      }
    });

    it("gives every server its own server id and port on 127.0.0.1", async function () {
      const servers = [bed.topology.source, ...bed.topology.replicas];
      const ids = await Promise.all(servers.map(async (server) => (await server.query("SELECT @@server_id AS id"))[0].id));
      assert.deepStrictEqual(
        ids,
        servers.map((server) => server.serverId),
      );
      assert.strictEqual(new Set(ids).size, servers.length);
      assert.strictEqual(new Set(servers.map((server) => server.port)).size, servers.length);
      assert.ok(servers.every((server) => server.host === "127.0.0.1"));
    });

    it("replicates a row written on the source to every replica", async function () {
      await insertProbeRow(bed.topology.source, 1);
      await Promise.all(bed.topology.replicas.map((replica) => waitForProbeRow(replica, 1)));
    });

    if (lane.family === "mysql") {
      it("reads SET PERSIST values back at a restart, as a server started from its option file does", async function () {
        const [replica] = bed.topology.replicas;
        await replica.query("SET PERSIST max_connections = 77");
        await replica.restart();
        const [row] = await replica.query("SELECT @@GLOBAL.max_connections AS n");
        assert.strictEqual(Number(row.n), 77);
        await replica.query("RESET PERSIST max_connections");
        await waitForReplicationRunning(replica);
      });

      it("runs every server with GTID mode on", async function () {
        for (const server of [bed.topology.source, ...bed.topology.replicas]) {
          const [row] = await server.query("SELECT @@GLOBAL.gtid_mode AS mode");
          assert.strictEqual(row.mode, "ON", `gtid_mode on ${server.name}`);
        }
      });
    } else {
      it("records the source's GTID position in gtid_slave_pos on every replica", async function () {
        await insertProbeRow(bed.topology.source, 2);
        const [{ position }] = await bed.topology.source.query("SELECT @@GLOBAL.gtid_binlog_pos AS position");
        assert.notStrictEqual(position, "");
        for (const replica of bed.topology.replicas) {
          await eventually(`gtid_slave_pos on ${replica.name} did not reach ${position}`, async () => {
            const [row] = await replica.query("SELECT @@GLOBAL.gtid_slave_pos AS position");
            return row.position === position ? row.position : undefined;
          });
        }
      });
    }

    it("resumes replication after a replica restarts", async function () {
      const [restarted, untouched] = bed.topology.replicas;
      await restarted.restart();
      await waitForReplicationRunning(restarted);
      await insertProbeRow(bed.topology.source, 3);
      await Promise.all([waitForProbeRow(restarted, 3), waitForProbeRow(untouched, 3)]);
    });
  });
}
