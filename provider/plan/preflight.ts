import { Flavor } from "../flavors/generations";
import { AccountPrivileges, ObservedState, ReplicationChannel, ResolvedTerminology, Role, ROLES, Statement, Terminology } from "../types";
import { describeFlavor } from "../flavors/detect";
import { sideNames } from "../flavors/names";
import { checkReplicaChannels } from "./enablement-plan";
import { isPlanError } from "./plan-error";
import { planPluginInstall } from "./plugin-plan";
import { missingPrivileges, privilegeNeeds } from "./privileges";

/** One member of a topology as observed before any change, for `preflightRefusals`. */
export interface MemberView {
  /** `host:port` as configured, for messages. */
  server: string;
  role: Role;
  terminology: Terminology;
  flavor: Flavor;
  /** With `channels` for a replica. */
  observed: ObservedState;
  /** Replica: the source the program declares for it, as configured. */
  declaredSource?: { host: string; port: number };
  /**
   * Whether this member's account is the one its resources change it with, so its privileges are
   * checked: a topology member or the resource's own server; not a replica's declared `source`,
   * whose account may be a read-only one for the teardown guard.
   */
  checkPrivileges?: boolean;
  /** The resource's own server: the statements it is about to run there. */
  planned?: Statement[];
  /** Read when `privilegeNeeds` is not empty. */
  privileges?: AccountPrivileges;
  /** Failover-ready topology: the member gets both sides, whatever its role. */
  failoverReady?: boolean;
}

export interface PreflightRefusal {
  server: string;
  message: string;
  fix: string;
}

/**
 * Every seed requirement of every member, checked before any member is changed: the plugin can be
 * installed or adopted (dynamic loading, no conflicting or failed plugin), the account holds the
 * privileges that making the member semisync needs (`privilegeNeeds`), and each replica
 * replicates on one default channel with its IO thread running, from its declared source.
 * Returns what refuses, in member order; empty when the topology may be changed.
 */
export function preflightRefusals(members: MemberView[]): PreflightRefusal[] {
  const refusals: PreflightRefusal[] = [];
  for (const member of members) {
    const refuse = (error: unknown) => {
      if (!isPlanError(error)) throw error;
      refusals.push({ server: member.server, message: error.message, fix: error.fix });
    };
    try {
      // The other side of a failover-ready member is idle: the source's replica side needs no channel.
      for (const side of member.failoverReady ? ROLES : [member.role]) {
        planPluginInstall(side, member.terminology, member.observed, member.flavor, { standby: side !== member.role, matchOtherSide: member.failoverReady });
      }
      if (member.role === "replica") checkReplicaChannels(member.observed.channels ?? []);
    } catch (error) {
      refuse(error);
      continue;
    }
    const lacking = member.checkPrivileges ? missingPrivileges(privilegeNeeds(member.role, member.observed, member.flavor, member.planned, member.failoverReady === true), member.privileges, member.flavor) : undefined;
    if (lacking) refusals.push({ server: member.server, ...lacking });
    if (member.role !== "replica" || !member.declaredSource) continue;
    const source = members.find((m) => m.role === "source" && m.server === `${member.declaredSource!.host}:${member.declaredSource!.port}`);
    const mismatch = sourceMismatch(member.observed.channels![0], member.declaredSource, source?.observed.facts.serverId);
    if (mismatch) {
      refusals.push({
        server: member.server,
        message: mismatch,
        fix: "declare the server this replica really replicates from as its source (SemisyncReplication's `source`, or the replica resource's `source`), or point the replica back at the declared source (CHANGE REPLICATION SOURCE TO …) — after a failover, update the program to the new topology.",
      });
    }
  }
  if (refusals.length === 0) refusals.push(...familyRefusals(members.filter((m) => m.failoverReady)));
  return refusals;
}

/**
 * In a failover-ready topology any member may become the source, so every member must be able to
 * acknowledge every other's source plugin. A server that ships only the legacy plugins (MySQL
 * before 8.0.26, MariaDB) asks its source for `rpl_semi_sync_master_enabled` alone and stays
 * asynchronous, silently, behind a source running `rpl_semi_sync_source` (facts §1). Where that
 * cannot happen (every member ships the new names, or every source side resolves to the old
 * ones) the families may differ by side.
 */
export function familyRefusals(members: MemberView[]): PreflightRefusal[] {
  const legacyOnly = members.filter((m) => !m.flavor.terminologies.includes("modern"));
  if (legacyOnly.length === 0) return [];
  const modernSources = members.flatMap((m) => {
    let terminology: ResolvedTerminology;
    try {
      terminology = planPluginInstall("source", m.terminology, m.observed, m.flavor, { matchOtherSide: true }).terminology;
    } catch {
      return []; // refused above already
    }
    return terminology === "modern" ? [m] : [];
  });
  if (modernSources.length === 0) return [];
  const old = legacyOnly[0];
  const modern = modernSources[0];
  return [
    {
      server: old.server,
      message: `this server (${describeFlavor(old.flavor)}) ships only the legacy semisync plugins, so after a failover to ${modern.server}, whose source side would run ${sideNames("modern", "source").plugin}, it would replicate without acknowledging (it asks only for rpl_semi_sync_master_enabled); with failoverReady any member may become the source.`,
      fix: `pin terminology: "legacy" on the SemisyncReplication (every member then runs rpl_semi_sync_master/rpl_semi_sync_slave; MySQL 9.5+ no longer ships them: upgrade the older members first), or leave failoverReady off.`,
    },
  ];
}

/**
 * Whether a replica's actual source (from `SHOW REPLICA STATUS`) is its declared one; returns the
 * reason when it is not.
 *
 * - When the IO thread is connected (`Yes`) and reports the source's `@@server_id`
 *   (`Source_Server_Id`), and the declared source's `@@server_id` is known, identity decides:
 *   it sees through DNS aliases, tunnels and port mappings, which make equal servers look
 *   different and the other way round. Replication requires distinct server ids.
 * - Otherwise the addresses as configured: the port always; the host only when both are IP
 *   literals and neither is loopback. A name may or may not resolve to the address on the other
 *   side, and `127.0.0.1` on the provider's machine is not `127.0.0.1` on the replica's, so those
 *   are not compared rather than guessed.
 */
export function sourceMismatch(channel: ReplicationChannel, declared: { host: string; port: number }, declaredServerId?: number): string | undefined {
  const actual = `${channel.sourceHost}:${channel.sourcePort}`;
  const expected = `${declared.host}:${declared.port}`;
  const connected = channel.ioRunning.toUpperCase() === "YES" && (channel.sourceServerId ?? 0) > 0;
  if (connected && declaredServerId !== undefined) {
    if (channel.sourceServerId === declaredServerId) return undefined;
    return `this replica replicates from ${actual} (server_id ${channel.sourceServerId}), but its declared source is ${expected} (server_id ${declaredServerId}).`;
  }
  const hostsDiffer = comparableHost(channel.sourceHost) && comparableHost(declared.host) && canonicalHost(channel.sourceHost) !== canonicalHost(declared.host);
  if (channel.sourcePort === declared.port && !hostsDiffer) return undefined;
  return `this replica replicates from ${actual}, but its declared source is ${expected}.`;
}

function canonicalHost(host: string): string {
  return host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1")
    .replace(/\.$/, "");
}

/** An IP literal that is not loopback: the same address means the same server from anywhere. */
function comparableHost(host: string): boolean {
  const h = canonicalHost(host);
  const ipv4 = /^\d{1,3}(\.\d{1,3}){3}$/.test(h);
  const ipv6 = h.includes(":") && /^[0-9a-f:.]+$/.test(h);
  if (!ipv4 && !ipv6) return false;
  const loopback = /^127\./.test(h) || /^(0*:)*:?0*1$/.test(h) || /^::ffff:127\./.test(h);
  return !loopback;
}
