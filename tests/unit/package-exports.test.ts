import * as assert from "node:assert/strict";
import * as path from "node:path";

/*
 * The package as the provider process resolves it by name (the checkout links itself into
 * node_modules, like an installed copy): what the stored provider code of every release needs must
 * stay reachable through package.json's `exports`.
 */

/**
 * What 0.1.0's stored provider code takes from the package, by path: its read (refresh) and
 * delete (destroy) run until the first `up` after an upgrade rewrites the state with the stub.
 * Extracted from 0.1.0's serialized providers (tests/fixtures/pulumi-mysql-semisync-0.1.0.tgz).
 * 0.1.0's `PROVIDER_VERSION` is left out: only its create, update and diff used it, and those
 * always run the code of the installed release.
 */
const USED_BY_0_1_0: Record<string, string[]> = {
  "dist/provider/crud/diff-helpers.js": ["connectionChanged", "hasUnknowns", "identityChanged"],
  "dist/provider/crud/server.js": ["onServer", "pollUntil", "resourceId"],
  "dist/provider/crud/source-guard.js": ["refuseToStarveSource", "waitCountVariable"],
  "dist/provider/flavors/names.js": ["SETTING_SPECS", "enabledVariable", "sideNames", "terminologyOfPlugin", "variableName"],
  "dist/provider/plan/enablement-plan.js": ["installedTerminology", "isOn", "planEnablement"],
  "dist/provider/plan/inputs.js": ["DEFAULT_CLIENTS_TIMEOUT_MS", "DEFAULT_REPLICA_STATUS_TIMEOUT_MS", "checkEnablementInputs", "checkPluginInputs"],
  "dist/provider/plan/plugin-plan.js": ["planPluginInstall", "planPluginRemoval"],
  "dist/provider/plan/replica-statements.js": ["ioRestartStatements"],
  "dist/provider/sql/apply.js": ["applyStatements"],
  "dist/provider/sql/errors.js": ["driverMessage", "semisyncError"],
};

describe("package exports: what stored provider code resolves by name", () => {
  it("pulumi-mysql-semisync/runtime is the runtime entry point, with the six methods of both resource types", () => {
    assert.equal(require.resolve("pulumi-mysql-semisync/runtime"), path.resolve(__dirname, "..", "..", "provider", "runtime", "index.js"));
    const runtime = require("pulumi-mysql-semisync/runtime");
    for (const type of ["SemisyncPlugin", "SemisyncEnablement"]) {
      for (const method of ["check", "diff", "create", "read", "update", "delete"]) assert.equal(typeof runtime[type]?.[method], "function", `${type}.${method}`);
    }
  });

  for (const [file, names] of Object.entries(USED_BY_0_1_0)) {
    it(`0.1.0's stored code still finds ${names.join(", ")} in pulumi-mysql-semisync/${file}`, () => {
      const module = require(`pulumi-mysql-semisync/${file}`);
      for (const name of names) assert.notEqual(module[name], undefined, `${file} exports ${name}`);
    });
  }

  it("other internal files are not part of the package's interface", () => {
    assert.throws(() => require.resolve("pulumi-mysql-semisync/dist/provider/resources/semisync-plugin.js"), { code: "ERR_PACKAGE_PATH_NOT_EXPORTED" });
  });
});
