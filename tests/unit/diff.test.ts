import * as assert from "node:assert/strict";
import { ENABLEMENT_PARTS, EnablementOutputs } from "../../provider/crud/enablement-provider";
import { PLUGIN_PARTS, PluginOutputs } from "../../provider/crud/plugin-provider";
import { sideProvider } from "../../provider/crud/side-provider";
import { EnablementInputs, PluginInputs } from "../../provider/plan/inputs";
import { pluginOutputs as storedPluginOutputs } from "./fixtures";

const ID = "mysql://db1:3306/semisync-x/source";

// The diff from the state alone: what the server reads now is live-diff.test.ts's part.
const semisyncPluginProvider = sideProvider({ ...PLUGIN_PARTS, live: undefined });
const semisyncEnablementProvider = sideProvider({ ...ENABLEMENT_PARTS, live: undefined });

function pluginOutputs(overrides: Partial<PluginOutputs> = {}): PluginOutputs {
  return storedPluginOutputs({ password: "secret", ...overrides });
}

function pluginInputs(olds: PluginOutputs, overrides: Partial<PluginInputs> = {}): PluginInputs {
  const inputs: PluginInputs = { connection: { ...olds.connection }, password: olds.password, role: olds.role };
  if (olds.terminology !== undefined) inputs.terminology = olds.terminology;
  return { ...inputs, ...overrides };
}

async function pluginDiff(olds: PluginOutputs, news: PluginInputs) {
  return semisyncPluginProvider.diff!(ID, olds, news);
}

describe("SemisyncPlugin diff", () => {
  it("reports no change when nothing changed", async () => {
    const olds = pluginOutputs();
    const result = await pluginDiff(olds, pluginInputs(olds));
    assert.equal(result.changes, false);
    assert.deepEqual(result.replaces ?? [], []);
  });

  it("reports no change when the port is left to its default of 3306 on both sides", async () => {
    const olds = pluginOutputs({ connection: { host: "db1", user: "semisync" } });
    const result = await pluginDiff(olds, pluginInputs(olds));
    assert.equal(result.changes, false);
  });

  it("replaces, deleting first, when the host changes", async () => {
    const olds = pluginOutputs();
    const result = await pluginDiff(olds, pluginInputs(olds, { connection: { ...olds.connection, host: "db2" } }));
    assert.equal(result.changes, true);
    assert.deepEqual(result.replaces, ["connection.host"]);
    assert.equal(result.deleteBeforeReplace, true);
  });

  it("replaces, deleting first, when the port changes", async () => {
    const olds = pluginOutputs();
    const result = await pluginDiff(olds, pluginInputs(olds, { connection: { ...olds.connection, port: 3307 } }));
    assert.equal(result.changes, true);
    assert.deepEqual(result.replaces, ["connection.port"]);
    assert.equal(result.deleteBeforeReplace, true);
  });

  it("replaces, deleting first, when the role changes", async () => {
    const olds = pluginOutputs();
    const result = await pluginDiff(olds, pluginInputs(olds, { role: "replica" }));
    assert.equal(result.changes, true);
    assert.deepEqual(result.replaces, ["role"]);
    assert.equal(result.deleteBeforeReplace, true);
  });

  it("updates in place when only the password changes", async () => {
    const olds = pluginOutputs();
    const result = await pluginDiff(olds, pluginInputs(olds, { password: "rotated" }));
    assert.equal(result.changes, true);
    assert.deepEqual(result.replaces ?? [], []);
  });

  it("updates in place when only the user changes", async () => {
    const olds = pluginOutputs();
    const result = await pluginDiff(olds, pluginInputs(olds, { connection: { ...olds.connection, user: "other" } }));
    assert.equal(result.changes, true);
    assert.deepEqual(result.replaces ?? [], []);
  });

  it("replaces when terminology is pinned to legacy while modern is active", async () => {
    const olds = pluginOutputs();
    const result = await pluginDiff(olds, pluginInputs(olds, { terminology: "legacy" }));
    assert.equal(result.changes, true);
    assert.deepEqual(result.replaces, ["terminology"]);
    assert.equal(result.deleteBeforeReplace, true);
  });

  it("replaces when terminology is pinned to modern while the adopted legacy plugin is active", async () => {
    const olds = pluginOutputs({ pluginName: "rpl_semi_sync_master", activeTerminology: "legacy", adopted: true, serverVersion: "8.4.3", serverFlavor: "mysql-8.4" });
    const result = await pluginDiff(olds, pluginInputs(olds, { terminology: "modern" }));
    assert.deepEqual(result.replaces, ["terminology"]);
  });

  it("updates without replacing when terminology is pinned to the active one", async () => {
    const olds = pluginOutputs();
    const result = await pluginDiff(olds, pluginInputs(olds, { terminology: "modern" }));
    assert.equal(result.changes, true);
    assert.deepEqual(result.replaces ?? [], []);
  });

  it("does not replace when a pinned terminology goes back to automatic", async () => {
    const olds = pluginOutputs({ terminology: "modern" });
    const result = await pluginDiff(olds, pluginInputs(olds, { terminology: "automatic" }));
    assert.deepEqual(result.replaces ?? [], []);
  });

  it("reports a change when a refresh found the plugin ABSENT", async () => {
    const olds = pluginOutputs({ pluginStatus: "ABSENT" });
    const result = await pluginDiff(olds, pluginInputs(olds));
    assert.equal(result.changes, true);
  });

  it("reports no change for a built-in MariaDB plugin", async () => {
    const olds = pluginOutputs({ pluginName: "rpl_semi_sync_master", pluginLibrary: "", pluginStatus: "BUILT-IN", builtIn: true, activeTerminology: "legacy" });
    const result = await pluginDiff(olds, pluginInputs(olds));
    assert.equal(result.changes, false);
  });
});

function enablementOutputs(overrides: Partial<EnablementOutputs> = {}): EnablementOutputs {
  return {
    connection: { host: "db1", port: 3306, user: "semisync" },
    password: "secret",
    role: "source",
    enabled: true,
    timeoutMs: 5000,
    activeTerminology: "modern",
    enabledOnServer: true,
    effective: { timeoutMs: 5000, waitForReplicaCount: 1, waitNoReplica: true, waitPoint: "AFTER_SYNC", traceLevel: 32 },
    semisyncStatus: "ON",
    clients: 1,
    optionFileLines: ["rpl_semi_sync_source_enabled=ON", "rpl_semi_sync_source_timeout=5000"],
    managedSettings: ["timeoutMs"],
    serverVersion: "9.7.4",
    serverFlavor: "mysql-9.5",
    ...overrides,
  };
}

function replicaOutputs(overrides: Partial<EnablementOutputs> = {}): EnablementOutputs {
  return enablementOutputs({
    role: "replica",
    timeoutMs: undefined,
    effective: { traceLevel: 32 },
    clients: undefined,
    optionFileLines: ["rpl_semi_sync_replica_enabled=ON"],
    managedSettings: [],
    ...overrides,
  });
}

/** The inputs part of the outputs, as the program would declare them again. */
function enablementInputs(olds: EnablementOutputs, overrides: Partial<EnablementInputs> = {}): EnablementInputs {
  const {
    activeTerminology: _t,
    enabledOnServer: _e,
    effective: _f,
    semisyncStatus: _s,
    clients: _c,
    monitoring: _mo,
    optionFileLines: _o,
    persistedSettings: _ps,
    ioThreadState: _io,
    managedSettings: _m,
    serverVersion: _v,
    serverFlavor: _fl,
    ...inputs
  } = olds;
  const news: EnablementInputs = { ...inputs, connection: { ...inputs.connection }, ...overrides };
  for (const key of Object.keys(news) as (keyof EnablementInputs)[]) if (news[key] === undefined) delete news[key];
  return news;
}

async function enablementDiff(olds: EnablementOutputs, news: EnablementInputs) {
  return semisyncEnablementProvider.diff!(ID, olds, news);
}

describe("SemisyncEnablement diff", () => {
  it("reports no change when nothing changed and the server matches", async () => {
    const olds = enablementOutputs();
    const result = await enablementDiff(olds, enablementInputs(olds));
    assert.equal(result.changes, false);
    assert.deepEqual(result.replaces ?? [], []);
  });

  it("replaces, deleting first, when the host changes", async () => {
    const olds = enablementOutputs();
    const result = await enablementDiff(olds, enablementInputs(olds, { connection: { ...olds.connection, host: "db2" } }));
    assert.deepEqual(result.replaces, ["connection.host"]);
    assert.equal(result.deleteBeforeReplace, true);
    assert.equal(result.changes, true);
  });

  it("replaces, deleting first, when the port changes", async () => {
    const olds = enablementOutputs();
    const result = await enablementDiff(olds, enablementInputs(olds, { connection: { ...olds.connection, port: 3310 } }));
    assert.deepEqual(result.replaces, ["connection.port"]);
    assert.equal(result.deleteBeforeReplace, true);
  });

  it("replaces, deleting first, when the role changes", async () => {
    const olds = enablementOutputs();
    const result = await enablementDiff(olds, enablementInputs(olds, { role: "replica", timeoutMs: undefined }));
    assert.deepEqual(result.replaces, ["role"]);
    assert.equal(result.deleteBeforeReplace, true);
  });

  it("updates in place when only the password changes", async () => {
    const olds = enablementOutputs();
    const result = await enablementDiff(olds, enablementInputs(olds, { password: "rotated" }));
    assert.equal(result.changes, true);
    assert.deepEqual(result.replaces ?? [], []);
  });

  it("updates in place when only the user changes", async () => {
    const olds = enablementOutputs();
    const result = await enablementDiff(olds, enablementInputs(olds, { connection: { ...olds.connection, user: "other" } }));
    assert.equal(result.changes, true);
    assert.deepEqual(result.replaces ?? [], []);
  });

  it("updates in place when a setting's declared value changes", async () => {
    const olds = enablementOutputs();
    const result = await enablementDiff(olds, enablementInputs(olds, { timeoutMs: 7000 }));
    assert.equal(result.changes, true);
    assert.deepEqual(result.replaces ?? [], []);
  });

  it("updates in place when persist is switched on", async () => {
    const olds = enablementOutputs();
    const result = await enablementDiff(olds, enablementInputs(olds, { persist: true }));
    assert.equal(result.changes, true);
    assert.deepEqual(result.replaces ?? [], []);
  });

  it("reports drift when …_enabled was found OFF while enabled is declared", async () => {
    const olds = enablementOutputs({ enabledOnServer: false });
    const result = await enablementDiff(olds, enablementInputs(olds));
    assert.equal(result.changes, true);
    assert.deepEqual(result.replaces ?? [], []);
  });

  it("reports drift when …_enabled was found ON while enabled: false is declared", async () => {
    const olds = enablementOutputs({ enabled: false, enabledOnServer: true });
    const result = await enablementDiff(olds, enablementInputs(olds));
    assert.equal(result.changes, true);
  });

  it("reports drift when the effective timeoutMs differs from the declared one", async () => {
    const olds = enablementOutputs({ effective: { timeoutMs: 10_000, waitForReplicaCount: 1, waitNoReplica: true, waitPoint: "AFTER_SYNC", traceLevel: 32 } });
    const result = await enablementDiff(olds, enablementInputs(olds));
    assert.equal(result.changes, true);
    assert.deepEqual(result.replaces ?? [], []);
  });

  it("reports no change for a declared timeoutMs of 1e18 that the server reported as 1000000000000000000", async () => {
    const olds = enablementOutputs({ timeoutMs: 1e18, effective: { timeoutMs: Number("1000000000000000000"), waitForReplicaCount: 1, waitNoReplica: true, waitPoint: "AFTER_SYNC", traceLevel: 32 } });
    const result = await enablementDiff(olds, enablementInputs(olds));
    assert.equal(result.changes, false);
  });

  it("never reports a change for the monitoring counters, however far they moved", async () => {
    const olds = enablementOutputs({ monitoring: { noTx: 7, yesTx: 123_456, noTimes: 3, waitSessions: 2 } });
    const news = enablementInputs(enablementOutputs({ monitoring: { noTx: 0, yesTx: 0, noTimes: 0, waitSessions: 0 } }));
    assert.equal((await enablementDiff(olds, news)).changes, false);
  });

  it("ignores effective values of settings that are not declared", async () => {
    const olds = enablementOutputs({ effective: { timeoutMs: 5000, waitForReplicaCount: 3, waitNoReplica: false, waitPoint: "AFTER_COMMIT", traceLevel: 1 } });
    const result = await enablementDiff(olds, enablementInputs(olds));
    assert.equal(result.changes, false);
  });

  it("reports drift when a replica's semisync status is OFF while it is enabled", async () => {
    const olds = replicaOutputs({ semisyncStatus: "OFF" });
    const result = await enablementDiff(olds, enablementInputs(olds));
    assert.equal(result.changes, true);
  });

  it("reports no change for an enabled replica whose semisync status is ON", async () => {
    const olds = replicaOutputs();
    const result = await enablementDiff(olds, enablementInputs(olds));
    assert.equal(result.changes, false);
  });

  it("ignores a replica's OFF status when restartIoThread is false", async () => {
    const olds = replicaOutputs({ semisyncStatus: "OFF", restartIoThread: false });
    const result = await enablementDiff(olds, enablementInputs(olds));
    assert.equal(result.changes, false);
  });

  it("does not count a source's semisync status OFF alone as drift", async () => {
    const olds = enablementOutputs({ semisyncStatus: "OFF", clients: 0 });
    const result = await enablementDiff(olds, enablementInputs(olds));
    assert.equal(result.changes, false);
  });
  it("reports drift when a replica's IO thread is Connecting (a connect retry after a source restart)", async () => {
    const olds = replicaOutputs({ ioThreadState: "Connecting" });
    assert.equal((await enablementDiff(olds, enablementInputs(olds))).changes, true);
  });

  it("ignores a Connecting IO thread when restartIoThread is false or the replica is declared off", async () => {
    const kept = replicaOutputs({ ioThreadState: "Connecting", restartIoThread: false });
    assert.equal((await enablementDiff(kept, enablementInputs(kept))).changes, false);
    const off = replicaOutputs({ ioThreadState: "Connecting", enabled: false, enabledOnServer: false, semisyncStatus: "OFF" });
    assert.equal((await enablementDiff(off, enablementInputs(off))).changes, false);
  });

  it("reports drift when a persisted tunable was removed behind Pulumi's back (persist: true)", async () => {
    const olds = enablementOutputs({ persist: true, persistedSettings: {} });
    assert.equal((await enablementDiff(olds, enablementInputs(olds))).changes, true);
  });

  it("reports drift when the source's switch was persisted behind Pulumi's back (persist: true)", async () => {
    const olds = enablementOutputs({ persist: true, persistedSettings: { rpl_semi_sync_source_timeout: "5000", rpl_semi_sync_source_enabled: "ON" } });
    assert.equal((await enablementDiff(olds, enablementInputs(olds))).changes, true);
  });

  it("reports no change when the persisted values are what persist: true leaves behind", async () => {
    const source = enablementOutputs({ persist: true, persistedSettings: { rpl_semi_sync_source_timeout: "5000" } });
    assert.equal((await enablementDiff(source, enablementInputs(source))).changes, false);
    const replica = replicaOutputs({ persist: true, persistedSettings: { rpl_semi_sync_replica_enabled: "ON" }, ioThreadState: "Yes" });
    assert.equal((await enablementDiff(replica, enablementInputs(replica))).changes, false);
  });

  it("ignores persisted values when persist is false (a DBA's own SET PERSIST is theirs)", async () => {
    const olds = enablementOutputs({ persistedSettings: { rpl_semi_sync_source_enabled: "ON" } });
    assert.equal((await enablementDiff(olds, enablementInputs(olds))).changes, false);
  });
});

describe("diff during preview, with values not known yet", () => {
  const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
  const olds = {
    connection: { host: "db1", port: 3306, user: "admin" },
    role: "source",
    terminology: "automatic",
    pluginName: "rpl_semi_sync_source",
    pluginStatus: "ACTIVE",
    activeTerminology: "modern",
  } as unknown as PluginOutputs;

  it("an unknown connection is a change, not a replacement", async () => {
    const result = await semisyncPluginProvider.diff!("id", olds, { connection: UNKNOWN, role: "source" } as unknown as PluginInputs);
    assert.equal(result.changes, true);
    assert.deepEqual(result.replaces, []);
  });

  it("an unknown host, role or terminology is a change, not a replacement", async () => {
    const result = await semisyncPluginProvider.diff!("id", olds, { connection: { host: UNKNOWN, port: 3306, user: "admin" }, role: UNKNOWN, terminology: UNKNOWN } as unknown as PluginInputs);
    assert.equal(result.changes, true);
    assert.deepEqual(result.replaces, []);
  });
});
