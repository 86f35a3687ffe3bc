import { Role, SettingKey, Statement, StatementEffect } from "../types";

/** A member of the topology the preflight could not reach (refused connection, no answer). */
export interface DownMember {
  /** `host:port` as configured. */
  server: string;
  role: Role;
}

/**
 * What the preflight does about members that are down, when every member it could read passes:
 * `proceed` with one warning naming them, or `refuse` with the reason.
 */
export type MemberDownVerdict = { proceed: true; warning: string } | { proceed: false; reason: string };

/**
 * Whether a change planned on a reachable server may go ahead while other members of its
 * topology are down. Only a change that can neither stall a commit nor leave the topology half
 * set up may: one that makes commits wait less long, for fewer acknowledgements, or no
 * differently at all. Anything that needs the down members (installing a plugin, switching a
 * side on or the source's side off, an IO-thread restart that registers a replica anew) or that
 * lets a commit wait longer for the acknowledgement a down replica no longer sends is refused,
 * as before this rule existed. A statement that does not say what it changes is refused.
 *
 * | change on the reachable server                          | with a member down |
 * |---------------------------------------------------------|--------------------|
 * | `timeoutMs` lowered                                      | goes ahead, warns  |
 * | `timeoutMs` raised, or put back to the server default    | refused            |
 * | `waitForReplicaCount` lowered                            | goes ahead, warns  |
 * | `waitForReplicaCount` raised, or put back to the default | refused            |
 * | `waitNoReplica` switched off                             | goes ahead, warns  |
 * | `waitNoReplica` switched on, or put back to the default  | refused            |
 * | `waitPoint`, `traceLevel` (any value)                    | goes ahead, warns  |
 * | `persist` dropped (RESET PERSIST)                        | goes ahead, warns  |
 * | a plugin installed                                       | refused            |
 * | a side switched on                                       | refused            |
 * | the source side switched off (a role change)             | refused            |
 * | a replica's IO thread restarted                          | refused            |
 */
export function memberDownVerdict(planned: Statement[], down: DownMember[]): MemberDownVerdict {
  const names = down.map((m) => `${m.server} (${m.role})`).join(", ");
  for (const statement of planned) {
    const reason = needsEveryMember(statement.effect);
    if (reason) return { proceed: false, reason: `${reason}, which needs every member, and ${names} ${down.length > 1 ? "are" : "is"} down` };
  }
  return {
    proceed: true,
    warning: `${names} could not be reached; going ahead, because this change (${planned.map(describe).join(", ")}) can neither stall a commit nor need ${down.length > 1 ? "them" : "it"}. Bring ${down.length > 1 ? "them" : "it"} back or remove ${down.length > 1 ? "them" : "it"} from the program before changing anything else.`,
  };
}

/** Why a statement with this effect needs every member; undefined when it needs none. */
function needsEveryMember(effect: StatementEffect | undefined): string | undefined {
  if (!effect) return "this change is not one the rule knows to be safe";
  switch (effect.kind) {
    case "install":
      return `this change installs the ${effect.side} plugin, which sets the topology up`;
    case "switch":
      if (effect.on) return `this change switches the ${effect.side} side on`;
      return effect.side === "source" ? "this change switches the source side off, part of a change of roles" : undefined;
    case "io-restart":
      return "this change restarts the replica's IO thread to register it anew with its source";
    case "persistence":
      return undefined;
    case "setting":
      return lengthensWaits(effect.key, effect.from, effect.to) ? `this change sets ${effect.key} from ${effect.from ?? "(unset)"} to ${effect.to}, which can make a commit wait longer for an acknowledgement` : undefined;
  }
}

/** Whether a tunable's new value can make a commit wait longer, or for more acknowledgements. */
function lengthensWaits(key: SettingKey, from: string | undefined, to: string): boolean {
  switch (key) {
    case "waitPoint":
    case "traceLevel":
      return false; // when a commit waits, and what is traced; never whether or how long
    case "waitNoReplica":
      return !/^(OFF|0|NO|FALSE)$/i.test(to);
    case "timeoutMs":
    case "waitForReplicaCount":
      return !(isWhole(to) && from !== undefined && isWhole(from) && BigInt(to) <= BigInt(from));
  }
}

const isWhole = (value: string) => /^\d+$/.test(value);

function describe(statement: Statement): string {
  const effect = statement.effect;
  if (effect?.kind === "setting") return `${effect.key} ${effect.from ?? "(unset)"} → ${effect.to}`;
  if (effect?.kind === "persistence") return statement.sql;
  return statement.purpose;
}
