import { Lane } from "../testbed/lanes";

/**
 * The grants docs/preflight-and-grants.md, "Grants", documents, per family (MySQL 8.0+, MariaDB 10.5.9+): the provider
 * must need nothing more for up, refresh and destroy.
 */
export function minimalGrants(lane: Lane, user: string): string[] {
  if (lane.family === "mysql") {
    return [`GRANT REPLICATION CLIENT, SYSTEM_VARIABLES_ADMIN, REPLICATION_SLAVE_ADMIN ON *.* TO ${user}`, `GRANT SELECT ON performance_schema.* TO ${user}`, `GRANT INSERT, DELETE ON mysql.plugin TO ${user}`];
  }
  return [`GRANT REPLICA MONITOR, REPLICATION SLAVE ADMIN, REPLICATION MASTER ADMIN ON *.* TO ${user}`];
}

/** The privilege the IO-thread restart needs, per family: what a replica's account may lack. */
export function ioRestartPrivilege(lane: Lane): string {
  return lane.family === "mysql" ? "REPLICATION_SLAVE_ADMIN" : "REPLICATION SLAVE ADMIN";
}
