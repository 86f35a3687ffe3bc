import * as assert from "node:assert/strict";
import { BASE_RESOURCES_MAIN, CliProject, cliProject, configureServers, pulumiCli } from "../../examples/demo/pulumi-cli";
import { lanes } from "../testbed/lanes";
import { Topology, startTopology } from "../testbed/topology";

const SEMISYNC_PLUGINS = "SELECT PLUGIN_NAME AS name FROM information_schema.PLUGINS WHERE PLUGIN_NAME LIKE 'rpl_semi_sync%'";

describe("Pulumi CLI on a project directory: examples/base-resources", function () {
  let topology: Topology;
  let project: CliProject;

  before(async function () {
    const lane = lanes().find((l) => l.family === "mysql");
    if (!lane) throw new Error("no MySQL lane is configured (SEMISYNC_LANES filters them all out); this suite needs one");
    topology = await startTopology(lane, { replicas: 2 });
    project = cliProject("semisync-cli", BASE_RESOURCES_MAIN, "semisync-cli-tests");
    await configureServers(project, { source: topology.source, replicas: topology.replicas, user: "admin", password: topology.source.password });
  });

  after(async function () {
    await topology?.stop();
  });

  it("pulumi up makes both replicas semisync clients of the source", async function () {
    const output = await pulumiCli(project, ["up", "--yes"]);
    assert.match(output, /7 created/);
    const clients = await topology.source.query("SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_source_clients'");
    assert.equal(clients[0].Value, "2");
    for (const replica of topology.replicas) {
      const status = await replica.query("SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_replica_status'");
      assert.equal(status[0].Value, "ON", `${replica.name} is semisync`);
    }
  });

  it("pulumi preview afterwards expects no changes", async function () {
    await pulumiCli(project, ["preview", "--expect-no-changes"]);
  });

  it("pulumi destroy removes every plugin", async function () {
    await pulumiCli(project, ["destroy", "--yes"]);
    assert.deepEqual(await topology.source.query(SEMISYNC_PLUGINS), []);
    for (const replica of topology.replicas) assert.deepEqual(await replica.query(SEMISYNC_PLUGINS), []);
  });
});
