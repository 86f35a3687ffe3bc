import { DetectedServer, detectFlavor, isUnsupportedServerError } from "../flavors/detect";
import { ConnectionInputs, Credentials, connectionSettings } from "../plan/inputs";
import { isPlanError } from "../plan/plan-error";
import { ServerIdentity } from "../plan/props";
import { Session, serverLabel, withSession } from "../sql/connection";
import { NOTHING_CHANGED, isPrivilegeMissing, isSemisyncError, renderForEngine, semisyncError } from "../sql/errors";
import { ObserveOptions, observe, readFacts } from "../sql/observe";
import { ObservedState, ServerFacts } from "../types";

export interface ServerContext {
  session: Session;
  detected: DetectedServer;
  facts: ServerFacts;
  observe(options?: ObserveOptions): Promise<ObservedState>;
}

/**
 * Connects, identifies the server generation and hands the work a way to observe it. Every
 * error leaves here as a SemisyncError naming the server (plan errors too), as data: the edge
 * renders it (`reportingOnce`).
 */
export async function withServer<T>(credentials: Credentials, work: (ctx: ServerContext) => Promise<T>): Promise<T> {
  const settings = connectionSettings(credentials.connection, credentials.tls);
  return onSession(serverLabel(settings), (use) => withSession(settings, credentials.password, use), work);
}

/**
 * `withServer` whose errors leave rendered for the engine. 0.1.0's stored provider calls it by
 * this name (package.json `exports`) for its refresh and destroy, with no edge of this release
 * between it and the engine; this release's code calls `withServer`.
 */
export async function onServer<T>(credentials: Credentials, work: (ctx: ServerContext) => Promise<T>): Promise<T> {
  try {
    return await withServer(credentials, work);
  } catch (error) {
    throw renderForEngine(error);
  }
}

/**
 * `onServer` on the session `open` hands over: a real connection, or in unit tests a stand-in.
 * `server` names the server in errors.
 */
export async function onSession<T>(server: string, open: (use: (session: Session) => Promise<T>) => Promise<T>, work: (ctx: ServerContext) => Promise<T>): Promise<T> {
  let detected: DetectedServer | undefined;
  try {
    return await open(async (session) => {
      const facts = await readFacts(session);
      detected = detectFlavor({ version: facts.version, versionComment: facts.versionComment });
      const current = detected;
      return work({
        session,
        detected: current,
        facts,
        observe: (options) => observe(session, current.flavor, facts, options),
      });
    });
  } catch (error) {
    if (isSemisyncError(error)) throw error;
    if (isPlanError(error)) throw semisyncError(server, error.message, { fix: error.fix, changed: NOTHING_CHANGED });
    if (isUnsupportedServerError(error)) throw semisyncError(server, `${(error as Error).message}.`, { changed: NOTHING_CHANGED });
    const message = error instanceof Error ? ((error as { sqlMessage?: string }).sqlMessage ?? error.message) : String(error);
    if (isPrivilegeMissing(error)) {
      throw semisyncError(server, `reading the server's state was refused: ${message}.`, {
        cause: error,
        changed: NOTHING_CHANGED,
        fix: readGrantFix(detected),
      });
    }
    throw semisyncError(server, message, { cause: error });
  }
}

/** The grants that reading a server's state needs on its generation (docs/preflight-and-grants.md, "Grants"). */
function readGrantFix(detected: DetectedServer | undefined): string {
  if (!detected) {
    return 'GRANT REPLICATION CLIENT ON *.* (MariaDB 10.5.2–10.5.8: REPLICATION SLAVE ADMIN; 10.5.9+: REPLICA MONITOR) and, on MySQL 8.0+, SELECT ON performance_schema.* TO the provider\'s user (docs/preflight-and-grants.md, "Grants").';
  }
  const { flavor } = detected;
  const persisted = flavor.supportsPersist ? " and SELECT ON performance_schema.*" : "";
  return `GRANT ${flavor.grants.readReplicaStatus} ON *.*${persisted} TO the provider's user (docs/preflight-and-grants.md, "Grants").`;
}

/** Polls `probe` until it returns a value or `waitMs` passes. */
export async function pollUntil<T>(waitMs: number, intervalMs: number, probe: () => Promise<T | undefined>): Promise<T | undefined> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** The server as a resource's outputs name it (`serverVersion`, `serverFlavor`). */
export function serverOf(ctx: ServerContext): ServerIdentity {
  return { version: ctx.facts.version, flavor: ctx.detected.flavor.id };
}

export function resourceId(connection: ConnectionInputs, kind: string, role: string): string {
  return `mysql://${serverLabel(connectionSettings(connection))}/${kind}/${role}`;
}
