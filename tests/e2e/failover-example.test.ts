import * as assert from "node:assert/strict";
import * as path from "node:path";
import { CliProject, EXAMPLES, copyProject, pulumiCli } from "../../examples/demo/pulumi-cli";
import { maxLatency, startCommitWriter } from "../support/commit-writer";
import { assertNoChangesAfterCliUp } from "../support/empty-plan";
import { assertNothingInstalled, assertSemisyncEverywhere, installedPlugins, semisyncVariables } from "../support/server-probes";
import { promote } from "../testbed/failover";
import { requireLane } from "../testbed/lanes";
import { Server, Topology, startTopology } from "../testbed/topology";

// The bar for a role flip: no commit on the new source waits this long.
const STALL_MS = 1_000;

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

async function pluginsByMember(topology: Topology): Promise<Record<string, string[]>> {
  const members = [topology.source, ...topology.replicas];
  return Object.fromEntries(await Promise.all(members.map(async (member) => [member.name, await installedPlugins(member)] as const)));
}

describe("examples/failover through the Pulumi CLI: a real failover, then one config value changed", function () {
  let topology: Topology;

  before(async function () {
    topology = await startTopology(requireLane("mysql"), { replicas: 2 });
  });

  after(async function () {
    await topology?.stop();
  });

  it("up; orchestrator-style failover to db2; config set source db2; preview plans updates only, no plugin change; up stalls no commit; refresh and preview then find nothing; destroy removes every plugin", async function () {
    const project = copyProject(path.join(EXAMPLES, "failover"), "semisync-failover-tests");
    await pulumiCli(project, ["stack", "init", "demo"]);
    const set = (key: string, value: string, ...flags: string[]) => pulumiCli(project, ["config", "set", "--path", key, value, ...(flags.length ? flags : ["--plaintext"])]);
    for (const [i, member] of [topology.source, ...topology.replicas].entries()) {
      await set(`members[${i}].name`, memberName(topology, member));
      await set(`members[${i}].host`, member.host);
      await set(`members[${i}].port`, String(member.port));
    }
    await set("source", "db1");
    await set("user", "admin");
    await set("password", topology.source.password, "--secret");

    await pulumiCli(project, ["up", "--yes"]);
    await assertSemisyncEverywhere(topology);
    const before = await pluginsByMember(topology);
    for (const [member, plugins] of Object.entries(before)) assert.deepEqual(plugins, ["rpl_semi_sync_replica", "rpl_semi_sync_source"], `both plugins on ${member}`);
    await assertNoChangesAfterCliUp(project);

    const failedOver = await promote(topology, 0);
    assert.equal(memberName(topology, failedOver.source), "db2");
    await set("source", "db2");

    const steps = await previewSteps(project);
    const changes = steps.filter((step) => step.op !== "same");
    assert.ok(changes.length > 0, "the role flip plans some change");
    assert.deepEqual(
      changes.filter((step) => step.op !== "update").map((step) => `${step.op} ${step.urn}`),
      [],
      "a role flip is in-place updates only: nothing created, deleted or replaced",
    );
    assert.deepEqual(
      changes.filter((step) => step.urn.includes("SemisyncPlugin")).map((step) => `${step.op} ${step.urn}`),
      [],
      "no plugin resource changes",
    );

    const writer = await startCommitWriter(failedOver.source, { pauseMs: 10 });
    try {
      await pulumiCli(project, ["up", "--yes"]);
      await writer.settle();
    } finally {
      await writer.stop();
    }
    const samples = writer.take();
    assert.ok(samples.length > 0, "the writer committed on the new source during the up");
    assert.ok(maxLatency(samples) < STALL_MS, `the slowest commit on the new source during the up took ${maxLatency(samples).toFixed(0)} ms`);
    await assertSemisyncEverywhere(failedOver);
    assert.equal((await semisyncVariables(failedOver.oldSource)).rpl_semi_sync_source_enabled, "OFF", "the old source's source side is off");
    assert.deepEqual(await pluginsByMember(topology), before, "no plugin installed or uninstalled by the role flip");
    await assertNoChangesAfterCliUp(project);

    // UNINSTALL PLUGIN writes mysql.plugin, which super_read_only refuses (1290); the demoted
    // source keeps plain read_only, as orchestrator's default leaves it.
    await failedOver.oldSource.query("SET GLOBAL super_read_only = OFF");
    await pulumiCli(project, ["destroy", "--yes"]);
    await assertNothingInstalled(topology);
  });
});
