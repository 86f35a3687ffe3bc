import { enabledVariable, sideNames, variableName, waitCountVariable } from "../flavors/names";
import { installedTerminology, isOn } from "../plan/enablement-plan";
import { DEFAULT_PORT, DeclaredSource } from "../plan/inputs";
import { NOTHING_CHANGED, driverMessage, isUnreachable, semisyncError } from "../sql/errors";
import { applyStatements } from "../sql/apply";
import { Statement } from "../types";
import { ServerContext, withServer, pollUntil } from "./server";
import { engineWarning } from "./engine-report";
import { underSourceLock } from "./source-locks";

// Kept here too: 0.1.0's stored code requires it from this module.
export { waitCountVariable };

/**
 * Switches a replica off (`apply`) unless that would starve its declared source; see
 * `refuseToStarveSource`. Check and switch-off hold the source's lock (source-locks.ts), so
 * parallel deletes of two replicas of one source are decided one after the other. Before the lock
 * is released, the source is watched (up to 3 s) until its client count has
 * dropped below what the check saw: it lags a departing replica by about half a second, and the
 * next check must count what is really left.
 */
export async function switchOffSparingSource(ctx: ServerContext, declared: DeclaredSource, apply: () => Promise<void>): Promise<void> {
  if (!declared.sourceConnection) return apply();
  await underSourceLock(declared.sourceConnection, async () => {
    const seen = await refuseToStarveSource(ctx, declared);
    await apply();
    if (seen) await awaitDeparture(declared, seen);
  });
}

/**
 * Runs a plan's statements, under `switchOffSparingSource` when they make a replica stop
 * acknowledging (`expectReplicaStatus` "OFF": its IO thread restarts as asynchronous).
 */
export async function applyPlan(ctx: ServerContext, declared: DeclaredSource, plan: { statements: Statement[]; expectReplicaStatus?: "ON" | "OFF" }): Promise<void> {
  const apply = () => applyStatements(ctx.session, plan.statements, ctx.detected.flavor);
  if (plan.expectReplicaStatus === "OFF") await switchOffSparingSource(ctx, declared, apply);
  else await apply();
}

const DEPARTURE_WAIT_MS = 3_000;

/** Bounded: a source that does not answer, or whose count does not drop, is no reason to fail a delete that is done. */
async function awaitDeparture(declared: DeclaredSource, seen: SourceClients): Promise<void> {
  const connection = { ...declared.sourceConnection!, connectTimeoutMs: Math.min(declared.sourceConnection!.connectTimeoutMs ?? 2_000, 2_000) };
  await withServer({ connection, password: declared.sourcePassword, tls: declared.sourceTls }, (source) =>
    pollUntil(DEPARTURE_WAIT_MS, 50, async () => {
      const rows = await source.session.query("SHOW GLOBAL STATUS LIKE ?", [seen.variable]);
      return Number(rows[0]?.Value ?? 0) < seen.clients ? true : undefined;
    }),
  ).catch(() => undefined);
}

interface SourceClients {
  variable: string;
  clients: number;
}

/**
 * A replica that stops acknowledging while its source is still switched on and has no other
 * acknowledgers to spare stalls the source's next commit for the whole timeout (measured: 10 s).
 * That is what Pulumi's dependents-first destroy does to hand-wired programs, so before a replica
 * de-registers, its declared source is asked, and the change refused. Only a source declared in
 * the program is contacted: credentials never go to an address read from the replica. Returns the
 * clients the source counted when it is on (undefined when it is off or unreachable).
 */
export async function refuseToStarveSource(ctx: ServerContext, declared: DeclaredSource): Promise<SourceClients | undefined> {
  if (!declared.sourceConnection) return undefined;
  const connection = { ...declared.sourceConnection, connectTimeoutMs: Math.min(declared.sourceConnection.connectTimeoutMs ?? 5_000, 5_000) };
  let verdict: { refusal?: string; seen: SourceClients } | undefined;
  try {
    verdict = await withServer({ connection, password: declared.sourcePassword, tls: declared.sourceTls }, async (source) => {
      const state = await source.observe();
      const terminology = installedTerminology("source", state);
      if (!terminology || !isOn(state.variables[enabledVariable(terminology, "source")])) return undefined;
      const variable = sideNames(terminology, "source").clientsVariable!;
      const clients = Number(state.status[variable] ?? 0);
      const needed = Number(state.variables[waitCountVariable(terminology)] ?? 1);
      const seen = { variable, clients };
      if (clients - 1 >= needed) return { seen };
      const timeoutMs = state.variables[variableName(terminology, "source", "timeout")] ?? "10000";
      return {
        seen,
        refusal: `its source ${source.session.server} still has semisync switched on with ${clients} semisync replica(s) for ${needed} acknowledgement(s) per commit; switching this replica off now would stall the source's next commit for ${timeoutMs} ms.`,
      };
    });
  } catch (error) {
    const source = `${declared.sourceConnection.host}:${declared.sourceConnection.port ?? DEFAULT_PORT}`;
    // A source nothing answers for commits nothing, so this replica's departure cannot stall it.
    if (isUnreachable(error)) {
      engineWarning(
        ctx.session.server,
        `its declared source ${source} is unreachable (${driverMessage((error as { cause?: unknown }).cause ?? error)}), so whether switching this replica off stalls it was not checked; going ahead.`,
      );
      return undefined;
    }
    // Anything else answered: a rejected login, a missing grant, a server error. The check cannot
    // decide, so it refuses rather than risk the stall.
    const reason = error instanceof Error ? error.message : String(error);
    throw semisyncError(ctx.session.server, `could not check whether switching this replica off would stall its declared source ${source}: ${reason}`, {
      cause: error,
      changed: NOTHING_CHANGED,
      fix: "give the replica resource's `source` working credentials for that server (its password may have been rotated: update it in the program or stack config); it needs the same read grants as the provider's user (docs/preflight-and-grants.md, \"Grants\").",
    });
  }
  if (verdict?.refusal) {
    throw semisyncError(ctx.session.server, verdict.refusal, {
      changed: NOTHING_CHANGED,
      fix: "switch the source off first: give the source's SemisyncEnablement a dependsOn on this replica's resources (so it is deleted first), or use SemisyncReplication. If SemisyncReplication replaced several replicas at once (replicas whose hosts are outputs are keyed by position, so reordering them replaces them), give each replica a stable `name`.",
    });
  }
  return verdict?.seen;
}
