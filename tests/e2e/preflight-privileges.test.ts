import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { SemisyncReplication } from "../../provider";
import { ioRestartPrivilege, minimalGrants } from "../support/grants";
import { inlineStack } from "../support/pulumi-workspace";
import { semisyncSnapshot, semisyncStatus } from "../support/server-probes";
import { lanes } from "../testbed/lanes";
import { testbedLogin, withConnection } from "../testbed/sql-client";
import { Server, Topology } from "../testbed/topology";
import { testBed } from "../support/test-bed";

const PASSWORD = "preflight-privs-pw-7c1a";

/** Runs `sql` on one server only: kept out of its binary log, so replication does not carry it on. */
async function onThisServerOnly(server: Server, sql: string): Promise<void> {
  await withConnection(testbedLogin(server), async (connection) => {
    await connection.query("SET SESSION sql_log_bin = 0");
    await connection.query(sql);
  });
}

/** Waits until replication has carried `users` to every replica. */
async function replicated(topology: Topology, users: string[]): Promise<void> {
  for (const replica of topology.replicas) {
    for (let i = 0; ; i++) {
      const rows = await replica.query(`SELECT COUNT(*) AS n FROM mysql.user WHERE User IN (${users.map(() => "?").join(", ")})`, users);
      if (Number(rows[0].n) === users.length) break;
      if (i > 100) assert.fail(`${users.join(", ")} did not reach ${replica.name}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function program(topology: Topology, user: string) {
  return async () => {
    const password = pulumi.secret(PASSWORD);
    const connection = (s: Server) => ({ host: s.host, port: s.port, user, password, connectTimeoutMs: 5_000 });
    new SemisyncReplication("orders", {
      source: connection(topology.source),
      replicas: topology.replicas.map((r) => ({ ...connection(r), name: r.name })),
      timeoutMs: 3_000,
      clientsTimeoutMs: 5_000,
    });
  };
}

for (const lane of lanes()) {
  describe(`the provider account's privileges are checked on every member before any is changed: ${lane.name}`, function () {
    const bed = testBed(lane, { replicas: 2 });

    before(async function () {
      const { source } = bed.topology;
      // Created on the source; replication carries the accounts and the role to the replicas.
      await source.query(`CREATE USER 'semisync'@'%' IDENTIFIED BY '${PASSWORD}'`);
      for (const grant of minimalGrants(lane, "'semisync'@'%'")) await source.query(grant);
      await source.query("CREATE ROLE semisync_role");
      for (const grant of minimalGrants(lane, "semisync_role")) await source.query(grant);
      await source.query(`CREATE USER 'viarole'@'%' IDENTIFIED BY '${PASSWORD}'`);
      await source.query("GRANT semisync_role TO 'viarole'@'%'");
      await source.query(lane.family === "mysql" ? "SET DEFAULT ROLE semisync_role TO 'viarole'@'%'" : "SET DEFAULT ROLE semisync_role FOR 'viarole'@'%'");
      await replicated(bed.topology, ["semisync", "viarole"]);
    });

    it("a replica whose account lacks the IO-thread restart privilege refuses the topology naming that server, the privilege and the GRANT to run, with no server changed", async function () {
      const [, replica2] = bed.topology.replicas;
      const privilege = ioRestartPrivilege(lane);
      const { stack } = await inlineStack(`semisync-privs-${lane.name.replace(/\./g, "-")}`, program(bed.topology, "semisync"));
      await onThisServerOnly(replica2, `REVOKE ${privilege} ON *.* FROM 'semisync'@'%'`);
      const before = await semisyncSnapshot(bed.topology);
      let text = "";
      try {
        await stack.up();
      } catch (error) {
        text = String((error as Error).message);
      }
      assert.ok(text, "the deployment fails");
      console.log(
        `      the engine showed: ${text
          .split("\n")
          .find((line) => line.includes("lacks"))
          ?.trim()}`,
      );
      assert.equal(await semisyncSnapshot(bed.topology), before, "nothing changed on the source or either replica");
      assert.ok(text.includes(`[127.0.0.1:${replica2.port}]`), `the error names ${replica2.name}:\n${text.slice(-3000)}`);
      assert.match(text, new RegExp(`account 'semisync'@'%' lacks ${privilege}.*Nothing was changed on any server`, "s"));
      assert.match(text, new RegExp(`Fix: GRANT ${privilege} ON \\*\\.\\* TO 'semisync'@'%'`));

      // The GRANT the error names is the whole fix.
      await onThisServerOnly(replica2, `GRANT ${privilege} ON *.* TO 'semisync'@'%'`);
      await stack.up();
      for (const replica of bed.topology.replicas) {
        const status = await semisyncStatus(replica);
        assert.equal(status.Rpl_semi_sync_replica_status ?? status.Rpl_semi_sync_slave_status, "ON", `${replica.name} registered`);
      }
      await stack.destroy();
    });

    it("an account holding its privileges through its default role deploys and tears down", async function () {
      const { stack } = await inlineStack(`semisync-privs-role-${lane.name.replace(/\./g, "-")}`, program(bed.topology, "viarole"));
      await stack.up();
      for (const replica of bed.topology.replicas) {
        const status = await semisyncStatus(replica);
        assert.equal(status.Rpl_semi_sync_replica_status ?? status.Rpl_semi_sync_slave_status, "ON", `${replica.name} registered`);
      }
      await stack.destroy();
    });
  });
}
