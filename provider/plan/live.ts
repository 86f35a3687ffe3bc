import { Flavor } from "../flavors/generations";
import { ObservedState, PluginRow } from "../types";
import { installedTerminology } from "./enablement-plan";
import { enablementOutputs, EnablementOutputs, PluginOutputs } from "./props";

/*
 * What `diff` reads on the server, merged into the stored outputs, so that the state diff
 * (`enablementDrifted`, `pluginDrifted`) sees what a restart or a hand undid, without a refresh.
 *
 * Only facts that hold still are taken: the plugin's status, the switch, the tunables, what is
 * persisted and, on a replica, its semisync status and whether its IO thread waits out a connect
 * retry. Every read of a source's counters (clients, transactions, monitoring) and its own
 * status, which falls back and comes back with each slow acknowledgement, is kept as recorded:
 * none of it is compared, and taking it would only make the state churn.
 */

/** The plugin's outputs with its status as the server reports it now (`ABSENT` when uninstalled). */
export function livePlugin(olds: PluginOutputs, plugins: PluginRow[], flavor: Flavor): PluginOutputs {
  if (flavor.builtIn) return { ...olds, pluginStatus: "BUILT-IN" };
  const row = plugins.find((p) => p.name === olds.pluginName);
  return { ...olds, pluginStatus: row?.status ?? "ABSENT" };
}

/**
 * The enablement's outputs with the switch, the tunables, what is persisted and a replica's
 * registration as the server reports them now. A side whose plugin is gone reads as switched off.
 */
export function liveEnablement(olds: EnablementOutputs, observed: ObservedState): EnablementOutputs {
  const terminology = installedTerminology(olds.role, observed) ?? olds.activeTerminology;
  const now = enablementOutputs(olds, observed, terminology, olds.optionFileLines ?? [], { version: olds.serverVersion, flavor: olds.serverFlavor });
  const live: EnablementOutputs = { ...olds, enabledOnServer: now.enabledOnServer, effective: now.effective };
  if (now.persistedSettings !== undefined) live.persistedSettings = now.persistedSettings;
  if (olds.role === "replica") {
    live.semisyncStatus = now.semisyncStatus;
    if (now.ioThreadState !== undefined) live.ioThreadState = now.ioThreadState;
  }
  return live;
}
