import { Flavor, requiredGrant } from "../flavors/generations";
import { Statement } from "../types";
import { Session } from "./connection";
import { ER, driverMessage, hasErrno, isConnectionLost, isLibraryMissing, isPluginConflict, isPrivilegeMissing, isReadOnlyRefusal, isUninstallRefused, semisyncError } from "./errors";

/**
 * Runs a plan's statements in order. If one fails, the completed ones are undone in reverse, so a
 * failed apply leaves the server as it found it; the error says so.
 */
export async function applyStatements(session: Session, statements: Statement[], flavor: Flavor): Promise<void> {
  const done: Statement[] = [];
  for (const statement of statements) {
    try {
      await session.query(statement.sql);
      done.push(statement);
    } catch (error) {
      const undoFailures = await undoStatements(session, done);
      const restored =
        done.length === 0
          ? "Nothing had been changed."
          : undoFailures.length === 0
            ? `The ${done.length} earlier change(s) were undone.`
            : `Undoing earlier changes failed (${undoFailures.join("; ")}); run again once the server is reachable.`;
      throw semisyncError(session.server, `could not ${statement.purpose} (\`${statement.sql}\`): ${driverMessage(error)}.`, {
        cause: error,
        fix: fixFor(error, statement, flavor),
        changed: restored,
      });
    }
  }
}

/** Undoes applied statements, the last first; returns what could not be undone. */
export async function undoStatements(session: Session, done: Statement[]): Promise<string[]> {
  return runEach(
    session,
    [...done].reverse().flatMap((statement) => statement.undo ?? []),
  );
}

/** Runs each statement, going on past a failure; returns the failures, for the error that follows. */
export async function runEach(session: Session, sqls: string[]): Promise<string[]> {
  const failures: string[] = [];
  for (const sql of sqls) {
    try {
      await session.query(sql);
    } catch (error) {
      failures.push(`\`${sql}\`: ${driverMessage(error)}`);
    }
  }
  return failures;
}

function fixFor(error: unknown, statement: Statement, flavor: Flavor): string | undefined {
  if (isPrivilegeMissing(error)) {
    return `GRANT ${requiredGrant(statement.sql, flavor)} TO the provider's user (docs/preflight-and-grants.md, "Grants").`;
  }
  if (isLibraryMissing(error)) {
    const libimf = /libimf/.test(driverMessage(error)) ? " The library needs libimf: install it from https://dev.mysql.com/downloads/os-linux.html." : "";
    return `the plugin library is not in @@plugin_dir; install the server package that ships it, or pin terminology to one this server ships.${libimf}`;
  }
  if (isPluginConflict(error)) {
    return 'the other-named plugin of this side is installed; set terminology to "automatic" or uninstall that plugin first.';
  }
  if (isReadOnlyRefusal(error)) {
    return "this server is read-only (super_read_only or read_only, as an orchestrator leaves a replica or a demoted source), and INSTALL/UNINSTALL PLUGIN write mysql.plugin. With failoverReady on SemisyncReplication a role flip installs and uninstalls nothing; otherwise lift it for the deployment (SET GLOBAL super_read_only = OFF: read_only alone does not stop an account with SUPER or CONNECTION_ADMIN, on MariaDB READ_ONLY ADMIN) and restore it after.";
  }
  if (isUninstallRefused(error)) {
    return "semisync replicas (on a source) or a semisync IO thread (on a replica) are still active; disable semisync on the replicas and restart their IO threads first. With replication_optimize_for_static_plugin_config=ON the server refuses too: set it OFF first.";
  }
  if (hasErrno(error, ER.QUERY_INTERRUPTED) || isConnectionLost(error)) {
    return "the connection was lost or the statement was killed; run again: the provider picks up from the server's actual state.";
  }
  return undefined;
}
