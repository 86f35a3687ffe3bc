// The main job: a local MySQL source with two replicas, `pulumi up` of examples/replication-component,
// the semisync status of every server, one commit acknowledged by a replica, then cleanup.
//   npm run demo              everything, then tear down
//   npm run demo -- --keep    leave the topology and the stack running
import { laneByName, requireLane } from "../../tests/testbed/lanes";
import { Server, TESTBED_LABEL, startTopology } from "../../tests/testbed/topology";
import * as path from "node:path";
import { EXAMPLES, REPO_ROOT, configureServers, copyProject, pulumiCli } from "./pulumi-cli";

const PASSPHRASE = "semisync-demo";

const keep = process.argv.includes("--keep");
const step = (text: string) => process.stderr.write(`\n==> ${text}\n`);

async function statusOf(server: Server, pattern: string): Promise<Record<string, string>> {
  const rows = await server.query(`SHOW GLOBAL STATUS LIKE '${pattern}'`);
  return Object.fromEntries(rows.map((r) => [r.Variable_name, r.Value]));
}

async function main(): Promise<void> {
  const lane = process.env.SEMISYNC_DEMO_LANE ? laneByName(process.env.SEMISYNC_DEMO_LANE) : requireLane("mysql");
  step(`starting a ${lane.name} source and two replicas on 127.0.0.1 (${lane.image})`);
  // A kept demo's servers carry the test bed's label, so `npm run testbed -- down ID` removes them.
  const testbedId = `demo-${Date.now()}`;
  const topology = await startTopology(lane, { replicas: 2, labels: keep ? { [TESTBED_LABEL]: testbedId } : {} });
  const project = copyProject(path.join(EXAMPLES, "replication-component"), PASSPHRASE);
  let deployed = false;
  try {
    process.stderr.write(`    source 127.0.0.1:${topology.source.port}, replicas ${topology.replicas.map((r) => `127.0.0.1:${r.port}`).join(", ")}\n`);
    step(`configuring the stack in ${project.dir} (password stored as a secret)`);
    await configureServers(project, { source: topology.source, replicas: topology.replicas, user: topology.source.user, password: topology.source.password });

    step("pulumi up");
    await pulumiCli(project, ["up", "--yes"], { echo: true });
    deployed = true;

    step("semisync status");
    const prefix = lane.family === "mysql" ? "Rpl_semi_sync_source_" : "Rpl_semi_sync_master_";
    const source = await statusOf(topology.source, `${prefix}%`);
    process.stderr.write(`    source   ${prefix}status=${source[`${prefix}status`]}  clients=${source[`${prefix}clients`]}\n`);
    for (const replica of topology.replicas) {
      const status = await statusOf(replica, "Rpl_semi_sync_%_status");
      process.stderr.write(
        `    ${replica.name} ${Object.entries(status)
          .map(([k, v]) => `${k}=${v}`)
          .join(" ")}\n`,
      );
    }

    step("one commit on the source, acknowledged by a replica");
    await topology.source.query("CREATE DATABASE IF NOT EXISTS semisync_demo");
    await topology.source.query("CREATE TABLE IF NOT EXISTS semisync_demo.t (id INT AUTO_INCREMENT PRIMARY KEY, at TIMESTAMP(6) DEFAULT CURRENT_TIMESTAMP(6))");
    const before = Number(source[`${prefix}yes_tx`]);
    const started = process.hrtime.bigint();
    await topology.source.query("INSERT INTO semisync_demo.t () VALUES ()");
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const after = Number((await statusOf(topology.source, `${prefix}yes_tx`))[`${prefix}yes_tx`]);
    process.stderr.write(`    INSERT took ${ms.toFixed(1)} ms; ${prefix}yes_tx ${before} -> ${after} (${after > before ? "acknowledged by a replica" : "NOT acknowledged"})\n`);
    if (after <= before) throw new Error("the commit was not acknowledged by a replica");

    if (keep) {
      step(`kept running: stack "demo" in ${project.dir}. To destroy it and remove the servers, from ${REPO_ROOT}:`);
      process.stderr.write(
        ["source scripts/env.sh", `PULUMI_BACKEND_URL=file://${project.backend} PULUMI_CONFIG_PASSPHRASE=${PASSPHRASE} pulumi destroy --yes --stack demo --cwd ${project.dir}`, `npm run testbed -- down ${testbedId}`]
          .map((line) => `    ${line}\n`)
          .join(""),
      );
      return;
    }
    step("pulumi destroy (source switched off first, then replicas, then plugins)");
    await pulumiCli(project, ["destroy", "--yes"], { echo: true });
    deployed = false;
  } finally {
    if (!keep) {
      if (deployed) await pulumiCli(project, ["destroy", "--yes"]).catch(() => undefined);
      step("stopping the topology");
      await topology.stop();
    }
  }
  step("done");
}

main().catch((error) => {
  process.stderr.write(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
