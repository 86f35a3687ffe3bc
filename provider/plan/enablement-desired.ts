import { SETTING_SPECS, enabledVariable, waitCountVariable } from "../flavors/names";
import { ObservedState, ResolvedTerminology, SemisyncSettings } from "../types";
import { EnablementDesired, EnablementPlan, EnablementPrevious, isOn } from "./enablement-plan";
import { EnablementInputs } from "./inputs";
import { EnablementOutputs } from "./props";

/** What the enablement's inputs ask of the server, with every default applied. */
export function desiredOf(inputs: EnablementInputs): EnablementDesired {
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

/** What the previous deployment managed, read from its stored props (none at create). */
export function previousOf(olds: EnablementOutputs | undefined): EnablementPrevious | undefined {
  if (!olds) return undefined;
  const restoreTo = olds.removeAdopted ? undefined : olds.found?.settings;
  return { managedSettings: olds.managedSettings ?? [], persisted: olds.persist ?? false, restoreTo };
}

/**
 * Whether a source must wait for its semisync replicas before the plan runs: it is being
 * switched on, or each commit is to wait for more acknowledgements than now. Either way a commit
 * before enough replicas are clients would wait the whole `timeoutMs`.
 */
export function needsClientsFirst(observed: ObservedState, terminology: ResolvedTerminology, desired: EnablementDesired): boolean {
  if (desired.role !== "source" || !desired.enabled) return false;
  if (!isOn(observed.variables[enabledVariable(terminology, "source")])) return true;
  const wanted = desired.settings.waitForReplicaCount;
  const current = Number(observed.variables[waitCountVariable(terminology)] ?? 1);
  return wanted !== undefined && wanted > current;
}

/**
 * How many semisync clients a source switched on should count before its `clients` output is
 * read: every replica of its topology, when the component re-applies it because that set changed
 * (`triggers`). A replica's own confirmation of its registration comes about half a second before
 * the source counts it, so read at once the output missed the replica just added. Undefined where
 * nothing is to be waited for. Not a condition of success: a replica that does not acknowledge
 * (`acknowledge: false`, or down) is never counted, and the wait is bounded.
 */
export function clientsToCount(inputs: Pick<EnablementInputs, "triggers" | "topology">, desired: Pick<EnablementDesired, "role" | "enabled">): number | undefined {
  if (desired.role !== "source" || !desired.enabled || inputs.triggers === undefined || !inputs.topology) return undefined;
  return inputs.topology.replicas.length;
}

/** How many semisync replicas must be connected before the source is switched on. */
export function requiredClientsOf(inputs: Pick<EnablementInputs, "requiredClients" | "waitForReplicaCount">, observed: ObservedState, terminology: ResolvedTerminology): number {
  return inputs.requiredClients ?? inputs.waitForReplicaCount ?? Number(observed.variables[waitCountVariable(terminology)] ?? 1);
}

/**
 * Whether the whole-topology preflight runs before the plan: whichever resource changes a server
 * first checks every member, so a refused topology is left as it was. A source side switched off
 * checks too: a role flip applied before the failover happened switched the live source's side
 * off in parallel with the refusal of its replica side. A replica switched off is judged by the
 * teardown guard instead, which lets it through when its source is unreachable.
 */
export function needsPreflight(desired: Pick<EnablementDesired, "role" | "enabled">, plan: Pick<EnablementPlan, "statements">): boolean {
  return (desired.enabled || desired.role === "source") && plan.statements.length > 0;
}
