import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { Stack } from "@pulumi/pulumi/automation";
import { SemisyncReplication } from "../../provider";
import { assertNoChangesAfterUp } from "../support/empty-plan";
import { STALL_MS, maxLatency, startCommitWriter } from "../support/commit-writer";
import { inlineStack } from "../support/pulumi-workspace";
import { installedPlugins, semisyncStatus, semisyncVariables } from "../support/server-probes";
import { promote, repoint } from "../testbed/failover";
import { lanes } from "../testbed/lanes";
import { Server } from "../testbed/topology";
import { testBed } from "../support/test-bed";

/** The engine's closing report of an up: each warning once (the progress lines show it too). */
function diagnostics(stdout: string): string {
  const start = stdout.lastIndexOf("Diagnostics:");
  return start < 0 ? "" : stdout.slice(start, stdout.indexOf("\nResources:", start));
}

/** The names of the stack's semisync resources in the state. */
async function resourceNames(stack: Stack): Promise<string[]> {
  const { deployment } = await stack.exportStack();
  const resources = (deployment.resources ?? []) as { urn: string; type: string }[];
  return resources
    .filter((r) => r.type.startsWith("pulumi-nodejs:dynamic"))
    .map((r) => r.urn.split("::").pop()!)
    .sort();
}

for (const lane of lanes().filter((l, i, all) => all.findIndex((o) => o.family === l.family) === i)) {
  const mysql = lane.family === "mysql";
  const names = {
    sourceEnabled: mysql ? "rpl_semi_sync_source_enabled" : "rpl_semi_sync_master_enabled",
    sourceClients: mysql ? "Rpl_semi_sync_source_clients" : "Rpl_semi_sync_master_clients",
    sourceStatus: mysql ? "Rpl_semi_sync_source_status" : "Rpl_semi_sync_master_status",
    replicaStatus: mysql ? "Rpl_semi_sync_replica_status" : "Rpl_semi_sync_slave_status",
    bothPlugins: mysql ? ["rpl_semi_sync_replica", "rpl_semi_sync_source"] : [],
  };

  describe(`a dead old source leaves cleanly (${lane.name}, failoverReady)`, function () {
    let members: Server[];
    let stack: Stack;
    const bed = testBed(lane, { replicas: 2 });

    before(async function () {
      members = [bed.topology.source, ...bed.topology.replicas];
      ({ stack } = await inlineStack(`semisync-dead-source-${lane.family}`, async () => {
        const config = new pulumi.Config();
        const password = pulumi.secret(members[0].password);
        const declared = config.require("members").split(",");
        const source = config.require("source");
        const member = (name: string) => {
          const server = members[Number(name.slice(1))];
          return { name, host: server.host, port: server.port, user: server.user, password, connectTimeoutMs: 3_000 };
        };
        const replication = new SemisyncReplication("db", {
          failoverReady: true,
          source: member(source),
          replicas: declared.filter((name) => name !== source).map(member),
        });
        return { sourceStatus: replication.sourceStatus, sourceClients: replication.sourceClients, replicaStatuses: replication.replicaStatuses, adopted: replication.adopted };
      }));
      await stack.setConfig("members", { value: "m0,m1,m2" });
      await stack.setConfig("source", { value: "m0" });
      await stack.up();
      await assertNoChangesAfterUp(stack);
    });

    it("after a failover away from a stopped source, one up with the dead member removed makes the survivors semisync, stalls no commit and drops the dead member's resources with one warning each; when it comes back the next refresh and up tell the truth", async function () {
      const [m0, m1, m2] = members;
      await m0.stop();
      await promote(bed.topology, m1, { deadSource: m0 });
      const writer = await startCommitWriter(m1);
      let stdout: string;
      try {
        await stack.setConfig("source", { value: "m1" });
        await stack.setConfig("members", { value: "m1,m2" });
        const result = await stack.up();
        stdout = result.stdout;
        await writer.settle();
        console.log(`      the up: ${JSON.stringify(result.summary.resourceChanges)}`);
        assert.equal(result.summary.resourceChanges?.delete, 4, "the dead member's four resources left the state");
        assert.equal(result.outputs.sourceStatus.value, "ON");
        assert.equal(result.outputs.sourceClients.value, 1);
        assert.deepEqual(result.outputs.replicaStatuses.value, { m2: "ON" });
      } finally {
        const samples = await writer.stop();
        console.log(`      ${samples.length} commits on the new source, max commit ${maxLatency(samples).toFixed(1)} ms`);
        assert.ok(maxLatency(samples) < STALL_MS, `a commit waited ${maxLatency(samples).toFixed(0)} ms`);
      }
      const label = `[127.0.0.1:${m0.port}]`;
      const warnings = diagnostics(stdout)
        .split("\n")
        .filter((line) => line.includes(label) && /no longer a member of its topology/.test(line));
      console.log(warnings.map((w) => `      | ${w.trim()}`).join("\n"));
      assert.equal(warnings.length, 4, `one warning per resource of the dead member:\n${stdout}`);
      assert.doesNotMatch(stdout, /\n\s+at .*<anonymous>/, "no JavaScript stack trace");
      assert.deepEqual(await resourceNames(stack), ["db-m1-replica", "db-m1-replica", "db-m1-source", "db-m1-source", "db-m2-replica", "db-m2-replica", "db-m2-source", "db-m2-source"]);
      assert.equal((await semisyncVariables(m1))[names.sourceEnabled], "ON", "the new source's side is on");
      assert.equal((await semisyncStatus(m1))[names.sourceStatus], "ON", "the new source is semisync");
      assert.equal((await semisyncStatus(m2))[names.replicaStatus], "ON", "the survivor acknowledges");
      await assertNoChangesAfterUp(stack);

      // The dead member comes back (restarted): the stack no longer holds it, and says nothing of it.
      await m0.start();
      await assertNoChangesAfterUp(stack);
      // What the warnings said it keeps: its plugins (MySQL), its source side off after the restart.
      assert.deepEqual(await installedPlugins(m0), names.bothPlugins, "the plugins stay installed, as the warnings said");
      assert.equal((await semisyncVariables(m0))[names.sourceEnabled], "OFF", "a restart switched its source side off, as the warning said");

      // Re-pointed and declared again, as a replica: its new resources record what they find there.
      await repoint([m0], m1, bed.topology.replicationPassword, { demoted: m0 });
      await stack.setConfig("members", { value: "m0,m1,m2" });
      const back = await stack.up();
      assert.deepEqual(back.outputs.replicaStatuses.value, { m0: "ON", m2: "ON" });
      assert.equal(back.outputs.sourceClients.value, 2);
      const adopted = back.outputs.adopted.value as { replicas: Record<string, { plugin: boolean; enabled: boolean }> };
      assert.deepEqual(adopted.replicas.m0, { plugin: mysql, enabled: false }, "its plugin is recorded as found where it was installed; its replica side was off");
      await assertNoChangesAfterUp(stack);
    });
  });
}
