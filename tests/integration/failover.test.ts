import * as assert from "assert";
import { FailedOverTopology, promote } from "../testbed/failover";
import { lanes } from "../testbed/lanes";
import { replicationStatus } from "../testbed/replication";
import { sleep } from "../testbed/sql-client";
import { Server, Topology } from "../testbed/topology";
import { testBed } from "../support/test-bed";

const REPLICATION_DEADLINE_MS = 30_000;

async function insertRow(source: Server, id: number): Promise<void> {
  await source.query("INSERT INTO failover_probe.notes (id, note) VALUES (?, ?)", [id, `written on ${source.name}`]);
}

async function waitForRow(member: Server, id: number): Promise<void> {
  const deadline = Date.now() + REPLICATION_DEADLINE_MS;
  for (;;) {
    const rows = await member.query("SELECT note FROM failover_probe.notes WHERE id = ?", [id]);
    if (rows.length === 1) return;
    if (Date.now() >= deadline) throw new Error(`row ${id} did not reach ${member.name} within ${REPLICATION_DEADLINE_MS / 1000} s`);
    await sleep(200);
  }
}

async function readOnly(server: Server): Promise<number> {
  const [row] = await server.query("SELECT @@GLOBAL.read_only AS ro");
  return Number(row.ro);
}

/** Every member but the source replicates from it with both threads running, and holds `ids`. */
async function assertReplicatingFrom(roles: Topology, ids: number[]): Promise<void> {
  assert.strictEqual(await replicationStatus(roles.source), undefined, `${roles.source.name} replicates from no one`);
  assert.strictEqual(await readOnly(roles.source), 0, `${roles.source.name} takes writes`);
  for (const replica of roles.replicas) {
    const status = await replicationStatus(replica);
    assert.deepStrictEqual({ name: replica.name, port: status?.sourcePort, io: status?.ioRunning, sql: status?.sqlRunning }, { name: replica.name, port: roles.source.port, io: true, sql: true });
    for (const id of ids) await waitForRow(replica, id);
  }
}

for (const lane of lanes()) {
  describe(`test-bed failover (tests/testbed/failover.ts) on ${lane.name} (${lane.image})`, function () {
    this.timeout(300_000);
    let failedOver: FailedOverTopology;
    const bed = testBed(lane, { replicas: 2 });

    before(async function () {
      await bed.topology.source.query("CREATE DATABASE failover_probe");
      await bed.topology.source.query("CREATE TABLE failover_probe.notes (id INT PRIMARY KEY, note VARCHAR(64) NOT NULL)");
    });

    it("refuses to promote the current source, naming it, and changes nothing", async function () {
      await assert.rejects(promote(bed.topology, bed.topology.source), new RegExp(`"source" \\[127\\.0\\.0\\.1:${bed.topology.source.port}\\] is already the source`));
      assert.strictEqual(await readOnly(bed.topology.source), 0);
      await assertReplicatingFrom(bed.topology, []);
    });

    it("promotes a replica: it takes writes that reach every other member, and the old source is a read-only replica of it", async function () {
      await insertRow(bed.topology.source, 1); // written before the failover: must survive it
      failedOver = await promote(bed.topology, 0);
      const [promoted, untouched] = bed.topology.replicas;
      assert.strictEqual(failedOver.source, promoted);
      assert.deepStrictEqual(
        failedOver.replicas.map((r) => r.name),
        [bed.topology.source.name, untouched.name],
      );
      assert.strictEqual(failedOver.oldSource, bed.topology.source);
      assert.strictEqual(await readOnly(bed.topology.source), 1, "the old source no longer takes writes");
      await insertRow(promoted, 2);
      await assertReplicatingFrom(failedOver, [1, 2]);
    });

    it("fails back to the original source from the failed-over topology; no transaction is applied twice or lost", async function () {
      const failedBack = await promote(failedOver, bed.topology.source);
      assert.strictEqual(failedBack.source, bed.topology.source);
      assert.strictEqual(failedBack.oldSource, bed.topology.replicas[0]);
      await insertRow(bed.topology.source, 3);
      await assertReplicatingFrom(failedBack, [1, 2, 3]);
      // A transaction fetched again would have stopped the SQL thread with a duplicate key.
      const [count] = await bed.topology.replicas[1].query("SELECT COUNT(*) AS n FROM failover_probe.notes");
      assert.strictEqual(Number(count.n), 3);
    });
  });
}
