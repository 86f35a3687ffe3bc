import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface RunResult {
  ms: number;
  output: string;
  /**
   * CPU time (user + system) of the command and of every process below it that was waited for
   * (bash's `times`): what the approach cost the machine, far less sensitive to other load on a
   * shared machine than the wall time.
   */
  cpuMs?: number;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  killAfterMs?: number;
  /**
   * Starts the command with SIGINT ignored, as a background job of a non-interactive shell does
   * (`cmd &` in a CI script): only to measure that trap. Bash passes an ignored disposition on
   * through `exec`, and Go programs (pulumi, its plugins) keep it.
   */
  ignoreSigint?: boolean;
}

/**
 * Runs a command to completion, bounded, and times it: wall time, and the CPU time of everything
 * it ran (through bash's `times`). Node's child_process (libuv) resets every
 * signal to its default disposition in the child before exec, so the bench's children never
 * inherit an ignored SIGINT even when the bench itself was started with one ignored;
 * `sigintIgnoredInChildren` checks that on this machine.
 */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const timesFile = path.join(os.tmpdir(), `semisync-bench-times-${process.pid}-${++runs}`);
  const script = `${options.ignoreSigint ? 'trap "" INT; ' : ""}"$@"; rc=$?; times > "$SEMISYNC_BENCH_TIMES"; exit $rc`;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const env = { ...(options.env ?? process.env), SEMISYNC_BENCH_TIMES: timesFile };
    // Its own process group, so the bound below ends the command and not only the bash around it.
    const child = spawn("bash", ["-c", script, "bash", command, ...args], { cwd: options.cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let output = "";
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }, options.killAfterMs ?? 300_000);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${command}: ${error.message}`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      const cpuMs = childrenCpuMs(timesFile);
      if (code === 0) resolve({ ms, output, cpuMs });
      else reject(new Error(`${command} ${args.join(" ")} exited with ${code ?? signal}:\n${output.slice(-4000)}`));
    });
  });
}

let runs = 0;

/** The children's line of bash's `times` ("0m4.210s 0m0.830s"), in ms; undefined if it is missing. */
function childrenCpuMs(file: string): number | undefined {
  try {
    const lines = fs.readFileSync(file, "utf8").trim().split("\n");
    fs.rmSync(file, { force: true });
    const parts = (lines[1] ?? "")
      .trim()
      .split(/\s+/)
      .map((t) => t.match(/^(\d+)m([\d.]+)s$/));
    if (parts.length !== 2 || parts.some((m) => !m)) return undefined;
    return parts.reduce((sum, m) => sum + (Number(m![1]) * 60 + Number(m![2])) * 1000, 0);
  } catch {
    return undefined;
  }
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
