import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

/*
 * The layers read from the source's own imports: `resources → crud → plan → sql → flavors →
 * types`. `plan/` decides from data alone, so it imports only `flavors/` and the shared types,
 * never `sql/` (or a driver, or Pulumi); the floors below it never import upwards.
 */

// The compiled test runs from dist/tests/unit; the sources are read, not the compiled output.
const PROVIDER = path.resolve(__dirname, "..", "..", "..", "provider");

/** Each folder checked: the folders of `provider/` its files may import (besides their own), and the packages. */
const MAY_IMPORT: Record<string, { folders: string[]; packages: string[] }> = {
  plan: { folders: ["flavors", "types"], packages: [] },
  sql: { folders: ["flavors", "types"], packages: ["mysql2"] },
  flavors: { folders: ["types"], packages: ["semver"] },
  types: { folders: [], packages: [] },
};

/** Every module a file names: `import … from`, `export … from`, `import("…")`, `require("…")`. */
export function importedModules(source: string): string[] {
  const specifiers: string[] = [];
  const patterns = [/\b(?:import|export)\s[^;]*?\sfrom\s*["']([^"']+)["']/g, /\bimport\s*["']([^"']+)["']/g, /\b(?:import|require)\s*\(\s*["']([^"']+)["']\s*\)/g];
  for (const pattern of patterns) for (const match of source.matchAll(pattern)) specifiers.push(match[1]);
  return specifiers;
}

/** The folder of `provider/` a specifier written in `folder` lands in, or the package it names. */
function target(folder: string, specifier: string): string {
  if (!specifier.startsWith(".")) return `package ${specifier}`;
  const resolved = path.relative(PROVIDER, path.resolve(PROVIDER, folder, specifier));
  if (resolved.startsWith("..")) return `outside provider/: ${specifier}`;
  return resolved.split(path.sep)[0].replace(/\.ts$/, "");
}

function edges(folder: string): { file: string; specifier: string; to: string }[] {
  const dir = path.join(PROVIDER, folder);
  const files = fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
  return files.flatMap((file) => {
    const source = fs.readFileSync(path.join(dir, file), "utf8");
    return importedModules(source).map((specifier) => ({ file: `${folder}/${file}`, specifier, to: target(path.join(folder, path.dirname(file)), specifier) }));
  });
}

describe("layers: what each floor of provider/ imports", () => {
  it("reads import, export-from, require and dynamic import alike", () => {
    const source = `import { a } from "../sql/x";\nimport type {\n  B,\n} from '../types';\nexport { c } from "./c";\nimport "./side-effect";\nconst d = require("mysql2/promise");\nconst e = await import("../crud/e");`;
    assert.deepEqual(importedModules(source).sort(), ["../crud/e", "../sql/x", "../types", "./c", "./side-effect", "mysql2/promise"]);
  });

  for (const [folder, allowed] of Object.entries(MAY_IMPORT)) {
    const named = [...allowed.folders.map((f) => `${f}/`), ...allowed.packages];
    it(`provider/${folder}/ imports only ${named.length > 0 ? named.join(", ") : "its own files"}`, () => {
      const found = edges(folder);
      assert.ok(found.length > 0, `no imports read under ${path.join(PROVIDER, folder)}: is the source tree where this test looks?`);
      const allowedPackage = (e: { specifier: string }) => allowed.packages.some((p) => e.specifier === p || e.specifier.startsWith(`${p}/`));
      const wrong = found.filter((e) => e.to !== folder && !allowed.folders.includes(e.to) && !allowedPackage(e));
      assert.deepEqual(
        wrong.map((e) => `${e.file} imports "${e.specifier}" (${e.to})`),
        [],
      );
    });
  }
});
