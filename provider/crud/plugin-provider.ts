import type * as pulumi from "@pulumi/pulumi";
import { PluginInputs, checkPluginInputs } from "../plan/inputs";
import { planPluginInstall, planPluginRemoval } from "../plan/plugin-plan";
import { applyStatements } from "../sql/apply";
import { semisyncError } from "../sql/errors";
import { ResolvedTerminology } from "../types";
import { PROVIDER_VERSION, ServerContext, onServer, resourceId } from "./server";
import { connectionChanged, identityChanged } from "./diff-helpers";

export interface PluginOutputs extends PluginInputs {
  pluginName: string;
  /** Library file, or "" when semisync is built into the server. */
  pluginLibrary: string;
  /** `ACTIVE`, `BUILT-IN`, or after a refresh `ABSENT` or the server's status. */
  pluginStatus: string;
  builtIn: boolean;
  adopted: boolean;
  activeTerminology: ResolvedTerminology;
  serverVersion: string;
  serverFlavor: string;
  providerVersion: string;
}

async function converge(inputs: PluginInputs): Promise<PluginOutputs> {
  return onServer(inputs.connection, inputs.password, async (ctx) => {
    const observed = await ctx.observe();
    const plan = planPluginInstall(inputs.role, inputs.terminology ?? "automatic", observed, ctx.detected.flavor);
    if (plan.kind === "install") {
      await applyStatements(ctx.session, plan.statements, ctx.detected.flavor);
      await verifyActive(ctx, plan.names.plugin, plan.statements[0].undo ?? []);
    }
    return {
      ...inputs,
      pluginName: plan.names.plugin,
      pluginLibrary: plan.kind === "built-in" ? "" : plan.library,
      pluginStatus: plan.kind === "built-in" ? "BUILT-IN" : "ACTIVE",
      builtIn: plan.kind === "built-in",
      adopted: plan.kind === "adopt",
      activeTerminology: plan.terminology,
      serverVersion: ctx.facts.version,
      serverFlavor: ctx.detected.flavor.id,
      providerVersion: PROVIDER_VERSION,
    };
  });
}

async function verifyActive(ctx: ServerContext, pluginName: string, undo: string[]): Promise<void> {
  const row = (await ctx.observe()).plugins.find((p) => p.name === pluginName);
  if (row?.status === "ACTIVE") return;
  for (const sql of undo) await ctx.session.query(sql).catch(() => undefined);
  throw semisyncError(ctx.session.server, `${pluginName} was installed but its status is ${row?.status ?? "missing"}, not ACTIVE; it was uninstalled again.`, {
    fix: "read the server's error log for why the plugin failed to initialise.",
  });
}

/** `SemisyncPlugin`'s provider: INSTALL PLUGIN on create, UNINSTALL PLUGIN on delete. */
export const semisyncPluginProvider: pulumi.dynamic.ResourceProvider<PluginInputs, PluginOutputs> = {
  async check(_olds, news) {
    return { inputs: news, failures: checkPluginInputs(news as unknown as Record<string, unknown>) };
  },

  async diff(_id, olds, news) {
    const replaces = identityChanged(olds, news, ["role"]);
    const pinned = news.terminology && news.terminology !== "automatic" ? news.terminology : undefined;
    if (pinned && olds.activeTerminology && pinned !== olds.activeTerminology) replaces.push("terminology");
    const drifted = !["ACTIVE", "BUILT-IN"].includes(olds.pluginStatus);
    const changes =
      replaces.length > 0 ||
      drifted ||
      connectionChanged(olds, news) ||
      (olds.terminology ?? "automatic") !== (news.terminology ?? "automatic") ||
      olds.providerVersion !== PROVIDER_VERSION;
    // One server cannot hold the old and the new plugin of a side together, so the old one goes first.
    return { changes, replaces, deleteBeforeReplace: true };
  },

  async create(inputs) {
    const outs = await converge(inputs);
    return { id: resourceId(inputs.connection, "semisync-plugin", inputs.role), outs };
  },

  async read(id, props) {
    if (!props) throw new Error(`cannot read ${id}: SemisyncPlugin supports refresh, not import; declare it and let create adopt the plugin`);
    return onServer(props.connection, props.password, async (ctx) => {
      const observed = await ctx.observe();
      const row = observed.plugins.find((p) => p.name === props.pluginName);
      const pluginStatus = ctx.detected.flavor.builtIn ? "BUILT-IN" : (row?.status ?? "ABSENT");
      const outs: PluginOutputs = { ...props, pluginStatus, serverVersion: ctx.facts.version, serverFlavor: ctx.detected.flavor.id };
      return { id, props: outs, inputs: inputsOf(props) as PluginOutputs };
    });
  },

  async update(_id, _olds, news) {
    return { outs: await converge(news) };
  },

  async delete(_id, props) {
    await onServer(props.connection, props.password, async (ctx) => {
      const removal = planPluginRemoval(props.role, props.pluginName, await ctx.observe(), ctx.detected.flavor);
      if (removal.kind === "uninstall") await applyStatements(ctx.session, removal.statements, ctx.detected.flavor);
    });
  },
};

function inputsOf(props: PluginOutputs): PluginInputs {
  const inputs: PluginInputs = { connection: props.connection, role: props.role };
  if (props.password !== undefined) inputs.password = props.password;
  if (props.terminology !== undefined) inputs.terminology = props.terminology;
  return inputs;
}
