/**
 * The schema of the props (outputs) a dynamic resource keeps in the state. Pure: no I/O, no
 * Pulumi. The runtime migrates every props object it is handed before the CRUD code sees it, and
 * stamps every props object it returns, so any release reads what an older one wrote.
 *
 * Schema 1: 0.1.0. No `schemaVersion`; a `providerVersion` output (the package version) that
 *   made `diff` report a change on every release, so that the update rewrote the provider code
 *   kept in the state.
 * Schema 2: 0.2.0. `schemaVersion: 2`; no `providerVersion` (the state holds a stub that loads
 *   the installed runtime, so nothing needs rewriting when the package version moves).
 *
 * A release that changes what the props mean adds a schema number and a step in `migrateProps`.
 * Fields this module does not know (added by later features as optional props) pass through.
 */
import { NOTHING_CHANGED, semisyncError } from "../sql/errors";

export const PROPS_SCHEMA_VERSION = 2;

/** The key of the schema number in the props. */
export const SCHEMA_KEY = "schemaVersion";

type Props = Record<string, unknown>;

/** The schema a props object was written with: 1 when unstamped (0.1.0). */
export function schemaOf(props: Props): number {
  const version = props[SCHEMA_KEY];
  return typeof version === "number" && Number.isInteger(version) && version >= 1 ? version : 1;
}

/**
 * Props of any known schema, rewritten to the current one. Returns a new object; `props` is not
 * changed. Props from a newer release than this one are refused (read, diff or delete with a
 * misread state could switch off the wrong thing): the error names the versions and the fix.
 */
export function migrateProps<T extends Props>(props: T): T {
  const from = schemaOf(props);
  if (from > PROPS_SCHEMA_VERSION) {
    throw semisyncError(serverOf(props), `this resource's state was written by a newer pulumi-mysql-semisync (props schema ${from}); the installed release reads schema ${PROPS_SCHEMA_VERSION} and older.`, {
      changed: NOTHING_CHANGED,
      fix: "install the release that wrote the state, or a newer one.",
    });
  }
  let migrated: Props = { ...props };
  if (from < 2) {
    // 0.1.0 forced an update on every release through this output; the stub makes it pointless.
    const { providerVersion: _providerVersion, ...rest } = migrated;
    migrated = rest;
  }
  migrated[SCHEMA_KEY] = PROPS_SCHEMA_VERSION;
  return migrated as T;
}

/** `host:port` of the stored connection, for the error's `server`; "" without one. */
function serverOf(props: Props): string {
  const connection = props.connection as { host?: unknown; port?: unknown } | undefined;
  if (typeof connection?.host !== "string") return "";
  return `${connection.host}:${typeof connection.port === "number" ? connection.port : 3306}`;
}

/** `props` stamped with the current schema, for a result the runtime hands back to the engine. */
export function stampProps<T extends Props>(props: T): T {
  return { ...props, [SCHEMA_KEY]: PROPS_SCHEMA_VERSION };
}

/** Inputs never carry the schema number: it describes stored outputs. */
export function unstampInputs<T extends Props>(inputs: T): T {
  const { [SCHEMA_KEY]: _schema, ...rest } = inputs;
  return rest as T;
}

/** Whether the props predate the current schema: the next `up` should rewrite them (an update, in place). */
export function needsRewrite(props: Props): boolean {
  return schemaOf(props) < PROPS_SCHEMA_VERSION;
}
