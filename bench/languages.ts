// The native plugin's programs in the comparison (issue 18): the same topology as
// examples/replication-component, declared in YAML, in Python (examples/python) and in Go
// (examples/go, inline through the Automation API), each served by the plugin installed from its
// tarball into a Pulumi home of its own. Rollout is `up`, teardown `destroy`, as for the TypeScript
// example.
import * as fs from "node:fs";
import * as path from "node:path";
import { EXAMPLES, configureServers } from "../examples/demo/pulumi-cli";
import { buildGoExample, goStack, installPythonSdk, pythonProject, serversFile } from "../tests/support/languages";
import { pluginHome, yamlProject } from "../tests/support/native-plugin";
import { Server } from "../tests/testbed/topology";
import { Approach, cliApproach, pulumi } from "./approaches";
import { run } from "./processes";

const PASSPHRASE = "semisync-bench";

/** examples/yaml's program for any number of replicas (the example itself declares two). */
function yamlProgram(servers: { source: Server; replicas: Server[] }, timeoutMs: number): string {
  const member = (s: Server, name?: string) => [...(name ? [`name: ${name}`] : []), `host: ${s.host}`, `port: ${s.port}`, `user: ${s.user}`, "password: ${password}"];
  const block = (lines: string[], indent: string, first: string) => lines.map((line, i) => `${i === 0 ? first : indent}${line}`).join("\n");
  return [
    "name: semisync-yaml-bench",
    "runtime: yaml",
    "config:",
    "  password:",
    "    type: string",
    "    secret: true",
    "resources:",
    "  semisync:",
    "    type: mysql-semisync:index:SemisyncReplication",
    "    properties:",
    "      source:",
    block(member(servers.source), "        ", "        "),
    "      replicas:",
    ...servers.replicas.map((r) => block(member(r, `${r.host}-${r.port}`), "          ", "        - ")),
    `      timeoutMs: ${timeoutMs}`,
    "outputs:",
    "  sourceStatus: ${semisync.sourceStatus}",
    "",
  ].join("\n");
}

/** The YAML, Python and Go approaches for these servers, ready to run. */
export async function languageApproaches(servers: { source: Server; replicas: Server[] }, timeoutMs: number): Promise<Approach[]> {
  const env = await pluginHome();

  const yaml = yamlProject({ yaml: yamlProgram(servers, timeoutMs) }, env, PASSPHRASE);
  await pulumi(yaml, ["stack", "init", "bench"]);
  await pulumi(yaml, ["config", "set", "--secret", "password", servers.source.password]);

  const python = pythonProject(path.join(EXAMPLES, "python"), env, await installPythonSdk(), PASSPHRASE);
  await configureServers(python, { source: servers.source, replicas: servers.replicas, user: servers.source.user, password: servers.source.password });
  await pulumi(python, ["config", "set", "timeoutMs", String(timeoutMs)]);

  const binary = await buildGoExample();
  const go = goStack(env, PASSPHRASE);
  const file = serversFile({ source: servers.source, replicas: servers.replicas });
  const example = (...args: string[]) => run(binary, ["-servers", file, "-timeout-ms", String(timeoutMs), ...args], { cwd: go.dir, env: go.env });
  if (!fs.existsSync(binary)) throw new Error(`go build did not write ${binary}`);

  return [
    cliApproach("pulumi up/destroy, the YAML program (native plugin)", yaml),
    cliApproach("pulumi up/destroy, examples/python (native plugin)", python),
    {
      name: "examples/go up/destroy, Automation API inline (native plugin)",
      rollout: () => example("up"),
      teardown: () => example("destroy"),
      preview: () => example("-expect-no-changes", "preview"),
    },
  ];
}
