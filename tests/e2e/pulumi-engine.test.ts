import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as pulumi from "@pulumi/pulumi";
import { Stack } from "@pulumi/pulumi/automation";
import { SemisyncEnablement, SemisyncPlugin } from "../../provider";
import { Server, Topology } from "../testbed/topology";
import { assertNoChangesAfterUp } from "../support/empty-plan";
import { PASSPHRASE, inlineStack, readTree } from "../support/pulumi-workspace";
import { testBed } from "../support/test-bed";

const SEMISYNC_PLUGINS = "SELECT PLUGIN_NAME AS name, PLUGIN_STATUS AS status FROM information_schema.PLUGINS WHERE PLUGIN_NAME LIKE 'rpl_semi_sync%'";

async function globalVariable(server: Server, name: string): Promise<string | undefined> {
  const rows = await server.query(`SHOW GLOBAL VARIABLES LIKE '${name}'`);
  return rows[0]?.Value;
}

async function globalStatus(server: Server, name: string): Promise<string | undefined> {
  const rows = await server.query(`SHOW GLOBAL STATUS LIKE '${name}'`);
  return rows[0]?.Value;
}

function assertAbsent(haystack: string, secret: string, where: string): void {
  const at = haystack.indexOf(secret);
  if (at >= 0) {
    const context = haystack.slice(Math.max(0, at - 300), at + secret.length + 50).replace(secret, "<PASSWORD>");
    assert.fail(`the password appears in ${where}: …${context}…`);
  }
}

/** A source and one replica declared with the two base resources, in the safe order. */
function program(topology: Topology) {
  return async () => {
    const config = new pulumi.Config();
    const password = config.requireSecret("adminPassword");
    const timeoutMs = config.getNumber("timeoutMs");
    const connectionOf = (server: Server) => ({ host: server.host, port: server.port, user: server.user, password });
    const sourcePlugin = new SemisyncPlugin("source-plugin", { connection: connectionOf(topology.source), role: "source" });
    const replica = topology.replicas[0];
    const replicaPlugin = new SemisyncPlugin("replica-plugin", { connection: connectionOf(replica), role: "replica" }, { dependsOn: [sourcePlugin] });
    const replicaEnablement = new SemisyncEnablement("replica-enablement", { connection: connectionOf(replica), role: "replica" }, { dependsOn: [replicaPlugin, sourcePlugin] });
    const sourceEnablement = new SemisyncEnablement("source-enablement", { connection: connectionOf(topology.source), role: "source", timeoutMs }, { dependsOn: [sourcePlugin, replicaEnablement] });
    return {
      sourcePluginName: sourcePlugin.pluginName,
      sourceStatus: sourceEnablement.semisyncStatus,
      sourceClients: sourceEnablement.clients,
      replicaStatus: replicaEnablement.semisyncStatus,
    };
  };
}

describe("Pulumi engine end to end: SemisyncPlugin and SemisyncEnablement on a MySQL source and replica", function () {
  let stack: Stack;
  let backend: string;
  let projectDir: string;
  const bed = testBed("mysql", { replicas: 1 });

  before(async function () {
    ({ stack, backend, dir: projectDir } = await inlineStack("semisync-e2e", program(bed.topology)));
    await stack.setConfig("adminPassword", { value: bed.topology.source.password, secret: true });
    await stack.setConfig("timeoutMs", { value: "10000" });
  });

  it("previews the four resources without touching either server", async function () {
    const preview = await stack.preview();
    assert.equal(preview.changeSummary.create, 5, JSON.stringify(preview.changeSummary));
    assert.deepEqual(await bed.topology.source.query(SEMISYNC_PLUGINS), []);
    assert.deepEqual(await bed.topology.replicas[0].query(SEMISYNC_PLUGINS), []);
  });

  it("up installs both plugins and makes the replica a semisync client of the enabled source", async function () {
    const result = await stack.up();
    assert.equal(result.summary.result, "succeeded");
    assert.equal(result.outputs.sourcePluginName.value, "rpl_semi_sync_source");
    assert.equal(result.outputs.replicaStatus.value, "ON");
    assert.equal(result.outputs.sourceClients.value, 1);
    assert.deepEqual(await bed.topology.source.query(SEMISYNC_PLUGINS), [{ name: "rpl_semi_sync_source", status: "ACTIVE" }]);
    assert.deepEqual(await bed.topology.replicas[0].query(SEMISYNC_PLUGINS), [{ name: "rpl_semi_sync_replica", status: "ACTIVE" }]);
    assert.equal(await globalVariable(bed.topology.source, "rpl_semi_sync_source_enabled"), "ON");
    assert.equal(await globalStatus(bed.topology.replicas[0], "Rpl_semi_sync_replica_status"), "ON");
    await assertNoChangesAfterUp(stack);
  });

  it("a second up with nothing changed changes nothing", async function () {
    const result = await stack.up();
    assert.deepEqual(result.summary.resourceChanges, { same: 5 });
    await assertNoChangesAfterUp(stack);
  });

  it("a changed setting is updated in place", async function () {
    await stack.setConfig("timeoutMs", { value: "5000" });
    const result = await stack.up();
    assert.deepEqual(result.summary.resourceChanges, { same: 4, update: 1 });
    assert.equal(await globalVariable(bed.topology.source, "rpl_semi_sync_source_timeout"), "5000");
    await assertNoChangesAfterUp(stack);
  });

  it("refresh shows drift made behind Pulumi's back, and up repairs it", async function () {
    await bed.topology.source.query("SET GLOBAL rpl_semi_sync_source_enabled = OFF");
    await stack.refresh();
    const preview = await stack.preview();
    assert.equal(preview.changeSummary.update, 1, JSON.stringify(preview.changeSummary));
    assert.equal(await globalVariable(bed.topology.source, "rpl_semi_sync_source_enabled"), "OFF", "preview must not change the server");
    await stack.up();
    assert.equal(await globalVariable(bed.topology.source, "rpl_semi_sync_source_enabled"), "ON");
    await assertNoChangesAfterUp(stack);
  });

  it("the admin password appears nowhere in the exported state or the backend's files", async function () {
    const exported = execFileSync("pulumi", ["stack", "export", "--stack", "test"], {
      cwd: projectDir,
      env: { ...process.env, PULUMI_CONFIG_PASSPHRASE: PASSPHRASE },
      encoding: "utf8",
    });
    assert.ok(exported.includes("rpl_semi_sync_source"), "the export holds the stack");
    assertAbsent(exported, bed.topology.source.password, "`pulumi stack export`");
    assertAbsent(readTree(backend), bed.topology.source.password, "the state backend's files");
    // The Automation API's exportStack decrypts (--show-secrets): every copy must still sit in a secret envelope.
    const decrypted = JSON.stringify(await stack.exportStack());
    const bare = decrypted.replaceAll(`"plaintext":${JSON.stringify(JSON.stringify(bed.topology.source.password))}`, "");
    assertAbsent(bare, bed.topology.source.password, "the decrypted export outside a secret envelope");
  });

  it("destroy leaves no semisync plugin installed and nothing enabled", async function () {
    const result = await stack.destroy();
    assert.equal(result.summary.result, "succeeded");
    assert.deepEqual(await bed.topology.source.query(SEMISYNC_PLUGINS), []);
    assert.deepEqual(await bed.topology.replicas[0].query(SEMISYNC_PLUGINS), []);
    assert.equal(await globalVariable(bed.topology.source, "rpl_semi_sync_source_enabled"), undefined);
    const [replicaState] = await bed.topology.replicas[0].query("SHOW REPLICA STATUS");
    assert.equal(replicaState.Replica_IO_Running, "Yes", "replication keeps running after destroy");
  });
});
