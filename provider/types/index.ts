/** Which side of replication a server plays. */
export type Role = "source" | "replica";
export const ROLES: readonly Role[] = ["source", "replica"];

/**
 * Which plugin names to use: `modern` (`rpl_semi_sync_source` / `rpl_semi_sync_replica`, MySQL
 * 8.0.26+), `legacy` (`rpl_semi_sync_master` / `rpl_semi_sync_slave`, up to MySQL 9.4 and MariaDB),
 * or `automatic` (modern where the server ships it, else legacy).
 */
export type Terminology = "automatic" | "modern" | "legacy";
export type ResolvedTerminology = Exclude<Terminology, "automatic">;
export const TERMINOLOGIES: readonly Terminology[] = ["automatic", "modern", "legacy"];

/**
 * A whole number. TypeScript has one number type; the package schema (provider/native) maps this
 * alias to `integer` and a plain `number` to `number`.
 */
export type Integer = number;

export type WaitPoint = "AFTER_SYNC" | "AFTER_COMMIT";
export const WAIT_POINTS: readonly WaitPoint[] = ["AFTER_SYNC", "AFTER_COMMIT"];

/**
 * How a connection uses TLS, named as the MySQL client's `--ssl-mode` (docs/connecting.md):
 * `"preferred"` TLS when the server offers it, else plain; `"disabled"` never TLS; `"required"`
 * TLS or fail; `"verify-ca"` TLS with the server's certificate checked against `ca`;
 * `"verify-identity"` as `"verify-ca"`, and the certificate must name the host connected to.
 */
export type TlsMode = "preferred" | "disabled" | "required" | "verify-ca" | "verify-identity";
export const TLS_MODES: readonly TlsMode[] = ["preferred", "disabled", "required", "verify-ca", "verify-identity"];

/**
 * TLS for the connections to one server (docs/connecting.md). Every value is stored as a Pulumi
 * secret. Without `tls` the mode is `"preferred"`.
 */
export interface TlsOptions {
  /**
   * `"preferred"` (TLS whenever the server offers it, plain otherwise; encrypts the password
   * exchange but does not stop an active attacker), `"disabled"`, `"required"` (TLS or fail),
   * `"verify-ca"` (TLS, and the server's certificate must be signed by `ca`) or
   * `"verify-identity"` (as `"verify-ca"`, and the certificate must name `connection.host`). In
   * `"preferred"` and `"required"` a given `ca` is checked too. Defaults to `"preferred"`; a `tls`
   * written for 0.2.0 or earlier (no `mode`) keeps its meaning: `"verify-ca"`, or `"required"`
   * with `rejectUnauthorized: false`.
   */
  mode?: TlsMode;
  /** PEM CA certificate(s) that sign the server's certificate. Without it, Node's bundled public CAs. */
  ca?: string;
  /** PEM client certificate, for accounts that `REQUIRE X509`; give `key` with it. */
  cert?: string;
  /** PEM private key of `cert`. */
  key?: string;
  /**
   * Deprecated (0.2.0's only switch): without `mode`, `false` means `"required"` (TLS, the
   * certificate not checked) and `true` `"verify-ca"`. Not allowed together with `mode`.
   */
  rejectUnauthorized?: boolean;
}

/** How the provider reaches one server, with every value resolved. */
export interface ConnectionSettings {
  host: string;
  port: number;
  user: string;
  tls?: TlsOptions;
  /** PEM RSA public key of the server, for a caching_sha2_password login without TLS. */
  serverPublicKey?: string;
  /** Fetch the server's RSA public key, unverified, for a caching_sha2_password login without TLS. */
  allowPublicKeyRetrieval?: boolean;
  /** Bound on connecting, in ms. */
  connectTimeoutMs: number;
  /** Bound on each statement, in ms. */
  statementTimeoutMs: number;
}

/** One statement the provider runs, with the reason shown in errors and logs. */
export interface Statement {
  sql: string;
  purpose: string;
  /** Statements that restore the server if a later statement of the same plan fails. */
  undo?: string[];
  /**
   * What the statement changes, for the rules that judge a change rather than its SQL
   * (`plan/member-down.ts`). A statement without one is judged as the riskiest change.
   */
  effect?: StatementEffect;
}

/** What one planned statement changes on its server. */
export type StatementEffect =
  | { kind: "install"; side: Role }
  | { kind: "switch"; side: Role; on: boolean }
  /** A tunable; `from` as the server reports it, `to` as written (`DEFAULT` when restored to the server's default). */
  | { kind: "setting"; key: SettingKey; from?: string; to: string }
  /** RESET PERSIST: what a restart brings back, nothing that runs now. */
  | { kind: "persistence" }
  /** The replica's IO thread restarted, so it registers anew with its source. */
  | { kind: "io-restart" };

/** Source-side and shared tuning; each maps to one `rpl_semi_sync_*` variable. */
export interface SemisyncSettings {
  timeoutMs?: number;
  waitForReplicaCount?: number;
  waitNoReplica?: boolean;
  waitPoint?: WaitPoint;
  traceLevel?: number;
}
export type SettingKey = keyof SemisyncSettings;

/**
 * The source's semisync counters at one moment (`Rpl_semi_sync_source_*`, `Rpl_semi_sync_master_*`
 * with legacy plugins and on MariaDB): a snapshot taken at deploy and refresh, never a reason for
 * a change.
 */
export interface SemisyncMonitoring {
  /** `…_no_tx`: commits not acknowledged by a replica (they fell back or waited in vain). */
  noTx: number;
  /** `…_yes_tx`: commits acknowledged by a replica. */
  yesTx: number;
  /** `…_no_times`: how many times the source switched semisync off (a timeout, or switched off). */
  noTimes: number;
  /** `…_wait_sessions`: sessions waiting for an acknowledgement right now. */
  waitSessions: number;
}

/** A member of `SemisyncReplication` as the program declares it. */
export interface MemberRoleDeclaration {
  role: Role;
  /** Replica: it acknowledges commits (its replica side is on). Always true for the source. */
  acknowledge: boolean;
}

/** One semisync side of one member, as `memberSides` decides it. */
export interface SideDecision {
  /** The side's plugin and enablement exist on this member. */
  present: boolean;
  /** The enablement's `enabled` input. */
  enabled: boolean;
  /** Replica side of the declared source: switched on with no replication channel (`standby` input). */
  standby: boolean;
}

/** One of a member's resources, for ordering. */
export interface ResourceRef {
  member: string;
  side: Role;
  kind: "plugin" | "enablement";
}

/** A member of `SemisyncReplication`: its sides and what each of its resources waits for. */
export interface MemberPlan extends MemberRoleDeclaration {
  key: string;
  sides: Record<Role, SideDecision>;
  dependsOn: Record<Role, { plugin: ResourceRef[]; enablement: ResourceRef[] }>;
}

export * from "./observed";
