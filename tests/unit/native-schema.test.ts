import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { SCHEMA_PATH, generateSchema, schemaText } from "../../provider/native/schema-gen";

/*
 * One schema, one source of truth: provider/native/schema.json is generated from the TypeScript
 * argument types and their JSDoc (`npm run schema`). Any change to an argument type, a default
 * or a description must come with the regenerated file.
 */
describe("native plugin schema", function () {
  this.timeout(120_000);
  let generated: ReturnType<typeof generateSchema>;

  before(function () {
    generated = generateSchema();
  });

  it("the checked-in provider/native/schema.json is what the TypeScript argument types generate (run `npm run schema`)", function () {
    assert.equal(fs.readFileSync(SCHEMA_PATH, "utf8"), schemaText(generated), "provider/native/schema.json is stale: run `npm run schema` and commit it");
  });

  it("its version is package.json's", function () {
    assert.equal(generated.version, JSON.parse(fs.readFileSync(require.resolve("../../../package.json"), "utf8")).version);
  });

  it("every input property has a description, and every password, TLS option and topology is secret", function () {
    const schema = generated as {
      types: Record<string, { properties?: Record<string, { description?: string; secret?: boolean }> }>;
      resources: Record<string, { inputProperties: Record<string, { description?: string; secret?: boolean }> }>;
    };
    for (const [token, resource] of Object.entries(schema.resources)) {
      for (const [name, property] of Object.entries(resource.inputProperties)) assert.ok(property.description, `${token}.${name} has a description`);
    }
    const connection = schema.types["mysql-semisync:index:Connection"].properties!;
    assert.equal(connection.password.secret, true);
    assert.equal(connection.tls.secret, true);
    for (const [name, property] of Object.entries(schema.types["mysql-semisync:index:TlsOptions"].properties!)) assert.equal(property.secret, true, `TlsOptions.${name} is secret`);
    assert.equal(schema.resources["mysql-semisync:index:SemisyncPlugin"].inputProperties.topology.secret, true);
  });
});
