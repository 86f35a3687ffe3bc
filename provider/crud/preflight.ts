import { DEFAULT_PORT, DeclaredSource, MemberConnection, TopologyInputs, connectionSettings, Credentials } from "../plan/inputs";
import { MemberView, preflightRefusals } from "../plan/preflight";
import { serverLabel } from "../sql/connection";
import { isSemisyncError, isUnreachable, semisyncError } from "../sql/errors";
import { ObservedState, Role, Statement, Terminology } from "../types";
import { readAccountPrivileges } from "../sql/observe";
import { DownMember, memberDownVerdict } from "../plan/member-down";
import { engineWarningOnce } from "./engine-report";
import { privilegeNeeds } from "../plan/privileges";
import { ServerContext, withServer } from "./server";

interface Member {
  role: Role;
  credentials: Credentials;
  terminology: Terminology;
  declaredSource?: { host: string; port: number };
  /** The account is the one the member's resources change it with (see `MemberView.checkPrivileges`). */
  checkPrivileges: boolean;
  failoverReady?: boolean;
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
    const { source, replicas, terminology = "automatic", failoverReady } = scope.topology;
    const both = failoverReady === true ? { failoverReady } : {};
    return [
      { role: "source", credentials: credentialsOf(source), terminology, checkPrivileges: true, ...both },
      ...replicas.map((replica): Member => ({ role: "replica", credentials: credentialsOf(replica), terminology, declaredSource: addressOf(source), checkPrivileges: true, ...both })),
    ];
  }
  const self: Member = { role: scope.role, credentials: scope, terminology: scope.terminology ?? "automatic", checkPrivileges: true };
  if (scope.role !== "replica" || !scope.sourceConnection) return [self];
  self.declaredSource = addressOf(scope.sourceConnection);
  const source: Member = { role: "source", credentials: { connection: scope.sourceConnection, password: scope.sourcePassword, tls: scope.sourceTls }, terminology: "automatic", checkPrivileges: false };
  return [source, self];
}

/**
 * Observes every member of the topology (in parallel, each bounded by its own timeouts) and
 * refuses, before this resource changes anything, when any member fails a seed requirement or
 * cannot be read. The checks are `preflightRefusals`; nothing here writes to a server. `planned`
 * is what this resource is about to run on its own server, so its own privileges are checked for
 * exactly that as well.
 *
 * Sibling resources of the same deployment change members meanwhile: a replica enabled in
 * parallel stops and starts its IO thread, which reads "not running" for a few milliseconds. A
 * refusal from the checks is therefore confirmed by reading again, every 100 ms for up to
 * `SETTLE_MS`, and only one that persists refuses. A member that cannot be read refuses at once:
 * its connect already waited out its own bound.
 */
export async function preflightTopology(scope: PreflightScope, self: ServerContext, selfObserved: ObservedState, planned: Statement[] = []): Promise<void> {
  const members = membersOf(scope);
  const view = async (member: Member, ctx: ServerContext, observed: ObservedState, own?: Statement[]): Promise<MemberView> => {
    const seen: MemberView = {
      server: ctx.session.server,
      role: member.role,
      terminology: member.terminology,
      flavor: ctx.detected.flavor,
      observed,
      declaredSource: member.declaredSource,
      checkPrivileges: member.checkPrivileges,
      planned: own,
      failoverReady: member.failoverReady,
    };
    const needs = member.checkPrivileges ? privilegeNeeds(member.role, observed, ctx.detected.flavor, own, member.failoverReady === true) : [];
    if (needs.length > 0) seen.privileges = await readAccountPrivileges(ctx.session, ctx.detected.flavor, { insertPlugin: needs.includes("installPlugin") });
    return seen;
  };
  const read = (member: Member): Promise<MemberView> => withServer(member.credentials, async (ctx) => view(member, ctx, await ctx.observe({ channels: member.role === "replica" })));
  // The resource's own server is read on its own session (first as it has just been read).
  const isSelf = (member: Member) => member.role === scope.role && serverLabel(connectionSettings(member.credentials.connection)) === self.session.server;
  const readSelf = (member: Member, observed: ObservedState): Promise<MemberView> => view(member, self, observed, planned);
  const deadline = Date.now() + SETTLE_MS;
  let ownObservation: ObservedState | undefined = selfObserved;
  for (;;) {
    const own = ownObservation ?? (await self.observe({ channels: scope.role === "replica" }));
    ownObservation = undefined;
    const observed = await Promise.allSettled(members.map((member) => (isSelf(member) ? readSelf(member, own) : read(member))));
    const down: DownMember[] = observed.flatMap((result, i) =>
      result.status === "rejected" && isUnreachable(result.reason) ? [{ server: serverLabel(connectionSettings(members[i].credentials.connection)), role: members[i].role }] : [],
    );
    const unreadable = observed.flatMap((result, i) => {
      if (result.status === "fulfilled") return [];
      const server = serverLabel(connectionSettings(members[i].credentials.connection));
      // The error of a member that could not be read names it and may carry its own fix.
      const error = result.reason;
      const text = error instanceof Error ? error.message : String(error);
      const fix = isSemisyncError(error) ? error.fix : undefined;
      // A bare driver error ("Query inactivity timeout") says neither what was being done nor what to do.
      const message = fix ? text : `could not be read for the preflight (${text.replace(/\.$/, "")}).`;
      return [{ server, message, fix: fix ?? UNREADABLE_FIX }];
    });
    const readRefusals = preflightRefusals(observed.flatMap((result) => (result.status === "fulfilled" ? [result.value] : [])));
    const refusals = [...unreadable, ...readRefusals];
    if (refusals.length === 0) return;
    if (unreadable.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    // Members that are down (nothing answered) hold back only the changes that need them.
    let needsThem = "";
    if (readRefusals.length === 0 && down.length === unreadable.length) {
      const verdict = memberDownVerdict(planned, down);
      if (verdict.proceed) {
        // One warning per set of down members: the resources that go ahead for the same reason say it once.
        engineWarningOnce(
          "member-down",
          down
            .map((m) => m.server)
            .sort()
            .join(","),
          self.session.server,
          verdict.warning,
        );
        return;
      }
      needsThem = ` Refused rather than going ahead without ${down.length > 1 ? "them" : "it"}: ${verdict.reason}.`;
    }
    const [first, ...more] = refusals;
    const also = more.map((r) => ` Also [${r.server}]: ${r.message}${r.fix ? ` (fix: ${r.fix})` : ""}`).join("");
    throw semisyncError(first.server, `refused before changing any server of the topology (${members.length} checked): ${first.message}${also}${needsThem}`, {
      changed: "Nothing was changed on any server.",
      fix: first.fix,
    });
  }
}

const UNREADABLE_FIX = "make sure the server answers within the connection's connectTimeoutMs and statementTimeoutMs (a long-held lock or an overloaded server delays it), then run again.";

/** How long a refusal must persist: far above an IO-thread restart (ms), far below any timeout a user sets. */
const SETTLE_MS = 1_500;
