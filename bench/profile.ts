// Where the time of `pulumi up` of the TypeScript example goes (issue 12, item 2): the same
// 1-replica rollout and teardown through the CLI with one cost taken away at a time, interleaved
// run by run, plus what each module costs to `require` in a fresh Node. Differences between rows
// are the figures: type checking (type-checked vs transpile-only), the preview pass (with vs
// --skip-preview), TypeScript itself (transpile-only vs JavaScript), the engine (empty program).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CliProject, EXAMPLES, REPO_ROOT, copyProject } from "../examples/demo/pulumi-cli";
import { CommitWriter } from "../tests/support/commit-writer";
import { Topology } from "../tests/testbed/topology";
import { BENCH_DIR, assertRolledOut, assertTornDown, cliProject, load1, pulumi, timed } from "./compare";
import { median, run, seconds } from "./processes";

const log = (text: string) => process.stderr.write(`[bench] ${text}\n`);

export interface ProfileRow {
  variant: string;
  upMs: number[];
  destroyMs: number[];
  maxCommitMs: number;
  /** 1-minute load average after each run. */
  load: number[];
}

export interface ProfileReport {
  rows: ProfileRow[];
  requireMs: Record<string, number[]>;
}

interface Variant {
  name: string;
  project: CliProject;
  upArgs: string[];
  semisync: boolean;
}

const withEnv = (project: CliProject, env: Record<string, string>): CliProject => ({ ...project, env: { ...project.env, ...env } });

/**
 * Milliseconds to `require` each module in a fresh Node, resolved from the repository, each after
 * the ones before it (@pulumi/pulumi itself loads typescript, so typescript comes first).
 */
async function requireCosts(): Promise<Record<string, number>> {
  const script = `
    const t = () => performance.now();
    const out = {};
    for (const m of ["typescript", "@pulumi/pulumi", "mysql2/promise", "pulumi-mysql-semisync"]) {
      const t0 = t(); require(m); out[m] = t() - t0;
    }
    process.stdout.write(JSON.stringify(out));`;
  const { output } = await run(process.execPath, ["-e", script], { cwd: REPO_ROOT });
  return JSON.parse(output);
}

export async function profile(topology: Topology, writer: CommitWriter, runs: number): Promise<ProfileReport> {
  const replicas = topology.replicas.slice(0, 1);
  const servers = { source: topology.source, replicas };
  const ts = await cliProject(path.join(EXAMPLES, "replication-component"), servers);
  const js = await cliProject(path.join(BENCH_DIR, "js-program"), servers);
  const empty = copyProject(path.join(BENCH_DIR, "empty-program"), "semisync-bench");
  await pulumi(empty, ["stack", "init", "bench"]);
  const compileCache = fs.mkdtempSync(path.join(os.tmpdir(), "semisync-bench-compile-cache-"));
  const variants: Variant[] = [
    // PULUMI_NODEJS_TRANSPILE_ONLY overrides the tsconfig, so both rows exist whatever the example ships.
    { name: "TypeScript example, type-checked", project: withEnv(ts, { PULUMI_NODEJS_TRANSPILE_ONLY: "false" }), upArgs: [], semisync: true },
    { name: "TypeScript example, transpile-only", project: withEnv(ts, { PULUMI_NODEJS_TRANSPILE_ONLY: "true" }), upArgs: [], semisync: true },
    { name: "TypeScript example, transpile-only, up --skip-preview", project: withEnv(ts, { PULUMI_NODEJS_TRANSPILE_ONLY: "true" }), upArgs: ["--skip-preview"], semisync: true },
    { name: "JavaScript program", project: js, upArgs: [], semisync: true },
    { name: "JavaScript program, up --skip-preview", project: js, upArgs: ["--skip-preview"], semisync: true },
    // Node 22's on-disk compile cache, for the program and the provider host alike (the engine passes its environment on).
    { name: "JavaScript program, NODE_COMPILE_CACHE set", project: withEnv(js, { NODE_COMPILE_CACHE: compileCache }), upArgs: [], semisync: true },
    { name: "program with no resource (the engine alone)", project: empty, upArgs: [], semisync: false },
  ];
  const rows: ProfileRow[] = variants.map((v) => ({ variant: v.name, upMs: [], destroyMs: [], maxCommitMs: 0, load: [] }));
  const requireMs: Record<string, number[]> = {};
  for (let i = 0; i < runs; i++) {
    for (const [module, ms] of Object.entries(await requireCosts())) (requireMs[module] ??= []).push(ms);
    for (const [index, variant] of variants.entries()) {
      const up = await timed(writer, () => pulumi(variant.project, ["up", "--yes", ...variant.upArgs]));
      if (variant.semisync) await assertRolledOut(topology, replicas, variant.name);
      const down = await timed(writer, () => pulumi(variant.project, ["destroy", "--yes"]));
      if (variant.semisync) await assertTornDown(topology, replicas, variant.name);
      const row = rows[index];
      row.upMs.push(up.ms);
      row.destroyMs.push(down.ms);
      row.maxCommitMs = Math.max(row.maxCommitMs, up.maxCommitMs, down.maxCommitMs);
      row.load.push(load1());
      log(`profile run ${i + 1}: ${variant.name}: up ${seconds(up.ms)} s, destroy ${seconds(down.ms)} s, load ${load1()}`);
    }
  }
  return { rows, requireMs };
}

export function printProfile(report: ProfileReport, runs: number): void {
  const base = median(report.rows[0].upMs);
  console.log(`\nProfile of \`pulumi up --yes\` / \`pulumi destroy --yes\`, 1 source + 1 replica, medians of ${runs} interleaved run(s)\n`);
  console.log("| variant | up s | × type-checked TS | destroy s | worst commit ms | load (median) |");
  console.log("|---|---:|---:|---:|---:|---:|");
  for (const r of report.rows) {
    console.log(`| ${r.variant} | ${seconds(median(r.upMs))} | ${(median(r.upMs) / base).toFixed(2)}× | ${seconds(median(r.destroyMs))} | ${r.maxCommitMs.toFixed(0)} | ${median(r.load).toFixed(2)} |`);
  }
  console.log("\n`require` in a fresh Node, each after the ones above (ms, median; the program and the provider host each pay these)\n");
  console.log("| module | ms |");
  console.log("|---|---:|");
  for (const [module, values] of Object.entries(report.requireMs)) console.log(`| ${module} | ${median(values).toFixed(0)} |`);
}
