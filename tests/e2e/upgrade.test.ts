import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT, configureServers, pulumiCli } from "../../examples/demo/pulumi-cli";
import { assertNoChangesAfterCliUp } from "../support/empty-plan";
import {
  RELEASE_0_1_0,
  dynamicResourceStates,
  installedVersion,
  npmInstall,
  packCheckout,
  previewSteps,
  requiredModules,
  userProject,
} from "../support/installed-package";
import { assertNothingInstalled, assertSemisyncEverywhere } from "../support/server-probes";
import { requireLane } from "../testbed/lanes";
import { Topology, startTopology } from "../testbed/topology";

const CURRENT_VERSION: string = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).version;

describe("Upgrading a live stack from the previous release (0.1.0's tarball) to this package", function () {
  let topology: Topology;
  let tarball: string;

  before(async function () {
    topology = await startTopology(requireLane("mysql"), { replicas: 2 });
    tarball = await packCheckout();
  });

  after(async function () {
    await topology?.stop();
  });

  it(`deployed with 0.1.0, then ${CURRENT_VERSION} installed: refresh works, the preview updates in place (no replace, no delete), up rewrites the state small, destroy works`, async function () {
    const project = await userProject(RELEASE_0_1_0, "semisync-upgrade-tests");
    assert.equal(installedVersion(project.dir, "pulumi-mysql-semisync"), "0.1.0");
    await configureServers(project, { source: topology.source, replicas: topology.replicas, user: "admin", password: topology.source.password });
    await pulumiCli(project, ["up", "--yes"]);
    await assertSemisyncEverywhere(topology);
    const before = await dynamicResourceStates(project);
    assert.equal(before.length, 6);
    // 0.1.0 stored its whole provider, requiring internal files of the package by path.
    const legacyPaths = [...new Set(before.flatMap((state) => requiredModules(state.provider)).filter((m) => m.startsWith("pulumi-mysql-semisync/")))];
    assert.ok(legacyPaths.length > 0, "0.1.0's state requires internal paths of the package");
    console.log(`      0.1.0: state bytes per dynamic resource ${Math.min(...before.map((s) => s.bytes))}–${Math.max(...before.map((s) => s.bytes))}`);

    await npmInstall(project.dir, `file:${tarball}`);
    assert.equal(installedVersion(project.dir, "pulumi-mysql-semisync"), CURRENT_VERSION);

    // The state still holds 0.1.0's code: it runs against the new package's files and reads the same.
    await pulumiCli(project, ["refresh", "--yes", "--expect-no-changes"]);
    await assertSemisyncEverywhere(topology);

    const steps = await previewSteps(project);
    const dynamic = steps.filter((s) => s.urn.includes("pulumi-nodejs:dynamic"));
    assert.equal(dynamic.length, 6, JSON.stringify(steps));
    // Props of schema 1 are rewritten by an update in place; nothing is replaced or deleted.
    assert.deepEqual([...new Set(dynamic.map((s) => s.op))], ["update"], JSON.stringify(steps));
    assert.deepEqual(steps.filter((s) => /replace|delete|create/.test(s.op)), [], "no replace, no delete, no create");
    await assertSemisyncEverywhere(topology);

    await pulumiCli(project, ["up", "--yes"]);
    await assertSemisyncEverywhere(topology);
    await assertNoChangesAfterCliUp(project);
    const after = await dynamicResourceStates(project);
    for (const state of after) {
      assert.deepEqual(requiredModules(state.provider), ["pulumi-mysql-semisync/runtime"], `${state.urn} holds the stub`);
      assert.ok(state.bytes <= 4096, `${state.urn} takes ${state.bytes} bytes of state`);
    }
    console.log(`      ${CURRENT_VERSION}: state bytes per dynamic resource ${Math.min(...after.map((s) => s.bytes))}–${Math.max(...after.map((s) => s.bytes))}`);

    await pulumiCli(project, ["destroy", "--yes"]);
    await assertNothingInstalled(topology);
  });

  it(`deployed with 0.1.0, then ${CURRENT_VERSION} installed: destroy without an up in between runs 0.1.0's stored code against the new package and removes everything`, async function () {
    const project = await userProject(RELEASE_0_1_0, "semisync-upgrade-tests");
    await configureServers(project, { source: topology.source, replicas: topology.replicas, user: "admin", password: topology.source.password });
    await pulumiCli(project, ["up", "--yes"]);
    await assertSemisyncEverywhere(topology);
    await npmInstall(project.dir, `file:${tarball}`);
    assert.equal(installedVersion(project.dir, "pulumi-mysql-semisync"), CURRENT_VERSION);
    await pulumiCli(project, ["destroy", "--yes"]);
    await assertNothingInstalled(topology);
  });
});
