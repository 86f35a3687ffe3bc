import { describeFlavor, resolveTerminology } from "../flavors/detect";
import { Flavor } from "../flavors/generations";
import { SideNames, enabledVariable, libraryFileName, sideNames, terminologyOfPlugin } from "../flavors/names";
import { ObservedState, ResolvedTerminology, Role, Statement, Terminology } from "../types";
import { PluginInputs } from "./inputs";
import { planError } from "./plan-error";
import { ioRestartStatements } from "./replica-statements";
import { EnablementPlan, installedTerminology, isOn, planEnablement, requireReplicationConfigured } from "./enablement-plan";

export type PluginPlan =
  | { kind: "built-in"; terminology: ResolvedTerminology; names: SideNames }
  | { kind: "adopt"; terminology: ResolvedTerminology; names: SideNames; library: string }
  | { kind: "install"; terminology: ResolvedTerminology; names: SideNames; library: string; statements: Statement[] };

export interface InstallOptions {
  /** The replica side of a server that replicates from no one (a failover-ready topology's source). */
  standby?: boolean;
  /**
   * Failover-ready member (both sides on one server): with `"automatic"` and nothing installed
   * for this side, use the names of the other side's installed plugin, so a member keeps one
   * family (`…_master`/`…_slave` or `…_source`/`…_replica`).
   */
  matchOtherSide?: boolean;
}

/**
 * What a plugin's inputs say about the install: `standby`, and `matchOtherSide`. Inputs written
 * before `matchOtherSide` existed (0.2.0: a hand-wired plugin, or state) said it only through the
 * preflight's `topology.failoverReady`, which still decides where `matchOtherSide` is absent.
 */
export function installOptionsOf(inputs: Pick<PluginInputs, "standby" | "matchOtherSide" | "topology">): InstallOptions {
  return { standby: inputs.standby === true, matchOtherSide: inputs.matchOtherSide ?? inputs.topology?.failoverReady === true };
}

/**
 * What `create` does to make the plugin of `role` present and ACTIVE. A replica plugin goes only
 * on a server that replicates (a likely wrong host otherwise), unless it is for a `standby`.
 */
export function planPluginInstall(role: Role, requested: Terminology, observed: ObservedState, flavor: Flavor, options: InstallOptions = {}): PluginPlan {
  if (role === "replica" && !options.standby && observed.channels) requireReplicationConfigured(observed.channels);
  if (flavor.builtIn) {
    const terminology = resolveTerminology(requested, flavor);
    return { kind: "built-in", terminology, names: sideNames(terminology, role) };
  }
  const installedRows = observed.plugins.filter((p) => terminologyOfPlugin(p.name, role) !== undefined);
  if (installedRows.length > 1) {
    throw planError(
      `both ${installedRows.map((r) => r.name).join(" and ")} are installed; one server cannot run the old and the new ${role} plugin together.`,
      `uninstall the one you do not want (UNINSTALL PLUGIN ${installedRows[1].name}) and run again.`,
    );
  }
  const installed = installedRows[0];
  const installedTerminology = installed ? terminologyOfPlugin(installed.name, role) : undefined;
  const terminology = resolveTerminology(requested, flavor, installedTerminology ?? (options.matchOtherSide ? otherSideFamily(role, observed, flavor) : undefined));
  const names = sideNames(terminology, role);
  const library = libraryFileName(names.library, observed.facts.compileOs);
  if (installed && installed.name !== names.plugin) {
    throw planError(
      `${installed.name} is installed, but terminology '${requested}' needs ${names.plugin}; the server refuses both plugins of one side together.`,
      `set terminology to "automatic" (or "${installedTerminology}") to keep ${installed.name}, or migrate: disable semisync, UNINSTALL PLUGIN ${installed.name}, then run again.`,
    );
  }
  if (installed) {
    if (installed.status !== "ACTIVE") {
      throw planError(
        `${installed.name} is installed but its status is ${installed.status}, not ACTIVE.`,
        `read the server's error log for why the plugin failed to initialise, then UNINSTALL PLUGIN ${installed.name} and run again.`,
      );
    }
    return { kind: "adopt", terminology, names, library: installed.library ?? library };
  }
  if (observed.facts.haveDynamicLoading.toUpperCase() !== "YES") {
    throw planError(
      `@@have_dynamic_loading is '${observed.facts.haveDynamicLoading}', so ${describeFlavor(flavor)} cannot load plugins.`,
      "use a server build with dynamic loading (binary distributions have it), or load the plugin at startup with plugin-load-add.",
    );
  }
  return {
    kind: "install",
    terminology,
    names,
    library,
    statements: [
      {
        sql: `INSTALL PLUGIN ${names.plugin} SONAME '${library}'`,
        purpose: `install the ${role} plugin ${names.plugin} from ${library}`,
        undo: [`UNINSTALL PLUGIN ${names.plugin}`],
        effect: { kind: "install", side: role },
      },
    ],
  };
}

/** The terminology of the other side's installed plugin, when this server ships it. */
function otherSideFamily(role: Role, observed: ObservedState, flavor: Flavor): ResolvedTerminology | undefined {
  const other: Role = role === "source" ? "replica" : "source";
  return observed.plugins.map((p) => terminologyOfPlugin(p.name, other)).find((t): t is ResolvedTerminology => t !== undefined && flavor.terminologies.includes(t));
}

export type PluginRemoval =
  | { kind: "nothing"; reason: string; notice?: boolean }
  /** `expectReplicaStatus` "OFF": the IO thread is restarted around the UNINSTALL, so the replica stops acknowledging. */
  | { kind: "uninstall"; statements: Statement[]; expectReplicaStatus?: "OFF" };

/**
 * What `delete` does. A replica whose IO thread runs as semisync is refused UNINSTALL (ER 1883),
 * so its IO thread is stopped around the UNINSTALL; a source with semisync clients is refused
 * too, and only its replicas can fix that, so that is an error before anything changes.
 */
export function planPluginRemoval(role: Role, pluginName: string, observed: ObservedState, flavor: Flavor, keptReplicas: string[] = []): PluginRemoval {
  if (flavor.builtIn) return { kind: "nothing", reason: "semisync is built into this server" };
  const row = observed.plugins.find((p) => p.name === pluginName);
  if (!row) return { kind: "nothing", reason: `${pluginName} is not installed` };
  const names = sideNames(terminologyOfPlugin(pluginName, role) ?? "modern", role);
  if (role === "source") {
    const clients = Number(observed.status[names.clientsVariable ?? ""] ?? 0);
    // Replicas this deployment leaves semisync on purpose (they were found so) keep the source's
    // plugin in use: it cannot go while they are connected, and they are not this delete's to stop.
    if (clients > 0 && keptReplicas.length > 0) {
      return {
        kind: "nothing",
        notice: true,
        reason: `${pluginName}: left installed, because ${clients} semisync replica(s) are still connected and this deployment left ${keptReplicas.join(", ")} semisync as found (adopted); uninstalling needs them switched off first (removeAdopted: true on them does that).`,
      };
    }
    if (clients > 0) {
      throw planError(
        `${pluginName} cannot be uninstalled while ${clients} semisync replica(s) are connected (the server would refuse with error 1883).`,
        "disable semisync on the replicas first (delete their SemisyncEnablement, which restarts their IO threads), or use SemisyncReplication, which tears down in a safe order.",
      );
    }
    return { kind: "uninstall", statements: [uninstall(pluginName)] };
  }
  const semisyncIoRunning = (observed.status[names.statusVariable] ?? "OFF").toUpperCase() === "ON";
  if (!semisyncIoRunning) return { kind: "uninstall", statements: [uninstall(pluginName)] };
  const [stop, start] = ioRestartStatements(flavor);
  return { kind: "uninstall", statements: [{ ...stop, undo: [start.sql] }, uninstall(pluginName), start], expectReplicaStatus: "OFF" };
}

function uninstall(pluginName: string): Statement {
  return { sql: `UNINSTALL PLUGIN ${pluginName}`, purpose: `uninstall ${pluginName}` };
}

/**
 * Delete of a built-in plugin (MariaDB 10.3.3+): there is nothing to uninstall, so what
 * uninstalling achieves on other servers (no semisync left on that the deployment turned on) is
 * done by switching a replica's side off: when it is on, and was found off when the resource was created
 * (`foundEnabled: false`) or `removeAdopted` says to remove adopted state too. Normally the side's
 * enablement has switched it off already and this plans nothing; it matters when a replica's
 * enablement left its teardown here because the replica was unreachable. Settings the enablement
 * tuned are not restored here (they are runtime values; a restart resets them). State written
 * before `foundEnabled` existed plans nothing: what was found is unknown.
 */
export function planBuiltInTeardown(role: Role, observed: ObservedState, flavor: Flavor, origin: { foundEnabled?: boolean; removeAdopted?: boolean }): EnablementPlan | undefined {
  // Only a replica's teardown is ever left to its plugin. A source plugin's delete also runs when
  // the plugin is replaced (a re-spelt host or port deletes the old one first): switching the live
  // source off there left it asynchronous when the new one was then refused.
  if (role !== "replica") return undefined;
  if (!flavor.builtIn || !(origin.foundEnabled === false || origin.removeAdopted === true)) return undefined;
  const terminology = installedTerminology(role, observed);
  if (!terminology || !isOn(observed.variables[enabledVariable(terminology, role)])) return undefined;
  return planEnablement({ role, enabled: false, settings: {}, persist: false, restartIoThread: true }, observed, flavor);
}
