import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { Stack, UpResult } from "@pulumi/pulumi/automation";
import { SemisyncReplication } from "../../provider";
import { assertNoChangesAfterUp } from "../support/empty-plan";
import { CommitWriter, STALL_MS, maxLatency, startCommitWriter } from "../support/commit-writer";
import { inlineStack } from "../support/pulumi-workspace";
import { installedPlugins, rejects, semisyncStatus, semisyncVariables } from "../support/server-probes";
import { promote } from "../testbed/failover";
import { Lane, lanes } from "../testbed/lanes";
import { Server } from "../testbed/topology";
import { testBed } from "../support/test-bed";

// Raised so that a stall, if any, is unmistakable; the bar is far below it (issue #10).
const RAISED_TIMEOUT_MS = 20_000;
/** The variable names of each side on a lane: MySQL 9.7 runs the new plugins, MariaDB the old names. */
function namesOf(lane: Lane) {
  const mysql = lane.family === "mysql";
  return {
    sourceEnabled: mysql ? "rpl_semi_sync_source_enabled" : "rpl_semi_sync_master_enabled",
    replicaEnabled: mysql ? "rpl_semi_sync_replica_enabled" : "rpl_semi_sync_slave_enabled",
    sourceStatus: mysql ? "Rpl_semi_sync_source_status" : "Rpl_semi_sync_master_status",
    sourceClients: mysql ? "Rpl_semi_sync_source_clients" : "Rpl_semi_sync_master_clients",
    replicaStatus: mysql ? "Rpl_semi_sync_replica_status" : "Rpl_semi_sync_slave_status",
    // MariaDB's semisync is built in: no plugin rows, ever.
    bothPlugins: mysql ? ["rpl_semi_sync_replica", "rpl_semi_sync_source"] : [],
  };
}

/**
 * One program for every case: the members in their original order (m0 the first source), which
 * one is declared the source, which replica is async-only, and failoverReady.
 */
function program(members: Server[]) {
  return async () => {
    const config = new pulumi.Config();
    const password = config.requireSecret("adminPassword");
    const sourceIndex = config.requireNumber("sourceIndex");
    const asyncMember = config.get("asyncMember");
    const connectionOf = (server: Server, index: number) => ({ host: server.host, port: server.port, user: server.user, password, name: `m${index}` });
    const replication = new SemisyncReplication("db", {
      source: connectionOf(members[sourceIndex], sourceIndex),
      replicas: members.flatMap((server, index) => (index === sourceIndex ? [] : [{ ...connectionOf(server, index), acknowledge: asyncMember !== `m${index}` }])),
      failoverReady: config.requireBoolean("failoverReady"),
      waitForReplicaCount: config.getNumber("waitForReplicaCount"),
      timeoutMs: RAISED_TIMEOUT_MS,
    });
    return { sourceStatus: replication.sourceStatus, sourceClients: replication.sourceClients, replicaStatuses: replication.replicaStatuses };
  };
}

async function stackFor(project: string, members: Server[], config: Record<string, string>): Promise<Stack> {
  const { stack } = await inlineStack(project, program(members));
  await stack.setConfig("adminPassword", { value: members[0].password, secret: true });
  for (const [key, value] of Object.entries(config)) await stack.setConfig(key, { value });
  return stack;
}

/** `up` with a writer committing on `writerOn` throughout; the slowest commit must stay under the bar. */
async function upMeasured(stack: Stack, writer: CommitWriter, what: string): Promise<{ result: UpResult; maxMs: number }> {
  writer.take();
  const result = await stack.up();
  await writer.settle();
  const samples = writer.take();
  assert.ok(samples.length > 0, "the writer committed during the deployment");
  const maxMs = maxLatency(samples);
  console.log(`      ${what}: ${JSON.stringify(result.summary.resourceChanges)}, ${samples.length} commits, max commit ${maxMs.toFixed(1)} ms`);
  assert.ok(maxMs < STALL_MS, `a commit waited ${maxMs.toFixed(0)} ms during ${what}`);
  return { result, maxMs };
}

function assertOnlyUpdates(result: UpResult, what: string) {
  const changes = result.summary.resourceChanges ?? {};
  for (const kind of ["create", "delete", "replace", "create-replacement", "delete-replaced"]) {
    assert.equal(changes[kind as keyof typeof changes], undefined, `${what} ${kind}d a resource: ${JSON.stringify(changes)}`);
  }
}

function assertNothingChanged(result: UpResult) {
  assert.deepEqual(Object.keys(result.summary.resourceChanges ?? {}), ["same"], JSON.stringify(result.summary.resourceChanges));
}

for (const lane of lanes().filter((l, i, all) => all.findIndex((o) => o.family === l.family) === i)) {
  const names = namesOf(lane);

  /** The declared source on with `clients` acknowledging replicas, every other member's source side off. */
  async function assertRoles(source: Server, acknowledging: Server[], others: Server[] = []) {
    assert.equal((await semisyncVariables(source))[names.sourceEnabled], "ON", `${source.name}: source side on`);
    assert.equal((await semisyncStatus(source))[names.sourceClients], String(acknowledging.length), `${source.name}: semisync clients`);
    for (const replica of [...acknowledging, ...others]) {
      assert.equal((await semisyncVariables(replica))[names.sourceEnabled] ?? "OFF", "OFF", `${replica.name}: source side off`);
    }
    for (const replica of acknowledging) assert.equal((await semisyncStatus(replica))[names.replicaStatus], "ON", `${replica.name}: acknowledges`);
    for (const replica of others) assert.equal((await semisyncStatus(replica))[names.replicaStatus] ?? "OFF", "OFF", `${replica.name}: async-only`);
  }

  describe(`failoverReady on ${lane.name}: both plugins everywhere, a real failover followed by an up that flips roles in place with no commit stalled`, function () {
    let members: Server[];
    let stack: Stack;
    let pluginsBefore: string[][];
    const bed = testBed(lane, { replicas: 2 });

    before(async function () {
      members = [bed.topology.source, ...bed.topology.replicas];
      stack = await stackFor(`semisync-failover-${lane.family}`, members, { sourceIndex: "0", failoverReady: "true" });
    });

    it("converges: both plugins on every member, the source side on only on the source, the replica side on every member, a second up changes nothing", async function () {
      const [a, b, c] = members;
      const first = await stack.up();
      await assertNoChangesAfterUp(stack);
      for (const server of members) assert.deepEqual(await installedPlugins(server), names.bothPlugins, `${server.name}: both plugins`);
      await assertRoles(a, [b, c]);
      // The source's replica side is on, idle: it acknowledges at once when re-pointed.
      assert.equal((await semisyncVariables(a))[names.replicaEnabled], "ON", "the source's replica side is on");
      assert.equal(first.outputs.sourceStatus.value, "ON");
      assert.deepEqual(first.outputs.replicaStatuses.value, { m1: "ON", m2: "ON" });
      assertNothingChanged(await stack.up());
      await assertNoChangesAfterUp(stack);
    });

    it("the edited program applied before the failover happened is refused, and the live source stays semisync", async function () {
      const [a, b, c] = members;
      await stack.setConfig("sourceIndex", { value: "1" });
      try {
        await rejects(stack.up(), /replication is not configured on this server/);
        // Before the fix the demoted m0's source side was switched off in parallel with the refusal.
        await assertRoles(a, [b, c]);
        assert.equal((await semisyncStatus(a))[names.sourceStatus], "ON", "m0 still semisync");
      } finally {
        await stack.setConfig("sourceIndex", { value: "0" });
      }
      await stack.up();
      await assertRoles(a, [b, c]);
      await assertNoChangesAfterUp(stack);
    });

    it("after a real failover (writes stopped on m0, m1 promoted, m0 and m2 re-pointed), the edited program's up changes no plugin, stalls no commit on the new source and ends with its source side on and m0's off", async function () {
      const [a, b, c] = members;
      pluginsBefore = await Promise.all(members.map(installedPlugins));
      await promote(bed.topology, b);
      const writer = await startCommitWriter(b);
      try {
        await stack.setConfig("sourceIndex", { value: "1" });
        const { result } = await upMeasured(stack, writer, `role flip up on ${lane.name}`);
        assertOnlyUpdates(result, "the role flip");
        assert.deepEqual(await Promise.all(members.map(installedPlugins)), pluginsBefore, "no plugin installed or uninstalled");
        await assertRoles(b, [a, c]);
        assert.equal(result.outputs.sourceStatus.value, "ON");
        assert.equal(result.outputs.sourceClients.value, 2);
        assert.deepEqual(result.outputs.replicaStatuses.value, { m0: "ON", m2: "ON" });
        await assertNoChangesAfterUp(stack);
        const again = await stack.up();
        assertNothingChanged(again);
        await assertNoChangesAfterUp(stack);
      } finally {
        await writer.stop();
      }
    });

    it("failing back (m0 promoted again, m1 and m2 re-pointed): the edited program's up is again in place, stalls no commit on m0 and leaves m1's source side off", async function () {
      const [a, b, c] = members;
      await promote(bed.topology, a);
      const writer = await startCommitWriter(a);
      try {
        await stack.setConfig("sourceIndex", { value: "0" });
        const { result } = await upMeasured(stack, writer, `fail-back up on ${lane.name}`);
        assertOnlyUpdates(result, "the fail-back");
        assert.deepEqual(await Promise.all(members.map(installedPlugins)), pluginsBefore, "no plugin installed or uninstalled");
        await assertRoles(a, [b, c]);
        assert.deepEqual(result.outputs.replicaStatuses.value, { m1: "ON", m2: "ON" });
        await assertNoChangesAfterUp(stack);
      } finally {
        await writer.stop();
      }
    });

    it("destroy after the role flips stalls no commit on the source and removes semisync from every member", async function () {
      const [a, b] = members;
      // An orchestrator leaves a demoted source read-only; UNINSTALL PLUGIN needs it writable.
      for (const server of [b, a]) {
        await server.query("SET GLOBAL super_read_only = OFF").catch(() => undefined);
        await server.query("SET GLOBAL read_only = OFF");
      }
      const writer = await startCommitWriter(a);
      try {
        writer.take();
        await stack.destroy();
        await writer.settle();
        const samples = writer.take();
        console.log(`      destroy after the flips on ${lane.name}: max commit ${maxLatency(samples).toFixed(1)} ms`);
        assert.ok(maxLatency(samples) < STALL_MS, `a commit waited ${maxLatency(samples).toFixed(0)} ms during destroy`);
      } finally {
        await writer.stop();
      }
      for (const server of members) {
        assert.deepEqual(await installedPlugins(server), [], `${server.name}: no plugin`);
        const variables = await semisyncVariables(server);
        assert.equal(variables[names.sourceEnabled] ?? "OFF", "OFF", `${server.name}: source side off`);
        assert.equal(variables[names.replicaEnabled] ?? "OFF", "OFF", `${server.name}: replica side off`);
      }
    });
  });

  if (lane.family === "mysql") {
    describe(`without failoverReady on ${lane.name}: the role flip after a real failover`, function () {
      const bed = testBed(lane, { replicas: 2 });

      it("stops at the demoted source, which an orchestrator leaves super_read_only, with nothing changed there and a fix naming super_read_only and failoverReady", async function () {
        const { members } = bed;
        const [a, b] = members;
        const stack = await stackFor(`semisync-flip-plain-${lane.family}`, members, { sourceIndex: "0", failoverReady: "false" });
        await stack.up();
        await assertNoChangesAfterUp(stack);
        await promote(bed.topology, b);
        // The re-pointed replicas' dump threads on m0 linger until they next write (a heartbeat);
        // until then UNINSTALL is refused for them (1883). Past that, read-only refuses it.
        const deadline = Date.now() + 90_000;
        while ((await semisyncStatus(a))[names.sourceClients] !== "0" && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 500));
        assert.equal((await semisyncStatus(a))[names.sourceClients], "0", "m0 counts its former replicas gone");
        const pluginsBefore = await Promise.all(members.map(installedPlugins));
        await stack.setConfig("sourceIndex", { value: "1" });
        await rejects(stack.up(), /could not uninstall rpl_semi_sync_source .*super-read-only.*Fix: this server is read-only .*failoverReady/s);
        assert.deepEqual(await installedPlugins(a), pluginsBefore[0], "the demoted source keeps its plugin");
      });
    });
  }

  describe(`acknowledge: false on ${lane.name}: an async-only replica stays async and is not counted`, function () {
    const bed = testBed(lane, { replicas: 2 });

    for (const failoverReady of [false, true]) {
      it(`with failoverReady ${failoverReady}: its replica side stays off (plugin installed), the source counts only the acknowledging replica, a count above it throws at program time`, async function () {
        const { members } = bed;
        const [a, b, c] = members;
        const stack = await stackFor(`semisync-async-${lane.family}-${failoverReady}`, members, { sourceIndex: "0", failoverReady: String(failoverReady), asyncMember: "m2" });
        const result = await stack.up();
        await assertNoChangesAfterUp(stack);
        await assertRoles(a, [b], [c]);
        assert.equal((await semisyncVariables(c))[names.replicaEnabled], "OFF", "the async-only replica's switch is off");
        assert.deepEqual(await installedPlugins(c), failoverReady ? names.bothPlugins : names.bothPlugins.filter((p) => p.endsWith("replica")), "its plugin is installed");
        assert.equal(result.outputs.sourceClients.value, 1);
        assert.deepEqual(result.outputs.replicaStatuses.value, { m1: "ON", m2: "OFF" });

        await stack.setConfig("waitForReplicaCount", { value: "2" });
        await rejects(stack.up(), /SemisyncReplication db: waitForReplicaCount is 2 but only 1 acknowledging replica\(s\) are declared \(1 more with acknowledge: false.*set acknowledge: true on enough of them/s);
        await assertRoles(a, [b], [c]);
        await stack.removeConfig("waitForReplicaCount");
        await stack.destroy();
        for (const server of members) assert.deepEqual(await installedPlugins(server), [], `${server.name}: no plugin after destroy`);
      });
    }
  });

  describe(`turning failoverReady on for an existing stack on ${lane.name}`, function () {
    const bed = testBed(lane, { replicas: 2 });

    it("converges with every server still semisync and no commit stalled: the renamed resources take over, both plugins end on every member, a second up changes nothing", async function () {
      const { members } = bed;
      const [a, b, c] = members;
      const stack = await stackFor(`semisync-turn-on-${lane.family}`, members, { sourceIndex: "0", failoverReady: "false" });
      await stack.up();
      await assertNoChangesAfterUp(stack);
      await assertRoles(a, [b, c]);
      const writer = await startCommitWriter(a);
      try {
        await stack.setConfig("failoverReady", { value: "true" });
        const { result } = await upMeasured(stack, writer, `failoverReady on, on ${lane.name}`);
        assert.match(result.stdout, /another resource of this deployment has just taken it over/);
        await assertNoChangesAfterUp(stack);
        await assertRoles(a, [b, c]);
        for (const server of members) assert.deepEqual(await installedPlugins(server), names.bothPlugins, `${server.name}: both plugins`);
        assert.deepEqual(result.outputs.replicaStatuses.value, { m1: "ON", m2: "ON" });
        assertNothingChanged(await stack.up());
        await assertNoChangesAfterUp(stack);
        writer.take();
        await stack.destroy();
        await writer.settle();
        assert.ok(maxLatency(writer.take()) < STALL_MS, "no commit stalled during destroy");
      } finally {
        await writer.stop();
      }
    });
  });
}
