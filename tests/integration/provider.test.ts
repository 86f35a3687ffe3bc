import * as assert from "node:assert/strict";
import { semisyncEnablementProvider, semisyncPluginProvider } from "../../provider";
import { eachCallItsOwnDeployment } from "../support/deployments";
import { EnablementOutputs } from "../../provider/crud/enablement-provider";
import { PluginOutputs } from "../../provider/crud/plugin-provider";
import { EnablementInputs } from "../../provider/plan/inputs";
import { Role } from "../../provider/types";
import { connectionOf, installedPlugins, rejects, semisyncStatus, semisyncVariables } from "../support/server-probes";
import { lanes } from "../testbed/lanes";
import { Server } from "../testbed/topology";
import { testBed } from "../support/test-bed";

const plugins = eachCallItsOwnDeployment(semisyncPluginProvider);
const enablements = eachCallItsOwnDeployment(semisyncEnablementProvider);

for (const lane of lanes()) {
  describe(`provider against real servers: ${lane.name}`, function () {
    let replica: Server;
    const bed = testBed(lane, { replicas: 1 });
    const isMariaDb = lane.family === "mariadb";

    before(async function () {
      replica = bed.topology.replicas[0];
    });

    it("refuses a replica enablement on a server that is not a replica, naming the server and changing nothing", async function () {
      const before = await semisyncVariables(bed.topology.source);
      const source = bed.topology.source;
      await rejects(plugins.create({ ...connectionOf(source), role: "replica" }), /replication is not configured on this server.*Nothing was changed/);
      const error = await rejects(enablements.create({ ...connectionOf(source), role: "replica" } as EnablementInputs), /replication is not configured on this server.*Nothing was changed/);
      assert.match(error.message, new RegExp(`\\[127\\.0\\.0\\.1:${source.port}\\]`));
      assert.deepEqual(await installedPlugins(bed.topology.source), []);
      assert.deepEqual(await semisyncVariables(bed.topology.source), before);
    });

    it("refuses a wrong password with an error that names the server and never the password", async function () {
      const wrong = "not-the-password-7f3a";
      const error = await rejects(plugins.create({ connection: { host: bed.topology.source.host, port: bed.topology.source.port, user: "admin" }, password: wrong, role: "source" }), /refused user 'admin'/);
      assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${bed.topology.source.port}`));
      assert.ok(!error.message.includes(wrong));
    });

    it("installs (or adopts the built-in) plugins and turns semisync on in the safe order", async function () {
      const sourcePlugin = await plugins.create({ ...connectionOf(bed.topology.source), role: "source" });
      const replicaPlugin = await plugins.create({ ...connectionOf(replica), role: "replica" });
      if (isMariaDb) {
        assert.equal(sourcePlugin.outs!.builtIn, true);
        assert.equal(sourcePlugin.outs!.pluginStatus, "BUILT-IN");
        assert.equal(sourcePlugin.outs!.pluginName, "rpl_semi_sync_master");
        assert.deepEqual(await installedPlugins(bed.topology.source), []);
      } else {
        assert.equal(sourcePlugin.outs!.pluginStatus, "ACTIVE");
        assert.deepEqual(await installedPlugins(bed.topology.source), [sourcePlugin.outs!.pluginName]);
        assert.deepEqual(await installedPlugins(replica), [replicaPlugin.outs!.pluginName]);
      }

      const replicaOn = await enablements.create({ ...connectionOf(replica), role: "replica" } as EnablementInputs);
      assert.equal(replicaOn.outs!.semisyncStatus, "ON");
      const sourceOn = await enablements.create({ ...connectionOf(bed.topology.source), role: "source", timeoutMs: 3000 } as EnablementInputs);
      assert.equal(sourceOn.outs!.enabledOnServer, true);
      assert.equal(sourceOn.outs!.clients, 1);
      assert.equal(sourceOn.outs!.effective.timeoutMs, 3000);

      const prefix = sourceOn.outs!.activeTerminology === "modern" ? "Rpl_semi_sync_source_" : "Rpl_semi_sync_master_";
      const yesBefore = Number((await semisyncStatus(bed.topology.source))[`${prefix}yes_tx`]);
      await bed.topology.source.query("CREATE DATABASE IF NOT EXISTS semisync_it");
      await bed.topology.source.query("CREATE TABLE IF NOT EXISTS semisync_it.t (id INT PRIMARY KEY AUTO_INCREMENT)");
      await bed.topology.source.query("INSERT INTO semisync_it.t VALUES ()");
      const yesAfter = Number((await semisyncStatus(bed.topology.source))[`${prefix}yes_tx`]);
      assert.ok(yesAfter > yesBefore, `a commit was acknowledged by the replica (${prefix}yes_tx ${yesBefore} -> ${yesAfter})`);

      // Teardown in the stall-free order: source off first, then the replica, then the plugins.
      await enablements.delete("x", sourceOn.outs as EnablementOutputs);
      await enablements.delete("x", replicaOn.outs as EnablementOutputs);
      await plugins.delete("x", replicaPlugin.outs as PluginOutputs);
      await plugins.delete("x", sourcePlugin.outs as PluginOutputs);
      assert.deepEqual(await installedPlugins(bed.topology.source), []);
      assert.deepEqual(await installedPlugins(replica), []);
      if (isMariaDb) {
        const vars = await semisyncVariables(bed.topology.source);
        assert.equal(vars.rpl_semi_sync_master_enabled, "OFF");
        assert.equal(vars.rpl_semi_sync_master_timeout, "10000", "the managed timeout is back to its default");
        assert.equal((await semisyncVariables(replica)).rpl_semi_sync_slave_enabled, "OFF");
      }
    });

    it("refuses to switch the last semisync replica off while its source is on, and changes nothing", async function () {
      const sourcePlugin = await plugins.create({ ...connectionOf(bed.topology.source), role: "source" });
      const replicaPlugin = await plugins.create({ ...connectionOf(replica), role: "replica" });
      const declaredSource = { sourceConnection: connectionOf(bed.topology.source).connection, sourcePassword: bed.topology.source.password };
      const replicaOn = await enablements.create({ ...connectionOf(replica), role: "replica", ...declaredSource } as EnablementInputs);
      const sourceOn = await enablements.create({ ...connectionOf(bed.topology.source), role: "source" } as EnablementInputs);
      await rejects(enablements.delete("x", replicaOn.outs as EnablementOutputs), /still has semisync switched on with 1 semisync replica.*Nothing was changed/s);
      // MySQL uninstalls (stopping the IO thread); MariaDB's built-in plugin found the replica off,
      // so its delete switches it off again: either would leave the source short, so both refuse.
      await rejects(plugins.delete("x", { ...(replicaPlugin.outs as PluginOutputs), ...declaredSource }), /still has semisync switched on.*Nothing was changed/s);
      const replicaStatus = lane.family === "mysql" ? "Rpl_semi_sync_replica_status" : "Rpl_semi_sync_slave_status";
      assert.equal((await semisyncStatus(replica))[replicaStatus], "ON", "the replica is still a semisync client");
      await rejects(enablements.update("x", replicaOn.outs as EnablementOutputs, { ...(replicaOn.outs as EnablementOutputs), enabled: false }), /still has semisync switched on/);
      // The safe order: source off first, then the replica.
      await enablements.delete("x", sourceOn.outs as EnablementOutputs);
      await enablements.delete("x", replicaOn.outs as EnablementOutputs);
      assert.equal((await semisyncStatus(replica))[replicaStatus], "OFF");
      await plugins.delete("x", replicaPlugin.outs as PluginOutputs);
      await plugins.delete("x", sourcePlugin.outs as PluginOutputs);
    });

    it("delete succeeds when the plugin is already gone", async function () {
      const role: Role = "source";
      await plugins.delete("x", { ...connectionOf(bed.topology.source), role, pluginName: isMariaDb ? "rpl_semi_sync_master" : "rpl_semi_sync_source" } as PluginOutputs);
    });

    it("refuses waitForReplicaCount where the server has no such variable, before changing anything", async function () {
      if (!isMariaDb) {
        // MySQL has the variable: the same input must be accepted there.
        await plugins.create({ ...connectionOf(bed.topology.source), role: "source" });
        const on = await enablements.create({ ...connectionOf(bed.topology.source), role: "source", enabled: false, waitForReplicaCount: 1 } as EnablementInputs);
        assert.equal(on.outs!.effective.waitForReplicaCount, 1);
        await enablements.delete("x", on.outs as EnablementOutputs);
        await plugins.delete("x", { ...connectionOf(bed.topology.source), role: "source", pluginName: "rpl_semi_sync_source" } as PluginOutputs);
        return;
      }
      const before = await semisyncVariables(bed.topology.source);
      await rejects(enablements.create({ ...connectionOf(bed.topology.source), role: "source", waitForReplicaCount: 2, timeoutMs: 1234 } as EnablementInputs), /waitForReplicaCount has no variable on MariaDB/);
      assert.deepEqual(await semisyncVariables(bed.topology.source), before);
    });
  });
}
