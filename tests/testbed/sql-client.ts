import * as mysql from "mysql2/promise";

export interface ConnectionInfo {
  host: string;
  port: number;
  user: string;
  password: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a row's columns are read as each test expects them
export type Row = Record<string, any>;

const CONNECT_TIMEOUT_MS = 5_000;

/**
 * The test bed's own account on every server (server-script.ts). The provider's account (`admin`)
 * is created and left alone, as an operator creates one: its first login is the provider's, with
 * the caching_sha2_password cache cold (issue 17: warm test accounts hid a failing first login).
 */
export const TESTBED_USER = "testbed";

/** The test bed's login on a server: its own account, the same password. */
export function testbedLogin(server: { host: string; port: number; password: string }): ConnectionInfo {
  return { host: server.host, port: server.port, user: TESTBED_USER, password: server.password };
}

/**
 * A connection over TLS whenever the server offers it (every MySQL 8.0+ server does), plain
 * otherwise, the certificate not checked: the test bed's servers are its own, on loopback. A cold
 * caching_sha2_password login without TLS would need the server's RSA key, which mysql2 3.26+
 * refuses to fetch unasked; the servers with `require_secure_transport` accept nothing else.
 */
export async function openConnection(info: ConnectionInfo, options: { connectTimeoutMs?: number } = {}): Promise<mysql.Connection> {
  // Only the connection fields: callers pass richer objects (a Server), and mysql2 warns about
  // every option it does not know.
  const { host, port, user, password } = info;
  const base = { host, port, user, password, connectTimeout: options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS };
  try {
    return await mysql.createConnection({ ...base, ssl: { rejectUnauthorized: false } });
  } catch (error) {
    if ((error as { code?: string }).code !== "HANDSHAKE_NO_SSL_SUPPORT") throw error;
    // A server without TLS (a test of that case): the test bed's own loopback servers, so
    // fetching the RSA key unverified risks nothing here.
    return mysql.createConnection({ ...base, allowPublicKeyRetrieval: true });
  }
}

export async function withConnection<T>(info: ConnectionInfo, use: (connection: mysql.Connection) => Promise<T>): Promise<T> {
  const connection = await openConnection(info);
  try {
    return await use(connection);
  } finally {
    await connection.end().catch(() => connection.destroy());
  }
}

/** Rows of a result set; statements without one (INSERT, CHANGE ...) yield an empty array. */
export async function queryRows<R extends Row = Row>(info: ConnectionInfo, sql: string, params?: unknown[]): Promise<R[]> {
  return withConnection(info, async (connection) => {
    const [result] = await connection.query(sql, params);
    return Array.isArray(result) ? (result as R[]) : [];
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
