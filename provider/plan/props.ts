import { SETTING_SPECS, enabledVariable, sideNames } from "../flavors/names";
import { ObservedState, ResolvedTerminology, SemisyncMonitoring, SemisyncSettings, SettingKey } from "../types";
import { isOn } from "./enablement-plan";
import { monitoringOf } from "./monitoring";
import { EnablementInputs, PluginInputs } from "./inputs";
import { FoundState, settingsOn } from "./ownership";

export interface PluginOutputs extends PluginInputs {
  pluginName: string;
  /** Library file, or "" when semisync is built into the server. */
  pluginLibrary: string;
  /** `ACTIVE`, `BUILT-IN`, or after a refresh `ABSENT` or the server's status. */
  pluginStatus: string;
  builtIn: boolean;
  adopted: boolean;
  /**
   * Whether this side's `…_enabled` was ON when the resource was created (false where the plugin
   * was absent). Built-in semisync: found OFF, delete switches the side off if it is still on
   * (`planBuiltInTeardown`). State written before this output existed gets true at its next
   * update: what was found is unknown there, so delete leaves the switch to the enablement.
   * Always present: an absent output reads as unknown in a preview, and the component derives
   * an input from it.
   */
  foundEnabled?: boolean;
  activeTerminology: ResolvedTerminology;
  serverVersion: string;
  serverFlavor: string;
  /** The members (host:port) of the topology this resource was last applied with. */
  topologyMembers?: string[];
}

export interface EnablementOutputs extends EnablementInputs {
  activeTerminology: ResolvedTerminology;
  /** Whether `…_enabled` is ON on the server, as last observed. */
  enabledOnServer: boolean;
  /** The settings as the server reports them, by input name. */
  effective: SemisyncSettings;
  /** `Rpl_semi_sync_*_status`: ON while semisync is operating. */
  semisyncStatus: string;
  /** Source: `Rpl_semi_sync_*_clients`, the connected semisync replicas. */
  clients?: number;
  /**
   * Source: `Rpl_semi_sync_*_{no_tx,yes_tx,no_times,wait_sessions}` as read at the last create,
   * update or refresh. Never compared by `diff`: counters move with every commit.
   */
  monitoring?: SemisyncMonitoring;
  /** `[mysqld]` lines that make this state survive a restart without SET PERSIST. */
  optionFileLines: string[];
  /**
   * The `rpl_semi_sync_*` values the server keeps across a restart (mysqld-auto.cnf, read from
   * `performance_schema.persisted_variables`); absent where SET PERSIST does not exist.
   */
  persistedSettings?: Record<string, string>;
  /** Replica: `Replica_IO_Running` (`Yes`, `Connecting`, `No`) of the default channel. */
  ioThreadState?: string;
  managedSettings: SettingKey[];
  /** `…_enabled` was already ON when the resource was created: delete leaves it on. Absent in 0.1.0 state. */
  adopted?: boolean;
  /** What the server had when the resource was created: what delete puts back. Absent in 0.1.0 state. */
  found?: FoundState;
  serverVersion: string;
  serverFlavor: string;
  /** The members (host:port) of the topology this resource was last applied with. */
  topologyMembers?: string[];
}

/** What one input is to `diff`, and whether it is kept among the outputs. */
export type InputKind =
  /** A change points the resource at another thing: a replacement. */
  | { kind: "identity" }
  /** Credentials, TLS and bounds (`connectionChanged`): a change is an update in place, and no statement runs for it. */
  | { kind: "connection" }
  /** A change is an update; `absent` is what leaving it out means, so writing the default is no change. */
  | { kind: "compared"; absent: unknown }
  /** Read only before a change (the whole-topology preflight): never a change by itself, kept out of the outputs. */
  | { kind: "preflight" }
  /** Read only when the plugin is installed: an installed plugin is what it is, so never a change by itself. */
  | { kind: "install" };

/**
 * How a resource's provider treats its stored inputs, each with its kind. Typed over the inputs
 * interface, so an input added there and not here does not compile. (The keys a program may
 * write, and the outputs, are listed in types/input-keys.ts.)
 */
export interface PropsLayout<I> {
  inputs: Record<keyof I, InputKind>;
}

const identity: InputKind = { kind: "identity" };
const connection: InputKind = { kind: "connection" };
const preflight: InputKind = { kind: "preflight" };
const compared = (absent: unknown): InputKind => ({ kind: "compared", absent });

/** The declared source a replica's guard asks: compared, so new credentials reach the stored props. */
const declaredSource = { sourceConnection: compared(null), sourcePassword: compared(""), sourceTls: compared(null) };

/** Each setting of `SETTING_SPECS`: absent means "leave the server's value". */
const settings: Record<SettingKey, InputKind> = {
  timeoutMs: compared(undefined),
  waitForReplicaCount: compared(undefined),
  waitNoReplica: compared(undefined),
  waitPoint: compared(undefined),
  traceLevel: compared(undefined),
};

export const PLUGIN_PROPS: PropsLayout<PluginInputs> = {
  inputs: {
    connection,
    password: connection,
    tls: connection,
    role: identity,
    ...declaredSource,
    terminology: compared("automatic"),
    removeAdopted: compared(false),
    standby: compared(false),
    matchOtherSide: { kind: "install" },
    topology: preflight,
  },
};

export const ENABLEMENT_PROPS: PropsLayout<EnablementInputs> = {
  inputs: {
    connection,
    password: connection,
    tls: connection,
    role: identity,
    enabled: compared(true),
    removeAdopted: compared(false),
    persist: compared(false),
    restartIoThread: compared(true),
    replicaStatusTimeoutMs: compared(undefined),
    requiredClients: compared(undefined),
    clientsTimeoutMs: compared(undefined),
    triggers: compared([]),
    teardownByPlugin: compared(false),
    standby: compared(false),
    ...declaredSource,
    ...settings,
    topology: preflight,
  },
};

function keysOf<I>(layout: PropsLayout<I>, ...kinds: InputKind["kind"][]): (keyof I & string)[] {
  return (Object.entries(layout.inputs) as [keyof I & string, InputKind][]).filter(([, input]) => kinds.includes(input.kind)).map(([key]) => key);
}

/** The inputs whose change replaces the resource (besides the connection's host and port). */
export function identityKeys<I>(layout: PropsLayout<I>): (keyof I & string)[] {
  return keysOf(layout, "identity");
}

/** The compared inputs as one comparable text, each absent one as what its absence means. */
export function comparedValues<I>(layout: PropsLayout<I>, inputs: I): string {
  const values = (Object.entries(layout.inputs) as [keyof I, InputKind][]).flatMap(([key, input]) => (input.kind === "compared" ? [inputs[key] ?? input.absent ?? null] : []));
  return JSON.stringify(values);
}

/** The inputs without those that feed the preflight only: what the outputs start from. */
export function storedInputs<I extends object>(layout: PropsLayout<I>, inputs: I): I {
  const preflightOnly = new Set<string>(keysOf(layout, "preflight"));
  return Object.fromEntries(Object.entries(inputs).filter(([key]) => !preflightOnly.has(key))) as I;
}

/**
 * The inputs a refresh hands back, read from the stored props: every declared input that has a
 * value, nothing the provider added, nothing unknown to this release.
 */
export function inputsOfProps<I, O extends I>(layout: PropsLayout<I>, props: O): I {
  const inputs: Partial<I> = {};
  for (const key of Object.keys(layout.inputs) as (keyof I)[]) if (props[key] !== undefined) inputs[key] = props[key];
  return inputs as I;
}

/** The server a resource last ran against, as its outputs name it. */
export interface ServerIdentity {
  /** `@@version`. */
  version: string;
  /** The generation detected (`Flavor.id`). */
  flavor: string;
}

/** What an enablement stores after a change or a refresh: its inputs and the server as observed. */
export function enablementOutputs(inputs: EnablementInputs, observed: ObservedState, terminology: ResolvedTerminology, optionFileLines: string[], server: ServerIdentity): EnablementOutputs {
  const role = inputs.role;
  const names = sideNames(terminology, role);
  const effective: SemisyncSettings = settingsOn(role, observed, terminology);
  // The topology (every member's credentials) feeds the preflight only: kept out of the outputs,
  // so the state holds it once (in the inputs), not twice.
  const outputs: EnablementOutputs = {
    ...storedInputs(ENABLEMENT_PROPS, inputs),
    activeTerminology: terminology,
    enabledOnServer: isOn(observed.variables[enabledVariable(terminology, role)]),
    effective,
    semisyncStatus: (observed.status[names.statusVariable] ?? "OFF").toUpperCase(),
    optionFileLines,
    managedSettings: SETTING_SPECS.filter((s) => inputs[s.key] !== undefined).map((s) => s.key),
    adopted: false,
    serverVersion: server.version,
    serverFlavor: server.flavor,
  };
  if (names.clientsVariable) outputs.clients = Number(observed.status[names.clientsVariable] ?? 0);
  const monitoring = role === "source" ? monitoringOf(observed, terminology) : undefined;
  if (monitoring) outputs.monitoring = monitoring;
  if (observed.persisted) outputs.persistedSettings = { ...observed.persisted };
  if (role === "replica" && observed.channels) outputs.ioThreadState = observed.channels.length === 1 ? observed.channels[0].ioRunning : "";
  return outputs;
}
