import { onSession } from "../../provider/crud/server";
import { Connect } from "../../provider/crud/side-provider";
import { enabledVariable, sideNames } from "../../provider/flavors/names";
import { Credentials, connectionSettings } from "../../provider/plan/inputs";
import { Row, Session, serverLabel } from "../../provider/sql/connection";
import { ObservedState, ResolvedTerminology } from "../../provider/types";
import { applyToState, flavorOf, VersionLabel } from "./fixtures";

/**
 * A server for the crud code's unit tests: a `Session` that answers the statements `observe`
 * sends from an `ObservedState`, and applies the statements the plans send to it (`applyToState`,
 * which refuses any shape it does not know, and UNINSTALL PLUGIN). No network: the code under test runs as it does
 * against a server, through `onSession`.
 */
export interface FakeServer {
  /** The server's state now; tests may change it between calls. */
  state: ObservedState;
  /** Every statement the session ran, in order. */
  ran: string[];
  /** Run after each write: what the server does on its own (an ACK thread that fails to start, …). */
  afterWrite?: (sql: string, state: ObservedState) => void;
  /** A driver error for a statement, or undefined to run it. */
  failing?: (sql: string) => Error | undefined;
  session: Session;
  /** `onServer`'s stand-in: every credentials given reach this one server. */
  connect: Connect;
}

export function fakeServer(label: VersionLabel, state: ObservedState, terminology: ResolvedTerminology, server = "fake:3306"): FakeServer {
  const flavor = flavorOf(label);
  const fake: FakeServer = {
    state,
    ran: [],
    session: {
      server,
      async query(sql: string, values?: unknown[]): Promise<Row[]> {
        fake.ran.push(sql);
        const failure = fake.failing?.(sql);
        if (failure) throw failure;
        const read = answer(fake.state, sql, values, flavor.replicaStatusStatement);
        if (read) return read;
        const uninstall = /^UNINSTALL PLUGIN (\w+)$/.exec(sql);
        if (uninstall) fake.state.plugins = fake.state.plugins.filter((p) => p.name !== uninstall[1]);
        else fake.state = applyToState(fake.state, [{ sql, purpose: "" }], flavor, terminology);
        fake.afterWrite?.(sql, fake.state);
        return [];
      },
    },
    connect: (_credentials: Credentials, work) => onSession(server, (use) => use(fake.session), work),
  };
  return fake;
}

/** A `connect` that fails as an unreachable server does, and counts its calls. */
export function unreachable(code = "ECONNREFUSED"): Connect & { calls: number } {
  const connect = (async (credentials: Credentials) => {
    connect.calls++;
    const label = serverLabel(connectionSettings(credentials.connection));
    await onSession(
      label,
      async () => {
        throw Object.assign(new Error(`connect ${code} ${label}`), { code });
      },
      async () => undefined,
    );
  }) as unknown as Connect & { calls: number };
  connect.calls = 0;
  return connect;
}

/** A `connect` that must not be called: a delete that leaves the server alone reaches none. */
export function noServer(): Connect & { calls: number } {
  const connect = (async () => {
    connect.calls++;
    throw new Error("no server should be contacted");
  }) as unknown as Connect & { calls: number };
  connect.calls = 0;
  return connect;
}

const nameValue = (values: Record<string, string>, like: RegExp) =>
  Object.entries(values)
    .filter(([name]) => like.test(name))
    .map(([Variable_name, Value]) => ({ Variable_name, Value }));

function answer(state: ObservedState, sql: string, values: unknown[] | undefined, replicaStatus: string): Row[] | undefined {
  if (sql.startsWith("SELECT @@version AS version")) {
    const { version, versionComment, compileOs, compileMachine, haveDynamicLoading, pluginDir, serverId } = state.facts;
    return [{ version, versionComment, compileOs, compileMachine, haveDynamicLoading, pluginDir, serverId: serverId ?? 1 }];
  }
  if (/FROM information_schema\.PLUGINS/.test(sql)) return state.plugins.map((p) => ({ pluginName: p.name, pluginStatus: p.status, pluginLibrary: p.library }));
  if (sql === "SHOW GLOBAL VARIABLES LIKE 'rpl\\_semi\\_sync\\_%'") return nameValue(state.variables, /^rpl_semi_sync_/);
  if (sql === "SHOW GLOBAL STATUS LIKE 'Rpl\\_semi\\_sync\\_%'") return nameValue(state.status, /^Rpl_semi_sync_/);
  if (sql === "SHOW GLOBAL STATUS LIKE ?") return nameValue(state.status, new RegExp(`^${String(values?.[0])}$`));
  if (/FROM performance_schema\.persisted_variables/.test(sql)) return nameValue(state.persisted ?? {}, /^rpl_semi_sync_/);
  if (sql === replicaStatus) {
    return (state.channels ?? []).map((c) => ({
      Channel_Name: c.name,
      Replica_IO_Running: c.ioRunning,
      Replica_SQL_Running: c.sqlRunning,
      Source_Host: c.sourceHost,
      Source_Port: c.sourcePort,
      Last_IO_Error: c.lastIoError,
      Last_IO_Errno: c.lastIoErrno ?? 0,
      Replica_IO_State: c.ioState ?? "",
      Source_Server_Id: c.sourceServerId ?? 0,
    }));
  }
  return undefined;
}

/** What a replica's server reports once its IO thread is past the semisync handshake. */
export function registeredReplica(state: ObservedState, terminology: ResolvedTerminology): void {
  state.status[sideNames(terminology, "replica").statusVariable] = state.variables[enabledVariable(terminology, "replica")] === "ON" ? "ON" : "OFF";
  for (const channel of state.channels ?? []) channel.ioState = "Waiting for source to send event";
}
