import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { REPO_ROOT } from "../../examples/demo/pulumi-cli";

describe("scripts/env.sh", function () {
  it("leaves NODE_PATH alone: a project run from a shell that sourced it cannot resolve the clone's modules", function () {
    const { NODE_PATH: _unset, ...env } = process.env;
    const script = `source ${JSON.stringify(path.join(REPO_ROOT, "scripts", "env.sh"))} && printf '%s' "\${NODE_PATH-unset}"`;
    assert.equal(execFileSync("bash", ["-c", script], { env, encoding: "utf8", timeout: 10_000 }), "unset");
  });
});
