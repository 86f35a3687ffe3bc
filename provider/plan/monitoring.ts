import { monitoringVariables } from "../flavors/names";
import { ObservedState, ResolvedTerminology, SemisyncMonitoring } from "../types";

/**
 * The source's counters as one observation read them, or undefined when the server does not
 * report all four (the plugin is not loaded). A snapshot for the `monitoring` output: the diff
 * never looks at it, so commits between two deployments change nothing.
 */
export function monitoringOf(observed: ObservedState, terminology: ResolvedTerminology): SemisyncMonitoring | undefined {
  const names = monitoringVariables(terminology);
  const values = Object.fromEntries(Object.entries(names).map(([key, name]) => [key, observed.status[name]]));
  if (Object.values(values).some((v) => v === undefined || !/^\d+$/.test(v))) return undefined;
  return { noTx: Number(values.noTx), yesTx: Number(values.yesTx), noTimes: Number(values.noTimes), waitSessions: Number(values.waitSessions) };
}
