import { ConnectionInputs, DEFAULT_PORT, UNKNOWN } from "../plan/inputs";

interface WithConnection {
  connection: ConnectionInputs;
  password?: string;
  tls?: unknown;
}

/**
 * Properties whose change points the resource at another server or role: a replacement. A value
 * not known until apply (preview) is not a replacement yet: the apply pass decides.
 */
export function identityChanged<T extends WithConnection>(olds: T, news: T, keys: (keyof T & string)[]): string[] {
  const replaces: string[] = [];
  const connection = news.connection as unknown;
  const known = (value: unknown) => value !== UNKNOWN;
  if (typeof connection === "object" && connection !== null) {
    if (known(news.connection.host) && olds.connection?.host !== news.connection.host) replaces.push("connection.host");
    const port = news.connection.port as unknown;
    if (known(port) && (olds.connection?.port ?? DEFAULT_PORT) !== (news.connection.port ?? DEFAULT_PORT)) replaces.push("connection.port");
  }
  for (const key of keys) if (known(news[key]) && olds[key] !== news[key]) replaces.push(key);
  return replaces;
}

/** Whether any input is still unknown (preview): the diff then says "changes", never "no change". */
export function hasUnknowns(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(hasUnknowns);
  if (typeof value === "object" && value !== null) return Object.values(value).some(hasUnknowns);
  return false;
}

/** Credentials, TLS and bounds: updated in place, no statement runs for them. */
export function connectionChanged(olds: WithConnection, news: WithConnection): boolean {
  return (
    canonical(olds.connection) !== canonical(news.connection) ||
    (olds.password ?? "") !== (news.password ?? "") ||
    JSON.stringify(olds.tls ?? null) !== JSON.stringify(news.tls ?? null)
  );
}

/** Key order and an explicit default port must not show as a change. */
function canonical(connection: ConnectionInputs | undefined): string {
  const withDefaults: Record<string, unknown> = { ...(connection ?? {}), port: connection?.port ?? DEFAULT_PORT };
  return JSON.stringify(Object.keys(withDefaults).sort().map((key) => [key, withDefaults[key]]));
}
