import * as assert from "node:assert/strict";
import { openConnection, testbedLogin } from "../testbed/sql-client";
import { semisyncPluginProvider } from "../../provider";
import { connectionOf, installedPlugins, rejects } from "../support/server-probes";
import { withSilentListener } from "../support/silent-listener";
import { testBed } from "../support/test-bed";

const plugins = semisyncPluginProvider as Required<typeof semisyncPluginProvider>;

describe("every network call is bounded", function () {
  const bed = testBed("mysql", { replicas: 0 });

  it("a statement blocked past statementTimeoutMs fails within the bound, is killed on the server, and installs nothing", async function () {
    const source = bed.topology.source;
    const locker = await openConnection(testbedLogin(source), { connectTimeoutMs: 10_000 });
    try {
      // INSTALL PLUGIN writes mysql.plugin, which a global read lock blocks.
      await locker.query("FLUSH TABLES WITH READ LOCK");
      const inputs = { ...connectionOf(source), role: "source" as const };
      inputs.connection.statementTimeoutMs = 1_500;
      const started = Date.now();
      await rejects(plugins.create(inputs), /could not install the source plugin.*Nothing had been changed.*Fix: the connection was lost or the statement was killed; run again/s);
      const elapsed = Date.now() - started;
      assert.ok(elapsed < 10_000, `failed after ${elapsed} ms`);
      const [waiting] = await locker.query("SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE INFO LIKE 'INSTALL PLUGIN%'");
      assert.equal(Number((waiting as { n: number }[])[0].n), 0, "the blocked INSTALL PLUGIN was killed");
    } finally {
      await locker.query("UNLOCK TABLES").catch(() => undefined);
      await locker.end();
    }
    assert.deepEqual(await installedPlugins(source), []);
  });

  it("a server that accepts but never answers fails within connectTimeoutMs, naming it", async function () {
    await withSilentListener(async (port) => {
      const started = Date.now();
      await rejects(
        plugins.create({ connection: { host: "127.0.0.1", port, user: "admin", connectTimeoutMs: 1_000 }, password: "x", role: "source" }),
        new RegExp(`\\[127\\.0\\.0\\.1:${port}\\] no answer within 1000 ms`),
      );
      assert.ok(Date.now() - started < 5_000, `failed after ${Date.now() - started} ms`);
    });
  });
});
