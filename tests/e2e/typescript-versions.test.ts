import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as semver from "semver";
import { EXAMPLES, REPO_ROOT, TEMPLATES } from "../../examples/demo/pulumi-cli";
import { newestRelease, npmInstall, npmView, run, userEnv } from "../support/installed-package";

/*
 * Every example and the template type-check, as a user's editor or CI does, with the TypeScript
 * the clone pins (what their package.json asks for), the newest one npm installs next to
 * @pulumi/pulumi (its peer range stops below 7), and the newest release of all. A TypeScript
 * release that rejects their tsconfig.json (as 6.0 did `moduleResolution: "node"`) fails here the
 * day it appears. The newer compilers are installed outside the clone, once per release, in the
 * cache CI keeps between fresh clones.
 */

const CACHE = process.env.SEMISYNC_CACHE ?? path.join(process.env.HOME ?? "/tmp", ".cache", "pulumi-mysql-semisync");

/** The projects users copy: each example with a tsconfig.json, and the template. */
const PROJECTS = [
  ...fs
    .readdirSync(EXAMPLES)
    .map((name) => path.join(EXAMPLES, name))
    .filter((dir) => fs.existsSync(path.join(dir, "tsconfig.json"))),
  path.join(TEMPLATES, "semisync-replication"),
];

/** tsc of a TypeScript release, installed once into the cache (a half-done install is redone). */
async function cachedTsc(version: string): Promise<string> {
  const dir = path.join(CACHE, `typescript-${version}`);
  const tsc = path.join(dir, "node_modules", ".bin", "tsc");
  if (!fs.existsSync(path.join(dir, ".complete"))) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "semisync-typescript-cache", private: true }));
    await npmInstall(dir, `typescript@${version}`);
    fs.writeFileSync(path.join(dir, ".complete"), "");
  }
  return tsc;
}

async function typeCheckEveryProject(tsc: string): Promise<void> {
  const version = (await run(tsc, ["--version"], { cwd: REPO_ROOT, env: userEnv() })).trim();
  const failures: string[] = [];
  for (const dir of PROJECTS) {
    // Only the project's own tsconfig.json, and modules resolved from the clone (the package by
    // its name, built in dist/, as the examples' README instructions run them).
    await run(tsc, ["--noEmit", "-p", dir], { cwd: dir, env: userEnv() }).catch((error: Error) => failures.push(`${path.relative(REPO_ROOT, dir)}: ${error.message}`));
  }
  console.log(`      ${version}: ${PROJECTS.length - failures.length} of ${PROJECTS.length} projects type-check`);
  assert.deepEqual(failures, [], `every example and the template type-check with ${version}`);
}

describe("The examples and the template type-check with the pinned, the users' newest and the newest TypeScript", function () {
  it("finds the four examples with a tsconfig.json and the template", function () {
    assert.deepEqual(PROJECTS.map((dir) => path.relative(REPO_ROOT, dir)).sort(), [
      "examples/base-resources",
      "examples/failover",
      "examples/replication-component",
      "examples/stack-config",
      "templates/semisync-replication",
    ]);
  });

  it("with the TypeScript the clone pins, which is the one their package.json asks for", async function () {
    const pinned: string = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "node_modules", "typescript", "package.json"), "utf8")).version;
    for (const dir of PROJECTS) {
      const wanted: string = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).devDependencies.typescript;
      assert.ok(semver.satisfies(pinned, wanted), `${path.relative(REPO_ROOT, dir)} asks for typescript ${wanted}; the clone has ${pinned}`);
    }
    await typeCheckEveryProject(path.join(REPO_ROOT, "node_modules", ".bin", "tsc"));
  });

  it("with the newest TypeScript npm installs next to the newest @pulumi/pulumi", async function () {
    const peers = ((await npmView("@pulumi/pulumi", "peerDependencies")) ?? {}) as Record<string, string>;
    const range = peers.typescript ?? "*";
    await typeCheckEveryProject(await cachedTsc(await newestRelease("typescript", range)));
  });

  it("with the newest TypeScript release", async function () {
    await typeCheckEveryProject(await cachedTsc(await newestRelease("typescript")));
  });
});
