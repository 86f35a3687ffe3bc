import * as assert from "node:assert/strict";
import { removedFromLiveTopology } from "../../provider/plan/removed-member";

describe("removedFromLiveTopology: may a delete that cannot reach its server leave the state", () => {
  const before = ["db1:3306", "db2:3306", "db3:3306"];

  it("yes, when this deployment applied a topology sharing a member with it, without it (a dead source failed over and removed)", () => {
    assert.equal(removedFromLiveTopology("db1:3306", before, [["db2:3306", "db3:3306"]]), true);
  });

  it("no, when no topology was applied in this deployment (a destroy)", () => {
    assert.equal(removedFromLiveTopology("db2:3306", before, []), false);
  });

  it("no, when the server is still a member of the applied topology", () => {
    assert.equal(removedFromLiveTopology("db2:3306", before, [["db1:3306", "db2:3306"]]), false);
  });

  it("no, when the applied topology is another one (no member in common)", () => {
    assert.equal(removedFromLiveTopology("db1:3306", before, [["other:3306", "other2:3306"]]), false);
  });

  it("no, for state that recorded no members (before 0.3.0, or a resource without a topology), or members without this server", () => {
    assert.equal(removedFromLiveTopology("db1:3306", undefined, [["db2:3306"]]), false);
    assert.equal(removedFromLiveTopology("db9:3306", before, [["db2:3306"]]), false);
  });
});
