import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
export const EXAMPLES = path.join(REPO_ROOT, "examples");
export const TEMPLATES = path.join(REPO_ROOT, "templates");

export interface CliProject {
  dir: string;
  /** The local file backend's folder. */
  backend: string;
  env: NodeJS.ProcessEnv;
}

/**
 * A copy of a Pulumi project directory (an example or a generated template) in a temporary
 * folder, on a local file backend, with the repository's node_modules: the language host and the
 * provider host resolve @pulumi/pulumi, mysql2 and pulumi-mysql-semisync from the project.
 */
export function copyProject(source: string, passphrase: string): CliProject {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${path.basename(source)}-`));
  fs.cpSync(source, dir, { recursive: true, filter: (file) => !/node_modules|Pulumi\.[^/]*\.yaml$/.test(path.relative(source, file)) });
  return withBackend(dir, passphrase);
}

/**
 * Gives an existing project directory node_modules and a local file backend. The symlink is how the
 * language host and the provider host, which resolve modules from the project directory, find the
 * clone's: no NODE_PATH, which would reach into every other project run from the same shell.
 */
export function withBackend(dir: string, passphrase: string): CliProject {
  if (!fs.existsSync(path.join(dir, "node_modules"))) fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  const backend = path.join(dir, ".state");
  fs.mkdirSync(backend, { recursive: true });
  const env = {
    ...process.env,
    PULUMI_BACKEND_URL: `file://${backend}`,
    PULUMI_CONFIG_PASSPHRASE: passphrase,
    PULUMI_SKIP_UPDATE_CHECK: "true",
  };
  return { dir, backend, env };
}

/**
 * Runs the pulumi CLI in the project and resolves with its output; `echo` streams the output to
 * the terminal, `stdoutOnly` leaves stderr out of the result (for `--json`). Bounded.
 */
export function pulumiCli(project: Pick<CliProject, "dir" | "env">, args: string[], options: { echo?: boolean; killAfterMs?: number; stdoutOnly?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("pulumi", [...args, "--non-interactive"], { cwd: project.dir, env: project.env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    let stdout = "";
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (options.echo) process.stderr.write(chunk);
    };
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      collect(chunk);
    });
    child.stderr.on("data", collect);
    const timer = setTimeout(() => child.kill("SIGTERM"), options.killAfterMs ?? 600_000);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run pulumi (is the bootstrap done? npm run bootstrap): ${error.message}`));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(options.stdoutOnly ? stdout : output);
      else reject(new Error(`pulumi ${args.join(" ")} exited with ${code}:\n${output.slice(-4000)}`));
    });
  });
}

/** Points the base-resources program at servers, the password as a secret. */
export async function configureServers(project: CliProject, servers: { source: { host: string; port: number }; replicas: { host: string; port: number }[]; user: string; password: string }): Promise<void> {
  await pulumiCli(project, ["stack", "init", "demo"]);
  const set = (key: string, value: string, secret = false) => pulumiCli(project, ["config", "set", "--path", key, value, ...(secret ? ["--secret"] : ["--plaintext"])]);
  await set("source.host", servers.source.host);
  await set("source.port", String(servers.source.port));
  for (const [i, replica] of servers.replicas.entries()) {
    await set(`replicas[${i}].host`, replica.host);
    await set(`replicas[${i}].port`, String(replica.port));
  }
  await set("user", servers.user);
  await set("password", servers.password, true);
}
