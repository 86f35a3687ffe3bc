import type * as pulumi from "@pulumi/pulumi";
import { PluginInputs, checkPluginInputs, connectionSettings } from "../plan/inputs";
import { pluginKeptOnDelete } from "../plan/ownership";
import { installOptionsOf, planBuiltInTeardown, planPluginInstall, planPluginRemoval } from "../plan/plugin-plan";
import { diffPlugin } from "../plan/diff";
import { livePlugin } from "../plan/live";
import { PLUGIN_PROPS, PluginOutputs, inputsOfProps, storedInputs } from "../plan/props";
import { isOn } from "../plan/enablement-plan";
import { runEach } from "../sql/apply";
import { NOTHING_CHANGED, driverMessage, isUnreachable, semisyncError } from "../sql/errors";
import { ObservedState } from "../types";
import { ServerContext, onServer, pollUntil, serverOf } from "./server";
import { Connect, SideProviderParts, sideProvider } from "./side-provider";
import { applyPlan } from "./source-guard";
import { preflightTopology } from "./preflight";
import { enabledVariable, sideNames, terminologyOfPlugin } from "../flavors/names";
import { engineWarning } from "./engine-report";
import { liveTopologies, membersOf, replicasKeptOn, takenOver } from "./takeovers";
import { removedFromLiveTopology } from "../plan/removed-member";
import { serverLabel } from "../sql/connection";

// Kept here too: code written against 0.2.0 imports the outputs' type from this module.
export type { PluginOutputs };

/** `importing`: take over what is installed (as create adopts it), and change nothing. */
async function converge(connect: Connect, inputs: PluginInputs, olds?: PluginOutputs, importing = false): Promise<PluginOutputs> {
  const outs = await connect(inputs, async (ctx): Promise<PluginOutputs> => {
    const observed = await ctx.observe({ channels: inputs.role === "replica" });
    const plan = planPluginInstall(inputs.role, inputs.terminology ?? "automatic", observed, ctx.detected.flavor, installOptionsOf(inputs));
    if (plan.kind === "install" && importing) {
      throw semisyncError(ctx.session.server, `${plan.names.plugin} is not installed: there is nothing to import.`, {
        changed: NOTHING_CHANGED,
        fix: "declare the SemisyncPlugin in the program without importing it: `pulumi up` installs it.",
      });
    }
    if (plan.kind === "install") {
      await preflightTopology(inputs, ctx, observed, plan.statements);
      await applyPlan(ctx, inputs, plan);
      await verifyActive(ctx, plan.names.plugin, plan.statements[0].undo ?? []);
    }
    // The topology feeds the preflight only: kept out of the outputs (the state holds it in the inputs).
    const server = serverOf(ctx);
    return {
      ...storedInputs(PLUGIN_PROPS, inputs),
      foundEnabled: isOn(observed.variables[enabledVariable(plan.terminology, inputs.role)]),
      pluginName: plan.names.plugin,
      pluginLibrary: plan.kind === "built-in" ? "" : plan.library,
      pluginStatus: plan.kind === "built-in" ? "BUILT-IN" : "ACTIVE",
      builtIn: plan.kind === "built-in",
      adopted: plan.kind === "adopt",
      activeTerminology: plan.terminology,
      serverVersion: server.version,
      serverFlavor: server.flavor,
      ...(inputs.topology ? { topologyMembers: membersOf(inputs.topology) } : {}),
    };
  });
  if (!olds) return outs;
  // `adopted` and `foundEnabled` describe how the resource came to be, not what this update found.
  return { ...outs, adopted: olds.adopted ?? false, foundEnabled: olds.foundEnabled ?? true };
}

async function verifyActive(ctx: ServerContext, pluginName: string, undo: string[]): Promise<void> {
  const row = (await ctx.observe()).plugins.find((p) => p.name === pluginName);
  if (row?.status === "ACTIVE") return;
  const failures = await runEach(ctx.session, undo);
  throw semisyncError(ctx.session.server, `${pluginName} was installed but its status is ${row?.status ?? "missing"}, not ACTIVE.`, {
    changed: failures.length === 0 ? "It was uninstalled again." : `Uninstalling it again failed (${failures.join("; ")}).`,
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

/** Refresh: the plugin's status as the server reports it now. */
async function read(connect: Connect, props: PluginOutputs): Promise<{ props: PluginOutputs; inputs: PluginInputs }> {
  return connect(props, async (ctx) => {
    const observed = await ctx.observe();
    const row = observed.plugins.find((p) => p.name === props.pluginName);
    const pluginStatus = ctx.detected.flavor.builtIn ? "BUILT-IN" : (row?.status ?? "ABSENT");
    const server = serverOf(ctx);
    return { props: { ...props, pluginStatus, serverVersion: server.version, serverFlavor: server.flavor }, inputs: inputsOfProps(PLUGIN_PROPS, props) };
  });
}

/** Delete: uninstalls what the resource installed, unless it was adopted or another resource of this deployment has just taken it over. */
export async function deletePlugin(connect: Connect, props: PluginOutputs): Promise<void> {
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
  await connect(props, (ctx) => removePlugin(ctx, props)).catch((error) => {
    if (!isUnreachable(error) || !removedFromLiveTopology(server, props.topologyMembers, liveTopologies())) throw error;
    const left = props.builtIn ? `its ${props.role} side is left as the server has it (semisync is built in there)` : `${props.pluginName}, last recorded installed there, is left as it is`;
    engineWarning(
      server,
      `${props.pluginName}: unreachable (${driverMessage((error as { cause?: unknown }).cause ?? error)}) and no longer a member of its topology, which this deployment applied without it: removed from the stack's state with the server unchanged, so ${left}. If it comes back, add it to the program again to manage it (its plugin is then found installed and recorded as adopted; removeAdopted: true removes it on destroy), or UNINSTALL PLUGIN ${props.pluginName} there.`,
    );
  });
}

/** Delete on a reachable server: uninstall, or on built-in semisync switch off what was found off. */
async function removePlugin(ctx: ServerContext, props: PluginOutputs): Promise<void> {
  if (ctx.detected.flavor.builtIn) {
    const switchOff = planBuiltInTeardown(props.role, await ctx.observe({ channels: props.role === "replica" }), ctx.detected.flavor, props);
    if (switchOff) await applyPlan(ctx, props, switchOff);
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

export const PLUGIN_PARTS: SideProviderParts<PluginInputs, PluginOutputs> = {
  kind: "plugin",
  typeName: "SemisyncPlugin",
  adopts: "the plugin",
  check: checkPluginInputs,
  diff: diffPlugin,
  // One statement: the plugin's row (built-in semisync has none to read).
  live: async (ctx, olds) => livePlugin(olds, ctx.detected.flavor.builtIn ? [] : (await ctx.observe({ settings: false, persisted: false })).plugins, ctx.detected.flavor),
  converge,
  read,
  delete: deletePlugin,
  // An adopted or built-in plugin was not installed by the create: nothing to take back.
  undoCreate: (connect, made) => (made.adopted || made.builtIn ? Promise.resolve() : connect(made, (ctx) => removePlugin(ctx, made))),
};

/** `SemisyncPlugin`'s provider: INSTALL PLUGIN on create, UNINSTALL PLUGIN on delete. */
export const semisyncPluginProvider: pulumi.dynamic.ResourceProvider<PluginInputs, PluginOutputs> = sideProvider(PLUGIN_PARTS);

/**
 * `pulumi import` of a plugin that is installed (or built in): the outputs create would record
 * when adopting it, so delete leaves it as it was found. Nothing is changed on the server.
 */
export function importPlugin(inputs: PluginInputs): Promise<PluginOutputs> {
  return converge(onServer, inputs, undefined, true);
}
