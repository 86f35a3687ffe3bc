import * as assert from "node:assert/strict";
import { parseImportId } from "../../provider/native/import";
import { fromCrud, toCrud } from "../../provider/native/provider";
import { SCHEMA, typeProperties } from "../../provider/native/served-schema";
import { SECRET_SIG, SIG_KEY, UNKNOWN, conceal, reveal } from "../../provider/native/raw-values";

const secret = (value: unknown) => ({ [SIG_KEY]: SECRET_SIG, value });
const PLUGIN = "mysql-semisync:index:SemisyncPlugin";

describe("native plugin adapter: raw values and the two shapes of a connection", function () {
  it("splits a declared connection and source the way the dynamic resources store them, and joins them back", function () {
    const declared = {
      role: "replica",
      connection: { host: "db2", port: 3307, user: "semisync", password: "pw", tls: { ca: "CA" } },
      source: { host: "db1", user: "semisync", password: "spw" },
    };
    const crud = toCrud(declared);
    assert.deepEqual(crud, {
      role: "replica",
      connection: { host: "db2", port: 3307, user: "semisync" },
      password: "pw",
      tls: { ca: "CA" },
      sourceConnection: { host: "db1", user: "semisync" },
      sourcePassword: "spw",
    });
    assert.deepEqual(fromCrud(crud), declared);
  });

  it("unwraps secrets at any depth, and wraps again exactly what the schema marks secret", function () {
    const raw = { role: "source", connection: { host: "db1", user: "u", password: secret("pw") }, topology: secret({ source: { host: "db1", user: "u", password: "pw" }, replicas: [] }) };
    const plain = reveal(raw) as Record<string, unknown>;
    assert.deepEqual(plain, { role: "source", connection: { host: "db1", user: "u", password: "pw" }, topology: { source: { host: "db1", user: "u", password: "pw" }, replicas: [] } });
    const concealed = conceal(plain, SCHEMA.resources[PLUGIN].properties, typeProperties);
    assert.deepEqual(concealed, { role: "source", connection: { host: "db1", user: "u", password: secret("pw") }, topology: secret(plain.topology) });
  });

  it("leaves unknowns (preview) as they are, for the CRUD code to treat as unknown", function () {
    const raw = { role: "source", connection: { host: "db1", port: UNKNOWN, user: "u", password: UNKNOWN } };
    assert.deepEqual(reveal(raw), raw);
    assert.deepEqual(toCrud(raw), { role: "source", connection: { host: "db1", port: UNKNOWN, user: "u" }, password: UNKNOWN });
  });

  it("reads import IDs, and refuses others with the expected form", function () {
    assert.deepEqual(parseImportId(PLUGIN, "mysql://semisync@db1:3307/semisync-plugin/source"), { connection: { host: "db1", port: 3307, user: "semisync" }, kind: "semisync-plugin", role: "source" });
    assert.deepEqual(parseImportId("mysql-semisync:index:SemisyncEnablement", "mysql://admin@[::1]/semisync-enablement/replica"), {
      connection: { host: "::1", user: "admin" },
      kind: "semisync-enablement",
      role: "replica",
    });
    assert.throws(() => parseImportId(PLUGIN, "mysql://db1:3306/semisync-plugin/source"), /names no account.*mysql:\/\/USER@HOST:PORT\/semisync-plugin\/ROLE/);
    assert.throws(() => parseImportId(PLUGIN, "mysql://u@db1/semisync-enablement/source"), /names a semisync-enablement/);
    assert.throws(() => parseImportId(PLUGIN, "db1"), /the ID must read/);
  });
});
