import { sideNames } from "../flavors/names";
import { ObservedState, ResolvedTerminology } from "../types";

/**
 * IO-thread states that come only after the replica asked its source for semisync. MySQL sets
 * `Rpl_semi_sync_replica_status` ON as the IO thread starts, then, once connected, its
 * `before_request_transmit` hook asks the source for `@@rpl_semi_sync_source_enabled` and turns
 * the status OFF if the source has no semisync, and only after that sends the binlog dump
 * request and enters "Waiting for source to send event" (sql/rpl_replica.cc `request_dump`,
 * plugin/semisync/semisync_replica_plugin.cc). Measured on MySQL 9.7: ON ~1 ms after
 * `START REPLICA IO_THREAD`, OFF ~22 ms later against a source without the plugin. MariaDB's
 * built-in semisync follows the same order with "master" in the state names.
 */
const REGISTERED_IO_STATES: readonly RegExp[] = [
  /^Waiting for (source|master) to send event/i,
  /^Queueing (source|master) event to the relay log/i,
  /^Waiting for the (replica|slave) SQL thread to free (enough )?relay log space/i,
];

export type Registration = { registered: true } | { registered: false; reason: string };

/**
 * Whether a replica is really a semisync client of its source, from one observation with
 * channels: the IO thread connected (`Replica_IO_Running: Yes`), past the semisync handshake
 * (one of the states above), and the status read after that still ON. Anything else, including
 * an IO-thread state this list does not know, is "not yet": the caller waits, bounded, and fails
 * closed.
 */
export function replicaRegistration(observed: ObservedState, terminology: ResolvedTerminology): Registration {
  const statusName = sideNames(terminology, "replica").statusVariable;
  const status = (observed.status[statusName] ?? "OFF").toUpperCase();
  const channel = observed.channels?.[0];
  if (!channel) return { registered: false, reason: "replication is not configured" };
  const state = channel.ioState ?? "";
  const io = `IO thread running: ${channel.ioRunning}, state '${state}'${channel.lastIoError ? `, last error: ${channel.lastIoError}` : ""}`;
  if (status !== "ON") return { registered: false, reason: `${statusName} ${status}; ${io}` };
  if (channel.ioRunning.toUpperCase() !== "YES" || !REGISTERED_IO_STATES.some((pattern) => pattern.test(state))) {
    return { registered: false, reason: `${statusName} ON but the IO thread has not finished connecting to its source (${io})` };
  }
  return { registered: true };
}
