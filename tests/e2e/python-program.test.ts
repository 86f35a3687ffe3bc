import * as assert from "node:assert/strict";
import * as path from "node:path";
import { CliProject, EXAMPLES, REPO_ROOT, configureServers, pulumiCli } from "../../examples/demo/pulumi-cli";
import { CommitWriter, startCommitWriter } from "../support/commit-writer";
import { assertNoChangesAfterCliUp } from "../support/empty-plan";
import { assertConverged, filesUnder, installPythonSdk, languageLanes, pythonProject, removeLanguageFolders, semisyncConfiguration, sourceTimeout, stallFree } from "../support/languages";
import { pluginHome, removeNativeFolders } from "../support/native-plugin";
import { semisyncVariables } from "../support/server-probes";
import { Topology, startTopology } from "../testbed/topology";

const PASSPHRASE = "semisync-python-tests";
const UNKNOWN_PORT_PROGRAM = path.join(REPO_ROOT, "tests", "programs", "python-unknown-port");

/** The resources examples/python declares with two replicas: the component, a plugin and an enablement per member. */
const RESOURCES = 1 + 2 * 3;

/*
 * examples/python as a user runs it: the plugin from its tarball only, the SDK pip-installed from
 * sdk/python, the bootstrap's virtualenv activated, the pulumi CLI. A writer commits on the source
 * throughout; no commit may take a second.
 */
describe("a Python program on the generated SDK, through the pulumi CLI (examples/python)", function () {
  let env: NodeJS.ProcessEnv;
  let site: string;

  before(async function () {
    env = await pluginHome();
    site = await installPythonSdk();
  });

  after(function () {
    removeNativeFolders();
    removeLanguageFolders();
  });

  for (const lane of languageLanes()) {
    describe(lane.name, function () {
      let topology: Topology;
      let writer: CommitWriter | undefined;
      let project: CliProject;
      let configuredBefore: string;
      const servers = () => ({ source: topology.source, replicas: topology.replicas, user: topology.source.user, password: topology.source.password });

      before(async function () {
        topology = await startTopology(lane, { replicas: 2 });
        configuredBefore = await semisyncConfiguration(topology);
        writer = await startCommitWriter(topology.source, { pauseMs: 10 });
        project = pythonProject(path.join(EXAMPLES, "python"), env, site, PASSPHRASE);
        await configureServers(project, servers());
      });

      after(async function () {
        await writer?.stop().catch(() => undefined);
        await topology?.stop();
      });

      it("a preview with the replicas' ports unknown (from another resource) plans the whole topology and changes nothing", async function () {
        const unknown = pythonProject(UNKNOWN_PORT_PROGRAM, env, site, PASSPHRASE);
        await configureServers(unknown, servers());
        const output = await stallFree(writer!, "the preview", () => pulumiCli(unknown, ["preview", "--diff"]));
        assert.match(output, /port\s*: \[unknown\]/, "the replicas' ports reach the plugin unknown");
        assert.match(output, new RegExp(`\\+ ${RESOURCES + 2} to create`), output.slice(-600));
        assert.equal(await semisyncConfiguration(topology), configuredBefore, "a preview changes nothing");
      });

      it("up makes every replica a semisync client; a second up changes nothing; refresh and preview find no changes", async function () {
        const started = Date.now();
        const output = await stallFree(writer!, "up", () => pulumiCli(project, ["up", "--yes"]));
        console.log(`      [timing] ${lane.name}: Python up ${Date.now() - started} ms`);
        assert.match(output, new RegExp(`\\+ ${RESOURCES + 1} created`), "the stack and its resources are created");
        await assertConverged(topology, lane.family);
        await stallFree(writer!, "a second up", () => pulumiCli(project, ["up", "--yes", "--expect-no-changes"]));
        await stallFree(writer!, "refresh and preview", () => assertNoChangesAfterCliUp(project));
      });

      it("a changed timeoutMs is an update in place of the source's enablement", async function () {
        await pulumiCli(project, ["config", "set", "timeoutMs", "7000"]);
        const output = await stallFree(writer!, "the update", () => pulumiCli(project, ["up", "--yes"]));
        assert.match(output, /~ 1 updated/);
        assert.doesNotMatch(output, /\d+ (created|deleted|replaced)/);
        assert.equal(await sourceTimeout(topology, lane.family), "7000");
        await assertConverged(topology, lane.family);
        await assertNoChangesAfterCliUp(project);
      });

      it("a restarted source (semisync off) is switched back on by the next up", async function () {
        await writer!.stop();
        await topology.source.restart();
        writer = await startCommitWriter(topology.source, { pauseMs: 10 });
        const enabled = lane.family === "mysql" ? "rpl_semi_sync_source_enabled" : "rpl_semi_sync_master_enabled";
        assert.equal((await semisyncVariables(topology.source))[enabled], "OFF", "SET GLOBAL does not survive a restart");
        await stallFree(writer, "the up after the restart", () => pulumiCli(project, ["up", "--yes"]));
        await assertConverged(topology, lane.family);
        await assertNoChangesAfterCliUp(project);
      });

      it("destroy leaves every server as it was before, and the password never reached the state or the project", async function () {
        await stallFree(writer!, "destroy", () => pulumiCli(project, ["destroy", "--yes"]));
        assert.equal(await semisyncConfiguration(topology), configuredBefore, "every server is as before");
        assert.ok(!filesUnder(project.dir).includes(topology.source.password), "the password is stored encrypted only (state and stack config)");
      });
    });
  }
});
