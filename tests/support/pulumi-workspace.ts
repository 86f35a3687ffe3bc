import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalWorkspace, PulumiFn, Stack } from "@pulumi/pulumi/automation";
import { REPO_ROOT, withBackend } from "../../examples/demo/pulumi-cli";

export { REPO_ROOT };
export const PASSPHRASE = "semisync-tests";

/**
 * An inline program in a throwaway project directory on a local file backend (see `withBackend`).
 * `options` become the project's `options` in Pulumi.yaml, e.g. `{ refresh: "always" }`.
 */
export async function inlineStack(projectName: string, program: PulumiFn, options?: { refresh?: "always" }): Promise<{ stack: Stack; dir: string; backend: string }> {
  const { dir, backend } = withBackend(fs.mkdtempSync(path.join(os.tmpdir(), `${projectName}-`)), PASSPHRASE);
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: "test", projectName, program },
    {
      workDir: dir,
      projectSettings: { name: projectName, runtime: "nodejs", backend: { url: `file://${backend}` }, ...(options ? { options } : {}) },
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
