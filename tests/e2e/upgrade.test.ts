import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as semver from "semver";
import { CliProject, REPO_ROOT, configureServers, pulumiCli } from "../../examples/demo/pulumi-cli";
import {
  RELEASE_0_1_0,
  RELEASE_0_2_0,
  assertSmallStubs,
  dynamicResourceStates,
  installedVersion,
  npmInstall,
  packedCheckout,
  previewSteps,
  requiredModules,
  resourceProps,
  sizeRange,
  userProject,
} from "../support/installed-package";
import { assertNothingInstalled, assertSemisyncEverywhere } from "../support/server-probes";
import { Topology } from "../testbed/topology";
import { testBed } from "../support/test-bed";

const CURRENT_VERSION: string = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).version;

/**
 * The mysql2 a project that deployed with 0.1.0 or 0.2.0 had in its lock file: it fetched the
 * server's RSA key over plain TCP without asking, so those releases logged in without TLS even
 * with a cold password cache. mysql2 3.26 refuses that (issue 17).
 */
const MYSQL2_OF_THE_OLD_RELEASES = "3.24.6";

/**
 * Empties every server's caching_sha2_password cache, as a restart does (kept out of the binary
 * log): each step after the upgrade then logs in cold, as after the next server restart.
 */
async function flushPasswordCaches(topology: Topology): Promise<void> {
  await Promise.all([topology.source, ...topology.replicas].map((server) => server.query("FLUSH NO_WRITE_TO_BINLOG PRIVILEGES")));
}

/** A user's project on an old release, deployed without tls, with the mysql2 of its day. */
async function deployedWith(release: string, version: string, topology: Topology): Promise<CliProject> {
  const project = await userProject(release, "semisync-upgrade-tests");
  await npmInstall(project.dir, `mysql2@${MYSQL2_OF_THE_OLD_RELEASES}`);
  assert.equal(installedVersion(project.dir, "pulumi-mysql-semisync"), version);
  assert.equal(installedVersion(project.dir, "mysql2"), MYSQL2_OF_THE_OLD_RELEASES);
  await configureServers(project, { source: topology.source, replicas: topology.replicas, user: "admin", password: topology.source.password });
  await flushPasswordCaches(topology);
  await pulumiCli(project, ["up", "--yes"]);
  await assertSemisyncEverywhere(topology);
  return project;
}

/** `npm install` of this checkout's tarball, as a user upgrades: mysql2 moves to the range it asks for. */
async function upgraded(project: CliProject, tarball: string): Promise<void> {
  await npmInstall(project.dir, `file:${tarball}`);
  assert.equal(installedVersion(project.dir, "pulumi-mysql-semisync"), CURRENT_VERSION);
  const mysql2 = resolvedMysql2(project.dir);
  console.log(`      after the upgrade the package loads mysql2 ${mysql2}`);
  assert.ok(semver.gte(mysql2, "3.26.1"), `the package loads mysql2 ${mysql2}, which refuses the RSA key over plain TCP`);
}

/** The mysql2 the installed package resolves (its own nested copy if npm put one there). */
function resolvedMysql2(dir: string): string {
  const from = path.join(dir, "node_modules", "pulumi-mysql-semisync", "package.json");
  const found = require.resolve("mysql2/package.json", { paths: [path.dirname(fs.realpathSync(from))] });
  return JSON.parse(fs.readFileSync(found, "utf8")).version;
}

describe("Upgrading a live stack from a previous release to this package, every password cache cold", function () {
  const bed = testBed("mysql", { replicas: 2 });
  const packed = packedCheckout();

  it(`deployed with 0.1.0, then ${CURRENT_VERSION} installed: refresh works, the preview updates in place (no replace, no delete), up rewrites the state small, destroy works`, async function () {
    const project = await deployedWith(RELEASE_0_1_0, "0.1.0", bed.topology);
    const before = await dynamicResourceStates(project);
    assert.equal(before.length, 6);
    // 0.1.0 stored its whole provider, requiring internal files of the package by path.
    const legacyPaths = [...new Set(before.flatMap((state) => requiredModules(state.provider)).filter((m) => m.startsWith("pulumi-mysql-semisync/")))];
    assert.ok(legacyPaths.length > 0, "0.1.0's state requires internal paths of the package");
    console.log(
      `      0.1.0: bytes per dynamic resource ${sizeRange(before, (s) => s.bytes)} in all, ${sizeRange(before, (s) => s.propsBytes)} inputs and outputs, provider ${sizeRange(before, (s) => s.provider.length)}`,
    );

    await upgraded(project, packed.tarball);

    // The state still holds 0.1.0's code: it runs against the new package's files and reads the
    // same inputs and outputs. (The engine does record a change: 0.1.0 brought its own nested SDK,
    // whose registrations carry empty propertyDependencies that a refresh drops.)
    const stored = await resourceProps(project);
    await flushPasswordCaches(bed.topology);
    await pulumiCli(project, ["refresh", "--yes"]);
    assert.deepEqual(await resourceProps(project), stored, "refresh with 0.1.0's stored code reads what up wrote");
    await assertSemisyncEverywhere(bed.topology);

    await flushPasswordCaches(bed.topology);
    const steps = await previewSteps(project);
    const dynamic = steps.filter((s) => s.urn.includes("pulumi-nodejs:dynamic"));
    assert.equal(dynamic.length, 6, JSON.stringify(steps));
    // Props of schema 1 are rewritten by an update in place; nothing is replaced or deleted.
    assert.deepEqual([...new Set(dynamic.map((s) => s.op))], ["update"], JSON.stringify(steps));
    assert.deepEqual(
      steps.filter((s) => /replace|delete|create/.test(s.op)),
      [],
      "no replace, no delete, no create",
    );
    await assertSemisyncEverywhere(bed.topology);

    await flushPasswordCaches(bed.topology);
    await pulumiCli(project, ["up", "--yes"]);
    await assertSemisyncEverywhere(bed.topology);
    await assertNoChangesCold(project, bed.topology);
    assertSmallStubs(await dynamicResourceStates(project), `${CURRENT_VERSION} after the upgrade`);

    await flushPasswordCaches(bed.topology);
    await pulumiCli(project, ["destroy", "--yes"]);
    await assertNothingInstalled(bed.topology);
  });

  it(`deployed with 0.2.0, then ${CURRENT_VERSION} installed: refresh, preview (no changes), up and destroy work`, async function () {
    const project = await deployedWith(RELEASE_0_2_0, "0.2.0", bed.topology);
    await upgraded(project, packed.tarball);

    await flushPasswordCaches(bed.topology);
    await pulumiCli(project, ["refresh", "--yes"]);
    await assertSemisyncEverywhere(bed.topology);

    await flushPasswordCaches(bed.topology);
    // 0.2.0 stored the same stub and the same props schema: nothing to rewrite.
    const steps = await previewSteps(project);
    assert.deepEqual(
      steps.filter((s) => s.op !== "same"),
      [],
      "the preview plans nothing",
    );

    await flushPasswordCaches(bed.topology);
    await pulumiCli(project, ["up", "--yes"]);
    await assertSemisyncEverywhere(bed.topology);
    await assertNoChangesCold(project, bed.topology);
    assertSmallStubs(await dynamicResourceStates(project), `${CURRENT_VERSION} after the upgrade from 0.2.0`);

    await flushPasswordCaches(bed.topology);
    await pulumiCli(project, ["destroy", "--yes"]);
    await assertNothingInstalled(bed.topology);
  });

  for (const [release, version] of [
    [RELEASE_0_1_0, "0.1.0"],
    [RELEASE_0_2_0, "0.2.0"],
  ]) {
    it(`deployed with ${version}, then ${CURRENT_VERSION} installed: destroy without an up in between runs the stored code against the new package and removes everything`, async function () {
      const project = await deployedWith(release, version, bed.topology);
      await upgraded(project, packed.tarball);
      await flushPasswordCaches(bed.topology);
      await pulumiCli(project, ["destroy", "--yes"]);
      await assertNothingInstalled(bed.topology);
    });
  }
});

/** The empty-plan check, each half with the caches flushed first. */
async function assertNoChangesCold(project: CliProject, topology: Topology): Promise<void> {
  await flushPasswordCaches(topology);
  await pulumiCli(project, ["refresh", "--yes", "--expect-no-changes"]);
  await flushPasswordCaches(topology);
  await pulumiCli(project, ["preview", "--expect-no-changes"]);
}
