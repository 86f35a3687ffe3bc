import * as assert from "node:assert/strict";
import type * as pulumi from "@pulumi/pulumi";
import { reportingOnce } from "../../provider/crud/engine-report";
import { onServer, withServer } from "../../provider/crud/server";
import { SemisyncError, engineText, isSemisyncError, renderForEngine, semisyncError } from "../../provider/sql/errors";

/*
 * Errors are data until they leave for the engine: the server, what went wrong, what changed and
 * the fix are fields, read as fields inside the provider, and rendered into the one line the engine
 * prints at the edge, once.
 */

const refusal = () => semisyncError("db1:3306", "the replication IO thread is not running.", { changed: "Nothing was changed.", fix: "start replication (START REPLICA)." });

describe("SemisyncError: fields, rendered once at the edge", () => {
  it("keeps the server, what went wrong, what changed and the fix apart", () => {
    const error = refusal();
    assert.equal(isSemisyncError(error), true);
    assert.deepEqual(
      { server: error.server, message: error.message, changed: error.changed, fix: error.fix },
      { server: "db1:3306", message: "the replication IO thread is not running.", changed: "Nothing was changed.", fix: "start replication (START REPLICA)." },
    );
  });

  it("renders as `[server] message changed Fix: fix`, leaving out what it does not have", () => {
    assert.equal(engineText(refusal()), "[db1:3306] the replication IO thread is not running. Nothing was changed. Fix: start replication (START REPLICA).");
    assert.equal(engineText(semisyncError("db1:3306", "cannot connect: refused.")), "[db1:3306] cannot connect: refused.");
    assert.equal(engineText(semisyncError("", "no server known.", { fix: "x." })), "no server known. Fix: x.");
  });

  it("renders once however many edges it passes, and leaves other errors alone", () => {
    const error = refusal();
    renderForEngine(renderForEngine(error));
    assert.equal(error.message, "[db1:3306] the replication IO thread is not running. Nothing was changed. Fix: start replication (START REPLICA).");
    assert.equal(error.fix, "start replication (START REPLICA).", "the fields stay");
    const plain = new Error("plain");
    assert.equal(renderForEngine(plain), plain);
    assert.equal(plain.message, "plain");
  });

  it("every method of a provider is an edge: its SemisyncErrors reach the engine rendered", async () => {
    const failing = async (): Promise<never> => {
      throw refusal();
    };
    const provider = reportingOnce<{ role: string }, { role: string }>({ check: failing, diff: failing, create: failing, read: failing, update: failing, delete: failing } as pulumi.dynamic.ResourceProvider<
      { role: string },
      { role: string }
    >);
    const text = "[db1:3306] the replication IO thread is not running. Nothing was changed. Fix: start replication (START REPLICA).";
    const line = (error: Error) => error.message === text;
    await assert.rejects(provider.check!({ role: "x" }, { role: "x" }), line);
    await assert.rejects(provider.diff!("id", { role: "x" }, { role: "x" }), line);
    await assert.rejects(provider.create({ role: "x" }), line);
    await assert.rejects(provider.update!("id", { role: "x" }, { role: "x" }), line);
    await assert.rejects(provider.read!("id", { role: "x" }), line);
    await assert.rejects(provider.delete!("id", { role: "x" }), line);
  });

  it("withServer hands errors on as data; onServer, which 0.1.0's stored provider calls, renders them", async () => {
    // Port 1 on loopback: nothing listens, the connect is refused at once.
    const credentials = { connection: { host: "127.0.0.1", port: 1, user: "nobody", connectTimeoutMs: 2000 } };
    await assert.rejects(
      withServer(credentials, async () => undefined),
      (error: SemisyncError) => {
        assert.equal(error.server, "127.0.0.1:1");
        assert.match(error.message, /^cannot connect: .*ECONNREFUSED/);
        assert.match(error.fix ?? "", /^check the host and port/);
        return true;
      },
    );
    await assert.rejects(
      onServer(credentials, async () => undefined),
      (error: Error) => {
        assert.match(error.message, /^\[127\.0\.0\.1:1\] cannot connect: .*ECONNREFUSED.* Fix: check the host and port/);
        return true;
      },
    );
  });
});
