import * as assert from "node:assert/strict";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { EXAMPLES, configureServers, copyProject, pulumiCli } from "../../examples/demo/pulumi-cli";
import { SemisyncEnablement, SemisyncPlugin, SemisyncReplication } from "../../provider";
import { assertNoChangesAfterUp } from "../support/empty-plan";
import { inlineStack } from "../support/pulumi-workspace";
import { semisyncSnapshot, semisyncStatus } from "../support/server-probes";
import { Lane, lanes, requireLane } from "../testbed/lanes";
import { Server, Topology } from "../testbed/topology";
import { testBed } from "../support/test-bed";

/*
 * Bad input as users run it: `pulumi up --skip-preview` (what CI scripts run, and what the
 * Automation API's `up` runs) registers and creates each resource as the program declares it, so a
 * bad value in a resource declared late used to be refused after the earlier ones had changed
 * their servers. Every refusal at program time must leave every server and the state as they
 * were, and print once, without a stack trace.
 */

/**
 * The lanes of issue 19: MySQL 9.7 and MariaDB 11.8 (else the first MariaDB lane selected). A
 * family filtered out by SEMISYNC_LANES fails its suite, saying why.
 */
function issueLanes(): { title: string; lane: () => Lane }[] {
  return (["mysql", "mariadb"] as const).map((family) => {
    const lane = lanes().find((l) => l.name === (family === "mysql" ? "mysql-9.7" : "mariadb-11.8")) ?? lanes().find((l) => l.family === family);
    return { title: lane?.name ?? `no ${family} lane`, lane: () => lane ?? requireLane(family) };
  });
}

const connectionOf = (s: Server, password: pulumi.Input<string>) => ({ host: s.host, port: s.port, user: s.user, password, connectTimeoutMs: 5_000 });

/** Every replica a semisync client of the source, on MySQL (source/replica names) and MariaDB (master/slave). */
async function assertSemisyncEverywhere(t: Topology): Promise<void> {
  const source = await semisyncStatus(t.source);
  assert.equal(source.Rpl_semi_sync_source_status ?? source.Rpl_semi_sync_master_status, "ON", "the source is semisync");
  assert.equal(source.Rpl_semi_sync_source_clients ?? source.Rpl_semi_sync_master_clients, String(t.replicas.length), "every replica is a semisync client");
  for (const replica of t.replicas) {
    const status = await semisyncStatus(replica);
    assert.equal(status.Rpl_semi_sync_replica_status ?? status.Rpl_semi_sync_slave_status, "ON", `${replica.name} is semisync`);
  }
}

/** A frame of a JavaScript stack trace, as Node prints them. */
const STACK_FRAME = /^\s+at .+(\(.*:\d+:\d+\)|:\d+:\d+)$/m;

function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

/**
 * The engine's "Diagnostics:" section: each error once (the progress lines above it echo them as
 * they happen).
 */
function diagnostics(output: string): string {
  const start = output.lastIndexOf("\nDiagnostics:");
  assert.ok(start >= 0, `the engine's output has a Diagnostics section:\n${output.slice(-3000)}`);
  const end = output.indexOf("\nResources:", start);
  return output.slice(start, end < 0 ? undefined : end);
}

interface Refusal {
  name: string;
  program: (t: Topology, password: pulumi.Output<string>) => void;
  /** The message, exactly as the engine's output must show it once. */
  expected: RegExp;
}

// Values a YAML or config-driven program would pass: cast past the types.
const REFUSALS: Refusal[] = [
  {
    name: "timeoutMs -1 on the source (issue 19)",
    program: (t, pw) => new SemisyncReplication("r", { source: connectionOf(t.source, pw), replicas: t.replicas.map((r) => ({ ...connectionOf(r, pw), name: r.name })), timeoutMs: -1 }),
    expected: /SemisyncReplication r: timeoutMs must be a whole number from 0 to 18446744073709551615, got -1\. Nothing was changed on any server/,
  },
  {
    name: "a misspelt key of the component (timeoutMS) is refused, not ignored (issue 17)",
    program: (t, pw) => new SemisyncReplication("r", { source: connectionOf(t.source, pw), replicas: t.replicas.map((r) => ({ ...connectionOf(r, pw), name: r.name })), timeoutMS: 2000 } as never),
    expected: /SemisyncReplication r: timeoutMS is not an input: the resource takes source, replicas, failoverReady, terminology, timeoutMs, [a-zA-Z, ]+\. Nothing was changed on any server/,
  },
  {
    name: 'timeoutMs "abc" on the source',
    program: (t, pw) => new SemisyncReplication("r", { source: connectionOf(t.source, pw), replicas: t.replicas.map((r) => ({ ...connectionOf(r, pw), name: r.name })), timeoutMs: "abc" as never }),
    expected: /SemisyncReplication r: timeoutMs must be a whole number from 0 to 18446744073709551615, got "abc"\. Nothing was changed on any server/,
  },
  {
    name: "a bad port on the last replica",
    program: (t, pw) =>
      new SemisyncReplication("r", { source: connectionOf(t.source, pw), replicas: t.replicas.map((r, i) => ({ ...connectionOf(r, pw), name: r.name, port: i === t.replicas.length - 1 ? 70_000 : r.port })) }),
    expected: /SemisyncReplication r: replicas\[1\]\.port must be a whole number from 1 to 65535, got 70000\. Nothing was changed on any server/,
  },
  {
    name: "a bad timeoutMs on a source enablement declared after the plugins and the replicas' enablements",
    program: (t, pw) => {
      const sourcePlugin = new SemisyncPlugin("source-plugin", { connection: connectionOf(t.source, pw), role: "source" });
      const replicaEnablements = t.replicas.map((r) => {
        const plugin = new SemisyncPlugin(`${r.name}-plugin`, { connection: connectionOf(r, pw), role: "replica", source: connectionOf(t.source, pw) }, { dependsOn: [sourcePlugin] });
        return new SemisyncEnablement(`${r.name}-enablement`, { connection: connectionOf(r, pw), role: "replica", source: connectionOf(t.source, pw) }, { dependsOn: [plugin] });
      });
      new SemisyncEnablement("source-enablement", { connection: connectionOf(t.source, pw), role: "source", timeoutMs: -1 }, { dependsOn: replicaEnablements });
    },
    expected: /SemisyncEnablement source-enablement: timeoutMs must be a whole number from 0 to 18446744073709551615, got -1\. Nothing was changed on any server/,
  },
  {
    name: "two replicas with the same name",
    program: (t, pw) => new SemisyncReplication("r", { source: connectionOf(t.source, pw), replicas: t.replicas.map((r) => ({ ...connectionOf(r, pw), name: "db2" })) }),
    expected: /SemisyncReplication r: two replicas share the key 'db2'; give them distinct names\. Nothing was changed on any server/,
  },
  {
    name: "a waitForReplicaCount above the replicas declared",
    program: (t, pw) => new SemisyncReplication("r", { source: connectionOf(t.source, pw), replicas: t.replicas.map((r) => ({ ...connectionOf(r, pw), name: r.name })), waitForReplicaCount: 3 }),
    expected: /SemisyncReplication r: waitForReplicaCount is 3 but only 2 replica\(s\) are declared; every commit would wait out the timeout\. Lower waitForReplicaCount, add replicas\. Nothing was changed on any server/,
  },
];

for (const { title, lane } of issueLanes()) {
  describe(`every input is checked before any server is touched, with --skip-preview: ${title}`, function () {
    const bed = testBed(lane, { replicas: 2 });

    for (const refusal of REFUSALS) {
      it(`${refusal.name}: refused without a stack trace; no server and nothing in the state changed`, async function () {
        const before = await semisyncSnapshot(bed.topology);
        const { stack } = await inlineStack("semisync-program-checks", async () => {
          refusal.program(bed.topology, pulumi.secret(bed.topology.source.password));
        });
        const output: string[] = [];
        // The Automation API's up is `pulumi up --yes --skip-preview`.
        const error = await stack.up({ onOutput: (line) => output.push(line) }).then(
          () => assert.fail("the deployment should have failed"),
          (e: Error) => e,
        );
        const printed = output.join("");
        assert.equal(await semisyncSnapshot(bed.topology), before, `nothing changed on any server (plugins, variables, status):\n${printed.slice(-3000)}`);
        const state = await stack.exportStack();
        const recorded = (state.deployment.resources ?? []).filter((r: { type: string }) => r.type.startsWith("mysql-semisync") || r.type.startsWith("pulumi-nodejs:dynamic"));
        assert.deepEqual(
          recorded.map((r: { urn: string }) => r.urn),
          [],
          "nothing recorded in the state",
        );
        assert.match(diagnostics(printed), refusal.expected, "the engine's output shows the refusal");
        // How often: the Automation API's inline-program host reports a program's error twice
        // (its unhandled-rejection handler and its Run response), whatever the error; the CLI
        // runs below count it.
        assert.doesNotMatch(printed, STACK_FRAME, "no stack trace in the engine's output");
        assert.doesNotMatch(error.message, STACK_FRAME, "no stack trace in the error");
      });
    }

    // `pulumi up --skip-preview` through the CLI on the stack-config example, as a CI script runs it.
    const CLI_REFUSALS: { name: string; config: (t: Topology) => string[][]; expected: (t: Topology) => string }[] = [
      {
        name: "a bad timeoutMs",
        config: () => [["config", "set-all", "--plaintext", "timeoutMs=-1"]],
        expected: () => "SemisyncReplication semisync: timeoutMs must be a whole number from 0 to 18446744073709551615, got -1. Nothing was changed on any server",
      },
      {
        name: "a waitForReplicaCount above the replicas",
        config: () => [["config", "set-all", "--plaintext", "waitForReplicaCount=3"]],
        expected: () =>
          "SemisyncReplication semisync: waitForReplicaCount is 3 but only 2 replica(s) are declared; every commit would wait out the timeout. Lower waitForReplicaCount, add replicas. Nothing was changed on any server",
      },
      {
        name: "one replica listed twice",
        config: (t) => [
          ["config", "set", "--path", "replicas[2].host", t.replicas[0].host, "--plaintext"],
          ["config", "set", "--path", "replicas[2].port", String(t.replicas[0].port), "--plaintext"],
        ],
        expected: (t) => `SemisyncReplication semisync: two replicas share the key '${t.replicas[0].host}-${t.replicas[0].port}'; give them distinct names. Nothing was changed on any server`,
      },
    ];

    // What the CLI prints does not depend on the server: every refusal on the first lane, one on the others.
    for (const refusal of title === issueLanes()[0].title ? CLI_REFUSALS : CLI_REFUSALS.slice(0, 1)) {
      it(`${refusal.name} in stack config, \`pulumi up --skip-preview\` through the CLI: one error, without a stack trace; nothing changed`, async function () {
        const before = await semisyncSnapshot(bed.topology);
        const project = copyProject(path.join(EXAMPLES, "stack-config"), "semisync-program-checks");
        await configureServers(project, { source: bed.topology.source, replicas: bed.topology.replicas, user: "admin", password: bed.topology.source.password });
        for (const args of refusal.config(bed.topology)) await pulumiCli(project, args);
        const failure = await pulumiCli(project, ["up", "--yes", "--skip-preview"]).then(
          () => assert.fail("the deployment should have failed"),
          (e: Error) => e.message,
        );
        assert.equal(await semisyncSnapshot(bed.topology), before, `nothing changed on any server:\n${failure}`);
        const reported = diagnostics(failure);
        assert.equal(occurrences(reported, refusal.expected(bed.topology)), 1, `reported once:\n${failure}`);
        assert.equal(occurrences(reported, "error:"), 1, `one error in all:\n${failure}`);
        assert.doesNotMatch(failure, STACK_FRAME, `no stack trace:\n${failure}`);
      });
    }
  });
}

/**
 * Another resource's output, unknown until that resource is created: the port of a server a
 * program creates (a container, a cloud database) looks like this to the component.
 */
const portProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: { value: number }) {
    return { id: `port-${inputs.value}`, outs: { value: inputs.value, port: inputs.value } };
  },
};

class PortOf extends pulumi.dynamic.Resource {
  declare readonly port: pulumi.Output<number>;
  constructor(name: string, value: number) {
    super(portProvider, name, { value, port: undefined }, {});
  }
}

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

for (const { title, lane } of issueLanes()) {
  describe(`connection fields from other resources: ${title}`, function () {
    const bed = testBed(lane, { replicas: 2 });

    const withPortsFromResources = (t: Topology, pw: pulumi.Output<string>, named: boolean, failoverReady = false) => {
      const member = (s: Server) => ({ ...connectionOf(s, pw), port: new PortOf(`port-${s.name}`, s.port).port, ...(named ? { name: s.name } : {}) });
      return new SemisyncReplication("r", { source: member(t.source), replicas: t.replicas.map(member), timeoutMs: 4_000, failoverReady });
    };

    it("with failoverReady, members whose ports come from another resource and no name: a program-time error naming the fix, without a stack trace; nothing changed", async function () {
      const before = await semisyncSnapshot(bed.topology);
      const { stack } = await inlineStack("semisync-output-ports", async () => {
        withPortsFromResources(bed.topology, pulumi.secret(bed.topology.source.password), false, true);
      });
      const output: string[] = [];
      const error = await stack.up({ onOutput: (line) => output.push(line) }).then(
        () => assert.fail("the deployment should have failed"),
        (e: Error) => e,
      );
      const printed = output.join("");
      assert.equal(await semisyncSnapshot(bed.topology), before, `nothing changed on any server:\n${printed.slice(-3000)}`);
      assert.match(
        diagnostics(printed),
        /SemisyncReplication r: with failoverReady every member's resources are keyed by its name, and the source has no name and its port is an output, so its key cannot be known when the program runs\. Give it a name/,
        "the engine's output names the fix",
      );
      assert.doesNotMatch(printed, STACK_FRAME, "no stack trace");
      assert.doesNotMatch(error.message, STACK_FRAME, "no stack trace in the error");
      assert.doesNotMatch(printed, /127\.0\.0\.1-3306/, "no default port stands in for an output");
    });

    it("replicas whose ports come from another resource and no name are keyed by position, never by a default port: up converges", async function () {
      const { stack } = await inlineStack("semisync-output-ports", async () => {
        const replication = withPortsFromResources(bed.topology, pulumi.secret(bed.topology.source.password), false);
        return { keys: Object.keys(replication.replicaEnablements) };
      });
      const up = await stack.up();
      assert.deepEqual(up.outputs.keys.value, ["0", "1"]);
      await assertSemisyncEverywhere(bed.topology);
      await assertNoChangesAfterUp(stack);
      await stack.destroy();
    });

    it("named members whose ports come from another resource: preview shows the host, user, role and settings, and only the port as unknown; up converges", async function () {
      const { stack } = await inlineStack("semisync-output-ports", async () => {
        withPortsFromResources(bed.topology, pulumi.secret(bed.topology.source.password), true);
      });
      const planned: Record<string, Record<string, unknown>> = {};
      await stack.preview({
        onEvent: (event) => {
          const step = event.resourcePreEvent?.metadata;
          if (step?.new?.type?.startsWith("pulumi-nodejs:dynamic/mysql-semisync:")) planned[step.urn.split("::").pop()!] = step.new.inputs;
        },
      });
      const enablement = planned["r-source"];
      assert.ok(enablement, `the preview plans the source's enablement: ${Object.keys(planned).join(", ")}`);
      assert.deepEqual(
        { connection: enablement.connection, role: enablement.role, timeoutMs: enablement.timeoutMs },
        { connection: { host: bed.topology.source.host, port: UNKNOWN, user: bed.topology.source.user, connectTimeoutMs: 5_000 }, role: "source", timeoutMs: 4_000 },
      );
      for (const replica of bed.topology.replicas) {
        const inputs = planned[`r-replica-${replica.name}`];
        assert.deepEqual(inputs?.connection, { host: replica.host, port: UNKNOWN, user: replica.user, connectTimeoutMs: 5_000 }, replica.name);
        assert.equal(inputs?.role, "replica");
      }
      const up = await stack.up();
      assert.equal(up.summary.result, "succeeded");
      await assertSemisyncEverywhere(bed.topology);
      await assertNoChangesAfterUp(stack);
      await stack.destroy();
    });
  });
}
