import * as mysql from "mysql2/promise";

export interface ConnectionInfo {
  host: string;
  port: number;
  user: string;
  password: string;
}

export type Row = Record<string, any>;

const CONNECT_TIMEOUT_MS = 5_000;

export async function withConnection<T>(info: ConnectionInfo, use: (connection: mysql.Connection) => Promise<T>): Promise<T> {
  // Only the connection fields: callers pass richer objects (a Server), and mysql2 warns about
  // every option it does not know.
  const { host, port, user, password } = info;
  const connection = await mysql.createConnection({ host, port, user, password, connectTimeout: CONNECT_TIMEOUT_MS });
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
