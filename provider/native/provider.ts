/**
 * The native provider plugin `pulumi-resource-mysql-semisync`: the same resources as the dynamic
 * ones, served over the provider protocol (`@pulumi/pulumi/provider`), so every Pulumi language
 * can use them. It decides nothing itself: check, diff, create, read, update and delete are the
 * CRUD code of the dynamic resources (provider/crud), and `construct` is `SemisyncReplication`'s
 * own wiring over the plugin's custom resources (provider/native/resources.ts).
 *
 * What it adds is the translation between the two shapes of the same properties:
 * - a program declares a connection with its password and TLS options inline (the schema,
 *   generated from the TypeScript argument types); the CRUD code keeps them apart
 *   (`splitCredentials`, the same split the dynamic resources make);
 * - raw values: secrets arrive wrapped and must leave wrapped (raw-values.ts), unknowns pass.
 * The state of a plugin resource holds the declared shape: its inputs, and as outputs the inputs
 * plus what the CRUD code observed.
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as provider from "@pulumi/pulumi/provider";
import { semisyncEnablementProvider } from "../crud/enablement-provider";
import { semisyncPluginProvider } from "../crud/plugin-provider";
import { MemberConnection, joinCredentials, splitCredentials } from "../plan/inputs";
import { conceal, reveal } from "./raw-values";
import { importedProps } from "./import";
import { SCHEMA, SCHEMA_TEXT, VERSION, token, typeProperties } from "./served-schema";

type Props = Record<string, unknown>;
type CrudProvider = pulumi.dynamic.ResourceProvider<any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const CRUD: Record<string, CrudProvider> = {
  [token("SemisyncPlugin")]: semisyncPluginProvider,
  [token("SemisyncEnablement")]: semisyncEnablementProvider,
};

function typeOf(urn: string): string {
  // urn:pulumi:stack::project::parent$type::name: the type is the last segment of the type chain.
  const type = urn.split("::")[2]?.split("$").pop() ?? "";
  if (!CRUD[type]) throw new Error(`mysql-semisync: unknown resource type ${type}`);
  return type;
}

/** The declared shape (password and TLS inline) as the CRUD code takes it (kept apart). */
export function toCrud(props: Props): Props {
  const { connection, source, ...rest } = props;
  const out: Props = { ...rest };
  if (connection !== undefined) Object.assign(out, splitCredentials(connection as MemberConnection));
  if (source !== undefined) {
    const split = splitCredentials(source as MemberConnection);
    out.sourceConnection = split.connection;
    if (split.password !== undefined) out.sourcePassword = split.password;
    if (split.tls !== undefined) out.sourceTls = split.tls;
  }
  return out;
}

/** What the CRUD code returns, in the declared shape. */
export function fromCrud(props: Props): Props {
  const { connection, password, tls, sourceConnection, sourcePassword, sourceTls, ...rest } = props;
  const out: Props = { ...rest };
  if (connection !== undefined) out.connection = joinCredentials({ connection, password, tls } as never);
  if (sourceConnection !== undefined) out.source = joinCredentials({ connection: sourceConnection, password: sourcePassword, tls: sourceTls } as never);
  return out;
}

/** Outputs as they leave the plugin: declared shape, secrets wrapped where the schema says. */
function outputsOf(type: string, crudOutputs: Props): Props {
  return conceal(dropUndefined(fromCrud(crudOutputs)), SCHEMA.resources[type].properties, typeProperties);
}

function dropUndefined(props: Props): Props {
  return Object.fromEntries(Object.entries(props).filter(([, v]) => v !== undefined));
}

export const nativeProvider: provider.Provider = {
  version: VERSION,
  schema: SCHEMA_TEXT,

  async check(urn, _olds, news) {
    const type = typeOf(urn);
    const declared = reveal(news) as Props;
    const { failures } = await CRUD[type].check!({}, toCrud(declared));
    return { inputs: conceal(news, SCHEMA.resources[type].inputProperties, typeProperties), failures: failures ?? [] };
  },

  async diff(id, urn, olds, news) {
    const type = typeOf(urn);
    return CRUD[type].diff!(id, toCrud(reveal(olds) as Props), toCrud(reveal(news) as Props));
  },

  async create(urn, inputs) {
    const type = typeOf(urn);
    const { id, outs } = await CRUD[type].create(toCrud(reveal(inputs) as Props));
    return { id, outs: outputsOf(type, outs) };
  },

  async read(id, urn, props) {
    const type = typeOf(urn);
    const stored = reveal(props ?? {}) as Props;
    if (stored.connection === undefined) {
      // `pulumi import`: nothing stored yet; the ID names the server, the server has the rest.
      const imported = await importedProps(type, id);
      return { id: imported.id, props: outputsOf(type, imported.outputs), inputs: outputsOf(type, imported.inputs) };
    }
    const result = await CRUD[type].read!(id, toCrud(stored));
    // No inputs: a refresh keeps the stored ones (the engine's rule when a read returns none).
    return { id: result.id ?? id, props: outputsOf(type, result.props ?? {}) };
  },

  async update(id, urn, olds, news) {
    const type = typeOf(urn);
    const { outs } = await CRUD[type].update!(id, toCrud(reveal(olds) as Props), toCrud(reveal(news) as Props));
    return { outs: outputsOf(type, outs ?? {}) };
  },

  async delete(id, urn, props) {
    const type = typeOf(urn);
    await CRUD[type].delete!(id, toCrud(reveal(props) as Props));
  },

  async construct(name, type, inputs, options) {
    if (type !== token("SemisyncReplication")) throw new Error(`mysql-semisync: unknown component type ${type}`);
    // Loaded here: the component needs the engine connection `construct` sets up.
    const { constructReplication } = await import("./resources");
    return constructReplication(name, inputs, options);
  },
};
