import * as assert from "node:assert/strict";
import { stallFree } from "../support/commit-writer";
import { EXAMPLE_RESOURCES, GO_EXAMPLE, assertConverged, buildGoExample, describeLanguage, filesUnder, goExample, goStack, serversFile, sourceTimeout } from "../support/languages";
import { semisyncConfiguration } from "../support/server-probes";
import { run } from "../support/installed-package";

const PASSPHRASE = "semisync-go-tests";

/*
 * examples/go as a user runs it: a Go program that runs itself inline through the Automation API
 * (no Go language host), the plugin from its tarball only, the SDK from sdk/go. A writer commits on
 * the source throughout; no commit may take a second.
 */
let binary: string;

describeLanguage(
  "a Go program on the generated SDK, inline through the Automation API (examples/go)",
  async () => {
    binary = await buildGoExample();
  },
  (suite) => {
    const { lane, bed } = suite;
    let stack: { dir: string; env: NodeJS.ProcessEnv };
    let servers: string;
    const example = (...args: string[]) => goExample(binary, stack.dir, stack.env, ["-servers", servers, ...args]);

    before(async function () {
      stack = goStack(suite.env, PASSPHRASE);
      servers = serversFile({ source: bed.topology.source, replicas: bed.topology.replicas });
    });

    it("go test: a preview with the replicas' ports unknown (from another resource) plans the whole topology and changes nothing", async function () {
      await stallFree(suite.writer, "the preview", () =>
        run("go", ["test", "-count=1", "-run", "^TestUnknownPortPreview$", "."], { cwd: GO_EXAMPLE, env: { ...stack.env, SEMISYNC_SERVERS: servers }, killAfterMs: 600_000 }),
      );
      assert.equal(await semisyncConfiguration(bed.topology), suite.configuredBefore, "a preview changes nothing");
    });

    it("up makes every replica a semisync client; a second up changes nothing; refresh and preview find no changes", async function () {
      const started = Date.now();
      const up = await stallFree(suite.writer, "up", () => example("up"));
      console.log(`      [timing] ${lane.name}: Go up ${Date.now() - started} ms`);
      assert.deepEqual(up.changes, { create: EXAMPLE_RESOURCES + 1 }, "the stack and its resources are created");
      assert.deepEqual(up.outputs?.sourceStatus, "ON");
      await assertConverged(bed.topology, lane.family);
      const again = await stallFree(suite.writer, "a second up", () => example("-expect-no-changes", "up"));
      assert.deepEqual(again.changes, { same: EXAMPLE_RESOURCES + 1 });
      await stallFree(suite.writer, "refresh and preview", async () => {
        assert.deepEqual((await example("-expect-no-changes", "refresh")).changes, { same: EXAMPLE_RESOURCES + 1 });
        assert.deepEqual((await example("-expect-no-changes", "preview")).changes, { same: EXAMPLE_RESOURCES + 1 });
      });
    });

    it("a changed timeout is an update in place of the source's enablement", async function () {
      const up = await stallFree(suite.writer, "the update", () => example("-timeout-ms", "7000", "up"));
      assert.deepEqual(up.changes, { same: EXAMPLE_RESOURCES, update: 1 });
      assert.equal(await sourceTimeout(bed.topology, lane.family), "7000");
      await assertConverged(bed.topology, lane.family);
      assert.deepEqual((await example("-timeout-ms", "7000", "-expect-no-changes", "preview")).changes, { same: EXAMPLE_RESOURCES + 1 });
    });

    it("a restarted source (semisync off) is switched back on by the next up", async function () {
      await suite.restartSource();
      await stallFree(suite.writer, "the up after the restart", () => example("-timeout-ms", "7000", "up"));
      await assertConverged(bed.topology, lane.family);
      assert.deepEqual((await example("-timeout-ms", "7000", "-expect-no-changes", "preview")).changes, { same: EXAMPLE_RESOURCES + 1 });
    });

    it("destroy leaves every server as it was before, and the password never reached the state or the work directory", async function () {
      const down = await stallFree(suite.writer, "destroy", () => example("-timeout-ms", "7000", "destroy"));
      assert.deepEqual(down.changes, { delete: EXAMPLE_RESOURCES + 1 });
      assert.equal(await semisyncConfiguration(bed.topology), suite.configuredBefore, "every server is as before");
      assert.ok(!filesUnder(stack.dir).includes(bed.topology.source.password), "the password is stored encrypted only");
    });
  },
);
