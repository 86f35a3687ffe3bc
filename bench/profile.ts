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
import { cliProject, pulumi } from "./approaches";
import { BENCH_DIR, assertRolledOut, assertTornDown, load1, timed } from "./compare";
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
  /** Where a no-change `pulumi preview` of the JavaScript program spends its time, with --refresh and plain (--refresh=false; one traced run each). */
  previewPhases: { variant: string; load: number; marks: { at: number; what: string }[] }[];
  /** What the provider itself pays per server, in a fresh Node (ms, medians): mysql2's first load, opening a connection, reading the server's identity, one observation. */
  connectionMs: Record<string, number[]>;
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
  const previewPhases = [];
  await pulumi(js, ["up", "--yes"]);
  for (const [variant, args] of [
    ["--refresh (as refresh: always ran it)", ["--refresh"]],
    ["--refresh=false", ["--refresh=false"]],
  ] as const) {
    previewPhases.push({ variant, load: load1(), marks: await tracedPreview(js, [...args]) });
  }
  await pulumi(js, ["destroy", "--yes"]);
  const connectionMs: Record<string, number[]> = {};
  for (let i = 0; i < runs; i++) for (const [step, ms] of Object.entries(await connectionCosts(topology.source))) (connectionMs[step] ??= []).push(ms);
  return { rows, requireMs, previewPhases, connectionMs };
}

/**
 * A no-change preview with the engine's debug log (-v=9, which slows it somewhat), reduced to the
 * moments that matter: plugin launches, the refresh's reads, the program's first registrations,
 * the dynamic resources' registrations, the program's exit. Seconds from the first log line.
 */
async function tracedPreview(project: CliProject, args: string[]): Promise<{ at: number; what: string }[]> {
  const { output } = await pulumi(project, ["preview", "--expect-no-changes", ...args, "-v=9", "--logtostderr", "--logflow"]);
  const marks: { at: number; what: string }[] = [];
  let start: number | undefined;
  const patterns: [RegExp, (m: RegExpMatchArray) => string][] = [
    [/^newPlugin\(\): Launching plugin '([^']+)'/, (m) => `engine launches plugin ${m[1]}`],
    [/^Provider\[[^\]]+\]\.Read\(([^,]+),[^)]*\) (executing|success)/, (m) => `provider read ${m[1].replace(/^mysql:\/\//, "")} ${m[2] === "success" ? "done" : "starts"}`],
    [/^Provider\[[^\]]+\]\.Configure\(\) executing/, () => "provider configured"],
    [/^ResourceMonitor\.RegisterResource received: t=([^,]+), name=([^,]+)/, (m) => `program registers ${m[1].replace("pulumi-nodejs:dynamic/", "")} ${m[2]}`],
    [/^Program exited/, () => "program exits"],
    [/^\*\*\* Update\(preview=true\) complete/, () => "preview complete"],
  ];
  for (const line of output.split("\n")) {
    // The progress display shares the stream: a log entry may follow "@ previewing update...." on its line.
    const json = line.indexOf('{"time"');
    if (json < 0) continue;
    let entry: { time?: string; msg?: string };
    try {
      entry = JSON.parse(line.slice(json));
    } catch {
      continue;
    }
    if (!entry.time || !entry.msg) continue;
    const at = Date.parse(entry.time) / 1000;
    start ??= at;
    for (const [pattern, describe] of patterns) {
      const match = entry.msg.match(pattern);
      if (match) marks.push({ at: at - start, what: describe(match) });
    }
  }
  return marks;
}

/** The provider's per-server costs in a fresh Node, as its first resource on a server pays them, then warm (medians of 20). */
async function connectionCosts(server: { host: string; port: number; user: string; password: string }): Promise<Record<string, number>> {
  const dist = path.join(REPO_ROOT, "dist", "provider");
  const script = `
    const t = () => performance.now();
    const target = JSON.parse(process.env.BENCH_SERVER);
    const settings = { host: target.host, port: target.port, user: target.user, connectTimeoutMs: 5000, statementTimeoutMs: 5000 };
    let t0 = t(); require("mysql2/promise"); const out = { "require mysql2": t() - t0 };
    const { withSession } = require(${JSON.stringify(path.join(dist, "sql", "connection.js"))});
    const { readFacts, observe } = require(${JSON.stringify(path.join(dist, "sql", "observe.js"))});
    const { detectFlavor } = require(${JSON.stringify(path.join(dist, "flavors", "detect.js"))});
    const warm = { open: [], identity: [], observe: [], close: [] };
    (async () => {
      for (let i = 0; i < 21; i++) {
        let t1, t2, t3; const t0 = t();
        await withSession(settings, target.password, async (session) => {
          t1 = t(); const facts = await readFacts(session); const d = detectFlavor(facts);
          t2 = t(); await observe(session, d.flavor, facts, { channels: true }); t3 = t();
        });
        const t4 = t();
        if (i === 0) out["first connection in the process"] = t1 - t0;
        else { warm.open.push(t1 - t0); warm.identity.push(t2 - t1); warm.observe.push(t3 - t2); warm.close.push(t4 - t3); }
      }
      const med = (a) => a.sort((x, y) => x - y)[a.length >> 1];
      out["open a connection"] = med(warm.open);
      out["read identity + detect flavor"] = med(warm.identity);
      out["one observation (4-5 statements)"] = med(warm.observe);
      out["close"] = med(warm.close);
      process.stdout.write(JSON.stringify(out));
    })();`;
  const { output } = await run(process.execPath, ["-e", script], { cwd: REPO_ROOT, env: { ...process.env, BENCH_SERVER: JSON.stringify(server) } });
  return JSON.parse(output);
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
  console.log("\nThe provider's own cost per server (fresh Node, ms, medians): what sharing one connection and one flavor detection per server would save\n");
  console.log("| step | ms |");
  console.log("|---|---:|");
  for (const [step, values] of Object.entries(report.connectionMs)) console.log(`| ${step} | ${median(values).toFixed(1)} |`);
  for (const phase of report.previewPhases) {
    console.log(`\nNo-change \`pulumi preview\` of the JavaScript program, ${phase.variant}, traced with -v=9 (load ${phase.load})\n`);
    console.log("| s | event |");
    console.log("|---:|---|");
    for (const mark of phase.marks) console.log(`| ${mark.at.toFixed(2)} | ${mark.what} |`);
  }
}
