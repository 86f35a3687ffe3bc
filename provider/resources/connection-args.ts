import * as pulumi from "@pulumi/pulumi";
import { CONNECTION_KEYS } from "../types/input-keys";
import { ConnectionInputs, MemberConnection, TopologyInputs, splitCredentials } from "../plan/inputs";
import { Terminology, TlsOptions } from "../types";

/** How the provider reaches one MySQL or MariaDB server. */
export type ConnectionArgs = { [K in keyof MemberConnection]: pulumi.Input<Exclude<MemberConnection[K], undefined>> };

/**
 * Splits the password and TLS options off the connection: the connection stays readable in
 * previews, the others become top-level secrets, kept encrypted in inputs and outputs alike. A
 * plain connection object keeps each field its own input, so a port that another resource
 * provides leaves the host and user readable in a preview; only an Output (or promise) of the
 * whole connection is unknown as a whole until it resolves.
 */
export function splitConnection(connection: pulumi.Input<ConnectionArgs>): {
  connection: pulumi.Input<ConnectionInputs>;
  password: pulumi.Output<string | undefined>;
  tls: pulumi.Output<TlsOptions | undefined>;
} {
  if (isPlainObject(connection)) {
    const { connection: rest, password, tls } = splitCredentials(connection as unknown as MemberConnection);
    return {
      connection: withoutUndeclaredValues(rest as unknown as Record<string, unknown>) as unknown as pulumi.Input<ConnectionInputs>,
      password: secretIfGiven(pulumi.output(password)),
      // The client key is as secret as the password.
      tls: secretIfGiven(pulumi.output(tls)),
    };
  }
  const all = pulumi.output(connection);
  return {
    connection: pulumi.unsecret(all.apply((c) => withoutUndeclaredValues(splitCredentials(c as MemberConnection).connection as unknown as Record<string, unknown>) as unknown as ConnectionInputs)),
    password: secretIfGiven(all.apply((c) => splitCredentials(c as MemberConnection).password)),
    tls: secretIfGiven(all.apply((c) => splitCredentials(c as MemberConnection).tls)),
  };
}

/** An object literal: a connection given field by field, each field its own input. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Keys that are not connection inputs keep their name (`check` refuses them) but not their value. */
export function withoutUndeclaredValues(connection: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(connection).map(([key, value]) => [key, (CONNECTION_KEYS as readonly string[]).includes(key) ? value : null]));
}

/**
 * A secret when there is a value; absent when there is none. A secret `undefined` would still be
 * stored as an encrypted value, in the inputs and again in the outputs of every resource.
 */
function secretIfGiven<T>(value: pulumi.Output<T | undefined>): pulumi.Output<T | undefined> {
  return pulumi.unsecret(value).apply((v) => (v === undefined ? pulumi.output(undefined) : pulumi.secret(v))) as pulumi.Output<T | undefined>;
}

/** Every server of a topology, for the whole-topology preflight (docs/preflight-and-grants.md). */
export interface TopologyArgs {
  /** The source server. */
  source: pulumi.Input<ConnectionArgs>;
  /** Every replica of `source`. */
  replicas: pulumi.Input<ConnectionArgs>[];
  /** The terminology the plugins will be installed with. Defaults to `"automatic"`. */
  terminology?: pulumi.Input<Terminology>;
  /**
   * Every member gets both plugins (`SemisyncReplication`'s `failoverReady`): the preflight checks
   * that both can be installed everywhere and that every member can acknowledge every other's
   * source plugin. Defaults to false.
   */
  failoverReady?: pulumi.Input<boolean>;
}

/** Secret under their own keys, in inputs and outputs; `topology` holds every member's password. */
export const SECRET_OUTPUTS = ["password", "tls", "sourcePassword", "sourceTls", "topology"];

/** The topology as one secret input: it carries every member's password and TLS options. */
export function topologyProps(topology: pulumi.Input<TopologyArgs> | undefined): pulumi.Output<TopologyInputs> | undefined {
  return topology === undefined ? undefined : pulumi.secret(pulumi.output(topology) as pulumi.Output<TopologyInputs>);
}

/**
 * The names of the arguments a program gave that are not inputs (input-keys.ts), so that `check`
 * refuses them by name instead of the constructor dropping them without a word. Their values are
 * not passed on: a misspelt `pasword` must not reach the engine in plain text.
 */
export function undeclaredArgs(args: object, accepted: readonly string[]): Record<string, null> {
  return Object.fromEntries(
    Object.keys(args)
      .filter((key) => !accepted.includes(key))
      .map((key) => [key, null]),
  );
}

/** Every output named, unset: what a resource registers so the engine knows its outputs exist. */
export function unsetOutputs(keys: readonly string[]): Record<string, undefined> {
  return Object.fromEntries(keys.map((key) => [key, undefined]));
}

/** The props a replica resource stores for its declared source. */
export function declaredSourceProps(source: pulumi.Input<ConnectionArgs> | undefined) {
  if (!source) return { sourceConnection: undefined, sourcePassword: undefined, sourceTls: undefined };
  const split = splitConnection(source);
  return { sourceConnection: split.connection, sourcePassword: split.password, sourceTls: split.tls };
}
