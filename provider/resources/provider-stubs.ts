import type * as pulumi from "@pulumi/pulumi";

/*
 * The provider objects handed to `pulumi.dynamic.Resource`. Pulumi serializes them into the state
 * (in the inputs and again in the outputs of every resource) and runs the stored text for refresh
 * and destroy. So they capture nothing but literals: the stored text is the same whether the
 * package comes from npm or from a checkout, and from one release to the next, and a release that
 * moves internal files cannot break an existing stack.
 *
 * How it reaches the code: the dynamic-provider host calls `configure` once, right after it
 * rebuilds the stub and before any other method (@pulumi/pulumi 3.139+; the package requires
 * 3.216+). `configure` `require`s the package's documented runtime entry point,
 * `pulumi-mysql-semisync/runtime`, from the project (a normal, cached require) and puts that
 * release's check, diff, create, read, update and delete on the stub, which the host then calls.
 *
 * Every method starts out as that same function: the serializer wraps each distinct function in
 * about 200 bytes of scaffolding, stored twice per resource, so one function keeps the stub to
 * about 700 bytes. Called as anything but `configure` (a host that skipped it), it fails loudly
 * instead of letting the host treat a missing delete or update as done.
 */

type Configure = (this: object, request?: { config?: unknown }) => Promise<void>;

function stubOf(configure: Configure): pulumi.dynamic.ResourceProvider {
  const stub = { configure, check: configure, diff: configure, create: configure, read: configure, update: configure, delete: configure };
  return stub as unknown as pulumi.dynamic.ResourceProvider;
}

/** `SemisyncPlugin`'s serialized provider. */
export const semisyncPluginStub = stubOf(async function (request) {
  if (!request?.config) throw new Error("pulumi-mysql-semisync needs @pulumi/pulumi 3.216+ in the project");
  Object.assign(this, require("pulumi-mysql-semisync/runtime").SemisyncPlugin);
});

/** `SemisyncEnablement`'s serialized provider. */
export const semisyncEnablementStub = stubOf(async function (request) {
  if (!request?.config) throw new Error("pulumi-mysql-semisync needs @pulumi/pulumi 3.216+ in the project");
  Object.assign(this, require("pulumi-mysql-semisync/runtime").SemisyncEnablement);
});
