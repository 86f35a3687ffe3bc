import { DetectedServer, detectFlavor, isUnsupportedServerError } from "../flavors/detect";
import { ConnectionInputs, connectionSettings } from "../plan/inputs";
import { isPlanError } from "../plan/plan-error";
import { Session, serverLabel, withSession } from "../sql/connection";
import { isSemisyncError, semisyncError } from "../sql/errors";
import { ObservedState, ServerFacts, observe, readFacts } from "../sql/observe";

export interface ServerContext {
  session: Session;
  detected: DetectedServer;
  facts: ServerFacts;
  observe(options?: { channels?: boolean }): Promise<ObservedState>;
}

/**
 * Connects, identifies the server generation and hands the work a way to observe it. Plan
 * errors leave here as SemisyncErrors naming the server.
 */
export async function onServer<T>(
  connection: ConnectionInputs,
  password: string | undefined,
  work: (ctx: ServerContext) => Promise<T>,
): Promise<T> {
  const settings = connectionSettings(connection);
  const server = serverLabel(settings);
  try {
    return await withSession(settings, password, async (session) => {
      const facts = await readFacts(session);
      const detected = detectFlavor({ version: facts.version, versionComment: facts.versionComment });
      return work({
        session,
        detected,
        facts,
        observe: (options) => observe(session, detected.flavor, facts, options),
      });
    });
  } catch (error) {
    if (isSemisyncError(error)) throw error;
    if (isPlanError(error)) throw semisyncError(server, `${error.message} Nothing was changed.`, { fix: error.fix });
    if (isUnsupportedServerError(error)) throw semisyncError(server, `${(error as Error).message}. Nothing was changed.`);
    const message = error instanceof Error ? ((error as { sqlMessage?: string }).sqlMessage ?? error.message) : String(error);
    throw semisyncError(server, message, { cause: error });
  }
}

/** Polls `probe` until it returns a value or `timeoutMs` passes. */
export async function pollUntil<T>(timeoutMs: number, intervalMs: number, probe: () => Promise<T | undefined>): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export function resourceId(connection: ConnectionInputs, kind: string, role: string): string {
  return `mysql://${serverLabel(connectionSettings(connection))}/${kind}/${role}`;
}

/** The provider's code version, stored in outputs so `diff` can refresh stale code in state. */
export const PROVIDER_VERSION = "0.1.0";
