import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { UNKNOWN, checkEnablementInputs } from "../../provider/plan/inputs";
import { atProgramTime, propsAtProgramTime, refuseAtProgramTime } from "../../provider/resources/program-checks";
import { ENABLEMENT_KEYS, PLUGIN_KEYS } from "../../provider/types/input-keys";

describe("program-time checks: the rules of check, on what is plain when the program runs", () => {
  it("an Output or a promise is unknown, at any depth; plain values stay", () => {
    const value = atProgramTime({ a: 1, b: pulumi.output(2), c: [Promise.resolve(3), "x"], d: { e: pulumi.secret("s") } });
    assert.deepEqual(value, { a: 1, b: UNKNOWN, c: [UNKNOWN, "x"], d: { e: UNKNOWN } });
  });

  it("the connection is split as the resource splits it: password and TLS apart, each field its own input", () => {
    const props = propsAtProgramTime(
      { connection: { host: "db1", port: pulumi.output(3307), user: "u", password: pulumi.secret("p"), tls: { ca: "x" } }, source: { host: "db0", user: "u", password: "p" }, role: "replica", pasword: "x" } as never,
      PLUGIN_KEYS,
    );
    assert.deepEqual(props, {
      pasword: null,
      role: "replica",
      connection: { host: "db1", port: UNKNOWN, user: "u" },
      password: UNKNOWN,
      tls: { ca: "x" },
      sourceConnection: { host: "db0", user: "u" },
      sourcePassword: "p",
      sourceTls: undefined,
      topology: undefined,
    });
  });

  it("a whole connection that is an Output is unknown as a whole", () => {
    assert.deepEqual(propsAtProgramTime({ connection: pulumi.output({ host: "db1", user: "u" }) }, PLUGIN_KEYS).connection, UNKNOWN);
  });

  it("refuses with every reason once, as a RunError (printed without a stack trace), and passes when nothing fails", () => {
    refuseAtProgramTime("SemisyncEnablement e", []);
    const failures = checkEnablementInputs(propsAtProgramTime({ connection: { host: "db1", user: "u", port: 70_000 }, role: "source", timeoutMs: -1 } as never, ENABLEMENT_KEYS));
    assert.throws(
      () => refuseAtProgramTime("SemisyncEnablement e", [...failures, ...failures]),
      (error: Error) => {
        assert.ok(pulumi.RunError.isInstance(error), "a RunError");
        assert.equal(
          error.message,
          "SemisyncEnablement e: connection.port must be a whole number from 1 to 65535, got 70000; timeoutMs must be a whole number from 0 to 18446744073709551615, got -1. Nothing was changed on any server: the program's inputs are checked before any server is contacted.",
        );
        return true;
      },
    );
  });

  it("an input not yet known is left to check", () => {
    assert.deepEqual(checkEnablementInputs(propsAtProgramTime({ connection: { host: "db1", user: "u" }, role: "source", timeoutMs: pulumi.output(-1) } as never, ENABLEMENT_KEYS)), []);
  });
});
