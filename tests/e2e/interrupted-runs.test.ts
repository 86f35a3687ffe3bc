import * as assert from "node:assert/strict";
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as os from "node:os";
import { CliProject, pulumiCli, withBackend } from "../../examples/demo/pulumi-cli";
import { maxLatency, startCommitWriter } from "../support/commit-writer";
import { installedPlugins, semisyncVariables } from "../support/server-probes";
import { lanes } from "../testbed/lanes";
import { Server, Topology, startTopology } from "../testbed/topology";

const STALL_THRESHOLD_MS = 1_000;

type Interrupt = "SIGINT" | "SIGKILL of pulumi alone" | "SIGKILL of the whole tree";

/** Every process below `pid` (children first found through /proc), for killing a whole tree. */
function descendants(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name may hold spaces and parentheses: the fields after the last ")".
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const [child, ppid] of parents) {
      if (ppid === parent && !found.includes(child)) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return found;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a server has of semisync that a deployment may change: plugins and `rpl_semi_sync_*` variables. */
async function semisyncState(servers: Server[]): Promise<string> {
  return JSON.stringify(await Promise.all(servers.map(async (s) => [s.name, await installedPlugins(s), await semisyncVariables(s)])));
}

/**
 * Runs `pulumi <args>` in the project and interrupts it once `point` holds on the servers (polled
 * every 10 ms). Returns after pulumi has exited and, for a SIGKILL of pulumi alone, after the
 * orphaned language and provider hosts have finished what was in flight (they are then killed).
 */
async function interrupted(project: CliProject, args: string[], interrupt: Interrupt, point: () => Promise<boolean>, settledState: () => Promise<string>): Promise<string> {
  const child: ChildProcess = spawn("pulumi", [...args, "--yes", "--non-interactive"], { cwd: project.dir, env: project.env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
  let running = true;
  void exited.then(() => (running = false));
  const deadline = Date.now() + 120_000;
  while (running && Date.now() < deadline && !(await point().catch(() => false))) await sleep(10);
  assert.ok(running, `pulumi ${args[0]} finished before the interrupt point was reached:\n${output.slice(-3000)}`);
  const pid = child.pid!;
  const tree = descendants(pid);
  if (interrupt === "SIGINT") {
    process.kill(pid, "SIGINT");
  } else if (interrupt === "SIGKILL of pulumi alone") {
    process.kill(pid, "SIGKILL");
  } else {
    for (const p of [pid, ...tree]) {
      try {
        process.kill(p, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
  await exited;
  if (interrupt === "SIGKILL of pulumi alone") {
    // The orphaned hosts finish the operations in flight: wait (bounded) until the servers have
    // been still for 3 s, then end the orphans, which have nothing left to do.
    const until = Date.now() + 60_000;
    let last = await settledState();
    let stillSince = Date.now();
    while (Date.now() < until && Date.now() - stillSince < 3_000) {
      await sleep(500);
      const now = await settledState();
      if (now !== last) stillSince = Date.now();
      last = now;
    }
    for (const p of tree.filter(alive)) process.kill(p, "SIGKILL");
  }
  return output;
}

/**
 * A JavaScript project (no TypeScript to compile on every run, so an interrupt lands on the
 * provider's work rather than on the compiler) with the component over the test bed's servers.
 */
async function project(topology: Topology): Promise<CliProject> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "semisync-interrupts-"));
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: semisync-interrupts\nruntime: nodejs\n");
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "semisync-interrupts", private: true, main: "index.js" }));
  fs.writeFileSync(
    path.join(dir, "index.js"),
    `const pulumi = require("@pulumi/pulumi");
const { SemisyncReplication } = require("pulumi-mysql-semisync");
const config = new pulumi.Config();
const servers = config.requireObject("servers");
const password = config.requireSecret("password");
const connection = (s) => ({ host: s.host, port: s.port, user: s.user, password, name: s.name });
const replication = new SemisyncReplication("semisync", { source: connection(servers[0]), replicas: servers.slice(1).map(connection), timeoutMs: 10000 });
exports.sourceStatus = replication.sourceStatus;
`,
  );
  const cli = withBackend(dir, "semisync-interrupt-tests");
  await pulumiCli(cli, ["stack", "init", "test"]);
  const servers = [topology.source, ...topology.replicas].map((s) => ({ name: s.name, host: s.host, port: s.port, user: s.user }));
  await pulumiCli(cli, ["config", "set", "--path", "servers", JSON.stringify(servers), "--plaintext"]).catch(async () => {
    for (const [i, server] of servers.entries()) {
      for (const [key, value] of Object.entries(server)) await pulumiCli(cli, ["config", "set", "--path", `servers[${i}].${key}`, String(value), "--plaintext"]);
    }
  });
  await pulumiCli(cli, ["config", "set", "password", topology.source.password, "--secret"]);
  return cli;
}

/** The documented recovery (docs/interrupted-runs.md): unlock, drop pending creates, converge. */
async function recover(project: CliProject): Promise<string> {
  let log = "";
  log += await pulumiCli(project, ["cancel", "--yes"]).catch((error: Error) => error.message);
  log += await pulumiCli(project, ["refresh", "--yes", "--clear-pending-creates"]);
  return log;
}

for (const lane of lanes().filter((l, i, all) => all.findIndex((o) => o.family === l.family) === i)) {
  const mysql = lane.family === "mysql";
  const replicaEnabled = mysql ? "rpl_semi_sync_replica_enabled" : "rpl_semi_sync_slave_enabled";
  const sourceEnabled = mysql ? "rpl_semi_sync_source_enabled" : "rpl_semi_sync_master_enabled";

  describe(`interrupted runs end where they began (${lane.name})`, function () {
    let topology: Topology;
    let servers: Server[];

    before(async function () {
      topology = await startTopology(lane, { replicas: 2 });
      servers = [topology.source, ...topology.replicas];
    });

    after(async function () {
      await topology?.stop();
    });

    const installed = async () => (await Promise.all(topology.replicas.map(installedPlugins))).some((p) => p.length > 0);
    const switchedOn = async () => (await Promise.all(topology.replicas.map(semisyncVariables))).some((v) => v[replicaEnabled] === "ON");
    const sourceOff = async () => (await semisyncVariables(topology.source))[sourceEnabled] === "OFF";
    // Each point where the servers show that a create (or delete) is in flight or has just ended.
    const cases: { command: "up" | "destroy"; point: string; reached: () => Promise<boolean>; interrupt: Interrupt }[] = [
      ...(mysql ? [{ command: "up" as const, point: "a replica plugin installed", reached: installed, interrupt: "SIGKILL of pulumi alone" as const }] : []),
      { command: "up", point: "a replica switched on", reached: switchedOn, interrupt: "SIGINT" },
      { command: "up", point: "a replica switched on", reached: switchedOn, interrupt: "SIGKILL of pulumi alone" },
      { command: "up", point: "a replica switched on", reached: switchedOn, interrupt: "SIGKILL of the whole tree" },
      { command: "destroy", point: "the source switched off", reached: sourceOff, interrupt: "SIGKILL of the whole tree" },
    ];

    for (const { command, point: name, reached, interrupt } of cases) {
      const point = { command, name, reached };
      {
        it(`${interrupt} during ${point.command} at "${point.name}": no commit stalls, the documented recovery converges, and destroy leaves every server as before the first up`, async function () {
          const before = await semisyncState(servers);
          const cli = await project(topology);
          const writer = await startCommitWriter(topology.source, { pauseMs: 5 });
          try {
            if (point.command === "destroy") await pulumiCli(cli, ["up", "--yes"]);
            const output = await interrupted(cli, [point.command], interrupt, point.reached, () => semisyncState(servers));
            console.log(`      ${interrupt} at "${point.name}": pulumi said ${JSON.stringify(output.split("\n").filter((l) => /error|warning/.test(l)).slice(0, 2).join(" | ").slice(0, 300))}`);
            console.log((await recover(cli)).split("\n").filter((l) => /pending|cancel|lock|error/i.test(l)).map((l) => `      | ${l.trim().slice(0, 200)}`).join("\n"));
            await pulumiCli(cli, ["up", "--yes"]);
            await pulumiCli(cli, ["destroy", "--yes"]);
            await writer.settle();
          } finally {
            const samples = await writer.stop();
            console.log(`      ${samples.length} commits, max commit ${maxLatency(samples).toFixed(1)} ms`);
            assert.ok(maxLatency(samples) < STALL_THRESHOLD_MS, `a commit waited ${maxLatency(samples).toFixed(0)} ms`);
          }
          assert.equal(await semisyncState(servers), before, "every server is as it was before the first up");
        });
      }
    }
  });
}
