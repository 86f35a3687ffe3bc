import * as assert from "node:assert/strict";
import { EnablementOutputs, deleteEnablement, rollBack, verify } from "../../provider/crud/enablement-provider";
import { PluginOutputs, deletePlugin } from "../../provider/crud/plugin-provider";
import { ServerContext, onSession } from "../../provider/crud/server";
import { claim, replicasKeptOn } from "../../provider/crud/takeovers";
import { EnablementPlan, planEnablement } from "../../provider/plan/enablement-plan";
import { desiredOf } from "../../provider/plan/enablement-desired";
import { EnablementInputs } from "../../provider/plan/inputs";
import { applyStatements } from "../../provider/sql/apply";
import { SemisyncError } from "../../provider/sql/errors";
import { ObservedState } from "../../provider/types";
import { FakeServer, fakeServer, noServer, registeredReplica, unreachable } from "./fake-session";
import { defaultChannel, flavorOf, observedOn, pluginOutputs, pluginRow, pluginVariables, warningsOf } from "./fixtures";

/*
 * The crud code's own steps over a fake session: verify after a change, the rollback it runs
 * when the server did not take the change, and the deletes that must leave a server alone
 * (taken over by another resource of the deployment, adopted, unreachable). The plans are the
 * real ones; the fake server applies their statements as a server would.
 */

const MYSQL = "MySQL 9.7";
const flavor = flavorOf(MYSQL);

function sourceServer(enabled = "OFF"): ObservedState {
  return observedOn(MYSQL, { plugins: [pluginRow("rpl_semi_sync_source")], variables: pluginVariables(flavor, "modern", "source", { rpl_semi_sync_source_enabled: enabled }) });
}

function replicaServer(enabled = "OFF", ioState = "Connecting to source"): ObservedState {
  const state = observedOn(MYSQL, {
    plugins: [pluginRow("rpl_semi_sync_replica")],
    variables: pluginVariables(flavor, "modern", "replica", { rpl_semi_sync_replica_enabled: enabled }),
    status: { Rpl_semi_sync_replica_status: enabled },
    channels: [defaultChannel({ ioState })],
  });
  return state;
}

/** The context `onServer` hands the crud code, here over the fake server's session. */
function contextOf(fake: FakeServer): Promise<ServerContext> {
  return onSession(
    fake.session.server,
    (use) => use(fake.session),
    async (ctx) => ctx,
  );
}

/** Plans what `inputs` ask of the fake server, runs it, and hands over what `verify` needs. */
async function applied(fake: FakeServer, inputs: EnablementInputs): Promise<{ ctx: ServerContext; plan: EnablementPlan }> {
  const ctx = await contextOf(fake);
  const plan = planEnablement(desiredOf(inputs), await ctx.observe({ channels: inputs.role === "replica" }), flavor);
  await applyStatements(ctx.session, plan.statements, flavor);
  return { ctx, plan };
}

const connectionOf = (host: string) => ({ host, port: 3306, user: "semisync" });

function enablementProps(host: string, overrides: Partial<EnablementOutputs> = {}): EnablementOutputs {
  return {
    connection: connectionOf(host),
    role: "replica",
    activeTerminology: "modern",
    enabledOnServer: true,
    effective: {},
    semisyncStatus: "ON",
    optionFileLines: [],
    managedSettings: [],
    adopted: false,
    found: { enabled: false, settings: {} },
    serverVersion: "9.7.4",
    serverFlavor: flavor.id,
    ...overrides,
  };
}

function pluginProps(host: string, overrides: Partial<PluginOutputs> = {}): PluginOutputs {
  return pluginOutputs({ connection: connectionOf(host), foundEnabled: false, serverFlavor: flavor.id, ...overrides });
}

describe("crud: verify after a change, over a fake session", () => {
  it("a source switched on that reads ON is verified, nothing undone", async () => {
    const fake = fakeServer(MYSQL, sourceServer(), "modern");
    const inputs: EnablementInputs = { connection: connectionOf("fake"), role: "source" };
    const { ctx, plan } = await applied(fake, inputs);
    const after = await verify(ctx, inputs, desiredOf(inputs), plan);
    assert.equal(after.variables.rpl_semi_sync_source_enabled, "ON");
    assert.equal(fake.ran.filter((sql) => sql.startsWith("SET")).join("; "), "SET GLOBAL rpl_semi_sync_source_enabled = ON");
  });

  it("a source whose switch flips back OFF (its ACK thread did not start) fails naming the variable, and the switch is undone", async () => {
    const fake = fakeServer(MYSQL, sourceServer(), "modern");
    fake.afterWrite = (sql, state) => {
      if (sql === "SET GLOBAL rpl_semi_sync_source_enabled = ON") state.variables.rpl_semi_sync_source_enabled = "OFF";
    };
    const inputs: EnablementInputs = { connection: connectionOf("fake"), role: "source" };
    const { ctx, plan } = await applied(fake, inputs);
    await assert.rejects(verify(ctx, inputs, desiredOf(inputs), plan), (error: SemisyncError) => {
      assert.deepEqual(
        { server: error.server, message: error.message, changed: error.changed },
        { server: "fake:3306", message: "rpl_semi_sync_source_enabled reads OFF after setting it.", changed: "The changes were undone." },
      );
      assert.match(error.fix ?? "", /^read the server's error log/);
      return true;
    });
    assert.deepEqual(
      fake.ran.filter((sql) => sql.startsWith("SET")),
      ["SET GLOBAL rpl_semi_sync_source_enabled = ON", "SET GLOBAL rpl_semi_sync_source_enabled = OFF"],
    );
  });

  it("a replica past the semisync handshake after its IO thread restart is registered", async () => {
    const fake = fakeServer(MYSQL, replicaServer(), "modern");
    fake.afterWrite = (sql, state) => {
      if (sql === "START REPLICA IO_THREAD") registeredReplica(state, "modern");
    };
    const inputs: EnablementInputs = { connection: connectionOf("fake"), role: "replica", replicaStatusTimeoutMs: 0 };
    const { ctx, plan } = await applied(fake, inputs);
    assert.equal(plan.expectReplicaStatus, "ON");
    const after = await verify(ctx, inputs, desiredOf(inputs), plan);
    assert.equal(after.status.Rpl_semi_sync_replica_status, "ON");
    assert.equal(fake.ran.filter((sql) => /^(SET|STOP|START)/.test(sql)).length, 3, "the plan only: no rollback");
  });

  it("a replica reading ON whose IO thread never got past connecting is not registered: every change is undone and the IO thread restarted", async () => {
    const fake = fakeServer(MYSQL, replicaServer(), "modern");
    const inputs: EnablementInputs = { connection: connectionOf("fake"), role: "replica", replicaStatusTimeoutMs: 0 };
    const { ctx, plan } = await applied(fake, inputs);
    await assert.rejects(verify(ctx, inputs, desiredOf(inputs), plan), (error: SemisyncError) => {
      assert.match(error.message, /^this replica's registration as semisync was not confirmed within 0 ms after the IO thread restart \(Rpl_semi_sync_replica_status ON but the IO thread has not finished connecting/);
      assert.equal(error.changed, "The changes were undone.");
      return true;
    });
    const writes = fake.ran.filter((sql) => /^(SET|STOP|START)/.test(sql));
    assert.deepEqual(writes, [
      "SET GLOBAL rpl_semi_sync_replica_enabled = ON",
      "STOP REPLICA IO_THREAD",
      "START REPLICA IO_THREAD",
      // rollBack: the undo of each statement, the last first, then the IO thread restart
      "START REPLICA IO_THREAD",
      "SET GLOBAL rpl_semi_sync_replica_enabled = OFF",
      "STOP REPLICA IO_THREAD",
      "START REPLICA IO_THREAD",
    ]);
    assert.equal(fake.state.variables.rpl_semi_sync_replica_enabled, "OFF");
    assert.equal(fake.state.status.Rpl_semi_sync_replica_status, "OFF");
  });

  it("a replica whose IO thread is still connecting names its source in the failure", async () => {
    const fake = fakeServer(MYSQL, replicaServer(), "modern");
    fake.afterWrite = (sql, state) => {
      if (sql === "START REPLICA IO_THREAD") state.channels![0] = { ...state.channels![0], ioRunning: "Connecting", lastIoError: "error connecting to source" };
    };
    const inputs: EnablementInputs = { connection: connectionOf("fake"), role: "replica", replicaStatusTimeoutMs: 0 };
    const { ctx, plan } = await applied(fake, inputs);
    await assert.rejects(verify(ctx, inputs, desiredOf(inputs), plan), (error: SemisyncError) => {
      assert.match(error.message, /the IO thread is still connecting to its source source:3306 \(error connecting to source\)\.$/);
      assert.match(error.fix ?? "", /^make sure the source is up/);
      return true;
    });
  });
});

describe("crud: rollBack", () => {
  it("undoes the statements the last first, restarts the IO thread, and returns what could not be undone", async () => {
    const fake = fakeServer(MYSQL, replicaServer("ON"), "modern");
    fake.failing = (sql) => (sql === "SET GLOBAL rpl_semi_sync_replica_trace_level = 32" ? Object.assign(new Error("Access denied"), { errno: 1227, sqlMessage: "Access denied" }) : undefined);
    const ctx = await contextOf(fake);
    const plan: EnablementPlan = {
      terminology: "modern",
      optionFileLines: [],
      expectReplicaStatus: "ON",
      statements: [
        { sql: "SET GLOBAL rpl_semi_sync_replica_trace_level = 16", purpose: "set traceLevel", undo: ["SET GLOBAL rpl_semi_sync_replica_trace_level = 32"] },
        { sql: "SET GLOBAL rpl_semi_sync_replica_enabled = ON", purpose: "enable", undo: ["SET GLOBAL rpl_semi_sync_replica_enabled = OFF"] },
      ],
    };
    const failures = await rollBack(ctx, plan, flavor);
    assert.deepEqual(failures, ["`SET GLOBAL rpl_semi_sync_replica_trace_level = 32`: Access denied (error 1227)"]);
    assert.deepEqual(
      fake.ran.filter((sql) => /^(SET|STOP|START)/.test(sql)),
      ["SET GLOBAL rpl_semi_sync_replica_enabled = OFF", "SET GLOBAL rpl_semi_sync_replica_trace_level = 32", "STOP REPLICA IO_THREAD", "START REPLICA IO_THREAD"],
    );
  });
});

describe("crud: deletes that leave the server alone", () => {
  it("an enablement whose side another resource of the deployment just claimed reaches no server, and its replica stays a client of the source", async () => {
    const props = enablementProps("takeover-replica", { sourceConnection: connectionOf("takeover-source") });
    claim(props.connection, "replica", "enablement");
    const connect = noServer();
    const warnings = await warningsOf(() => deleteEnablement(connect, props));
    assert.equal(connect.calls, 0);
    assert.match(warnings.join(""), /^warning: \[takeover-replica:3306\] semisync replica: left as it is, because another resource of this deployment has just taken it over/);
    assert.deepEqual(replicasKeptOn(connectionOf("takeover-source")), ["takeover-replica:3306"]);
  });

  it("a claim of the other side does not count: that enablement's delete goes to its server", async () => {
    const props = enablementProps("other-side", { role: "replica" });
    claim(props.connection, "source", "enablement");
    const connect = unreachable();
    await assert.rejects(deleteEnablement(connect, props), (error: SemisyncError) => error.server === "other-side:3306" && /ECONNREFUSED/.test(error.message));
    assert.equal(connect.calls, 1);
  });

  it("a plugin whose side an enablement of the deployment just claimed is left installed, reaching no server", async () => {
    const props = pluginProps("takeover-plugin");
    claim(props.connection, "source", "enablement");
    const connect = noServer();
    const warnings = await warningsOf(() => deletePlugin(connect, props));
    assert.equal(connect.calls, 0);
    assert.match(warnings.join(""), /rpl_semi_sync_source: left installed, because another resource of this deployment has just taken it over/);
  });

  it("an adopted plugin is left installed, reaching no server; removeAdopted uninstalls it", async () => {
    const connect = noServer();
    const warnings = await warningsOf(() => deletePlugin(connect, pluginProps("adopted-plugin", { adopted: true })));
    assert.equal(connect.calls, 0);
    assert.match(warnings.join(""), /left installed, as it was found when this resource adopted it/);
    const fake = fakeServer(MYSQL, sourceServer(), "modern");
    fake.state.status.Rpl_semi_sync_source_clients = "0";
    await deletePlugin(fake.connect, pluginProps("adopted-plugin", { adopted: true, removeAdopted: true }));
    assert.deepEqual(
      fake.ran.filter((sql) => sql.startsWith("UNINSTALL")),
      ["UNINSTALL PLUGIN rpl_semi_sync_source"],
    );
    assert.deepEqual(fake.state.plugins, []);
  });

  it("an unreachable replica whose plugin takes the teardown over succeeds with a warning; without teardownByPlugin it fails", async () => {
    const props = enablementProps("dead-replica", { teardownByPlugin: true });
    const warnings = await warningsOf(() => deleteEnablement(unreachable(), props));
    assert.match(warnings.join(""), /\[dead-replica:3306\] semisync replica: unreachable \(connect ECONNREFUSED dead-replica:3306 \(ECONNREFUSED\)\); left to this replica's SemisyncPlugin/);
    await assert.rejects(deleteEnablement(unreachable(), { ...props, teardownByPlugin: false }), /connect ECONNREFUSED/);
    await assert.rejects(deleteEnablement(unreachable("ENOTFOUND"), props), /ENOTFOUND/, "a name that does not resolve is not unreachable");
  });
});

describe("crud: deletes that tear down", () => {
  it("a replica the resource switched on is switched off, its IO thread restarted", async () => {
    const fake = fakeServer(MYSQL, replicaServer("ON", "Waiting for source to send event"), "modern");
    await deleteEnablement(fake.connect, enablementProps("fake"));
    assert.deepEqual(
      fake.ran.filter((sql) => /^(SET|STOP|START)/.test(sql)),
      ["SET GLOBAL rpl_semi_sync_replica_enabled = OFF", "STOP REPLICA IO_THREAD", "START REPLICA IO_THREAD"],
    );
  });

  it("a replica found switched on stays on, and is recorded as kept for its source", async () => {
    const fake = fakeServer(MYSQL, replicaServer("ON", "Waiting for source to send event"), "modern");
    const props = enablementProps("kept-replica", { adopted: true, found: { enabled: true, settings: {} }, sourceConnection: connectionOf("kept-source") });
    const warnings = await warningsOf(() => deleteEnablement(fake.connect, props));
    assert.deepEqual(
      fake.ran.filter((sql) => /^(SET|STOP|START)/.test(sql)),
      [],
    );
    assert.match(warnings.join(""), /semisync replica: left switched on, as it was found when this resource adopted it/);
    assert.deepEqual(replicasKeptOn(connectionOf("kept-source")), ["kept-replica:3306"]);
  });
});
