import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const SDK = path.join(ROOT, "sdk");

/** Every file under dir, as relative paths, sorted. */
function files(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

/*
 * The SDKs are generated from the schema by the pinned generator (tools/sdkgen) and checked in, so
 * users of a checkout (and CI) get them without Go. A schema that moves without `npm run sdk`
 * fails here, naming the files.
 */
describe("the checked-in Python and Go SDKs", function () {
  let fresh: string;

  before(async function () {
    fresh = fs.mkdtempSync(path.join(os.tmpdir(), "semisync-sdk-"));
    // Builds the generator first when the cache lacks it (about a minute cold).
    await new Promise<void>((resolve, reject) =>
      execFile("bash", [path.join(ROOT, "scripts", "sdk.sh"), path.join(ROOT, "provider", "native", "schema.json"), fresh], { timeout: 600_000 }, (error, _stdout, stderr) =>
        error ? reject(new Error(`scripts/sdk.sh failed: ${error.message}\n${stderr}`)) : resolve(),
      ),
    );
  });

  after(function () {
    fs.rmSync(fresh, { recursive: true, force: true });
  });

  for (const language of ["python", "go"]) {
    it(`sdk/${language} is exactly what the generator writes from provider/native/schema.json (else: npm run schema, which runs npm run sdk)`, function () {
      const generated = files(path.join(fresh, language));
      const checkedIn = fs.existsSync(path.join(SDK, language)) ? files(path.join(SDK, language)) : [];
      assert.deepEqual(checkedIn, generated, `sdk/${language} has other files than the generator writes: run npm run schema`);
      const stale = generated.filter((file) => !fs.readFileSync(path.join(SDK, language, file)).equals(fs.readFileSync(path.join(fresh, language, file))));
      assert.deepEqual(stale, [], `these files of sdk/${language} differ from the schema's: run npm run schema`);
    });
  }

  it("the SDKs carry the package's version, so programs ask the engine for the plugin this checkout builds", function () {
    const version = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).version;
    assert.match(fs.readFileSync(path.join(SDK, "python", "pyproject.toml"), "utf8"), new RegExp(`^\\s*version = "${version.replace(/\./g, "\\.")}"$`, "m"));
    assert.equal(JSON.parse(fs.readFileSync(path.join(SDK, "go", "mysqlsemisync", "pulumi-plugin.json"), "utf8")).version, version);
  });
});
