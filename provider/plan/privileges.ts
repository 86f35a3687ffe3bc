import { Flavor, PrivilegeNeed, grantFor, statementNeed } from "../flavors/generations";
import { enabledVariable } from "../flavors/names";
import { AccountPrivileges, ObservedState, Role, Statement } from "../types";
import { installedTerminology, isOn } from "./enablement-plan";

/** Order of the needs in messages and `GRANT` fixes: the order the work happens in. */
const NEED_ORDER: readonly PrivilegeNeed[] = ["installPlugin", "setSourceVariable", "setReplicaVariable", "restartIoThread"];

/**
 * What making this member semisync will do that needs a privilege, read from what it is now: a
 * plugin to install (absent, not built in), a switch to turn on (`SET GLOBAL`) and, on a replica,
 * its IO thread to restart (the default `restartIoThread: true`). A member already switched on
 * needs nothing: it is adopted as it is. `planned` adds what the resource itself is about to run
 * on its own server (tuning, `SET PERSIST`, …). Reading state is not listed: the observation that
 * precedes this already needed it.
 */
export function privilegeNeeds(role: Role, observed: ObservedState, flavor: Flavor, planned: Statement[] = [], failoverReady = false): PrivilegeNeed[] {
  const needs = new Set<PrivilegeNeed>();
  const terminology = installedTerminology(role, observed);
  if (!flavor.builtIn && !terminology) needs.add("installPlugin");
  const switchedOn = terminology !== undefined && isOn(observed.variables[enabledVariable(terminology, role)]);
  if (!switchedOn) {
    needs.add(role === "source" ? "setSourceVariable" : "setReplicaVariable");
    if (role === "replica") needs.add("restartIoThread");
  }
  // A failover-ready member also gets the other side's plugin, and the source its replica side
  // switched on (standby: no IO thread of its own to restart).
  if (failoverReady) {
    const other: Role = role === "source" ? "replica" : "source";
    const otherTerminology = installedTerminology(other, observed);
    if (!flavor.builtIn && !otherTerminology) needs.add("installPlugin");
    if (other === "replica" && !(otherTerminology !== undefined && isOn(observed.variables[enabledVariable(otherTerminology, "replica")]))) needs.add("setReplicaVariable");
  }
  for (const statement of planned) {
    const need = statementNeed(statement.sql);
    if (need) needs.add(need);
  }
  return NEED_ORDER.filter((need) => needs.has(need));
}

/** What each need is for, in messages. */
function purposeOf(need: PrivilegeNeed, flavor: Flavor): string {
  switch (need) {
    case "installPlugin":
      return "INSTALL PLUGIN";
    case "setSourceVariable":
      return "SET GLOBAL of the source's rpl_semi_sync_* variables";
    case "setReplicaVariable":
      return "SET GLOBAL of the replica's rpl_semi_sync_* variables";
    case "restartIoThread":
      return `STOP/START ${flavor.replicaKeyword} IO_THREAD`;
    default:
      return need;
  }
}

// MariaDB's alternative names for one privilege (https://mariadb.com/kb/en/grant/, "Global
// Privileges"); the server may report either.
const ALIASES: Record<string, string> = {
  "REPLICATION REPLICA ADMIN": "REPLICATION SLAVE ADMIN",
  "REPLICA MONITOR": "SLAVE MONITOR",
  "REPLICATION REPLICA": "REPLICATION SLAVE",
};
const canonical = (privilege: string) => {
  const upper = privilege.trim().replace(/\s+/g, " ").toUpperCase();
  return ALIASES[upper] ?? upper;
};

/**
 * The global privileges the `GRANT … ON *.* TO …` lines of `SHOW GRANTS` list. Used only to find
 * privileges an active role brings (MySQL expands the active roles into these lines, MariaDB adds
 * the current role's own lines), never to conclude that one is absent: a line this does not
 * understand adds nothing, so a misreading can only refuse, never let a change through.
 */
export function globalPrivilegesOfGrants(lines: string[]): string[] {
  const privileges: string[] = [];
  for (const line of lines) {
    const match = /^GRANT (.+?) ON \*\.\* TO /.exec(line);
    if (match) privileges.push(...match[1].split(",").map(canonical));
  }
  return privileges;
}

type GlobalNeed = Exclude<PrivilegeNeed, "installPlugin" | "uninstallPlugin">;
const isGlobal = (need: PrivilegeNeed): need is GlobalNeed => need !== "installPlugin" && need !== "uninstallPlugin";

/** The privileges that stand for `need` on `flavor`: its own, and SUPER where SUPER still suffices. */
function alternativesFor(need: GlobalNeed, flavor: Flavor): string[] {
  const own = canonical(flavor.grants[need]);
  return flavor.grants.superSuffices && own !== "SUPER" ? [own, "SUPER"] : [own];
}

export interface PrivilegeRefusal {
  message: string;
  fix: string;
}

/**
 * Whether the account holds what `needs` ask for, or why not, with the `GRANT` statements that
 * fix it. Global privileges are those `information_schema.USER_PRIVILEGES` lists for the account
 * (exact names, and `ALL` expanded by the server), plus, only when a role is active, those the
 * `SHOW GRANTS` lines give it; the INSERT on `mysql.plugin` that `INSTALL PLUGIN` needs was probed
 * by the server itself (`EXPLAIN INSERT`), which sees roles, wildcards and partial revokes. An
 * account whose privileges could not be read refuses: this check cannot decide for it.
 */
export function missingPrivileges(needs: PrivilegeNeed[], privileges: AccountPrivileges | undefined, flavor: Flavor): PrivilegeRefusal | undefined {
  if (needs.length === 0) return undefined;
  if (!privileges || privileges.global.length === 0) {
    const account = privileges?.account ?? "the provider's account";
    return {
      message: `the privileges of ${account} could not be read (information_schema.USER_PRIVILEGES lists none for it), so whether it may run ${needs.map((n) => purposeOf(n, flavor)).join(", ")} cannot be decided.`,
      fix: `check that the provider logs in as the account it was granted to, and that the grants follow docs/preflight-and-grants.md, "Grants" (${needs.map((n) => grantFor(n, flavor)).join("; ")}).`,
    };
  }
  const held = new Set([...privileges.global.map(canonical), ...globalPrivilegesOfGrants(privileges.grantLines ?? [])]);
  const all = held.has("ALL PRIVILEGES") || held.has("ALL");
  const missing = needs.filter((need) => {
    if (need === "installPlugin") return privileges.canInsertPlugin !== true;
    if (!isGlobal(need)) return false; // uninstalling is never planned before a change
    return !all && !alternativesFor(need, flavor).some((p) => held.has(p));
  });
  if (missing.length === 0) return undefined;
  // One privilege may serve several needs (MariaDB's REPLICATION SLAVE ADMIN): name it once.
  const purposes = new Map<string, string[]>();
  for (const need of missing) {
    const privilege = isGlobal(need) ? flavor.grants[need] : "INSERT on mysql.plugin";
    purposes.set(privilege, [...(purposes.get(privilege) ?? []), purposeOf(need, flavor)]);
  }
  const lacking = [...purposes].map(([privilege, fors]) => `${privilege} (for ${fors.join(" and ")})`);
  const roles = privileges.activeRoles ? ` Its active role(s) ${privileges.activeRoles} were read as well.` : "";
  const globals = [...new Set(missing.filter(isGlobal).map((need) => flavor.grants[need]))];
  const statements = [
    ...(globals.length > 0 ? [`GRANT ${globals.join(", ")} ON *.* TO ${privileges.account};`] : []),
    ...(missing.includes("installPlugin") ? [`GRANT INSERT ON mysql.plugin TO ${privileges.account};`] : []),
  ];
  return {
    message: `the provider's account ${privileges.account} lacks ${lacking.join(" and ")}.${roles}`,
    fix: `${statements.join(" ")} (on this server; docs/preflight-and-grants.md, "Grants"), then run again.`,
  };
}
