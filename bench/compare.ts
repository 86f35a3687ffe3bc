// The comparison the project is judged by (issue 12): rollout and teardown wall time and the
// worst commit on the source, side by side in one run, for
//   - SemisyncReplication through the Pulumi CLI: examples/replication-component as shipped
//     (TypeScript) and the same program in JavaScript (bench/js-program);
//   - the same topology on the native plugin: a YAML program, examples/python and examples/go
//     (bench/languages.ts);
//   - the floor: bench/floor.ts, the same statements in the same order with mysql2 and nothing else;
//   - an Ansible play with community.mysql (bench/ansible), where ansible-playbook is installed.
// Approaches are interleaved run by run, so load on the shared machine hits them alike: read the
// ratios, not the absolute seconds.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EXAMPLES, REPO_ROOT, copyProject } from "../examples/demo/pulumi-cli";
import { CommitWriter, maxLatency } from "../tests/support/commit-writer";
import { installedPlugins, semisyncStatus, semisyncVariables } from "../tests/support/server-probes";
import { Server, Topology } from "../tests/testbed/topology";
import { Approach, cliApproach, cliProject, pulumi } from "./approaches";
import { languageApproaches } from "./languages";
import { RunResult, median, run, seconds, sigintIgnoredInChildren } from "./processes";

export const BENCH_DIR = path.join(REPO_ROOT, "bench");
const TIMEOUT_MS = 10_000;

const log = (text: string) => process.stderr.write(`[bench] ${text}\n`);

export interface ApproachResult {
  approach: string;
  replicas: number;
  rolloutMs: number[];
  teardownMs: number[];
  /** Worst commit on the source over every rollout, preview and teardown of this approach. */
  maxCommitMs: number;
  /** Worst commit per phase, over every run. */
  worstCommitMs: { rollout: number; preview: number; teardown: number };
  /** No-change `pulumi preview --refresh` after the rollout (reads every server first, as `refresh: always` did before 0.3.0; CLI approaches only). */
  previewMs?: number[];
  /** The same preview plain (`--refresh=false`): no refresh; each resource's diff reads its own server. */
  previewNoRefreshMs?: number[];
  /** 1-minute load average (os.loadavg) after each run of this approach: the machine is shared. */
  load: number[];
  /** CPU time (user + system) of every process the rollout / teardown ran, per run. */
  rolloutCpuMs: number[];
  teardownCpuMs: number[];
}

export interface CompareReport {
  sigintIgnoredInChildren?: boolean;
  ansible: string;
  results: ApproachResult[];
  /** `pulumi preview` of a program with no resource, once per run, by replica count (the baseline of the preview goal, taken under the same load as its rows). */
  emptyPreviewMs: Record<number, number[]>;
  /** `pulumi preview` of a program with no resource that loads @pulumi/pulumi, as every program with a resource must. */
  sdkPreviewMs: Record<number, number[]>;
  /** 1-minute load average when the phase started and ended. */
  loadAtStart: number;
  loadAtEnd: number;
}

/** The 1-minute load average, recorded with every figure: the machine is shared. */
export const load1 = () => Math.round(os.loadavg()[0] * 100) / 100;

/** Where the bench looks for Ansible when `SEMISYNC_ANSIBLE_PLAYBOOK` is unset and PATH has none: the venv docs/performance.md's install line makes. */
export const DEFAULT_ANSIBLE_VENV = path.join(os.homedir(), ".venvs", "ansible-bench");

/**
 * ansible-playbook, with the Python it runs on (its shebang: pymysql and community.mysql must
 * import there); or why not. In order: `SEMISYNC_ANSIBLE_PLAYBOOK`, PATH, then
 * ~/.venvs/ansible-bench/bin (`python3 -m venv ~/.venvs/ansible-bench &&
 * ~/.venvs/ansible-bench/bin/pip install ansible pymysql`), so a venv need not be on PATH, where
 * its python3 would shadow the system's for everything else.
 */
export function findAnsible(): { playbook: string; python: string } | { skipped: string } {
  const configured = process.env.SEMISYNC_ANSIBLE_PLAYBOOK;
  if (configured && !fs.existsSync(configured)) return { skipped: `skipped: SEMISYNC_ANSIBLE_PLAYBOOK=${configured} does not exist` };
  const playbook =
    configured ?? [...(process.env.PATH ?? "").split(path.delimiter).filter(Boolean), path.join(DEFAULT_ANSIBLE_VENV, "bin")].map((dir) => path.join(dir, "ansible-playbook")).find((file) => fs.existsSync(file));
  if (!playbook) return { skipped: `skipped: ansible not installed (python3 -m venv ${DEFAULT_ANSIBLE_VENV} && ${DEFAULT_ANSIBLE_VENV}/bin/pip install ansible pymysql, or set SEMISYNC_ANSIBLE_PLAYBOOK)` };
  const shebang = fs.readFileSync(playbook, "utf8").split("\n")[0];
  const python = shebang.startsWith("#!") ? shebang.slice(2).trim().split(/\s+/)[0] : "python3";
  return { playbook, python };
}

async function ansibleReady(found: { playbook: string; python: string }): Promise<string | undefined> {
  try {
    await run(found.python, ["-c", "import pymysql, ansible_collections.community.mysql"]);
    return undefined;
  } catch {
    return "skipped: ansible is installed but pymysql or the community.mysql collection is missing (pip install ansible pymysql)";
  }
}

function floorApproach(source: Server, replicas: Server[]): Approach {
  const address = (s: Server) => ({ host: s.host, port: s.port, user: s.user, password: s.password });
  const env = { ...process.env, BENCH_TARGET: JSON.stringify({ source: address(source), replicas: replicas.map(address), timeoutMs: TIMEOUT_MS }) };
  const script = path.join(__dirname, "floor.js");
  return {
    name: "floor: mysql2 script, same statements",
    rollout: () => run(process.execPath, [script, "up"], { env }),
    teardown: () => run(process.execPath, [script, "down"], { env }),
  };
}

function ansibleApproach(found: { playbook: string; python: string }, source: Server, replicas: Server[]): Approach {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "semisync-ansible-"));
  const inventory = {
    all: {
      vars: { ansible_connection: "local", ansible_python_interpreter: found.python, mysql_host: source.host, mysql_user: source.user, semisync_timeout_ms: TIMEOUT_MS },
      hosts: { source: { mysql_port: source.port } },
      children: { replicas: { hosts: Object.fromEntries(replicas.map((r) => [r.name, { mysql_port: r.port }])) } },
    },
  };
  fs.writeFileSync(path.join(dir, "inventory.json"), JSON.stringify(inventory));
  // The password in a 0600 file, never on a command line.
  fs.writeFileSync(path.join(dir, "secrets.json"), JSON.stringify({ mysql_password: source.password }), { mode: 0o600 });
  const env = { ...process.env, ANSIBLE_NOCOLOR: "1", ANSIBLE_LOCAL_TEMP: path.join(dir, "tmp"), ANSIBLE_HOME: path.join(dir, "home"), ANSIBLE_RETRY_FILES_ENABLED: "0" };
  const play = (file: string) => run(found.playbook, ["-i", path.join(dir, "inventory.json"), "-e", `@${path.join(dir, "secrets.json")}`, path.join(BENCH_DIR, "ansible", file)], { env });
  return { name: "Ansible play, community.mysql", rollout: () => play("rollout.yml"), teardown: () => play("teardown.yml") };
}

export async function assertRolledOut(topology: Topology, replicas: Server[], approach: string): Promise<void> {
  const variables = await semisyncVariables(topology.source);
  const status = await semisyncStatus(topology.source);
  const replicaOn = await Promise.all(replicas.map(async (r) => (await semisyncStatus(r)).Rpl_semi_sync_replica_status));
  if (variables.rpl_semi_sync_source_enabled !== "ON" || Number(status.Rpl_semi_sync_source_clients) !== replicas.length || replicaOn.some((s) => s !== "ON")) {
    throw new Error(`${approach}: after rollout the source reads enabled=${variables.rpl_semi_sync_source_enabled}, clients=${status.Rpl_semi_sync_source_clients}; replicas ${replicaOn.join(",")}`);
  }
}

export async function assertTornDown(topology: Topology, replicas: Server[], approach: string): Promise<void> {
  for (const server of [topology.source, ...replicas]) {
    const left = await installedPlugins(server);
    if (left.length > 0) throw new Error(`${approach}: ${server.name} still has ${left.join(", ")} after teardown`);
  }
}

export async function timed(writer: CommitWriter, work: () => Promise<unknown>): Promise<{ ms: number; maxCommitMs: number; cpuMs?: number }> {
  writer.take();
  const started = performance.now();
  const result = await work();
  const ms = performance.now() - started;
  await writer.settle();
  return { ms, maxCommitMs: maxLatency(writer.take()), cpuMs: (result as Partial<RunResult> | undefined)?.cpuMs };
}

export async function compare(topology: Topology, writer: CommitWriter, options: { replicaCounts: number[]; runs: number }): Promise<CompareReport> {
  const ignored = await sigintIgnoredInChildren();
  log(`children start with SIGINT ${ignored ? "IGNORED (timings inflated ~5 s per pulumi run)" : "at its default disposition"}`);
  const found = findAnsible();
  const ansible = "skipped" in found ? found.skipped : ((await ansibleReady(found)) ?? `ansible: ${found.playbook}`);
  log(ansible);
  const loadAtStart = load1();
  const empty = copyProject(path.join(BENCH_DIR, "empty-program"), "semisync-bench");
  await pulumi(empty, ["stack", "init", "bench"]);
  const sdkOnly = copyProject(path.join(BENCH_DIR, "sdk-program"), "semisync-bench");
  await pulumi(sdkOnly, ["stack", "init", "bench"]);
  const emptyPreviewMs: Record<number, number[]> = {};
  const sdkPreviewMs: Record<number, number[]> = {};
  const results: ApproachResult[] = [];

  for (const count of options.replicaCounts) {
    const replicas = topology.replicas.slice(0, count);
    const servers = { source: topology.source, replicas };
    const approaches: Approach[] = [
      cliApproach("pulumi up/destroy, examples/replication-component (TypeScript)", await cliProject(path.join(EXAMPLES, "replication-component"), servers)),
      cliApproach("pulumi up/destroy, the same program in JavaScript", await cliProject(path.join(BENCH_DIR, "js-program"), servers)),
      floorApproach(topology.source, replicas),
      ...(await languageApproaches(servers, TIMEOUT_MS)),
    ];
    if (!ansible.startsWith("skipped")) approaches.push(ansibleApproach(found as { playbook: string; python: string }, topology.source, replicas));
    const byName = new Map(
      approaches.map((a): [string, ApproachResult] => [
        a.name,
        {
          approach: a.name,
          replicas: count,
          rolloutMs: [],
          teardownMs: [],
          maxCommitMs: 0,
          worstCommitMs: { rollout: 0, preview: 0, teardown: 0 },
          previewMs: a.preview ? [] : undefined,
          previewNoRefreshMs: a.previewNoRefresh ? [] : undefined,
          load: [],
          rolloutCpuMs: [],
          teardownCpuMs: [],
        },
      ]),
    );

    for (let i = 0; i < options.runs; i++) {
      (emptyPreviewMs[count] ??= []).push((await pulumi(empty, ["preview"])).ms);
      (sdkPreviewMs[count] ??= []).push((await pulumi(sdkOnly, ["preview"])).ms);
      for (const approach of approaches) {
        const result = byName.get(approach.name)!;
        const worst = result.worstCommitMs;
        const up = await timed(writer, approach.rollout);
        await assertRolledOut(topology, replicas, approach.name);
        worst.rollout = Math.max(worst.rollout, up.maxCommitMs);
        let previews = "";
        if (approach.preview) {
          const preview = await timed(writer, approach.preview);
          result.previewMs!.push(preview.ms);
          worst.preview = Math.max(worst.preview, preview.maxCommitMs);
          previews += `, preview ${seconds(preview.ms)} s`;
        }
        if (approach.previewNoRefresh) {
          const preview = await timed(writer, approach.previewNoRefresh);
          result.previewNoRefreshMs!.push(preview.ms);
          worst.preview = Math.max(worst.preview, preview.maxCommitMs);
          previews += ` (${seconds(preview.ms)} s plain, without refresh)`;
        }
        const down = await timed(writer, approach.teardown);
        await assertTornDown(topology, replicas, approach.name);
        worst.teardown = Math.max(worst.teardown, down.maxCommitMs);
        result.rolloutMs.push(up.ms);
        result.teardownMs.push(down.ms);
        if (up.cpuMs !== undefined) result.rolloutCpuMs.push(up.cpuMs);
        if (down.cpuMs !== undefined) result.teardownCpuMs.push(down.cpuMs);
        result.maxCommitMs = Math.max(worst.rollout, worst.preview, worst.teardown);
        result.load.push(load1());
        log(
          `${count} replica(s), run ${i + 1}: ${approach.name}: rollout ${seconds(up.ms)} s (CPU ${up.cpuMs === undefined ? "?" : seconds(up.cpuMs)} s)${previews}, teardown ${seconds(down.ms)} s (CPU ${down.cpuMs === undefined ? "?" : seconds(down.cpuMs)} s), worst commit ${Math.max(up.maxCommitMs, down.maxCommitMs).toFixed(0)} ms, load ${load1()}`,
        );
      }
    }
    results.push(...byName.values());
  }
  return { sigintIgnoredInChildren: ignored, ansible, results, emptyPreviewMs, sdkPreviewMs, loadAtStart, loadAtEnd: load1() };
}

export function printCompare(report: CompareReport, runs: number): void {
  const ratio = (value: number, base: number | undefined) => (base ? `${(value / base).toFixed(2)}×` : "–");
  const loads = report.results.flatMap((r) => r.load);
  console.log(`\nRollout and teardown, 1 source + N replicas, MySQL, medians of ${runs} interleaved run(s); ratios against the floor and the Ansible play\n`);
  console.log(`Children's SIGINT: ${report.sigintIgnoredInChildren ? "IGNORED (pulumi runs inflated)" : "default"}. ${report.ansible}.`);
  console.log(`Load average (1 min, 2 cores here): ${report.loadAtStart} at the start, ${report.loadAtEnd} at the end, median ${median(loads).toFixed(2)} and max ${Math.max(...loads).toFixed(2)} after the runs.\n`);
  console.log("| replicas | approach | rollout s | × floor | × play | teardown s | × floor | × play | worst commit ms: rollout / preview / teardown | load (median) |");
  console.log("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const count of [...new Set(report.results.map((r) => r.replicas))]) {
    const rows = report.results.filter((r) => r.replicas === count);
    const floor = rows.find((r) => r.approach.startsWith("floor"));
    const play = rows.find((r) => r.approach.startsWith("Ansible"));
    for (const r of rows) {
      const up = median(r.rolloutMs);
      const down = median(r.teardownMs);
      const w = r.worstCommitMs;
      const commits = `${w.rollout.toFixed(0)} / ${r.previewMs ? w.preview.toFixed(0) : "–"} / ${w.teardown.toFixed(0)}`;
      console.log(
        `| ${count} | ${r.approach} | ${seconds(up)} | ${ratio(up, floor && median(floor.rolloutMs))} | ${ratio(up, play && median(play.rolloutMs))} | ${seconds(down)} | ${ratio(down, floor && median(floor.teardownMs))} | ${ratio(down, play && median(play.teardownMs))} | ${commits} | ${median(r.load).toFixed(2)} |`,
      );
    }
  }
  console.log(`\nCPU time (user + system) of every process each approach ran, medians: what it costs the machine, far steadier than wall time when other work competes\n`);
  console.log("| replicas | approach | rollout CPU s | × floor | × play | teardown CPU s | × floor | × play |");
  console.log("|---:|---|---:|---:|---:|---:|---:|---:|");
  for (const count of [...new Set(report.results.map((r) => r.replicas))]) {
    const rows = report.results.filter((r) => r.replicas === count && r.rolloutCpuMs.length > 0);
    const floor = rows.find((r) => r.approach.startsWith("floor"));
    const play = rows.find((r) => r.approach.startsWith("Ansible"));
    for (const r of rows) {
      const up = median(r.rolloutCpuMs);
      const down = median(r.teardownCpuMs);
      console.log(
        `| ${count} | ${r.approach} | ${seconds(up)} | ${ratio(up, floor && median(floor.rolloutCpuMs))} | ${ratio(up, play && median(play.rolloutCpuMs))} | ${seconds(down)} | ${ratio(down, floor && median(floor.teardownCpuMs))} | ${ratio(down, play && median(play.teardownCpuMs))} |`,
      );
    }
  }
  console.log("\nNo-change `pulumi preview` after the rollout, against a program with no resource and one with no resource that loads @pulumi/pulumi (both timed in the same runs)\n");
  console.log("| replicas | program | preview s (`--refresh`) | × empty | × SDK only | plain (`--refresh=false`) s | × empty | × SDK only |");
  console.log("|---:|---|---:|---:|---:|---:|---:|---:|");
  for (const count of Object.keys(report.emptyPreviewMs).map(Number)) {
    const empty = median(report.emptyPreviewMs[count]);
    const sdk = median(report.sdkPreviewMs[count]);
    console.log(`| ${count} | program with no resource | ${seconds(empty)} | 1.00× | ${ratio(empty, sdk)} | | | |`);
    console.log(`| ${count} | program with no resource, loads @pulumi/pulumi | ${seconds(sdk)} | ${ratio(sdk, empty)} | 1.00× | | | |`);
    for (const r of report.results.filter((r) => r.previewMs && r.replicas === count)) {
      const shipped = median(r.previewMs!);
      const bare = r.previewNoRefreshMs?.length ? median(r.previewNoRefreshMs) : undefined;
      console.log(
        `| ${count} | ${r.approach.replace("pulumi up/destroy, ", "")} | ${seconds(shipped)} | ${ratio(shipped, empty)} | ${ratio(shipped, sdk)} | ${bare === undefined ? "–" : seconds(bare)} | ${bare === undefined ? "–" : ratio(bare, empty)} | ${bare === undefined ? "–" : ratio(bare, sdk)} |`,
      );
    }
  }
}

export interface SigintReport {
  childrenIgnore: { normal?: boolean; trapped?: boolean };
  defaultMs: number[];
  ignoredMs: number[];
}

/**
 * The trap users hit: `pulumi` started with SIGINT ignored (a background job of a non-interactive
 * shell) waits for its plugins to exit on every program run. Measured on a program with no
 * resource, interleaved, so the bench shows both its own children are clean and what the trap costs.
 */
export async function sigintTrap(runs: number): Promise<SigintReport> {
  const empty = copyProject(path.join(BENCH_DIR, "empty-program"), "semisync-bench");
  await pulumi(empty, ["stack", "init", "bench"]);
  const report: SigintReport = { childrenIgnore: { normal: await sigintIgnoredInChildren(), trapped: await sigintIgnoredInChildren(true) }, defaultMs: [], ignoredMs: [] };
  for (let i = 0; i < runs; i++) {
    report.defaultMs.push((await pulumi(empty, ["preview"])).ms);
    report.ignoredMs.push((await run("pulumi", ["preview", "--non-interactive"], { cwd: empty.dir, env: empty.env, ignoreSigint: true })).ms);
    log(`empty program preview, run ${i + 1}: SIGINT default ${seconds(report.defaultMs[i])} s, ignored ${seconds(report.ignoredMs[i])} s`);
  }
  return report;
}

export function printSigint(report: SigintReport): void {
  const normal = median(report.defaultMs);
  const ignored = median(report.ignoredMs);
  console.log("\nThe SIGINT trap: `pulumi preview` of a program with no resource\n");
  console.log("| pulumi started with SIGINT | SigIgn has SIGINT | preview s | × default |");
  console.log("|---|---|---:|---:|");
  console.log(`| default (how the bench runs every child) | ${report.childrenIgnore.normal} | ${seconds(normal)} | 1.00× |`);
  console.log(`| ignored (\`trap "" INT\`, a background job of a script) | ${report.childrenIgnore.trapped} | ${seconds(ignored)} | ${(ignored / normal).toFixed(2)}× |`);
}
