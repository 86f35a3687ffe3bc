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
  return (
    e.fatal === true ||
    ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "PROTOCOL_CONNECTION_LOST", "PROTOCOL_SEQUENCE_TIMEOUT", "EHOSTUNREACH", "ENOTFOUND"].includes(
      e.code ?? "",
    )
  );
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
 * The one error the provider raises: it names the server, says what was being done and how to
 * fix it, and keeps the driver error as `cause`. It never carries a password.
 */
export interface SemisyncError extends Error {
  name: "SemisyncError";
  server: string;
  errno?: number;
}

// Errors are built by factories, not `class … extends Error`: Pulumi serializes the provider
// into the state and rewrites classes as ES5 functions whose `Error.call(this, …)` loses the
// message (the engine then reports "error: undefined").
export function semisyncError(server: string, message: string, options?: { cause?: unknown; fix?: string }): SemisyncError {
  const fix = options?.fix ? ` Fix: ${options.fix}` : "";
  const error = new Error(`[${server}] ${message}${fix}`) as SemisyncError;
  error.name = "SemisyncError";
  error.server = server;
  error.errno = errnoOf(options?.cause);
  if (options?.cause !== undefined) (error as { cause?: unknown }).cause = options.cause;
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
