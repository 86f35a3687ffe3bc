/**
 * The Pulumi package schema of the native plugin, generated from the TypeScript argument
 * interfaces and resource classes and their JSDoc: one source of truth for names, types, defaults,
 * descriptions and secrets. `npm run schema` writes it to provider/native/schema.json; a unit test
 * regenerates it and fails when the checked-in file differs.
 *
 * The generator follows the types as they are written:
 * - `pulumi.Input<T>` is T; a property whose type is not wrapped in `Input` is `plain` (the
 *   component reads it at program time, e.g. `replicas`, `failoverReady`).
 * - `number` is `number`; `Integer` (provider/types.ts) is `integer`.
 * - an interface is an object type named after it (`TopologyArgs` → `Topology`: the SDK
 *   generators add `Args` themselves), and so is a mapped type that makes each field of an
 *   interface an input (`ConnectionArgs` → `Connection`, its fields and JSDoc those of
 *   `MemberConnection`); a named union of string literals is an enum type.
 * - the description is the JSDoc text; `default` is the literal of a "Defaults to …" sentence
 *   (a number, true/false or a quoted string; a sentence like "Defaults to leaving the server's
 *   value" has none).
 * - `secret: true` on the properties the dynamic resources keep secret (`SECRET_OUTPUTS`) and on
 *   every property of a type only reached through one of them (TLS options, the topology).
 * A type it cannot map fails the generation, naming the property.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import { SECRET_OUTPUTS } from "../resources/connection-args";

export const PACKAGE = "mysql-semisync";
const ROOT = path.resolve(__dirname, "..", "..", "..");
const SOURCES = path.join(ROOT, "provider", "index.ts");
export const SCHEMA_PATH = path.join(ROOT, "provider", "native", "schema.json");

/** The resources the plugin serves: token name, argument interface, class, component or not. */
const RESOURCES = [
  { name: "SemisyncPlugin", args: "SemisyncPluginArgs", component: false },
  { name: "SemisyncEnablement", args: "SemisyncEnablementArgs", component: false },
  { name: "SemisyncReplication", args: "SemisyncReplicationArgs", component: true },
];

/** Per-language options for SDK generation (the Python and Go SDKs read theirs from here). */
const LANGUAGE = {
  nodejs: { packageName: "pulumi-mysql-semisync", respectSchemaVersion: true },
  python: { packageName: "pulumi_mysql_semisync", respectSchemaVersion: true },
  go: { importBasePath: "github.com/pulumi-mysql-semisync/pulumi-mysql-semisync/sdk/go/mysqlsemisync", respectSchemaVersion: true },
};

type Json = Record<string, unknown>;

/** Every resource has these; the schema leaves them out. */
const BUILT_IN_OUTPUTS = ["id", "urn"];
type TypeSpec = Json;

export function generateSchema(): Json {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
  const program = ts.createProgram([SOURCES], { strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, skipLibCheck: true, noEmit: true });
  const checker = program.getTypeChecker();
  const declarations = new Map<string, ts.InterfaceDeclaration | ts.ClassDeclaration>();
  for (const file of program.getSourceFiles()) {
    if (!file.fileName.startsWith(path.join(ROOT, "provider"))) continue;
    file.forEachChild((node) => {
      if ((ts.isInterfaceDeclaration(node) || ts.isClassDeclaration(node)) && node.name) declarations.set(node.name.text, node);
    });
  }
  const types: Record<string, Json> = {};
  /** Object types reached through a secret property, and through a plain one. */
  const reachedSecret = new Set<string>();
  const reachedPlain = new Set<string>();
  /** Inputs are documented for their users: each needs its JSDoc. Outputs take an input's when they have none. */
  let requireDocs = true;
  const token = (name: string) => `${PACKAGE}:index:${name}`;
  const docOf = (symbol: ts.Symbol | undefined) => (symbol ? ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim() : "");

  const objectType = (name: string, members: ts.Symbol[], description: string, where: string): string => {
    const ref = `#/types/${token(name)}`;
    if (types[token(name)]) return ref;
    types[token(name)] = {}; // reserved first: a type may refer to itself
    const { properties, required } = propertiesOf(members, name, where, false);
    types[token(name)] = { type: "object", description: description || `${name}.`, properties, ...(required.length ? { required } : {}) };
    return ref;
  };

  const enumType = (name: string, values: string[], description: string): string => {
    if (!types[token(name)]) types[token(name)] = { type: "string", description: description || `One of ${values.map((v) => `"${v}"`).join(", ")}.`, enum: values.map((value) => ({ value })) };
    return `#/types/${token(name)}`;
  };

  const stringLiterals = (type: ts.Type): string[] | undefined => {
    const members = type.isUnion() ? type.types : [type];
    const values = members.filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null))).map((t) => (t.isStringLiteral() ? t.value : undefined));
    return values.length > 0 && values.every((v) => v !== undefined) ? (values as string[]) : undefined;
  };

  /** The schema of a type node; `where` names the property in errors, `owner` names anonymous types. */
  const fromNode = (node: ts.TypeNode, where: string, owner: string): TypeSpec => {
    if (ts.isTypeReferenceNode(node)) {
      const name = ts.isIdentifier(node.typeName) ? node.typeName.text : node.typeName.right.text;
      const args = node.typeArguments ?? [];
      if ((name === "Input" || name === "Output") && args.length === 1) return fromNode(args[0], where, owner);
      if (name === "Integer") return { type: "integer" };
      if (name === "Record" && args.length === 2) return { type: "object", additionalProperties: fromNode(args[1], where, owner) };
      if (name === "Array" && args.length === 1) return { type: "array", items: fromNode(args[0], where, owner) };
      let symbol = checker.getSymbolAtLocation(node.typeName);
      if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
      const declaration = symbol?.declarations?.[0];
      if (declaration && ts.isInterfaceDeclaration(declaration)) {
        const members = checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(symbol!));
        return { $ref: objectType(name.replace(/Args$/, ""), members, docOf(symbol), where) };
      }
      if (declaration && ts.isTypeAliasDeclaration(declaration) && ts.isMappedTypeNode(declaration.type)) {
        // `{ [K in keyof T]: Input<…> }` (`ConnectionArgs`): T's fields and their JSDoc, each an input.
        const members = checker.getPropertiesOfType(checker.getTypeFromTypeNode(node));
        return { $ref: objectType(name.replace(/Args$/, ""), members, docOf(symbol), where) };
      }
      if (declaration && ts.isTypeAliasDeclaration(declaration)) {
        const literals = stringLiterals(checker.getTypeFromTypeNode(node));
        if (literals) return { $ref: enumType(name, literals, docOf(symbol)) };
        return fromNode(declaration.type, where, owner);
      }
      return fromType(checker.getTypeFromTypeNode(node), where, owner);
    }
    if (ts.isUnionTypeNode(node)) {
      const members = node.types.filter((t) => t.kind !== ts.SyntaxKind.UndefinedKeyword && !(ts.isLiteralTypeNode(t) && t.literal.kind === ts.SyntaxKind.NullKeyword));
      if (members.length === 1) return fromNode(members[0], where, owner);
      const literals = stringLiterals(checker.getTypeFromTypeNode(node));
      if (literals) return { type: "string" };
      return widest(
        members.map((m) => fromNode(m, where, owner)),
        where,
      );
    }
    if (ts.isArrayTypeNode(node)) return { type: "array", items: fromNode(node.elementType, where, owner) };
    if (ts.isParenthesizedTypeNode(node)) return fromNode(node.type, where, owner);
    if (ts.isTypeLiteralNode(node)) {
      const members = checker.getPropertiesOfType(checker.getTypeFromTypeNode(node));
      return { $ref: objectType(owner, members, "", where) };
    }
    switch (node.kind) {
      case ts.SyntaxKind.StringKeyword:
        return { type: "string" };
      case ts.SyntaxKind.NumberKeyword:
        return { type: "number" };
      case ts.SyntaxKind.BooleanKeyword:
        return { type: "boolean" };
      case ts.SyntaxKind.UnknownKeyword:
      case ts.SyntaxKind.AnyKeyword:
        return { $ref: "pulumi.json#/Any" };
    }
    return fromType(checker.getTypeFromTypeNode(node), where, owner);
  };

  /** For what has no type node of its own (an indexed access such as `SemisyncEnablement["monitoring"]`). */
  const fromType = (type: ts.Type, where: string, owner: string): TypeSpec => {
    if (type.aliasSymbol && ["Input", "Output"].includes(type.aliasSymbol.name) && type.aliasTypeArguments?.length === 1) return fromType(type.aliasTypeArguments[0], where, owner);
    if (type.flags & ts.TypeFlags.String) return { type: "string" };
    if (type.flags & ts.TypeFlags.Number) return { type: "number" };
    if (type.flags & ts.TypeFlags.BooleanLike) return { type: "boolean" };
    if (type.isUnion()) {
      const members = type.types.filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)));
      if (members.every((t) => t.flags & ts.TypeFlags.BooleanLiteral)) return { type: "boolean" };
      if (members.length === 1) return fromType(members[0], where, owner);
      if (stringLiterals(type)) return type.aliasSymbol ? { $ref: enumType(type.aliasSymbol.name, stringLiterals(type)!, docOf(type.aliasSymbol)) } : { type: "string" };
    }
    const symbol = type.getSymbol();
    const declaration = symbol?.declarations?.[0];
    if (declaration && ts.isInterfaceDeclaration(declaration)) return { $ref: objectType(symbol!.name.replace(/Args$/, ""), checker.getPropertiesOfType(type), docOf(symbol), where) };
    throw new Error(`schema: cannot map the type of ${where} (${checker.typeToString(type)}); extend provider/native/schema-gen.ts`);
  };

  /** `MemberArgs | Input<ConnectionArgs>`: the object type whose properties include every other's. */
  const widest = (specs: TypeSpec[], where: string): TypeSpec => {
    const propsOf = (spec: TypeSpec) => Object.keys((types[String(spec.$ref ?? "").replace("#/types/", "")]?.properties as Json) ?? {});
    const best = [...specs].sort((a, b) => propsOf(b).length - propsOf(a).length)[0];
    const all = new Set(propsOf(best));
    if (specs.every((s) => s.$ref && propsOf(s).every((p) => all.has(p)))) return best;
    throw new Error(`schema: ${where} is a union the schema cannot express (${JSON.stringify(specs)}); extend provider/native/schema-gen.ts`);
  };

  const isInputWrapped = (node: ts.TypeNode | undefined): boolean => {
    if (!node) return false;
    if (ts.isTypeReferenceNode(node)) {
      const name = ts.isIdentifier(node.typeName) ? node.typeName.text : node.typeName.right.text;
      return name === "Input";
    }
    if (ts.isUnionTypeNode(node)) return node.types.some(isInputWrapped);
    return false;
  };

  /** A field that a mapped type (`ConnectionArgs`) makes an input: its type is not the one its declaration writes. */
  const mappedToInput = (member: ts.Symbol, node: ts.TypeNode): boolean => checker.getNonNullableType(checker.getTypeOfSymbol(member)) !== checker.getNonNullableType(checker.getTypeFromTypeNode(node));

  /** Properties of an interface or class, by symbol: schema, `required`, and the object types each reaches. */
  function propertiesOf(members: ts.Symbol[], owner: string, where: string, outputsOnly: boolean): { properties: Record<string, Json>; required: string[] } {
    const properties: Record<string, Json> = {};
    const required: string[] = [];
    for (const member of members) {
      const declaration = member.valueDeclaration ?? member.declarations?.[0];
      if (!declaration || BUILT_IN_OUTPUTS.includes(member.name)) continue;
      let node: ts.TypeNode | undefined;
      if (ts.isPropertySignature(declaration) || ts.isPropertyDeclaration(declaration)) node = declaration.type;
      else if (ts.isGetAccessorDeclaration(declaration)) node = declaration.type;
      else continue;
      const at = `${owner}.${member.name}`;
      if (outputsOnly) {
        // A class's outputs are its Output-typed members; its child resources are not properties.
        const declared = node && ts.isTypeReferenceNode(node) ? (ts.isIdentifier(node.typeName) ? node.typeName.text : node.typeName.right.text) : undefined;
        const type = checker.getTypeOfSymbol(member);
        const isOutput = declared !== undefined ? declared === "Output" : type.aliasSymbol?.name === "Output" || checker.typeToString(type).startsWith("Output<");
        if (!isOutput) continue;
      }
      // A member typed through the class's type parameters (`E["monitoring"]`) has its type only as instantiated.
      if (node && ts.isIndexedAccessTypeNode(node)) node = undefined;
      const spec: Json = node ? fromNode(node, at, `${owner}${member.name[0].toUpperCase()}${member.name.slice(1)}`) : fromType(checker.getTypeOfSymbol(member), at, owner);
      const description = docOf(member);
      if (!description && requireDocs) throw new Error(`schema: ${at} has no JSDoc; every input property needs a description`);
      if (description) spec.description = description;
      const fallback = defaultOf(description, spec);
      if (fallback !== undefined && requireDocs) spec.default = fallback;
      if (requireDocs && node && !isInputWrapped(node) && !ts.isTypeLiteralNode(node) && !mappedToInput(member, node)) spec.plain = true;
      if (SECRET_OUTPUTS.includes(member.name)) spec.secret = true;
      properties[member.name] = spec;
      const optional = (member.flags & ts.SymbolFlags.Optional) !== 0;
      const undefinedAllowed = outputsOnly && checker.typeToString(checker.getTypeOfSymbol(member)).includes("undefined");
      if (!optional && !undefinedAllowed) required.push(member.name);
    }
    return { properties, required };
  }

  /** Records which object types are reached through a secret property, and which through a plain one. */
  function walk(spec: unknown, secret: boolean, seen: Set<string>): void {
    if (Array.isArray(spec)) return spec.forEach((s) => walk(s, secret, seen));
    if (!spec || typeof spec !== "object") return;
    const value = spec as Json;
    const inSecret = secret || value.secret === true;
    if (typeof value.$ref === "string" && value.$ref.startsWith("#/types/")) {
      const name = value.$ref.slice("#/types/".length);
      (inSecret ? reachedSecret : reachedPlain).add(name);
      const key = `${name}:${inSecret}`;
      if (!seen.has(key)) {
        seen.add(key);
        walk(Object.values((types[name]?.properties as Json) ?? {}), inSecret, seen);
      }
    }
    if (value.items) walk(value.items, inSecret, seen);
    if (value.additionalProperties) walk(value.additionalProperties, inSecret, seen);
  }

  const resources: Record<string, Json> = {};
  for (const resource of RESOURCES) {
    const args = declarations.get(resource.args);
    const klass = declarations.get(resource.name);
    if (!args || !klass) throw new Error(`schema: ${resource.args} or ${resource.name} not found under provider/`);
    const argsSymbol = checker.getSymbolAtLocation(args.name!)!;
    const classSymbol = checker.getSymbolAtLocation(klass.name!)!;
    requireDocs = true;
    const inputs = propertiesOf(checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(argsSymbol)), resource.name, resource.args, false);
    requireDocs = false;
    const outputs = propertiesOf(checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(classSymbol)), resource.name, resource.name, true);
    // A custom resource's state holds its inputs too; a component's outputs are only what it declares.
    for (const [key, output] of Object.entries(outputs.properties)) if (!output.description && inputs.properties[key]?.description) output.description = inputs.properties[key].description;
    const properties = resource.component ? outputs.properties : { ...withoutInputOnly(inputs.properties), ...outputs.properties };
    const requiredOutputs = resource.component ? outputs.required : [...new Set([...inputs.required, ...outputs.required])];
    resources[token(resource.name)] = {
      description: docOf(classSymbol),
      ...(resource.component ? { isComponent: true } : {}),
      inputProperties: inputs.properties,
      ...(inputs.required.length ? { requiredInputs: inputs.required } : {}),
      properties,
      ...(requiredOutputs.length ? { required: requiredOutputs } : {}),
    };
  }
  for (const resource of Object.values(resources)) {
    walk(Object.values(resource.inputProperties as Json), false, new Set());
    walk(Object.values(resource.properties as Json), false, new Set());
  }
  for (const name of reachedSecret) {
    if (reachedPlain.has(name)) continue;
    for (const property of Object.values((types[name].properties as Record<string, Json>) ?? {})) property.secret = true;
  }

  return {
    name: PACKAGE,
    displayName: "MySQL semisync",
    version: pkg.version,
    description: pkg.description,
    keywords: ["pulumi", "mysql", "mariadb", "replication", "semisync", "kind/native"],
    license: pkg.license,
    meta: { moduleFormat: "(.*)" },
    language: LANGUAGE,
    config: {},
    provider: { description: "The mysql-semisync provider. It has no configuration: every resource names its server." },
    types: sortKeys(types),
    resources,
  };
}

/** Input-only keys (defaults, `plain`) do not describe stored outputs. */
function withoutInputOnly(properties: Record<string, Json>): Record<string, Json> {
  return Object.fromEntries(Object.entries(properties).map(([key, { default: _d, plain: _p, ...rest }]) => [key, rest]));
}

/** The literal of the description's "Defaults to …" sentence, when it is one and has the property's type. */
function defaultOf(description: string, spec: Json): unknown {
  const match = /Defaults to (`?)("[^"]*"|-?\d+|true|false)\1(?=$|[\s.,;:)])/.exec(description);
  if (!match) return undefined;
  const literal = JSON.parse(match[2]) as unknown;
  const type = spec.type ?? (typeof spec.$ref === "string" && spec.$ref.startsWith("#/types/") ? "string" : undefined);
  if (typeof literal === "number" && (type === "integer" || type === "number")) return literal;
  if (typeof literal === "boolean" && type === "boolean") return literal;
  if (typeof literal === "string" && type === "string") return literal;
  return undefined;
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

/** The schema as the file holds it: two-space JSON and a final newline. */
export function schemaText(schema: Json = generateSchema()): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

if (require.main === module) {
  fs.writeFileSync(SCHEMA_PATH, schemaText());
  process.stdout.write(`wrote ${path.relative(process.cwd(), SCHEMA_PATH)}\n`);
}
