import { execFile } from "node:child_process";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as semver from "semver";
import { CliProject, EXAMPLES, REPO_ROOT, pulumiCli } from "../../examples/demo/pulumi-cli";

/**
 * The newest `@pulumi/pulumi` on npm when these tests were written (`npm view @pulumi/pulumi
 * version`), verified with the project's 3.260.0 CLI. A user's project installs this one next to
 * the package; the package's range (^3.216.0) must let npm keep a single copy.
 */
export const USER_PULUMI_SDK = "3.270.0";

/** The first release, packed from commit ce7c7b3 (see tests/fixtures/README.md). */
export const RELEASE_0_1_0 = path.join(REPO_ROOT, "tests", "fixtures", "pulumi-mysql-semisync-0.1.0.tgz");

/** The previous release, packed from commit e440cbb (see tests/fixtures/README.md). */
export const RELEASE_0_2_0 = path.join(REPO_ROOT, "tests", "fixtures", "pulumi-mysql-semisync-0.2.0.tgz");

/** The bound on every npm command: a cold npm cache downloads the SDK and its dependencies. */
const NPM_TIMEOUT_MS = 300_000;

/** The environment a user's shell has: the checkout's node_modules neither on NODE_PATH nor on PATH. */
export function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const { NODE_PATH: _nodePath, ...env } = process.env;
  const checkoutModules = path.join(REPO_ROOT, "node_modules");
  env.PATH = (env.PATH ?? "")
    .split(path.delimiter)
    .filter((dir) => dir !== "" && !path.resolve(dir).startsWith(checkoutModules))
    .join(path.delimiter);
  return { ...env, ...extra };
}

/** Runs a command, bounded; rejects with its output when it fails. */
export function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; killAfterMs?: number }): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd: options.cwd, env: options.env ?? userEnv(), timeout: options.killAfterMs ?? NPM_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(" ")} failed in ${options.cwd}: ${error.message}\n${stdout}\n${stderr}`.slice(-6000)));
      else resolve(stdout);
    });
  });
}

/** Folders this process made: each user project holds its own node_modules (~140 MB). */
const created: string[] = [];

/** Removes the user projects and tarballs this process made; call it from `after`. */
export function removeCreatedFolders(): void {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * `npm pack` of the checkout as it is built in dist/ (the test runs from dist/, built from the
 * same sources), into a fresh folder. Returns the tarball's path.
 */
export async function packCheckout(): Promise<string> {
  const destination = fs.mkdtempSync(path.join(os.tmpdir(), "semisync-pack-"));
  created.push(destination);
  assert.ok(fs.existsSync(path.join(REPO_ROOT, "dist", "provider", "runtime", "index.js")), "dist/ is built (npm run build)");
  const output = await run("npm", ["pack", "--silent", "--pack-destination", destination], { cwd: REPO_ROOT, env: process.env });
  const tarball = path.join(destination, output.trim().split("\n").pop()!.trim());
  assert.ok(fs.existsSync(tarball), `npm pack wrote ${tarball}`);
  return tarball;
}

/**
 * The checkout packed as users get it (`packCheckout`), for the enclosing describe: packed in a
 * `before` hook, and the folders this process made removed in an `after` hook.
 */
export function packedCheckout(): { readonly tarball: string } {
  let tarball: string | undefined;
  before(async function () {
    tarball = await packCheckout();
  });
  after(function () {
    removeCreatedFolders();
  });
  return {
    get tarball() {
      if (tarball === undefined) throw new Error("the checkout is packed in the describe's before hook: read the tarball in a hook or a test");
      return tarball;
    },
  };
}

/**
 * A Pulumi project as a user creates it: examples/replication-component's program, a strict
 * tsconfig, and `npm install` of `@pulumi/pulumi` at `sdk` plus the package from `tarball`
 * (nothing from the checkout), on a local file backend.
 */
export async function userProject(tarball: string, passphrase: string, sdk: string = USER_PULUMI_SDK): Promise<CliProject> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "semisync-user-"));
  created.push(dir);
  fs.copyFileSync(path.join(EXAMPLES, "replication-component", "index.ts"), path.join(dir, "index.ts"));
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: semisync-user\nruntime: nodejs\ndescription: A user's project on the packed package.\n");
  const packageJson = {
    name: "semisync-user",
    private: true,
    main: "index.ts",
    dependencies: { "@pulumi/pulumi": sdk, "pulumi-mysql-semisync": `file:${tarball}` },
    devDependencies: { "@types/node": "^22.0.0", "ts-node": "^10.9.2", typescript: "~5.9.0" },
  };
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(packageJson, null, 2));
  // Strict, and the package's own .d.ts files are checked too (no skipLibCheck).
  const tsconfig = { compilerOptions: { strict: true, target: "ES2022", module: "node16", moduleResolution: "node16", types: ["node"], noEmit: true }, files: ["index.ts"] };
  fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
  await npmInstall(dir);
  const backend = path.join(dir, ".state");
  fs.mkdirSync(backend);
  return { dir, backend, env: userEnv({ PULUMI_BACKEND_URL: `file://${backend}`, PULUMI_CONFIG_PASSPHRASE: passphrase, PULUMI_SKIP_UPDATE_CHECK: "true" }) };
}

export async function npmInstall(dir: string, ...packages: string[]): Promise<void> {
  await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...packages], { cwd: dir });
}

/** The version of `name` the project's node_modules holds. */
export function installedVersion(dir: string, name: string): string {
  return JSON.parse(fs.readFileSync(path.join(dir, "node_modules", name, "package.json"), "utf8")).version;
}

/** Every copy of @pulumi/pulumi in the project's tree, as `npm ls` reports them (paths). */
export async function pulumiSdkCopies(dir: string): Promise<string[]> {
  const output = await run("npm", ["ls", "@pulumi/pulumi", "--all", "--parseable"], { cwd: dir });
  return [
    ...new Set(
      output
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line.endsWith(path.join("node_modules", "@pulumi", "pulumi"))),
    ),
  ];
}

/** One dynamic resource of an exported stack, and its sizes in bytes (compact JSON). */
export interface DynamicResourceState {
  urn: string;
  /** The whole resource: inputs, outputs and the engine's metadata (URNs, dependencies, stack trace…). */
  bytes: number;
  /** Inputs and outputs: the stored provider (twice) and the props, what this package puts in the state. */
  propsBytes: number;
  /** The stored provider text. */
  provider: string;
}

/** The dynamic resources of the stack's state (`pulumi stack export`). */
export async function dynamicResourceStates(project: Pick<CliProject, "dir" | "env">): Promise<DynamicResourceState[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "semisync-export-"));
  const file = path.join(dir, "stack.json");
  await pulumiCli(project, ["stack", "export", "--file", file]);
  const exported = JSON.parse(fs.readFileSync(file, "utf8"));
  fs.rmSync(dir, { recursive: true, force: true });
  const resources: { urn: string; type: string; outputs?: Record<string, unknown>; inputs?: Record<string, unknown> }[] = exported.deployment.resources ?? [];
  return resources
    .filter((r) => r.type.startsWith("pulumi-nodejs:dynamic"))
    .map((r) => ({
      urn: r.urn,
      bytes: Buffer.byteLength(JSON.stringify(r)),
      propsBytes: Buffer.byteLength(JSON.stringify(r.inputs ?? {})) + Buffer.byteLength(JSON.stringify(r.outputs ?? {})),
      provider: String(r.outputs?.__provider ?? r.inputs?.__provider ?? ""),
    }));
}

/**
 * Each resource's inputs and outputs, secrets decrypted, by URN: to compare two states for what
 * the provider wrote, leaving out the engine's own metadata. The decrypted export is deleted at once.
 */
export async function resourceProps(project: Pick<CliProject, "dir" | "env">): Promise<Record<string, { inputs: unknown; outputs: unknown }>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "semisync-export-"));
  try {
    const file = path.join(dir, "stack.json");
    await pulumiCli(project, ["stack", "export", "--show-secrets", "--file", file]);
    const resources: { urn: string; inputs?: unknown; outputs?: unknown }[] = JSON.parse(fs.readFileSync(file, "utf8")).deployment.resources ?? [];
    return Object.fromEntries(resources.map((r) => [r.urn, { inputs: r.inputs ?? {}, outputs: r.outputs ?? {} }]));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** "min–max" of a size, for the test log. */
export function sizeRange(states: DynamicResourceState[], size: (state: DynamicResourceState) => number): string {
  const sizes = states.map(size);
  return `${Math.min(...sizes)}–${Math.max(...sizes)}`;
}

/** The modules the serialized provider text `require`s. */
export function requiredModules(providerText: string): string[] {
  return [...new Set([...providerText.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))].sort();
}

/** The steps a `pulumi preview --json` plans, by operation. */
export async function previewSteps(project: Pick<CliProject, "dir" | "env">): Promise<{ op: string; urn: string }[]> {
  // stdout only: the JSON document, without the engine's diagnostics on stderr.
  const output = await run("pulumi", ["preview", "--json", "--non-interactive"], { cwd: project.dir, env: project.env });
  return (JSON.parse(output).steps ?? []).map((s: { op: string; urn: string }) => ({ op: s.op, urn: s.urn }));
}

/**
 * What this package puts into each dynamic resource's state (its inputs and outputs: the stub twice
 * and the props) stays within the 4 KB (2.3–3.1 KB when measured). The engine adds its
 * own record per resource on top (URN, parent, provider reference, dependencies and, from
 * @pulumi/pulumi 3.2xx, the registration's source position and stack trace), 1.5–2.4 KB here.
 * The stub's own bound (900 bytes) is what keeps provider code from creeping back in.
 */
const MAX_PROPS_BYTES_PER_RESOURCE = 4096;

export function assertSmallStubs(states: DynamicResourceState[], where: string): void {
  // SemisyncReplication with 2 replicas: 3 plugins and 3 enablements.
  assert.equal(states.length, 6, `${where}: six dynamic resources`);
  for (const state of states) {
    assert.deepEqual(requiredModules(state.provider), ["pulumi-mysql-semisync/runtime"], `${where}: the stored provider loads only the runtime entry point`);
    assert.ok(state.provider.length <= 900, `${where}: ${state.urn} stores a ${state.provider.length}-byte provider`);
    assert.ok(state.propsBytes <= MAX_PROPS_BYTES_PER_RESOURCE, `${where}: ${state.urn} puts ${state.propsBytes} bytes of inputs and outputs into the state`);
  }
  console.log(`      ${where}: bytes per dynamic resource ${sizeRange(states, (s) => s.bytes)} in all, ${sizeRange(states, (s) => s.propsBytes)} inputs and outputs, stub ${sizeRange(states, (s) => s.provider.length)}`);
}

/** `npm view NAME FIELD --json`, parsed: what the registry serves today. */
export async function npmView(name: string, field: string): Promise<unknown> {
  return JSON.parse(await run("npm", ["view", name, field, "--json"], { cwd: os.tmpdir() }));
}

/** The release of `name` npm picks for `range` today: the `latest` tag when it is within range, else the highest one that is. */
export async function newestRelease(name: string, range = "*"): Promise<string> {
  const latest = (await npmView(name, "dist-tags.latest")) as string;
  if (semver.satisfies(latest, range)) return latest;
  const newest = semver.maxSatisfying((await npmView(name, "versions")) as string[], range);
  assert.ok(newest, `the registry has a release of ${name} within ${range}`);
  return newest;
}

/**
 * The dependencies a user's fresh project resolves, and what the registry says they must be:
 * npm resolves each to its newest release (typescript within @pulumi/pulumi's peer range, mysql2
 * within this package's range), so a stale npm cache cannot pass for the world users install into.
 */
export interface FreshVersions {
  installed: Record<string, string>;
  newest: Record<string, string>;
}

/**
 * A user's project as the issue reporter made it: a program generated by `pulumi new` from
 * `templateDir` (its Pulumi.yaml, index.ts and tsconfig.json), its package.json replaced by an
 * empty one, then `npm install` of the packed package, `@pulumi/pulumi`, `typescript` and
 * `@types/node` with no versions and no lock file: every dependency at its newest release. Outside
 * the clone, on its own local file backend; `env` has neither NODE_PATH nor the clone's modules.
 */
export async function freshProject(tarball: string, templateDir: string, passphrase: string): Promise<CliProject & { versions: FreshVersions }> {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), "semisync-fresh-"));
  created.push(parent);
  const dir = path.join(parent, "project");
  await run("pulumi", ["new", templateDir, "--dir", dir, "--name", "fresh-semisync", "--description", "a fresh project", "--yes", "--generate-only", "--non-interactive"], {
    cwd: parent,
    env: userEnv({ PULUMI_SKIP_UPDATE_CHECK: "true" }),
  });
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "fresh-semisync", private: true, main: "index.ts" }, null, 2));
  await npmInstall(dir, tarball, "@pulumi/pulumi", "typescript", "@types/node");
  const names = ["pulumi-mysql-semisync", "@pulumi/pulumi", "mysql2", "typescript", "@types/node"];
  const installed = Object.fromEntries(names.map((name) => [name, installedVersion(dir, name)]));
  const ownRange: string = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).dependencies.mysql2;
  const sdkPeers = JSON.parse(fs.readFileSync(path.join(dir, "node_modules", "@pulumi", "pulumi", "package.json"), "utf8")).peerDependencies ?? {};
  const newest = {
    "@pulumi/pulumi": await newestRelease("@pulumi/pulumi"),
    mysql2: await newestRelease("mysql2", ownRange),
    typescript: await newestRelease("typescript", sdkPeers.typescript ?? "*"),
    "@types/node": await newestRelease("@types/node"),
  };
  const backend = path.join(dir, ".state");
  fs.mkdirSync(backend);
  const env = userEnv({ PULUMI_BACKEND_URL: `file://${backend}`, PULUMI_CONFIG_PASSPHRASE: passphrase, PULUMI_SKIP_UPDATE_CHECK: "true" });
  return { dir, backend, env, versions: { installed, newest } };
}
