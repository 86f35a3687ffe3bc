import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { REFERENCE_PATH, defaultOf, readSchema, renderReference, serverVariableOf, typeOf, type PackageSchema } from "../../scripts/docs-reference";

/*
 * docs/reference.md is generated, never written: it must be exactly what the generator makes of
 * the checked-in schema, so a changed argument or JSDoc shows in the reference in the same commit.
 */

describe("docs/reference.md", () => {
  it("is what `npm run docs:reference` generates from provider/native/schema.json", () => {
    const checkedIn = fs.readFileSync(REFERENCE_PATH, "utf8");
    assert.equal(checkedIn, renderReference(readSchema()), "docs/reference.md is stale: run `npm run docs:reference` and commit the result");
  });

  it("lists every input of every resource of the schema", () => {
    const schema = readSchema();
    const reference = renderReference(schema);
    const missing: string[] = [];
    for (const [token, resource] of Object.entries(schema.resources)) {
      const name = token.slice(token.lastIndexOf(":") + 1);
      const section = reference.split(`## \`${name}\``)[1]?.split("\n## ")[0] ?? "";
      for (const input of Object.keys(resource.inputProperties ?? {})) {
        if (!section.includes(`| \`${input}\` |`)) missing.push(`${name}.${input}`);
      }
    }
    assert.deepEqual(missing, []);
  });

  it("gives each input its type, default and server variable", () => {
    const schema: PackageSchema = {
      name: "x",
      types: { "x:index:Role": { type: "string", enum: [{ value: "source" }, { value: "replica" }] }, "x:index:Connection": { type: "object" } },
      resources: {},
    };
    assert.equal(typeOf({ $ref: "#/types/x:index:Role" }, schema), '`"source"` or `"replica"`');
    assert.equal(typeOf({ type: "array", items: { $ref: "#/types/x:index:Connection" }, secret: true }, schema), "[Connection](#connection) list, secret");
    assert.equal(defaultOf({ type: "integer", default: 30000, description: "Defaults to 30000." }, false), "`30000`");
    assert.equal(defaultOf({ type: "integer", description: "Ranges. Defaults to leaving the server's value (1)." }, false), "leaving the server's value (1)");
    assert.equal(defaultOf({ type: "string" }, true), "required");
    assert.equal(serverVariableOf("timeoutMs", "SemisyncEnablement"), "`rpl_semi_sync_source_timeout` (legacy: `rpl_semi_sync_master_timeout`)");
    assert.equal(serverVariableOf("enabled", "SemisyncEnablement"), "`rpl_semi_sync_source_enabled`, `rpl_semi_sync_replica_enabled` (legacy: `rpl_semi_sync_master_enabled`, `rpl_semi_sync_slave_enabled`)");
    assert.equal(serverVariableOf("connection", "SemisyncEnablement"), "");
  });
});
