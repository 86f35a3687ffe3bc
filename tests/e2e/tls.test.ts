import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as mysql from "mysql2/promise";
import * as pulumi from "@pulumi/pulumi";
import { SemisyncPlugin } from "../../provider";
import { assertNoChangesAfterUp } from "../support/empty-plan";
import { PASSPHRASE, inlineStack } from "../support/pulumi-workspace";
import { requireLane } from "../testbed/lanes";
import { Topology, startTopology } from "../testbed/topology";

describe("a server that requires TLS", function () {
  let topology: Topology;
  let caPem: string;

  /** The test's own probe, over TLS like everything else now. */
  async function pluginsOverTls(): Promise<string[]> {
    const s = topology.source;
    const connection = await mysql.createConnection({ host: s.host, port: s.port, user: s.user, password: s.password, connectTimeout: 10_000, ssl: { rejectUnauthorized: false } });
    try {
      const [rows] = await connection.query("SELECT PLUGIN_NAME AS n FROM information_schema.PLUGINS WHERE PLUGIN_NAME LIKE 'rpl_semi_sync%'");
      return (rows as { n: string }[]).map((r) => r.n);
    } finally {
      await connection.end();
    }
  }

  before(async function () {
    topology = await startTopology(requireLane("mysql"), { replicas: 0 });
    const [datadir] = await topology.source.query("SELECT @@datadir AS d");
    const ca = await topology.source.container.exec(["cat", `${String(datadir.d).replace(/\/$/, "")}/ca.pem`]);
    assert.equal(ca.exitCode, 0, "the server generated its own certificates at initialisation");
    caPem = ca.output;
    await topology.source.query("SET GLOBAL require_secure_transport = ON");
  });

  after(async function () {
    await topology?.stop();
  });

  it("without connection.tls, up fails naming the server and the fix", async function () {
    const { stack } = await inlineStack("semisync-no-tls", async () => {
      const s = topology.source;
      new SemisyncPlugin("p", { connection: { host: s.host, port: s.port, user: s.user, password: pulumi.secret(s.password) }, role: "source" });
    });
    await assert.rejects(stack.up(), new RegExp(`\\[127\\.0\\.0\\.1:${topology.source.port}\\] the server accepts only TLS connections.*Fix: set connection\\.tls`, "s"));
    assert.deepEqual(await pluginsOverTls(), []);
    await stack.destroy();
  });

  it("with connection.tls, up and destroy work, and the TLS settings are kept secret in the state", async function () {
    const { stack, dir } = await inlineStack("semisync-tls", async () => {
      const s = topology.source;
      const tls = { ca: caPem, rejectUnauthorized: false };
      new SemisyncPlugin("p", { connection: { host: s.host, port: s.port, user: s.user, password: pulumi.secret(s.password), tls }, role: "source" });
    });
    await stack.up();
    assert.deepEqual(await pluginsOverTls(), ["rpl_semi_sync_source"]);
    await assertNoChangesAfterUp(stack);
    const exported = execFileSync("pulumi", ["stack", "export", "--stack", "test"], { cwd: dir, env: { ...process.env, PULUMI_CONFIG_PASSPHRASE: PASSPHRASE }, encoding: "utf8" });
    const caBody = caPem.split("\n")[1];
    assert.ok(caBody.length > 20 && !exported.includes(caBody), "the TLS settings are encrypted in the state");
    await stack.destroy();
    assert.deepEqual(await pluginsOverTls(), []);
  });
});
