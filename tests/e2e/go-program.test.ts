import * as assert from "node:assert/strict";
import { CommitWriter, startCommitWriter } from "../support/commit-writer";
import { GO_EXAMPLE, assertConverged, buildGoExample, filesUnder, goExample, goStack, languageLanes, removeLanguageFolders, semisyncConfiguration, serversFile, sourceTimeout, stallFree } from "../support/languages";
import { run } from "../support/installed-package";
import { pluginHome, removeNativeFolders } from "../support/native-plugin";
import { semisyncVariables } from "../support/server-probes";
import { Topology, startTopology } from "../testbed/topology";

const PASSPHRASE = "semisync-go-tests";

/** The resources examples/go declares with two replicas: the component, a plugin and an enablement per member. */
const RESOURCES = 1 + 2 * 3;

/*
 * examples/go as a user runs it: a Go program that runs itself inline through the Automation API
 * (no Go language host), the plugin from its tarball only, the SDK from sdk/go. A writer commits on
 * the source throughout; no commit may take a second.
 */
describe("a Go program on the generated SDK, inline through the Automation API (examples/go)", function () {
  let env: NodeJS.ProcessEnv;
  let binary: string;

  before(async function () {
    env = await pluginHome();
    binary = await buildGoExample();
  });

  after(function () {
    removeNativeFolders();
    removeLanguageFolders();
  });

  for (const lane of languageLanes()) {
    describe(lane.name, function () {
      let topology: Topology;
      let writer: CommitWriter | undefined;
      let stack: { dir: string; env: NodeJS.ProcessEnv };
      let servers: string;
      let configuredBefore: string;
      const example = (...args: string[]) => goExample(binary, stack.dir, stack.env, ["-servers", servers, ...args]);

      before(async function () {
        topology = await startTopology(lane, { replicas: 2 });
        configuredBefore = await semisyncConfiguration(topology);
        writer = await startCommitWriter(topology.source, { pauseMs: 10 });
        stack = goStack(env, PASSPHRASE);
        servers = serversFile({ source: topology.source, replicas: topology.replicas });
      });

      after(async function () {
        await writer?.stop().catch(() => undefined);
        await topology?.stop();
      });

      it("go test: a preview with the replicas' ports unknown (from another resource) plans the whole topology and changes nothing", async function () {
        await stallFree(writer!, "the preview", () =>
          run("go", ["test", "-count=1", "-run", "^TestUnknownPortPreview$", "."], { cwd: GO_EXAMPLE, env: { ...stack.env, SEMISYNC_SERVERS: servers }, killAfterMs: 600_000 }),
        );
        assert.equal(await semisyncConfiguration(topology), configuredBefore, "a preview changes nothing");
      });

      it("up makes every replica a semisync client; a second up changes nothing; refresh and preview find no changes", async function () {
        const started = Date.now();
        const up = await stallFree(writer!, "up", () => example("up"));
        console.log(`      [timing] ${lane.name}: Go up ${Date.now() - started} ms`);
        assert.deepEqual(up.changes, { create: RESOURCES + 1 }, "the stack and its resources are created");
        assert.deepEqual(up.outputs?.sourceStatus, "ON");
        await assertConverged(topology, lane.family);
        const again = await stallFree(writer!, "a second up", () => example("-expect-no-changes", "up"));
        assert.deepEqual(again.changes, { same: RESOURCES + 1 });
        await stallFree(writer!, "refresh and preview", async () => {
          assert.deepEqual((await example("-expect-no-changes", "refresh")).changes, { same: RESOURCES + 1 });
          assert.deepEqual((await example("-expect-no-changes", "preview")).changes, { same: RESOURCES + 1 });
        });
      });

      it("a changed timeout is an update in place of the source's enablement", async function () {
        const up = await stallFree(writer!, "the update", () => example("-timeout-ms", "7000", "up"));
        assert.deepEqual(up.changes, { same: RESOURCES, update: 1 });
        assert.equal(await sourceTimeout(topology, lane.family), "7000");
        await assertConverged(topology, lane.family);
        assert.deepEqual((await example("-timeout-ms", "7000", "-expect-no-changes", "preview")).changes, { same: RESOURCES + 1 });
      });

      it("a restarted source (semisync off) is switched back on by the next up", async function () {
        await writer!.stop();
        await topology.source.restart();
        writer = await startCommitWriter(topology.source, { pauseMs: 10 });
        const enabled = lane.family === "mysql" ? "rpl_semi_sync_source_enabled" : "rpl_semi_sync_master_enabled";
        assert.equal((await semisyncVariables(topology.source))[enabled], "OFF", "SET GLOBAL does not survive a restart");
        await stallFree(writer, "the up after the restart", () => example("-timeout-ms", "7000", "up"));
        await assertConverged(topology, lane.family);
        assert.deepEqual((await example("-timeout-ms", "7000", "-expect-no-changes", "preview")).changes, { same: RESOURCES + 1 });
      });

      it("destroy leaves every server as it was before, and the password never reached the state or the work directory", async function () {
        const down = await stallFree(writer!, "destroy", () => example("-timeout-ms", "7000", "destroy"));
        assert.deepEqual(down.changes, { delete: RESOURCES + 1 });
        assert.equal(await semisyncConfiguration(topology), configuredBefore, "every server is as before");
        assert.ok(!filesUnder(stack.dir).includes(topology.source.password), "the password is stored encrypted only");
      });
    });
  }
});
