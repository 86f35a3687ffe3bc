import * as assert from "node:assert/strict";
import { CONNECTION_KEYS, ENABLEMENT_KEYS, ENABLEMENT_OUTPUT_KEYS, PLUGIN_KEYS, PLUGIN_OUTPUT_KEYS, REPLICATION_KEYS, TLS_KEYS, TOPOLOGY_KEYS } from "../../provider/types/input-keys";
import { SemisyncReplicationArgs } from "../../provider/resources/semisync-replication";
import { UNKNOWN, checkComponentKeys, checkEnablementInputs, checkPluginInputs } from "../../provider/plan/inputs";
import { ConnectionArgs, TopologyArgs } from "../../provider/resources/connection-args";
import { SemisyncEnablement, SemisyncEnablementArgs } from "../../provider/resources/semisync-enablement";
import { SemisyncPlugin, SemisyncPluginArgs } from "../../provider/resources/semisync-plugin";
import { TlsOptions } from "../../provider/types";

// Compile-time: each list holds exactly the keys of its TypeScript type, so an input added to a
// type and forgotten in input-keys.ts (or the reverse) fails the build.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type OutputsOf<R> = Exclude<{ [K in keyof R]: R[K] extends { apply: unknown } ? K : never }[keyof R], "urn" | "id" | "getProvider">;
const sameKeys: [
  Same<(typeof CONNECTION_KEYS)[number], keyof ConnectionArgs>,
  Same<(typeof TLS_KEYS)[number], keyof TlsOptions>,
  Same<(typeof TOPOLOGY_KEYS)[number], keyof TopologyArgs>,
  Same<(typeof PLUGIN_KEYS)[number], keyof SemisyncPluginArgs>,
  Same<(typeof ENABLEMENT_KEYS)[number], keyof SemisyncEnablementArgs>,
  Same<(typeof REPLICATION_KEYS)[number], keyof SemisyncReplicationArgs>,
  Same<(typeof PLUGIN_OUTPUT_KEYS)[number], Exclude<OutputsOf<SemisyncPlugin>, "role">>,
  Same<(typeof ENABLEMENT_OUTPUT_KEYS)[number], Exclude<OutputsOf<SemisyncEnablement>, "role">>,
] = [true, true, true, true, true, true, true, true];

const connection = { host: "db1.example.com", port: 3306, user: "semisync" };

describe("input keys: nothing a program writes is silently ignored", () => {
  it("the key lists match the argument types (checked when compiling)", () => {
    assert.ok(sameKeys.every((same) => same));
  });

  it("an unknown key of SemisyncReplication's own arguments is refused, naming every valid key", () => {
    assert.deepEqual(checkComponentKeys({ source: {}, replicas: [], timeoutMs: 1 }, REPLICATION_KEYS), []);
    const failures = checkComponentKeys({ source: {}, replicas: [], timeoutMS: 1 }, REPLICATION_KEYS);
    assert.deepEqual(
      failures.map((f) => f.property),
      ["timeoutMS"],
    );
    assert.equal(failures[0].reason, `timeoutMS is not an input: the resource takes ${REPLICATION_KEYS.join(", ")}`);
  });

  it("an unknown key in connection is refused, naming every valid key", () => {
    const failures = checkPluginInputs({ connection: { ...connection, allowPublicKeyRetreival: null }, role: "source" });
    assert.deepEqual(
      failures.map((f) => f.property),
      ["connection.allowPublicKeyRetreival"],
    );
    assert.equal(
      failures[0].reason,
      "connection.allowPublicKeyRetreival is not an input: connection takes host, port, user, password, tls, serverPublicKey, allowPublicKeyRetrieval, connectTimeoutMs, statementTimeoutMs",
    );
  });

  it("an unknown key in tls, in the declared source and at the top level is refused", () => {
    const failures = checkEnablementInputs({
      connection,
      tls: { mode: "required", verifyIdentity: true },
      sourceConnection: { ...connection, sslMode: "REQUIRED" },
      role: "replica",
      timeout: null,
    });
    assert.deepEqual(failures.map((f) => f.property).sort(), ["connection.tls.verifyIdentity", "source.sslMode", "timeout"]);
    assert.match(failures.find((f) => f.property === "connection.tls.verifyIdentity")!.reason, /connection\.tls takes mode, ca, cert, key, rejectUnauthorized$/);
    assert.match(failures.find((f) => f.property === "timeout")!.reason, /^timeout is not an input: the resource takes connection, role, enabled, timeoutMs,/);
  });

  it("an unknown key in the topology and in a member is refused", () => {
    const topology = { source: { ...connection, password: "p", tls: { mode: "verify-ca", ca: "CA", crl: "x" } }, replicas: [{ ...connection, hostname: "db2" }], failover: true };
    const failures = checkPluginInputs({ connection, role: "source", topology });
    assert.deepEqual(failures.map((f) => f.property).sort(), ["topology.failover", "topology.replicas[0].hostname", "topology.source.tls.crl"]);
  });

  it("accepts what the constructors and the engine put there: __provider, the outputs as placeholders, split secrets", () => {
    const outputs = Object.fromEntries(PLUGIN_OUTPUT_KEYS.map((key) => [key, undefined]));
    assert.deepEqual(
      checkPluginInputs({
        __provider: "exports.handler = …",
        ...outputs,
        connection: { ...connection, serverPublicKey: "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n", allowPublicKeyRetrieval: false },
        password: "p",
        tls: { mode: "verify-identity", ca: "CA", cert: "C", key: "K" },
        sourceConnection: connection,
        sourcePassword: "q",
        sourceTls: { ca: "CA", rejectUnauthorized: false },
        role: "replica",
      }),
      [],
    );
    const enablementOutputs = Object.fromEntries(ENABLEMENT_OUTPUT_KEYS.map((key) => [key, UNKNOWN]));
    assert.deepEqual(checkEnablementInputs({ __provider: "…", ...enablementOutputs, connection, role: "source", timeoutMs: 1000 }), []);
  });

  it("0.2.0's tls (rejectUnauthorized, no mode) is still accepted; with a mode it is refused", () => {
    assert.deepEqual(checkPluginInputs({ connection, tls: { ca: "CA", rejectUnauthorized: false }, role: "source" }), []);
    const failures = checkPluginInputs({ connection, tls: { mode: "verify-ca", rejectUnauthorized: false }, role: "source" });
    assert.deepEqual(
      failures.map((f) => f.property),
      ["connection.tls.rejectUnauthorized"],
    );
  });

  it("refuses a mode the MySQL client does not name, a cert without key, TLS material with disabled", () => {
    const failures = checkPluginInputs({ connection, tls: { mode: "VERIFY_CA" }, role: "source" });
    assert.deepEqual(
      failures.map((f) => f.property),
      ["connection.tls.mode"],
    );
    assert.match(failures[0].reason, /"preferred", "disabled", "required", "verify-ca", "verify-identity", got "VERIFY_CA"/);
    assert.deepEqual(
      checkPluginInputs({ connection, tls: { cert: "C" }, role: "source" }).map((f) => f.property),
      ["connection.tls.key"],
    );
    assert.deepEqual(
      checkPluginInputs({ connection, tls: { mode: "disabled", ca: "CA" }, role: "source" }).map((f) => f.property),
      ["connection.tls.mode"],
    );
  });

  it("refuses a serverPublicKey that is not a PEM public key and an allowPublicKeyRetrieval that is not a boolean", () => {
    const failures = checkPluginInputs({ connection: { ...connection, serverPublicKey: "MIIBIjANBg", allowPublicKeyRetrieval: "yes" }, role: "source" });
    assert.deepEqual(failures.map((f) => f.property).sort(), ["connection.allowPublicKeyRetrieval", "connection.serverPublicKey"]);
  });
});
