import { ConnectionSettings, TlsMode, TlsOptions } from "../types";
import { SemisyncError, semisyncError, driverMessage, hasErrno, ER, isConnectionLost } from "./errors";

export type Row = Record<string, unknown>;

/** The only surface the provider uses to talk to a server. */
export interface Session {
  /** `host:port`, for messages. */
  readonly server: string;
  query(sql: string, values?: unknown[]): Promise<Row[]>;
}

export function serverLabel(settings: Pick<ConnectionSettings, "host" | "port">): string {
  return `${settings.host}:${settings.port}`;
}

/**
 * What a connection does about TLS, resolved from `connection.tls` (docs/connecting.md).
 * `attempt`: "never" connects plain, "always" fails without TLS, "if-offered" uses TLS when the
 * server's greeting offers it and plain otherwise. `verifyChain`: the certificate must be signed
 * by `ca` (Node's bundled CAs without one); `verifyIdentity`: and name the host connected to.
 */
export interface TlsPolicy {
  mode: TlsMode;
  attempt: "never" | "if-offered" | "always";
  verifyChain: boolean;
  verifyIdentity: boolean;
}

/**
 * No `tls`: "preferred". A `tls` without `mode` was written for 0.2.0 or earlier, where any `tls`
 * made mysql2 demand TLS and check the certificate chain (`rejectUnauthorized`, default true)
 * but never the host name (mysql2 checks it only with `verifyIdentity`, which 0.2.0 never set):
 * "verify-ca", or "required" with `rejectUnauthorized: false`. A given `ca` is checked in every
 * mode that uses TLS, except that old "required".
 */
export function tlsPolicy(tls: TlsOptions | null | undefined): TlsPolicy {
  // 0.1.0 stored an absent tls as a secret null.
  const mode: TlsMode = tls?.mode ?? (tls === undefined || tls === null ? "preferred" : tls.rejectUnauthorized === false ? "required" : "verify-ca");
  const caChecked = tls?.ca !== undefined && tls.rejectUnauthorized !== false;
  switch (mode) {
    case "disabled":
      return { mode, attempt: "never", verifyChain: false, verifyIdentity: false };
    case "preferred":
      return { mode, attempt: "if-offered", verifyChain: caChecked, verifyIdentity: false };
    case "required":
      return { mode, attempt: "always", verifyChain: caChecked, verifyIdentity: false };
    case "verify-ca":
      return { mode, attempt: "always", verifyChain: true, verifyIdentity: false };
    case "verify-identity":
      return { mode, attempt: "always", verifyChain: true, verifyIdentity: true };
  }
}

/** mysql2's `ssl` option for a policy that tries TLS. `verifyIdentity` is mysql2's own key (lib/base/connection.js). */
function sslOptions(tls: TlsOptions | undefined, policy: TlsPolicy): Record<string, unknown> {
  const ssl: Record<string, unknown> = { rejectUnauthorized: policy.verifyChain, verifyIdentity: policy.verifyIdentity };
  if (tls?.ca !== undefined) ssl.ca = tls.ca;
  if (tls?.cert !== undefined) ssl.cert = tls.cert;
  if (tls?.key !== undefined) ssl.key = tls.key;
  return ssl;
}

/**
 * Opens one connection, runs `work`, and closes it. Every network step is bounded: connecting by
 * `connectTimeoutMs`, each statement by `statementTimeoutMs`.
 */
export async function withSession<T>(settings: ConnectionSettings, password: string | undefined, work: (session: Session) => Promise<T>): Promise<T> {
  // Loaded here, not at module level: the provider is serialized into the Pulumi state and must
  // resolve mysql2 in the provider process (pulumi/pulumi dynamic provider serialization).
  const mysql = require("mysql2/promise") as typeof import("mysql2/promise");
  const server = serverLabel(settings);
  const policy = tlsPolicy(settings.tls);
  const connectOnce = async (overTls: boolean, timeoutMs: number) => {
    const connection = await mysql.createConnection({
      host: settings.host,
      port: settings.port,
      user: settings.user,
      password: password ?? "",
      connectTimeout: timeoutMs,
      ssl: overTls ? sslOptions(settings.tls, policy) : undefined,
      // Used only without TLS: over TLS the password travels inside the encrypted channel.
      serverPublicKey: settings.serverPublicKey,
      allowPublicKeyRetrieval: settings.allowPublicKeyRetrieval === true,
      multipleStatements: false,
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
    } as Parameters<typeof mysql.createConnection>[0]);
    // A connection error event after a query resolved must not crash the provider process.
    connection.on("error", () => undefined);
    return connection;
  };
  const open = async () => {
    const deadline = Date.now() + settings.connectTimeoutMs;
    let overTls = policy.attempt !== "never";
    try {
      try {
        return await connectOnce(overTls, settings.connectTimeoutMs);
      } catch (error) {
        // mysql2 has no "TLS if offered": it fails on a greeting without the SSL capability, and
        // the second attempt, plain, stays within the same connect bound.
        if (policy.attempt !== "if-offered" || (error as { code?: string }).code !== "HANDSHAKE_NO_SSL_SUPPORT") throw error;
        overTls = false;
        return await connectOnce(false, Math.max(1, deadline - Date.now()));
      }
    } catch (error) {
      throw connectError(server, settings, error, { policy, overTls });
    }
  };
  let connection = await open();
  const session: Session = {
    server,
    async query(sql, values) {
      try {
        const [rows] = await connection.query({ sql, values, timeout: settings.statementTimeoutMs });
        return Array.isArray(rows) ? (rows as Row[]) : [];
      } catch (error) {
        // After a timeout mysql2 keeps the statement as the connection's current command, so every
        // later statement (the undo above all) would queue behind it with no bound. Drop that
        // connection, stop the statement on the server, and go on with a fresh one.
        if ((error as { code?: string }).code === "PROTOCOL_SEQUENCE_TIMEOUT") {
          const stuck = connection.threadId;
          connection.destroy();
          connection = await open();
          if (typeof stuck === "number") await connection.query({ sql: `KILL QUERY ${stuck}`, timeout: settings.statementTimeoutMs }).catch(() => undefined);
        }
        throw error;
      }
    },
  };
  try {
    return await work(session);
  } finally {
    const closing = connection;
    await Promise.race([closing.end().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
    closing.destroy();
  }
}

/** How the failed attempt connected: the policy, and whether it was trying TLS. */
export interface ConnectAttempt {
  policy: TlsPolicy;
  overTls: boolean;
}

const ENABLE_SERVER_TLS =
  "give the server a certificate (MySQL 8.0+ makes one at initialisation unless auto_generate_certs is OFF; else set ssl_cert and ssl_key; MariaDB: ssl_cert, ssl_key and ssl_ca under [mysqld], then restart)";

/**
 * The error for a failed connect, its fix matching the cause (docs/connecting.md, "Errors"). Pure:
 * exported for unit tests of the causes a test cannot produce on loopback (a name that does not
 * resolve would send a DNS query off the machine).
 */
export function connectError(server: string, settings: ConnectionSettings, error: unknown, attempt: ConnectAttempt): SemisyncError {
  const code = (error as { code?: string } | undefined)?.code ?? "";
  const mode = `connection.tls.mode "${attempt.policy.mode}"${settings.tls?.mode === undefined ? (settings.tls === undefined || settings.tls === null ? " (the default)" : " (a tls without mode, as 0.2.0 read it)") : ""}`;
  if (code === "PUBLIC_KEY_RETRIEVAL_NOT_ALLOWED") {
    const why = attempt.policy.attempt === "never" ? `the connection has no TLS (${mode})` : `the server offers no TLS (its have_ssl is DISABLED), so ${mode} connected without it`;
    return semisyncError(
      server,
      `cannot log in as '${settings.user}': the account uses caching_sha2_password and the server has no cached login for it (a new account, or after a restart or FLUSH PRIVILEGES), so the password must be sent encrypted, and ${why}: ${driverMessage(error)}.`,
      {
        cause: error,
        fix:
          `one of: (1) TLS: ${attempt.policy.attempt === "never" ? 'remove connection.tls.mode "disabled" (the default "preferred" uses TLS whenever the server offers it)' : ENABLE_SERVER_TLS}; ` +
          "(2) connection.serverPublicKey: the server's RSA public key in PEM (SHOW STATUS LIKE 'Caching_sha2_password_rsa_public_key'), fetched over a channel you trust; " +
          "(3) connection.allowPublicKeyRetrieval: true, which fetches that key unverified: anyone who can intercept the connection can substitute their own key and read the password.",
      },
    );
  }
  if (code === "HANDSHAKE_NO_SSL_SUPPORT") {
    return semisyncError(server, `${mode} needs TLS, and the server offers none (its have_ssl is DISABLED): ${driverMessage(error)}.`, {
      cause: error,
      fix: `${ENABLE_SERVER_TLS}; or set connection.tls.mode to "preferred" (TLS when the server offers it) or "disabled", accepting a connection an eavesdropper can read.`,
    });
  }
  if (code === "HANDSHAKE_SSL_ERROR" || (attempt.overTls && isTlsVerificationError(error))) {
    const message = driverMessage(error);
    if (isIdentityMismatch(error)) {
      return semisyncError(server, `the server's TLS certificate does not name ${settings.host} (${mode}): ${message}.`, {
        cause: error,
        fix: `connect by a host name or address the certificate lists (its subject alternative names), or give the server a certificate that names ${settings.host}; or set connection.tls.mode to "verify-ca", which checks the signature but not the name.`,
      });
    }
    if (isTlsVerificationError(error)) {
      const against = settings.tls?.ca !== undefined ? "connection.tls.ca" : "Node's bundled public CAs (no connection.tls.ca is given)";
      return semisyncError(server, `the server's TLS certificate could not be verified against ${against} (${mode}): ${message}.`, {
        cause: error,
        fix: `set connection.tls.ca to the CA certificate that signed the server's certificate (for MySQL's own certificates, ca.pem in its datadir); or set connection.tls.mode to "required", which encrypts without checking who answers.`,
      });
    }
    return semisyncError(server, `the TLS handshake failed (${mode}): ${message}.`, {
      cause: error,
      fix: 'check the server\'s TLS settings (tls_version, ssl_cipher) and connection.tls.cert and key; connection.tls.mode "disabled" connects without TLS.',
    });
  }
  if (hasErrno(error, ER.ACCESS_DENIED)) {
    return semisyncError(server, `the server refused user '${settings.user}': ${driverMessage(error)}.`, {
      cause: error,
      fix:
        "check the user and password given in `connection` (the password is a Pulumi secret)" +
        (settings.serverPublicKey !== undefined && !attempt.overTls ? ", and that connection.serverPublicKey is this server's current public key." : "."),
    });
  }
  // MariaDB sends the same text under its own number.
  if (hasErrno(error, ER.SECURE_TRANSPORT_REQUIRED) || /insecure transport are prohibited/i.test(driverMessage(error))) {
    return semisyncError(server, `the server accepts only TLS connections (require_secure_transport is ON), and ${mode} connected without TLS: ${driverMessage(error)}.`, {
      cause: error,
      fix:
        attempt.policy.attempt === "never"
          ? 'remove connection.tls.mode "disabled": the default "preferred" uses TLS, and "verify-ca" with connection.tls.ca also checks the server\'s certificate.'
          : `${ENABLE_SERVER_TLS}; the server demands TLS but did not offer it.`,
    });
  }
  if (code === "ETIMEDOUT") {
    return semisyncError(server, `no answer within ${settings.connectTimeoutMs} ms.`, {
      cause: error,
      fix: "check the host and port, that the server runs and that no firewall drops the traffic; `connection.connectTimeoutMs` sets the bound.",
    });
  }
  if (code === "ECONNREFUSED") {
    return semisyncError(server, `cannot connect: ${driverMessage(error)}: nothing listens on port ${settings.port} of ${settings.host}.`, {
      cause: error,
      fix: "check the host and port (connection.host, connection.port), that the server is running, and that it listens on that address (bind_address).",
    });
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return semisyncError(server, `the host name ${settings.host} does not resolve (${driverMessage(error)}).`, {
      cause: error,
      fix: "check connection.host: a name your DNS or /etc/hosts resolves, or an IP address.",
    });
  }
  if (isConnectionLost(error)) {
    return semisyncError(server, `cannot connect: ${driverMessage(error)}.`, {
      cause: error,
      fix: "check the host and port and that the server is running.",
    });
  }
  return semisyncError(server, `cannot connect: ${driverMessage(error)}.`, { cause: error });
}

/**
 * OpenSSL's verification failures as Node reports them (https://nodejs.org/api/tls.html, the
 * X509_V_ERR codes of https://docs.openssl.org/master/man1/openssl-verification-options/). mysql2
 * overwrites `code` with HANDSHAKE_SSL_ERROR, so the message is what is left to go by.
 */
function isTlsVerificationError(error: unknown): boolean {
  const message = (error as { message?: string } | undefined)?.message ?? "";
  return (
    isIdentityMismatch(error) ||
    /self[- ]signed certificate|unable to (verify|get local issuer)|certificate (has expired|is not yet valid|signature failure|revoked)|unsuitable certificate|invalid CA certificate|CERT_/i.test(message)
  );
}

function isIdentityMismatch(error: unknown): boolean {
  const e = error as { message?: string; reason?: string } | undefined;
  return /does not match certificate's altnames|not in the cert's (altnames|CN)/i.test(`${e?.message ?? ""} ${e?.reason ?? ""}`);
}
