import { ER } from "../flavors/error-numbers";

// Kept here too: code written against 0.2.0 imports the error numbers from this module.
export { ER };

export interface ServerError extends Error {
  errno?: number;
  code?: string;
  sqlMessage?: string;
  fatal?: boolean;
}

function errnoOf(error: unknown): number | undefined {
  return typeof error === "object" && error !== null ? (error as ServerError).errno : undefined;
}

export function hasErrno(error: unknown, ...errnos: number[]): boolean {
  const errno = errnoOf(error);
  return errno !== undefined && errnos.includes(errno);
}

/** The library file is not in @@plugin_dir, or the loader refused it (dlerror in the message). */
export function isLibraryMissing(error: unknown): boolean {
  return hasErrno(error, ER.CANT_OPEN_LIBRARY);
}

export function isPluginConflict(error: unknown): boolean {
  return hasErrno(error, ER.INSTALL_PLUGIN_CONFLICT_CLIENT);
}

/**
 * `read_only`/`super_read_only` refused a statement that writes a table: `INSTALL`/`UNINSTALL
 * PLUGIN` write `mysql.plugin`. Orchestrators leave replicas and demoted sources read-only.
 */
export function isReadOnlyRefusal(error: unknown): boolean {
  return hasErrno(error, ER.OPTION_PREVENTS_STATEMENT) && /read[-_]only/i.test(driverMessage(error));
}

export function isUninstallRefused(error: unknown): boolean {
  return hasErrno(error, ER.PLUGIN_CANNOT_BE_UNINSTALLED);
}

export function isPrivilegeMissing(error: unknown): boolean {
  return hasErrno(error, ER.SPECIFIC_ACCESS_DENIED, ER.TABLEACCESS_DENIED);
}

/** A lock (e.g. a backup's `FLUSH TABLES WITH READ LOCK`) was waited for past `lock_wait_timeout`. */
export function isLockWaitTimeout(error: unknown): boolean {
  return hasErrno(error, ER.LOCK_WAIT_TIMEOUT);
}

/** The driver lost the connection or never had one: the server may not have seen the statement. */
export function isConnectionLost(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const e = error as ServerError;
  return e.fatal === true || ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "PROTOCOL_CONNECTION_LOST", "PROTOCOL_SEQUENCE_TIMEOUT", "EHOSTUNREACH", "ENOTFOUND"].includes(e.code ?? "");
}

/**
 * Connecting failed before any server answered: nothing listens there (`ECONNREFUSED`), the
 * network has no route to it (`EHOSTUNREACH`, `ENETUNREACH`), or the connect timed out
 * (`ETIMEDOUT`, which mysql2 raises only for `connectTimeout`; a statement timeout is
 * `PROTOCOL_SEQUENCE_TIMEOUT`). Codes from https://nodejs.org/api/errors.html#common-system-errors
 * and mysql2's lib/connection.js. A name that does not resolve (`ENOTFOUND`), a reset, a rejected
 * login or any server error is not "unreachable": something answered, or the address is wrong.
 * Looks through a `SemisyncError` to the driver error it wraps.
 */
export function isUnreachable(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const cause = (error as { cause?: unknown }).cause;
  if (isSemisyncError(error) && cause !== undefined) return isUnreachable(cause);
  return ["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "ETIMEDOUT"].includes((error as ServerError).code ?? "");
}

/**
 * The one error the provider raises, as data: the server, what went wrong (`message`), what the
 * failure changed or undid (`changed`) and how to fix it (`fix`), with the driver error as `cause`.
 * It never carries a password. The text the engine prints is made from these once, at the edge
 * (`renderForEngine`): code that reads an error reads its fields.
 */
export interface SemisyncError extends Error {
  name: "SemisyncError";
  /** `host:port` of the server it is about; "" when no server is known. */
  server: string;
  /** How to fix it, when something can be done. */
  fix?: string;
  /** What the failure left changed or undid: `Nothing was changed.`, `The 2 earlier change(s) were undone.`, … */
  changed?: string;
  errno?: number;
}

// Errors are built by factories, not `class … extends Error`: Pulumi serializes the provider
// into the state and rewrites classes as ES5 functions whose `Error.call(this, …)` loses the
// message (the engine then reports "error: undefined").
export function semisyncError(server: string, message: string, options?: { cause?: unknown; fix?: string; changed?: string }): SemisyncError {
  const error = new Error(message) as SemisyncError;
  error.name = "SemisyncError";
  error.server = server;
  if (options?.fix) error.fix = options.fix;
  if (options?.changed) error.changed = options.changed;
  error.errno = errnoOf(options?.cause);
  if (options?.cause !== undefined) (error as { cause?: unknown }).cause = options.cause;
  return error;
}

/** The text the engine prints for an error: `[host:port] what went wrong. What changed. Fix: …`. */
export function engineText(error: SemisyncError): string {
  const server = error.server ? `[${error.server}] ` : "";
  return `${server}${error.message}${error.changed ? ` ${error.changed}` : ""}${error.fix ? ` Fix: ${error.fix}` : ""}`;
}

/** `changed` of a failure before any statement ran. */
export const NOTHING_CHANGED = "Nothing was changed.";

const RENDERED = Symbol.for("pulumi-mysql-semisync.rendered");

/**
 * The edge: a SemisyncError leaving the provider for the engine gets `engineText` as its message
 * (the engine prints the message alone), once however many edges it passes; the fields stay.
 * Any other error passes as it is.
 */
export function renderForEngine(error: unknown): unknown {
  if (!isSemisyncError(error) || (error as { [RENDERED]?: boolean })[RENDERED]) return error;
  error.message = engineText(error);
  error.stack = `${error.name}: ${error.message}`;
  Object.defineProperty(error, RENDERED, { value: true, enumerable: false });
  return error;
}

export function isSemisyncError(error: unknown): error is SemisyncError {
  return error instanceof Error && error.name === "SemisyncError";
}

/** The message of a driver error without the driver's stack, for embedding in our messages. */
export function driverMessage(error: unknown): string {
  if (typeof error !== "object" || error === null) return String(error);
  const e = error as ServerError;
  const text = e.sqlMessage ?? e.message ?? String(error);
  return e.errno !== undefined && e.errno > 0 ? `${text} (error ${e.errno})` : e.code ? `${text} (${e.code})` : text;
}
