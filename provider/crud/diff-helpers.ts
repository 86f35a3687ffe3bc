import { ConnectionInputs, DEFAULT_PORT } from "../plan/inputs";

interface WithConnection {
  connection: ConnectionInputs;
  password?: string;
}

/** Properties whose change points the resource at another server or role: a replacement. */
export function identityChanged<T extends WithConnection>(olds: T, news: T, keys: (keyof T & string)[]): string[] {
  const replaces: string[] = [];
  if (olds.connection?.host !== news.connection?.host) replaces.push("connection.host");
  if ((olds.connection?.port ?? DEFAULT_PORT) !== (news.connection?.port ?? DEFAULT_PORT)) replaces.push("connection.port");
  for (const key of keys) if (olds[key] !== news[key]) replaces.push(key);
  return replaces;
}

/** Credentials, TLS and bounds: updated in place, no statement runs for them. */
export function connectionChanged(olds: WithConnection, news: WithConnection): boolean {
  return canonical(olds.connection) !== canonical(news.connection) || (olds.password ?? "") !== (news.password ?? "");
}

/** Key order and an explicit default port must not show as a change. */
function canonical(connection: ConnectionInputs | undefined): string {
  const withDefaults: Record<string, unknown> = { ...(connection ?? {}), port: connection?.port ?? DEFAULT_PORT };
  return JSON.stringify(Object.keys(withDefaults).sort().map((key) => [key, withDefaults[key]]));
}
