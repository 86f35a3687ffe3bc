/**
 * Whether a delete that cannot reach its server may leave the stack's state without changing it.
 *
 * Only when the server was removed from a topology that lives on: the resource recorded the
 * members of its topology when it was last applied (`recordedMembers`, host:port as configured),
 * and in this deployment a resource of a topology sharing a member with it was applied
 * (`liveTopologies`) without this server. That is the program's own word that the member is gone
 * (the usual case: a source that died and was failed over), and nothing of the live topology
 * waits on it: a member that does not answer acknowledges nothing and commits nothing.
 *
 * Everything else that cannot reach its server fails as before and stays in the state, so the
 * next run finishes the teardown once the server is back: a `destroy` (no topology is applied),
 * a whole component removed, or resources written before members were recorded.
 *
 * What is skipped is never claimed done: the caller warns that the server was not changed and
 * what it last had.
 */
export function removedFromLiveTopology(server: string, recordedMembers: readonly string[] | undefined, liveTopologies: readonly (readonly string[])[]): boolean {
  if (!recordedMembers || !recordedMembers.includes(server)) return false;
  return liveTopologies.some((live) => !live.includes(server) && live.some((member) => recordedMembers.includes(member)));
}
