import { spawn } from "node:child_process";
import * as fs from "node:fs";

export interface RunResult {
  ms: number;
  output: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /**
   * Starts the command with SIGINT ignored, as a background job of a non-interactive shell does
   * (`cmd &` in a CI script): only to measure that trap. Bash passes an ignored disposition on
   * through `exec`, and Go programs (pulumi, its plugins) keep it.
   */
  ignoreSigint?: boolean;
}

/**
 * Runs a command to completion, bounded, and times it. Node's child_process (libuv) resets every
 * signal to its default disposition in the child before exec, so the bench's children never
 * inherit an ignored SIGINT even when the bench itself was started with one ignored;
 * `sigintIgnoredInChildren` checks that on this machine.
 */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const [file, argv] = options.ignoreSigint ? ["bash", ["-c", 'trap "" INT; exec "$@"', "bash", command, ...args]] : [command, args];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file, argv, { cwd: options.cwd, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 300_000);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${command}: ${error.message}`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      if (code === 0) resolve({ ms, output });
      else reject(new Error(`${command} ${args.join(" ")} exited with ${code ?? signal}:\n${output.slice(-4000)}`));
    });
  });
}

/** Whether a child spawned the way `run` spawns it starts with SIGINT ignored (Linux /proc). */
export async function sigintIgnoredInChildren(ignoreSigint = false): Promise<boolean | undefined> {
  if (!fs.existsSync("/proc/self/status")) return undefined;
  const { output } = await run("grep", ["^SigIgn:", "/proc/self/status"], { ignoreSigint });
  const mask = BigInt(`0x${output.split(":")[1].trim()}`);
  return (mask & (1n << 1n)) !== 0n; // bit SIGINT-1 = 1
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const seconds = (ms: number) => (ms / 1000).toFixed(2);
