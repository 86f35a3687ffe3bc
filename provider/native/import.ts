/**
 * `pulumi import` through the plugin. The engine hands `read` nothing but the ID, so the ID names
 * the server and the account, and the account's password comes from the environment of the
 * `pulumi` command (never from the ID: the ID is stored in plaintext):
 *
 *   mysql://USER@HOST:PORT/semisync-plugin/ROLE        a SemisyncPlugin (ROLE: source or replica)
 *   mysql://USER@HOST:PORT/semisync-enablement/ROLE    a SemisyncEnablement
 *   MYSQL_SEMISYNC_PASSWORD                            USER's password, when it has one
 *
 * PORT defaults to 3306. What is imported is recorded as found (adopted), so destroy leaves the
 * server as it was. The imported inputs hold no password: the program declares it, as for any
 * resource (the outputs keep it, secret, so a destroy right after the import can log in).
 */
import { importEnablement } from "../crud/enablement-provider";
import { importPlugin } from "../crud/plugin-provider";
import { resourceId } from "../crud/server";
import { ConnectionInputs, DEFAULT_PORT } from "../plan/inputs";
import { Role } from "../types";

export const IMPORT_PASSWORD_VARIABLE = "MYSQL_SEMISYNC_PASSWORD";

const KINDS: Record<string, string> = { "mysql-semisync:index:SemisyncPlugin": "semisync-plugin", "mysql-semisync:index:SemisyncEnablement": "semisync-enablement" };

export interface ImportId {
  connection: ConnectionInputs;
  kind: string;
  role: Role;
}

/** The parts of an import ID, or an error that shows the expected form. */
export function parseImportId(type: string, id: string): ImportId {
  const kind = KINDS[type];
  const form = `mysql://USER@HOST:PORT/${kind ?? "semisync-plugin"}/ROLE (ROLE: source or replica; PORT defaults to ${DEFAULT_PORT}), with USER's password in ${IMPORT_PASSWORD_VARIABLE}`;
  const match = /^mysql:\/\/(?:([^@/]+)@)?(\[[^\]]+\]|[^:/@]+)(?::(\d+))?\/([a-z-]+)\/([a-z]+)$/.exec(id);
  if (!kind || !match) throw new Error(`cannot import ${type} '${id}': the ID must read ${form}.`);
  const [, user, host, port, idKind, role] = match;
  if (idKind !== kind) throw new Error(`cannot import ${type} '${id}': this ID names a ${idKind}; the ID must read ${form}.`);
  if (role !== "source" && role !== "replica") throw new Error(`cannot import ${type} '${id}': the role must be source or replica; the ID must read ${form}.`);
  if (!user) throw new Error(`cannot import ${type} '${id}': the ID names no account to log in with; the ID must read ${form}.`);
  const connection: ConnectionInputs = { host: host.replace(/^\[(.*)\]$/, "$1"), user: decodeURIComponent(user) };
  if (port !== undefined && Number(port) !== DEFAULT_PORT) connection.port = Number(port);
  return { connection, kind, role };
}

/** What `read` returns for an import: the canonical ID, the outputs, and the inputs to declare. */
export async function importedProps(type: string, id: string): Promise<{ id: string; outputs: Record<string, unknown>; inputs: Record<string, unknown> }> {
  const parsed = parseImportId(type, id);
  const password = process.env[IMPORT_PASSWORD_VARIABLE];
  const credentials = { connection: parsed.connection, ...(password ? { password } : {}), role: parsed.role };
  const outputs: Record<string, unknown> = { ...(parsed.kind === "semisync-plugin" ? await importPlugin(credentials) : await importEnablement(credentials)) };
  const inputs: Record<string, unknown> = { connection: parsed.connection, role: parsed.role };
  if (outputs.enabled === false) inputs.enabled = false;
  return { id: resourceId(parsed.connection, parsed.kind, parsed.role), outputs, inputs };
}
