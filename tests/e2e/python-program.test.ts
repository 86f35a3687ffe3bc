import * as assert from "node:assert/strict";
import * as path from "node:path";
import { CliProject, EXAMPLES, REPO_ROOT, configureServers, pulumiCli } from "../../examples/demo/pulumi-cli";
import { stallFree } from "../support/commit-writer";
import { assertNoChangesAfterCliUp } from "../support/empty-plan";
import { EXAMPLE_RESOURCES, assertConverged, describeLanguage, filesUnder, installPythonSdk, pythonProject, sourceTimeout } from "../support/languages";
import { semisyncConfiguration } from "../support/server-probes";

const PASSPHRASE = "semisync-python-tests";
const UNKNOWN_PORT_PROGRAM = path.join(REPO_ROOT, "tests", "programs", "python-unknown-port");

/*
 * examples/python as a user runs it: the plugin from its tarball only, the SDK pip-installed from
 * sdk/python, the bootstrap's virtualenv activated, the pulumi CLI. A writer commits on the source
 * throughout; no commit may take a second.
 */
let site: string;

describeLanguage(
  "a Python program on the generated SDK, through the pulumi CLI (examples/python)",
  async () => {
    site = await installPythonSdk();
  },
  (suite) => {
    const { lane, bed } = suite;
    let project: CliProject;
    const servers = () => ({ source: bed.topology.source, replicas: bed.topology.replicas, user: bed.topology.source.user, password: bed.topology.source.password });

    before(async function () {
      project = pythonProject(path.join(EXAMPLES, "python"), suite.env, site, PASSPHRASE);
      await configureServers(project, servers());
    });

    it("a preview with the replicas' ports unknown (from another resource) plans the whole topology and changes nothing", async function () {
      const unknown = pythonProject(UNKNOWN_PORT_PROGRAM, suite.env, site, PASSPHRASE);
      await configureServers(unknown, servers());
      const output = await stallFree(suite.writer, "the preview", () => pulumiCli(unknown, ["preview", "--diff"]));
      assert.match(output, /port\s*: \[unknown\]/, "the replicas' ports reach the plugin unknown");
      assert.match(output, new RegExp(`\\+ ${EXAMPLE_RESOURCES + 2} to create`), output.slice(-600));
      assert.equal(await semisyncConfiguration(bed.topology), suite.configuredBefore, "a preview changes nothing");
    });

    it("up makes every replica a semisync client; a second up changes nothing; refresh and preview find no changes", async function () {
      const started = Date.now();
      const output = await stallFree(suite.writer, "up", () => pulumiCli(project, ["up", "--yes"]));
      console.log(`      [timing] ${lane.name}: Python up ${Date.now() - started} ms`);
      assert.match(output, new RegExp(`\\+ ${EXAMPLE_RESOURCES + 1} created`), "the stack and its resources are created");
      await assertConverged(bed.topology, lane.family);
      await stallFree(suite.writer, "a second up", () => pulumiCli(project, ["up", "--yes", "--expect-no-changes"]));
      await stallFree(suite.writer, "refresh and preview", () => assertNoChangesAfterCliUp(project));
    });

    it("a changed timeoutMs is an update in place of the source's enablement", async function () {
      await pulumiCli(project, ["config", "set", "timeoutMs", "7000"]);
      const output = await stallFree(suite.writer, "the update", () => pulumiCli(project, ["up", "--yes"]));
      assert.match(output, /~ 1 updated/);
      assert.doesNotMatch(output, /\d+ (created|deleted|replaced)/);
      assert.equal(await sourceTimeout(bed.topology, lane.family), "7000");
      await assertConverged(bed.topology, lane.family);
      await assertNoChangesAfterCliUp(project);
    });

    it("a restarted source (semisync off) is switched back on by the next up", async function () {
      await suite.restartSource();
      await stallFree(suite.writer, "the up after the restart", () => pulumiCli(project, ["up", "--yes"]));
      await assertConverged(bed.topology, lane.family);
      await assertNoChangesAfterCliUp(project);
    });

    it("destroy leaves every server as it was before, and the password never reached the state or the project", async function () {
      await stallFree(suite.writer, "destroy", () => pulumiCli(project, ["destroy", "--yes"]));
      assert.equal(await semisyncConfiguration(bed.topology), suite.configuredBefore, "every server is as before");
      assert.ok(!filesUnder(project.dir).includes(bed.topology.source.password), "the password is stored encrypted only (state and stack config)");
    });
  },
);
