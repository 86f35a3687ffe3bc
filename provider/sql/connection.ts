import { ConnectionSettings } from "../types";
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
 * Opens one connection, runs `work`, and closes it. Every network step is bounded: connecting by
 * `connectTimeoutMs`, each statement by `statementTimeoutMs`.
 */
export async function withSession<T>(
  settings: ConnectionSettings,
  password: string | undefined,
  work: (session: Session) => Promise<T>,
): Promise<T> {
  // Loaded here, not at module level: the provider is serialized into the Pulumi state and must
  // resolve mysql2 in the provider process (pulumi/pulumi dynamic provider serialization).
  const mysql = require("mysql2/promise") as typeof import("mysql2/promise");
  const server = serverLabel(settings);
  const open = async () => {
    try {
      const connection = await mysql.createConnection({
        host: settings.host,
        port: settings.port,
        user: settings.user,
        password: password ?? "",
        connectTimeout: settings.connectTimeoutMs,
        ssl: settings.tls ? { ...settings.tls } : undefined,
        multipleStatements: false,
        supportBigNumbers: true,
        bigNumberStrings: true,
        dateStrings: true,
      });
      // A connection error event after a query resolved must not crash the provider process.
      connection.on("error", () => undefined);
      return connection;
    } catch (error) {
      throw connectError(server, settings, error);
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

function connectError(server: string, settings: ConnectionSettings, error: unknown): SemisyncError {
  if (hasErrno(error, ER.ACCESS_DENIED)) {
    return semisyncError(server, `the server refused user '${settings.user}': ${driverMessage(error)}.`, {
      cause: error,
      fix: "check the user and password given in `connection` (the password is a Pulumi secret).",
    });
  }
  if (hasErrno(error, ER.SECURE_TRANSPORT_REQUIRED)) {
    return semisyncError(server, `the server accepts only TLS connections: ${driverMessage(error)}.`, {
      cause: error,
      fix: "set connection.tls (for example { ca: <the server's CA certificate> }).",
    });
  }
  if ((error as { code?: string })?.code === "ETIMEDOUT") {
    return semisyncError(server, `no answer within ${settings.connectTimeoutMs} ms.`, {
      cause: error,
      fix: "check the host and port, that the server runs and that no firewall drops the traffic; `connection.connectTimeoutMs` sets the bound.",
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
