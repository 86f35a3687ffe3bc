// Benchmarks, never part of the tests. Phases (all by default; `npm run bench -- --only compare`):
//   compare  rollout/teardown wall time and worst commit: the TypeScript example and a JavaScript
//            program through the Pulumi CLI, the same topology in YAML, Python and Go on the native
//            plugin (bench/languages.ts), the mysql2 floor, the Ansible play (bench/compare.ts)
//   profile  where the time of the TypeScript example's `pulumi up` goes (bench/profile.ts)
//   sigint   what an ignored SIGINT costs a `pulumi preview`, and that the bench's children are clean
//   latency  commit latency on a live source while semisync is rolled out, changed and torn down, for
//            SemisyncReplication (Automation API) and for the MySQL manual's order run as plain SQL
//   scaling  wall time of `up` and `destroy` for 1, 2 and 4 replicas (Automation API)
//   fleet    K clusters in one stack from the packed tarball: up, preview, refresh, destroy, state
//            bytes per resource (bench/fleet.ts)
//   role-flip the up after a real failover, failoverReady vs a naive edit: wall time, commit latency
//            on the new source, plugin changes, the demoted source's timeouts (bench/role-flip.ts)
// Options: --replicas 1,4 (compare), --runs 5 (compare, profile, sigint; medians), --clusters 1,4,8 (fleet). Prints tables and writes JSON to
// bench/results/.
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { Stack } from "@pulumi/pulumi/automation";
import { SemisyncReplication } from "../provider";
import { CommitSample, CommitWriter, maxLatency, percentile, startCommitWriter } from "../tests/support/commit-writer";
import { REPO_ROOT, inlineStack } from "../tests/support/pulumi-workspace";
import { requireLane } from "../tests/testbed/lanes";
import { Server, Topology, startTopology } from "../tests/testbed/topology";
import { FleetRow, fleet, printFleet } from "./fleet";
import { ProfileReport, printProfile, profile } from "./profile";
import { RoleFlipRow, printRoleFlip, roleFlip } from "./role-flip";
import { CompareReport, SigintReport, compare, printCompare, printSigint, sigintTrap } from "./compare";

const PHASES = ["compare", "profile", "sigint", "latency", "scaling", "fleet", "role-flip"] as const;
type Phase = (typeof PHASES)[number];

interface Options {
  phases: Phase[];
  replicaCounts: number[];
  runs: number;
  clusterCounts: number[];
}

function parseArgs(argv: string[]): Options {
  const options: Options = { phases: [...PHASES], replicaCounts: [1, 4], runs: 5, clusterCounts: [1, 4, 8] };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    const list = () => (value ?? "").split(",").filter(Boolean);
    switch (argv[i]) {
      case "--only":
        options.phases = list() as Phase[];
        for (const phase of options.phases) if (!PHASES.includes(phase)) throw new Error(`unknown phase '${phase}' (${PHASES.join(", ")})`);
        i++;
        break;
      case "--replicas":
        options.replicaCounts = list().map(Number);
        if (options.replicaCounts.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--replicas takes counts like 1,4, not '${value}'`);
        i++;
        break;
      case "--clusters":
        options.clusterCounts = list().map(Number);
        if (options.clusterCounts.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--clusters takes counts like 1,4,8, not '${value}'`);
        i++;
        break;
      case "--runs":
        options.runs = Number(value);
        if (!Number.isInteger(options.runs) || options.runs < 1) throw new Error(`--runs takes a count, not '${value}'`);
        i++;
        break;
      default:
        throw new Error(`unknown argument '${argv[i]}' (--only ${PHASES.join(",")}; --replicas 1,4; --runs 5; --clusters 1,4,8)`);
    }
  }
  return options;
}

interface PhaseResult {
  approach: string;
  phase: string;
  commits: number;
  maxMs: number;
  p99Ms: number;
  wallMs: number;
}

// Longer than the default 10 s semisync timeout: the pace of a person following the manual.
const HUMAN_PAUSE_MS = 12_000;

const WRITER_PAUSE_MS = 10;

const log = (text: string) => process.stderr.write(`[bench] ${text}\n`);

async function measure(writer: CommitWriter, approach: string, phase: string, work: () => Promise<unknown>): Promise<PhaseResult> {
  writer.take();
  const started = performance.now();
  await work();
  const wallMs = performance.now() - started;
  // A commit stalled by the phase may still be waiting: count it.
  await writer.settle();
  const samples: CommitSample[] = writer.take();
  const result = { approach, phase, commits: samples.length, maxMs: maxLatency(samples), p99Ms: percentile(samples, 99), wallMs };
  log(`${approach} ${phase}: ${result.commits} commits, max ${result.maxMs.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms, ${(wallMs / 1000).toFixed(1)} s`);
  return result;
}

function componentStack(topology: Topology) {
  return inlineStack("semisync-bench", async () => {
    const config = new pulumi.Config();
    const password = config.requireSecret("adminPassword");
    const count = config.requireNumber("replicaCount");
    const conn = (s: Server) => ({ host: s.host, port: s.port, user: s.user, password });
    const replication = new SemisyncReplication("bench", {
      source: conn(topology.source),
      replicas: topology.replicas.slice(0, count).map((r) => ({ ...conn(r), name: r.name })),
      traceLevel: config.getNumber("traceLevel"),
    });
    return { clients: replication.sourceClients };
  });
}

/**
 * The manual's steps in its order, as plain SQL: source switched on first; replicas torn down
 * first. `pauseMs` is the time between the source's step and the replicas' (a person or a
 * per-host playbook moving on to the next host); 0 runs them back to back.
 */
async function naiveUp(topology: Topology, replicas: Server[], pauseMs: number) {
  await topology.source.query("INSTALL PLUGIN rpl_semi_sync_source SONAME 'semisync_source.so'");
  await topology.source.query("SET GLOBAL rpl_semi_sync_source_enabled = 1");
  await new Promise((resolve) => setTimeout(resolve, pauseMs));
  for (const replica of replicas) {
    await replica.query("INSTALL PLUGIN rpl_semi_sync_replica SONAME 'semisync_replica.so'");
    await replica.query("SET GLOBAL rpl_semi_sync_replica_enabled = 1");
    await replica.query("STOP REPLICA IO_THREAD");
    await replica.query("START REPLICA IO_THREAD");
  }
}

async function naiveDestroy(topology: Topology, replicas: Server[], pauseMs: number) {
  for (const replica of replicas) {
    await replica.query("SET GLOBAL rpl_semi_sync_replica_enabled = 0");
    await replica.query("STOP REPLICA IO_THREAD");
    await replica.query("START REPLICA IO_THREAD");
    await replica.query("UNINSTALL PLUGIN rpl_semi_sync_replica");
  }
  await new Promise((resolve) => setTimeout(resolve, pauseMs));
  await topology.source.query("SET GLOBAL rpl_semi_sync_source_enabled = 0");
  await topology.source.query("UNINSTALL PLUGIN rpl_semi_sync_source");
}

async function setReplicaCount(stack: Stack, count: number) {
  await stack.setConfig("replicaCount", { value: String(count) });
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const has = (phase: Phase) => options.phases.includes(phase);
  const lane = requireLane("mysql");
  const replicaCount = Math.max(has("latency") || has("scaling") ? 4 : 0, has("profile") ? 1 : 0, ...(has("compare") ? options.replicaCounts : [0]));
  let topology: Topology | undefined;
  if (replicaCount > 0) {
    log(`starting ${lane.name}: a source and ${replicaCount} replica(s)`);
    // No fsync per commit: on a VM disk fsync alone takes up to ~200 ms now and then, and the semisync
    // wait this benchmark is about does not depend on it.
    topology = await startTopology(lane, { replicas: replicaCount, serverOptions: ["--innodb-flush-log-at-trx-commit=2", "--sync-binlog=0"] });
    // A bench stopped with Ctrl-C or `kill` still removes its servers.
    const started = topology;
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void started.stop().finally(() => process.exit(130)));
  }
  const results: PhaseResult[] = [];
  const wallTimes: { replicas: number; upMs: number; destroyMs: number }[] = [];
  let compared: CompareReport | undefined;
  let sigint: SigintReport | undefined;
  let profiled: ProfileReport | undefined;
  let fleetRows: FleetRow[] | undefined;
  let roleFlipRows: RoleFlipRow[] | undefined;
  let writer: CommitWriter | undefined;
  try {
    if (has("sigint")) sigint = await sigintTrap(options.runs);
    if (topology && has("compare")) {
      writer = await startCommitWriter(topology.source, { pauseMs: WRITER_PAUSE_MS });
      compared = await compare(topology, writer, options);
      await writer.stop();
      writer = undefined;
    }
    if (topology && has("profile")) {
      writer = await startCommitWriter(topology.source, { pauseMs: WRITER_PAUSE_MS });
      profiled = await profile(topology, writer, options.runs);
      await writer.stop();
      writer = undefined;
    }
    if (topology && has("latency")) {
      // ~100 commits a second: continuous, without saturating the 2 cores that also run 5 servers
      // and the engine (back to back, the idle machine itself shows ~200 ms hiccups).
      writer = await startCommitWriter(topology.source, { pauseMs: WRITER_PAUSE_MS });
      results.push(...(await latencyPhase(topology, writer)));
      await writer.stop();
      writer = undefined;
    }
    if (topology && has("scaling")) wallTimes.push(...(await scalingPhase(topology)));
    // Its own topologies: stop the shared one first, the machine has two cores.
    if (has("fleet")) {
      await topology?.stop();
      fleetRows = await fleet(lane, options.clusterCounts);
    }
    // Its own topologies too (a failover changes the roles): after the shared one is stopped.
    if (has("role-flip")) {
      await topology?.stop();
      roleFlipRows = await roleFlip(lane);
    }
  } finally {
    await writer?.stop();
    await topology?.stop();
  }

  if (compared) printCompare(compared, options.runs);
  if (profiled) printProfile(profiled, options.runs);
  if (sigint) printSigint(sigint);
  if (fleetRows) printFleet(fleetRows);
  if (roleFlipRows) printRoleFlip(roleFlipRows);
  if (results.length) {
    console.log("\nCommit latency on the source, per phase (2 replicas, default 10 s semisync timeout)\n");
    console.log("| approach | phase | commits | max ms | p99 ms | phase wall s |");
    console.log("|---|---|---:|---:|---:|---:|");
    for (const r of results) console.log(`| ${r.approach} | ${r.phase} | ${r.commits} | ${r.maxMs.toFixed(1)} | ${r.p99Ms.toFixed(1)} | ${(r.wallMs / 1000).toFixed(1)} |`);
  }
  if (wallTimes.length) {
    console.log("\nSemisyncReplication wall time through the Pulumi engine\n");
    console.log("| replicas | up s | destroy s | up vs 1 replica |");
    console.log("|---:|---:|---:|---:|");
    for (const w of wallTimes) console.log(`| ${w.replicas} | ${(w.upMs / 1000).toFixed(1)} | ${(w.destroyMs / 1000).toFixed(1)} | ${(w.upMs / wallTimes[0].upMs).toFixed(2)}x |`);
  }

  const dir = path.join(REPO_ROOT, "bench", "results");
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `bench-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  fs.writeFileSync(file, JSON.stringify({ lane: lane.name, image: lane.image, options, compare: compared, profile: profiled, sigint, fleet: fleetRows, roleFlip: roleFlipRows, latency: results, wallTimes }, null, 2));
  console.log(`\nJSON: ${path.relative(REPO_ROOT, file)}`);
}

/** Commit latency per phase: the component (Automation API) and the manual's order as plain SQL. */
async function latencyPhase(topology: Topology, writer: CommitWriter): Promise<PhaseResult[]> {
  const results: PhaseResult[] = [];
  const { stack } = await componentStack(topology);
  await stack.setConfig("adminPassword", { value: topology.source.password, secret: true });
  const two = topology.replicas.slice(0, 2);
  results.push(await measure(writer, "baseline", "idle 5 s", () => new Promise((resolve) => setTimeout(resolve, 5_000))));
  await setReplicaCount(stack, 2);
  results.push(await measure(writer, "SemisyncReplication", "up", () => stack.up()));
  // The engine's own load on this machine, with no semisync statement at all.
  results.push(await measure(writer, "baseline", "pulumi up, no change", () => stack.up()));
  await stack.setConfig("traceLevel", { value: "48" });
  results.push(await measure(writer, "SemisyncReplication", "update", () => stack.up()));
  results.push(await measure(writer, "SemisyncReplication", "destroy", () => stack.destroy()));
  await stack.removeConfig("traceLevel");

  for (const pauseMs of [0, HUMAN_PAUSE_MS]) {
    const approach = pauseMs ? `manual order, SQL, ${pauseMs / 1000} s between hosts` : "manual order, SQL, back to back";
    results.push(await measure(writer, approach, "up", () => naiveUp(topology, two, pauseMs)));
    results.push(await measure(writer, approach, "update", () => topology.source.query("SET GLOBAL rpl_semi_sync_source_trace_level = 48")));
    results.push(await measure(writer, approach, "destroy", () => naiveDestroy(topology, two, pauseMs)));
  }
  return results;
}

/** `up` and `destroy` wall time for 1, 2 and 4 replicas (Automation API, inline program). */
async function scalingPhase(topology: Topology): Promise<{ replicas: number; upMs: number; destroyMs: number }[]> {
  const wallTimes: { replicas: number; upMs: number; destroyMs: number }[] = [];
  const { stack } = await componentStack(topology);
  await stack.setConfig("adminPassword", { value: topology.source.password, secret: true });
  for (const count of [1, 2, 4]) {
    await setReplicaCount(stack, count);
    const up = performance.now();
    await stack.up();
    const upMs = performance.now() - up;
    const down = performance.now();
    await stack.destroy();
    wallTimes.push({ replicas: count, upMs, destroyMs: performance.now() - down });
    log(`${count} replica(s): up ${(upMs / 1000).toFixed(1)} s, destroy ${((performance.now() - down) / 1000).toFixed(1)} s`);
  }
  return wallTimes;
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
