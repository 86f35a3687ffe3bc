import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CliProject, EXAMPLES, TEMPLATES, pulumiCli } from "../../examples/demo/pulumi-cli";
import { SCHEMA_PATH } from "../../provider/native/schema-gen";
import { CommitWriter, stallFree, startCommitWriter } from "../support/commit-writer";
import { assertNoChangesAfterCliUp } from "../support/empty-plan";
import { PLUGIN_VERSION, pluginHome, removeNativeFolders, storedState, yamlProject } from "../support/native-plugin";
import { assertSemisyncEverywhere, semisyncConfiguration, semisyncVariables } from "../support/server-probes";
import { Lane, laneByName, lanes } from "../testbed/lanes";
import { waitForReplicationRunning } from "../testbed/replication";
import { Server, Topology, startTopology } from "../testbed/topology";

/*
 * A YAML program on the native plugin (`mysql-semisync:index:SemisyncReplication`), through the
 * CLI, with nothing but the tarball of `npm run plugin` installed: the path every non-TypeScript
 * program takes. A writer commits on the source throughout; no commit may take 1 s or more.
 */

const NATIVE_LANES = ["mysql-9.7", "mariadb-11.8"];
const LANES: Lane[] = NATIVE_LANES.filter((name) => lanes().some((l) => l.name === name)).map(laneByName);

async function configure(project: CliProject, topology: Topology, extra: Record<string, string> = {}): Promise<void> {
  await pulumiCli(project, ["stack", "init", "dev"]);
  const set = (key: string, value: string, secret = false) => pulumiCli(project, ["config", "set", key, value, secret ? "--secret" : "--plaintext"]);
  await set("sourcePort", String(topology.source.port));
  await set("replica1Port", String(topology.replicas[0].port));
  await set("replica2Port", String(topology.replicas[1].port));
  await set("user", topology.source.user);
  await set("password", topology.source.password, true);
  for (const [key, value] of Object.entries(extra)) await set(key, value);
}

/** The program's unknown-at-preview case: the source's port comes from another resource's output. */
function unknownPortProgram(topology: Topology): string {
  const server = (s: Server) => `host: 127.0.0.1\n        port: ${s.port}\n        user: ${s.user}\n        password: \${password}`;
  return `name: semisync-yaml-unknowns
runtime: yaml
config:
  password:
    type: string
    secret: true
resources:
  probe:
    type: mysql-semisync:index:SemisyncPlugin
    properties:
      role: source
      connection:
        ${server(topology.source)}
  semisync:
    type: mysql-semisync:index:SemisyncReplication
    properties:
      source:
        host: 127.0.0.1
        port: \${probe.connection.port}
        user: ${topology.source.user}
        password: \${password}
      replicas:
        - name: replica-1
          ${server(topology.replicas[0]).replace(/\n {8}/g, "\n          ")}
`;
}

if (LANES.length === 0) {
  describe("YAML programs on the native plugin", function () {
    it("needs the mysql-9.7 or mariadb-11.8 lane", function () {
      assert.fail(`SEMISYNC_LANES (${process.env.SEMISYNC_LANES}) leaves out both lanes this suite runs on: ${NATIVE_LANES.join(", ")}`);
    });
  });
}

for (const lane of LANES) {
  describe(`YAML program on the native plugin, only the tarball installed (${lane.name})`, function () {
    let topology: Topology;
    let env: NodeJS.ProcessEnv;
    let project: CliProject;
    let writer: CommitWriter | undefined;
    let before: string;

    this.beforeAll(async function () {
      topology = await startTopology(lane, { replicas: 2 });
      env = await pluginHome();
      project = yamlProject({ dir: path.join(EXAMPLES, "yaml") }, env, "semisync-yaml-tests");
      await configure(project, topology, { timeoutMs: "5000" });
      await topology.source.query("CREATE DATABASE IF NOT EXISTS semisync_probe");
      await topology.source.query("CREATE TABLE IF NOT EXISTS semisync_probe.commits (id BIGINT AUTO_INCREMENT PRIMARY KEY, at TIMESTAMP(6) DEFAULT CURRENT_TIMESTAMP(6))");
      before = await semisyncConfiguration(topology);
      writer = await startCommitWriter(topology.source);
    });

    this.afterAll(async function () {
      await writer?.stop().catch(() => undefined);
      await topology?.stop();
      removeNativeFolders();
    });

    it("unknown inputs at preview (the source's port from another resource's output) preview cleanly and change nothing", async function () {
      const unknowns = yamlProject({ yaml: unknownPortProgram(topology) }, env, "semisync-yaml-unknowns");
      await pulumiCli(unknowns, ["stack", "init", "dev"]);
      await pulumiCli(unknowns, ["config", "set", "--secret", "password", topology.source.password]);
      const output = await pulumiCli(unknowns, ["preview", "--diff"]);
      assert.match(output, /\+ +mysql-semisync:index:SemisyncReplication/, "the component is planned");
      assert.match(output, /\+ +mysql-semisync:index:SemisyncEnablement/, "its resources are planned with the port unknown");
      assert.equal(await semisyncConfiguration(topology), before, "a preview changes no server");
    });

    it("up converges the source and both replicas with no commit ≥ 1 s; the stored state holds no password in plaintext", async function () {
      const started = performance.now();
      await stallFree(writer!, "the first up", () => pulumiCli(project, ["up", "--yes"]));
      process.stderr.write(`    (${lane.name}: YAML up ${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
      await assertSemisyncEverywhere(topology);
      const outputs = JSON.parse(await pulumiCli(project, ["stack", "output", "--json"], { stdoutOnly: true }));
      assert.equal(outputs.sourceStatus, "ON");
      assert.deepEqual(outputs.replicaStatuses, { "replica-1": "ON", "replica-2": "ON" });
      const state = storedState(project);
      assert.ok(state.includes("mysql-semisync:index:SemisyncEnablement"), "the backend holds the stack");
      assert.ok(!state.includes(topology.source.password), "no password in plaintext in the stored state");
    });

    it("a second up changes nothing; refresh and preview then report no changes", async function () {
      const output = await stallFree(writer!, "the second up", () => pulumiCli(project, ["up", "--yes", "--expect-no-changes"]));
      assert.doesNotMatch(output, /updated|created|deleted|replaced/);
      await stallFree(writer!, "refresh and preview", () => assertNoChangesAfterCliUp(project));
    });

    it("a change of timeoutMs is an update in place, and reaches the source", async function () {
      await pulumiCli(project, ["config", "set", "timeoutMs", "7000"]);
      const output = await stallFree(writer!, "the update", () => pulumiCli(project, ["up", "--yes", "--diff"]));
      assert.match(output, /~ +mysql-semisync:index:SemisyncEnablement/, "the source's enablement is updated");
      assert.doesNotMatch(output, /\+-|replace/, "nothing is replaced");
      const variables = await semisyncVariables(topology.source);
      assert.equal(variables[lane.family === "mysql" ? "rpl_semi_sync_source_timeout" : "rpl_semi_sync_master_timeout"], "7000");
      await assertNoChangesAfterCliUp(project);
    });

    it("a replica restarted (semisync off again) is repaired by the next up", async function () {
      const replica = topology.replicas[0];
      await stallFree(writer!, "the replica's restart", () => replica.restart());
      await waitForReplicationRunning(replica);
      const [status] = await replica.query(`SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_${lane.family === "mysql" ? "replica" : "slave"}_status'`);
      assert.equal(status?.Value, "OFF", "a restarted replica comes back without semisync (nothing persisted)");
      await stallFree(writer!, "the repairing up", () => pulumiCli(project, ["up", "--yes"]));
      await assertSemisyncEverywhere(topology);
      await assertNoChangesAfterCliUp(project);
    });

    it("destroy leaves every server as it was before the first up", async function () {
      await stallFree(writer!, "destroy", () => pulumiCli(project, ["destroy", "--yes"]));
      assert.equal(await semisyncConfiguration(topology), before);
    });

    it("pulumi import of a hand-installed plugin and its switch: adopted, and left as found by destroy", async function () {
      const source = topology.source;
      const modern = lane.family === "mysql";
      if (modern) await source.query("INSTALL PLUGIN rpl_semi_sync_source SONAME 'semisync_source.so'");
      await source.query(`SET GLOBAL ${modern ? "rpl_semi_sync_source_enabled" : "rpl_semi_sync_master_enabled"} = ON`);
      const handMade = await semisyncConfiguration(topology);
      const imports = yamlProject({ yaml: "name: semisync-yaml-import\nruntime: yaml\n" }, { ...env, MYSQL_SEMISYNC_PASSWORD: source.password }, "semisync-yaml-import");
      await pulumiCli(imports, ["stack", "init", "dev"]);
      const server = `mysql://${source.user}@${source.host}:${source.port}`;
      const plugin = await pulumiCli(imports, ["import", "mysql-semisync:index:SemisyncPlugin", "source-plugin", `${server}/semisync-plugin/source`, "--protect=false", "--yes"]);
      assert.match(plugin, /type: mysql-semisync:(index:)?SemisyncPlugin/, "the generated YAML declares the plugin");
      await pulumiCli(imports, ["import", "mysql-semisync:index:SemisyncEnablement", "source-enablement", `${server}/semisync-enablement/source`, "--protect=false", "--yes"]);
      const stack = JSON.parse(await pulumiCli(imports, ["stack", "export"], { stdoutOnly: true }));
      const byType = (type: string) => stack.deployment.resources.find((r: { type: string }) => r.type === type);
      const importedPlugin = byType("mysql-semisync:index:SemisyncPlugin");
      const importedEnablement = byType("mysql-semisync:index:SemisyncEnablement");
      assert.equal(importedPlugin.id, `mysql://${source.host}:${source.port}/semisync-plugin/source`);
      assert.equal(importedPlugin.outputs.builtIn, !modern);
      assert.equal(importedPlugin.outputs.adopted, modern, "an installed plugin is adopted");
      assert.equal(importedEnablement.outputs.adopted, true, "a switched-on side is adopted");
      assert.equal(importedEnablement.outputs.enabledOnServer, true);
      assert.ok(!storedState(imports).includes(source.password), "no password in plaintext in the stored state");
      assert.equal(await semisyncConfiguration(topology), handMade, "an import changes nothing");
      await pulumiCli(imports, ["destroy", "--yes"]);
      assert.equal(await semisyncConfiguration(topology), handMade, "destroy leaves what was imported as it was found");
    });
  });
}

describe("the native plugin as installed: its schema, and the pulumi new template for YAML", function () {
  let env: NodeJS.ProcessEnv;

  this.beforeAll(async function () {
    env = await pluginHome();
  });

  this.afterAll(function () {
    removeNativeFolders();
  });

  it("pulumi package get-schema of the installed plugin is the checked-in provider/native/schema.json", async function () {
    const served = await pulumiCli({ dir: os.tmpdir(), env }, ["package", "get-schema", `mysql-semisync@${PLUGIN_VERSION}`], { stdoutOnly: true });
    assert.deepEqual(JSON.parse(served), JSON.parse(fs.readFileSync(SCHEMA_PATH, "utf8")), "the plugin serves another schema than provider/native/schema.json: run `npm run schema`, then `npm run plugin`");
  });

  it("pulumi new from templates/semisync-replication-yaml, answered prompt by prompt, previews the component and its resources", async function () {
    const template = path.join(TEMPLATES, "semisync-replication-yaml");
    const generated = yamlProject({ yaml: "name: placeholder\nruntime: yaml\n" }, env, "semisync-yaml-template");
    const dir = path.join(generated.dir, "project");
    await pulumiCli({ dir: generated.dir, env }, ["new", template, "--dir", dir, "--name", "orders-semisync", "--description", "semisync for orders", "--yes", "--generate-only"]);
    const text = fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8");
    assert.match(text, /^name: orders-semisync$/m);
    assert.doesNotMatch(text, /^template:/m, "pulumi new strips the template section");
    const project = { ...generated, dir };
    const answers: Record<string, string> = {
      sourceHost: "127.0.0.1",
      sourcePort: "3306",
      replica1Host: "127.0.0.2",
      replica1Port: "3306",
      replica2Host: "127.0.0.3",
      replica2Port: "3306",
      user: "semisync",
      password: "not-a-real-password",
      timeoutMs: "2000",
    };
    const templateSection = fs
      .readFileSync(path.join(template, "Pulumi.yaml"), "utf8")
      .split(/^template:$/m)[1]
      .split(/^\S/m)[0];
    const prompts = [...templateSection.matchAll(/^ {4}(\w+):$/gm)].map((m) => m[1]);
    assert.deepEqual(prompts.sort(), Object.keys(answers).sort(), "every prompt of the template is answered");
    await pulumiCli(project, ["stack", "init", "dev"]);
    for (const [key, value] of Object.entries(answers)) await pulumiCli(project, ["config", "set", key, value, key === "password" ? "--secret" : "--plaintext"]);
    // A preview contacts no server: check and diff only.
    const output = await pulumiCli(project, ["preview"]);
    assert.match(output, /\+ +mysql-semisync:index:SemisyncReplication/);
    assert.equal((output.match(/\+ +mysql-semisync:index:SemisyncPlugin/g) ?? []).length, 3, "a plugin per server");
    assert.equal((output.match(/\+ +mysql-semisync:index:SemisyncEnablement/g) ?? []).length, 3, "an enablement per server");
  });
});
