import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

/*
 * The docs name files, folders and sections; code moves under them. Every relative link (and its
 * anchor) and every repository path they name must exist, so a rename that forgets the docs fails
 * here rather than in a reader's browser.
 */

const ROOT = path.resolve(__dirname, "..", "..", "..");

function markdownFiles(): string[] {
  const files = ["README.md", "CONTRIBUTING.md", "CHANGELOG.md"];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const relative = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(relative);
      else if (entry.name.endsWith(".md")) files.push(relative);
    }
  };
  walk("docs");
  return files.sort();
}

/** GitHub's heading anchors: lower case, punctuation dropped, each space a hyphen, repeats numbered. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of withoutFencedCode(markdown).split("\n")) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const text = heading[1].replace(/\[([^\]]*)\]\([^)]*\)/g, "$1");
    const slug = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

function withoutFencedCode(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "");
}

function withoutCode(markdown: string): string {
  return withoutFencedCode(markdown).replace(/`[^`\n]*`/g, "");
}

/** `[text](target)` links outside code, minus the ones that leave the repository. */
export function relativeLinks(markdown: string): string[] {
  const links: string[] = [];
  for (const match of withoutCode(markdown).matchAll(/\]\(([^()\s]*(?:\([^()\s]*\)[^()\s]*)*)(?:\s+"[^"]*")?\)/g)) {
    const target = match[1];
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
    links.push(target);
  }
  return links;
}

const PATH_ROOTS = ["provider", "tests", "examples", "templates", "bench", "scripts", "docs", ".ci", "dist"];

/**
 * Repository paths named anywhere in the text, code included (`provider/plan/member-sides.ts`,
 * `examples/failover`, the layout block). A path written as a pattern (`*`, `…`, `<`) names no one
 * file and is left out; a compiled `dist/….js` path names the source it is built from, and any
 * other `dist/` path (the plugin tarball) is a build's output, absent from a clean checkout.
 */
export function namedPaths(markdown: string): string[] {
  const pattern = new RegExp(`(?<![\\w./~-])(?:${PATH_ROOTS.map((r) => r.replace(".", "\\.")).join("|")})/[\\w./@-]*[\\w/]`, "g");
  const paths = new Set<string>();
  for (const match of markdown.matchAll(pattern)) {
    const end = (match.index ?? 0) + match[0].length;
    if (/^[*…<{]/.test(markdown.slice(end, end + 1))) continue;
    paths.add(match[0]);
  }
  return [...paths];
}

export function existsInRepository(named: string): boolean {
  const plain = named.replace(/\/$/, "");
  if (plain.startsWith("dist/")) {
    if (!/\.(js|d\.ts)$/.test(plain)) return true;
    const source = plain
      .slice("dist/".length)
      .replace(/\.d\.ts$/, ".ts")
      .replace(/\.js$/, ".ts");
    return fs.existsSync(path.join(ROOT, source));
  }
  return fs.existsSync(path.join(ROOT, plain));
}

describe("docs: links and named paths", () => {
  const files = markdownFiles();

  it("covers the README, CONTRIBUTING, the CHANGELOG and every page under docs/", () => {
    for (const file of ["README.md", "CONTRIBUTING.md", "CHANGELOG.md", path.join("docs", "index.md")]) {
      assert.ok(files.includes(file), `${file} is missing`);
    }
  });

  for (const file of files) {
    it(`${file}: every relative link and anchor resolves`, () => {
      const text = fs.readFileSync(path.join(ROOT, file), "utf8");
      const broken: string[] = [];
      for (const link of relativeLinks(text)) {
        const [target, anchor] = link.split("#", 2);
        const resolved = target === "" ? path.join(ROOT, file) : path.resolve(path.dirname(path.join(ROOT, file)), decodeURIComponent(target));
        if (!resolved.startsWith(ROOT) || !fs.existsSync(resolved)) {
          broken.push(`${link}: no such file`);
          continue;
        }
        if (anchor !== undefined && resolved.endsWith(".md") && !headingAnchors(fs.readFileSync(resolved, "utf8")).has(anchor)) {
          broken.push(`${link}: no heading with anchor #${anchor} in ${path.relative(ROOT, resolved)}`);
        }
      }
      assert.deepEqual(broken, [], `${file} has broken links`);
    });

    it(`${file}: every repository path it names exists`, () => {
      const text = fs.readFileSync(path.join(ROOT, file), "utf8");
      const missing = namedPaths(text).filter((named) => !existsInRepository(named));
      assert.deepEqual(missing, [], `${file} names paths that do not exist`);
    });
  }

  it("docs/index.md links every page under docs/", () => {
    const index = fs.readFileSync(path.join(ROOT, "docs", "index.md"), "utf8");
    const linked = new Set(relativeLinks(index).map((link) => path.normalize(path.join("docs", link.split("#")[0]))));
    const unlinked = files.filter((file) => file.startsWith(`docs${path.sep}`) && file !== path.join("docs", "index.md") && !linked.has(file));
    assert.deepEqual(unlinked, [], "pages missing from docs/index.md");
  });

  it("README.md stays a front page: at most 300 lines, and it links every page under docs/", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const lines = readme.split("\n").length - (readme.endsWith("\n") ? 1 : 0);
    assert.ok(lines <= 300, `README.md has ${lines} lines`);
    const linked = new Set(relativeLinks(readme).map((link) => path.normalize(link.split("#")[0])));
    const unlinked = files.filter((file) => file.startsWith(`docs${path.sep}`) && file !== path.join("docs", "index.md") && !linked.has(file));
    assert.deepEqual(unlinked, [], "docs pages the README does not link");
  });

  it("finds links, anchors and paths the way GitHub renders them", () => {
    assert.deepEqual(relativeLinks("[a](docs/x.md#y) [b](https://e.x) `[c](no.md)` [d](#z)"), ["docs/x.md#y", "#z"]);
    assert.deepEqual(
      [...headingAnchors("# Renames and `aliases`\n## Why (measured on MySQL 9.7, 10 s)\n## Why (measured on MySQL 9.7, 10 s)\n```\n# not a heading\n```")],
      ["renames-and-aliases", "why-measured-on-mysql-97-10-s", "why-measured-on-mysql-97-10-s-1"],
    );
    assert.deepEqual(namedPaths("see `provider/plan/inputs.ts`, examples/failover. and /path/to/templates/x, tests/unit/**/*.test.js"), ["provider/plan/inputs.ts", "examples/failover"]);
    assert.ok(existsInRepository("dist/provider/index.js"), "a compiled file names its source");
    assert.ok(!existsInRepository("dist/provider/no-such-file.js"), "a compiled file whose source is gone");
    assert.ok(existsInRepository("dist/plugin/pulumi-resource-mysql-semisync-v0.3.0-linux-amd64.tar.gz"), "a build's output, absent from a clean checkout");
  });
});
