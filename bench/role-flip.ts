// The role flip after a real failover (issue 10, item 2): a source and 2 replicas named db1..db3,
// deployed with SemisyncReplication; then an orchestrator-style failover to db2
// (tests/testbed/failover.ts), the program's `source` changed to db2, and the `up` that follows
// measured with a paced writer on the new source. Four rows, each on a fresh topology:
//   - failoverReady: true   both plugins on every member, the flip is in-place updates;
//   - a naive edit          the same program without failoverReady, as a user would first write it;
// each with the old source's writes stopped by super_read_only and by read_only alone
// (orchestrator's default), because MySQL refuses (UN)INSTALL PLUGIN under the first.
// Besides the writer, it reads what the issue reports for the naive edit: the resource changes of
// the up, plugins installed or uninstalled, the new source's semisync status right after the up,
// and on the demoted source the source-side timeouts (`Rpl_semi_sync_source_no_times`) and the
// worst apply lag of its replication applier between the failover and the end of the up.
import * as pulumi from "@pulumi/pulumi";
import { SemisyncReplication } from "../provider";
import { CommitSample, maxLatency, percentile, startCommitWriter } from "../tests/support/commit-writer";
import { inlineStack } from "../tests/support/pulumi-workspace";
import { installedPlugins, semisyncStatus } from "../tests/support/server-probes";
import { PromoteOptions, promote } from "../tests/testbed/failover";
import { Lane } from "../tests/testbed/lanes";
import { sleep } from "../tests/testbed/sql-client";
import { Server, Topology, startTopology } from "../tests/testbed/topology";

const log = (text: string) => process.stderr.write(`[bench] ${text}\n`);

type StopWrites = NonNullable<PromoteOptions["stopWrites"]>;

const WRITER_PAUSE_MS = 10;
const LAG_SAMPLE_MS = 100;

export interface RoleFlipRow {
  approach: string;
  /** The `up` after the failover and the config change, with its refresh. */
  upMs: number;
  /** Its error, when it failed. */
  upError?: string;
  commits: number;
  maxMs: number;
  p99Ms: number;
  /** The up's resource changes by operation (Pulumi's summary), e.g. { update: 4, same: 9 }. */
  changes: Record<string, number>;
  /** Plugins the up installed and uninstalled, as `member: plugin`. */
  installed: string[];
  uninstalled: string[];
  /** `Rpl_semi_sync_source_status` and `_clients` on the new source right after the up. */
  newSourceStatus: string;
  newSourceClients: string;
  /** Source-side timeouts on the demoted source between the failover and the end of the up. */
  demotedTimeouts: number;
  /** Worst time between a transaction's commit on the new source and its apply on the demoted one. */
  demotedMaxApplyLagMs: number;
  /** The changes of a second `up`: empty when the first one converged. */
  secondUpChanges: Record<string, number>;
  secondUpError?: string;
}

const memberName = (index: number) => `db${index + 1}`;

/** The engine's error line of a failed `up`, not the CLI's whole transcript. */
function errorLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const line = message.split("\n").find((text) => /\berror:/i.test(text) && !/^\s*error: update failed/i.test(text)) ?? message;
  return line
    .replace(/^.*?error: /i, "")
    .trim()
    .slice(0, 200);
}

/** Waits (bounded) until `replica` has applied everything `source` has executed. */
async function caughtUp(replica: Server, source: Server, timeoutS: number): Promise<boolean> {
  const [{ gtids }] = await source.query("SELECT @@GLOBAL.gtid_executed AS gtids");
  const [{ r }] = await replica.query("SELECT WAIT_FOR_EXECUTED_GTID_SET(?, ?) AS r", [gtids, timeoutS]);
  return Number(r) === 0;
}

function program(members: Server[]) {
  return async () => {
    const config = new pulumi.Config();
    const password = config.requireSecret("adminPassword");
    const sourceName = config.require("source");
    const named = members.map((server, index) => ({ name: memberName(index), host: server.host, port: server.port, user: server.user, password }));
    const replication = new SemisyncReplication("semisync", {
      failoverReady: config.requireBoolean("failoverReady"),
      source: named.find((member) => member.name === sourceName)!,
      replicas: named.filter((member) => member.name !== sourceName),
    });
    return { sourceStatus: replication.sourceStatus, sourceClients: replication.sourceClients };
  };
}

async function pluginsByMember(members: Server[]): Promise<string[]> {
  const lists = await Promise.all(members.map(async (member, index) => (await installedPlugins(member)).map((plugin) => `${memberName(index)}: ${plugin}`)));
  return lists.flat();
}

/**
 * Samples, until stopped, how far the replication applier of `replica` is behind: the last applied
 * transaction's apply end minus its original commit, and for one being applied, now minus its
 * original commit (a commit waiting on the semisync timeout shows here while it waits); and its
 * source-side timeouts (`Rpl_semi_sync_source_no_times`, gone with the plugin once uninstalled).
 */
function demotedSourceSampler(replica: Server): { stop(): Promise<{ worstLagMs: number; timeouts: number }> } {
  let running = true;
  let worstUs = 0;
  let firstTimeouts: number | undefined;
  let lastTimeouts = 0;
  const loop = (async () => {
    while (running) {
      try {
        const timeouts = (await semisyncStatus(replica)).Rpl_semi_sync_source_no_times;
        if (timeouts !== undefined) {
          firstTimeouts ??= Number(timeouts);
          lastTimeouts = Number(timeouts);
        }
        const [row] = await replica.query(
          `SELECT MAX(IF(LAST_APPLIED_TRANSACTION <> '', TIMESTAMPDIFF(MICROSECOND, LAST_APPLIED_TRANSACTION_ORIGINAL_COMMIT_TIMESTAMP, LAST_APPLIED_TRANSACTION_END_APPLY_TIMESTAMP), 0)) AS applied,
                  MAX(IF(APPLYING_TRANSACTION <> '', TIMESTAMPDIFF(MICROSECOND, APPLYING_TRANSACTION_ORIGINAL_COMMIT_TIMESTAMP, NOW(6)), 0)) AS applying
             FROM performance_schema.replication_applier_status_by_worker`,
        );
        worstUs = Math.max(worstUs, Number(row?.applied ?? 0), Number(row?.applying ?? 0));
      } catch {
        // A sample lost to load is not a finding; the next one reads the same columns.
      }
      await sleep(LAG_SAMPLE_MS);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { worstLagMs: worstUs / 1000, timeouts: lastTimeouts - (firstTimeouts ?? lastTimeouts) };
    },
  };
}

async function flip(lane: Lane, failoverReady: boolean, stopWrites: StopWrites): Promise<RoleFlipRow> {
  const approach = `${failoverReady ? "failoverReady: true" : "naive edit (no failoverReady)"}, old source ${stopWrites}`;
  log(`role-flip, ${approach}: starting ${lane.name}, a source and 2 replicas`);
  // No fsync per commit, as the other phases: the semisync wait is the subject, not the VM disk.
  const topology: Topology = await startTopology(lane, { replicas: 2, serverOptions: ["--innodb-flush-log-at-trx-commit=2", "--sync-binlog=0"] });
  const members = [topology.source, ...topology.replicas];
  const { stack } = await inlineStack("semisync-role-flip", program(members), { refresh: "always" });
  try {
    await stack.setConfig("adminPassword", { value: topology.source.password, secret: true });
    await stack.setConfig("failoverReady", { value: String(failoverReady) });
    await stack.setConfig("source", { value: memberName(0) });
    await stack.up();

    const pluginsBefore = await pluginsByMember(members);
    const sampler = demotedSourceSampler(topology.source);
    const failedOver = await promote(topology, 0, { stopWrites });
    await stack.setConfig("source", { value: memberName(1) });

    const writer = await startCommitWriter(failedOver.source, { pauseMs: WRITER_PAUSE_MS });
    let changes: Record<string, number> = {};
    let upError: string | undefined;
    const started = performance.now();
    try {
      changes = (await stack.up()).summary.resourceChanges ?? {};
    } catch (error) {
      upError = errorLine(error);
    }
    const upMs = performance.now() - started;
    await writer.settle();
    const samples: CommitSample[] = await writer.stop();
    const status = await semisyncStatus(failedOver.source);
    // A commit of the demoted source's applier may still be waiting out the timeout: sample on
    // until it has applied everything, so the wait is seen whole.
    if (!(await caughtUp(topology.source, failedOver.source, 60))) log(`role-flip, ${approach}: the demoted source did not catch up within 60 s`);
    const demoted = await sampler.stop();
    const pluginsAfter = await pluginsByMember(members);

    let secondUpChanges: Record<string, number> = {};
    let secondUpError: string | undefined;
    try {
      secondUpChanges = (await stack.up()).summary.resourceChanges ?? {};
    } catch (error) {
      secondUpError = errorLine(error);
    }
    const row: RoleFlipRow = {
      approach,
      upMs,
      upError,
      commits: samples.length,
      maxMs: maxLatency(samples),
      p99Ms: percentile(samples, 99),
      changes,
      installed: pluginsAfter.filter((plugin) => !pluginsBefore.includes(plugin)),
      uninstalled: pluginsBefore.filter((plugin) => !pluginsAfter.includes(plugin)),
      newSourceStatus: status.Rpl_semi_sync_source_status ?? "absent",
      newSourceClients: status.Rpl_semi_sync_source_clients ?? "absent",
      demotedTimeouts: demoted.timeouts,
      demotedMaxApplyLagMs: demoted.worstLagMs,
      secondUpChanges: Object.fromEntries(Object.entries(secondUpChanges).filter(([op]) => op !== "same")),
      secondUpError,
    };
    log(`role-flip, ${approach}: up ${(upMs / 1000).toFixed(1)} s, ${row.commits} commits, max ${row.maxMs.toFixed(1)} ms, p99 ${row.p99Ms.toFixed(1)} ms` + (upError ? `, up failed: ${upError}` : ""));
    return row;
  } finally {
    // UNINSTALL PLUGIN on the demoted source is refused under super_read_only (error 1290).
    await topology.source.query("SET GLOBAL super_read_only = OFF").catch(() => undefined);
    await stack.destroy().catch((error: unknown) => log(`role-flip, ${approach}: destroy failed: ${errorLine(error)}`));
    await topology.stop();
  }
}

/**
 * Each approach with the old source's writes stopped both ways orchestrators do it: MySQL refuses
 * INSTALL and UNINSTALL PLUGIN under super_read_only, and read_only is orchestrator's default.
 */
export async function roleFlip(lane: Lane): Promise<RoleFlipRow[]> {
  const rows: RoleFlipRow[] = [];
  for (const stopWrites of ["super_read_only", "read_only"] as const) {
    for (const failoverReady of [true, false]) rows.push(await flip(lane, failoverReady, stopWrites));
  }
  return rows;
}

const summary = (changes: Record<string, number>) =>
  Object.entries(changes)
    .filter(([op]) => op !== "same")
    .map(([op, n]) => `${op} ${n}`)
    .join(", ") || "none";

export function printRoleFlip(rows: RoleFlipRow[]): void {
  console.log("\nRole flip: the up (with refresh) after a real failover to db2, 1 source + 2 replicas, MySQL, writer on the new source every 10 ms\n");
  console.log("| approach | up s | commits | max ms | p99 ms | resource changes | plugins installed / uninstalled | new source after up | demoted source: timeouts, worst apply lag s | second up |");
  console.log("|---|---:|---:|---:|---:|---|---|---|---|---|");
  for (const r of rows) {
    const plugins = `${r.installed.join("; ") || "none"} / ${r.uninstalled.join("; ") || "none"}`;
    console.log(
      `| ${r.approach} | ${(r.upMs / 1000).toFixed(1)}${r.upError ? " (failed*)" : ""} | ${r.commits} | ${r.maxMs.toFixed(1)} | ${r.p99Ms.toFixed(1)} | ${summary(r.changes)} | ${plugins} | ` +
        `status ${r.newSourceStatus}, ${r.newSourceClients} clients | ${r.demotedTimeouts}, ${(r.demotedMaxApplyLagMs / 1000).toFixed(1)} | ${r.secondUpError ? "failed*" : summary(r.secondUpChanges)} |`,
    );
  }
  for (const r of rows.filter((row) => row.upError || row.secondUpError)) {
    console.log(`\n* ${r.approach}: ${r.upError ?? "the first up passed"}${r.secondUpError && r.secondUpError !== r.upError ? `; second up: ${r.secondUpError}` : ""}`);
  }
}
