import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
// The module the dynamic-provider host rebuilds stored providers with (a dependency of @pulumi/pulumi).
const requireFromString: (code: string) => { handler(): Record<string, (...args: unknown[]) => unknown> } = require("require-from-string");
import { semisyncEnablementStub, semisyncPluginStub } from "../../provider/resources/provider-stubs";
import { SemisyncEnablement, SemisyncPlugin } from "../../provider/runtime";
import { SemisyncError } from "../../provider/sql/errors";
import { pluginOutputs } from "./fixtures";
import { PROPS_SCHEMA_VERSION, migrateProps, needsRewrite, schemaOf, stampProps, unstampInputs } from "../../provider/runtime/props-schema";

const ID = "mysql://127.0.0.1:3306/semisync-plugin/source";

/** A SemisyncPlugin's outputs as 0.1.0 stored them (from `pulumi stack export` of a 0.1.0 stack). */
function pluginProps010(): Record<string, unknown> {
  return {
    __provider: "exports.handler = __f0;\n…0.1.0's serialized provider…",
    ...pluginOutputs({ connection: { host: "127.0.0.1", port: 3306, user: "admin" }, password: "secret" }),
    providerVersion: "0.1.0",
  };
}

/** A source SemisyncEnablement's outputs as 0.1.0 stored them. */
function enablementProps010(): Record<string, unknown> {
  return {
    __provider: "exports.handler = __f0;\n…",
    connection: { host: "127.0.0.1", port: 3306, user: "admin" },
    password: "secret",
    role: "source",
    enabled: true,
    timeoutMs: 10000,
    triggers: ["db2", "db3"],
    activeTerminology: "modern",
    enabledOnServer: true,
    effective: { timeoutMs: 10000, waitForReplicaCount: 1, waitNoReplica: true, waitPoint: "AFTER_SYNC", traceLevel: 32 },
    semisyncStatus: "ON",
    clients: 2,
    optionFileLines: ["rpl_semi_sync_source_enabled=ON", "rpl_semi_sync_source_timeout=10000"],
    managedSettings: ["timeoutMs"],
    serverVersion: "9.7.4",
    serverFlavor: "mysql-9.5",
    providerVersion: "0.1.0",
  };
}

/** The inputs a program declares again for stored props: the props minus outputs and bookkeeping. */
function inputsOf(props: Record<string, unknown>, outputs: string[]): Record<string, unknown> {
  const inputs = { ...props };
  for (const key of [...outputs, "providerVersion", "schemaVersion"]) delete inputs[key];
  return inputs;
}
const PLUGIN_OUTPUTS = ["pluginName", "pluginLibrary", "pluginStatus", "builtIn", "adopted", "activeTerminology", "serverVersion", "serverFlavor"];
const ENABLEMENT_OUTPUTS = ["activeTerminology", "enabledOnServer", "effective", "semisyncStatus", "clients", "optionFileLines", "managedSettings", "serverVersion", "serverFlavor"];

describe("stored props: schema versions and the migration from 0.1.0", () => {
  it("reads props without a schema number as 0.1.0's (schema 1)", () => {
    assert.equal(schemaOf(pluginProps010()), 1);
    assert.equal(needsRewrite(pluginProps010()), true);
  });

  it("migrates 0.1.0's props: drops providerVersion, stamps the current schema, keeps every other field", () => {
    const old = pluginProps010();
    const migrated = migrateProps(old);
    const { providerVersion: _p, ...rest } = old;
    assert.deepEqual(migrated, { ...rest, schemaVersion: PROPS_SCHEMA_VERSION });
    assert.equal(needsRewrite(migrated), false);
  });

  it("keeps fields it does not know (optional props added by later releases) and absent optional fields stay absent", () => {
    const old = { ...enablementProps010(), adoption: { adoptedSettings: ["timeoutMs"] }, someFutureOutput: [1, 2] };
    delete (old as Record<string, unknown>).clients;
    const migrated = migrateProps(old);
    assert.deepEqual(migrated.adoption, { adoptedSettings: ["timeoutMs"] });
    assert.deepEqual(migrated.someFutureOutput, [1, 2]);
    assert.equal("clients" in migrated, false);
  });

  it("does not change the props it is given", () => {
    const old = pluginProps010();
    const copy = structuredClone(old);
    migrateProps(old);
    stampProps(old);
    assert.deepEqual(old, copy);
  });

  it("leaves current props as they are", () => {
    const current = stampProps(migrateProps(enablementProps010()));
    assert.deepEqual(migrateProps(current), current);
  });

  it("refuses props written by a newer release, naming the server, both schemas and the fix", () => {
    assert.throws(
      () => migrateProps({ ...pluginProps010(), schemaVersion: PROPS_SCHEMA_VERSION + 1 }),
      (error: SemisyncError) => {
        assert.equal(error.server, "127.0.0.1:3306");
        assert.equal(error.message, `this resource's state was written by a newer pulumi-mysql-semisync (props schema ${PROPS_SCHEMA_VERSION + 1}); the installed release reads schema ${PROPS_SCHEMA_VERSION} and older.`);
        assert.equal(error.changed, "Nothing was changed.");
        assert.equal(error.fix, "install the release that wrote the state, or a newer one.");
        return true;
      },
    );
  });

  it("the runtime hands that refusal to the engine as one line: server, what, what changed, fix", async () => {
    const newer = { ...pluginProps010(), schemaVersion: PROPS_SCHEMA_VERSION + 1 };
    for (const call of [() => SemisyncPlugin.diff(ID, newer, {}), () => SemisyncPlugin.delete(ID, newer)]) {
      await assert.rejects(call(), (error: Error) => {
        assert.match(
          error.message,
          new RegExp(
            `^\\[127\\.0\\.0\\.1:3306\\] this resource's state was written by a newer pulumi-mysql-semisync \\(props schema ${PROPS_SCHEMA_VERSION + 1}\\).*reads schema ${PROPS_SCHEMA_VERSION} and older\\. Nothing was changed\\. Fix: install the release that wrote the state, or a newer one\\.$`,
          ),
        );
        return true;
      });
    }
  });

  it("inputs never carry the schema number", () => {
    assert.deepEqual(unstampInputs({ role: "source", schemaVersion: 2 }), { role: "source" });
  });
});

describe("the runtime entry point around the CRUD code", () => {
  it("a SemisyncPlugin stored by 0.1.0, declared unchanged: diff asks for an update in place, never a replacement", async () => {
    const olds = pluginProps010();
    const result = await SemisyncPlugin.diff(ID, olds, inputsOf(olds, PLUGIN_OUTPUTS));
    assert.equal(result.changes, true);
    assert.deepEqual(result.replaces ?? [], []);
  });

  it("a SemisyncPlugin stored by this release, declared unchanged: no change, whatever the package version", async () => {
    const olds = migrateProps(pluginProps010());
    const result = await SemisyncPlugin.diff(ID, olds, inputsOf(olds, PLUGIN_OUTPUTS));
    assert.equal(result.changes, false);
  });

  it("a SemisyncEnablement stored by 0.1.0, declared unchanged: an update in place; once rewritten, no change", async () => {
    const olds = enablementProps010();
    const news = inputsOf(olds, ENABLEMENT_OUTPUTS);
    const stale = await SemisyncEnablement.diff(ID, olds, news);
    assert.equal(stale.changes, true);
    assert.deepEqual(stale.replaces ?? [], []);
    const current = await SemisyncEnablement.diff(ID, migrateProps(olds), news);
    assert.equal(current.changes, false);
  });

  it("a real change on 0.1.0's props is still a replacement where it was one (another host)", async () => {
    const olds = pluginProps010();
    const news = { ...inputsOf(olds, PLUGIN_OUTPUTS), connection: { host: "127.0.0.2", port: 3306, user: "admin" } };
    const result = await SemisyncPlugin.diff(ID, olds, news);
    assert.deepEqual(result.replaces, ["connection.host"]);
  });
});

describe("the provider stubs serialized into the state", () => {
  for (const [name, stub, runtime] of [
    ["SemisyncPlugin", semisyncPluginStub, SemisyncPlugin],
    ["SemisyncEnablement", semisyncEnablementStub, SemisyncEnablement],
  ] as const) {
    it(`${name}'s stub serializes to under 900 bytes that require only pulumi-mysql-semisync/runtime`, async () => {
      const serialized = await serializeProvider(stub);
      assert.deepEqual(
        [...serialized.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]),
        ["pulumi-mysql-semisync/runtime"],
      );
      assert.ok(serialized.length <= 900, `${serialized.length} characters`);
    });

    it(`${name}'s stub, rebuilt as the provider host does, runs the runtime's methods once configured and fails loudly before`, async () => {
      const rebuilt = requireFromString(await serializeProvider(stub)).handler();
      // A host that skipped configure: every method refuses, none silently does nothing.
      for (const method of ["check", "diff", "create", "read", "update", "delete"]) {
        await assert.rejects(Promise.resolve(rebuilt[method]("id", {})), /pulumi-mysql-semisync needs @pulumi\/pulumi 3\.216\+ in the project/, method);
      }
      await rebuilt.configure({ config: {} });
      for (const method of ["check", "diff", "create", "read", "update", "delete"] as const) assert.equal(rebuilt[method], runtime[method], method);
    });
  }
});

/** The text `pulumi.dynamic.Resource` stores for a provider (sdk/nodejs/dynamic/index.ts `serializeProvider`). */
async function serializeProvider(provider: object): Promise<string> {
  return (await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true })).text;
}
