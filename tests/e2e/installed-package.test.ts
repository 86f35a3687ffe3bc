import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as semver from "semver";
import { EXAMPLES, REPO_ROOT, configureServers, copyProject, pulumiCli } from "../../examples/demo/pulumi-cli";
import { assertNoChangesAfterCliUp } from "../support/empty-plan";
import { USER_PULUMI_SDK, assertSmallStubs, dynamicResourceStates, installedVersion, packCheckout, pulumiSdkCopies, removeCreatedFolders, run, userProject } from "../support/installed-package";
import { assertNothingInstalled, assertSemisyncEverywhere } from "../support/server-probes";
import { requireLane } from "../testbed/lanes";
import { Topology, startTopology } from "../testbed/topology";

/** The lower end of the SDK range users may pair the package with (`dependencies`). */
const OLDEST_PULUMI_SDK = semver.minVersion(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).dependencies["@pulumi/pulumi"])!.version;

describe("The package as users install it: npm pack, a fresh project on the newest @pulumi/pulumi, the pulumi CLI", function () {
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

  it(`type-checks strictly with @pulumi/pulumi ${USER_PULUMI_SDK}, keeps one SDK copy, and deploys, refreshes, previews and destroys with small stubs in the state`, async function () {
    const project = await userProject(tarball, "semisync-installed-tests");
    assert.equal(installedVersion(project.dir, "@pulumi/pulumi"), USER_PULUMI_SDK);
    assert.deepEqual(await pulumiSdkCopies(project.dir), [path.join(project.dir, "node_modules", "@pulumi", "pulumi")], "exactly one @pulumi/pulumi");
    await run(path.join(project.dir, "node_modules", ".bin", "tsc"), ["--noEmit", "-p", project.dir], { cwd: project.dir });

    await configureServers(project, { source: topology.source, replicas: topology.replicas, user: "admin", password: topology.source.password });
    const up = await pulumiCli(project, ["up", "--yes"]);
    // scripts/env.sh puts the CLI's folder, where the bootstrap places the language host, first on PATH.
    assert.doesNotMatch(up, /using pulumi-language-nodejs from \$PATH/);
    await assertSemisyncEverywhere(topology);
    await assertNoChangesAfterCliUp(project);
    await assertSemisyncEverywhere(topology);
    assertSmallStubs(await dynamicResourceStates(project), "installed from the tarball");
    await pulumiCli(project, ["destroy", "--yes"]);
    await assertNothingInstalled(topology);
  });

  it(`with the oldest @pulumi/pulumi the package's range admits (${OLDEST_PULUMI_SDK}): type-checks, deploys, refreshes and previews with no changes, destroys`, async function () {
    const project = await userProject(tarball, "semisync-oldest-sdk-tests", OLDEST_PULUMI_SDK);
    assert.equal(installedVersion(project.dir, "@pulumi/pulumi"), OLDEST_PULUMI_SDK);
    assert.deepEqual(await pulumiSdkCopies(project.dir), [path.join(project.dir, "node_modules", "@pulumi", "pulumi")], "exactly one @pulumi/pulumi");
    await run(path.join(project.dir, "node_modules", ".bin", "tsc"), ["--noEmit", "-p", project.dir], { cwd: project.dir });
    await configureServers(project, { source: topology.source, replicas: topology.replicas, user: "admin", password: topology.source.password });
    await pulumiCli(project, ["up", "--yes"]);
    await assertSemisyncEverywhere(topology);
    await assertNoChangesAfterCliUp(project);
    await pulumiCli(project, ["destroy", "--yes"]);
    await assertNothingInstalled(topology);
  });

  it("from the checkout (the examples' way), the state holds the same small stubs", async function () {
    const project = copyProject(path.join(EXAMPLES, "replication-component"), "semisync-checkout-tests");
    await configureServers(project, { source: topology.source, replicas: topology.replicas, user: "admin", password: topology.source.password });
    await pulumiCli(project, ["up", "--yes"]);
    await assertSemisyncEverywhere(topology);
    await assertNoChangesAfterCliUp(project);
    assertSmallStubs(await dynamicResourceStates(project), "from the checkout");
    await pulumiCli(project, ["destroy", "--yes"]);
    await assertNothingInstalled(topology);
  });
});
