import type * as pulumi from "@pulumi/pulumi";
import { PluginInputs, checkPluginInputs, connectionSettings } from "../plan/inputs";
import { pluginKeptOnDelete } from "../plan/ownership";
import { planBuiltInTeardown, planPluginInstall, planPluginRemoval } from "../plan/plugin-plan";
import { isOn } from "../plan/enablement-plan";
import { driverMessage, isUnreachable, semisyncError } from "../sql/errors";
import { ObservedState, ResolvedTerminology } from "../types";
import { ServerContext, onServer, pollUntil, resourceId } from "./server";
import { applyPlan } from "./source-guard";
import { preflightTopology } from "./preflight";
import { enabledVariable, sideNames, terminologyOfPlugin } from "../flavors/names";
import { connectionChanged, hasUnknowns, identityChanged } from "./diff-helpers";
import { engineWarning, reportingOnce } from "./engine-report";
import { appliedTopology, claim, liveTopologies, membersOf, replicasKeptOn, takenOver } from "./takeovers";
import { removedFromLiveTopology } from "../plan/removed-member";
import { serverLabel } from "../sql/connection";

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

/** `importing`: take over what is installed (as create adopts it), and change nothing. */
async function converge(inputs: PluginInputs, importing = false): Promise<PluginOutputs> {
  return onServer(inputs, async (ctx) => {
    const observed = await ctx.observe({ channels: inputs.role === "replica" });
    const plan = planPluginInstall(inputs.role, inputs.terminology ?? "automatic", observed, ctx.detected.flavor, {
      standby: inputs.standby === true,
      oneFamily: inputs.topology?.failoverReady === true,
    });
    if (plan.kind === "install" && importing) {
      throw semisyncError(ctx.session.server, `${plan.names.plugin} is not installed: there is nothing to import. Nothing was changed.`, {
        fix: "declare the SemisyncPlugin in the program without importing it: `pulumi up` installs it.",
      });
    }
    if (plan.kind === "install") {
      await preflightTopology(inputs, ctx, observed, plan.statements);
      await applyPlan(ctx, inputs, plan);
      await verifyActive(ctx, plan.names.plugin, plan.statements[0].undo ?? []);
    }
    // The topology feeds the preflight only: kept out of the outputs (the state holds it in the inputs).
    const { topology: _topology, ...declared } = inputs;
    return {
      ...declared,
      foundEnabled: isOn(observed.variables[enabledVariable(plan.terminology, inputs.role)]),
      pluginName: plan.names.plugin,
      pluginLibrary: plan.kind === "built-in" ? "" : plan.library,
      pluginStatus: plan.kind === "built-in" ? "BUILT-IN" : "ACTIVE",
      builtIn: plan.kind === "built-in",
      adopted: plan.kind === "adopt",
      activeTerminology: plan.terminology,
      serverVersion: ctx.facts.version,
      serverFlavor: ctx.detected.flavor.id,
      ...(inputs.topology ? { topologyMembers: membersOf(inputs.topology) } : {}),
    };
  });
}

async function verifyActive(ctx: ServerContext, pluginName: string, undo: string[]): Promise<void> {
  const row = (await ctx.observe()).plugins.find((p) => p.name === pluginName);
  if (row?.status === "ACTIVE") return;
  const failures: string[] = [];
  for (const sql of undo) await ctx.session.query(sql).catch((error) => failures.push(`\`${sql}\`: ${driverMessage(error)}`));
  const undone = failures.length === 0 ? "it was uninstalled again" : `uninstalling it again failed (${failures.join("; ")})`;
  throw semisyncError(ctx.session.server, `${pluginName} was installed but its status is ${row?.status ?? "missing"}, not ACTIVE; ${undone}.`, {
    fix: "read the server's error log for why the plugin failed to initialise.",
  });
}

/**
 * The source's client count lags replicas that just switched off by about half a second, and
 * UNINSTALL is refused while it is above 0: wait for it, bounded, before planning.
 */
async function drainedOfClients(ctx: ServerContext, pluginName: string, staying: number): Promise<ObservedState> {
  const clientsName = sideNames(terminologyOfPlugin(pluginName, "source") ?? "modern", "source").clientsVariable!;
  const drained = await pollUntil(CLIENTS_DRAIN_MS, DRAIN_POLL_MS, async () => {
    const observed = await ctx.observe();
    return Number(observed.status[clientsName] ?? 0) <= staying ? observed : undefined;
  });
  return drained ?? ctx.observe();
}

const CLIENTS_DRAIN_MS = 5_000;

// On the critical path of every destroy: the count drops ~0.5 s after the last replica leaves, and
// a 250 ms step added up to 250 ms to each teardown. A status read costs well under a millisecond.
const DRAIN_POLL_MS = 50;

/** `SemisyncPlugin`'s provider: INSTALL PLUGIN on create, UNINSTALL PLUGIN on delete. */
export const semisyncPluginProvider: pulumi.dynamic.ResourceProvider<PluginInputs, PluginOutputs> = reportingOnce({
  async check(_olds, news) {
    return { inputs: news, failures: checkPluginInputs(news as unknown as Record<string, unknown>) };
  },

  async diff(_id, olds, news) {
    const replaces = identityChanged(olds, news, ["role"]);
    const pinned = news.terminology && news.terminology !== "automatic" && !hasUnknowns(news.terminology) ? news.terminology : undefined;
    if (pinned && olds.activeTerminology && pinned !== olds.activeTerminology) replaces.push("terminology");
    const drifted = !["ACTIVE", "BUILT-IN"].includes(olds.pluginStatus);
    const changes =
      replaces.length > 0 ||
      hasUnknowns({ ...news, topology: undefined }) || // the topology feeds the preflight only: never a change by itself
      drifted ||
      connectionChanged(olds, news) ||
      JSON.stringify([olds.sourceConnection ?? null, olds.sourcePassword ?? "", olds.sourceTls ?? null]) !==
        JSON.stringify([news.sourceConnection ?? null, news.sourcePassword ?? "", news.sourceTls ?? null]) ||
      (olds.terminology ?? "automatic") !== (news.terminology ?? "automatic") ||
      (olds.removeAdopted ?? false) !== (news.removeAdopted ?? false) ||
      (olds.standby ?? false) !== (news.standby ?? false);
    // One server cannot hold the old and the new plugin of a side together, so the old one goes first.
    return { changes, replaces, deleteBeforeReplace: true };
  },

  async create(inputs) {
    const outs = await converge(inputs);
    claim(inputs.connection, inputs.role, "plugin");
    appliedTopology(outs.topologyMembers);
    return { id: resourceId(inputs.connection, "semisync-plugin", inputs.role), outs };
  },

  async read(id, props) {
    if (!props) throw new Error(`cannot read ${id}: SemisyncPlugin supports refresh, not import; declare it and let create adopt the plugin`);
    return onServer(props, async (ctx) => {
      const observed = await ctx.observe();
      const row = observed.plugins.find((p) => p.name === props.pluginName);
      const pluginStatus = ctx.detected.flavor.builtIn ? "BUILT-IN" : (row?.status ?? "ABSENT");
      const outs: PluginOutputs = { ...props, pluginStatus, serverVersion: ctx.facts.version, serverFlavor: ctx.detected.flavor.id };
      return { id, props: outs, inputs: inputsOf(props) as PluginOutputs };
    });
  },

  async update(_id, olds, news) {
    // `adopted` describes how the resource came to be, not what this update found.
    const outs = { ...(await converge(news)), adopted: olds.adopted ?? false };
    // Like `adopted`: what create found, not what this update sees.
    outs.foundEnabled = olds.foundEnabled ?? true;
    claim(news.connection, news.role, "plugin");
    appliedTopology(outs.topologyMembers);
    return { outs };
  },

  async delete(_id, props) {
    const server = serverLabel(connectionSettings(props.connection));
    if (takenOver(props.connection, props.role, "plugin")) {
      engineWarning(
        server,
        `${props.pluginName}: left installed, because another resource of this deployment has just taken it over (a rename or a new parent or key without \`aliases\`). That resource recorded it as found (adopted), so its own delete will leave it installed; add \`aliases\` to keep one resource across renames (docs/adoption-and-renames.md).`,
      );
      return;
    }
    if (pluginKeptOnDelete(props)) {
      engineWarning(server, `${props.pluginName}: left installed, as it was found when this resource adopted it (removeAdopted: true uninstalls it).`);
      return;
    }
    await onServer(props, (ctx) => removePlugin(ctx, props)).catch((error) => {
      if (!isUnreachable(error) || !removedFromLiveTopology(server, props.topologyMembers, liveTopologies())) throw error;
      const left = props.builtIn ? `its ${props.role} side is left as the server has it (semisync is built in there)` : `${props.pluginName}, last recorded installed there, is left as it is`;
      engineWarning(
        server,
        `${props.pluginName}: unreachable (${driverMessage((error as { cause?: unknown }).cause ?? error)}) and no longer a member of its topology, which this deployment applied without it: removed from the stack's state with the server unchanged, so ${left}. If it comes back, add it to the program again to manage it (its plugin is then found installed and recorded as adopted; removeAdopted: true removes it on destroy), or UNINSTALL PLUGIN ${props.pluginName} there.`,
      );
    });
  },
});

/** Delete on a reachable server: uninstall, or on built-in semisync switch off what was found off. */
async function removePlugin(ctx: ServerContext, props: PluginOutputs): Promise<void> {
  if (ctx.detected.flavor.builtIn) {
    const switchOff = planBuiltInTeardown(props.role, await ctx.observe({ channels: props.role === "replica" }), ctx.detected.flavor, props);
    if (!switchOff) return;
    await applyPlan(ctx, props, switchOff);
    return;
  }
  // Replicas this deployment left semisync on purpose stay connected: no use waiting for them.
  const kept = props.role === "source" ? replicasKeptOn(props.connection) : [];
  const observed = props.role === "source" ? await drainedOfClients(ctx, props.pluginName, kept.length) : await ctx.observe();
  const removal = planPluginRemoval(props.role, props.pluginName, observed, ctx.detected.flavor, kept);
  if (removal.kind === "nothing" && removal.notice) engineWarning(ctx.session.server, removal.reason);
  if (removal.kind !== "uninstall") return;
  // A replica plugin removed while its IO thread runs as semisync de-registers from the source.
  await applyPlan(ctx, props, removal);
}

function inputsOf(props: PluginOutputs): PluginInputs {
  const inputs: PluginInputs = { connection: props.connection, role: props.role };
  if (props.password !== undefined) inputs.password = props.password;
  if (props.tls !== undefined) inputs.tls = props.tls;
  if (props.sourceConnection !== undefined) inputs.sourceConnection = props.sourceConnection;
  if (props.sourcePassword !== undefined) inputs.sourcePassword = props.sourcePassword;
  if (props.sourceTls !== undefined) inputs.sourceTls = props.sourceTls;
  if (props.terminology !== undefined) inputs.terminology = props.terminology;
  if (props.removeAdopted !== undefined) inputs.removeAdopted = props.removeAdopted;
  if (props.standby !== undefined) inputs.standby = props.standby;
  if (props.topology !== undefined) inputs.topology = props.topology;
  return inputs;
}

/**
 * `pulumi import` of a plugin that is installed (or built in): the outputs create would record
 * when adopting it, so delete leaves it as it was found. Nothing is changed on the server.
 */
export function importPlugin(inputs: PluginInputs): Promise<PluginOutputs> {
  return converge(inputs, true);
}
