import * as assert from "node:assert/strict";
import { detectFlavor, resolveTerminology } from "../../provider/flavors/detect";
import { flavorById } from "../../provider/flavors/generations";
import { libraryFileName } from "../../provider/flavors/names";
import { ResolvedTerminology, Terminology } from "../../provider/types";
import { expectUnsupported } from "./fixtures";

interface Expected {
  id: string;
  family: "mysql" | "mariadb";
  version: string;
  terminologies: ResolvedTerminology[];
  builtIn: boolean;
  replicaKeyword: "SLAVE" | "REPLICA";
  supportsPersist: boolean;
}

const TABLE: Record<string, Expected> = {
  "5.7.44-log": { id: "mysql-5.7", family: "mysql", version: "5.7.44", terminologies: ["legacy"], builtIn: false, replicaKeyword: "SLAVE", supportsPersist: false },
  "8.0.21": { id: "mysql-8.0", family: "mysql", version: "8.0.21", terminologies: ["legacy"], builtIn: false, replicaKeyword: "SLAVE", supportsPersist: true },
  "8.0.25": { id: "mysql-8.0.22", family: "mysql", version: "8.0.25", terminologies: ["legacy"], builtIn: false, replicaKeyword: "REPLICA", supportsPersist: true },
  "8.0.26": { id: "mysql-8.0.26", family: "mysql", version: "8.0.26", terminologies: ["modern", "legacy"], builtIn: false, replicaKeyword: "REPLICA", supportsPersist: true },
  "8.4.3": { id: "mysql-8.4", family: "mysql", version: "8.4.3", terminologies: ["modern", "legacy"], builtIn: false, replicaKeyword: "REPLICA", supportsPersist: true },
  "9.4.0": { id: "mysql-8.4", family: "mysql", version: "9.4.0", terminologies: ["modern", "legacy"], builtIn: false, replicaKeyword: "REPLICA", supportsPersist: true },
  "9.5.0": { id: "mysql-9.5", family: "mysql", version: "9.5.0", terminologies: ["modern"], builtIn: false, replicaKeyword: "REPLICA", supportsPersist: true },
  "9.7.4": { id: "mysql-9.5", family: "mysql", version: "9.7.4", terminologies: ["modern"], builtIn: false, replicaKeyword: "REPLICA", supportsPersist: true },
  "10.2.44-MariaDB": { id: "mariadb-10.0", family: "mariadb", version: "10.2.44", terminologies: ["legacy"], builtIn: false, replicaKeyword: "SLAVE", supportsPersist: false },
  "10.3.2-MariaDB": { id: "mariadb-10.0", family: "mariadb", version: "10.3.2", terminologies: ["legacy"], builtIn: false, replicaKeyword: "SLAVE", supportsPersist: false },
  "10.3.3-MariaDB": { id: "mariadb-10.3.3", family: "mariadb", version: "10.3.3", terminologies: ["legacy"], builtIn: true, replicaKeyword: "SLAVE", supportsPersist: false },
  "10.5.0-MariaDB": { id: "mariadb-10.3.3", family: "mariadb", version: "10.5.0", terminologies: ["legacy"], builtIn: true, replicaKeyword: "SLAVE", supportsPersist: false },
  "10.5.1-MariaDB": { id: "mariadb-10.5.1", family: "mariadb", version: "10.5.1", terminologies: ["legacy"], builtIn: true, replicaKeyword: "REPLICA", supportsPersist: false },
  "10.5.8-MariaDB": { id: "mariadb-10.5.2", family: "mariadb", version: "10.5.8", terminologies: ["legacy"], builtIn: true, replicaKeyword: "REPLICA", supportsPersist: false },
  "10.5.9-MariaDB": { id: "mariadb-10.5.9", family: "mariadb", version: "10.5.9", terminologies: ["legacy"], builtIn: true, replicaKeyword: "REPLICA", supportsPersist: false },
  "10.5.23-MariaDB-0+deb11u1-log": { id: "mariadb-10.5.9", family: "mariadb", version: "10.5.23", terminologies: ["legacy"], builtIn: true, replicaKeyword: "REPLICA", supportsPersist: false },
  "10.11.19-MariaDB-0+deb12u1-log": { id: "mariadb-10.5.9", family: "mariadb", version: "10.11.19", terminologies: ["legacy"], builtIn: true, replicaKeyword: "REPLICA", supportsPersist: false },
  "11.0.0-MariaDB": { id: "mariadb-10.5.9", family: "mariadb", version: "11.0.0", terminologies: ["legacy"], builtIn: true, replicaKeyword: "REPLICA", supportsPersist: false },
  "11.0.1-MariaDB": { id: "mariadb-11.0.1", family: "mariadb", version: "11.0.1", terminologies: ["legacy"], builtIn: true, replicaKeyword: "REPLICA", supportsPersist: false },
  "11.8.3-MariaDB-1 from Debian": { id: "mariadb-11.0.1", family: "mariadb", version: "11.8.3", terminologies: ["legacy"], builtIn: true, replicaKeyword: "REPLICA", supportsPersist: false },
};

describe("detectFlavor", () => {
  for (const [version, expected] of Object.entries(TABLE)) {
    it(`reads @@version '${version}' as ${expected.id} (${expected.terminologies.join("+")}, ${expected.builtIn ? "built-in" : "plugin"}, ${expected.replicaKeyword}, ${expected.supportsPersist ? "PERSIST" : "no PERSIST"})`, () => {
      const detected = detectFlavor({ version });
      assert.equal(detected.flavor.id, expected.id);
      assert.equal(detected.family, expected.family);
      assert.equal(detected.flavor.family, expected.family);
      assert.equal(detected.version, expected.version);
      assert.deepEqual([...detected.flavor.terminologies], expected.terminologies);
      assert.equal(detected.flavor.builtIn, expected.builtIn);
      assert.equal(detected.flavor.replicaKeyword, expected.replicaKeyword);
      assert.equal(detected.flavor.supportsPersist, expected.supportsPersist);
    });
  }

  it("has no wait_for_slave_count on any MariaDB, and has wait_for_replica_count on every MySQL", () => {
    for (const version of Object.keys(TABLE)) {
      const { flavor } = detectFlavor({ version });
      assert.equal(flavor.supportsWaitForReplicaCount, flavor.family === "mysql", version);
    }
  });

  it("recognises MariaDB from @@version_comment when @@version hides the suffix", () => {
    const detected = detectFlavor({ version: "10.11.19", versionComment: "mariadb.org binary distribution" });
    assert.equal(detected.family, "mariadb");
    assert.equal(detected.flavor.id, "mariadb-10.5.9");
  });

  it("refuses MySQL 5.6.51 with an UnsupportedServerError naming the version", () => {
    expectUnsupported(() => detectFlavor({ version: "5.6.51" }), /MySQL 5\.6\.51/, /5\.7\.0/);
  });

  it("refuses MariaDB 5.5.68 with an UnsupportedServerError naming the version", () => {
    expectUnsupported(() => detectFlavor({ version: "5.5.68-MariaDB" }), /MariaDB 5\.5\.68/, /10\.0\.0/);
  });

  it("refuses a @@version without a version number, quoting it", () => {
    expectUnsupported(() => detectFlavor({ version: "unknown-build" }), /unknown-build/);
  });
});

describe("resolveTerminology", () => {
  const cases: { flavor: string; requested: Terminology; installed?: ResolvedTerminology; expected: ResolvedTerminology | RegExp }[] = [
    { flavor: "mysql-5.7", requested: "automatic", expected: "legacy" },
    { flavor: "mysql-5.7", requested: "legacy", expected: "legacy" },
    { flavor: "mysql-5.7", requested: "modern", expected: /'modern' is not available.*"legacy" or "automatic"/ },
    { flavor: "mysql-8.0", requested: "automatic", expected: "legacy" },
    { flavor: "mysql-8.0.22", requested: "automatic", expected: "legacy" },
    { flavor: "mysql-8.0.22", requested: "legacy", expected: "legacy" },
    { flavor: "mysql-8.0.22", requested: "modern", expected: /'modern' is not available.*"legacy" or "automatic"/ },
    { flavor: "mysql-8.0.26", requested: "automatic", expected: "modern" },
    { flavor: "mysql-8.0.26", requested: "modern", expected: "modern" },
    { flavor: "mysql-8.0.26", requested: "legacy", expected: "legacy" },
    { flavor: "mysql-8.4", requested: "automatic", expected: "modern" },
    { flavor: "mysql-8.4", requested: "automatic", installed: "legacy", expected: "legacy" },
    { flavor: "mysql-8.4", requested: "automatic", installed: "modern", expected: "modern" },
    { flavor: "mysql-8.4", requested: "modern", installed: "legacy", expected: "modern" },
    { flavor: "mysql-8.4", requested: "legacy", expected: "legacy" },
    { flavor: "mysql-9.5", requested: "automatic", expected: "modern" },
    { flavor: "mysql-9.5", requested: "modern", expected: "modern" },
    { flavor: "mysql-9.5", requested: "legacy", expected: /'legacy' is not available.*"modern" or "automatic"/ },
    { flavor: "mariadb-10.0", requested: "automatic", expected: "legacy" },
    { flavor: "mariadb-10.0", requested: "legacy", expected: "legacy" },
    { flavor: "mariadb-10.0", requested: "modern", expected: /'modern' is not available.*MariaDB.*"legacy" or "automatic"/ },
    { flavor: "mariadb-10.5.1", requested: "automatic", expected: "legacy" },
    { flavor: "mariadb-10.5.1", requested: "modern", expected: /'modern' is not available.*"legacy" or "automatic"/ },
  ];
  for (const c of cases) {
    const title =
      c.expected instanceof RegExp
        ? `refuses terminology ${c.requested} on ${c.flavor}, naming the allowed values`
        : `resolves ${c.requested}${c.installed ? ` with ${c.installed} installed` : ""} to ${c.expected} on ${c.flavor}`;
    it(title, () => {
      const flavor = flavorById(c.flavor);
      if (c.expected instanceof RegExp) {
        expectUnsupported(() => resolveTerminology(c.requested, flavor, c.installed), c.expected);
      } else {
        assert.equal(resolveTerminology(c.requested, flavor, c.installed), c.expected);
      }
    });
  }

  it("refuses modern on MySQL 8.0.25 and legacy on 9.7 as detected from @@version", () => {
    expectUnsupported(() => resolveTerminology("modern", detectFlavor({ version: "8.0.25" }).flavor), /terminology 'modern' is not available.*set terminology to "legacy" or "automatic"/);
    expectUnsupported(() => resolveTerminology("legacy", detectFlavor({ version: "9.7.4" }).flavor), /terminology 'legacy' is not available.*set terminology to "modern" or "automatic"/);
  });
});

describe("libraryFileName", () => {
  const cases: [string, string][] = [
    ["Win64", "semisync_source.dll"],
    ["Win32", "semisync_source.dll"],
    ["Linux", "semisync_source.so"],
    ["debian-linux-gnu", "semisync_source.so"],
    ["macos14", "semisync_source.so"],
  ];
  for (const [compileOs, expected] of cases) {
    it(`names the library ${expected} when @@version_compile_os is ${compileOs}`, () => {
      assert.equal(libraryFileName("semisync_source", compileOs), expected);
    });
  }
});
