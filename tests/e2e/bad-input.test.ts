import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { SemisyncEnablement, SemisyncPlugin, SemisyncReplication } from "../../provider";
import { inlineStack } from "../support/pulumi-workspace";
import { installedPlugins, semisyncVariables } from "../support/server-probes";
import { withSilentListener } from "../support/silent-listener";
import { Server, Topology } from "../testbed/topology";
import { testBed } from "../support/test-bed";

interface BadInput {
  name: string;
  /** The resources to declare, given the topology. */
  program: (topology: Topology, password: pulumi.Output<string>) => void;
  /** What the engine's report must say. */
  expected: RegExp;
  /** The server the error must name, if it reached one. */
  names?: (topology: Topology) => Server;
}

const WRONG_PASSWORD = "wrong-password-5b7c";
const connectionOf = (s: Server, password: pulumi.Input<string>) => ({ host: s.host, port: s.port, user: s.user, password });

// Every value reaches the provider as declared: the resource types let TypeScript catch most of
// these, so the program casts, as a YAML or config-driven program would pass them.
const BAD_INPUTS: BadInput[] = [
  {
    name: "a wrong password",
    program: (t) => new SemisyncPlugin("p", { connection: connectionOf(t.source, pulumi.secret(WRONG_PASSWORD)), role: "source" }),
    expected: /refused user 'admin'.*Fix: check the user and password/s,
    names: (t) => t.source,
  },
  {
    name: "a closed port",
    program: (t, pw) => new SemisyncPlugin("p", { connection: { host: "127.0.0.1", port: 1, user: "admin", password: pw, connectTimeoutMs: 2_000 }, role: "source" }),
    expected:
      /\[127\.0\.0\.1:1\] cannot connect: .*ECONNREFUSED.*: nothing listens on port 1 of 127\.0\.0\.1\. Fix: check the host and port \(connection\.host, connection\.port\), that the server is running, and that it listens on that address \(bind_address\)\./s,
  },
  {
    name: "an unknown role",
    program: (t, pw) => new SemisyncPlugin("p", { connection: connectionOf(t.source, pw), role: "primary" as never }),
    expected: /role must be one of "source", "replica", got "primary"/,
  },
  {
    name: "a negative timeout",
    program: (t, pw) => new SemisyncEnablement("e", { connection: connectionOf(t.source, pw), role: "source", timeoutMs: -1 }),
    expected: /timeoutMs must be a whole number from 0 to 18446744073709551615, got -1/,
  },
  {
    name: "a zero waitForReplicaCount",
    program: (t, pw) => new SemisyncEnablement("e", { connection: connectionOf(t.source, pw), role: "source", waitForReplicaCount: 0 }),
    expected: /waitForReplicaCount must be a whole number from 1 to 65535, got 0/,
  },
  {
    name: "an oversized waitForReplicaCount",
    program: (t, pw) => new SemisyncEnablement("e", { connection: connectionOf(t.source, pw), role: "source", waitForReplicaCount: 70_000 }),
    expected: /waitForReplicaCount must be a whole number from 1 to 65535, got 70000/,
  },
  {
    name: "a misspelt waitPoint",
    program: (t, pw) => new SemisyncEnablement("e", { connection: connectionOf(t.source, pw), role: "source", waitPoint: "AFTER_SYNCH" as never }),
    expected: /waitPoint must be one of "AFTER_SYNC", "AFTER_COMMIT", got "AFTER_SYNCH"/,
  },
  {
    name: "a host carrying SQL",
    program: (t, pw) => new SemisyncPlugin("p", { connection: { ...connectionOf(t.source, pw), host: "127.0.0.1'; DROP DATABASE mysql; --" }, role: "source" }),
    expected: /connection\.host .* is not a host name or address/,
  },
  {
    name: "a user carrying SQL (sent only as a login name, never as SQL)",
    program: (t, pw) => new SemisyncPlugin("p", { connection: { ...connectionOf(t.source, pw), user: "admin'; DROP DATABASE mysql; --" }, role: "source" }),
    expected: /refused user 'admin'; DROP DATABASE mysql; --'/,
    names: (t) => t.source,
  },
  {
    name: "terminology pinned to names the server lacks",
    program: (t, pw) => new SemisyncPlugin("p", { connection: connectionOf(t.source, pw), role: "source", terminology: "legacy" }),
    expected: /terminology 'legacy' is not available on MySQL 9\.5\.0\+.*set terminology to "modern" or "automatic"/s,
    names: (t) => t.source,
  },
  {
    name: "a replica role on a server that is not a replica",
    program: (t, pw) => {
      const plugin = new SemisyncPlugin("p", { connection: connectionOf(t.source, pw), role: "replica" });
      new SemisyncEnablement("e", { connection: connectionOf(t.source, pw), role: "replica" }, { dependsOn: [plugin] });
    },
    expected: /replication is not configured on this server.*Nothing was changed/s,
    names: (t) => t.source,
  },
  {
    name: "a waitForReplicaCount above the replicas declared",
    program: (t, pw) => new SemisyncReplication("r", { source: connectionOf(t.source, pw), replicas: [{ ...connectionOf(t.replicas[0], pw), name: "r1" }], waitForReplicaCount: 2 }),
    expected: /waitForReplicaCount is 2 but only 1 replica\(s\) are declared/,
  },
  {
    name: "a waitForReplicaCount above the acknowledging replicas (one is async-only)",
    program: (t, pw) => new SemisyncReplication("r", { source: connectionOf(t.source, pw), replicas: [{ ...connectionOf(t.replicas[0], pw), name: "r1", acknowledge: false }], waitForReplicaCount: 1 }),
    expected: /SemisyncReplication r: waitForReplicaCount is 1 but only 0 acknowledging replica\(s\) are declared \(1 more with acknowledge: false.*set acknowledge: true on enough of them/s,
  },
  {
    name: "failoverReady with a member whose host is an output and no name",
    program: (t, pw) =>
      new SemisyncReplication("r", { failoverReady: true, source: { ...connectionOf(t.source, pw), name: "db1" }, replicas: [{ ...connectionOf(t.replicas[0], pw), host: pulumi.output(t.replicas[0].host) }] }),
    expected:
      /SemisyncReplication r: with failoverReady every member's resources are keyed by its name, and the replica at position 0 has no name and its host is an output, so its key cannot be known when the program runs\. Give it a name/,
  },
  {
    name: "standby on a replica resource that declares a source",
    program: (t, pw) => new SemisyncEnablement("e", { connection: connectionOf(t.replicas[0], pw), role: "replica", standby: true, source: connectionOf(t.source, pw) }),
    expected: /standby is for a server that replicates from no one \(a topology's source\): remove either standby or source/,
  },
  {
    name: "a misspelt key in connection (it would be dropped without a word)",
    program: (t, pw) => new SemisyncPlugin("p", { connection: { ...connectionOf(t.source, pw), allowPublicKeyRetreival: true } as never, role: "source" }),
    expected: /connection\.allowPublicKeyRetreival is not an input: connection takes host, port, user, password, tls, serverPublicKey, allowPublicKeyRetrieval, connectTimeoutMs, statementTimeoutMs/,
  },
  {
    name: "an unknown key in tls and at the top level",
    program: (t, pw) => new SemisyncEnablement("e", { connection: { ...connectionOf(t.source, pw), tls: { mode: "required", sslMode: "VERIFY_CA" } as never }, role: "source", timeout: 1000 } as never),
    expected: /connection\.tls\.sslMode is not an input: connection\.tls takes mode, ca, cert, key, rejectUnauthorized.*timeout is not an input: the resource takes connection, role, enabled, timeoutMs/s,
  },
  {
    name: "standby on a source-side resource",
    program: (t, pw) => new SemisyncPlugin("p", { connection: connectionOf(t.source, pw), role: "source", standby: true }),
    expected: /standby is for the replica side: remove it from this source-side resource/,
  },
];

describe("bad input through the Pulumi engine: a clear error, nothing changed, no password shown", function () {
  const bed = testBed("mysql", { replicas: 1 });
  const everything: string[] = [];

  const snapshot = async () => JSON.stringify(await Promise.all([bed.topology.source, ...bed.topology.replicas].map(async (s) => [await installedPlugins(s), await semisyncVariables(s)])));

  for (const bad of BAD_INPUTS) {
    it(`${bad.name} is refused`, async function () {
      const before = await snapshot();
      const { stack } = await inlineStack("semisync-bad-input", async () => {
        bad.program(bed.topology, pulumi.secret(bed.topology.source.password));
      });
      const output: string[] = [];
      try {
        await stack.up({ onOutput: (line) => output.push(line) });
        assert.fail("the deployment should have failed");
      } catch (error) {
        const report = `${output.join("")}\n${(error as Error).message}`;
        everything.push(report);
        assert.match(report, bad.expected);
        if (bad.names) assert.ok(report.includes(`[127.0.0.1:${bad.names(bed.topology).port}]`), `the error names the server:\n${report.slice(-2000)}`);
      }
      assert.equal(await snapshot(), before, "nothing changed on any server");
      await stack.destroy();
    });
  }

  it("no error or engine output above ever showed the admin password", function () {
    assert.equal(everything.length, BAD_INPUTS.length);
    for (const report of everything) assert.ok(!report.includes(bed.topology.source.password), "the admin password appeared in an error or the engine's output");
  });

  it("a server that accepts but never answers fails within connectTimeoutMs through the engine", async function () {
    await withSilentListener(async (port) => {
      const { stack } = await inlineStack("semisync-silent", async () => {
        new SemisyncPlugin("p", { connection: { host: "127.0.0.1", port, user: "admin", password: pulumi.secret("x"), connectTimeoutMs: 2_000 }, role: "source" });
      });
      const started = Date.now();
      await assert.rejects(
        stack.up(),
        new RegExp(
          `\\[127\\.0\\.0\\.1:${port}\\] no answer within 2000 ms\\. Fix: check the host and port, that the server runs and that no firewall drops the traffic; \`connection\\.connectTimeoutMs\` sets the bound\\.`,
        ),
      );
      assert.ok(Date.now() - started < 30_000, `took ${Date.now() - started} ms`);
      await stack.destroy();
    });
  });
});
