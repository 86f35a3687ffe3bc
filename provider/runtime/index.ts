/**
 * `pulumi-mysql-semisync/runtime`: the one entry point the provider code kept in a stack's state
 * loads. Each dynamic resource stores a small stub (provider/resources/provider-stubs.ts) whose
 * methods `require` this module when the engine calls them and delegate to the object named
 * after the resource type. The stub therefore runs whatever release is installed in the
 * project, and this module's shape is a contract between releases:
 *
 *   SemisyncPlugin, SemisyncEnablement: objects with check, diff, create, read, update, delete
 *   taking and returning what `pulumi.dynamic.ResourceProvider` does.
 *
 * Keep both names and all six methods in every release; add, never rename. The module is loaded
 * with a normal `require`, so Node caches it: one instance per provider process.
 *
 * Around the CRUD code it versions the stored props (provider/runtime/props-schema.ts): props
 * coming from the state are migrated before use, props going back are stamped, and `diff` reports
 * a change (an in-place update, never a replacement) while the stored props predate the current
 * schema, so the next `up` rewrites them together with the stub.
 */
import type * as pulumi from "@pulumi/pulumi";
import { semisyncEnablementProvider } from "../crud/enablement-provider";
import { semisyncPluginProvider } from "../crud/plugin-provider";
import { rendered } from "../crud/engine-report";
import { migrateProps, needsRewrite, stampProps, unstampInputs } from "./props-schema";

type Props = Record<string, unknown>;
type Provider = pulumi.dynamic.ResourceProvider<any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The six methods every runtime export has: the stub calls each of them unconditionally. */
export type RuntimeProvider = Required<Pick<pulumi.dynamic.ResourceProvider, "check" | "diff" | "create" | "read" | "update" | "delete">>;

/** Each method migrates the props it is handed and stamps those it returns; its own errors (a schema it cannot read) leave rendered, as the providers' do. */
function versioned(provider: Provider): RuntimeProvider {
  return {
    check: (olds: Props, news: Props) => rendered(() => provider.check!(olds, news)),

    diff: (id: string, olds: Props, news: Props) =>
      rendered(async () => {
        const result = await provider.diff!(id, migrateProps(olds), news);
        return needsRewrite(olds) ? { ...result, changes: true } : result;
      }),

    create: (inputs: Props) =>
      rendered(async () => {
        const result = await provider.create(inputs);
        return { ...result, outs: stampProps(result.outs ?? {}) };
      }),

    read: (id: string, props?: Props) =>
      rendered(async () => {
        const result = await provider.read!(id, props && migrateProps(props));
        return {
          ...result,
          ...(result.props ? { props: stampProps(result.props) } : {}),
          ...(result.inputs ? { inputs: unstampInputs(result.inputs) } : {}),
        };
      }),

    update: (id: string, olds: Props, news: Props) =>
      rendered(async () => {
        const result = await provider.update!(id, migrateProps(olds), news);
        return { ...result, outs: stampProps(result.outs ?? {}) };
      }),

    delete: (id: string, props: Props) => rendered(async () => provider.delete!(id, migrateProps(props))),
  };
}

/** What `SemisyncPlugin`'s stub delegates to. */
export const SemisyncPlugin: RuntimeProvider = versioned(semisyncPluginProvider);

/** What `SemisyncEnablement`'s stub delegates to. */
export const SemisyncEnablement: RuntimeProvider = versioned(semisyncEnablementProvider);
