import { SETTING_SPECS, enabledVariable, variableName } from "../flavors/names";
import { ObservedState, ResolvedTerminology, Role, SemisyncSettings } from "../types";
import { EnablementDesired, isOn } from "./enablement-plan";

/**
 * What an enablement found on its server when it was created: what its delete puts back. Absent
 * in state written by 0.1.0, which recorded nothing: such a resource is treated as having
 * created what it manages (0.1.0's own behaviour: delete switches off and restores defaults).
 */
export interface FoundState {
  /** `…_enabled` was already ON: semisync was switched on before this resource existed. */
  enabled: boolean;
  /** Every setting of the role as the server reported it. */
  settings: SemisyncSettings;
}

/** How a resource came to hold what it manages, and what its delete may undo. */
export interface Origin {
  /** Plugin: it was installed and ACTIVE when the resource was created. */
  adopted?: boolean;
  /** Enablement: what the server had when the resource was created. */
  found?: FoundState;
  /** Opt-in: delete removes adopted state too (0.1.0's behaviour). */
  removeAdopted?: boolean;
}

/** The server objects a resource claims: a side's plugin, and its switch with the settings. */
export type ServerObject = "plugin" | "enablement";

/**
 * Which claims by another resource of the same deployment make a delete of `kind` leave the
 * server alone: an enablement's switch is taken over only by another enablement; a plugin also by
 * an enablement, which needs the plugin to stay.
 */
export function claimsThatBlockDelete(kind: ServerObject): ServerObject[] {
  return kind === "plugin" ? ["plugin", "enablement"] : ["enablement"];
}

/** Each setting of `role` as the server reports it, typed, by input name. */
export function settingsOn(role: Role, observed: ObservedState, terminology: ResolvedTerminology): SemisyncSettings {
  const settings: SemisyncSettings = {};
  for (const spec of SETTING_SPECS.filter((s) => s.roles.includes(role))) {
    const raw = observed.variables[variableName(terminology, role, spec.suffix[terminology])];
    if (raw === undefined) continue;
    const value = spec.kind === "bool" ? isOn(raw) : spec.kind === "enum" ? raw.toUpperCase() : Number(raw);
    (settings as Record<string, unknown>)[spec.key] = value;
  }
  return settings;
}

/** What an enablement records at create, from the server as it was before any change. */
export function foundOn(role: Role, observed: ObservedState, terminology: ResolvedTerminology): FoundState {
  return { enabled: isOn(observed.variables[enabledVariable(terminology, role)]), settings: settingsOn(role, observed, terminology) };
}

/** Whether a plugin's delete leaves it installed: it was there before the resource, and no opt-in says otherwise. */
export function pluginKeptOnDelete(origin: Origin): boolean {
  return origin.adopted === true && origin.removeAdopted !== true;
}

/**
 * What an enablement's delete converges to. Semisync found switched on (and still on) stays on:
 * only the settings this resource changed go back to what was found. What the resource switched
 * on itself is switched off. Delete never switches semisync on: on a source that would stall the
 * next commit, and a replica would need an IO restart. `restoreTo` is what managed settings go
 * back to (absent: the server default).
 */
export function teardownOf(role: Role, origin: Origin, enabledNow: boolean, restartIoThread: boolean): { desired: EnablementDesired; restoreTo?: SemisyncSettings; keptOn: boolean } {
  const honourFound = origin.found !== undefined && origin.removeAdopted !== true;
  const keptOn = honourFound && origin.found!.enabled && enabledNow;
  return {
    desired: { role, enabled: keptOn, settings: {}, persist: false, restartIoThread, keepSwitch: keptOn },
    restoreTo: honourFound ? origin.found!.settings : undefined,
    keptOn,
  };
}
