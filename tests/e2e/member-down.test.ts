import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { Stack } from "@pulumi/pulumi/automation";
import { SemisyncReplication } from "../../provider";
import { assertNoChangesAfterUp } from "../support/empty-plan";
import { STALL_MS, maxLatency, startCommitWriter } from "../support/commit-writer";
import { inlineStack } from "../support/pulumi-workspace";
import { rejects, semisyncStatus, semisyncVariables } from "../support/server-probes";
import { lanes } from "../testbed/lanes";
import { Server } from "../testbed/topology";
import { testBed } from "../support/test-bed";

/** The engine's closing report of an up: each warning once (the progress lines show it too). */
function diagnostics(stdout: string): string {
  const start = stdout.lastIndexOf("Diagnostics:");
  return start < 0 ? "" : stdout.slice(start, stdout.indexOf("\nResources:", start));
}

// One lane per family: the rule is the same on every server; the names differ.
for (const lane of lanes().filter((l, i, all) => all.findIndex((o) => o.family === l.family) === i)) {
  const mysql = lane.family === "mysql";
  const timeoutVariable = mysql ? "rpl_semi_sync_source_timeout" : "rpl_semi_sync_master_timeout";
  const clientsVariable = mysql ? "Rpl_semi_sync_source_clients" : "Rpl_semi_sync_master_clients";
  const replicaStatusVariable = mysql ? "Rpl_semi_sync_replica_status" : "Rpl_semi_sync_slave_status";

  describe(`a member down refuses only what it could break (${lane.name})`, function () {
    let stack: Stack;
    const bed = testBed(lane, { replicas: 2 });

    before(async function () {
      ({ stack } = await inlineStack(`semisync-member-down-${lane.family}`, async () => {
        const config = new pulumi.Config();
        const password = pulumi.secret(bed.topology.source.password);
        const connection = (s: Server) => ({ host: s.host, port: s.port, user: s.user, password, connectTimeoutMs: 3_000 });
        const replication = new SemisyncReplication("orders", {
          source: connection(bed.topology.source),
          replicas: bed.topology.replicas.map((r) => ({ ...connection(r), name: r.name })),
          timeoutMs: config.requireNumber("timeoutMs"),
        });
        return { clients: replication.sourceClients };
      }));
      await stack.setConfig("timeoutMs", { value: "10000" });
      await stack.up();
      await assertNoChangesAfterUp(stack);
    });

    it("with a replica stopped, lowering the source's timeoutMs goes ahead with one warning naming it; raising it is refused with nothing changed; once it is back an up --refresh converges", async function () {
      const [live, dead] = bed.topology.replicas;
      await dead.stop();
      const writer = await startCommitWriter(bed.topology.source);
      try {
        await stack.setConfig("timeoutMs", { value: "2000" });
        const lowered = await stack.up();
        const warnings = diagnostics(lowered.stdout)
          .split("\n")
          .filter((line) => /could not be reached; going ahead/.test(line));
        console.log(warnings.map((w) => `      | ${w.trim()}`).join("\n"));
        assert.equal(warnings.length, 1, `one warning, found:\n${lowered.stdout}`);
        assert.match(warnings[0], new RegExp(`127\\.0\\.0\\.1:${dead.port} \\(replica\\) could not be reached`));
        assert.equal((await semisyncVariables(bed.topology.source))[timeoutVariable], "2000", "the source's timeout was lowered");
        assert.deepEqual(Object.keys(lowered.summary.resourceChanges ?? {}).sort(), ["same", "update"]);

        // Raising it could make a commit wait longer for the acknowledgement the dead replica no longer sends.
        await stack.setConfig("timeoutMs", { value: "20000" });
        await rejects(
          stack.up(),
          new RegExp(
            `cannot connect.*Refused rather than going ahead without it: this change sets timeoutMs from 2000 to 20000, which can make a commit wait longer.*127\\.0\\.0\\.1:${dead.port} \\(replica\\) is down\\. Nothing was changed on any server\\.`,
            "s",
          ),
        );
        assert.equal((await semisyncVariables(bed.topology.source))[timeoutVariable], "2000", "nothing changed on the source");
        await stack.setConfig("timeoutMs", { value: "2000" });

        await dead.start();
        // The restart reset the replica's SET GLOBAL switch: the refresh sees it and the up repairs it.
        await stack.up({ refresh: true });
        await assertNoChangesAfterUp(stack);
        assert.equal((await semisyncStatus(bed.topology.source))[clientsVariable], "2", "both replicas acknowledge again");
        for (const replica of [live, dead]) assert.equal((await semisyncStatus(replica))[replicaStatusVariable], "ON", `${replica.name} is semisync`);
        await writer.settle();
      } finally {
        const samples = await writer.stop();
        console.log(`      ${samples.length} commits, max commit ${maxLatency(samples).toFixed(1)} ms`);
        assert.ok(maxLatency(samples) < STALL_MS, `a commit waited ${maxLatency(samples).toFixed(0)} ms`);
      }
      await stack.destroy();
    });
  });
}
