import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as pulumi from "@pulumi/pulumi";
import { SemisyncPlugin, SemisyncReplication, semisyncPluginProvider } from "../../provider";
import { PluginInputs, connectionSettings } from "../../provider/plan/inputs";
import { withSession } from "../../provider/sql/connection";
import { TlsOptions } from "../../provider/types";
import { assertNoChangesAfterUp } from "../support/empty-plan";
import { PASSPHRASE, inlineStack } from "../support/pulumi-workspace";
import { assertNothingInstalled, assertSemisyncEverywhere, installedPlugins } from "../support/server-probes";
import { Lane, lanes } from "../testbed/lanes";
import { Server } from "../testbed/topology";
import { testBed } from "../support/test-bed";

/*
 * How the provider connects (issue 17; docs/connecting.md). The provider's account on every test
 * bed server ('admin') is created and never logged into by the test bed, like an operator's new
 * account: its first login is the provider's, with the caching_sha2_password cache cold. Each
 * step below flushes that cache again first (FLUSH PRIVILEGES clears it, as a restart does), on
 * every server: a warm cache lets a login through without TLS or the RSA key and hid the bug.
 */

/** Empties the servers' caching_sha2_password caches, as a restart does; kept out of the binary log. */
async function flushPasswordCaches(servers: Server[]): Promise<void> {
  await Promise.all(servers.map((server) => server.query("FLUSH NO_WRITE_TO_BINLOG PRIVILEGES")));
}

const connectionOf = (server: Server, extra: { tls?: TlsOptions; serverPublicKey?: string; allowPublicKeyRetrieval?: boolean } = {}) => ({
  host: server.host,
  port: server.port,
  user: server.user,
  password: pulumi.secret(server.password),
  connectTimeoutMs: 10_000,
  ...extra,
});

/** The provider's inputs for one plugin, for driving its create and delete directly. */
const pluginInputs = (server: Server, tls?: TlsOptions, extra: { serverPublicKey?: string; allowPublicKeyRetrieval?: boolean } = {}): PluginInputs => ({
  connection: { host: server.host, port: server.port, user: server.user, connectTimeoutMs: 10_000, ...extra },
  password: server.password,
  ...(tls ? { tls } : {}),
  role: "source",
});

/**
 * Logs in as the provider does (its own session code) and returns what the session negotiated:
 * the TLS version and cipher, "" when plain.
 */
async function negotiated(server: Server, tls?: TlsOptions, extra: { serverPublicKey?: string; allowPublicKeyRetrieval?: boolean } = {}): Promise<string> {
  const settings = connectionSettings({ host: server.host, port: server.port, user: server.user, ...extra }, tls);
  return withSession(settings, server.password, async (session) => {
    const rows = await session.query("SHOW SESSION STATUS WHERE Variable_name IN ('Ssl_version', 'Ssl_cipher')");
    const value = Object.fromEntries(rows.map((r) => [r.Variable_name, r.Value]));
    return value.Ssl_version ? `${value.Ssl_version} ${value.Ssl_cipher}` : "";
  });
}

/** The fix the provider's error prints, after "Fix: ". */
async function fixOf(work: Promise<unknown>, cause: RegExp): Promise<string> {
  try {
    await work;
  } catch (error) {
    const message = (error as Error).message;
    assert.match(message, cause);
    const fix = message.split(" Fix: ")[1]?.split("\n")[0];
    assert.ok(fix, `the error has a fix: ${message}`);
    return fix;
  }
  assert.fail(`expected a failure matching ${cause}`);
}

async function datadirFile(server: Server, file: string): Promise<string> {
  const [row] = await server.query("SELECT @@datadir AS d");
  const result = await server.container.exec(["cat", `${String(row.d).replace(/\/$/, "")}/${file}`]);
  assert.equal(result.exitCode, 0, `${file} in the datadir of ${server.name}`);
  return result.output;
}

describe("Connecting to MySQL 9.7 with a new account and a cold password cache", function () {
  let caPem: string;
  const bed = testBed("mysql", { replicas: 1 });

  before(async function () {
    caPem = await datadirFile(bed.topology.source, "ca.pem");
  });

  it("no tls: up, refresh, preview and destroy each succeed with every cache flushed first (over TLS: the default mode is preferred)", async function () {
    const servers = [bed.topology.source, ...bed.topology.replicas];
    const { stack } = await inlineStack("semisync-cold-account", async () => {
      new SemisyncReplication("r", { source: connectionOf(bed.topology.source), replicas: bed.topology.replicas.map((r) => connectionOf(r)) });
    });
    await flushPasswordCaches(servers);
    await stack.up();
    await assertSemisyncEverywhere(bed.topology);
    await flushPasswordCaches(servers);
    await stack.refresh({ expectNoChanges: true });
    await flushPasswordCaches(servers);
    await stack.preview({ expectNoChanges: true });
    await flushPasswordCaches(servers);
    await stack.destroy();
    await assertNothingInstalled(bed.topology);
    const used = await negotiated(bed.topology.source);
    console.log(`      MySQL 9.7, no tls given: the provider's session negotiated ${used || "no TLS"}`);
    assert.match(used, /^TLSv1\.[23] /);
  });

  it('tls mode "disabled": up fails with the RSA refusal naming TLS, serverPublicKey and allowPublicKeyRetrieval; each of the last two then logs in', async function () {
    const source = bed.topology.source;
    const { stack } = await inlineStack("semisync-rsa-refusal", async () => {
      new SemisyncPlugin("p", { connection: connectionOf(source, { tls: { mode: "disabled" } }), role: "source" });
    });
    await flushPasswordCaches([source]);
    const fix = await fixOf(
      stack.up(),
      new RegExp(`\\[127\\.0\\.0\\.1:${source.port}\\] cannot log in as 'admin': the account uses caching_sha2_password .*connection\\.tls\\.mode "disabled".*PUBLIC_KEY_RETRIEVAL_NOT_ALLOWED`, "s"),
    );
    assert.match(
      fix,
      /^one of: \(1\) TLS: remove connection\.tls\.mode "disabled" \(the default "preferred" uses TLS whenever the server offers it\); \(2\) connection\.serverPublicKey: .*; \(3\) connection\.allowPublicKeyRetrieval: true, which fetches that key unverified: anyone who can intercept the connection can substitute their own key and read the password\.$/,
    );
    assert.deepEqual(await installedPlugins(source), []);
    await stack.destroy();

    const [key] = await source.query("SHOW STATUS LIKE 'Caching_sha2_password_rsa_public_key'");
    for (const extra of [{ serverPublicKey: String(key.Value) }, { allowPublicKeyRetrieval: true }]) {
      await flushPasswordCaches([source]);
      assert.equal(await negotiated(source, { mode: "disabled" }, extra), "", `a plain login with ${Object.keys(extra)[0]}`);
    }
  });

  it('tls "verify-ca" checks the certificate: without the server\'s CA it fails naming the fix; with ca.pem it logs in', async function () {
    const source = bed.topology.source;
    const fix = await fixOf(
      semisyncPluginProvider.create(pluginInputs(source, { mode: "verify-ca" })),
      /the server's TLS certificate could not be verified against Node's bundled public CAs \(no connection\.tls\.ca is given\) \(connection\.tls\.mode "verify-ca"\)/,
    );
    assert.equal(
      fix,
      "set connection.tls.ca to the CA certificate that signed the server's certificate (for MySQL's own certificates, ca.pem in its datadir); or set connection.tls.mode to \"required\", which encrypts without checking who answers.",
    );
    await flushPasswordCaches([source]);
    assert.match(await negotiated(source, { mode: "verify-ca", ca: caPem }), /^TLSv1\.[23] /);
  });

  it('tls "verify-identity": MySQL\'s own certificate names no host, so it fails naming the fix', async function () {
    const source = bed.topology.source;
    const fix = await fixOf(
      semisyncPluginProvider.create(pluginInputs(source, { mode: "verify-identity", ca: caPem })),
      /the server's TLS certificate does not name 127\.0\.0\.1 \(connection\.tls\.mode "verify-identity"\)/,
    );
    assert.equal(
      fix,
      'connect by a host name or address the certificate lists (its subject alternative names), or give the server a certificate that names 127.0.0.1; or set connection.tls.mode to "verify-ca", which checks the signature but not the name.',
    );
    assert.deepEqual(await installedPlugins(source), []);
  });

  it("with tls (verify-ca and a CA, or 0.2.0's { ca, rejectUnauthorized: false }) up and destroy work, and the TLS settings stay secret in the state", async function () {
    const source = bed.topology.source;
    for (const tls of [
      { mode: "verify-ca" as const, ca: caPem },
      { ca: caPem, rejectUnauthorized: false },
    ]) {
      const { stack, dir } = await inlineStack("semisync-tls", async () => {
        new SemisyncPlugin("p", { connection: connectionOf(source, { tls }), role: "source", topology: { source: connectionOf(source, { tls }), replicas: [] } });
      });
      await flushPasswordCaches([source]);
      await stack.up();
      assert.deepEqual(await installedPlugins(source), ["rpl_semi_sync_source"]);
      await assertNoChangesAfterUp(stack);
      const exported = execFileSync("pulumi", ["stack", "export", "--stack", "test"], { cwd: dir, env: { ...process.env, PULUMI_CONFIG_PASSPHRASE: PASSPHRASE }, encoding: "utf8" });
      const caBody = caPem.split("\n")[1];
      assert.ok(caBody.length > 20 && !exported.includes(caBody), "the TLS settings are encrypted in the state, also inside topology");
      await stack.destroy();
      assert.deepEqual(await installedPlugins(source), []);
    }
  });
});

describe("A MySQL 9.7 server without TLS (tls_version empty: have_ssl DISABLED)", function () {
  const bed = testBed("mysql", { replicas: 0, serverOptions: ["--tls-version="] });

  before(async function () {
    const [haveSsl] = await bed.topology.source.query("SHOW GLOBAL VARIABLES LIKE 'have_ssl'");
    assert.equal(haveSsl?.Value ?? "DISABLED", "DISABLED", "the server offers no TLS");
  });

  it('tls "required": fails saying the server offers no TLS, how to enable it, and which mode to use', async function () {
    const source = bed.topology.source;
    const fix = await fixOf(
      semisyncPluginProvider.create(pluginInputs(source, { mode: "required" })),
      /connection\.tls\.mode "required" needs TLS, and the server offers none \(its have_ssl is DISABLED\).*HANDSHAKE_NO_SSL_SUPPORT/,
    );
    assert.match(fix, /^give the server a certificate \(MySQL 8\.0\+ makes one at initialisation .*ssl_cert and ssl_key.*\); or set connection\.tls\.mode to "preferred" \(TLS when the server offers it\) or "disabled"/);
  });

  it("no tls (preferred) falls back to plain TCP: a cold account gets the RSA refusal, whose fix says to enable TLS on the server; allowPublicKeyRetrieval logs in", async function () {
    const source = bed.topology.source;
    await flushPasswordCaches([source]);
    const fix = await fixOf(semisyncPluginProvider.create(pluginInputs(source)), /the server offers no TLS \(its have_ssl is DISABLED\), so connection\.tls\.mode "preferred" \(the default\) connected without it/);
    assert.match(fix, /^one of: \(1\) TLS: give the server a certificate .*; \(2\) connection\.serverPublicKey: .*; \(3\) connection\.allowPublicKeyRetrieval: true/);
    await flushPasswordCaches([source]);
    assert.equal(await negotiated(source, undefined, { allowPublicKeyRetrieval: true }), "", "preferred connected without TLS");
  });
});

describe("MySQL 9.7 with require_secure_transport=ON", function () {
  const bed = testBed("mysql", { replicas: 1, serverOptions: ["--require-secure-transport=ON"] });

  it("no tls: a SemisyncReplication's up, refresh, preview and destroy succeed, every cache flushed first", async function () {
    const servers = [bed.topology.source, ...bed.topology.replicas];
    const { stack } = await inlineStack("semisync-secure-transport", async () => {
      new SemisyncReplication("r", { source: connectionOf(bed.topology.source), replicas: bed.topology.replicas.map((r) => connectionOf(r)) });
    });
    await flushPasswordCaches(servers);
    await stack.up();
    await assertSemisyncEverywhere(bed.topology);
    await flushPasswordCaches(servers);
    await assertNoChangesAfterUp(stack);
    await flushPasswordCaches(servers);
    await stack.destroy();
    await assertNothingInstalled(bed.topology);
  });

  it('tls "disabled": refused by the server, and the fix says to drop the disabled mode', async function () {
    const source = bed.topology.source;
    await flushPasswordCaches([source]);
    // The RSA key is allowed so that the login gets as far as the server's transport check.
    const fix = await fixOf(
      semisyncPluginProvider.create(pluginInputs(source, { mode: "disabled" }, { allowPublicKeyRetrieval: true })),
      /the server accepts only TLS connections \(require_secure_transport is ON\), and connection\.tls\.mode "disabled" connected without TLS: .*\(error 3159\)/,
    );
    assert.equal(fix, 'remove connection.tls.mode "disabled": the default "preferred" uses TLS, and "verify-ca" with connection.tls.ca also checks the server\'s certificate.');
  });
});

for (const lane of lanes().filter((l: Lane) => l.family === "mariadb")) {
  describe(`Connecting to ${lane.name} with a new account and a cold password cache`, function () {
    const bed = testBed(lane, { replicas: 0 });

    it("no tls: up, refresh, preview and destroy succeed, over TLS when the server offers it, plain otherwise", async function () {
      const source = bed.topology.source;
      const [haveSsl] = await source.query("SHOW GLOBAL VARIABLES LIKE 'have_ssl'");
      const { stack } = await inlineStack("semisync-mariadb-cold", async () => {
        new SemisyncPlugin("p", { connection: connectionOf(source), role: "source" });
      });
      await flushPasswordCaches([source]);
      await stack.up();
      await assertNoChangesAfterUp(stack);
      await flushPasswordCaches([source]);
      await stack.destroy();
      const used = await negotiated(source);
      console.log(`      ${lane.name}: have_ssl ${haveSsl?.Value}; no tls given, the provider's session negotiated ${used || "no TLS (plain TCP)"}`);
      assert.equal(used !== "", haveSsl?.Value === "YES", "TLS exactly when the server offers it");
    });
  });
}
