import type * as pulumi from "@pulumi/pulumi";
import { Flavor } from "../flavors/generations";
import { SETTING_SPECS, enabledVariable, sideNames, variableName } from "../flavors/names";
import { EnablementDesired, EnablementPlan, EnablementPrevious, installedTerminology, isOn, planEnablement, settingsNotStored } from "../plan/enablement-plan";
import { DEFAULT_CLIENTS_TIMEOUT_MS, DEFAULT_REPLICA_STATUS_TIMEOUT_MS, EnablementInputs, checkEnablementInputs, connectionSettings } from "../plan/inputs";
import { FoundState, foundOn, settingsOn, teardownOf } from "../plan/ownership";
import { replicaRegistration } from "../plan/replica-registration";
import { ioRestartStatements } from "../plan/replica-statements";
import { isReconnecting, persistedDrift } from "../plan/restart-policy";
import { serverLabel } from "../sql/connection";
import { driverMessage, isUnreachable, semisyncError } from "../sql/errors";
import { ObservedState, ResolvedTerminology, SemisyncMonitoring, SemisyncSettings, SettingKey } from "../types";
import { monitoringOf } from "../plan/monitoring";
import { connectionChanged, hasUnknowns, identityChanged } from "./diff-helpers";
import { ServerContext, onServer, pollUntil, resourceId } from "./server";
import { applyPlan, waitCountVariable } from "./source-guard";
import { engineWarning, reportingOnce } from "./engine-report";
import { appliedTopology, claim, keptReplica, liveTopologies, membersOf, takenOver } from "./takeovers";
import { removedFromLiveTopology } from "../plan/removed-member";
import { preflightTopology } from "./preflight";

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

function desiredOf(inputs: EnablementInputs): EnablementDesired {
  const settings: SemisyncSettings = {};
  for (const spec of SETTING_SPECS) if (inputs[spec.key] !== undefined) (settings as Record<string, unknown>)[spec.key] = inputs[spec.key];
  return {
    role: inputs.role,
    enabled: inputs.enabled ?? true,
    settings,
    persist: inputs.persist ?? false,
    // A standby has no replication of ours to restart: its switch takes effect when it is pointed at a source.
    restartIoThread: inputs.standby !== true && (inputs.restartIoThread ?? true),
    standby: inputs.standby === true,
  };
}

function previousOf(olds: EnablementOutputs | undefined): EnablementPrevious | undefined {
  if (!olds) return undefined;
  const restoreTo = olds.removeAdopted ? undefined : olds.found?.settings;
  return { managedSettings: olds.managedSettings ?? [], persisted: olds.persist ?? false, restoreTo };
}

async function converge(inputs: EnablementInputs, olds?: EnablementOutputs): Promise<EnablementOutputs> {
  return onServer(inputs, async (ctx) => {
    const flavor = ctx.detected.flavor;
    const desired = desiredOf(inputs);
    let observed = await ctx.observe({ channels: inputs.role === "replica" });
    let plan = planEnablement(desired, observed, flavor, previousOf(olds));
    // Recorded once, before the first change: how the server was before this resource existed.
    const found = olds ? olds.found : foundOn(inputs.role, observed, plan.terminology);
    // Whichever resource changes a server first checks every member, so a refused topology is left as it was.
    // A source side switched off checks too: a role flip applied before the failover happened
    // switched the live source's side off in parallel with the refusal of its replica side. A
    // replica switched off is judged by the teardown guard instead, which lets it through when
    // its source is unreachable.
    if ((desired.enabled || inputs.role === "source") && plan.statements.length > 0) await preflightTopology(inputs, ctx, observed, plan.statements);
    if (inputs.role === "source" && desired.enabled && needsClientsFirst(observed, plan.terminology, desired)) {
      observed = await awaitSemisyncClients(ctx, inputs, plan.terminology, observed);
      plan = planEnablement(desired, observed, flavor, previousOf(olds));
    }
    await applyPlan(ctx, inputs, plan);
    const after = await verify(ctx, inputs, desired, plan);
    await requireStored(ctx, desired, plan, after);
    const outs = outputsOf(inputs, after, plan.terminology, plan.optionFileLines, ctx);
    outs.adopted = found?.enabled ?? false;
    if (found) outs.found = found;
    return outs;
  });
}

/**
 * Reads the server back. The source's `…_enabled` flips back to OFF silently when its ACK thread
 * cannot start. A replica reads `Rpl_semi_sync_replica_status` ON the moment its IO thread starts,
 * before it has asked its source (OFF some 20 ms later when the source has no semisync), so ON
 * counts only once `replicaRegistration` holds on two consecutive reads: the second status read
 * comes after the first read saw the IO thread past the semisync handshake.
 */
async function verify(ctx: ServerContext, inputs: EnablementInputs, desired: EnablementDesired, plan: EnablementPlan): Promise<ObservedState> {
  const enabledName = enabledVariable(plan.terminology, inputs.role);
  const statusName = sideNames(plan.terminology, inputs.role).statusVariable;
  const registrationWaitMs = inputs.replicaStatusTimeoutMs ?? DEFAULT_REPLICA_STATUS_TIMEOUT_MS;
  const registering = plan.expectReplicaStatus === "ON";
  let lastReason = "";
  const registered = async (observed: ObservedState) => {
    const registration = replicaRegistration(observed, plan.terminology);
    if (!registration.registered) lastReason = registration.reason;
    return registration.registered;
  };
  const settled = await pollUntil(plan.expectReplicaStatus ? registrationWaitMs : 0, POLL_MS, async () => {
    const observed = await ctx.observe({ channels: registering });
    if (isOn(observed.variables[enabledName]) !== desired.enabled) return undefined;
    if (registering) {
      if (!(await registered(observed))) return undefined;
      // observe() reads the status before the channels: read again, so the status is from after the handshake.
      const again = await ctx.observe({ channels: true });
      return isOn(again.variables[enabledName]) === desired.enabled && (await registered(again)) ? again : undefined;
    }
    const statusOk = !plan.expectReplicaStatus || (observed.status[statusName] ?? "OFF").toUpperCase() === plan.expectReplicaStatus;
    return statusOk ? observed : undefined;
  });
  if (settled) return settled;
  const observed = await ctx.observe({ channels: inputs.role === "replica" });
  const undoFailures = await rollBack(ctx, plan, ctx.detected.flavor);
  const undone = undoFailures.length === 0 ? "the changes were undone" : `undoing the changes failed (${undoFailures.join("; ")}); run again`;
  if (isOn(observed.variables[enabledName]) !== desired.enabled) {
    throw semisyncError(ctx.session.server, `${enabledName} reads ${observed.variables[enabledName]} after setting it; ${undone}.`, {
      fix: "read the server's error log (the semisync ACK receiver thread may have failed to start).",
    });
  }
  const channel = observed.channels?.[0];
  const ioError = channel?.lastIoError;
  if (channel && isReconnecting(channel)) {
    throw semisyncError(
      ctx.session.server,
      `${statusName} stayed ${observed.status[statusName] ?? "OFF"} for ${registrationWaitMs} ms after the IO thread restart: the IO thread is still connecting to its source ${channel.sourceHost}:${channel.sourcePort}${ioError ? ` (${ioError})` : ""}; ${undone}.`,
      { fix: "make sure the source is up and reachable from this replica with the replication account, then run again." },
    );
  }
  const status = (observed.status[statusName] ?? "OFF").toUpperCase();
  const what =
    registering && status === "ON"
      ? `this replica's registration as semisync was not confirmed within ${registrationWaitMs} ms after the IO thread restart (${lastReason})`
      : `${statusName} stayed ${status} for ${registrationWaitMs} ms after the IO thread restart, so this replica did not register as semisync${ioError ? ` (IO thread: ${ioError})` : ""}`;
  throw semisyncError(ctx.session.server, `${what}; ${undone}.`, {
    fix: "install the semisync source plugin on this replica's source first (a SemisyncPlugin with role \"source\" in this enablement's dependsOn, or SemisyncReplication), and check that the replica reaches its source.",
  });
}

/** Fails, undoing the plan, when the server kept another value than a declared setting (`settingsNotStored`). */
async function requireStored(ctx: ServerContext, desired: EnablementDesired, plan: EnablementPlan, after: ObservedState): Promise<void> {
  const notStored = settingsNotStored(desired, after, plan.terminology);
  if (notStored.length === 0) return;
  const undoFailures = await rollBack(ctx, plan, ctx.detected.flavor);
  const undone = undoFailures.length === 0 ? "the changes were undone" : `undoing the changes failed (${undoFailures.join("; ")}); run again`;
  throw semisyncError(ctx.session.server, `the server did not keep the declared value: ${notStored.join("; ")}; ${undone}.`, {
    fix: "declare a value within the variable's range on this server (SHOW WARNINGS after a SET GLOBAL of it shows what the server did), or read the server's error log.",
  });
}

/** Poll interval of the waits on a deployment's critical path: one observation is ~4 small queries. */
const POLL_MS = 50;

/** Switching the source on, or raising how many acknowledgements each commit waits for. */
function needsClientsFirst(observed: ObservedState, terminology: ResolvedTerminology, desired: EnablementDesired): boolean {
  if (!isOn(observed.variables[enabledVariable(terminology, "source")])) return true;
  const wanted = desired.settings.waitForReplicaCount;
  const current = Number(observed.variables[waitCountVariable(terminology)] ?? 1);
  return wanted !== undefined && wanted > current;
}


/**
 * A source switched on before enough replicas are semisync clients makes its next commit wait
 * the whole `timeoutMs` (measured: 10 s by default), so the switch waits for them, at most
 * `clientsTimeoutMs`. Replicas register even while the source is disabled; the count lags the
 * replica by ~0.5 s.
 */
async function awaitSemisyncClients(
  ctx: ServerContext,
  inputs: EnablementInputs,
  terminology: ResolvedTerminology,
  observed: ObservedState,
): Promise<ObservedState> {
  const clientsName = sideNames(terminology, "source").clientsVariable!;
  const required = inputs.requiredClients ?? inputs.waitForReplicaCount ?? Number(observed.variables[waitCountVariable(terminology)] ?? 1);
  const clientsWaitMs = inputs.clientsTimeoutMs ?? DEFAULT_CLIENTS_TIMEOUT_MS;
  const clientsOf = (o: ObservedState) => Number(o.status[clientsName] ?? 0);
  if (clientsOf(observed) >= required) return observed;
  const ready = await pollUntil(clientsWaitMs, POLL_MS, async () => {
    const now = await ctx.observe();
    return clientsOf(now) >= required ? now : undefined;
  });
  if (ready) return ready;
  const last = await ctx.observe();
  throw semisyncError(
    ctx.session.server,
    `only ${clientsOf(last)} of the ${required} semisync replica(s) needed were connected after ${clientsWaitMs} ms; switching the source on now would stall its next commit for the whole semisync timeout (${observed.variables[variableName(terminology, "source", "timeout")] ?? "10000"} ms). Nothing was changed.`,
    {
      fix:
        "check each replica (SHOW REPLICA STATUS: Replica_IO_Running, Last_IO_Error; rpl_semi_sync_replica_enabled). " +
        "After a source restart the replicas' IO threads reconnect only every SOURCE_CONNECT_RETRY seconds (60 by default): run `pulumi up --refresh`, which restarts the IO threads of the declared replicas before this source is switched on. " +
        "Replicas not enabled yet: give this resource a dependsOn on their SemisyncEnablement, or use SemisyncReplication. Or set requiredClients to 0 to switch the source on regardless.",
    },
  );
}

/** Undoes an applied plan; returns what could not be undone. */
async function rollBack(ctx: ServerContext, plan: EnablementPlan, flavor: Flavor): Promise<string[]> {
  const failures: string[] = [];
  const run = async (sql: string) => {
    try {
      await ctx.session.query(sql);
    } catch (error) {
      failures.push(`\`${sql}\`: ${driverMessage(error)}`);
    }
  };
  for (const statement of [...plan.statements].reverse()) {
    for (const sql of statement.undo ?? []) await run(sql);
  }
  if (plan.expectReplicaStatus) {
    for (const statement of ioRestartStatements(flavor)) await run(statement.sql);
  }
  return failures;
}

function outputsOf(
  inputs: EnablementInputs,
  observed: ObservedState,
  terminology: ResolvedTerminology,
  optionFileLines: string[],
  ctx: ServerContext,
): EnablementOutputs {
  const role = inputs.role;
  const names = sideNames(terminology, role);
  const effective: SemisyncSettings = settingsOn(role, observed, terminology);
  // The topology (every member's credentials) feeds the preflight only: kept out of the outputs,
  // so the state holds it once (in the inputs), not twice.
  const { topology: _topology, ...declared } = inputs;
  const outputs: EnablementOutputs = {
    ...declared,
    activeTerminology: terminology,
    enabledOnServer: isOn(observed.variables[enabledVariable(terminology, role)]),
    effective,
    semisyncStatus: (observed.status[names.statusVariable] ?? "OFF").toUpperCase(),
    optionFileLines,
    managedSettings: SETTING_SPECS.filter((s) => inputs[s.key] !== undefined).map((s) => s.key),
    adopted: false,
    serverVersion: ctx.facts.version,
    serverFlavor: ctx.detected.flavor.id,
  };
  if (names.clientsVariable) outputs.clients = Number(observed.status[names.clientsVariable] ?? 0);
  const monitoring = role === "source" ? monitoringOf(observed, terminology) : undefined;
  if (monitoring) outputs.monitoring = monitoring;
  if (observed.persisted) outputs.persistedSettings = { ...observed.persisted };
  if (role === "replica" && observed.channels) outputs.ioThreadState = observed.channels.length === 1 ? observed.channels[0].ioRunning : "";
  const members = membersOf(inputs.topology);
  if (members) outputs.topologyMembers = members;
  return outputs;
}

/** Whether the server, as last observed, differs from what the inputs declare. */
function drifted(olds: EnablementOutputs, news: EnablementInputs): boolean {
  const desired = desiredOf(news);
  if (olds.enabledOnServer !== desired.enabled) return true;
  if (news.role === "replica" && desired.restartIoThread && (olds.semisyncStatus === "ON") !== desired.enabled) return true;
  // A replica whose IO thread waits out a connect retry (after a source restart) acknowledges nothing.
  if (news.role === "replica" && desired.enabled && desired.restartIoThread && olds.ioThreadState !== undefined && isReconnecting({ ioRunning: olds.ioThreadState })) return true;
  // What a restart would bring back is part of the state: a RESET PERSIST behind Pulumi's back.
  if (desired.persist && olds.persistedSettings !== undefined && olds.activeTerminology && persistedDrift(desired, olds.activeTerminology, olds.persistedSettings).length > 0) return true;
  return SETTING_SPECS.some((s) => {
    const wanted = desired.settings[s.key];
    return wanted !== undefined && olds.effective?.[s.key] !== undefined && olds.effective[s.key] !== wanted;
  });
}

/** `SemisyncEnablement`'s provider: SET GLOBAL (or PERSIST) and the replica IO-thread restart. */
export const semisyncEnablementProvider: pulumi.dynamic.ResourceProvider<EnablementInputs, EnablementOutputs> = reportingOnce({
  async check(_olds, news) {
    return { inputs: news, failures: checkEnablementInputs(news as unknown as Record<string, unknown>) };
  },

  async diff(_id, olds, news) {
    const replaces = identityChanged(olds, news, ["role"]);
    const declared = (i: EnablementInputs) =>
      JSON.stringify([i.enabled ?? true, i.removeAdopted ?? false, i.persist ?? false, i.restartIoThread ?? true, i.replicaStatusTimeoutMs, i.requiredClients, i.clientsTimeoutMs, i.triggers ?? [], i.teardownByPlugin ?? false, i.standby ?? false, i.sourceConnection ?? null, i.sourcePassword ?? "", i.sourceTls ?? null, ...SETTING_SPECS.map((s) => i[s.key])]);
    const changes =
      replaces.length > 0 ||
      hasUnknowns({ ...news, topology: undefined }) || // the topology feeds the preflight only: never a change by itself
      declared(olds) !== declared(news) ||
      connectionChanged(olds, news) ||
      drifted(olds, news);
    return { changes, replaces, deleteBeforeReplace: true };
  },

  async create(inputs) {
    const outs = await converge(inputs);
    claim(inputs.connection, inputs.role, "enablement");
    appliedTopology(outs.topologyMembers);
    return { id: resourceId(inputs.connection, "semisync-enablement", inputs.role), outs };
  },

  async read(id, props) {
    if (!props) throw new Error(`cannot read ${id}: SemisyncEnablement supports refresh, not import; declare it and let create adopt the server's state`);
    return onServer(props, async (ctx) => {
      const observed = await ctx.observe({ channels: props.role === "replica" });
      const terminology = installedTerminology(props.role, observed) ?? props.activeTerminology;
      const outs = outputsOf(props, observed, terminology, props.optionFileLines ?? [], ctx);
      outs.managedSettings = props.managedSettings ?? outs.managedSettings;
      outs.adopted = props.adopted ?? false;
      if (props.found) outs.found = props.found;
      if (props.topologyMembers) outs.topologyMembers = props.topologyMembers;
      // eslint-disable-next-line @typescript-eslint/no-unused-vars
      const { activeTerminology: _t, enabledOnServer: _e, effective: _f, semisyncStatus: _s, clients: _c, monitoring: _mo, optionFileLines: _o, persistedSettings: _ps, ioThreadState: _io, managedSettings: _m, adopted: _a, found: _fd, serverVersion: _v, serverFlavor: _fl, topologyMembers: _tm, ...inputs } = outs;
      return { id, props: outs, inputs: inputs as EnablementOutputs };
    });
  },

  async update(_id, olds, news) {
    const outs = await converge(news, olds);
    claim(news.connection, news.role, "enablement");
    appliedTopology(outs.topologyMembers);
    return { outs };
  },

  async delete(_id, props) {
    if (takenOver(props.connection, props.role, "enablement")) {
      if (props.role === "replica") keptReplica(props.sourceConnection, props.connection);
      engineWarning(
        serverLabel(connectionSettings(props.connection)),
        `semisync ${props.role}: left as it is, because another resource of this deployment has just taken it over (a rename or a new parent or key without \`aliases\`). That resource recorded it as found (adopted), so its own delete will leave it on; add \`aliases\` to keep one resource across renames (docs/adoption-and-renames.md).`,
      );
      return;
    }
    await onServer(props, (ctx) => tearDown(ctx, props)).catch((error) => {
      const server = serverLabel(connectionSettings(props.connection));
      if (isUnreachable(error) && removedFromLiveTopology(server, props.topologyMembers, liveTopologies())) {
        const last = `switched ${props.enabledOnServer ? "on" : "off"}${props.role === "source" && props.enabledOnServer ? " (a restart switches it off: the provider never persists a source's switch)" : ""}`;
        engineWarning(
          server,
          `semisync ${props.role}: unreachable (${driverMessage((error as { cause?: unknown }).cause ?? error)}) and no longer a member of its topology, which this deployment applied without it: removed from the stack's state with the server unchanged. It was last recorded ${last}. If it comes back, add it to the program again to manage it: its new resources record what they find there.`,
        );
        return;
      }
      // A replica that is down cannot be switched off, and need not be: its source is already
      // off (the source's enablement goes first), and its SemisyncPlugin's delete, which runs after
      // this one and removes semisync entirely, fails and stays in the state until the replica is
      // back. Succeeding here lets the rest of the topology go down in this run.
      if (props.role !== "replica" || !props.teardownByPlugin || !isUnreachable(error)) throw error;
      engineWarning(
        serverLabel(connectionSettings(props.connection)),
        `semisync replica: unreachable (${driverMessage((error as { cause?: unknown }).cause ?? error)}); left to this replica's SemisyncPlugin, whose delete removes semisync there once the server answers again.`,
      );
    });
  },
});

/** Delete on a reachable server: put back what the resource found (see `teardownOf`). */
async function tearDown(ctx: ServerContext, props: EnablementOutputs): Promise<void> {
  const observed = await ctx.observe({ channels: props.role === "replica" });
  const terminology = installedTerminology(props.role, observed);
  if (!terminology) return; // the plugin is gone, and with it every setting
  const enabledNow = isOn(observed.variables[enabledVariable(terminology, props.role)]);
  const teardown = teardownOf(props.role, props, enabledNow, props.standby !== true && (props.restartIoThread ?? true));
  const previous = { ...previousOf(props)!, restoreTo: teardown.restoreTo };
  const plan = planEnablement({ ...teardown.desired, standby: props.standby === true }, observed, ctx.detected.flavor, previous);
  await applyPlan(ctx, props, plan);
  if (teardown.keptOn) {
    if (props.role === "replica") keptReplica(props.sourceConnection, props.connection);
    engineWarning(ctx.session.server, `semisync ${props.role}: left switched on, as it was found when this resource adopted it${plan.statements.length > 0 ? "; the settings it changed were put back" : ""} (removeAdopted: true switches it off).`);
  }
}

/**
 * `pulumi import` of a side as it is now: switched on or off, its settings as found and managed by
 * no one (`managedSettings` empty). Recorded as create records an adoption (`found`, `adopted`),
 * so delete leaves the server as it was found. Nothing is changed on the server.
 */
export async function importEnablement(inputs: EnablementInputs): Promise<EnablementOutputs> {
  return onServer(inputs, async (ctx) => {
    const observed = await ctx.observe({ channels: inputs.role === "replica" });
    const terminology = installedTerminology(inputs.role, observed);
    if (!terminology) {
      throw semisyncError(ctx.session.server, `no semisync ${inputs.role} plugin is installed: there is nothing to import. Nothing was changed.`, {
        fix: "import or declare its SemisyncPlugin first.",
      });
    }
    const found = foundOn(inputs.role, observed, terminology);
    const declared: EnablementInputs = { ...inputs, ...(found.enabled ? {} : { enabled: false }) };
    const plan = planEnablement(desiredOf(declared), observed, ctx.detected.flavor, undefined);
    const outs = outputsOf(declared, observed, terminology, plan.optionFileLines, ctx);
    outs.adopted = found.enabled;
    outs.found = found;
    return outs;
  });
}
