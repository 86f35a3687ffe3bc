import * as assert from "node:assert/strict";
import { PluginInputs } from "../../provider/plan/inputs";
import { Server, Topology } from "../testbed/topology";

/** The provider's connection inputs for a test bed server. */
export function connectionOf(server: Server, user: string = server.user, password: string = server.password): Pick<PluginInputs, "connection" | "password"> {
  return { connection: { host: server.host, port: server.port, user, connectTimeoutMs: 10_000 }, password };
}

export async function semisyncVariables(server: Server): Promise<Record<string, string>> {
  const rows = await server.query("SHOW GLOBAL VARIABLES LIKE 'rpl\\_semi\\_sync\\_%'");
  return Object.fromEntries(rows.map((r) => [r.Variable_name, r.Value]));
}

export async function semisyncStatus(server: Server): Promise<Record<string, string>> {
  const rows = await server.query("SHOW GLOBAL STATUS LIKE 'Rpl\\_semi\\_sync\\_%'");
  return Object.fromEntries(rows.map((r) => [r.Variable_name, r.Value]));
}

export async function installedPlugins(server: Server): Promise<string[]> {
  const rows = await server.query("SELECT PLUGIN_NAME AS n FROM information_schema.PLUGINS WHERE PLUGIN_NAME LIKE 'rpl_semi_sync%' ORDER BY 1");
  return rows.map((r) => r.n);
}

/** The names semisync is observed by, per family: MariaDB builds it in and keeps the master/slave names. */
function semisyncNames(topology: Topology) {
  return topology.lane.family === "mysql"
    ? { sourceClients: "Rpl_semi_sync_source_clients", sourceEnabled: "rpl_semi_sync_source_enabled", replicaStatus: "Rpl_semi_sync_replica_status", replicaEnabled: "rpl_semi_sync_replica_enabled" }
    : { sourceClients: "Rpl_semi_sync_master_clients", sourceEnabled: "rpl_semi_sync_master_enabled", replicaStatus: "Rpl_semi_sync_slave_status", replicaEnabled: "rpl_semi_sync_slave_enabled" };
}

/** What every example, the template and a user's project achieve on a test bed topology. */
export async function assertSemisyncEverywhere(topology: Topology): Promise<void> {
  const names = semisyncNames(topology);
  const [clients] = await topology.source.query(`SHOW GLOBAL STATUS LIKE '${names.sourceClients}'`);
  assert.equal(clients?.Value, String(topology.replicas.length), "every replica is a semisync client of the source");
  const [enabled] = await topology.source.query(`SHOW GLOBAL VARIABLES LIKE '${names.sourceEnabled}'`);
  assert.equal(enabled?.Value, "ON", "the source's side is on");
  for (const replica of topology.replicas) {
    const [status] = await replica.query(`SHOW GLOBAL STATUS LIKE '${names.replicaStatus}'`);
    assert.equal(status?.Value, "ON", `${replica.name} is semisync`);
  }
}

/** After destroy, on either family: no semisync plugin anywhere, and (MariaDB builds it in) every side switched off. */
export async function assertSemisyncRemoved(topology: Topology): Promise<void> {
  await assertNothingInstalled(topology);
  if (topology.lane.family === "mysql") return;
  const names = semisyncNames(topology);
  for (const server of [topology.source, ...topology.replicas]) {
    const variables = await semisyncVariables(server);
    assert.deepEqual([variables[names.sourceEnabled], variables[names.replicaEnabled]], ["OFF", "OFF"], `${server.name} has semisync switched off`);
  }
}

/** After destroy: no semisync plugin on any server of the topology. */
export async function assertNothingInstalled(topology: Topology): Promise<void> {
  for (const server of [topology.source, ...topology.replicas]) assert.deepEqual(await installedPlugins(server), [], `${server.name} has no semisync plugin`);
}

/** Asserts that `work` rejects with a message matching `pattern`, and returns the error. */
export async function rejects(work: Promise<unknown>, pattern: RegExp): Promise<Error> {
  try {
    await work;
  } catch (error) {
    assert.match((error as Error).message, pattern);
    return error as Error;
  }
  assert.fail(`expected a rejection matching ${pattern}`);
}

/** What semisync is configured on every server (plugins and variables, not the counters): to compare before and after. */
export async function semisyncConfiguration(topology: Topology): Promise<string> {
  const servers = [topology.source, ...topology.replicas];
  return JSON.stringify(await Promise.all(servers.map(async (s) => [s.name, await installedPlugins(s), await semisyncVariables(s)])));
}

/** Everything semisync about every server of a topology (plugins, variables, status), to compare before and after. */
export async function semisyncSnapshot(topology: Topology): Promise<string> {
  const servers = [topology.source, ...topology.replicas];
  return JSON.stringify(await Promise.all(servers.map(async (s) => [s.name, await installedPlugins(s), await semisyncVariables(s), await semisyncStatus(s)])));
}
