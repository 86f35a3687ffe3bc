/**
 * Server error numbers the provider acts on. MySQL numbers come from
 * https://dev.mysql.com/doc/mysql-errors/8.0/en/server-error-reference.html (the same table
 * mysql2 generates lib/constants/errors.js from); MariaDB-only numbers from
 * https://mariadb.com/kb/en/mariadb-error-codes/.
 */
export const ER = {
  ACCESS_DENIED: 1045,
  TABLEACCESS_DENIED: 1142,
  UDF_NO_PATHS: 1124,
  UDF_EXISTS: 1125,
  CANT_OPEN_LIBRARY: 1126,
  CANT_FIND_DL_ENTRY: 1127,
  UNKNOWN_SYSTEM_VARIABLE: 1193,
  SPECIFIC_ACCESS_DENIED: 1227,
  WRONG_VALUE_FOR_VAR: 1231,
  WRONG_TYPE_FOR_VAR: 1232,
  /** ER_LOCK_WAIT_TIMEOUT, "Lock wait timeout exceeded; try restarting transaction": also a metadata lock waited out past `lock_wait_timeout` (MariaDB: the same number). */
  LOCK_WAIT_TIMEOUT: 1205,
  SP_DOES_NOT_EXIST: 1305,
  /** ER_OPTION_PREVENTS_STATEMENT, "The MySQL server is running with the %s option so it cannot execute this statement" (MariaDB: the same number). */
  OPTION_PREVENTS_STATEMENT: 1290,
  QUERY_INTERRUPTED: 1317,
  PLUGIN_CANNOT_BE_UNINSTALLED: 1883,
  INSTALL_PLUGIN_CONFLICT_CLIENT: 4045,
  SECURE_TRANSPORT_REQUIRED: 3159,
  /**
   * Client error CR_AUTH_PLUGIN_ERR, "Authentication plugin '%s' reported error: %s" (client error
   * reference, https://dev.mysql.com/doc/mysql-errors/8.0/en/client-error-reference.html; the same
   * number in include/errmsg.h and MariaDB Connector/C's errmsg.h): e.g. a
   * replication channel whose caching_sha2_password user needs TLS or the source's public key.
   */
  CR_AUTH_PLUGIN_ERR: 2061,
  /** MariaDB: "Plugin '%s' already installed". */
  MARIADB_PLUGIN_INSTALLED: 1968,
} as const;

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

/**
 * A replication IO thread's `Last_IO_Errno` that retrying cannot cure: the source rejects the
 * channel's user or password (1045), or the authentication plugin cannot complete without a
 * change to the channel (2061). Network errors (source down, restarting) are not among them.
 */
export function isReplicationLoginRejected(lastIoErrno: number | undefined): boolean {
  return lastIoErrno === ER.ACCESS_DENIED || lastIoErrno === ER.CR_AUTH_PLUGIN_ERR;
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
