import { MemberPlan, MemberRoleDeclaration, ResourceRef, Role, SideDecision } from "../types";

/**
 * Which semisync sides a member of `SemisyncReplication` has, and which are switched on, from
 * its declared role alone: never from what a server has now, so the program decides the roles
 * and a role flip is a change of `enabled` inputs only.
 *
 * Without `failoverReady` (0.1.0's layout): the source has the source side, each replica the
 * replica side. With it, every member has both, and:
 * - the source side is on only on the declared source (mariadb-operator #1885: a source side
 *   on a replica, with no semisync clients, makes its applier wait out the timeout);
 * - the replica side is on on every acknowledging replica and on the source, where it is idle
 *   (`standby`: no replication channel to check or restart) and makes the source acknowledge at
 *   once when an orchestrator re-points it at a new source (mariadb-operator #1902).
 * An async-only replica (`acknowledge: false`) has its replica side off either way: with
 * `failoverReady` its plugin is installed all the same, and without it the replica side's plugin
 * and enablement exist, switched off, so that acknowledging later is an in-place update.
 */
export function memberSides(member: MemberRoleDeclaration, failoverReady: boolean, sourceSwitchOn: boolean): Record<Role, SideDecision> {
  const isSource = member.role === "source";
  return {
    source: { present: failoverReady || isSource, enabled: isSource && sourceSwitchOn, standby: false },
    replica: {
      present: failoverReady || !isSource,
      enabled: isSource ? failoverReady : member.acknowledge,
      standby: isSource,
    },
  };
}

/** The replicas counted by `waitForReplicaCount` and `requiredClients`: the acknowledging ones. */
export function acknowledgingReplicas(members: MemberRoleDeclaration[]): number {
  return members.filter((m) => m.role === "replica" && m.acknowledge).length;
}

/**
 * Why a declared `waitForReplicaCount` cannot work, or undefined. A count above the acknowledging
 * replicas makes every commit wait out the timeout. A topology with no replicas at all is the
 * exception: it is how every replica is removed, and the source is then switched off.
 */
export function waitCountRefusal(component: string, waitForReplicaCount: number | undefined, members: MemberRoleDeclaration[]): string | undefined {
  if (waitForReplicaCount === undefined) return undefined;
  const replicas = members.filter((m) => m.role === "replica").length;
  const acknowledging = acknowledgingReplicas(members);
  if (replicas === 0 || waitForReplicaCount <= acknowledging) return undefined;
  const asyncOnly = replicas - acknowledging;
  return (
    `SemisyncReplication ${component}: waitForReplicaCount is ${waitForReplicaCount} but only ${acknowledging} ${asyncOnly > 0 ? "acknowledging " : ""}replica(s) are declared` +
    `${asyncOnly > 0 ? ` (${asyncOnly} more with acknowledge: false, which never acknowledge)` : ""}; every commit would wait out the timeout. ` +
    `Lower waitForReplicaCount, add replicas${asyncOnly > 0 ? ", or set acknowledge: true on enough of them" : ""}.`
  );
}

/**
 * The plan of every member: its sides, and what each of its resources waits for (`dependsOn`),
 * so that no commit stalls in any deployment, a role flip included:
 * - every plugin before any switch, the declared source's source plugin first (a replica
 *   registers as semisync only with a source whose plugin is loaded);
 * - a member's source side off before its replica side changes: a demoted source stops waiting
 *   for acknowledgements before it is counted as a replica;
 * - the source's source side after every other member's source side and every acknowledging
 *   replica's replica side: it switches on once they are its clients (`requiredClients`), and on
 *   destroy, which runs in reverse, it goes off first;
 * - an async-only replica's replica side after the source's source side: when it stops
 *   acknowledging, the source is already on with its acknowledging replicas, or already off.
 */
export function planMembers(members: (MemberRoleDeclaration & { key: string })[], failoverReady: boolean, sourceSwitchOn: boolean): MemberPlan[] {
  const source = members.find((m) => m.role === "source");
  if (!source || members.filter((m) => m.role === "source").length !== 1) throw new Error("planMembers: exactly one member must have role source");
  const ref = (member: string, side: Role, kind: ResourceRef["kind"]): ResourceRef => ({ member, side, kind });
  const sourcePlugin = ref(source.key, "source", "plugin");
  const sides = new Map(members.map((m) => [m.key, memberSides(m, failoverReady, sourceSwitchOn)]));
  return members.map((m) => {
    const own = sides.get(m.key)!;
    const deps: Record<Role, { plugin: ResourceRef[]; enablement: ResourceRef[] }> = {
      source: { plugin: [], enablement: [] },
      replica: { plugin: [], enablement: [] },
    };
    if (own.source.present) {
      deps.source.enablement.push(ref(m.key, "source", "plugin"));
      if (m.role === "source") {
        for (const other of members) {
          if (other.key === m.key) continue;
          const theirs = sides.get(other.key)!;
          if (theirs.source.present) deps.source.enablement.push(ref(other.key, "source", "enablement"));
          if (other.role === "replica" && other.acknowledge && theirs.replica.present) deps.source.enablement.push(ref(other.key, "replica", "enablement"));
        }
      }
    }
    if (own.replica.present) {
      if (m.key !== source.key) deps.replica.plugin.push(sourcePlugin);
      deps.replica.enablement.push(ref(m.key, "replica", "plugin"));
      if (m.key !== source.key) deps.replica.enablement.push(sourcePlugin);
      if (own.source.present && m.key !== source.key) deps.replica.enablement.push(ref(m.key, "source", "enablement"));
      if (m.role === "replica" && !m.acknowledge) deps.replica.enablement.push(ref(source.key, "source", "enablement"));
    }
    return { key: m.key, role: m.role, acknowledge: m.acknowledge, sides: own, dependsOn: deps };
  });
}
