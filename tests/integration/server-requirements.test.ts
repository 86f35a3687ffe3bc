import * as assert from "node:assert/strict";
import { semisyncEnablementProvider, semisyncPluginProvider } from "../../provider";
import { eachCallItsOwnDeployment } from "../support/deployments";
import { EnablementOutputs } from "../../provider/crud/enablement-provider";
import { PluginOutputs } from "../../provider/crud/plugin-provider";
import { EnablementInputs } from "../../provider/plan/inputs";
import { connectionOf, installedPlugins, rejects, semisyncVariables } from "../support/server-probes";
import { lanes } from "../testbed/lanes";
import { Server } from "../testbed/topology";
import { testBed } from "../support/test-bed";

const plugins = eachCallItsOwnDeployment(semisyncPluginProvider);
const enablements = eachCallItsOwnDeployment(semisyncEnablementProvider);

for (const lane of lanes()) {
  const isMySql = lane.family === "mysql";

  describe(`the seed's requirements, each refused clearly with nothing changed: ${lane.name}`, function () {
    let replica: Server;
    const bed = testBed(lane, { replicas: 1 });

    before(async function () {
      replica = bed.topology.replicas[0];
    });

    it("a replica whose IO thread is stopped is refused, and nothing is enabled", async function () {
      const stop = isMySql ? "STOP REPLICA IO_THREAD" : "STOP SLAVE IO_THREAD";
      // Installed while replication runs: the plugin's own create refuses a stopped replica too.
      if (isMySql) await plugins.create({ ...connectionOf(replica), role: "replica" });
      await replica.query(stop);
      try {
        const before = await semisyncVariables(replica);
        await rejects(enablements.create({ ...connectionOf(replica), role: "replica" } as EnablementInputs), /replication IO thread is not running.*Nothing was changed.*START REPLICA/s);
        assert.deepEqual(await semisyncVariables(replica), before);
      } finally {
        await replica.query(isMySql ? "START REPLICA IO_THREAD" : "START SLAVE IO_THREAD");
      }
    });

    it("a replica with more than one replication channel is refused", async function () {
      const second = isMySql
        ? `CHANGE REPLICATION SOURCE TO SOURCE_HOST='127.0.0.1', SOURCE_PORT=1, SOURCE_USER='nobody' FOR CHANNEL 'second'`
        : `CHANGE MASTER 'second' TO MASTER_HOST='127.0.0.1', MASTER_PORT=1, MASTER_USER='nobody'`;
      // Configured, never started: port 1 only keeps it distinct from the default connection.
      await replica.query(second);
      try {
        await rejects(enablements.create({ ...connectionOf(replica), role: "replica" } as EnablementInputs), /only on the default replication channel.*'second'.*Nothing was changed/s);
      } finally {
        await replica.query(isMySql ? "RESET REPLICA ALL FOR CHANNEL 'second'" : "RESET SLAVE 'second' ALL");
      }
    });

    it("a missing privilege names the grant to add, and nothing is changed", async function () {
      await bed.topology.source.query("CREATE USER IF NOT EXISTS 'limited'@'%' IDENTIFIED BY 'limited-pw-9c1'");
      await bed.topology.source.query("GRANT SELECT, PROCESS, REPLICATION CLIENT ON *.* TO 'limited'@'%'");
      const limited = connectionOf(bed.topology.source, "limited", "limited-pw-9c1");
      if (isMySql) {
        // Refused by the preflight, which names the account and every privilege the source will need.
        await rejects(
          plugins.create({ ...limited, role: "source" }),
          /lacks INSERT on mysql\.plugin .*Nothing was changed.*GRANT SYSTEM_VARIABLES_ADMIN ON \*\.\* TO 'limited'@'%'; GRANT INSERT ON mysql\.plugin TO 'limited'@'%';/s,
        );
        assert.deepEqual(await installedPlugins(bed.topology.source), []);
        await plugins.create({ ...connectionOf(bed.topology.source), role: "source" });
      }
      const before = await semisyncVariables(bed.topology.source);
      // A switch-off runs the preflight too, which names the account, before any statement runs.
      await rejects(
        enablements.create({ ...limited, role: "source", enabled: false, timeoutMs: 4321 } as EnablementInputs),
        isMySql
          ? /lacks SYSTEM_VARIABLES_ADMIN .*Nothing was changed.*GRANT SYSTEM_VARIABLES_ADMIN ON \*\.\* TO 'limited'@'%';/s
          : /lacks REPLICATION MASTER ADMIN .*Nothing was changed.*GRANT REPLICATION MASTER ADMIN ON \*\.\* TO 'limited'@'%';/s,
      );
      assert.deepEqual(await semisyncVariables(bed.topology.source), before);
      if (isMySql) await plugins.delete("x", { ...connectionOf(bed.topology.source), role: "source", pluginName: "rpl_semi_sync_source" } as PluginOutputs);
    });

    if (!isMySql) {
      // MariaDB 10.5.9+ reads SHOW SLAVE STATUS with REPLICA MONITOR (10.5.2–10.5.8: REPLICATION SLAVE ADMIN).
      it("reading a replica without REPLICA MONITOR names that grant, and nothing is changed", async function () {
        await replica.query("CREATE USER IF NOT EXISTS 'nomonitor'@'%' IDENTIFIED BY 'nomonitor-pw-5e2'");
        await replica.query("GRANT REPLICATION SLAVE ADMIN, REPLICATION MASTER ADMIN ON *.* TO 'nomonitor'@'%'");
        const before = await semisyncVariables(replica);
        await rejects(
          enablements.create({ ...connectionOf(replica, "nomonitor", "nomonitor-pw-5e2"), role: "replica" } as EnablementInputs),
          /reading the server's state was refused.*Nothing was changed.*GRANT REPLICA MONITOR ON \*\.\* TO the provider's user/s,
        );
        assert.deepEqual(await semisyncVariables(replica), before);
      });
    }

    it(isMySql ? "persist writes SET PERSIST, and delete stops persisting" : "persist is refused with the option-file lines to use instead", async function () {
      if (isMySql) await plugins.create({ ...connectionOf(bed.topology.source), role: "source" });
      const inputs = { ...connectionOf(bed.topology.source), role: "source", enabled: false, timeoutMs: 2500, persist: true } as EnablementInputs;
      if (!isMySql) {
        const before = await semisyncVariables(bed.topology.source);
        await rejects(enablements.create(inputs), /SET PERSIST does not exist on MariaDB.*loose_rpl_semi_sync_master_enabled=OFF; loose_rpl_semi_sync_master_timeout=2500/s);
        assert.deepEqual(await semisyncVariables(bed.topology.source), before);
        return;
      }
      const created = await enablements.create(inputs);
      const persisted = async () =>
        Object.fromEntries(
          (await bed.topology.source.query("SELECT VARIABLE_NAME AS n, VARIABLE_VALUE AS v FROM performance_schema.persisted_variables WHERE VARIABLE_NAME LIKE 'rpl_semi_sync%'")).map((r) => [r.n, r.v]),
        );
      // The source's switch is never persisted: a restarted source boots off (docs/restarts.md).
      assert.deepEqual(await persisted(), { rpl_semi_sync_source_timeout: "2500" });
      await enablements.delete("x", created.outs as EnablementOutputs);
      assert.deepEqual(await persisted(), {});
      assert.equal((await semisyncVariables(bed.topology.source)).rpl_semi_sync_source_timeout, "10000");
      await plugins.delete("x", { ...connectionOf(bed.topology.source), role: "source", pluginName: "rpl_semi_sync_source" } as PluginOutputs);
    });

    if (isMySql) {
      it("a plugin installed by hand is adopted, and reported as adopted", async function () {
        await bed.topology.source.query("INSTALL PLUGIN rpl_semi_sync_source SONAME 'semisync_source.so'");
        const created = await plugins.create({ ...connectionOf(bed.topology.source), role: "source" });
        assert.equal(created.outs!.adopted, true);
        assert.equal(created.outs!.pluginStatus, "ACTIVE");
        // Delete leaves an adopted plugin as it was found; removeAdopted: true uninstalls it.
        await plugins.delete("x", created.outs as PluginOutputs);
        assert.deepEqual(await installedPlugins(bed.topology.source), ["rpl_semi_sync_source"]);
        await plugins.delete("x", { ...created.outs, removeAdopted: true } as PluginOutputs);
        assert.deepEqual(await installedPlugins(bed.topology.source), []);
      });

      it("uninstalling a source plugin with a semisync replica connected is refused and explained (1883)", async function () {
        const sourcePlugin = await plugins.create({ ...connectionOf(bed.topology.source), role: "source" });
        const replicaPlugin = await plugins.create({ ...connectionOf(replica), role: "replica" });
        const replicaOn = await enablements.create({ ...connectionOf(replica), role: "replica" } as EnablementInputs);
        await rejects(plugins.delete("x", sourcePlugin.outs as PluginOutputs), /cannot be uninstalled while 1 semisync replica\(s\) are connected.*1883.*Fix: disable semisync on the replicas first/s);
        assert.deepEqual(await installedPlugins(bed.topology.source), ["rpl_semi_sync_source"]);
        await enablements.delete("x", replicaOn.outs as EnablementOutputs);
        // The replica plugin was installed by the first test, so this resource adopted it.
        await plugins.delete("x", { ...replicaPlugin.outs, removeAdopted: true } as PluginOutputs);
        assert.deepEqual(await installedPlugins(replica), []);
        await plugins.delete("x", sourcePlugin.outs as PluginOutputs);
        assert.deepEqual(await installedPlugins(bed.topology.source), []);
      });

      it("a plugin library missing from @@plugin_dir fails with error 1126 explained, and nothing is installed", async function () {
        const [dir] = await replica.query("SELECT @@plugin_dir AS d");
        const removed = await replica.container.exec(["rm", "-f", `${String(dir.d).replace(/\/$/, "")}/semisync_replica.so`]);
        assert.equal(removed.exitCode, 0);
        await rejects(plugins.create({ ...connectionOf(replica), role: "replica" }), /Can't open shared library.*\(error 1126\).*Nothing had been changed.*Fix: the plugin library is not in @@plugin_dir/s);
        assert.deepEqual(await installedPlugins(replica), []);
      });
    }
  });
}
