import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CliProject, REPO_ROOT, pulumiCli } from "../../examples/demo/pulumi-cli";
import { userEnv } from "./installed-package";

/*
 * The native plugin as users get it: the tarball `npm run plugin` writes, installed with
 * `pulumi plugin install resource … --file` into a Pulumi home of the test's own, and run by a
 * CLI whose environment has no trace of the checkout (no NODE_PATH, no node_modules on PATH).
 */

export const PLUGIN_VERSION: string = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).version;
export const PLUGIN_TARBALL = path.join(REPO_ROOT, "dist", "plugin", `pulumi-resource-mysql-semisync-v${PLUGIN_VERSION}-linux-amd64.tar.gz`);

/** The bound on building the tarball: a cold npm cache downloads the SDK and its dependencies. */
const BUILD_TIMEOUT_MS = 600_000;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(file) : fs.statSync(file).mtimeMs);
  }
  return newest;
}

let built: Promise<string> | undefined;

/** `npm run plugin`, once per test process, unless the tarball is newer than the provider code and the schema. */
export function pluginTarball(): Promise<string> {
  built ??= (async () => {
    const sources = Math.max(newestMtime(path.join(REPO_ROOT, "dist", "provider")), fs.statSync(path.join(REPO_ROOT, "provider", "native", "schema.json")).mtimeMs);
    if (fs.existsSync(PLUGIN_TARBALL) && fs.statSync(PLUGIN_TARBALL).mtimeMs > sources) return PLUGIN_TARBALL;
    await new Promise<void>((resolve, reject) =>
      execFile("bash", [path.join(REPO_ROOT, "scripts", "build-plugin.sh")], { cwd: REPO_ROOT, timeout: BUILD_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
        error ? reject(new Error(`npm run plugin failed: ${error.message}\n${stdout}\n${stderr}`.slice(-4000))) : resolve(),
      ),
    );
    return PLUGIN_TARBALL;
  })();
  return built;
}

/** Folders this process made. */
const created: string[] = [];

export function removeNativeFolders(): void {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * A Pulumi home holding only the plugin installed from the tarball, and the environment a user's
 * shell has (the CLI and Node on PATH, nothing of the checkout).
 */
export async function pluginHome(): Promise<NodeJS.ProcessEnv> {
  const tarball = await pluginTarball();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "semisync-pulumi-home-"));
  created.push(home);
  const env = userEnv({ PULUMI_HOME: home, PULUMI_SKIP_UPDATE_CHECK: "true" });
  await pulumiCli({ dir: home, env }, ["plugin", "install", "resource", "mysql-semisync", PLUGIN_VERSION, "--file", tarball]);
  return env;
}

/** A YAML project (a copy of `source`, or `Pulumi.yaml` text) on a local file backend, run with `env`. */
export function yamlProject(source: { dir: string } | { yaml: string }, env: NodeJS.ProcessEnv, passphrase: string): CliProject {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "semisync-yaml-"));
  created.push(dir);
  if ("dir" in source) fs.cpSync(source.dir, dir, { recursive: true, filter: (file) => !/Pulumi\.[^/]*\.yaml$/.test(path.relative(source.dir, file)) });
  else fs.writeFileSync(path.join(dir, "Pulumi.yaml"), source.yaml);
  const backend = path.join(dir, ".state");
  fs.mkdirSync(backend, { recursive: true });
  return { dir, backend, env: { ...env, PULUMI_BACKEND_URL: `file://${backend}`, PULUMI_CONFIG_PASSPHRASE: passphrase } };
}

/** Every file of the backend folder, concatenated: what a reader of the stored state can see. */
export function storedState(project: CliProject): string {
  const read = (dir: string): string =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .map((entry) => (entry.isDirectory() ? read(path.join(dir, entry.name)) : fs.readFileSync(path.join(dir, entry.name), "utf8")))
      .join("\n");
  return read(project.backend);
}
