import * as assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import * as path from "node:path";
import { CliProject, REPO_ROOT, TEMPLATES, pulumiCli } from "../../examples/demo/pulumi-cli";
import { minimalGrants } from "../support/grants";
import { FreshVersions, freshProject, packCheckout, removeCreatedFolders, run } from "../support/installed-package";
import { assertSemisyncEverywhere, assertSemisyncRemoved } from "../support/server-probes";
import { Lane, laneByName } from "../testbed/lanes";
import { Server, Topology, startTopology } from "../testbed/topology";
import { withConnection } from "../testbed/sql-client";

/*
 * The world users install into, not the lock file's: a project outside the clone whose every
 * dependency npm resolves anew from the registry today (the package from its tarball, the newest
 * @pulumi/pulumi, mysql2, typescript and @types/node), no NODE_PATH, the pulumi CLI on PATH (the
 * pinned one, and the newest release in scripts/run-tests.sh's second pass). The provider logs in
 * with an account made for the test, as an operator makes one, and every server's password cache
 * is flushed before each step, as after a restart: on MySQL 9.7 every login is then a full
 * caching_sha2_password exchange, which needs TLS or the server's RSA key (issue 17).
 */

const PASSPHRASE = "semisync-fresh-tests";
const ACCOUNT = "semisync_fresh";

/** The provider's account, created on each server as an operator does, and never used before the first step. */
async function createProviderAccount(lane: Lane, server: Server, password: string): Promise<void> {
  const user = `'${ACCOUNT}'@'%'`;
  await withConnection(server, async (connection) => {
    // Each server gets its own (replication would carry it too, but later than this returns).
    await connection.query("SET SESSION sql_log_bin = 0");
    const authentication = lane.family === "mysql" ? "IDENTIFIED WITH caching_sha2_password BY ?" : "IDENTIFIED BY ?";
    await connection.query(`CREATE USER ${user} ${authentication}`, [password]);
    for (const grant of minimalGrants(lane, user)) await connection.query(grant);
  });
}

/** Empties every server's password cache, as a restart does (not written to the binary log: no errant transactions). */
async function flushPasswordCaches(topology: Topology): Promise<void> {
  for (const server of [topology.source, ...topology.replicas]) await server.query("FLUSH NO_WRITE_TO_BINLOG PRIVILEGES");
}

function printVersions(versions: FreshVersions, cli: string): void {
  console.log(
    `      resolved today: ${Object.entries(versions.installed)
      .map(([name, version]) => `${name} ${version}`)
      .join(", ")}; pulumi CLI ${cli}; node ${process.version}`,
  );
}

describe("A fresh project on today's registry: every dependency at its newest release, no lock file, no NODE_PATH, the pulumi CLI", function () {
  let project: CliProject & { versions: FreshVersions };

  before(async function () {
    const tarball = await packCheckout();
    project = await freshProject(tarball, path.join(TEMPLATES, "semisync-replication"), PASSPHRASE);
  });

  after(function () {
    removeCreatedFolders();
  });

  it("resolves each dependency to the release npm serves today, outside the clone and blind to its modules, and type-checks with the TypeScript it got", async function () {
    const cli = (await pulumiCli(project, ["version"])).trim();
    printVersions(project.versions, cli);
    for (const [name, newest] of Object.entries(project.versions.newest)) assert.equal(project.versions.installed[name], newest, `${name} is the release npm serves today`);
    assert.ok(!path.resolve(project.dir).startsWith(REPO_ROOT + path.sep), `${project.dir} is outside the clone`);
    assert.equal(project.env.NODE_PATH, undefined, "NODE_PATH is unset");
    // A module only the clone has (a dev dependency) must not be found from the project.
    await assert.rejects(run("node", ["-e", "require.resolve('testcontainers')"], { cwd: project.dir, env: project.env }), /Cannot find module 'testcontainers'/);
    await run(path.join(project.dir, "node_modules", ".bin", "tsc"), ["--noEmit", "-p", project.dir], { cwd: project.dir, env: project.env });
  });

  for (const laneName of ["mysql-9.7", "mariadb-11.8"]) {
    it(`${laneName}: an account never logged into, every password cache flushed before each step: up, refresh and preview with no changes, destroy`, async function () {
      const lane = laneByName(laneName);
      const topology = await startTopology(lane, { replicas: 1 });
      try {
        const password = randomBytes(12).toString("hex");
        for (const server of [topology.source, ...topology.replicas]) await createProviderAccount(lane, server, password);
        if (lane.family === "mysql") {
          const [account] = await topology.source.query("SELECT plugin FROM mysql.user WHERE user = ?", [ACCOUNT]);
          assert.equal(account.plugin, "caching_sha2_password", "the account authenticates as MySQL's default does");
        }
        const stack = lane.name;
        const answers: Record<string, string> = {
          sourceHost: topology.source.host,
          sourcePort: String(topology.source.port),
          replicas: topology.replicas.map((r) => `${r.host}:${r.port}`).join(","),
          user: ACCOUNT,
          timeoutMs: "10000",
        };
        await pulumiCli(project, ["stack", "init", stack]);
        for (const [key, value] of Object.entries(answers)) await pulumiCli(project, ["config", "set", "--stack", stack, key, value, "--plaintext"]);
        await pulumiCli(project, ["config", "set", "--stack", stack, "password", password, "--secret"]);

        await flushPasswordCaches(topology);
        await pulumiCli(project, ["up", "--yes", "--stack", stack]);
        await assertSemisyncEverywhere(topology);
        await flushPasswordCaches(topology);
        await pulumiCli(project, ["refresh", "--yes", "--expect-no-changes", "--stack", stack]);
        await flushPasswordCaches(topology);
        await pulumiCli(project, ["preview", "--expect-no-changes", "--stack", stack]);
        await assertSemisyncEverywhere(topology);
        await flushPasswordCaches(topology);
        await pulumiCli(project, ["destroy", "--yes", "--stack", stack]);
        await assertSemisyncRemoved(topology);
      } finally {
        await topology.stop();
      }
    });
  }
});
