import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { SemisyncReplication } from "../../provider";
import { assertNoChangesAfterUp } from "../support/empty-plan";
import { minimalGrants } from "../support/grants";
import { inlineStack } from "../support/pulumi-workspace";
import { installedPlugins, semisyncVariables } from "../support/server-probes";
import { lanes } from "../testbed/lanes";
import { Topology } from "../testbed/topology";
import { testBed } from "../support/test-bed";

const USER = "'semisync'@'%'";
const PASSWORD = "least-privilege-pw-4d2e";

for (const lane of lanes()) {
  describe(`least privilege, through the Pulumi engine: ${lane.name}`, function () {
    const bed = testBed(lane, { replicas: 1 });

    before(async function () {
      // Created on the source; replication carries the account to the replica.
      await bed.topology.source.query(`CREATE USER ${USER} IDENTIFIED BY '${PASSWORD}'`);
      for (const grant of minimalGrants(lane, USER)) await bed.topology.source.query(grant);
      const replica = bed.topology.replicas[0];
      for (let i = 0; i < 100; i++) {
        const rows = await replica.query("SELECT COUNT(*) AS n FROM mysql.user WHERE User = 'semisync'");
        if (Number(rows[0].n) === 1) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    });

    it("up, refresh and destroy succeed with only the documented grants", async function () {
      const { stack } = await inlineStack(`semisync-grants-${lane.name.replace(/\./g, "-")}`, async () => {
        const password = pulumi.secret(PASSWORD);
        const connection = (s: Topology["source"]) => ({ host: s.host, port: s.port, user: "semisync", password });
        const replication = new SemisyncReplication("grants", {
          source: connection(bed.topology.source),
          replicas: bed.topology.replicas.map((r) => ({ ...connection(r), name: r.name })),
          timeoutMs: 3000,
        });
        return { clients: replication.sourceClients };
      });
      const up = await stack.up();
      assert.equal(up.outputs.clients.value, 1);
      const enabled = lane.family === "mysql" ? "rpl_semi_sync_source_enabled" : "rpl_semi_sync_master_enabled";
      assert.equal((await semisyncVariables(bed.topology.source))[enabled], "ON");
      await assertNoChangesAfterUp(stack);
      await stack.destroy();
      assert.deepEqual(await installedPlugins(bed.topology.source), []);
      assert.deepEqual(await installedPlugins(bed.topology.replicas[0]), []);
      if (lane.family === "mariadb") assert.equal((await semisyncVariables(bed.topology.source))[enabled], "OFF");
    });
  });
}
