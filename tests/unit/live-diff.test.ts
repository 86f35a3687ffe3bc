import * as assert from "node:assert/strict";
import { ENABLEMENT_PARTS } from "../../provider/crud/enablement-provider";
import { PLUGIN_PARTS } from "../../provider/crud/plugin-provider";
import { Connect, DIFF_STATEMENT_MS, sideProvider } from "../../provider/crud/side-provider";
import { enabledVariable, sideNames, variableName } from "../../provider/flavors/names";
import { diffEnablement, diffPlugin } from "../../provider/plan/diff";
import { Credentials, EnablementInputs, PluginInputs, UNKNOWN } from "../../provider/plan/inputs";
import { liveEnablement, livePlugin } from "../../provider/plan/live";
import { EnablementOutputs, PluginOutputs, enablementOutputs } from "../../provider/plan/props";
import { ObservedState, ResolvedTerminology, Role } from "../../provider/types";
import { fakeServer, noServer, unreachable } from "./fake-session";
import { VersionLabel, defaultChannel, flavorOf, observedOn, pluginRow, pluginVariables, warningsOf } from "./fixtures";

/*
 * Issue 19, item 7: the diff reads what a restart or a hand undid (plan/live.ts), per generation.
 * Each case starts from the outputs the provider records after an `up` (`enablementOutputs` of
 * the server as applied), then changes the server as a restart, a hand or plain traffic does.
 */

const FLAVORS: VersionLabel[] = ["MySQL 5.7", "MySQL 8.0.25", "MySQL 8.0.26", "MySQL 8.4", "MySQL 9.7", "MariaDB 11.8"];
const TIMEOUT_MS = 5_000;
const PASSWORD = "s3cret-never-shown";

function inputs(role: Role, overrides: Partial<EnablementInputs> = {}): EnablementInputs {
  return { connection: { host: "127.0.0.1", port: 3306, user: "semisync" }, password: PASSWORD, role, timeoutMs: role === "source" ? TIMEOUT_MS : undefined, ...overrides };
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** A server of `label` as an `up` leaves it: the side's plugin loaded and switched on, a replica registered. */
function applied(label: VersionLabel, role: Role): { observed: ObservedState; terminology: ResolvedTerminology } {
  const flavor = flavorOf(label);
  const terminology = flavor.terminologies[0];
  const names = sideNames(terminology, role);
  const variables = pluginVariables(flavor, terminology, role, {
    [enabledVariable(terminology, role)]: "ON",
    ...(role === "source" ? { [variableName(terminology, "source", "timeout")]: String(TIMEOUT_MS) } : {}),
  });
  const status: Record<string, string> = { [names.statusVariable]: "ON" };
  if (names.clientsVariable) status[names.clientsVariable] = "2";
  const observed = observedOn(label, {
    plugins: flavor.builtIn ? [] : [pluginRow(names.plugin)],
    variables,
    status,
    ...(role === "replica" ? { channels: [defaultChannel()] } : {}),
  });
  return { observed, terminology };
}

function recorded(label: VersionLabel, role: Role, declared: EnablementInputs = inputs(role)): { olds: EnablementOutputs; observed: ObservedState; news: EnablementInputs } {
  const { observed, terminology } = applied(label, role);
  const news = withoutUndefined(declared);
  const olds = enablementOutputs(news, observed, terminology, [], { version: observed.facts.version, flavor: flavorOf(label).id });
  return { olds, observed, news };
}

function pluginRecorded(label: VersionLabel, role: Role): { olds: PluginOutputs; news: PluginInputs } {
  const flavor = flavorOf(label);
  const terminology = flavor.terminologies[0];
  const news: PluginInputs = { connection: { host: "127.0.0.1", port: 3306, user: "semisync" }, password: PASSWORD, role };
  const olds: PluginOutputs = {
    ...news,
    pluginName: sideNames(terminology, role).plugin,
    pluginLibrary: flavor.builtIn ? "" : `${sideNames(terminology, role).plugin}.so`,
    pluginStatus: flavor.builtIn ? "BUILT-IN" : "ACTIVE",
    builtIn: flavor.builtIn,
    adopted: false,
    foundEnabled: false,
    activeTerminology: terminology,
    serverVersion: "x",
    serverFlavor: flavor.id,
  };
  return { olds, news };
}

const changes = (olds: EnablementOutputs, observed: ObservedState, news: EnablementInputs) => diffEnablement(liveEnablement(olds, observed), news).changes;

describe("the diff reads the server (plan/live.ts), per generation", () => {
  for (const label of FLAVORS) {
    const flavor = flavorOf(label);
    const terminology = flavor.terminologies[0];

    describe(label, () => {
      it("a server as the last up left it plans nothing, for either side", () => {
        for (const role of ["source", "replica"] as const) {
          const { olds, observed, news } = recorded(label, role);
          assert.equal(changes(olds, observed, news), false, role);
        }
      });

      it("a source restarted without persist (switch OFF, timeout back to its default) plans an update", () => {
        const { olds, observed, news } = recorded(label, "source");
        observed.variables[enabledVariable(terminology, "source")] = "OFF";
        observed.variables[variableName(terminology, "source", "timeout")] = "10000";
        assert.equal(changes(olds, observed, news), true);
        assert.equal(liveEnablement(olds, observed).enabledOnServer, false);
      });

      it("a source's own status, clients and counters moving with traffic plan nothing", () => {
        const { olds, observed, news } = recorded(label, "source");
        const names = sideNames(terminology, "source");
        observed.status[names.statusVariable] = "OFF";
        if (names.clientsVariable) observed.status[names.clientsVariable] = "0";
        observed.status[`${names.statusVariable.replace(/status$/, "")}yes_tx`] = "12345";
        assert.equal(changes(olds, observed, news), false);
        const live = liveEnablement(olds, observed);
        assert.deepEqual([live.semisyncStatus, live.clients, live.monitoring], [olds.semisyncStatus, olds.clients, olds.monitoring], "kept as recorded");
      });

      it("a replica whose IO thread waits out a connect retry, or whose semisync status is OFF, plans an update", () => {
        const connecting = recorded(label, "replica");
        connecting.observed.channels = [defaultChannel({ ioRunning: "Connecting" })];
        assert.equal(changes(connecting.olds, connecting.observed, connecting.news), true, "connect retry");
        const off = recorded(label, "replica");
        off.observed.status[sideNames(terminology, "replica").statusVariable] = "OFF";
        assert.equal(changes(off.olds, off.observed, off.news), true, "status OFF");
      });

      it("a replica declared off plans nothing for its IO thread or status", () => {
        const { olds, observed, news } = recorded(label, "replica", inputs("replica", { enabled: false }));
        observed.variables[enabledVariable(terminology, "replica")] = "OFF";
        observed.status[sideNames(terminology, "replica").statusVariable] = "OFF";
        observed.channels = [defaultChannel({ ioRunning: "Connecting" })];
        assert.equal(changes({ ...olds, enabledOnServer: false, semisyncStatus: "OFF" }, observed, news), false);
      });

      if (flavor.builtIn) {
        it("built-in semisync: the plugin reads BUILT-IN and plans nothing", () => {
          const { olds, news } = pluginRecorded(label, "source");
          assert.equal(livePlugin(olds, [], flavor).pluginStatus, "BUILT-IN");
          assert.equal(diffPlugin(livePlugin(olds, [], flavor), news).changes, false);
        });
      } else {
        it("a plugin uninstalled behind Pulumi's back reads ABSENT and plans an update; its enablement reads switched off", () => {
          for (const role of ["source", "replica"] as const) {
            const { olds, news } = pluginRecorded(label, role);
            assert.equal(diffPlugin(livePlugin(olds, [pluginRow(olds.pluginName)], flavor), news).changes, false, `${role}: installed`);
            assert.equal(livePlugin(olds, [], flavor).pluginStatus, "ABSENT");
            assert.equal(diffPlugin(livePlugin(olds, [], flavor), news).changes, true, `${role}: uninstalled`);
            const enablement = recorded(label, role);
            const gone: ObservedState = { ...enablement.observed, plugins: [], variables: {}, status: {} };
            assert.equal(changes(enablement.olds, gone, enablement.news), true, `${role}: enablement`);
          }
        });
      }
    });
  }

  it("with persist, a RESET PERSIST behind Pulumi's back plans an update; without persist, mysqld-auto.cnf is not compared", () => {
    const declared = inputs("source", { persist: true });
    const { olds, observed, news } = recorded("MySQL 9.7", "source", declared);
    const kept = { ...observed, persisted: { rpl_semi_sync_source_timeout: String(TIMEOUT_MS) } };
    assert.equal(changes({ ...olds, persistedSettings: kept.persisted }, kept, news), false);
    assert.equal(changes({ ...olds, persistedSettings: kept.persisted }, { ...observed, persisted: {} }, news), true);
    const plain = recorded("MySQL 9.7", "source");
    assert.equal(changes(plain.olds, { ...plain.observed, persisted: {} }, plain.news), false);
  });
});

describe("the providers' diff reads the server only when it can matter, and only reads", () => {
  const ID = "mysql://127.0.0.1:3306/semisync-enablement/source";

  it("a restarted source: the diff plans an update, and every statement it ran was a read under the short bound", async () => {
    const { olds, observed, news } = recorded("MySQL 9.7", "source");
    observed.variables.rpl_semi_sync_source_enabled = "OFF";
    const server = fakeServer("MySQL 9.7", observed, "modern", "127.0.0.1:3306");
    const bounds: number[] = [];
    const connect: Connect = (credentials, work) => {
      bounds.push(credentials.connection.statementTimeoutMs!);
      return server.connect(credentials, work);
    };
    const result = await sideProvider(ENABLEMENT_PARTS, connect).diff!(ID, olds, news);
    assert.equal(result.changes, true);
    assert.deepEqual(result.replaces, []);
    assert.ok(server.ran.length > 0);
    for (const sql of server.ran) assert.match(sql, /^(SELECT|SHOW) /, "no side effect");
    assert.deepEqual(bounds, [DIFF_STATEMENT_MS]);
    assert.equal(server.state.variables.rpl_semi_sync_source_enabled, "OFF", "the diff switched nothing on");
  });

  it("a server as recorded plans nothing; the plugin's diff reads its row in one statement besides the facts", async () => {
    const { olds, observed, news } = recorded("MySQL 9.7", "source");
    observed.plugins = [pluginRow("rpl_semi_sync_source")];
    const server = fakeServer("MySQL 9.7", observed, "modern", "127.0.0.1:3306");
    assert.equal((await sideProvider(ENABLEMENT_PARTS, server.connect).diff!(ID, olds, news)).changes, false);
    server.ran.length = 0;
    const plugin = pluginRecorded("MySQL 9.7", "source");
    assert.equal((await sideProvider(PLUGIN_PARTS, server.connect).diff!(ID, plugin.olds, plugin.news)).changes, false);
    assert.equal(server.ran.length, 2, server.ran.join("; "));
    server.state.plugins = [];
    assert.equal((await sideProvider(PLUGIN_PARTS, server.connect).diff!(ID, plugin.olds, plugin.news)).changes, true, "uninstalled by hand");
  });

  it("a change the state already plans, a replacement, or credentials unknown in a preview contact no server", async () => {
    const { olds, news } = recorded("MySQL 9.7", "source");
    const connect = noServer();
    const provider = sideProvider(ENABLEMENT_PARTS, connect);
    assert.equal((await provider.diff!(ID, olds, { ...news, timeoutMs: 2_000 })).changes, true);
    assert.deepEqual((await provider.diff!(ID, olds, { ...news, connection: { ...news.connection, port: 3307 } })).replaces, ["connection.port"]);
    const unknownPassword = await provider.diff!(ID, olds, { ...news, password: UNKNOWN });
    assert.equal(unknownPassword.changes, true, "an unknown input is a change already");
    assert.equal(connect.calls, 0);
    // A known connection whose TLS options come from another resource: nothing is read either.
    const unknownTls = { ...news, tls: UNKNOWN } as unknown as EnablementInputs;
    await provider.diff!(ID, { ...olds, tls: UNKNOWN } as unknown as EnablementOutputs, unknownTls);
    assert.equal(connect.calls, 0);
  });

  it("an unreachable server: the diff plans from the state, with one warning naming the server and never the password", async () => {
    const { olds, news } = recorded("MySQL 9.7", "source");
    const down = { ...news, connection: { ...news.connection, host: "127.0.0.9", port: 3399 } } as Credentials & EnablementInputs;
    const downOlds = { ...olds, connection: down.connection };
    const connect = unreachable();
    const provider = sideProvider(ENABLEMENT_PARTS, connect);
    const warnings = await warningsOf(async () => {
      assert.equal((await provider.diff!(ID, downOlds, down)).changes, false);
      assert.equal((await provider.diff!(ID, downOlds, down)).changes, false);
    });
    assert.equal(connect.calls, 2);
    assert.equal(warnings.length, 1, warnings.join(""));
    assert.match(warnings[0], /^warning: \[127\.0\.0\.9:3399\] unreachable \(.*ECONNREFUSED.*\) while planning: /);
    assert.ok(!warnings[0].includes(PASSWORD));
  });
});
