import * as assert from "node:assert/strict";
import { openConnection, testbedLogin } from "../testbed/sql-client";
import * as pulumi from "@pulumi/pulumi";
import { Stack } from "@pulumi/pulumi/automation";
import { SemisyncReplication } from "../../provider";
import { assertNoChangesAfterUp } from "../support/empty-plan";
import { inlineStack } from "../support/pulumi-workspace";
import { installedPlugins, semisyncVariables } from "../support/server-probes";
import { waitForReplicationRunning } from "../testbed/replication";
import { Server, Topology } from "../testbed/topology";
import { testBed } from "../support/test-bed";

/** Rejects, and the engine's report names `server` and matches `pattern`. */
async function failsNaming(work: Promise<unknown>, server: Server, pattern: RegExp): Promise<void> {
  try {
    await work;
  } catch (error) {
    const text = String((error as Error).message);
    assert.ok(text.includes(`[127.0.0.1:${server.port}]`), `the error names ${server.name} (127.0.0.1:${server.port}):\n${text.slice(-3000)}`);
    assert.match(text, pattern);
    return;
  }
  assert.fail("expected the deployment to fail");
}

const sourceEnabled = async (topology: Topology) => (await semisyncVariables(topology.source)).rpl_semi_sync_source_enabled;

describe("faults through the Pulumi engine: after the fault is gone, running again converges", function () {
  let stack: Stack;
  const bed = testBed("mysql", { replicas: 2 });

  async function converged() {
    const result = await stack.up();
    assert.equal(result.outputs.clients.value, 2);
    assert.equal(await sourceEnabled(bed.topology), "ON");
    await assertNoChangesAfterUp(stack);
  }

  before(async function () {
    ({ stack } = await inlineStack("semisync-faults", async () => {
      const password = pulumi.secret(bed.topology.source.password);
      const connection = (s: Server) => ({ host: s.host, port: s.port, user: s.user, password, connectTimeoutMs: 3_000 });
      const replication = new SemisyncReplication("faults", {
        source: connection(bed.topology.source),
        replicas: bed.topology.replicas.map((r) => ({ ...connection(r), name: r.name })),
        timeoutMs: 3000,
        clientsTimeoutMs: 5_000,
      });
      return { clients: replication.sourceClients };
    }));
  });

  it("the source down during up: up fails naming it and nothing reaches the replicas; up after it is back completes", async function () {
    await bed.topology.source.stop();
    try {
      await failsNaming(stack.up(), bed.topology.source, /no answer within 3000 ms|cannot connect/);
    } finally {
      await bed.topology.source.start();
    }
    for (const replica of bed.topology.replicas) assert.deepEqual(await installedPlugins(replica), [], `${replica.name} untouched`);
    await converged();
  });

  it("five consecutive ups with nothing changed change nothing", async function () {
    for (let i = 0; i < 5; i++) {
      const result = await stack.up();
      // The stack, the component, and its six resources.
      assert.deepEqual(result.summary.resourceChanges, { same: 8 }, `up #${i + 1}`);
    }
    // Each up above left the state exactly as it found it, so one check covers all five.
    await assertNoChangesAfterUp(stack);
  });

  it("a source restarted between up and refresh: refresh shows semisync switched off, up switches it on again", async function () {
    await bed.topology.source.restart();
    assert.deepEqual(await installedPlugins(bed.topology.source), ["rpl_semi_sync_source"], "INSTALL PLUGIN persists across restarts");
    assert.equal(await sourceEnabled(bed.topology), "OFF", "SET GLOBAL does not");
    // The replicas reconnect within their 1 s retry here; one still connecting would rightly be
    // repaired too (tests/e2e/restarts.test.ts), which is not what this test is about.
    await Promise.all(bed.topology.replicas.map((replica) => waitForReplicationRunning(replica)));
    await stack.refresh();
    const preview = await stack.preview();
    assert.equal(preview.changeSummary.update, 1, JSON.stringify(preview.changeSummary));
    await converged();
  });

  it("a replica down during destroy: destroy fails naming it, after switching the source off; destroy after it is back completes", async function () {
    const replica = bed.topology.replicas[0];
    await replica.stop();
    try {
      await failsNaming(stack.destroy(), replica, /no answer within 3000 ms|cannot connect/);
      assert.equal(await sourceEnabled(bed.topology), "OFF", "the source was switched off first");
    } finally {
      await replica.start();
    }
    await stack.destroy();
    for (const server of [bed.topology.source, ...bed.topology.replicas]) assert.deepEqual(await installedPlugins(server), []);
  });

  it("a replica down during up: up fails naming it and leaves the source off; up after it is back completes", async function () {
    const replica = bed.topology.replicas[1];
    await replica.stop();
    try {
      await failsNaming(stack.up(), replica, /no answer within 3000 ms|cannot connect/);
      assert.notEqual(await sourceEnabled(bed.topology), "ON", "the source is never switched on short of replicas");
      // The preflight reads every member before the first change: nothing was installed anywhere.
      for (const server of [bed.topology.source, bed.topology.replicas[0]]) assert.deepEqual(await installedPlugins(server), [], `${server.name} untouched`);
    } finally {
      await replica.start();
    }
    await converged();
    await stack.destroy();
  });

  it("a replica whose replication is stopped: up fails naming it and changing nothing there; up after START REPLICA completes", async function () {
    const replica = bed.topology.replicas[0];
    await replica.query("STOP REPLICA");
    try {
      await failsNaming(stack.up(), replica, /replication IO thread is not running.*Nothing was changed/s);
      assert.notEqual((await semisyncVariables(replica)).rpl_semi_sync_replica_enabled, "ON");
      // The preflight reads every member before the first change: nothing was installed anywhere.
      for (const server of [bed.topology.source, ...bed.topology.replicas]) assert.deepEqual(await installedPlugins(server), [], `${server.name} untouched`);
    } finally {
      await replica.query("START REPLICA");
    }
    await converged();
    await stack.destroy();
  });

  it("the provider's connection killed mid-statement: up fails naming the server; up again completes", async function () {
    const source = bed.topology.source;
    const locker = await openConnection(testbedLogin(source), { connectTimeoutMs: 10_000 });
    let up: Promise<unknown> | undefined;
    try {
      // INSTALL PLUGIN writes mysql.plugin: a global read lock holds it mid-statement.
      await locker.query("FLUSH TABLES WITH READ LOCK");
      up = stack.up();
      let victim: number | undefined;
      for (let i = 0; i < 300 && victim === undefined; i++) {
        const [rows] = await locker.query("SELECT ID AS id FROM information_schema.PROCESSLIST WHERE INFO LIKE 'INSTALL PLUGIN%'");
        victim = (rows as { id: number }[])[0]?.id;
        if (victim === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.ok(victim !== undefined, "the provider's INSTALL PLUGIN was seen waiting");
      await locker.query(`KILL ${Number(victim)}`);
    } finally {
      await locker.query("UNLOCK TABLES").catch(() => undefined);
      await locker.end();
    }
    await failsNaming(up!, source, /could not install the source plugin/);
    assert.deepEqual(await installedPlugins(source), []);
    await converged();
    await stack.destroy();
  });
});
