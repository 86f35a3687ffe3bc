/**
 * Property values as a provider plugin receives them from the engine (raw structs), and back.
 * Pure: no Pulumi, no I/O.
 *
 * A secret arrives wrapped: `{ [SIG_KEY]: SECRET_SIG, value }`; the CRUD code wants the value, and
 * every secret must leave the plugin wrapped again, or the engine stores it in plaintext. A value
 * not known until apply (preview) is the `UNKNOWN` string; the CRUD code already treats it as
 * unknown (plan/inputs.ts), so it passes through untouched.
 */
import { UNKNOWN } from "../plan/inputs";

/** The key and value the engine marks special values with (the Node SDK's runtime/rpc.ts). */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export { UNKNOWN };

/** The schema of one property, as much as the adapter reads of it. */
export interface PropertySpec {
  secret?: boolean;
  plain?: boolean;
  $ref?: string;
  type?: string;
  items?: PropertySpec;
  additionalProperties?: PropertySpec;
}

/** Looks up an object type's properties by `$ref`; undefined for enums and anything else. */
export type TypeLookup = (ref: string) => Record<string, PropertySpec> | undefined;

export function isSecret(value: unknown): value is { value: unknown } {
  return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

export function secret(value: unknown): unknown {
  return { [SIG_KEY]: SECRET_SIG, value };
}

/** The value with every secret wrapper removed, at any depth. */
export function reveal(value: unknown): unknown {
  if (isSecret(value)) return reveal(value.value);
  if (Array.isArray(value)) return value.map(reveal);
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reveal(v)]));
  return value;
}

/**
 * The properties wrapped as secrets where the schema says `secret: true`, at any depth (a
 * connection's password inside `connection`, every member's inside `topology`). Absent values
 * stay absent: a secret `undefined` would still be stored.
 */
export function conceal(props: Record<string, unknown>, properties: Record<string, PropertySpec>, types: TypeLookup): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(props)) out[key] = concealValue(value, properties[key], types);
  return out;
}

function concealValue(value: unknown, spec: PropertySpec | undefined, types: TypeLookup): unknown {
  if (value === undefined || value === null || spec === undefined || isSecret(value)) return value;
  if (spec.secret) return secret(value);
  if (value === UNKNOWN) return value;
  if (spec.type === "array" && Array.isArray(value)) return value.map((v) => concealValue(v, spec.items, types));
  if (spec.type === "object" && spec.additionalProperties && typeof value === "object") {
    return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, concealValue(v, spec.additionalProperties, types)]));
  }
  const nested = spec.$ref ? types(spec.$ref) : undefined;
  if (nested && typeof value === "object" && !Array.isArray(value)) return conceal(value as Record<string, unknown>, nested, types);
  return value;
}
