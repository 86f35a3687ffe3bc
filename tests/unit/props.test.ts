import * as assert from "node:assert/strict";
import { enablementDrifted, diffEnablement, diffPlugin } from "../../provider/plan/diff";
import { clientsToCount, desiredOf, needsClientsFirst, needsPreflight, requiredClientsOf } from "../../provider/plan/enablement-desired";
import { EnablementInputs, PluginInputs, UNKNOWN } from "../../provider/plan/inputs";
import { installOptionsOf } from "../../provider/plan/plugin-plan";
import { ENABLEMENT_PROPS, EnablementOutputs, InputKind, PLUGIN_PROPS, PluginOutputs, comparedValues, inputsOfProps, storedInputs } from "../../provider/plan/props";
import { observedOn, pluginOutputs as storedPluginOutputs, pluginVariables, flavorOf } from "./fixtures";

const connection = { host: "db1", port: 3306, user: "semisync" };
const topology = { source: { ...connection, password: "s3cret" }, replicas: [], failoverReady: true };

const keysOfKind = (inputs: Record<string, InputKind>, kind: InputKind["kind"]) =>
  Object.entries(inputs)
    .filter(([, input]) => input.kind === kind)
    .map(([key]) => key)
    .sort();

function pluginOutputs(overrides: Partial<PluginOutputs> = {}): PluginOutputs {
  return storedPluginOutputs({ connection, foundEnabled: false, ...overrides });
}

function enablementOutputs(overrides: Partial<EnablementOutputs> = {}): EnablementOutputs {
  return {
    connection,
    role: "source",
    activeTerminology: "modern",
    enabledOnServer: true,
    effective: { timeoutMs: 10000 },
    semisyncStatus: "ON",
    optionFileLines: [],
    managedSettings: [],
    serverVersion: "9.7.4",
    serverFlavor: "mysql-9.5",
    ...overrides,
  };
}

describe("props layout: one table per resource says what each prop is", () => {
  it("the plugin: role replaces, the credentials are the connection's, the topology feeds the preflight, matchOtherSide the install", () => {
    assert.deepEqual(keysOfKind(PLUGIN_PROPS.inputs, "identity"), ["role"]);
    assert.deepEqual(keysOfKind(PLUGIN_PROPS.inputs, "connection"), ["connection", "password", "tls"]);
    assert.deepEqual(keysOfKind(PLUGIN_PROPS.inputs, "preflight"), ["topology"]);
    assert.deepEqual(keysOfKind(PLUGIN_PROPS.inputs, "install"), ["matchOtherSide"]);
    assert.deepEqual(keysOfKind(PLUGIN_PROPS.inputs, "compared"), ["removeAdopted", "sourceConnection", "sourcePassword", "sourceTls", "standby", "terminology"]);
  });

  it("the enablement: every setting and option is compared; no input is the install's", () => {
    assert.deepEqual(keysOfKind(ENABLEMENT_PROPS.inputs, "identity"), ["role"]);
    assert.deepEqual(keysOfKind(ENABLEMENT_PROPS.inputs, "preflight"), ["topology"]);
    assert.deepEqual(keysOfKind(ENABLEMENT_PROPS.inputs, "install"), []);
    assert.equal(keysOfKind(ENABLEMENT_PROPS.inputs, "compared").length, 18);
  });

  it("an absent compared input equals its default written out, and differs from another value", () => {
    const absent: EnablementInputs = { connection, role: "replica" };
    const written: EnablementInputs = { ...absent, enabled: true, persist: false, restartIoThread: true, triggers: [], standby: false, sourcePassword: "" };
    assert.equal(comparedValues(ENABLEMENT_PROPS, absent), comparedValues(ENABLEMENT_PROPS, written));
    assert.notEqual(comparedValues(ENABLEMENT_PROPS, absent), comparedValues(ENABLEMENT_PROPS, { ...absent, enabled: false }));
    assert.notEqual(comparedValues(ENABLEMENT_PROPS, absent), comparedValues(ENABLEMENT_PROPS, { ...absent, timeoutMs: 5000 }));
  });

  it("the outputs start from the inputs without the topology, which holds every member's password", () => {
    const inputs: PluginInputs = { connection, password: "p", role: "source", topology };
    assert.deepEqual(storedInputs(PLUGIN_PROPS, inputs), { connection, password: "p", role: "source" });
  });

  it("a refresh hands back the declared inputs only: no output, nothing this release does not know", () => {
    const props = { ...pluginOutputs({ terminology: "legacy", matchOtherSide: true }), schemaVersion: 2, someFutureOutput: 1 } as PluginOutputs;
    assert.deepEqual(inputsOfProps(PLUGIN_PROPS, props), { connection, role: "source", terminology: "legacy", matchOtherSide: true });
    const enablement = inputsOfProps(ENABLEMENT_PROPS, enablementOutputs({ timeoutMs: 5000, found: { enabled: false, settings: {} } }));
    assert.deepEqual(enablement, { connection, role: "source", timeoutMs: 5000 });
  });
});

describe("which plugin family a plugin installs (matchOtherSide)", () => {
  it("is the declared input when there is one, whatever the topology says", () => {
    assert.equal(installOptionsOf({ matchOtherSide: true }).matchOtherSide, true);
    assert.equal(installOptionsOf({ matchOtherSide: false, topology }).matchOtherSide, false);
  });

  it("follows topology.failoverReady for inputs written before the input existed (0.2.0)", () => {
    assert.equal(installOptionsOf({ topology }).matchOtherSide, true);
    assert.equal(installOptionsOf({ topology: { ...topology, failoverReady: false } }).matchOtherSide, false);
    assert.equal(installOptionsOf({}).matchOtherSide, false);
  });

  it("is never a change by itself: an installed plugin is what it is", () => {
    const olds = pluginOutputs();
    assert.equal(diffPlugin(olds, { connection, role: "source", matchOtherSide: true }).changes, false);
  });

  it("the topology alone is never a change either, even unknown in a preview", () => {
    const olds = pluginOutputs();
    assert.equal(diffPlugin(olds, { connection, role: "source", topology }).changes, false);
    assert.equal(diffPlugin(olds, { connection, role: "source", topology: UNKNOWN as never }).changes, false);
    assert.equal(diffPlugin(olds, { connection, role: "source", removeAdopted: UNKNOWN as never }).changes, true);
  });
});

describe("enablement decisions from inputs and the last observation", () => {
  const modern = flavorOf("MySQL 9.7");
  const sourceOff = observedOn("MySQL 9.7", { variables: pluginVariables(modern, "modern", "source") });
  const sourceOn = observedOn("MySQL 9.7", { variables: pluginVariables(modern, "modern", "source", { rpl_semi_sync_source_enabled: "ON", rpl_semi_sync_source_wait_for_replica_count: "2" }) });

  it("desiredOf applies every default, and a standby never restarts an IO thread", () => {
    assert.deepEqual(desiredOf({ connection, role: "replica" }), { role: "replica", enabled: true, settings: {}, persist: false, restartIoThread: true, standby: false });
    assert.equal(desiredOf({ connection, role: "replica", standby: true, restartIoThread: true }).restartIoThread, false);
    assert.deepEqual(desiredOf({ connection, role: "source", timeoutMs: 5000, waitPoint: "AFTER_SYNC" }).settings, { timeoutMs: 5000, waitPoint: "AFTER_SYNC" });
  });

  it("clientsToCount: a source the component re-applies for its replicas counts every replica of its topology before its outputs are read", () => {
    const topology = {
      source: { ...connection },
      replicas: [
        { ...connection, host: "db2" },
        { ...connection, host: "db3" },
      ],
    };
    assert.equal(clientsToCount({ triggers: ["db2", "db3"], topology }, { role: "source", enabled: true }), 2);
    assert.equal(clientsToCount({ triggers: ["db2", "db3"], topology }, { role: "source", enabled: false }), undefined, "a source switched off counts no one");
    assert.equal(clientsToCount({ triggers: ["x"], topology }, { role: "replica", enabled: true }), undefined, "a replica has no clients");
    assert.equal(clientsToCount({ topology }, { role: "source", enabled: true }), undefined, "hand-wired: no replica set declared to the source");
    assert.equal(clientsToCount({ triggers: [] }, { role: "source", enabled: true }), undefined, "no topology");
  });

  it("needsClientsFirst: a source switched on, or asked to wait for more acknowledgements than now", () => {
    assert.equal(needsClientsFirst(sourceOff, "modern", desiredOf({ connection, role: "source" })), true);
    assert.equal(needsClientsFirst(sourceOn, "modern", desiredOf({ connection, role: "source" })), false);
    assert.equal(needsClientsFirst(sourceOn, "modern", desiredOf({ connection, role: "source", waitForReplicaCount: 2 })), false);
    assert.equal(needsClientsFirst(sourceOn, "modern", desiredOf({ connection, role: "source", waitForReplicaCount: 3 })), true);
    assert.equal(needsClientsFirst(sourceOff, "modern", desiredOf({ connection, role: "source", enabled: false })), false);
    assert.equal(needsClientsFirst(sourceOff, "modern", desiredOf({ connection, role: "replica" })), false);
  });

  it("requiredClientsOf: requiredClients, else waitForReplicaCount, else the server's count", () => {
    assert.equal(requiredClientsOf({ requiredClients: 0, waitForReplicaCount: 2 }, sourceOn, "modern"), 0);
    assert.equal(requiredClientsOf({ waitForReplicaCount: 3 }, sourceOn, "modern"), 3);
    assert.equal(requiredClientsOf({}, sourceOn, "modern"), 2);
  });

  it("needsPreflight: a plan that changes something, unless it only switches a replica off", () => {
    const statements = [{ sql: "SET GLOBAL rpl_semi_sync_source_enabled = ON", purpose: "" }];
    assert.equal(needsPreflight({ role: "source", enabled: true }, { statements }), true);
    assert.equal(needsPreflight({ role: "source", enabled: false }, { statements }), true);
    assert.equal(needsPreflight({ role: "replica", enabled: true }, { statements }), true);
    assert.equal(needsPreflight({ role: "replica", enabled: false }, { statements }), false);
    assert.equal(needsPreflight({ role: "source", enabled: true }, { statements: [] }), false);
  });

  it("drift: the switch, a replica not acknowledging or reconnecting, a setting, a persisted value", () => {
    const source: EnablementInputs = { connection, role: "source", timeoutMs: 10000 };
    assert.equal(enablementDrifted(enablementOutputs(), source), false);
    assert.equal(enablementDrifted(enablementOutputs({ enabledOnServer: false }), source), true);
    assert.equal(enablementDrifted(enablementOutputs({ effective: { timeoutMs: 5000 } }), source), true);
    const replica: EnablementInputs = { connection, role: "replica" };
    const replicaOuts = enablementOutputs({ role: "replica", effective: {}, ioThreadState: "Yes" });
    assert.equal(enablementDrifted(replicaOuts, replica), false);
    assert.equal(enablementDrifted({ ...replicaOuts, semisyncStatus: "OFF" }, replica), true);
    assert.equal(enablementDrifted({ ...replicaOuts, ioThreadState: "Connecting" }, replica), true);
    assert.equal(enablementDrifted({ ...replicaOuts, semisyncStatus: "OFF" }, { ...replica, restartIoThread: false }), false);
    const persisted = enablementOutputs({ persist: true, persistedSettings: {} });
    assert.equal(enablementDrifted(persisted, { ...source, persist: true }), true);
  });

  it("diffEnablement: a replaced role deletes first; the same inputs written out are no change", () => {
    const olds = enablementOutputs();
    assert.deepEqual(diffEnablement(olds, { connection, role: "replica" }).replaces, ["role"]);
    assert.equal(diffEnablement(olds, { connection, role: "source", enabled: true, persist: false, triggers: [] }).changes, false);
  });
});
