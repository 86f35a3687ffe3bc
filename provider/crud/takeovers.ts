import { ServerObject, claimsThatBlockDelete } from "../plan/ownership";
import { ConnectionInputs, TopologyInputs, connectionSettings } from "../plan/inputs";
import { serverLabel } from "../sql/connection";
import { Role } from "../types";
import { processWide } from "./process-wide";

/**
 * What creates and updates of this provider process claimed, by server and side. Every dynamic
 * resource of one deployment runs in one provider process, and the engine runs creates and
 * replacements before the deletes of removed resources. A resource whose URN changed (a rename,
 * a new parent, a new replica key) is a create of the new one and a delete of the old one, with
 * the same server behind both: the delete must not undo what the create has just taken over.
 * Dynamic providers are never told URNs, so the claim is by server (as configured) and side.
 *
 * The registry is process-wide (`processWide`): module-level state would not be shared between
 * resources.
 */
interface Registry {
  claims: Map<string, Set<ServerObject>>;
  /** By declared source: replicas whose delete left semisync on (found so, or taken over). */
  kept: Map<string, Set<string>>;
  /** The members (host:port) of each topology a create or update of this deployment applied. */
  live: string[][];
}

function registry(): Registry {
  const held = processWide<Registry>("takeovers", () => ({ claims: new Map(), kept: new Map(), live: [] }));
  held.kept ??= new Map(); // a registry made by an older copy of this code, before `kept`
  held.live ??= [];
  return held;
}

function sideKey(connection: ConnectionInputs, role: Role): string {
  return `${serverLabel(connectionSettings(connection))}/${role}`;
}

/** Records that a create or update of this deployment now holds `kind` of `role` on the server. */
export function claim(connection: ConnectionInputs, role: Role, kind: ServerObject): void {
  const claims = registry().claims;
  const key = sideKey(connection, role);
  const held = claims.get(key) ?? new Set<ServerObject>();
  held.add(kind);
  claims.set(key, held);
}

/** Whether another resource of this deployment has claimed what a delete of `kind` would undo. */
export function takenOver(connection: ConnectionInputs, role: Role, kind: ServerObject): boolean {
  const held = registry().claims.get(sideKey(connection, role));
  return held !== undefined && claimsThatBlockDelete(kind).some((k) => held.has(k));
}

/** Records that a replica's delete left it a semisync client of its declared source on purpose. */
export function keptReplica(source: ConnectionInputs | undefined, replica: ConnectionInputs): void {
  if (!source) return;
  const kept = registry().kept;
  const key = serverLabel(connectionSettings(source));
  kept.set(key, (kept.get(key) ?? new Set<string>()).add(serverLabel(connectionSettings(replica))));
}

/** The replicas of this deployment whose deletes left them semisync clients of `source`. */
export function replicasKeptOn(source: ConnectionInputs): string[] {
  return [...(registry().kept.get(serverLabel(connectionSettings(source))) ?? [])];
}

/** The members of a topology, host:port as configured, as resources record them. */
export function membersOf(topology: TopologyInputs | undefined): string[] | undefined {
  if (!topology) return undefined;
  return [topology.source, ...topology.replicas].map((member) => serverLabel(connectionSettings(member)));
}

/** Records that a create or update of this deployment applied a topology with these members. */
export function appliedTopology(members: string[] | undefined): void {
  if (members) registry().live.push(members);
}

/** The topologies this deployment's creates and updates applied so far (see `removedFromLiveTopology`). */
export function liveTopologies(): string[][] {
  return registry().live;
}
