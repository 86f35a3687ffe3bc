/**
 * `SemisyncReplication` as the plugin constructs it for a program in any language: the same
 * wiring as the TypeScript component (`SemisyncReplicationOf`), over the plugin's own custom
 * resources instead of the dynamic ones. Loaded only inside `construct`.
 */
import * as pulumi from "@pulumi/pulumi";
import { SemisyncEnablementArgs } from "../resources/semisync-enablement";
import { SemisyncPluginArgs } from "../resources/semisync-plugin";
import { EnablementResource as ComponentEnablement, PluginResource as ComponentPlugin, SemisyncReplicationArgs, SemisyncReplicationOf } from "../resources/semisync-replication";
import { SCHEMA, VERSION, token, typeProperties } from "./served-schema";
import { PropertySpec } from "./raw-values";

/** Every output the schema lists, registered unset so the engine fills it in. */
function outputSlots(type: string): Record<string, undefined> {
  return Object.fromEntries(Object.keys(SCHEMA.resources[token(type)].properties).map((key) => [key, undefined]));
}

/**
 * A resource type this plugin serves, as the class the component builds it with. Its outputs are
 * declared once, on the TypeScript resources: the component reads them through `PluginResource`
 * and `EnablementResource` (semisync-replication.ts), and the engine fills in every output the
 * schema lists.
 */
function servedResource<R extends pulumi.Resource, A extends object>(type: string): new (name: string, args: A, opts?: pulumi.CustomResourceOptions) => R {
  class Served extends pulumi.CustomResource {
    constructor(name: string, args: A, opts?: pulumi.CustomResourceOptions) {
      super(token(type), name, { ...outputSlots(type), ...args }, { ...opts, version: VERSION });
    }
  }
  return Served as unknown as new (name: string, args: A, opts?: pulumi.CustomResourceOptions) => R;
}

/** `mysql-semisync:index:SemisyncPlugin`, served by this plugin. */
export const PluginResource = servedResource<ComponentPlugin, SemisyncPluginArgs>("SemisyncPlugin");

/** `mysql-semisync:index:SemisyncEnablement`, served by this plugin. */
export const EnablementResource = servedResource<ComponentEnablement, SemisyncEnablementArgs>("SemisyncEnablement");

/**
 * The properties the component reads while the program runs (`plain` in the schema: `replicas`,
 * each member's `name`, `failoverReady`, …) must be known then, as in TypeScript, where their types
 * are not `Input`s. A value from another resource's output there is refused, naming it.
 */
function requirePlain(value: unknown, spec: PropertySpec | undefined, where: string): void {
  if (value === undefined || spec === undefined) return;
  if (spec.plain && pulumi.Output.isInstance(value)) {
    throw new Error(`SemisyncReplication: ${where} must be known when the program runs (a literal or configuration value), not another resource's output: the component's resources are keyed and ordered by it.`);
  }
  if (Array.isArray(value)) value.forEach((v, i) => requirePlain(v, spec.items, `${where}[${i}]`));
  const nested = spec.$ref ? typeProperties(spec.$ref) : undefined;
  if (nested && typeof value === "object" && value !== null && !pulumi.Output.isInstance(value)) {
    for (const [key, inner] of Object.entries(value)) requirePlain(inner, nested[key], `${where}.${key}`);
  }
}

export async function constructReplication(name: string, inputs: pulumi.Inputs, options: pulumi.ComponentResourceOptions) {
  const properties = SCHEMA.resources[token("SemisyncReplication")].inputProperties;
  for (const [key, value] of Object.entries(inputs)) requirePlain(value, properties[key], key);
  const component = new SemisyncReplicationOf({ plugin: PluginResource, enablement: EnablementResource }, name, inputs as unknown as SemisyncReplicationArgs, options);
  // The outputs are the schema's, which lists the component's Output-typed members.
  const outputs = Object.keys(SCHEMA.resources[token("SemisyncReplication")].properties);
  return { urn: component.urn, state: Object.fromEntries(outputs.map((key) => [key, (component as unknown as Record<string, unknown>)[key]])) };
}
