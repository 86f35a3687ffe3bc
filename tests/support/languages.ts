import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CliProject, REPO_ROOT } from "../../examples/demo/pulumi-cli";
import { Lane, lanes } from "../testbed/lanes";
import { Topology } from "../testbed/topology";
import { CommitWriter, startCommitWriter } from "./commit-writer";
import { run } from "./installed-package";
import { pluginHome, removeNativeFolders } from "./native-plugin";
import { semisyncConfiguration, semisyncStatus, semisyncVariables } from "./server-probes";
import { TestBed, testBed } from "./test-bed";

/*
 * Python and Go programs on the provider plugin, as a user runs them: the plugin installed from its
 * tarball into a Pulumi home of their own (native-plugin.ts: no checkout on NODE_PATH or PATH), the
 * generated SDKs from sdk/, Python through the CLI with the bootstrap's virtualenv activated, Go
 * through the Automation API (examples/go).
 */

/** Folders this process made, removed by `removeLanguageFolders`. */
const created: string[] = [];

function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export function removeLanguageFolders(): void {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** The virtualenv the bootstrap makes (scripts/lib.sh, SEMISYNC_PYTHON_VENV). */
export function pythonVenv(): string {
  const venv = process.env.SEMISYNC_PYTHON_VENV;
  assert.ok(venv, "SEMISYNC_PYTHON_VENV is not set: run the tests through npm test, or source scripts/env.sh after npm run bootstrap");
  assert.ok(fs.existsSync(path.join(venv, "bin", "python")), `no Python virtualenv at ${venv}: npm run bootstrap makes it`);
  return venv;
}

/**
 * sdk/python pip-installed (from a copy: setuptools writes build/ next to the sources) into a
 * folder of its own, for PYTHONPATH. Its dependencies are the virtualenv's.
 */
export async function installPythonSdk(): Promise<string> {
  const dir = tempDir("semisync-python-sdk-");
  fs.cpSync(path.join(REPO_ROOT, "sdk", "python"), path.join(dir, "source"), { recursive: true });
  const site = path.join(dir, "site");
  await run(path.join(pythonVenv(), "bin", "pip"), ["install", "--quiet", "--disable-pip-version-check", "--no-deps", "--no-build-isolation", "--target", site, path.join(dir, "source")], { cwd: dir });
  assert.ok(fs.existsSync(path.join(site, "pulumi_mysql_semisync", "__init__.py")), "pip installed pulumi_mysql_semisync");
  return site;
}

/**
 * A copy of a Python project directory on a local file backend, run in `env` (a user's shell with
 * the plugin's Pulumi home, see native-plugin.ts) with the virtualenv activated, as the docs say,
 * and the SDK on PYTHONPATH.
 */
export function pythonProject(source: string, env: NodeJS.ProcessEnv, site: string, passphrase: string): CliProject {
  const dir = tempDir(`${path.basename(source)}-`);
  fs.cpSync(source, dir, { recursive: true, filter: (file) => !/__pycache__|Pulumi\.[^/]*\.yaml$/.test(path.relative(source, file)) });
  const backend = path.join(dir, ".state");
  fs.mkdirSync(backend);
  const venv = pythonVenv();
  return {
    dir,
    backend,
    env: { ...env, VIRTUAL_ENV: venv, PATH: `${path.join(venv, "bin")}${path.delimiter}${env.PATH}`, PYTHONPATH: site, PULUMI_BACKEND_URL: `file://${backend}`, PULUMI_CONFIG_PASSPHRASE: passphrase },
  };
}

export const GO_EXAMPLE = path.join(REPO_ROOT, "examples", "go");

/** examples/go built once per process (Go's build cache lives outside the clone). */
export async function buildGoExample(): Promise<string> {
  const binary = path.join(tempDir("semisync-go-"), "semisync-go");
  await run("go", ["build", "-o", binary, "."], { cwd: GO_EXAMPLE, env: process.env, killAfterMs: 600_000 });
  return binary;
}

/** What the Go example prints last: the operation's resource changes and, for up, the stack outputs. */
export interface GoResult {
  changes: Record<string, number>;
  outputs?: Record<string, unknown>;
}

/** A servers file for the Go example, 0600: it holds the password. */
export function serversFile(servers: { source: { host: string; port: number; user: string; password: string }; replicas: { host: string; port: number }[] }): string {
  const file = path.join(tempDir("semisync-go-servers-"), "servers.json");
  const endpoint = (s: { host: string; port: number }) => ({ host: s.host, port: s.port });
  fs.writeFileSync(file, JSON.stringify({ source: { ...endpoint(servers.source), user: servers.source.user, password: servers.source.password }, replicas: servers.replicas.map(endpoint) }), { mode: 0o600 });
  return file;
}

/** Runs the built Go example in `dir` (its work directory and state live there) and parses its result. */
export async function goExample(binary: string, dir: string, env: NodeJS.ProcessEnv, args: string[]): Promise<GoResult> {
  const stdout = await run(binary, args, { cwd: dir, env, killAfterMs: 600_000 });
  const last = stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(last) as GoResult;
}

/** A folder for one Go example stack (its work directory and state), and the environment it runs in. */
export function goStack(env: NodeJS.ProcessEnv, passphrase: string): { dir: string; env: NodeJS.ProcessEnv } {
  return { dir: tempDir("semisync-go-stack-"), env: { ...env, PULUMI_CONFIG_PASSPHRASE: passphrase } };
}

/** The lanes every language's program runs on (issue 18): MySQL 9.7 and MariaDB 11.8. */
export const LANGUAGE_LANES = ["mysql-9.7", "mariadb-11.8"];

/** The language lanes SEMISYNC_LANES leaves; fails, saying so, when it leaves none. */
export function languageLanes(): Lane[] {
  const chosen = lanes().filter((lane) => LANGUAGE_LANES.includes(lane.name));
  if (chosen.length === 0) throw new Error(`SEMISYNC_LANES (${process.env.SEMISYNC_LANES}) leaves none of ${LANGUAGE_LANES.join(", ")}, which the language tests run on`);
  return chosen;
}

/** The resources each language's example declares with two replicas: the component, a plugin and an enablement per member. */
export const EXAMPLE_RESOURCES = 1 + 2 * 3;

/** One language lane's servers and what its tests share, readable once the lane's `before` hooks have run. */
export interface LanguageLane {
  readonly lane: Lane;
  /** A source and two replicas. */
  readonly bed: TestBed;
  /** A user's shell: the plugin from its tarball the only one installed (`pluginHome`). */
  readonly env: NodeJS.ProcessEnv;
  /** `semisyncConfiguration` of the servers before any test of the lane: what destroy must leave. */
  readonly configuredBefore: string;
  /** Commits on the source throughout the lane's tests (for `stallFree`). */
  readonly writer: CommitWriter;
  /**
   * Restarts the source with the writer stopped meanwhile (its connection would die) and started
   * again after, and checks that semisync came back off: SET GLOBAL does not survive a restart.
   */
  restartSource(): Promise<void>;
}

/**
 * A language's suite, as every language runs it: the plugin home and `prepare` (building the
 * program, installing the SDK) once; then, per language lane, a source and two replicas, their
 * configuration before any test, and a writer committing on the source throughout. `laneTests`
 * registers the lane's own hooks and tests; its `before` hooks run after these.
 */
export function describeLanguage(title: string, prepare: (env: NodeJS.ProcessEnv) => Promise<void>, laneTests: (suite: LanguageLane) => void): void {
  describe(title, function () {
    let env: NodeJS.ProcessEnv | undefined;

    before(async function () {
      env = await pluginHome();
      await prepare(env);
    });

    after(function () {
      removeNativeFolders();
      removeLanguageFolders();
    });

    for (const lane of languageLanes()) {
      describe(lane.name, function () {
        let configuredBefore: string | undefined;
        let writer: CommitWriter | undefined;

        // Registered before the test bed, so that it runs while the servers are still up.
        after(async function () {
          await writer?.stop().catch(() => undefined);
        });

        const bed = testBed(lane, { replicas: 2 });

        before(async function () {
          configuredBefore = await semisyncConfiguration(bed.topology);
          writer = await startCommitWriter(bed.topology.source, { pauseMs: 10 });
        });

        const ready = <T>(value: T | undefined, what: string): T => {
          if (value === undefined) throw new Error(`${what} is set in the lane's before hooks: read it in a hook or a test`);
          return value;
        };
        laneTests({
          lane,
          bed,
          get env() {
            return ready(env, "the plugin home");
          },
          get configuredBefore() {
            return ready(configuredBefore, "the configuration before");
          },
          get writer() {
            return ready(writer, "the commit writer");
          },
          async restartSource() {
            await ready(writer, "the commit writer").stop();
            await bed.topology.source.restart();
            writer = await startCommitWriter(bed.topology.source, { pauseMs: 10 });
            const enabled = lane.family === "mysql" ? "rpl_semi_sync_source_enabled" : "rpl_semi_sync_master_enabled";
            assert.equal((await semisyncVariables(bed.topology.source))[enabled], "OFF", "SET GLOBAL does not survive a restart");
          },
        });
      });
    }
  });
}

/** Every replica a semisync client of the source, the source's side on (either family's names). */
export async function assertConverged(topology: Topology, family: Lane["family"]): Promise<void> {
  const [sourceSide, replicaSide] = family === "mysql" ? ["source", "replica"] : ["master", "slave"];
  assert.equal((await semisyncVariables(topology.source))[`rpl_semi_sync_${sourceSide}_enabled`], "ON", "the source's side is on");
  const status = await semisyncStatus(topology.source);
  assert.equal(status[`Rpl_semi_sync_${sourceSide}_status`], "ON", "the source is semisync");
  assert.equal(status[`Rpl_semi_sync_${sourceSide}_clients`], String(topology.replicas.length), "every replica is a semisync client");
  for (const replica of topology.replicas) assert.equal((await semisyncStatus(replica))[`Rpl_semi_sync_${replicaSide}_status`], "ON", `${replica.name} is semisync`);
}

/** The source's rpl_semi_sync_*_timeout. */
export async function sourceTimeout(topology: Topology, family: Lane["family"]): Promise<string> {
  return (await semisyncVariables(topology.source))[family === "mysql" ? "rpl_semi_sync_source_timeout" : "rpl_semi_sync_master_timeout"];
}

/** Every file under dir, concatenated: what a reader of the stored state (or the work directory) can see. */
export function filesUnder(dir: string): string {
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => fs.readFileSync(path.join(entry.parentPath, entry.name), "utf8"))
    .join("\n");
}
