/**
 * `SemisyncReplication` as the plugin constructs it for a program in any language: the same
 * wiring as the TypeScript component (`SemisyncReplicationOf`), over the plugin's own custom
 * resources instead of the dynamic ones. Loaded only inside `construct`.
 */
import * as pulumi from "@pulumi/pulumi";
import { SemisyncEnablementArgs } from "../resources/semisync-enablement";
import { SemisyncPluginArgs } from "../resources/semisync-plugin";
import { SemisyncReplicationArgs, SemisyncReplicationOf } from "../resources/semisync-replication";
import { ResolvedTerminology, Role, SemisyncMonitoring } from "../types";
import { SCHEMA, VERSION, token, typeProperties } from "./provider";
import { PropertySpec } from "./raw-values";

/** Every output the schema lists, registered unset so the engine fills it in. */
function outputSlots(type: string): Record<string, undefined> {
  return Object.fromEntries(Object.keys(SCHEMA.resources[token(type)].properties).map((key) => [key, undefined]));
}

/** `mysql-semisync:index:SemisyncPlugin`, served by this plugin. */
export class PluginResource extends pulumi.CustomResource {
  declare readonly pluginName: pulumi.Output<string>;
  declare readonly builtIn: pulumi.Output<boolean>;
  declare readonly adopted: pulumi.Output<boolean>;
  declare readonly foundEnabled: pulumi.Output<boolean>;
  declare readonly activeTerminology: pulumi.Output<ResolvedTerminology>;
  declare readonly role: pulumi.Output<Role>;

  constructor(name: string, args: SemisyncPluginArgs, opts?: pulumi.CustomResourceOptions) {
    super(token("SemisyncPlugin"), name, { ...outputSlots("SemisyncPlugin"), ...args }, { ...opts, version: VERSION });
  }
}

/** `mysql-semisync:index:SemisyncEnablement`, served by this plugin. */
export class EnablementResource extends pulumi.CustomResource {
  declare readonly semisyncStatus: pulumi.Output<string>;
  declare readonly clients: pulumi.Output<number | undefined>;
  declare readonly adopted: pulumi.Output<boolean>;
  declare readonly monitoring: pulumi.Output<SemisyncMonitoring | undefined>;

  constructor(name: string, args: SemisyncEnablementArgs, opts?: pulumi.CustomResourceOptions) {
    super(token("SemisyncEnablement"), name, { ...outputSlots("SemisyncEnablement"), ...args }, { ...opts, version: VERSION });
  }
}

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
