import { DEFAULT_PORT, DeclaredSource, MemberConnection, TopologyInputs, connectionSettings, Credentials } from "../plan/inputs";
import { MemberView, preflightRefusals } from "../plan/preflight";
import { serverLabel } from "../sql/connection";
import { semisyncError } from "../sql/errors";
import { Role, Terminology } from "../types";
import { ObservedState } from "../sql/observe";
import { ServerContext, onServer } from "./server";

interface Member {
  role: Role;
  credentials: Credentials;
  terminology: Terminology;
  declaredSource?: { host: string; port: number };
}

/** What a resource knows of its topology: the whole of it, or itself and its declared source. */
export interface PreflightScope extends Credentials, DeclaredSource {
  role: Role;
  terminology?: Terminology;
  topology?: TopologyInputs;
}

function credentialsOf({ password, tls, ...connection }: MemberConnection): Credentials {
  return { connection, password, tls };
}

const addressOf = (c: { host: string; port?: number }) => ({ host: c.host, port: c.port ?? DEFAULT_PORT });

function membersOf(scope: PreflightScope): Member[] {
  if (scope.topology) {
    const { source, replicas, terminology = "automatic" } = scope.topology;
    return [
      { role: "source", credentials: credentialsOf(source), terminology },
      ...replicas.map((replica): Member => ({ role: "replica", credentials: credentialsOf(replica), terminology, declaredSource: addressOf(source) })),
    ];
  }
  const self: Member = { role: scope.role, credentials: scope, terminology: scope.terminology ?? "automatic" };
  if (scope.role !== "replica" || !scope.sourceConnection) return [self];
  self.declaredSource = addressOf(scope.sourceConnection);
  return [{ role: "source", credentials: { connection: scope.sourceConnection, password: scope.sourcePassword, tls: scope.sourceTls }, terminology: "automatic" }, self];
}

/**
 * Observes every member of the topology (in parallel, each bounded by its own timeouts) and
 * refuses, before this resource changes anything, when any member fails a seed requirement or
 * cannot be read. The checks are `preflightRefusals`; nothing here writes to a server.
 *
 * Sibling resources of the same deployment change members meanwhile: a replica enabled in
 * parallel stops and starts its IO thread, which reads "not running" for a few milliseconds. A
 * refusal from the checks is therefore confirmed by reading again, every 100 ms for up to
 * `SETTLE_MS`, and only one that persists refuses. A member that cannot be read refuses at once:
 * its connect already waited out its own bound.
 */
export async function preflightTopology(scope: PreflightScope, self: ServerContext, selfObserved: ObservedState): Promise<void> {
  const members = membersOf(scope);
  const read = (member: Member): Promise<MemberView> =>
    onServer(member.credentials, async (ctx) => ({
      server: ctx.session.server,
      role: member.role,
      terminology: member.terminology,
      flavor: ctx.detected.flavor,
      observed: await ctx.observe({ channels: member.role === "replica" }),
      declaredSource: member.declaredSource,
    }));
  // The resource's own server is read on its own session (first as it has just been read).
  const isSelf = (member: Member) => member.role === scope.role && serverLabel(connectionSettings(member.credentials.connection)) === self.session.server;
  const readSelf = async (member: Member, observed: ObservedState): Promise<MemberView> =>
    ({ server: self.session.server, role: member.role, terminology: member.terminology, flavor: self.detected.flavor, observed, declaredSource: member.declaredSource });
  const deadline = Date.now() + SETTLE_MS;
  let ownObservation: ObservedState | undefined = selfObserved;
  for (;;) {
    const own = ownObservation ?? (await self.observe({ channels: scope.role === "replica" }));
    ownObservation = undefined;
    const observed = await Promise.allSettled(members.map((member) => (isSelf(member) ? readSelf(member, own) : read(member))));
    const unreadable = observed.flatMap((result, i) => {
      if (result.status === "fulfilled") return [];
      const server = serverLabel(connectionSettings(members[i].credentials.connection));
      // The error of a member that could not be read already names it and may carry its own fix.
      const [message, fix = ""] = String((result.reason as Error)?.message ?? result.reason).replace(`[${server}] `, "").split(" Fix: ");
      return [{ server, message, fix }];
    });
    const refusals = [...unreadable, ...preflightRefusals(observed.flatMap((result) => (result.status === "fulfilled" ? [result.value] : [])))];
    if (refusals.length === 0) return;
    if (unreadable.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    const [first, ...more] = refusals;
    const also = more.map((r) => ` Also [${r.server}]: ${withoutNothingChanged(r.message)}${r.fix ? ` (fix: ${r.fix})` : ""}`).join("");
    throw semisyncError(
      first.server,
      `refused before changing any server of the topology (${members.length} checked): ${withoutNothingChanged(first.message)}${also} Nothing was changed on any server.`,
      first.fix ? { fix: first.fix } : undefined,
    );
  }
}

/** How long a refusal must persist: far above an IO-thread restart (ms), far below any timeout a user sets. */
const SETTLE_MS = 1_500;

const withoutNothingChanged = (message: string) => message.replace(/ Nothing was changed\.$/, "");
