import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { SemisyncReplication } from "../../provider";
import { assertNoChangesAfterUp } from "../support/empty-plan";
import { CommitWriter, stallFree, startCommitWriter } from "../support/commit-writer";
import { inlineStack } from "../support/pulumi-workspace";
import { installedPlugins, semisyncStatus, semisyncVariables } from "../support/server-probes";
import { lanes } from "../testbed/lanes";
import { Server, Topology, startTopology } from "../testbed/topology";

/**
 * Issue 19, item 7: a plain `pulumi up`, in a project WITHOUT `options: refresh: always`, repairs
 * what a restart undid. Before 0.3.0 the diff compared the program with the state only: after a
 * source restart without `persist` a plain preview planned nothing, and `up` left the source
 * asynchronous (its replica semisync, waiting out its 60 s connect retry). The diff now reads the
 * switch, the status and the plugin on each server (docs/restarts.md).
 */
const TIMEOUT_MS = 5_000;

async function ioRunning(replica: Server): Promise<string> {
  const [row] = await replica.query("SHOW REPLICA STATUS");
  return String(row?.Replica_IO_Running ?? row?.Slave_IO_Running ?? "");
}

/** `stallFree`, its failure naming the semisync timeout a stalled commit waits out. */
const withoutStall = <T>(writer: CommitWriter, what: string, work: () => Promise<T>): Promise<T> => stallFree(writer, what, work, `, semisync timeout ${TIMEOUT_MS} ms`);

/** The steps a preview plans, `Type:name` → op, for the package's resources. */
async function plannedSteps(stack: Stack): Promise<Record<string, string>> {
  const steps: Record<string, string> = {};
  await stack.preview({
    onEvent: (event: EngineEvent) => {
      const step = event.resourcePreEvent?.metadata;
      const type = step?.new?.type ?? step?.old?.type ?? "";
      if (!step || !type.includes("mysql-semisync:")) return;
      steps[`${type.split(":").pop()}:${step.urn.split("::").pop()}`] = step.op;
    },
  });
  return steps;
}

function changed(steps: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(steps).filter(([, op]) => op !== "same"));
}

function program(topology: Topology) {
  return async () => {
    const password = pulumi.secret(topology.source.password);
    const connection = (s: Server) => ({ host: s.host, port: s.port, user: s.user, password, connectTimeoutMs: 5_000 });
    const replication = new SemisyncReplication("plain", {
      source: connection(topology.source),
      replicas: topology.replicas.map((r) => ({ ...connection(r), name: r.name })),
      timeoutMs: TIMEOUT_MS,
    });
    return { clients: replication.sourceClients, statuses: replication.replicaStatuses };
  };
}

for (const lane of lanes()) {
  const source = lane.family === "mysql" ? { enabled: "rpl_semi_sync_source_enabled", status: "Rpl_semi_sync_source_status" } : { enabled: "rpl_semi_sync_master_enabled", status: "Rpl_semi_sync_master_status" };

  describe(`a plain up repairs a restart, in a project without refresh: always: ${lane.name}`, function () {
    let topology: Topology;
    let stack: Stack;
    let writer: CommitWriter | undefined;

    before(async function () {
      topology = await startTopology(lane, { replicas: 2, connectRetry: "server-default" });
      await topology.source.query("CREATE DATABASE IF NOT EXISTS semisync_probe");
      await topology.source.query("CREATE TABLE IF NOT EXISTS semisync_probe.commits (id BIGINT AUTO_INCREMENT PRIMARY KEY, at TIMESTAMP(6) DEFAULT CURRENT_TIMESTAMP(6))");
      ({ stack } = await inlineStack(`semisync-plain-up-${lane.name.replace(/\./g, "-")}`, program(topology)));
      assert.equal((await stack.up()).outputs.clients.value, 2);
      await assertNoChangesAfterUp(stack);
    });

    afterEach(async function () {
      await writer?.stop().catch(() => undefined);
      writer = undefined;
    });

    after(async function () {
      await stack?.destroy().catch(() => undefined);
      await topology?.stop();
    });

    it("after a source restart without persist, a plain preview plans the repair and a plain up performs it, stalling no commit; a second up changes nothing", async function () {
      await topology.source.restart();
      writer = await startCommitWriter(topology.source, { pauseMs: 10 });
      assert.equal((await semisyncVariables(topology.source))[source.enabled], "OFF", "SET GLOBAL does not survive a restart");
      for (const replica of topology.replicas) assert.equal(await ioRunning(replica), "Connecting", `${replica.name} waits out its 60 s connect retry`);

      const planned = changed(await plannedSteps(stack));
      assert.equal(planned["SemisyncEnablement:plain-source"], "update", `the preview plans the source's switch: ${JSON.stringify(planned)}`);
      for (const replica of topology.replicas) assert.equal(planned[`SemisyncEnablement:plain-replica-${replica.name}`], "update", `the preview plans ${replica.name}'s IO thread restart: ${JSON.stringify(planned)}`);
      assert.equal((await semisyncVariables(topology.source))[source.enabled], "OFF", "the preview changed nothing");

      const started = Date.now();
      const up = await withoutStall(writer, "a plain up after a source restart", () => stack.up());
      console.log(`      [timing] ${lane.name}: plain up after a source restart (replicas in connect retry): ${Date.now() - started} ms`);
      assert.equal(up.outputs.clients.value, 2);
      assert.equal((await semisyncVariables(topology.source))[source.enabled], "ON");
      assert.equal((await semisyncStatus(topology.source))[source.status], "ON");
      for (const replica of topology.replicas) assert.equal(await ioRunning(replica), "Yes", replica.name);

      const again = await withoutStall(writer, "the second up", () => stack.up());
      assert.deepEqual(Object.keys(again.summary.resourceChanges ?? {}), ["same"], JSON.stringify(again.summary.resourceChanges));
      await assertNoChangesAfterUp(stack);
    });

    if (lane.family === "mysql") {
      it("a replica plugin uninstalled behind Pulumi's back: a plain preview plans its install and up installs it again and switches the replica back on", async function () {
        const replica = topology.replicas[0];
        await replica.query("SET GLOBAL rpl_semi_sync_replica_enabled = OFF");
        await replica.query("STOP REPLICA IO_THREAD");
        await replica.query("UNINSTALL PLUGIN rpl_semi_sync_replica");
        await replica.query("START REPLICA IO_THREAD");
        assert.ok(!(await installedPlugins(replica)).includes("rpl_semi_sync_replica"), "the plugin is gone");

        const planned = changed(await plannedSteps(stack));
        assert.equal(planned[`SemisyncPlugin:plain-replica-${replica.name}`], "update", `the preview plans the install: ${JSON.stringify(planned)}`);
        assert.equal(planned[`SemisyncEnablement:plain-replica-${replica.name}`], "update", `the preview plans the switch: ${JSON.stringify(planned)}`);

        writer = await startCommitWriter(topology.source, { pauseMs: 10 });
        await withoutStall(writer, "a plain up after the plugin was uninstalled", () => stack.up());
        assert.ok((await installedPlugins(replica)).includes("rpl_semi_sync_replica"), "installed again");
        assert.equal((await semisyncStatus(replica)).Rpl_semi_sync_replica_status, "ON");
        assert.equal((await semisyncStatus(topology.source)).Rpl_semi_sync_source_clients, "2");
        const again = await stack.up();
        assert.deepEqual(Object.keys(again.summary.resourceChanges ?? {}), ["same"], JSON.stringify(again.summary.resourceChanges));
        await assertNoChangesAfterUp(stack);
      });
    }
  });
}
