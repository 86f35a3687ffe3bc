// Fleet figures (issue 12, item 3): K clusters of 1 source + 1 replica in one stack, the package
// installed from its packed tarball (`npm pack`, then `npm install` in a fresh project, as a user
// gets it), K = 1, 4, 8 by default. For each K: `up`, a no-change `preview`, `refresh` and
// `destroy` through the CLI, and the state's bytes per dynamic resource.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CliProject, pulumiCli } from "../examples/demo/pulumi-cli";
import { USER_PULUMI_SDK, dynamicResourceStates, npmInstall, packCheckout, userEnv } from "../tests/support/installed-package";
import { Lane } from "../tests/testbed/lanes";
import { Topology, startTopology } from "../tests/testbed/topology";
import { CommitWriter, startCommitWriter } from "../tests/support/commit-writer";
import { pulumi } from "./approaches";
import { assertRolledOut, assertTornDown, timed } from "./compare";
import { seconds } from "./processes";

const log = (text: string) => process.stderr.write(`[bench] ${text}\n`);

export interface FleetRow {
  clusters: number;
  upMs: number;
  previewMs: number;
  refreshMs: number;
  destroyMs: number;
  dynamicResources: number;
  /** Bytes per dynamic resource in `pulumi stack export`: the whole record, and inputs + outputs. */
  bytesPerResource: number;
  propsBytesPerResource: number;
  /** Worst commit on the first cluster's source during up and destroy. */
  maxCommitMs: number;
}

// One program for every K: the clusters come from the stack config.
const PROGRAM = `"use strict";
const pulumi = require("@pulumi/pulumi");
const { SemisyncReplication } = require("pulumi-mysql-semisync");
const config = new pulumi.Config();
const user = config.require("user");
// One admin password per cluster (the test bed draws each at random), as one secret list.
const passwords = config.requireSecretObject("passwords");
for (const [i, c] of config.requireObject("clusters").entries()) {
  const password = passwords.apply((all) => all[i]);
  const conn = (s) => ({ host: s.host, port: s.port, user, password });
  new SemisyncReplication("cluster-" + i, {
    source: conn(c.source),
    replicas: c.replicas.map((r) => ({ ...conn(r), name: r.host + "-" + r.port })),
  });
}
`;

async function fleetProject(tarball: string): Promise<CliProject> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "semisync-fleet-"));
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: semisync-fleet\nruntime: nodejs\ndescription: K clusters in one stack (bench/fleet.ts).\n");
  fs.writeFileSync(path.join(dir, "index.js"), PROGRAM);
  const packageJson = { name: "semisync-fleet", private: true, main: "index.js", dependencies: { "@pulumi/pulumi": USER_PULUMI_SDK, "pulumi-mysql-semisync": `file:${tarball}` } };
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(packageJson, null, 2));
  log(`npm install in ${dir} (the packed tarball and @pulumi/pulumi ${USER_PULUMI_SDK})`);
  await npmInstall(dir);
  const backend = path.join(dir, ".state");
  fs.mkdirSync(backend);
  return { dir, backend, env: userEnv({ PULUMI_BACKEND_URL: `file://${backend}`, PULUMI_CONFIG_PASSPHRASE: "semisync-bench", PULUMI_SKIP_UPDATE_CHECK: "true" }) };
}

export async function fleet(lane: Lane, counts: number[]): Promise<FleetRow[]> {
  const max = Math.max(...counts);
  const tarball = await packCheckout();
  const project = await fleetProject(tarball);
  await pulumiCli(project, ["stack", "init", "bench"]);
  log(`starting ${max} clusters of ${lane.name} (1 source + 1 replica each)`);
  const topologies: Topology[] = [];
  const rows: FleetRow[] = [];
  let writer: CommitWriter | undefined;
  try {
    // One at a time: 2 × K servers starting at once on two shared cores time out.
    for (let i = 0; i < max; i++) topologies.push(await startTopology(lane, { replicas: 1, serverOptions: ["--innodb-buffer-pool-size=16M", "--innodb-flush-log-at-trx-commit=2", "--sync-binlog=0"] }));
    await pulumiCli(project, ["config", "set", "user", topologies[0].source.user]);
    writer = await startCommitWriter(topologies[0].source, { pauseMs: 10 });
    for (const count of counts) {
      const clusters = topologies.slice(0, count).map((t) => ({ source: { host: t.source.host, port: t.source.port }, replicas: t.replicas.map((r) => ({ host: r.host, port: r.port })) }));
      await pulumiCli(project, ["config", "set", "clusters", JSON.stringify(clusters)]);
      await pulumiCli(project, ["config", "set", "--secret", "passwords", JSON.stringify(topologies.slice(0, count).map((t) => t.source.password))]);
      const up = await timed(writer, () => pulumi(project, ["up", "--yes"]));
      for (const t of topologies.slice(0, count)) await assertRolledOut(t, t.replicas, `fleet of ${count}`);
      const preview = await pulumi(project, ["preview", "--expect-no-changes"]);
      const refresh = await pulumi(project, ["refresh", "--yes", "--expect-no-changes"]);
      const states = await dynamicResourceStates(project);
      const down = await timed(writer, () => pulumi(project, ["destroy", "--yes"]));
      for (const t of topologies.slice(0, count)) await assertTornDown(t, t.replicas, `fleet of ${count}`);
      const row: FleetRow = {
        clusters: count,
        upMs: up.ms,
        previewMs: preview.ms,
        refreshMs: refresh.ms,
        destroyMs: down.ms,
        dynamicResources: states.length,
        bytesPerResource: states.reduce((sum, s) => sum + s.bytes, 0) / states.length,
        propsBytesPerResource: states.reduce((sum, s) => sum + s.propsBytes, 0) / states.length,
        maxCommitMs: Math.max(up.maxCommitMs, down.maxCommitMs),
      };
      rows.push(row);
      log(
        `fleet of ${count}: up ${seconds(row.upMs)} s, preview ${seconds(row.previewMs)} s, refresh ${seconds(row.refreshMs)} s, destroy ${seconds(row.destroyMs)} s, ${row.dynamicResources} dynamic resources, ${row.bytesPerResource.toFixed(0)} bytes each`,
      );
    }
    await writer.stop();
    writer = undefined;
  } finally {
    await writer?.stop();
    for (const t of topologies) await t.stop();
  }
  return rows;
}

export function printFleet(rows: FleetRow[]): void {
  const base = rows[0];
  console.log("\nFleet: K clusters (1 source + 1 replica each) in one stack, installed from `npm pack`, through the CLI\n");
  console.log("| clusters | dynamic resources | up s | × 1 cluster | no-change preview s | × | refresh s | × | destroy s | × | state bytes per resource (inputs + outputs) | worst commit ms |");
  console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  const x = (value: number, of: number) => `${(value / of).toFixed(2)}×`;
  for (const r of rows) {
    console.log(
      `| ${r.clusters} | ${r.dynamicResources} | ${seconds(r.upMs)} | ${x(r.upMs, base.upMs)} | ${seconds(r.previewMs)} | ${x(r.previewMs, base.previewMs)} | ${seconds(r.refreshMs)} | ${x(r.refreshMs, base.refreshMs)} | ${seconds(r.destroyMs)} | ${x(r.destroyMs, base.destroyMs)} | ${r.bytesPerResource.toFixed(0)} (${r.propsBytesPerResource.toFixed(0)}) | ${r.maxCommitMs.toFixed(0)} |`,
    );
  }
}
