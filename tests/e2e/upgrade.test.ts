import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT, configureServers, pulumiCli } from "../../examples/demo/pulumi-cli";
import { assertNoChangesAfterCliUp } from "../support/empty-plan";
import {
  RELEASE_0_1_0,
  assertSmallStubs,
  dynamicResourceStates,
  installedVersion,
  npmInstall,
  packCheckout,
  previewSteps,
  removeCreatedFolders,
  requiredModules,
  resourceProps,
  sizeRange,
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
    removeCreatedFolders();
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
    console.log(`      0.1.0: bytes per dynamic resource ${sizeRange(before, (s) => s.bytes)} in all, ${sizeRange(before, (s) => s.propsBytes)} inputs and outputs, provider ${sizeRange(before, (s) => s.provider.length)}`);

    await npmInstall(project.dir, `file:${tarball}`);
    assert.equal(installedVersion(project.dir, "pulumi-mysql-semisync"), CURRENT_VERSION);

    // The state still holds 0.1.0's code: it runs against the new package's files and reads the
    // same inputs and outputs. (The engine does record a change: 0.1.0 brought its own nested SDK,
    // whose registrations carry empty propertyDependencies that a refresh drops.)
    const stored = await resourceProps(project);
    await pulumiCli(project, ["refresh", "--yes"]);
    assert.deepEqual(await resourceProps(project), stored, "refresh with 0.1.0's stored code reads what up wrote");
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
    assertSmallStubs(await dynamicResourceStates(project), `${CURRENT_VERSION} after the upgrade`);

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
