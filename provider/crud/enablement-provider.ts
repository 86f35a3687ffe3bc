import type * as pulumi from "@pulumi/pulumi";
import { Flavor } from "../flavors/generations";
import { enabledVariable, sideNames, variableName } from "../flavors/names";
import { EnablementDesired, EnablementPlan, installedTerminology, isOn, planEnablement, settingsNotStored } from "../plan/enablement-plan";
import { DEFAULT_CLIENTS_TIMEOUT_MS, DEFAULT_REPLICA_STATUS_TIMEOUT_MS, EnablementInputs, checkEnablementInputs, connectionSettings } from "../plan/inputs";
import { foundOn, teardownOf } from "../plan/ownership";
import { replicaRegistration } from "../plan/replica-registration";
import { ioRestartStatements } from "../plan/replica-statements";
import { isReconnecting } from "../plan/restart-policy";
import { diffEnablement } from "../plan/diff";
import { liveEnablement } from "../plan/live";
import { clientsToCount, desiredOf, needsClientsFirst, needsPreflight, previousOf, requiredClientsOf } from "../plan/enablement-desired";
import { ENABLEMENT_PROPS, EnablementOutputs, enablementOutputs, inputsOfProps } from "../plan/props";
import { runEach, undoStatements } from "../sql/apply";
import { serverLabel } from "../sql/connection";
import { NOTHING_CHANGED, driverMessage, isUnreachable, semisyncError } from "../sql/errors";
import { ObservedState, ResolvedTerminology } from "../types";
import { ServerContext, onServer, pollUntil, serverOf } from "./server";
import { Connect, SideProviderParts, sideProvider } from "./side-provider";
import { applyPlan } from "./source-guard";
import { engineWarning } from "./engine-report";
import { keptReplica, liveTopologies, membersOf, takenOver } from "./takeovers";
import { removedFromLiveTopology } from "../plan/removed-member";
import { preflightTopology } from "./preflight";

// Kept here too: code written against 0.2.0 imports the outputs' type from this module.
export type { EnablementOutputs };

async function converge(connect: Connect, inputs: EnablementInputs, olds?: EnablementOutputs): Promise<EnablementOutputs> {
  return connect(inputs, async (ctx) => {
    const flavor = ctx.detected.flavor;
    const desired = desiredOf(inputs);
    let observed = await ctx.observe({ channels: inputs.role === "replica" });
    let plan = planEnablement(desired, observed, flavor, previousOf(olds));
    // Recorded once, before the first change: how the server was before this resource existed.
    const found = olds ? olds.found : foundOn(inputs.role, observed, plan.terminology);
    if (needsPreflight(desired, plan)) await preflightTopology(inputs, ctx, observed, plan.statements);
    if (needsClientsFirst(observed, plan.terminology, desired)) {
      observed = await awaitSemisyncClients(ctx, inputs, plan.terminology, observed);
      plan = planEnablement(desired, observed, flavor, previousOf(olds));
    }
    await applyPlan(ctx, inputs, plan);
    const after = await verify(ctx, inputs, desired, plan);
    await requireStored(ctx, desired, plan, after);
    const reported = await clientsCounted(ctx, after, plan.terminology, clientsToCount(inputs, desired));
    const outs = enablementOutputs(inputs, reported, plan.terminology, plan.optionFileLines, serverOf(ctx));
    const members = membersOf(inputs.topology);
    if (members) outs.topologyMembers = members;
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
export async function verify(ctx: ServerContext, inputs: EnablementInputs, desired: EnablementDesired, plan: EnablementPlan): Promise<ObservedState> {
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
  const changed = undoneAfter(await rollBack(ctx, plan, ctx.detected.flavor));
  if (isOn(observed.variables[enabledName]) !== desired.enabled) {
    throw semisyncError(ctx.session.server, `${enabledName} reads ${observed.variables[enabledName]} after setting it.`, {
      changed,
      fix: "read the server's error log (the semisync ACK receiver thread may have failed to start).",
    });
  }
  const channel = observed.channels?.[0];
  const ioError = channel?.lastIoError;
  if (channel && isReconnecting(channel)) {
    throw semisyncError(
      ctx.session.server,
      `${statusName} stayed ${observed.status[statusName] ?? "OFF"} for ${registrationWaitMs} ms after the IO thread restart: the IO thread is still connecting to its source ${channel.sourceHost}:${channel.sourcePort}${ioError ? ` (${ioError})` : ""}.`,
      { changed, fix: "make sure the source is up and reachable from this replica with the replication account, then run again." },
    );
  }
  const status = (observed.status[statusName] ?? "OFF").toUpperCase();
  const what =
    registering && status === "ON"
      ? `this replica's registration as semisync was not confirmed within ${registrationWaitMs} ms after the IO thread restart (${lastReason})`
      : `${statusName} stayed ${status} for ${registrationWaitMs} ms after the IO thread restart, so this replica did not register as semisync${ioError ? ` (IO thread: ${ioError})` : ""}`;
  throw semisyncError(ctx.session.server, `${what}.`, {
    changed,
    fix: "install the semisync source plugin on this replica's source first (a SemisyncPlugin with role \"source\" in this enablement's dependsOn, or SemisyncReplication), and check that the replica reaches its source.",
  });
}

/** Fails, undoing the plan, when the server kept another value than a declared setting (`settingsNotStored`). */
async function requireStored(ctx: ServerContext, desired: EnablementDesired, plan: EnablementPlan, after: ObservedState): Promise<void> {
  const notStored = settingsNotStored(desired, after, plan.terminology);
  if (notStored.length === 0) return;
  throw semisyncError(ctx.session.server, `the server did not keep the declared value: ${notStored.join("; ")}.`, {
    changed: undoneAfter(await rollBack(ctx, plan, ctx.detected.flavor)),
    fix: "declare a value within the variable's range on this server (SHOW WARNINGS after a SET GLOBAL of it shows what the server did), or read the server's error log.",
  });
}

/** Poll interval of the waits on a deployment's critical path: one observation is ~4 small queries. */
const POLL_MS = 50;

/** How long a source's outputs wait for its count of clients to catch up with its replicas (`clientsToCount`). */
const CLIENTS_COUNT_WAIT_MS = 2_000;

/** The source as observed once it counts `wanted` clients, or after `CLIENTS_COUNT_WAIT_MS` as it is then. */
async function clientsCounted(ctx: ServerContext, observed: ObservedState, terminology: ResolvedTerminology, wanted: number | undefined): Promise<ObservedState> {
  if (wanted === undefined) return observed;
  const clientsName = sideNames(terminology, "source").clientsVariable!;
  const counted = (o: ObservedState) => Number(o.status[clientsName] ?? 0) >= wanted;
  if (counted(observed)) return observed;
  return (
    (await pollUntil(CLIENTS_COUNT_WAIT_MS, POLL_MS, async () => {
      const now = await ctx.observe();
      return counted(now) ? now : undefined;
    })) ?? ctx.observe()
  );
}

/**
 * A source switched on before enough replicas are semisync clients makes its next commit wait
 * the whole `timeoutMs` (measured: 10 s by default), so the switch waits for them, at most
 * `clientsTimeoutMs`. Replicas register even while the source is disabled; the count lags the
 * replica by ~0.5 s.
 */
async function awaitSemisyncClients(ctx: ServerContext, inputs: EnablementInputs, terminology: ResolvedTerminology, observed: ObservedState): Promise<ObservedState> {
  const clientsName = sideNames(terminology, "source").clientsVariable!;
  const required = requiredClientsOf(inputs, observed, terminology);
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
    `only ${clientsOf(last)} of the ${required} semisync replica(s) needed were connected after ${clientsWaitMs} ms; switching the source on now would stall its next commit for the whole semisync timeout (${observed.variables[variableName(terminology, "source", "timeout")] ?? "10000"} ms).`,
    {
      changed: NOTHING_CHANGED,
      fix:
        "check each replica (SHOW REPLICA STATUS: Replica_IO_Running, Last_IO_Error; rpl_semi_sync_replica_enabled). " +
        "After a source restart the replicas' IO threads reconnect only every SOURCE_CONNECT_RETRY seconds (60 by default): run `pulumi up` again: its diff reads the replicas, finds them in connect retry and restarts their IO threads before this source is switched on. " +
        "Replicas not enabled yet: give this resource a dependsOn on their SemisyncEnablement, or use SemisyncReplication. Or set requiredClients to 0 to switch the source on regardless.",
    },
  );
}

/** What a failed verification left, after `rollBack` returned `failures`: the error's `changed`. */
function undoneAfter(failures: string[]): string {
  return failures.length === 0 ? "The changes were undone." : `Undoing the changes failed (${failures.join("; ")}); run again.`;
}

/** Undoes an applied plan, its IO thread restart too; returns what could not be undone. */
export async function rollBack(ctx: ServerContext, plan: EnablementPlan, flavor: Flavor): Promise<string[]> {
  const restart = plan.expectReplicaStatus ? ioRestartStatements(flavor).map((statement) => statement.sql) : [];
  return [...(await undoStatements(ctx.session, plan.statements)), ...(await runEach(ctx.session, restart))];
}

/** Refresh: the server as it is now; what the resource found and managed stays as recorded. */
async function read(connect: Connect, props: EnablementOutputs): Promise<{ props: EnablementOutputs; inputs: EnablementInputs }> {
  return connect(props, async (ctx) => {
    const observed = await ctx.observe({ channels: props.role === "replica" });
    const terminology = installedTerminology(props.role, observed) ?? props.activeTerminology;
    const outs = enablementOutputs(props, observed, terminology, props.optionFileLines ?? [], serverOf(ctx));
    outs.managedSettings = props.managedSettings ?? outs.managedSettings;
    outs.adopted = props.adopted ?? false;
    if (props.found) outs.found = props.found;
    if (props.topologyMembers) outs.topologyMembers = props.topologyMembers;
    return { props: outs, inputs: inputsOfProps(ENABLEMENT_PROPS, outs) };
  });
}

/** Delete: puts back what the resource found, unless another resource of this deployment has just taken the side over. */
export async function deleteEnablement(connect: Connect, props: EnablementOutputs): Promise<void> {
  if (takenOver(props.connection, props.role, "enablement")) {
    if (props.role === "replica") keptReplica(props.sourceConnection, props.connection);
    engineWarning(
      serverLabel(connectionSettings(props.connection)),
      `semisync ${props.role}: left as it is, because another resource of this deployment has just taken it over (a rename or a new parent or key without \`aliases\`). That resource recorded it as found (adopted), so its own delete will leave it on; add \`aliases\` to keep one resource across renames (docs/adoption-and-renames.md).`,
    );
    return;
  }
  await connect(props, (ctx) => tearDown(ctx, props)).catch((error) => {
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
}

export const ENABLEMENT_PARTS: SideProviderParts<EnablementInputs, EnablementOutputs> = {
  kind: "enablement",
  typeName: "SemisyncEnablement",
  adopts: "the server's state",
  check: checkEnablementInputs,
  diff: diffEnablement,
  // The switch and status (two statements), a replica's channel, mysqld-auto.cnf only when persisting.
  live: async (ctx, olds) => liveEnablement(olds, await ctx.observe({ plugins: false, channels: olds.role === "replica", persisted: olds.persist === true })),
  converge,
  read,
  delete: deleteEnablement,
  undoCreate: (connect, made) => connect(made, (ctx) => tearDown(ctx, made)),
};

/** `SemisyncEnablement`'s provider: SET GLOBAL (or PERSIST) and the replica IO-thread restart. */
export const semisyncEnablementProvider: pulumi.dynamic.ResourceProvider<EnablementInputs, EnablementOutputs> = sideProvider(ENABLEMENT_PARTS);

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
    engineWarning(
      ctx.session.server,
      `semisync ${props.role}: left switched on, as it was found when this resource adopted it${plan.statements.length > 0 ? "; the settings it changed were put back" : ""} (removeAdopted: true switches it off).`,
    );
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
      throw semisyncError(ctx.session.server, `no semisync ${inputs.role} plugin is installed: there is nothing to import.`, {
        changed: NOTHING_CHANGED,
        fix: "import or declare its SemisyncPlugin first.",
      });
    }
    const found = foundOn(inputs.role, observed, terminology);
    const declared: EnablementInputs = { ...inputs, ...(found.enabled ? {} : { enabled: false }) };
    const plan = planEnablement(desiredOf(declared), observed, ctx.detected.flavor, undefined);
    const outs = enablementOutputs(declared, observed, terminology, plan.optionFileLines, serverOf(ctx));
    outs.adopted = found.enabled;
    outs.found = found;
    return outs;
  });
}
