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
 * Until then every method is one shared function that fails loudly, so a host that never called
 * `configure` cannot silently skip a delete or wipe outputs. One shared function instead of six
 * delegating ones keeps the stub to a few hundred bytes: the serializer wraps each function it
 * stores in about 150 bytes of scaffolding, twice per resource.
 */

function notConfigured(): never {
  throw new Error("pulumi-mysql-semisync/runtime was not loaded: configure() was not called. Fix: use @pulumi/pulumi 3.216+ in the project.");
}

/** `SemisyncPlugin`'s serialized provider. */
export const semisyncPluginStub: pulumi.dynamic.ResourceProvider = {
  check: notConfigured,
  diff: notConfigured,
  create: notConfigured,
  read: notConfigured,
  update: notConfigured,
  delete: notConfigured,
  async configure() {
    Object.assign(this, require("pulumi-mysql-semisync/runtime").SemisyncPlugin);
  },
};

/** `SemisyncEnablement`'s serialized provider. */
export const semisyncEnablementStub: pulumi.dynamic.ResourceProvider = {
  check: notConfigured,
  diff: notConfigured,
  create: notConfigured,
  read: notConfigured,
  update: notConfigured,
  delete: notConfigured,
  async configure() {
    Object.assign(this, require("pulumi-mysql-semisync/runtime").SemisyncEnablement);
  },
};
