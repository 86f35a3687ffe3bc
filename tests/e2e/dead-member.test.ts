import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { Stack } from "@pulumi/pulumi/automation";
import { SemisyncReplication } from "../../provider";
import { assertNoChangesAfterUp } from "../support/empty-plan";
import { maxLatency, startCommitWriter } from "../support/commit-writer";
import { inlineStack } from "../support/pulumi-workspace";
import { installedPlugins, semisyncVariables } from "../support/server-probes";
import { Server } from "../testbed/topology";
import { testBed } from "../support/test-bed";

const TIMEOUT_MS = 20_000;

async function failure(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    return String((error as Error).message);
  }
  return assert.fail("expected the operation to fail");
}

// On both families the dead replica's enablement leaves its teardown to its plugin, so the live
// replica's plugin goes in the same run and the dead one's fails, once. MySQL uninstalls; MariaDB
// builds semisync in, and its plugin's delete switches the side off instead.
// MySQL's dead replica is stopped (INSTALL PLUGIN survives the restart: the later run uninstalls
// it). MariaDB's is frozen: a restart would reset its SET GLOBAL switch by itself, a partition
// keeps it on, which is what the later run must switch off.
const FAMILIES = [
  {
    family: "mysql",
    sourceEnabled: "rpl_semi_sync_source_enabled",
    replicaEnabled: "rpl_semi_sync_replica_enabled",
    uninstalls: true,
    outage: "stopped",
    failure: /cannot connect: connect ECONNREFUSED.*Fix: check the host and port/,
  },
  {
    family: "mariadb",
    sourceEnabled: "rpl_semi_sync_master_enabled",
    replicaEnabled: "rpl_semi_sync_slave_enabled",
    uninstalls: false,
    outage: "frozen",
    failure: /no answer within 3000 ms\..*Fix: check the host and port/,
  },
] as const;

/** The names of the stack's semisync resources still in the state. */
async function remaining(stack: Stack): Promise<string[]> {
  const { deployment } = await stack.exportStack();
  const resources = (deployment.resources ?? []) as { urn: string; type: string }[];
  return resources
    .filter((r) => r.type.startsWith("pulumi-nodejs:dynamic"))
    .map((r) => `${r.urn.split("::").pop()} (${r.type.split(":").pop()})`)
    .sort();
}

for (const f of FAMILIES)
  describe(`a dead member does not strand the rest, and its failure reads cleanly (${f.family})`, function () {
    let stack: Stack;
    const bed = testBed(f.family, { replicas: 2 });

    before(async function () {
      ({ stack } = await inlineStack("semisync-dead-member", async () => {
        const password = pulumi.secret(bed.topology.source.password);
        const connection = (s: Server) => ({ host: s.host, port: s.port, user: s.user, password, connectTimeoutMs: 3_000 });
        const replication = new SemisyncReplication("orders", {
          source: connection(bed.topology.source),
          replicas: bed.topology.replicas.map((r) => ({ ...connection(r), name: r.name })),
          timeoutMs: TIMEOUT_MS,
        });
        return { clients: replication.sourceClients };
      }));
      await stack.up();
      await assertNoChangesAfterUp(stack);
    });

    it("destroy with one replica down tears the live members down, reports the dead one once without a stack trace; destroy after it is back finishes", async function () {
      const [dead, live] = bed.topology.replicas;
      const down = () => (f.outage === "stopped" ? dead.stop() : dead.freeze());
      const back = () => (f.outage === "stopped" ? dead.start() : dead.thaw());
      await down();
      const writer = await startCommitWriter(bed.topology.source);
      let text: string;
      try {
        text = await failure(stack.destroy());
        await writer.settle();
      } finally {
        const samples = await writer.stop().catch(() => []);
        console.log(`      destroy with ${dead.name} down: max commit ${maxLatency(samples).toFixed(1)} ms over ${samples.length} commits`);
        assert.ok(maxLatency(samples) < TIMEOUT_MS / 2, `a commit waited ${maxLatency(samples).toFixed(0)} ms`);
      }
      try {
        // The engine's closing report: what a user reads after the progress lines.
        const diagnostics = text.slice(text.lastIndexOf("Diagnostics:"), text.lastIndexOf("Resources:"));
        console.log(diagnostics.replace(/^/gm, "      | "));
        const label = `[127.0.0.1:${dead.port}]`;
        // Warnings about the same server (its teardown left to its plugin) are not the failure.
        const reports = diagnostics.split("\n").filter((line) => line.includes(label) && !line.trim().startsWith("warning:")).length;
        assert.equal(reports, 1, `the dead replica's failure is reported once, found ${reports} times:\n${diagnostics}`);
        assert.match(diagnostics, f.failure);
        assert.doesNotMatch(text, /\n\s+at .*<anonymous>/, "no JavaScript stack trace");
        assert.equal((await semisyncVariables(bed.topology.source))[f.sourceEnabled], "OFF", "the source was switched off first");
        if (f.uninstalls) {
          assert.deepEqual(await installedPlugins(live), [], "the live replica's plugin is removed");
          assert.equal((await semisyncVariables(live))[f.replicaEnabled], undefined, "and with it its semisync variables");
        } else {
          assert.equal((await semisyncVariables(live))[f.replicaEnabled], "OFF", "the live replica is switched off");
        }
        // What the next run has to do stays in the state, and nothing else: the dead replica's
        // plugin, whose delete finishes its teardown, and the source's, which must go after it.
        assert.deepEqual(await remaining(stack), [`orders-replica-${dead.name} (SemisyncPlugin)`, "orders-source (SemisyncPlugin)"].sort());
      } finally {
        await back();
      }
      // Nothing reached the dead replica: what the next run removes is still there.
      if (f.uninstalls) assert.deepEqual(await installedPlugins(dead), ["rpl_semi_sync_replica"], "the dead replica keeps its plugin until the next run");
      else assert.equal((await semisyncVariables(dead))[f.replicaEnabled], "ON", "the dead replica is still switched on until the next run");
      await stack.destroy();
      for (const server of [bed.topology.source, ...bed.topology.replicas]) {
        assert.deepEqual(await installedPlugins(server), [], `${server.name} has no plugin`);
        const enabled = Object.entries(await semisyncVariables(server)).filter(([name, value]) => name.endsWith("_enabled") && value === "ON");
        assert.deepEqual(enabled, [], `${server.name} has semisync switched off`);
      }
    });
  });
