/**
 * docs/reference.md, generated from the package schema (provider/native/schema.json, itself
 * generated from the argument interfaces and their JSDoc) and the setting table in
 * provider/flavors/names.ts: every input of every resource with its type, default and the server
 * variable it sets, and every type those inputs use. Outputs are described in docs/resources.md.
 * Nothing in it is written by hand, so it cannot drift
 * from the code; `npm run docs:reference` rewrites it and tests/unit/docs-reference.test.ts fails
 * when the checked-in page differs from a regeneration.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { SETTING_SPECS, enabledVariable, variableName } from "../provider/flavors/names";
import type { Role } from "../provider/types";

const ROOT = path.resolve(__dirname, "..", "..");
export const SCHEMA_PATH = path.join(ROOT, "provider", "native", "schema.json");
export const REFERENCE_PATH = path.join(ROOT, "docs", "reference.md");

/** The order a reader meets them in: the component first, then the two resources it is made of. */
const RESOURCE_ORDER = ["SemisyncReplication", "SemisyncPlugin", "SemisyncEnablement"];

interface PropertySpec {
  type?: string;
  $ref?: string;
  items?: PropertySpec;
  additionalProperties?: PropertySpec;
  description?: string;
  default?: unknown;
  secret?: boolean;
}

interface ObjectSpec {
  type?: string;
  description?: string;
  properties?: Record<string, PropertySpec>;
  required?: string[];
  enum?: { value: unknown; description?: string }[];
}

interface ResourceSpec {
  description?: string;
  isComponent?: boolean;
  inputProperties?: Record<string, PropertySpec>;
  requiredInputs?: string[];
  properties?: Record<string, PropertySpec>;
}

export interface PackageSchema {
  name: string;
  types?: Record<string, ObjectSpec>;
  resources: Record<string, ResourceSpec>;
}

const shortName = (token: string): string => token.slice(token.lastIndexOf(":") + 1);

/** Markdown table cells hold one line and no bare pipe. */
const cell = (text: string): string =>
  text
    .replace(/\s*\n\s*/g, " ")
    .replace(/\|/g, "\\|")
    .trim();

export function typeOf(spec: PropertySpec, schema: PackageSchema): string {
  let text: string;
  if (spec.$ref === "pulumi.json#/Any") text = "any";
  else if (spec.$ref) {
    const token = decodeURIComponent(spec.$ref.replace(/^#\/types\//, ""));
    const target = schema.types?.[token];
    if (!target) throw new Error(`the schema refers to type ${spec.$ref}, which it does not define`);
    const name = shortName(token);
    text = target.enum ? target.enum.map((e) => `\`${JSON.stringify(e.value)}\``).join(" or ") : `[${name}](#${name.toLowerCase()})`;
  } else if (spec.type === "array" && spec.items) text = `${typeOf(spec.items, schema)} list`;
  else if (spec.type === "object" && spec.additionalProperties) text = `map of ${typeOf(spec.additionalProperties, schema)}`;
  else if (spec.type) text = spec.type;
  else throw new Error(`a property of the schema has neither type nor $ref: ${JSON.stringify(spec)}`);
  return spec.secret ? `${text}, secret` : text;
}

/** The schema's `default`, else the JSDoc's own "Defaults to …" sentence (a default the server decides). */
export function defaultOf(spec: PropertySpec, required: boolean): string {
  if (required) return "required";
  if (spec.default !== undefined) return `\`${JSON.stringify(spec.default)}\``;
  const sentence = /Defaults to ([\s\S]*?)\.(?:\s|$)/.exec(spec.description ?? "");
  return sentence ? cell(sentence[1]) : "none";
}

/** The system variable a setting writes, in the modern names and, where they differ, the legacy ones. */
export function serverVariableOf(key: string, resource: string): string {
  const roles: Role[] = resource === "SemisyncPlugin" ? [] : key === "enabled" ? ["source", "replica"] : (SETTING_SPECS.find((s) => s.key === key)?.roles.slice() ?? []);
  if (roles.length === 0) return "";
  const names = (terminology: "modern" | "legacy") =>
    roles.map((role) => {
      if (key === "enabled") return enabledVariable(terminology, role);
      const spec = SETTING_SPECS.find((s) => s.key === key)!;
      return variableName(terminology, role, spec.suffix[terminology]);
    });
  const modern = names("modern");
  const legacy = names("legacy");
  const list = (vars: string[]) => vars.map((v) => `\`${v}\``).join(", ");
  return legacy.join() === modern.join() ? list(modern) : `${list(modern)} (legacy: ${list(legacy)})`;
}

function inputsTable(name: string, resource: ResourceSpec, schema: PackageSchema): string[] {
  const required = new Set(resource.requiredInputs ?? []);
  const rows = Object.entries(resource.inputProperties ?? {}).map(
    ([key, spec]) => `| \`${key}\` | ${cell(typeOf(spec, schema))} | ${defaultOf(spec, required.has(key))} | ${serverVariableOf(key, name)} | ${cell(spec.description ?? "")} |`,
  );
  return ["| Input | Type | Default | Server variable | Description |", "|---|---|---|---|---|", ...rows];
}

/** The object types the inputs use, directly or through another type. */
function inputTypes(schema: PackageSchema): string[] {
  const reached = new Set<string>();
  const visit = (spec: PropertySpec | undefined): void => {
    if (!spec) return;
    if (spec.$ref?.startsWith("#/types/")) {
      const token = decodeURIComponent(spec.$ref.slice("#/types/".length));
      const target = schema.types?.[token];
      if (!target || target.enum || reached.has(token)) return;
      reached.add(token);
      Object.values(target.properties ?? {}).forEach(visit);
    }
    visit(spec.items);
    visit(spec.additionalProperties);
  };
  for (const resource of Object.values(schema.resources)) Object.values(resource.inputProperties ?? {}).forEach(visit);
  return [...reached].sort((a, b) => shortName(a).localeCompare(shortName(b)));
}

function typeSection(token: string, spec: ObjectSpec, schema: PackageSchema): string[] {
  const lines = [`### ${shortName(token)}`, ""];
  if (spec.description) lines.push(spec.description.trim(), "");
  const required = new Set(spec.required ?? []);
  const rows = Object.entries(spec.properties ?? {}).map(([key, property]) => `| \`${key}\` | ${cell(typeOf(property, schema))} | ${defaultOf(property, required.has(key))} | ${cell(property.description ?? "")} |`);
  lines.push("| Property | Type | Default | Description |", "|---|---|---|---|", ...rows, "");
  return lines;
}

export function renderReference(schema: PackageSchema): string {
  const tokens = Object.keys(schema.resources);
  const byName = new Map(tokens.map((token) => [shortName(token), token]));
  const unknown = tokens.map(shortName).filter((name) => !RESOURCE_ORDER.includes(name));
  const order = [...RESOURCE_ORDER.filter((name) => byName.has(name)), ...unknown.sort()];
  const lines = [
    "<!-- Generated by `npm run docs:reference` from provider/native/schema.json and provider/flavors/names.ts: edit the JSDoc of the arguments, then regenerate both. -->",
    "",
    "# Reference",
    "",
    "Every input of every resource, with its type, its default and the server variable it sets, and",
    "the types they use. Generated from the package schema, itself generated from the TypeScript",
    "argument interfaces and their JSDoc. What the resources do, and their outputs:",
    "[Resources](resources.md).",
    "",
    ...order.map((name) => `- [\`${name}\`](#${name.toLowerCase()})`),
    "- [Types](#types)",
    "",
  ];
  for (const name of order) {
    const resource = schema.resources[byName.get(name)!];
    lines.push(`## \`${name}\``, "");
    if (resource.isComponent) lines.push("A component resource.", "");
    if (resource.description) lines.push(resource.description.trim(), "");
    lines.push(...inputsTable(name, resource, schema), "");
  }
  lines.push("## Types", "");
  for (const token of inputTypes(schema)) lines.push(...typeSection(token, schema.types![token], schema));
  return `${lines.join("\n").trimEnd()}\n`;
}

export function readSchema(): PackageSchema {
  return JSON.parse(fs.readFileSync(SCHEMA_PATH, "utf8")) as PackageSchema;
}

if (require.main === module) {
  fs.writeFileSync(REFERENCE_PATH, renderReference(readSchema()));
  console.log(`wrote ${path.relative(ROOT, REFERENCE_PATH)}`);
}
