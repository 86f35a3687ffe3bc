import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { SemisyncEnablement, SemisyncPlugin, SemisyncReplication } from "../../provider";
import { CommitWriter, maxLatency, STALL_MS, startCommitWriter } from "../support/commit-writer";
import { inlineStack, readTree } from "../support/pulumi-workspace";
import { installedPlugins, semisyncSnapshot as snapshot, semisyncStatus, semisyncVariables } from "../support/server-probes";
import { waitForReplicationRunning } from "../testbed/replication";
import { Server, Topology } from "../testbed/topology";
import { testBed } from "../support/test-bed";

const connectionOf = (s: Server, password: pulumi.Input<string>) => ({ host: s.host, port: s.port, user: s.user, password, connectTimeoutMs: 5_000 });

/** Rejects; the engine's report names `server` and matches every pattern. Returns the report. */
async function failsNaming(work: Promise<unknown>, server: Server, ...patterns: RegExp[]): Promise<string> {
  try {
    await work;
  } catch (error) {
    const text = String((error as Error).message);
    assert.ok(text.includes(`[127.0.0.1:${server.port}]`), `the error names ${server.name} (127.0.0.1:${server.port}):\n${text.slice(-3000)}`);
    for (const pattern of patterns) assert.match(text, pattern);
    return text;
  }
  assert.fail("expected the deployment to fail");
}

function componentProgram(topology: Topology, replicas: () => Server[]) {
  return async () => {
    const password = pulumi.secret(topology.source.password);
    new SemisyncReplication("orders", {
      source: connectionOf(topology.source, password),
      replicas: replicas().map((r) => ({ ...connectionOf(r, password), name: r.name })),
      timeoutMs: 3_000,
      clientsTimeoutMs: 5_000,
    });
  };
}

describe("every member checked before any is changed, and a replica's source and registration are real", function () {
  const bed = testBed("mysql", { replicas: 2 });

  it("a topology whose second replica has replication stopped is refused naming that replica, with no server changed", async function () {
    const [, replica2] = bed.topology.replicas;
    const { stack } = await inlineStack(
      "semisync-preflight-stopped",
      componentProgram(bed.topology, () => bed.topology.replicas),
    );
    await replica2.query("STOP REPLICA");
    try {
      const before = await snapshot(bed.topology);
      await failsNaming(stack.up(), replica2, /replication IO thread is not running.*Nothing was changed on any server.*Fix: start replication \(START REPLICA\)/s);
      assert.equal(await snapshot(bed.topology), before, "nothing changed on the source or either replica");
      for (const server of [bed.topology.source, ...bed.topology.replicas]) assert.deepEqual(await installedPlugins(server), [], `${server.name} has no plugin`);
    } finally {
      await replica2.query("START REPLICA");
      await waitForReplicationRunning(replica2);
    }
    await stack.destroy();
  });

  it("a topology whose second replica has two replication channels is refused naming that replica, with no server changed", async function () {
    const [, replica2] = bed.topology.replicas;
    const { stack } = await inlineStack(
      "semisync-preflight-channels",
      componentProgram(bed.topology, () => bed.topology.replicas),
    );
    // Configured, never started: port 1 only keeps it distinct from the default channel.
    await replica2.query("CHANGE REPLICATION SOURCE TO SOURCE_HOST='127.0.0.1', SOURCE_PORT=1, SOURCE_USER='nobody' FOR CHANNEL 'second'");
    try {
      const before = await snapshot(bed.topology);
      await failsNaming(stack.up(), replica2, /only on the default replication channel.*'second'.*Nothing was changed on any server/s);
      assert.equal(await snapshot(bed.topology), before, "nothing changed on the source or either replica");
    } finally {
      await replica2.query("RESET REPLICA ALL FOR CHANNEL 'second'");
    }
    await stack.destroy();
  });

  it("a replica that replicates from another server than its declared source is refused naming both addresses, with no server changed", async function () {
    const [replica1, replica2] = bed.topology.replicas;
    const { stack } = await inlineStack(
      "semisync-preflight-source",
      componentProgram(bed.topology, () => [replica2]),
    );
    // An external failover in miniature: replica-2 now replicates from replica-1.
    await replica2.query("STOP REPLICA");
    await replica2.query("CHANGE REPLICATION SOURCE TO SOURCE_PORT = ?", [replica1.port]);
    await replica2.query("START REPLICA");
    try {
      await waitForReplicationRunning(replica2);
      const before = await snapshot(bed.topology);
      await failsNaming(
        stack.up(),
        replica2,
        new RegExp(
          `replicates from 127\\.0\\.0\\.1:${replica1.port} \\(server_id ${replica1.serverId}\\), but its declared source is 127\\.0\\.0\\.1:${bed.topology.source.port} \\(server_id ${bed.topology.source.serverId}\\).*Nothing was changed on any server`,
          "s",
        ),
      );
      assert.equal(await snapshot(bed.topology), before, "nothing changed on any server");
    } finally {
      await replica2.query("STOP REPLICA");
      await replica2.query("CHANGE REPLICATION SOURCE TO SOURCE_PORT = ?", [bed.topology.source.port]);
      await replica2.query("START REPLICA");
      await waitForReplicationRunning(replica2);
    }
    await stack.destroy();
  });

  it("a topology whose second replica's source rejects its replication password is refused naming that replica, with no server changed", async function () {
    const [, replica2] = bed.topology.replicas;
    const { stack } = await inlineStack(
      "semisync-preflight-ioauth",
      componentProgram(bed.topology, () => bed.topology.replicas),
    );
    // A replication user of this test's own, so the channel can be put right afterwards.
    await bed.topology.source.query("CREATE USER IF NOT EXISTS 'ioauth'@'%' IDENTIFIED BY 'right-Pw-123'");
    await bed.topology.source.query("GRANT REPLICATION SLAVE ON *.* TO 'ioauth'@'%'");
    const pointAt = async (password: string) => {
      await replica2.query("STOP REPLICA");
      await replica2.query("CHANGE REPLICATION SOURCE TO SOURCE_USER = 'ioauth', SOURCE_PASSWORD = ?", [password]);
      await replica2.query("START REPLICA");
    };
    await pointAt("wrong-Pw-123");
    try {
      // The IO thread keeps retrying (`Connecting`) with Last_IO_Errno 1045, as after a wrong CHANGE REPLICATION SOURCE.
      const deadline = Date.now() + 30_000;
      let row: Record<string, unknown> = {};
      while (Date.now() < deadline) {
        [row = {}] = await replica2.query("SHOW REPLICA STATUS");
        if (Number(row.Last_IO_Errno) === 1045) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      assert.equal(row.Replica_IO_Running, "Connecting");
      assert.equal(Number(row.Last_IO_Errno), 1045);
      const before = await snapshot(bed.topology);
      await failsNaming(
        stack.up(),
        replica2,
        /cannot log in to its source \(IO thread Connecting, last error 1045: .*Access denied.*Nothing was changed on any server.*Fix: fix the replication user's credentials.*SOURCE_PASSWORD=/s,
      );
      assert.equal(await snapshot(bed.topology), before, "nothing changed on the source or either replica");
      for (const server of [bed.topology.source, ...bed.topology.replicas]) assert.deepEqual(await installedPlugins(server), [], `${server.name} has no plugin`);
    } finally {
      await pointAt("right-Pw-123");
      await waitForReplicationRunning(replica2);
    }
    await stack.destroy();
  });

  it("a healthy topology deploys, and the topology every resource carries keeps its passwords secret in the state", async function () {
    const { stack, backend } = await inlineStack(
      "semisync-preflight-secret",
      componentProgram(bed.topology, () => bed.topology.replicas),
    );
    await stack.up();
    for (const replica of bed.topology.replicas) assert.equal((await semisyncStatus(replica)).Rpl_semi_sync_replica_status, "ON", `${replica.name} registered`);
    const password = bed.topology.source.password;
    assert.ok(!readTree(backend).includes(password), "the password appears in the state backend's files");
    // exportStack decrypts: every copy must still sit in a secret envelope (Pulumi's signature key).
    const SECRET_SIG = "4dabf18193072939515e22adb298388d";
    const exported = JSON.stringify(await stack.exportStack());
    const outsideSecrets = JSON.stringify(JSON.parse(exported), (_key, value) => (value && typeof value === "object" && SECRET_SIG in value ? "[secret]" : value));
    assert.ok(exported.includes('"topology"'), "the resources carry the topology");
    assert.ok(exported.includes(password), "the decrypted export holds the password inside secrets");
    assert.ok(!outsideSecrets.includes(password), "the password appears outside a secret envelope");
    await stack.destroy();
    for (const server of [bed.topology.source, ...bed.topology.replicas]) assert.deepEqual(await installedPlugins(server), [], `${server.name} cleaned up`);
  });

  it("a replica enablement against a source without the semisync plugin fails as 'stayed OFF' and is undone, every time", async function () {
    const replica = bed.topology.replicas[0];
    const { stack } = await inlineStack("semisync-registration", async () => {
      const password = pulumi.secret(bed.topology.source.password);
      const plugin = new SemisyncPlugin("replica-plugin", { connection: connectionOf(replica, password), role: "replica" });
      new SemisyncEnablement("replica-on", { connection: connectionOf(replica, password), role: "replica", replicaStatusTimeoutMs: 2_000 }, { dependsOn: [plugin] });
    });
    // The transient ON lasts ~20 ms after the IO-thread restart: one try could miss the race by luck.
    for (let attempt = 1; attempt <= 3; attempt++) {
      await failsNaming(stack.up(), replica, /Rpl_semi_sync_replica_status stayed OFF for 2000 ms after the IO thread restart.*\. The changes were undone\. Fix: /s);
      assert.equal((await semisyncVariables(replica)).rpl_semi_sync_replica_enabled, "OFF", `attempt ${attempt}: undone`);
      assert.equal((await semisyncStatus(replica)).Rpl_semi_sync_replica_status, "OFF", `attempt ${attempt}: the server says OFF`);
    }
    await stack.destroy();
    assert.deepEqual(await installedPlugins(replica), []);
  });
});

describe("the teardown guard fails closed: only an unreachable source lets a replica switch off", function () {
  const RAISED_TIMEOUT_MS = 10_000;
  let writer: CommitWriter | undefined;
  let replica: Server;
  let stack: Awaited<ReturnType<typeof inlineStack>>["stack"];

  after(async function () {
    await writer?.stop().catch(() => undefined);
  });

  const bed = testBed("mysql", { replicas: 1 });

  const replicaState = async () => ({
    enabled: (await semisyncVariables(replica)).rpl_semi_sync_replica_enabled,
    status: (await semisyncStatus(replica)).Rpl_semi_sync_replica_status,
  });

  /** `up` with the replica switched off: how it ended, and the slowest commit meanwhile. */
  async function switchReplicaOff(): Promise<{ outcome: () => Promise<unknown>; slowestMs: number }> {
    await stack.setConfig("replicaEnabled", { value: "false" });
    writer!.take();
    let failure: unknown;
    const succeeded = await stack.up().then(
      () => true,
      (error) => ((failure = error), false),
    );
    await writer!.settle();
    const slowestMs = maxLatency(writer!.take());
    return { outcome: async () => (succeeded ? undefined : Promise.reject(failure)), slowestMs };
  }

  before(async function () {
    replica = bed.topology.replicas[0];
    await bed.topology.source.query("CREATE USER 'guard'@'%' IDENTIFIED BY 'guard-pw-1'");
    await bed.topology.source.query("GRANT REPLICATION CLIENT ON *.* TO 'guard'@'%'");
    await bed.topology.source.query("GRANT SELECT ON performance_schema.* TO 'guard'@'%'");
    ({ stack } = await inlineStack("semisync-guard", async () => {
      const config = new pulumi.Config();
      const password = pulumi.secret(bed.topology.source.password);
      const source = connectionOf(bed.topology.source, password);
      // The replica asks its source with this account only: the one the tests rotate and revoke.
      const guard = { ...source, user: "guard", password: config.requireSecret("guardPassword") };
      const sourcePlugin = new SemisyncPlugin("source-plugin", { connection: source, role: "source" });
      const replicaPlugin = new SemisyncPlugin("replica-plugin", { connection: connectionOf(replica, password), role: "replica" }, { dependsOn: [sourcePlugin] });
      const replicaOn = new SemisyncEnablement(
        "replica-on",
        { connection: connectionOf(replica, password), role: "replica", enabled: config.requireBoolean("replicaEnabled"), source: guard },
        { dependsOn: [replicaPlugin, sourcePlugin] },
      );
      new SemisyncEnablement("source-on", { connection: source, role: "source", timeoutMs: RAISED_TIMEOUT_MS }, { dependsOn: [sourcePlugin, replicaOn] });
    }));
    await stack.setConfig("guardPassword", { value: "guard-pw-1", secret: true });
    await stack.setConfig("replicaEnabled", { value: "true" });
    await stack.up();
    assert.deepEqual(await replicaState(), { enabled: "ON", status: "ON" });
    writer = await startCommitWriter(bed.topology.source, { pauseMs: 10 });
  });

  it("a rotated source password refuses to switch the replica off, and no commit stalls", async function () {
    await bed.topology.source.query("ALTER USER 'guard'@'%' IDENTIFIED BY 'guard-pw-2'");
    const { outcome, slowestMs } = await switchReplicaOff();
    console.log(`      slowest commit on the source meanwhile: ${slowestMs.toFixed(1)} ms`);
    await failsNaming(
      outcome(),
      replica,
      /could not check whether switching this replica off would stall its declared source .*refused user 'guard'.*Nothing was changed.*Fix: give the replica resource's `source` working credentials/s,
    );
    assert.deepEqual(await replicaState(), { enabled: "ON", status: "ON" }, "the replica is still a semisync client");
    assert.ok(slowestMs < STALL_MS, `a commit waited ${slowestMs.toFixed(0)} ms`);
    await bed.topology.source.query("ALTER USER 'guard'@'%' IDENTIFIED BY 'guard-pw-1'");
  });

  it("a locked source account refuses to switch the replica off, and no commit stalls", async function () {
    // Any answer other than "nobody there" refuses. (A missing grant cannot be staged here: on
    // MySQL 9.7 everything the check reads is readable without grants.)
    await bed.topology.source.query("ALTER USER 'guard'@'%' ACCOUNT LOCK");
    try {
      const { outcome, slowestMs } = await switchReplicaOff();
      console.log(`      slowest commit on the source meanwhile: ${slowestMs.toFixed(1)} ms`);
      await failsNaming(outcome(), replica, /could not check whether switching this replica off would stall its declared source .*Account is locked.*Nothing was changed/s);
      assert.deepEqual(await replicaState(), { enabled: "ON", status: "ON" });
      assert.ok(slowestMs < STALL_MS, `a commit waited ${slowestMs.toFixed(0)} ms`);
    } finally {
      await bed.topology.source.query("ALTER USER 'guard'@'%' ACCOUNT UNLOCK");
    }
  });

  it("an unreachable source lets the replica switch off, with a warning in the engine's output", async function () {
    await writer!.stop();
    writer = undefined;
    await bed.topology.source.stop();
    try {
      await stack.setConfig("replicaEnabled", { value: "false" });
      const output: string[] = [];
      await stack.up({ onOutput: (line) => output.push(line) });
      const warning = output
        .join("")
        .split("\n")
        .find((line) => line.includes("is unreachable"));
      console.log(`      the engine showed: ${warning?.trim()}`);
      // One form for every warning the provider writes: `warning: [host:port] …`, naming the replica.
      assert.match(
        output.join(""),
        new RegExp(`warning: \\[127\\.0\\.0\\.1:${replica.port}\\] its declared source 127\\.0\\.0\\.1:${bed.topology.source.port} is unreachable .*ECONNREFUSED.*not checked; going ahead`, "s"),
      );
      assert.equal((await semisyncVariables(replica)).rpl_semi_sync_replica_enabled, "OFF");
    } finally {
      await bed.topology.source.start();
    }
    await stack.destroy();
  });
});
