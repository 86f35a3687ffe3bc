import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as semver from "semver";
import { EXAMPLES, REPO_ROOT, copyProject } from "../../examples/demo/pulumi-cli";
import { cliRoundTrip } from "../support/empty-plan";
import { USER_PULUMI_SDK, assertSmallStubs, dynamicResourceStates, installedVersion, packedCheckout, pulumiSdkCopies, run, userProject } from "../support/installed-package";
import { assertSemisyncEverywhere } from "../support/server-probes";
import { testBed } from "../support/test-bed";

/** The lower end of the SDK range users may pair the package with (`dependencies`). */
const OLDEST_PULUMI_SDK = semver.minVersion(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).dependencies["@pulumi/pulumi"])!.version;

describe("The package as users install it: npm pack, a fresh project on the newest @pulumi/pulumi, the pulumi CLI", function () {
  const bed = testBed("mysql", { replicas: 2 });
  const packed = packedCheckout();

  it(`type-checks strictly with @pulumi/pulumi ${USER_PULUMI_SDK}, keeps one SDK copy, and deploys, refreshes, previews and destroys with small stubs in the state`, async function () {
    const project = await userProject(packed.tarball, "semisync-installed-tests");
    assert.equal(installedVersion(project.dir, "@pulumi/pulumi"), USER_PULUMI_SDK);
    assert.deepEqual(await pulumiSdkCopies(project.dir), [path.join(project.dir, "node_modules", "@pulumi", "pulumi")], "exactly one @pulumi/pulumi");
    await run(path.join(project.dir, "node_modules", ".bin", "tsc"), ["--noEmit", "-p", project.dir], { cwd: project.dir });

    await cliRoundTrip(project, bed.topology, async (up) => {
      // scripts/env.sh puts the CLI's folder, where the bootstrap places the language host, first on PATH.
      assert.doesNotMatch(up, /using pulumi-language-nodejs from \$PATH/);
      await assertSemisyncEverywhere(bed.topology);
      assertSmallStubs(await dynamicResourceStates(project), "installed from the tarball");
    });
  });

  it(`with the oldest @pulumi/pulumi the package's range admits (${OLDEST_PULUMI_SDK}): type-checks, deploys, refreshes and previews with no changes, destroys`, async function () {
    const project = await userProject(packed.tarball, "semisync-oldest-sdk-tests", OLDEST_PULUMI_SDK);
    assert.equal(installedVersion(project.dir, "@pulumi/pulumi"), OLDEST_PULUMI_SDK);
    assert.deepEqual(await pulumiSdkCopies(project.dir), [path.join(project.dir, "node_modules", "@pulumi", "pulumi")], "exactly one @pulumi/pulumi");
    await run(path.join(project.dir, "node_modules", ".bin", "tsc"), ["--noEmit", "-p", project.dir], { cwd: project.dir });
    await cliRoundTrip(project, bed.topology);
  });

  it("from the checkout (the examples' way), the state holds the same small stubs", async function () {
    const project = copyProject(path.join(EXAMPLES, "replication-component"), "semisync-checkout-tests");
    await cliRoundTrip(project, bed.topology, async () => assertSmallStubs(await dynamicResourceStates(project), "from the checkout"));
  });
});
