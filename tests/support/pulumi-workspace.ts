import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalWorkspace, PulumiFn, Stack } from "@pulumi/pulumi/automation";

export const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
export const PASSPHRASE = "semisync-tests";

/**
 * A throwaway Pulumi project directory on a local file backend. The provider host resolves
 * @pulumi/pulumi and mysql2 from the project directory, so it gets the repository's node_modules.
 */
export function makeProjectDir(prefix: string): { dir: string; backend: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  const backend = path.join(dir, ".state");
  fs.mkdirSync(backend);
  return { dir, backend };
}

export async function inlineStack(projectName: string, program: PulumiFn): Promise<{ stack: Stack; dir: string; backend: string }> {
  const { dir, backend } = makeProjectDir(projectName);
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: "test", projectName, program },
    {
      workDir: dir,
      projectSettings: { name: projectName, runtime: "nodejs", backend: { url: `file://${backend}` } },
      envVars: { PULUMI_CONFIG_PASSPHRASE: PASSPHRASE, PULUMI_SKIP_UPDATE_CHECK: "true" },
    },
  );
  return { stack, dir, backend };
}

/** Every file under `dir`, concatenated: for proving that a secret never reached the disk. */
export function readTree(dir: string): string {
  let all = "";
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.name === "node_modules") continue;
    if (entry.isDirectory()) all += readTree(full);
    else if (entry.isFile()) all += fs.readFileSync(full, "utf8");
  }
  return all;
}
