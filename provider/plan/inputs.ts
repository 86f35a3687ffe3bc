import { SETTING_SPECS, UNSIGNED_LONG_MAX_64, wholeDigits } from "../flavors/names";
import { CONNECTION_KEYS, ENABLEMENT_KEYS, ENABLEMENT_OUTPUT_KEYS, ENGINE_KEYS, PLUGIN_KEYS, PLUGIN_OUTPUT_KEYS, TLS_KEYS, TOPOLOGY_KEYS } from "../types/input-keys";
import { ConnectionSettings, Integer, ROLES, Role, SemisyncSettings, TERMINOLOGIES, TLS_MODES, Terminology, TlsOptions } from "../types";

/**
 * One server, resolved: password and TLS inline. Each field's JSDoc is the one users read on
 * `ConnectionArgs` (resources/connection-args.ts), which is this with every field an input.
 */
export interface MemberConnection {
  /** Host name or address of the server. */
  host: string;
  /** TCP port. Defaults to 3306. */
  port?: Integer;
  /** Account the provider logs in as; docs/preflight-and-grants.md lists what it needs. */
  user: string;
  /**
   * Password of `user`. Always stored as a Pulumi secret, even when given as a plain string.
   * Defaults to no password.
   */
  password?: string;
  /**
   * How the connection uses TLS: `mode` (`"preferred"`, `"disabled"`, `"required"`,
   * `"verify-ca"`, `"verify-identity"`, as the MySQL client's `--ssl-mode`), the `ca` that signs
   * the server's certificate, and a client `cert` and `key`. Stored as a Pulumi secret. Defaults
   * to `{ mode: "preferred" }`: TLS whenever the server offers it (every MySQL 8.0+ server does),
   * so the password never crosses the network in a form an eavesdropper can use; plain TCP only
   * when the server has no TLS (docs/connecting.md).
   */
  tls?: TlsOptions;
  /**
   * The server's RSA public key (PEM: `SHOW STATUS LIKE 'Caching_sha2_password_rsa_public_key'`,
   * or `public_key.pem` in the datadir). Only for a connection without TLS to a
   * `caching_sha2_password` (or `sha256_password`) account: the password is sent encrypted with
   * this key, which an attacker on the network cannot swap. Defaults to none.
   */
  serverPublicKey?: string;
  /**
   * Lets a connection without TLS ask the server for its RSA public key when a
   * `caching_sha2_password` account needs it (after a restart, `FLUSH PRIVILEGES` or a new
   * account). The key arrives unverified: anyone who can intercept the connection can send their
   * own key and read the password. Prefer TLS (the default `tls` mode uses it whenever the
   * server offers it) or `serverPublicKey`. Defaults to false.
   */
  allowPublicKeyRetrieval?: boolean;
  /** Bound on connecting, in milliseconds. Defaults to 30000. */
  connectTimeoutMs?: Integer;
  /** Bound on each statement, in milliseconds. Defaults to 60000. */
  statementTimeoutMs?: Integer;
}

/** The connection as the provider methods receive it: resolved, password and TLS kept apart. */
export type ConnectionInputs = Omit<MemberConnection, "password" | "tls">;

/** Where and how to log in. `password` and `tls` are kept apart from `connection` as secrets. */
export interface Credentials {
  connection: ConnectionInputs;
  password?: string;
  tls?: TlsOptions;
}

/** A replica's source as declared in the program: the only source the provider ever contacts. */
export interface DeclaredSource {
  sourceConnection?: ConnectionInputs;
  sourcePassword?: string;
  sourceTls?: TlsOptions;
}

/**
 * Every server of a topology, so that whichever resource changes a server first checks them all
 * (docs/preflight-and-grants.md). `SemisyncReplication` passes it to each of its resources.
 */
export interface TopologyInputs {
  source: MemberConnection;
  replicas: MemberConnection[];
  terminology?: Terminology;
  /** Every member gets both sides (`SemisyncReplication`'s `failoverReady`): the preflight checks both. */
  failoverReady?: boolean;
}

/**
 * A connection as a program declares it (password and TLS options inline), split the way the
 * resources store it: `connection` readable, `password` and `tls` apart (they are kept secret).
 * A value not known yet (preview) stays in `connection`, for the checks to skip.
 */
export function splitCredentials(declared: MemberConnection): Credentials {
  if (typeof declared !== "object" || declared === null) return { connection: declared };
  const { password, tls, ...connection } = declared;
  return { connection, ...(password !== undefined ? { password } : {}), ...(tls !== undefined ? { tls } : {}) };
}

/** `splitCredentials` undone: the connection as declared, password and TLS options inline. */
export function joinCredentials(credentials: Credentials): MemberConnection {
  const { connection, password, tls } = credentials;
  if (typeof connection !== "object" || connection === null) return connection;
  return { ...connection, ...(password !== undefined ? { password } : {}), ...(tls !== undefined ? { tls } : {}) };
}

export interface PluginInputs extends Credentials, DeclaredSource {
  role: Role;
  terminology?: Terminology;
  removeAdopted?: boolean;
  standby?: boolean;
  /** The server holds both sides: with `"automatic"`, this side takes the other side's family (`SemisyncPluginArgs`). */
  matchOtherSide?: boolean;
  topology?: TopologyInputs;
}

export interface EnablementInputs extends SemisyncSettings, Credentials, DeclaredSource {
  role: Role;
  enabled?: boolean;
  persist?: boolean;
  restartIoThread?: boolean;
  replicaStatusTimeoutMs?: number;
  requiredClients?: number;
  clientsTimeoutMs?: number;
  triggers?: unknown[];
  removeAdopted?: boolean;
  teardownByPlugin?: boolean;
  standby?: boolean;
  topology?: TopologyInputs;
}

export interface InputFailure {
  property: string;
  reason: string;
}

export const DEFAULT_PORT = 3306;
export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 60_000;
export const DEFAULT_REPLICA_STATUS_TIMEOUT_MS = 15_000;
export const DEFAULT_CLIENTS_TIMEOUT_MS = 30_000;

/** The engine passes this string for values not known until apply (pulumi/pulumi#6310). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const isUnknown = (v: unknown) => v === UNKNOWN;

export function connectionSettings(c: ConnectionInputs, tls?: TlsOptions): ConnectionSettings {
  return {
    host: c.host,
    port: c.port ?? DEFAULT_PORT,
    user: c.user,
    tls,
    ...(c.serverPublicKey !== undefined ? { serverPublicKey: c.serverPublicKey } : {}),
    ...(c.allowPublicKeyRetrieval !== undefined ? { allowPublicKeyRetrieval: c.allowPublicKeyRetrieval } : {}),
    connectTimeoutMs: c.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: c.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
  };
}

function checkInteger(failures: InputFailure[], property: string, value: unknown, min: number, max: number, what: string) {
  if (value === undefined || isUnknown(value)) return;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    failures.push({ property, reason: `${what} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}` });
  }
}

/**
 * A C `unsigned long` setting: 0 to 2^64 - 1, the widest any server build holds (a 32-bit build's
 * narrower limit needs the server, so the plan refuses it). Compared exactly: above 2^53 a
 * JavaScript number is already rounded, and 18446744073709551615 arrives as 2^64.
 */
function checkUnsignedLong(failures: InputFailure[], property: string, value: unknown) {
  if (value === undefined || isUnknown(value)) return;
  const whole = typeof value === "number" && Number.isInteger(value);
  if (whole && value >= 0 && BigInt(value) <= UNSIGNED_LONG_MAX_64) return;
  const got = whole ? wholeDigits(value as number) : JSON.stringify(value);
  const rounded =
    whole && !Number.isSafeInteger(value)
      ? ` (JavaScript numbers above ${Number.MAX_SAFE_INTEGER} are rounded: 18446744073709551615 arrives as 18446744073709551616; the largest that stays within the range is ${wholeDigits(2 ** 64 - 2048)})`
      : "";
  failures.push({ property, reason: `${property} must be a whole number from 0 to ${UNSIGNED_LONG_MAX_64}, got ${got}${rounded}` });
}

function checkBoolean(failures: InputFailure[], property: string, value: unknown) {
  if (value === undefined || isUnknown(value)) return;
  if (typeof value !== "boolean") failures.push({ property, reason: `${property} must be true or false, got ${JSON.stringify(value)}` });
}

function checkOneOf(failures: InputFailure[], property: string, value: unknown, allowed: readonly string[], required: boolean) {
  if (isUnknown(value)) return;
  if (value === undefined) {
    if (required) failures.push({ property, reason: `${property} is required: one of ${allowed.map((a) => `"${a}"`).join(", ")}` });
    return;
  }
  if (typeof value !== "string" || !allowed.includes(value)) {
    failures.push({ property, reason: `${property} must be one of ${allowed.map((a) => `"${a}"`).join(", ")}, got ${JSON.stringify(value)}` });
  }
}

/**
 * Keys of `value` that are not inputs: a misspelt or invented key would otherwise be dropped
 * without a word (an `allowPublicKeyRetrieval` that never reaches the driver). `accepted` are the
 * keys a program may write (input-keys.ts), named in the reason; `alsoStored` are keys only the
 * provider or the engine puts there.
 */
/** The keys of a component's own arguments that it does not take (`SemisyncReplication`: `REPLICATION_KEYS`). */
export function checkComponentKeys(args: object, accepted: readonly string[]): InputFailure[] {
  const failures: InputFailure[] = [];
  checkKnownKeys(failures, "", args as Record<string, unknown>, accepted);
  return failures;
}

function checkKnownKeys(failures: InputFailure[], property: string, value: Record<string, unknown>, accepted: readonly string[], alsoStored: readonly string[] = []) {
  for (const key of Object.keys(value)) {
    if (accepted.includes(key) || alsoStored.includes(key)) continue;
    const where = property === "" ? key : `${property}.${key}`;
    const of = property === "" ? "the resource" : property;
    failures.push({ property: where, reason: `${where} is not an input: ${of} takes ${accepted.join(", ")}` });
  }
}

function checkString(failures: InputFailure[], property: string, value: unknown) {
  if (value === undefined || isUnknown(value)) return;
  if (typeof value !== "string") failures.push({ property, reason: `${property} must be a string, got ${typeof value}` });
}

const PEM_PUBLIC_KEY = /-----BEGIN (RSA )?PUBLIC KEY-----[\s\S]+-----END (RSA )?PUBLIC KEY-----/;

/**
 * One connection. `prefix` is where it sits (`connection`, `source`, `topology.replicas[0]`);
 * `inline` says whether its password and TLS options are inside it (a topology member) or were
 * split off into top-level secrets (connection-args.ts).
 */
export function checkConnection(connection: unknown, prefix = "connection", inline = false): InputFailure[] {
  const failures: InputFailure[] = [];
  if (isUnknown(connection)) return failures;
  if (typeof connection !== "object" || connection === null || Array.isArray(connection)) {
    return [{ property: prefix, reason: `${prefix} is required: { host, port?, user, password? }` }];
  }
  const c = connection as Record<string, unknown>;
  checkKnownKeys(failures, prefix, c, CONNECTION_KEYS);
  for (const key of ["host", "user"]) {
    const v = c[key];
    if (isUnknown(v)) continue;
    if (typeof v !== "string" || v.trim() === "") failures.push({ property: `${prefix}.${key}`, reason: `${prefix}.${key} is required and must be a non-empty string` });
    // A NUL byte is refused like any other character that cannot be in a host name.
    // eslint-disable-next-line no-control-regex
    else if (/[\s'"`;\\]|\u0000/.test(v) && key === "host") failures.push({ property: `${prefix}.host`, reason: `${prefix}.host ${JSON.stringify(v)} is not a host name or address` });
  }
  checkInteger(failures, `${prefix}.port`, c.port, 1, 65_535, `${prefix}.port`);
  checkInteger(failures, `${prefix}.connectTimeoutMs`, c.connectTimeoutMs, 1, 600_000, `${prefix}.connectTimeoutMs`);
  checkInteger(failures, `${prefix}.statementTimeoutMs`, c.statementTimeoutMs, 1, 3_600_000, `${prefix}.statementTimeoutMs`);
  checkBoolean(failures, `${prefix}.allowPublicKeyRetrieval`, c.allowPublicKeyRetrieval);
  const key = c.serverPublicKey;
  if (key !== undefined && !isUnknown(key) && (typeof key !== "string" || !PEM_PUBLIC_KEY.test(key))) {
    failures.push({
      property: `${prefix}.serverPublicKey`,
      reason: `${prefix}.serverPublicKey must be the server's RSA public key in PEM (-----BEGIN PUBLIC KEY-----…), as SHOW STATUS LIKE 'Caching_sha2_password_rsa_public_key' prints it`,
    });
  }
  if (inline) {
    checkString(failures, `${prefix}.password`, c.password);
    failures.push(...checkTls(c.tls, `${prefix}.tls`));
  }
  return failures;
}

/** `tls` (or `sourceTls`, or a member's `tls`), as the program wrote it under `property`. */
export function checkTls(tls: unknown, property: string): InputFailure[] {
  const failures: InputFailure[] = [];
  if (tls === undefined || tls === null || isUnknown(tls)) return failures;
  if (typeof tls !== "object" || Array.isArray(tls)) {
    return [{ property, reason: `${property} must be an object: { mode?, ca?, cert?, key? }, with mode one of ${TLS_MODES.map((m) => `"${m}"`).join(", ")}` }];
  }
  const t = tls as Record<string, unknown>;
  checkKnownKeys(failures, property, t, TLS_KEYS);
  checkOneOf(failures, `${property}.mode`, t.mode, TLS_MODES, false);
  for (const key of ["ca", "cert", "key"]) checkString(failures, `${property}.${key}`, t[key]);
  checkBoolean(failures, `${property}.rejectUnauthorized`, t.rejectUnauthorized);
  const given = (key: string) => t[key] !== undefined;
  if (given("mode") && given("rejectUnauthorized")) {
    failures.push({
      property: `${property}.rejectUnauthorized`,
      reason: `${property}.rejectUnauthorized is 0.2.0's switch and is not used with ${property}.mode: remove it (mode "required" encrypts without checking the certificate, "verify-ca" checks it)`,
    });
  }
  if (given("cert") !== given("key")) {
    failures.push({ property: `${property}.${given("cert") ? "key" : "cert"}`, reason: `${property}.cert and ${property}.key go together: give both (the client certificate and its private key) or neither` });
  }
  if (t.mode === "disabled" && (given("ca") || given("cert") || given("key"))) {
    failures.push({ property: `${property}.mode`, reason: `${property}.mode "disabled" uses no TLS, so ca, cert and key would be ignored: remove them or choose another mode` });
  }
  return failures;
}

/** Top-level keys, password and TLS options of a resource's own server and declared source. */
function checkResourceKeys(inputs: Record<string, unknown>, accepted: readonly string[], outputs: readonly string[]): InputFailure[] {
  const failures: InputFailure[] = [];
  // `source` is stored split (connection-args.ts), as are the connection's password and tls.
  const stored = ["password", "tls", "sourceConnection", "sourcePassword", "sourceTls"];
  checkKnownKeys(
    failures,
    "",
    inputs,
    accepted.filter((key) => key !== "source"),
    [...stored, ...outputs, ...ENGINE_KEYS],
  );
  checkString(failures, "connection.password", inputs.password);
  checkString(failures, "source.password", inputs.sourcePassword);
  failures.push(...checkTls(inputs.tls, "connection.tls"), ...checkTls(inputs.sourceTls, "source.tls"));
  return failures;
}

export function checkPluginInputs(inputs: Record<string, unknown>): InputFailure[] {
  const failures = checkConnection(inputs.connection);
  failures.push(...checkResourceKeys(inputs, PLUGIN_KEYS, PLUGIN_OUTPUT_KEYS));
  checkOneOf(failures, "role", inputs.role, ROLES, true);
  checkOneOf(failures, "terminology", inputs.terminology, TERMINOLOGIES, false);
  checkBoolean(failures, "removeAdopted", inputs.removeAdopted);
  checkBoolean(failures, "matchOtherSide", inputs.matchOtherSide);
  failures.push(...checkStandby(inputs), ...checkDeclaredSource(inputs), ...checkTopology(inputs.topology));
  return failures;
}

function checkTopology(topology: unknown): InputFailure[] {
  if (topology === undefined || isUnknown(topology)) return [];
  if (typeof topology !== "object" || topology === null || Array.isArray(topology)) return [{ property: "topology", reason: "topology must be { source, replicas }" }];
  const t = topology as Record<string, unknown>;
  const failures: InputFailure[] = [];
  checkKnownKeys(failures, "topology", t, TOPOLOGY_KEYS);
  failures.push(...checkConnection(t.source, "topology.source", true));
  if (isUnknown(t.replicas)) return failures;
  if (!Array.isArray(t.replicas)) return [...failures, { property: "topology.replicas", reason: "topology.replicas must be a list of connections" }];
  t.replicas.forEach((replica, i) => failures.push(...checkConnection(replica, `topology.replicas[${i}]`, true)));
  checkOneOf(failures, "topology.terminology", t.terminology, TERMINOLOGIES, false);
  checkBoolean(failures, "topology.failoverReady", t.failoverReady);
  return failures;
}

/** `standby` is the replica side of a server that replicates from no one: no declared source. */
function checkStandby(inputs: Record<string, unknown>): InputFailure[] {
  const failures: InputFailure[] = [];
  checkBoolean(failures, "standby", inputs.standby);
  if (inputs.standby !== true) return failures;
  if (inputs.role !== undefined && !isUnknown(inputs.role) && inputs.role !== "replica") failures.push({ property: "standby", reason: "standby is for the replica side: remove it from this source-side resource" });
  if (inputs.sourceConnection !== undefined) failures.push({ property: "standby", reason: "standby is for a server that replicates from no one (a topology's source): remove either standby or source" });
  return failures;
}

function checkDeclaredSource(inputs: Record<string, unknown>): InputFailure[] {
  if (inputs.sourceConnection === undefined) return [];
  const failures = checkConnection(inputs.sourceConnection, "source");
  if (inputs.role !== undefined && inputs.role !== UNKNOWN && inputs.role !== "replica") failures.push({ property: "source", reason: "source is for replicas: remove it from this source's resource" });
  return failures;
}

export function checkEnablementInputs(inputs: Record<string, unknown>): InputFailure[] {
  const failures = checkConnection(inputs.connection);
  failures.push(...checkResourceKeys(inputs, ENABLEMENT_KEYS, ENABLEMENT_OUTPUT_KEYS));
  failures.push(...checkDeclaredSource(inputs), ...checkTopology(inputs.topology));
  checkOneOf(failures, "role", inputs.role, ROLES, true);
  for (const key of ["enabled", "persist", "restartIoThread", "removeAdopted", "teardownByPlugin"]) checkBoolean(failures, key, inputs[key]);
  failures.push(...checkStandby(inputs));
  checkInteger(failures, "replicaStatusTimeoutMs", inputs.replicaStatusTimeoutMs, 0, 600_000, "replicaStatusTimeoutMs");
  checkInteger(failures, "requiredClients", inputs.requiredClients, 0, 65_535, "requiredClients");
  checkInteger(failures, "clientsTimeoutMs", inputs.clientsTimeoutMs, 0, 600_000, "clientsTimeoutMs");
  for (const spec of SETTING_SPECS) {
    const value = inputs[spec.key];
    if (value === undefined || isUnknown(value)) continue;
    if (spec.kind === "uint") checkInteger(failures, spec.key, value, spec.min!, spec.max!, spec.key);
    if (spec.kind === "ulong") checkUnsignedLong(failures, spec.key, value);
    if (spec.kind === "bool") checkBoolean(failures, spec.key, value);
    if (spec.kind === "enum") checkOneOf(failures, spec.key, value, spec.allowed as string[], false);
    if (spec.kind === "bitmask") {
      const bits = (spec.allowed as number[]).reduce((a, b) => a | b, 0);
      if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || (value & ~bits) !== 0) {
        failures.push({ property: spec.key, reason: `${spec.key} must be 0 or a sum of ${(spec.allowed as number[]).join(", ")}, got ${JSON.stringify(value)}` });
      }
    }
    if (inputs.role === "replica" && !spec.roles.includes("replica")) {
      failures.push({ property: spec.key, reason: `${spec.key} applies to a source only; remove it from this replica's enablement` });
    }
  }
  return failures;
}
