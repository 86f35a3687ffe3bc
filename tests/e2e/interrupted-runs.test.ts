import * as assert from "node:assert/strict";
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as os from "node:os";
import { CliProject, pulumiCli, withBackend } from "../../examples/demo/pulumi-cli";
import { maxLatency, STALL_MS, startCommitWriter } from "../support/commit-writer";
import { installedPlugins, semisyncConfiguration, semisyncStatus, semisyncVariables } from "../support/server-probes";
import { lanes } from "../testbed/lanes";
import { replicationStatus, serverFlavor, startReplicaStatement, stopReplicaStatement, waitForReplicationRunning } from "../testbed/replication";
import { openConnection, sleep, testbedLogin } from "../testbed/sql-client";
import { Server, Topology, startTopology } from "../testbed/topology";

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

/**
 * Runs `pulumi <args>` in the project and interrupts it once `point` holds on the servers (polled
 * every 10 ms), then calls `afterInterrupt` (a held statement is let go there). Returns after
 * pulumi has exited and, for a SIGKILL of pulumi alone, after the orphaned language and provider
 * hosts have finished what was in flight (they are then killed).
 */
async function interrupted(project: CliProject, args: string[], interrupt: Interrupt, point: () => Promise<boolean>, afterInterrupt: () => Promise<void>, settledState: () => Promise<string>): Promise<string> {
  const child: ChildProcess = spawn("pulumi", [...args, "--yes", "--non-interactive"], { cwd: project.dir, env: project.env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
  let running = true;
  void exited.then(() => (running = false));
  const deadline = Date.now() + 300_000;
  while (running && Date.now() < deadline && !(await point().catch(() => false))) await sleep(10);
  assert.ok(running, `pulumi ${args[0]} finished before the interrupt point was reached:\n${output.slice(-3000)}`);
  assert.ok(Date.now() < deadline, `the interrupt point was not reached within 300 s:\n${output.slice(-3000)}`);
  const pid = child.pid!;
  const tree = descendants(pid);
  if (interrupt === "SIGINT") {
    process.kill(pid, "SIGINT");
    // What is held is let go once the engine has taken the signal, so it schedules nothing new.
    const taken = Date.now() + 30_000;
    while (running && Date.now() < taken && !/cancell?ing/i.test(output)) await sleep(10);
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
  if (interrupt !== "SIGINT") await exited;
  await afterInterrupt();
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
// The held installs wait on the servers for as long as the slowest step before the interrupt
// takes on a loaded machine: a statement bound above the test's own bound keeps the default 60 s
// bound from ending the first held install before the second one starts.
const connection = (s) => ({ host: s.host, port: s.port, user: s.user, password, name: s.name, statementTimeoutMs: 600000 });
const replication = new SemisyncReplication("semisync", { source: connection(servers[0]), replicas: servers.slice(1).map(connection), timeoutMs: 10000 });
exports.sourceStatus = replication.sourceStatus;
`,
  );
  const cli = withBackend(dir, "semisync-interrupt-tests");
  await pulumiCli(cli, ["stack", "init", "test"]);
  const servers = [topology.source, ...topology.replicas].map((s) => ({ name: s.name, host: s.host, port: s.port, user: s.user }));
  // A JSON text: config.requireObject parses it.
  await pulumiCli(cli, ["config", "set", "servers", JSON.stringify(servers), "--plaintext"]);
  await pulumiCli(cli, ["config", "set", "password", topology.source.password, "--secret"]);
  return cli;
}

/** The stack's state file in the project's local file backend (`withBackend`). */
const stateFile = (project: CliProject) => path.join(project.backend, ".pulumi", "stacks", "semisync-interrupts", "test.json");

interface PendingCreate {
  type: string;
  port: number;
}

/**
 * The creates the interrupted run started and never recorded the end of: the state's pending
 * operations (what `pulumi stack export` shows under `pending_operations`), read from the local
 * backend's file, which saves a CLI run.
 */
function pendingCreates(project: CliProject): PendingCreate[] {
  const latest = JSON.parse(fs.readFileSync(stateFile(project), "utf8")).checkpoint.latest ?? {};
  return ((latest.pending_operations ?? []) as { type: string; resource: { type: string; inputs?: { connection?: { port?: number } } } }[])
    .filter((op) => op.type === "creating")
    .map((op) => ({ type: op.resource.type, port: Number(op.resource.inputs?.connection?.port) }));
}

/**
 * The documented recovery after a kill (docs/interrupted-runs.md), step by step: the empty
 * sidecars a kill inside a state write leaves (local file backend), `pulumi cancel`, the pending
 * creates read and cleared by `pulumi refresh --clear-pending-creates`, and what such a create
 * may have left on its server undone by hand where the server did not have it before the stack
 * first touched it. Returns what it did, for the log.
 */
async function recoverFromKill(project: CliProject, servers: Server[], before: Map<number, ServerSemisync>): Promise<string[]> {
  const done: string[] = [];
  const emptied = execFileSync("find", [path.join(project.backend, ".pulumi"), "-name", "*.attrs", "-size", "0", "-print", "-delete"], { encoding: "utf8" }).trim();
  if (emptied)
    done.push(
      `removed empty ${emptied
        .split("\n")
        .map((f) => path.basename(f))
        .join(", ")}`,
    );
  const cancelled = await pulumiCli(project, ["cancel", "--yes"]);
  done.push(`pulumi cancel: ${JSON.stringify(cancelled.trim().split("\n").pop()?.slice(0, 120))}`);
  const pending = pendingCreates(project);
  done.push(`${pending.length} pending creates cleared`);
  await pulumiCli(project, ["refresh", "--yes", "--clear-pending-creates"]);
  assert.deepEqual(pendingCreates(project), [], "refresh --clear-pending-creates left no pending create");
  // The order a destroy would take: a side's switch before its plugin.
  for (const kind of ["SemisyncEnablement", "SemisyncPlugin"]) {
    for (const port of new Set(pending.filter((p) => p.type.endsWith(`:${kind}`)).map((p) => p.port))) {
      const server = servers.find((s) => s.port === port);
      assert.ok(server, `a pending create names a server of the test bed (port ${port})`);
      const was = before.get(port)!;
      const now = await serverSemisync(server);
      if (kind === "SemisyncEnablement") {
        if (was.ioStopped === false && now.ioStopped) {
          // The kill landed inside the create's restart of the IO thread, between its stop and its start.
          await server.query(`${startReplicaStatement(await serverFlavor(server))} IO_THREAD`);
          done.push(`${server.name}: IO thread started by hand`);
        }
        for (const [name, value] of Object.entries(now.variables)) {
          if (/_enabled$/.test(name) && value === "ON" && was.variables[name] !== "ON") {
            await server.query(`SET GLOBAL ${name} = OFF`);
            done.push(`${server.name}: ${name} switched OFF by hand`);
          }
        }
      } else {
        for (const plugin of now.plugins.filter((p) => !was.plugins.includes(p))) {
          await server.query(`UNINSTALL PLUGIN ${plugin}`);
          done.push(`${server.name}: ${plugin} uninstalled by hand`);
        }
      }
    }
  }
  return done;
}

interface ServerSemisync {
  plugins: string[];
  variables: Record<string, string>;
  /** Whether the replication IO thread is stopped; undefined on a server that is not a replica. */
  ioStopped?: boolean;
}

async function serverSemisync(server: Server): Promise<ServerSemisync> {
  return { plugins: await installedPlugins(server), variables: await semisyncVariables(server), ioStopped: (await replicationStatus(server))?.ioStopped };
}

/** One line per server: its semisync plugins and which sides are switched on, for the log. */
async function summary(servers: Server[]): Promise<string> {
  const lines = await Promise.all(
    servers.map(async (s) => {
      const { plugins, variables, ioStopped } = await serverSemisync(s);
      const on = Object.entries(variables)
        .filter(([name, value]) => /_enabled$/.test(name) && value === "ON")
        .map(([name]) => name);
      return `${s.name}: plugins [${plugins.join(", ")}], on [${on.join(", ")}]${ioStopped ? ", IO thread stopped" : ""}`;
    }),
  );
  return lines.join("; ");
}

/**
 * A backup's global read lock on each server: `INSTALL PLUGIN` writes mysql.plugin, so the
 * provider's install waits mid-create, on the server, for as long as the test holds it. The
 * point is reached once every server shows the install waiting; letting go waits until no
 * install is left waiting (a statement whose client was killed runs or ends then).
 */
async function heldInstalls(servers: Server[]) {
  const lockers = await Promise.all(servers.map((s) => openConnection(testbedLogin(s), { connectTimeoutMs: 10_000 })));
  for (const locker of lockers) await locker.query("FLUSH TABLES WITH READ LOCK");
  const waiting = async (locker: (typeof lockers)[number]) => {
    const [rows] = await locker.query("SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'INSTALL PLUGIN%'");
    return (rows as unknown[]).length > 0;
  };
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    for (const locker of lockers) await locker.query("UNLOCK TABLES");
    const until = Date.now() + 60_000;
    while (Date.now() < until && (await Promise.all(lockers.map(waiting))).some(Boolean)) await sleep(50);
    for (const locker of lockers) await locker.end().catch(() => locker.destroy());
  };
  return { reached: async () => (await Promise.all(lockers.map(waiting))).every(Boolean), release };
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

    const switchedOn = async () => (await Promise.all(topology.replicas.map(semisyncVariables))).some((v) => v[replicaEnabled] === "ON");
    const sourceOff = async () => (await semisyncVariables(topology.source))[sourceEnabled] === "OFF";
    const nothingHeld: { reached: () => Promise<boolean>; release: () => Promise<void> } = { reached: async () => false, release: async () => {} };

    /**
     * Where each run is interrupted, chosen on the servers. On MySQL, during `up`: both replicas'
     * `INSTALL PLUGIN` held mid-create by a backup's lock, so the kill lands inside those creates
     * whatever the timing, and nothing else is in flight (every switch waits for every plugin, the
     * source's plugin is installed and recorded first). MariaDB builds the plugins in (no
     * install): a replica switched on, inside its create's registration check or just after.
     * During `destroy`: the source switched off.
     */
    const upPoint = mysql ? "both replicas' INSTALL PLUGIN held by a backup's lock" : "a replica switched on";
    const pointOf = (command: "up" | "destroy") => (command === "up" ? upPoint : "the source switched off");
    // Each chain runs on one stack: an interrupted up, its recovery and up, then (where given) an
    // interrupted destroy, its recovery and up; then destroy, and every server is compared with
    // what it was before the chain's first up.
    const chains: { command: "up" | "destroy"; interrupt: Interrupt }[][] = [
      [
        { command: "up", interrupt: "SIGINT" },
        { command: "destroy", interrupt: "SIGINT" },
      ],
      [
        { command: "up", interrupt: "SIGKILL of pulumi alone" },
        { command: "destroy", interrupt: "SIGKILL of pulumi alone" },
      ],
      [
        { command: "up", interrupt: "SIGKILL of the whole tree" },
        { command: "destroy", interrupt: "SIGKILL of the whole tree" },
      ],
    ];

    for (const chain of chains) {
      const title = chain.map(({ command, interrupt }) => `${interrupt} during ${command} at "${pointOf(command)}"`).join(", then ");
      it(`${title}: no commit stalls, the documented recovery converges, and destroy leaves every server as before the first up`, async function () {
        const before = await semisyncConfiguration(topology);
        const beforeByPort = new Map(await Promise.all(servers.map(async (s) => [s.port, await serverSemisync(s)] as const)));
        const cli = await project(topology);
        const writer = await startCommitWriter(topology.source, { pauseMs: 5 });
        let held = nothingHeld;
        const log: string[] = [];
        // Per phase: the slowest commit, and how many commits the source had waited for an
        // acknowledgement by then (its semisync counter), which tells a semisync wait from a busy machine.
        const phase = async (name: string) => {
          const samples = writer.take();
          const slowest = samples.reduce((a, b) => (b.latencyMs > a.latencyMs ? b : a), { at: 0, latencyMs: 0 });
          const acked = (await semisyncStatus(topology.source))[mysql ? "Rpl_semi_sync_source_yes_tx" : "Rpl_semi_sync_master_yes_tx"];
          log.push(`${name}: max commit ${slowest.latencyMs.toFixed(0)} ms (at ${(slowest.at / 1000).toFixed(1)} s), acknowledged commits so far ${acked ?? "-"}`);
        };
        try {
          for (const { command, interrupt } of chain) {
            held = nothingHeld;
            let reached: () => Promise<boolean> = command === "destroy" ? sourceOff : switchedOn;
            if (command === "up" && mysql) {
              held = await heldInstalls(topology.replicas);
              reached = held.reached;
            }
            const output = await interrupted(
              cli,
              [command],
              interrupt,
              reached,
              () => held.release(),
              () => semisyncConfiguration(topology),
            );
            await phase(`${interrupt} during ${command}`);
            log.push(
              `  pulumi said ${JSON.stringify(
                output
                  .split("\n")
                  .filter((l) => /error|warning|cancel/i.test(l))
                  .slice(0, 2)
                  .join(" | ")
                  .slice(0, 200),
              )}`,
            );
            log.push(`  after it: ${await summary(servers)}`);
            if (interrupt === "SIGINT") {
              // The engine ended the run itself: nothing locked, nothing pending; the next run converges.
              const locks = path.join(cli.backend, ".pulumi", "locks");
              const lockFiles = fs.existsSync(locks) ? fs.readdirSync(locks, { recursive: true }).filter((f) => String(f).endsWith(".json")) : [];
              assert.deepEqual(lockFiles, [], "no lock left after SIGINT");
              assert.deepEqual(pendingCreates(cli), [], "no pending create after SIGINT");
            } else {
              if (command === "up" && mysql && interrupt === "SIGKILL of pulumi alone") {
                // The orphaned provider host finished each held install, found its engine gone and undid it.
                for (const replica of topology.replicas) assert.deepEqual(await installedPlugins(replica), [], `${replica.name}: the orphaned create undid its install`);
              }
              if (command === "up" && mysql && interrupt === "SIGKILL of the whole tree") {
                // MySQL runs a statement whose client died while it waited: the gap the docs describe.
                for (const replica of topology.replicas) assert.deepEqual(await installedPlugins(replica), ["rpl_semi_sync_replica"], `${replica.name}: the killed create's install ran, unrecorded`);
              }
              if (command === "up" && interrupt === "SIGKILL of pulumi alone") {
                // What a kill inside the backend's write of the state's sidecar leaves (seen in a run of
                // this test): the sidecar empty, the state file whole. Made here so the recovery's
                // first step is exercised on every run, not only when a kill happens to land there.
                fs.writeFileSync(`${stateFile(cli)}.attrs`, "");
                await assert.rejects(pulumiCli(cli, ["stack", "export"]), /failed to load checkpoint: EOF/);
              }
              if (command === "up" && !mysql && interrupt === "SIGKILL of the whole tree") {
                // What a kill between a replica create's stop and start of its IO thread leaves (seen
                // in a run of this test: the recovery's up then refused that replica). Made here, on a
                // replica whose create is pending, so the recovery's IO-thread step runs every time.
                const replica = topology.replicas.find((r) => pendingCreates(cli).some((p) => p.port === r.port && p.type.endsWith(":SemisyncEnablement")));
                assert.ok(replica, "the kill left a replica's SemisyncEnablement create pending");
                if (!(await replicationStatus(replica))!.ioStopped) await replica.query(`${stopReplicaStatement(await serverFlavor(replica))} IO_THREAD`);
                log.push(`  ${replica.name}: IO thread stopped as a kill inside its restart leaves it`);
              }
              log.push(...(await recoverFromKill(cli, servers, beforeByPort)).map((l) => `  ${l}`));
              await phase("  the recovery");
            }
            await pulumiCli(cli, ["up", "--yes"]);
            await phase("up");
            log.push(`  after it: ${await summary(servers)}`);
          }
          await pulumiCli(cli, ["destroy", "--yes"]);
          await writer.settle();
          await phase("destroy");
        } finally {
          await held.release().catch(() => undefined);
          const samples = await writer.stop();
          log.push(`${samples.length} commits, max commit ${maxLatency(samples).toFixed(1)} ms`);
          console.log(log.map((l) => `      | ${l}`).join("\n"));
          assert.ok(maxLatency(samples) < STALL_MS, `a commit waited ${maxLatency(samples).toFixed(0)} ms (bar ${STALL_MS} ms)`);
        }
        assert.equal(await semisyncConfiguration(topology), before, "every server is as it was before the first up");
        for (const replica of topology.replicas) await waitForReplicationRunning(replica);
      });
    }
  });
}
