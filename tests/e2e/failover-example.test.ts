import * as assert from "node:assert/strict";
import * as path from "node:path";
import { CliProject, EXAMPLES, copyProject, pulumiCli } from "../../examples/demo/pulumi-cli";
import { STALL_MS, maxLatency, startCommitWriter } from "../support/commit-writer";
import { assertNoChangesAfterCliUp } from "../support/empty-plan";
import { assertNothingInstalled, assertSemisyncEverywhere, installedPlugins, semisyncVariables } from "../support/server-probes";
import { promote } from "../testbed/failover";
import { Server, Topology } from "../testbed/topology";
import { testBed } from "../support/test-bed";

interface PreviewStep {
  op: string;
  urn: string;
}

/** `pulumi preview --json`: the planned step of every resource. */
async function previewSteps(project: CliProject): Promise<PreviewStep[]> {
  const output = await pulumiCli(project, ["preview", "--json"], { stdoutOnly: true });
  return (JSON.parse(output) as { steps?: PreviewStep[] }).steps ?? [];
}

/** `db1`, `db2`, … in the test bed's order: the names the stack config gives the members. */
function memberName(topology: Topology, server: Server): string {
  return `db${[topology.source, ...topology.replicas].indexOf(server) + 1}`;
}

/** INSTALL and UNINSTALL PLUGIN statements each member has run since it started. */
async function pluginStatements(topology: Topology): Promise<Record<string, string>> {
  const members = [topology.source, ...topology.replicas];
  const counts = await Promise.all(
    members.map(async (member) => {
      const rows = await member.query("SHOW GLOBAL STATUS WHERE Variable_name IN ('Com_install_plugin', 'Com_uninstall_plugin')");
      return [
        member.name,
        rows
          .map((row) => `${row.Variable_name}=${row.Value}`)
          .sort()
          .join(" "),
      ] as const;
    }),
  );
  return Object.fromEntries(counts);
}

async function pluginsByMember(topology: Topology): Promise<Record<string, string[]>> {
  const members = [topology.source, ...topology.replicas];
  return Object.fromEntries(await Promise.all(members.map(async (member) => [member.name, await installedPlugins(member)] as const)));
}

describe("examples/failover through the Pulumi CLI: a real failover, then one config value changed", function () {
  const bed = testBed("mysql", { replicas: 2 });

  it("up; orchestrator-style failover to db2; config set source db2; preview plans updates only; up runs no INSTALL/UNINSTALL PLUGIN and stalls no commit; refresh and preview then find nothing; destroy removes every plugin", async function () {
    const project = copyProject(path.join(EXAMPLES, "failover"), "semisync-failover-tests");
    await pulumiCli(project, ["stack", "init", "demo"]);
    const set = (key: string, value: string, ...flags: string[]) => pulumiCli(project, ["config", "set", "--path", key, value, ...(flags.length ? flags : ["--plaintext"])]);
    for (const [i, member] of [bed.topology.source, ...bed.topology.replicas].entries()) {
      await set(`members[${i}].name`, memberName(bed.topology, member));
      await set(`members[${i}].host`, member.host);
      await set(`members[${i}].port`, String(member.port));
    }
    await set("source", "db1");
    await set("user", "admin");
    await set("password", bed.topology.source.password, "--secret");

    await pulumiCli(project, ["up", "--yes"]);
    await assertSemisyncEverywhere(bed.topology);
    const before = await pluginsByMember(bed.topology);
    for (const [member, plugins] of Object.entries(before)) assert.deepEqual(plugins, ["rpl_semi_sync_replica", "rpl_semi_sync_source"], `both plugins on ${member}`);
    await assertNoChangesAfterCliUp(project);

    const failedOver = await promote(bed.topology, 0);
    assert.equal(memberName(bed.topology, failedOver.source), "db2");
    await set("source", "db2");

    // `refresh: always` puts the refresh's own steps in the preview's JSON: those only read.
    const changes = (await previewSteps(project)).filter((step) => step.op !== "same" && step.op !== "refresh");
    assert.ok(changes.length > 0, "the role flip plans some change");
    assert.deepEqual(
      changes.filter((step) => step.op !== "update").map((step) => `${step.op} ${step.urn}`),
      [],
      "a role flip is in-place updates only: nothing created, deleted or replaced",
    );

    const statementsBefore = await pluginStatements(bed.topology);
    const writer = await startCommitWriter(failedOver.source, { pauseMs: 10 });
    try {
      await pulumiCli(project, ["up", "--yes"]);
      await writer.settle();
    } finally {
      await writer.stop();
    }
    const samples = writer.take();
    console.log(`      role flip up through the CLI: ${samples.length} commits on the new source, slowest ${maxLatency(samples).toFixed(1)} ms`);
    assert.ok(samples.length > 0, "the writer committed on the new source during the up");
    assert.ok(maxLatency(samples) < STALL_MS, `the slowest commit on the new source during the up took ${maxLatency(samples).toFixed(0)} ms`);
    await assertSemisyncEverywhere(failedOver);
    assert.equal((await semisyncVariables(failedOver.oldSource)).rpl_semi_sync_source_enabled, "OFF", "the old source's source side is off");
    assert.deepEqual(await pluginsByMember(bed.topology), before, "every member still has both plugins");
    assert.deepEqual(await pluginStatements(bed.topology), statementsBefore, "the role flip ran no INSTALL or UNINSTALL PLUGIN");
    await assertNoChangesAfterCliUp(project);

    // UNINSTALL PLUGIN writes mysql.plugin, which super_read_only refuses (1290); the demoted
    // source keeps plain read_only, as orchestrator's default leaves it.
    await failedOver.oldSource.query("SET GLOBAL super_read_only = OFF");
    await pulumiCli(project, ["destroy", "--yes"]);
    await assertNothingInstalled(bed.topology);
  });
});
