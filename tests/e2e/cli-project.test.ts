import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EXAMPLES, REPO_ROOT, TEMPLATES, copyProject, pulumiCli, withBackend } from "../../examples/demo/pulumi-cli";
import { assertNoChangesAfterCliUp, cliRoundTrip } from "../support/empty-plan";
import { assertNothingInstalled, assertSemisyncEverywhere } from "../support/server-probes";
import { Topology } from "../testbed/topology";
import { testBed } from "../support/test-bed";

const EXAMPLE_PROJECTS = ["replication-component", "base-resources", "stack-config"];

describe("Pulumi CLI on project directories: the examples and the pulumi new template", function () {
  const bed = testBed("mysql", { replicas: 2 });

  for (const example of EXAMPLE_PROJECTS) {
    it(`examples/${example}: up makes every replica a semisync client, a refresh and a preview then find no changes, destroy removes every plugin`, async function () {
      const project = copyProject(path.join(EXAMPLES, example), "semisync-cli-tests");
      await cliRoundTrip(project, bed.topology);
    });
  }

  it("pulumi up of the repository root's Pulumi.yaml, with no stack config, deploys to the local test bed", async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "semisync-root-"));
    fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.copyFileSync(path.join(REPO_ROOT, "tsconfig.json"), path.join(dir, "tsconfig.json"));
    fs.symlinkSync(EXAMPLES, path.join(dir, "examples"), "dir");
    // The program's default target: the testbed.json `npm run testbed -- up` writes, here this suite's topology.
    const cache = path.join(dir, "cache");
    fs.mkdirSync(cache);
    const endpoint = (s: Topology["source"]) => ({ host: s.host, port: s.port, user: s.user, password: s.password });
    fs.writeFileSync(path.join(cache, "testbed.json"), JSON.stringify({ source: endpoint(bed.topology.source), replicas: bed.topology.replicas.map(endpoint) }));
    const project = withBackend(dir, "semisync-root-tests");
    project.env.SEMISYNC_CACHE = cache;
    await pulumiCli(project, ["stack", "init", "dev"]);
    await pulumiCli(project, ["up", "--yes"]);
    await assertSemisyncEverywhere(bed.topology);
    await assertNoChangesAfterCliUp(project);
    await pulumiCli(project, ["destroy", "--yes"]);
    await assertNothingInstalled(bed.topology);
  });

  it("pulumi new from templates/semisync-replication, answered prompt by prompt, deploys and destroys", async function () {
    const template = path.join(TEMPLATES, "semisync-replication");
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "semisync-new-")), "project");
    const generator = { dir: path.dirname(dir), env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" } };
    await pulumiCli(generator, ["new", template, "--dir", dir, "--name", "orders-semisync", "--description", "semisync for orders", "--yes", "--generate-only"]);
    const generated = fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8");
    assert.match(generated, /^name: orders-semisync$/m);
    assert.doesNotMatch(generated, /^template:/m, "pulumi new strips the template section");

    const answers: Record<string, string> = {
      sourceHost: bed.topology.source.host,
      sourcePort: String(bed.topology.source.port),
      replicas: bed.topology.replicas.map((r) => `${r.host}:${r.port}`).join(","),
      user: "admin",
      password: bed.topology.source.password,
      timeoutMs: "2000",
    };
    const prompts = [...fs.readFileSync(path.join(template, "Pulumi.yaml"), "utf8").matchAll(/^ {4}(\w+):$/gm)].map((m) => m[1]);
    assert.deepEqual(prompts.sort(), Object.keys(answers).sort(), "every prompt of the template is answered");
    const project = withBackend(dir, "semisync-template-tests");
    await pulumiCli(project, ["stack", "init", "dev"]);
    for (const [key, value] of Object.entries(answers)) {
      await pulumiCli(project, ["config", "set", key, value, key === "password" ? "--secret" : "--plaintext"]);
    }
    assert.ok(!fs.readFileSync(path.join(dir, "Pulumi.dev.yaml"), "utf8").includes(bed.topology.source.password), "the password is stored encrypted");
    await pulumiCli(project, ["up", "--yes"]);
    await assertSemisyncEverywhere(bed.topology);
    await assertNoChangesAfterCliUp(project);
    const [timeout] = await bed.topology.source.query("SHOW GLOBAL VARIABLES LIKE 'rpl_semi_sync_source_timeout'");
    assert.equal(timeout.Value, "2000");
    await pulumiCli(project, ["destroy", "--yes"]);
    await assertNothingInstalled(bed.topology);
  });
});
