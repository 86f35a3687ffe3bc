/**
 * A long-lived test bed for manual work and for scripts that test against running servers.
 *
 *   node dist/tests/testbed/cli.js up [--lane mysql-9.7] [--replicas 2]   start, print connections as JSON
 *   node dist/tests/testbed/cli.js status                                print the JSON if it is up
 *   node dist/tests/testbed/cli.js down [ID]                             remove every test-bed container, or only test bed ID's
 *                                                                        (a demo kept with --keep prints its ID)
 *
 * The JSON is also kept in $SEMISYNC_CACHE/testbed.json. Progress goes to stderr, data to stdout.
 */
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { getContainerRuntimeClient } from "testcontainers";
import { laneByName } from "./lanes";
import { Server } from "./server";
import { queryRows, testbedLogin } from "./sql-client";
import { TESTBED_LABEL, startTopology } from "./topology";

const USAGE = "usage: cli.js up [--lane mysql-9.7] [--replicas 2] | status | down [ID]";

interface ServerConnection {
  name: string;
  host: string;
  port: number;
  user: string;
  password: string;
  serverId: number;
}

interface TestbedDescription {
  id: string;
  lane: string;
  family: string;
  image: string;
  source: ServerConnection;
  replicas: ServerConnection[];
}

function cacheDir(): string {
  return process.env.SEMISYNC_CACHE || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "pulumi-mysql-semisync");
}

function descriptionFile(): string {
  return path.join(cacheDir(), "testbed.json");
}

function progress(message: string): void {
  process.stderr.write(`[testbed] ${message}\n`);
}

function readDescription(): TestbedDescription | undefined {
  try {
    return JSON.parse(fs.readFileSync(descriptionFile(), "utf8")) as TestbedDescription;
  } catch {
    return undefined;
  }
}

function connectionOf(server: Server): ServerConnection {
  const { name, host, port, user, password, serverId } = server;
  return { name, host, port, user, password, serverId };
}

async function labelledContainerIds(labelFilter: string, includeStopped: boolean): Promise<string[]> {
  const client = await getContainerRuntimeClient();
  const containers = await client.container.dockerode.listContainers({ all: includeStopped, filters: { label: [labelFilter] } });
  return containers.map((container: { Id: string }) => container.Id);
}

async function acceptsConnections(server: ServerConnection): Promise<boolean> {
  try {
    await queryRows(testbedLogin(server), "SELECT 1");
    return true;
  } catch {
    return false;
  }
}

/** Why the described test bed is not usable, or undefined when every server answers. */
async function whyNotRunning(description: TestbedDescription): Promise<string | undefined> {
  const servers = [description.source, ...description.replicas];
  const running = await labelledContainerIds(`${TESTBED_LABEL}=${description.id}`, false);
  if (running.length < servers.length) return `${running.length} of ${servers.length} containers are running`;
  const answering = await Promise.all(servers.map(acceptsConnections));
  const silent = servers.filter((_, index) => !answering[index]).map((server) => `${server.name} (port ${server.port})`);
  return silent.length > 0 ? `not accepting connections: ${silent.join(", ")}` : undefined;
}

async function up(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { lane: { type: "string", default: "mysql-9.7" }, replicas: { type: "string", default: "2" } },
  });
  const replicas = Number(values.replicas);
  if (!Number.isInteger(replicas) || replicas < 0) throw new Error(`--replicas must be a whole number, got "${values.replicas}"`);
  const lane = laneByName(values.lane);

  const existing = readDescription();
  if (existing && (await labelledContainerIds(`${TESTBED_LABEL}=${existing.id}`, false)).length > 0) {
    progress(`test bed ${existing.id} (${existing.lane}) is already up; run "down" first`);
    return 1;
  }

  const id = randomBytes(4).toString("hex");
  progress(`starting ${lane.name} (${lane.image}): a source and ${replicas} replica(s), test bed ${id}`);
  const startedAt = Date.now();
  const topology = await startTopology(lane, { replicas, labels: { [TESTBED_LABEL]: id } });
  const description: TestbedDescription = {
    id,
    lane: lane.name,
    family: lane.family,
    image: lane.image,
    source: connectionOf(topology.source),
    replicas: topology.replicas.map(connectionOf),
  };
  fs.mkdirSync(cacheDir(), { recursive: true });
  fs.writeFileSync(descriptionFile(), JSON.stringify(description, null, 2) + "\n", { mode: 0o600 });
  progress(`up in ${((Date.now() - startedAt) / 1000).toFixed(1)} s; connections in ${descriptionFile()}`);
  process.stdout.write(JSON.stringify(description, null, 2) + "\n");
  return 0;
}

async function status(): Promise<number> {
  const description = readDescription();
  if (!description) {
    progress("no test bed is up");
    return 1;
  }
  const problem = await whyNotRunning(description);
  if (problem) {
    progress(`test bed ${description.id} (${description.lane}) is not running: ${problem}`);
    return 1;
  }
  process.stdout.write(JSON.stringify(description, null, 2) + "\n");
  return 0;
}

async function down(args: string[]): Promise<number> {
  const [only] = args;
  const client = await getContainerRuntimeClient();
  // Without an ID, every test bed, not just the recorded one: an interrupted "up" leaves
  // containers unrecorded. With one, only that test bed's (a kept demo's, say), others untouched.
  const ids = await labelledContainerIds(only ? `${TESTBED_LABEL}=${only}` : TESTBED_LABEL, true);
  await Promise.all(ids.map((id) => client.container.dockerode.getContainer(id).remove({ force: true, v: true })));
  if (!only || readDescription()?.id === only) fs.rmSync(descriptionFile(), { force: true });
  progress(ids.length > 0 ? `removed ${ids.length} container(s)` : "nothing to remove");
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case "up":
      return up(args);
    case "status":
      return status();
    case "down":
      return down(args);
    default:
      progress(USAGE);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  // Exit explicitly: testcontainers' docker client can keep the event loop alive after "up".
  (code) => process.exit(code),
  (error: Error) => {
    progress(`ERROR: ${error.message}`);
    process.exit(1);
  },
);
