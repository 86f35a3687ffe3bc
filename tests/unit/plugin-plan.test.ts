import * as assert from "node:assert/strict";
import { planBuiltInTeardown, planPluginInstall, planPluginRemoval } from "../../provider/plan/plugin-plan";
import { Role } from "../../provider/types";
import { VersionLabel, defaultChannel, expectPlanError, expectUnsupported, flavorOf, observedOn, pluginRow, pluginVariables, sqlOf } from "./fixtures";

type Golden = { kind: "install"; sql: string; undo: string } | { kind: "built-in"; plugin: string };

/** What `create` does on an empty server, per generation and role. */
const GOLDEN: Partial<Record<VersionLabel, Record<Role, Golden>>> = {
  "MySQL 5.7": {
    source: { kind: "install", sql: "INSTALL PLUGIN rpl_semi_sync_master SONAME 'semisync_master.so'", undo: "UNINSTALL PLUGIN rpl_semi_sync_master" },
    replica: { kind: "install", sql: "INSTALL PLUGIN rpl_semi_sync_slave SONAME 'semisync_slave.so'", undo: "UNINSTALL PLUGIN rpl_semi_sync_slave" },
  },
  "MySQL 8.0.21": {
    source: { kind: "install", sql: "INSTALL PLUGIN rpl_semi_sync_master SONAME 'semisync_master.so'", undo: "UNINSTALL PLUGIN rpl_semi_sync_master" },
    replica: { kind: "install", sql: "INSTALL PLUGIN rpl_semi_sync_slave SONAME 'semisync_slave.so'", undo: "UNINSTALL PLUGIN rpl_semi_sync_slave" },
  },
  "MySQL 8.0.25": {
    source: { kind: "install", sql: "INSTALL PLUGIN rpl_semi_sync_master SONAME 'semisync_master.so'", undo: "UNINSTALL PLUGIN rpl_semi_sync_master" },
    replica: { kind: "install", sql: "INSTALL PLUGIN rpl_semi_sync_slave SONAME 'semisync_slave.so'", undo: "UNINSTALL PLUGIN rpl_semi_sync_slave" },
  },
  "MySQL 8.0.26": {
    source: { kind: "install", sql: "INSTALL PLUGIN rpl_semi_sync_source SONAME 'semisync_source.so'", undo: "UNINSTALL PLUGIN rpl_semi_sync_source" },
    replica: { kind: "install", sql: "INSTALL PLUGIN rpl_semi_sync_replica SONAME 'semisync_replica.so'", undo: "UNINSTALL PLUGIN rpl_semi_sync_replica" },
  },
  "MySQL 8.4": {
    source: { kind: "install", sql: "INSTALL PLUGIN rpl_semi_sync_source SONAME 'semisync_source.so'", undo: "UNINSTALL PLUGIN rpl_semi_sync_source" },
    replica: { kind: "install", sql: "INSTALL PLUGIN rpl_semi_sync_replica SONAME 'semisync_replica.so'", undo: "UNINSTALL PLUGIN rpl_semi_sync_replica" },
  },
  "MySQL 9.7": {
    source: { kind: "install", sql: "INSTALL PLUGIN rpl_semi_sync_source SONAME 'semisync_source.so'", undo: "UNINSTALL PLUGIN rpl_semi_sync_source" },
    replica: { kind: "install", sql: "INSTALL PLUGIN rpl_semi_sync_replica SONAME 'semisync_replica.so'", undo: "UNINSTALL PLUGIN rpl_semi_sync_replica" },
  },
  "MariaDB 10.2": {
    source: { kind: "install", sql: "INSTALL PLUGIN rpl_semi_sync_master SONAME 'semisync_master.so'", undo: "UNINSTALL PLUGIN rpl_semi_sync_master" },
    replica: { kind: "install", sql: "INSTALL PLUGIN rpl_semi_sync_slave SONAME 'semisync_slave.so'", undo: "UNINSTALL PLUGIN rpl_semi_sync_slave" },
  },
  "MariaDB 10.11": {
    source: { kind: "built-in", plugin: "rpl_semi_sync_master" },
    replica: { kind: "built-in", plugin: "rpl_semi_sync_slave" },
  },
};

describe("planPluginInstall on an empty server", () => {
  for (const [label, byRole] of Object.entries(GOLDEN) as [VersionLabel, Record<Role, Golden>][]) {
    for (const role of ["source", "replica"] as const) {
      const golden = byRole[role];
      const title = golden.kind === "install" ? `runs \`${golden.sql}\` for role ${role} on ${label}` : `installs nothing for role ${role} on ${label}: ${golden.plugin} is built in`;
      it(title, () => {
        const plan = planPluginInstall(role, "automatic", observedOn(label), flavorOf(label));
        assert.equal(plan.kind, golden.kind);
        if (golden.kind === "install") {
          assert.ok(plan.kind === "install");
          assert.deepEqual(sqlOf(plan.statements), [golden.sql]);
          assert.deepEqual(plan.statements[0].undo, [golden.undo]);
        } else {
          assert.ok(plan.kind === "built-in");
          assert.equal(plan.names.plugin, golden.plugin);
          assert.equal(plan.terminology, "legacy");
          assert.ok(!("statements" in plan), "a built-in plan has no statements");
        }
      });
    }
  }

  it("installs rpl_semi_sync_source from semisync_source.dll on a Win64 MySQL 9.7", () => {
    const plan = planPluginInstall("source", "automatic", observedOn("MySQL 9.7", { compileOs: "Win64" }), flavorOf("MySQL 9.7"));
    assert.ok(plan.kind === "install");
    assert.equal(plan.library, "semisync_source.dll");
    assert.deepEqual(sqlOf(plan.statements), ["INSTALL PLUGIN rpl_semi_sync_source SONAME 'semisync_source.dll'"]);
  });

  it("installs rpl_semi_sync_slave from semisync_slave.dll on a Win32 MySQL 5.7", () => {
    const plan = planPluginInstall("replica", "automatic", observedOn("MySQL 5.7", { compileOs: "Win32" }), flavorOf("MySQL 5.7"));
    assert.ok(plan.kind === "install");
    assert.deepEqual(sqlOf(plan.statements), ["INSTALL PLUGIN rpl_semi_sync_slave SONAME 'semisync_slave.dll'"]);
  });

  it("installs the legacy plugin on MySQL 8.4 when terminology is pinned to legacy", () => {
    const plan = planPluginInstall("source", "legacy", observedOn("MySQL 8.4"), flavorOf("MySQL 8.4"));
    assert.ok(plan.kind === "install");
    assert.equal(plan.terminology, "legacy");
    assert.deepEqual(sqlOf(plan.statements), ["INSTALL PLUGIN rpl_semi_sync_master SONAME 'semisync_master.so'"]);
  });

  it("undoes its INSTALL PLUGIN with the matching UNINSTALL PLUGIN", () => {
    const plan = planPluginInstall("replica", "automatic", observedOn("MySQL 8.4"), flavorOf("MySQL 8.4"));
    assert.ok(plan.kind === "install");
    assert.equal(plan.statements.length, 1);
    assert.deepEqual(plan.statements[0].undo, ["UNINSTALL PLUGIN rpl_semi_sync_replica"]);
  });

  it("refuses to install when @@have_dynamic_loading is NO", () => {
    expectPlanError(() => planPluginInstall("source", "automatic", observedOn("MySQL 8.4", { haveDynamicLoading: "NO" }), flavorOf("MySQL 8.4")), /have_dynamic_loading is 'NO'/, /plugin-load-add/);
  });

  it("refuses pinned terminology modern on MySQL 8.0.25 before planning anything", () => {
    expectUnsupported(() => planPluginInstall("source", "modern", observedOn("MySQL 8.0.25"), flavorOf("MySQL 8.0.25")), /"legacy" or "automatic"/);
  });

  it("refuses pinned terminology legacy on MySQL 9.7 before planning anything", () => {
    expectUnsupported(() => planPluginInstall("replica", "legacy", observedOn("MySQL 9.7"), flavorOf("MySQL 9.7")), /"modern" or "automatic"/);
  });
});

describe("planPluginInstall with a plugin already present", () => {
  it("adopts rpl_semi_sync_source when its row is ACTIVE on MySQL 9.7", () => {
    const observed = observedOn("MySQL 9.7", { plugins: [pluginRow("rpl_semi_sync_source", "ACTIVE", "semisync_source.so")] });
    const plan = planPluginInstall("source", "automatic", observed, flavorOf("MySQL 9.7"));
    assert.equal(plan.kind, "adopt");
    assert.equal(plan.names.plugin, "rpl_semi_sync_source");
    assert.ok(plan.kind === "adopt");
    assert.equal(plan.library, "semisync_source.so");
  });

  it("adopts the installed plugin's own library name", () => {
    const observed = observedOn("MySQL 5.7", { plugins: [pluginRow("rpl_semi_sync_master", "ACTIVE", "semisync_master_custom.so")] });
    const plan = planPluginInstall("source", "automatic", observed, flavorOf("MySQL 5.7"));
    assert.ok(plan.kind === "adopt");
    assert.equal(plan.library, "semisync_master_custom.so");
  });

  it("ignores the other role's plugin when planning the source", () => {
    const observed = observedOn("MySQL 8.4", { plugins: [pluginRow("rpl_semi_sync_replica")] });
    const plan = planPluginInstall("source", "automatic", observed, flavorOf("MySQL 8.4"));
    assert.ok(plan.kind === "install");
    assert.deepEqual(sqlOf(plan.statements), ["INSTALL PLUGIN rpl_semi_sync_source SONAME 'semisync_source.so'"]);
  });

  it("adopts an ACTIVE plugin even when @@have_dynamic_loading is NO", () => {
    const observed = observedOn("MySQL 8.4", { haveDynamicLoading: "NO", plugins: [pluginRow("rpl_semi_sync_source")] });
    assert.equal(planPluginInstall("source", "automatic", observed, flavorOf("MySQL 8.4")).kind, "adopt");
  });

  it("keeps the installed legacy plugin on MySQL 8.4 when terminology is automatic", () => {
    const observed = observedOn("MySQL 8.4", { plugins: [pluginRow("rpl_semi_sync_master")] });
    const plan = planPluginInstall("source", "automatic", observed, flavorOf("MySQL 8.4"));
    assert.equal(plan.kind, "adopt");
    assert.equal(plan.terminology, "legacy");
    assert.equal(plan.names.plugin, "rpl_semi_sync_master");
  });

  it("refuses a plugin that is installed but DISABLED, naming its status", () => {
    const observed = observedOn("MySQL 8.4", { plugins: [pluginRow("rpl_semi_sync_source", "DISABLED")] });
    expectPlanError(() => planPluginInstall("source", "automatic", observed, flavorOf("MySQL 8.4")), /status is DISABLED, not ACTIVE/, /UNINSTALL PLUGIN rpl_semi_sync_source/);
  });

  it("refuses when both the old and the new replica plugin are installed", () => {
    const observed = observedOn("MySQL 8.4", { plugins: [pluginRow("rpl_semi_sync_slave"), pluginRow("rpl_semi_sync_replica")] });
    expectPlanError(() => planPluginInstall("replica", "automatic", observed, flavorOf("MySQL 8.4")), /both rpl_semi_sync_slave and rpl_semi_sync_replica are installed/);
  });

  it("refuses terminology pinned to modern while the legacy source plugin is installed on MySQL 8.4", () => {
    const observed = observedOn("MySQL 8.4", { plugins: [pluginRow("rpl_semi_sync_master")] });
    expectPlanError(() => planPluginInstall("source", "modern", observed, flavorOf("MySQL 8.4")), /rpl_semi_sync_master is installed, but terminology 'modern' needs rpl_semi_sync_source/, /"automatic"/);
  });

  it("refuses terminology pinned to legacy while the modern replica plugin is installed on MySQL 8.0.26", () => {
    const observed = observedOn("MySQL 8.0.26", { plugins: [pluginRow("rpl_semi_sync_replica")] });
    expectPlanError(() => planPluginInstall("replica", "legacy", observed, flavorOf("MySQL 8.0.26")), /rpl_semi_sync_replica is installed, but terminology 'legacy' needs rpl_semi_sync_slave/);
  });
});

describe("planPluginRemoval", () => {
  it("does nothing when the plugin is not installed", () => {
    const removal = planPluginRemoval("source", "rpl_semi_sync_source", observedOn("MySQL 9.7"), flavorOf("MySQL 9.7"));
    assert.equal(removal.kind, "nothing");
  });

  it("does nothing on MariaDB 10.11, where semisync is built in", () => {
    const removal = planPluginRemoval("replica", "rpl_semi_sync_slave", observedOn("MariaDB 10.11"), flavorOf("MariaDB 10.11"));
    assert.equal(removal.kind, "nothing");
  });

  it("uninstalls a source plugin without semisync clients", () => {
    const observed = observedOn("MySQL 9.7", { plugins: [pluginRow("rpl_semi_sync_source")], status: { Rpl_semi_sync_source_clients: "0" } });
    const removal = planPluginRemoval("source", "rpl_semi_sync_source", observed, flavorOf("MySQL 9.7"));
    assert.ok(removal.kind === "uninstall");
    assert.deepEqual(sqlOf(removal.statements), ["UNINSTALL PLUGIN rpl_semi_sync_source"]);
  });

  it("refuses to uninstall a source plugin with 2 semisync clients, citing error 1883", () => {
    const observed = observedOn("MySQL 8.4", { plugins: [pluginRow("rpl_semi_sync_source")], status: { Rpl_semi_sync_source_clients: "2" } });
    expectPlanError(() => planPluginRemoval("source", "rpl_semi_sync_source", observed, flavorOf("MySQL 8.4")), /1883/, /2 semisync replica/);
  });

  it("reads the legacy clients counter for rpl_semi_sync_master on MySQL 5.7", () => {
    const observed = observedOn("MySQL 5.7", { plugins: [pluginRow("rpl_semi_sync_master")], status: { Rpl_semi_sync_master_clients: "1" } });
    expectPlanError(() => planPluginRemoval("source", "rpl_semi_sync_master", observed, flavorOf("MySQL 5.7")), /1883/);
  });

  it("uninstalls a replica plugin directly when its semisync status is OFF", () => {
    const observed = observedOn("MySQL 8.4", { plugins: [pluginRow("rpl_semi_sync_replica")], status: { Rpl_semi_sync_replica_status: "OFF" } });
    const removal = planPluginRemoval("replica", "rpl_semi_sync_replica", observed, flavorOf("MySQL 8.4"));
    assert.ok(removal.kind === "uninstall");
    assert.deepEqual(sqlOf(removal.statements), ["UNINSTALL PLUGIN rpl_semi_sync_replica"]);
  });

  const restartCases: { label: VersionLabel; plugin: string; statusVariable: string; keyword: "SLAVE" | "REPLICA" }[] = [
    { label: "MySQL 5.7", plugin: "rpl_semi_sync_slave", statusVariable: "Rpl_semi_sync_slave_status", keyword: "SLAVE" },
    { label: "MySQL 8.0.21", plugin: "rpl_semi_sync_slave", statusVariable: "Rpl_semi_sync_slave_status", keyword: "SLAVE" },
    { label: "MySQL 8.0.22", plugin: "rpl_semi_sync_slave", statusVariable: "Rpl_semi_sync_slave_status", keyword: "REPLICA" },
    { label: "MySQL 8.0.25", plugin: "rpl_semi_sync_slave", statusVariable: "Rpl_semi_sync_slave_status", keyword: "REPLICA" },
    { label: "MySQL 8.4", plugin: "rpl_semi_sync_slave", statusVariable: "Rpl_semi_sync_slave_status", keyword: "REPLICA" },
    { label: "MySQL 8.4", plugin: "rpl_semi_sync_replica", statusVariable: "Rpl_semi_sync_replica_status", keyword: "REPLICA" },
    { label: "MySQL 9.7", plugin: "rpl_semi_sync_replica", statusVariable: "Rpl_semi_sync_replica_status", keyword: "REPLICA" },
    { label: "MariaDB 10.2", plugin: "rpl_semi_sync_slave", statusVariable: "Rpl_semi_sync_slave_status", keyword: "SLAVE" },
  ];
  for (const c of restartCases) {
    it(`stops and starts the ${c.keyword} IO thread around UNINSTALL PLUGIN ${c.plugin} on ${c.label} while semisync runs`, () => {
      const observed = observedOn(c.label, { plugins: [pluginRow(c.plugin)], status: { [c.statusVariable]: "ON" } });
      const removal = planPluginRemoval("replica", c.plugin, observed, flavorOf(c.label));
      assert.ok(removal.kind === "uninstall");
      assert.deepEqual(sqlOf(removal.statements), [`STOP ${c.keyword} IO_THREAD`, `UNINSTALL PLUGIN ${c.plugin}`, `START ${c.keyword} IO_THREAD`]);
      assert.deepEqual(removal.statements[0].undo, [`START ${c.keyword} IO_THREAD`]);
    });
  }
});

describe("planBuiltInTeardown: a built-in plugin's delete switches off what the deployment turned on", () => {
  for (const label of ["MariaDB 10.11", "MariaDB 11.8"] as const) {
    const flavor = flavorOf(label);
    const replicaOn = (status: string) =>
      observedOn(label, { variables: pluginVariables(flavor, "legacy", "replica", { rpl_semi_sync_slave_enabled: "ON" }), status: { Rpl_semi_sync_slave_status: status }, channels: [defaultChannel()] });

    it(`${label}: a replica found off and still on is switched off, its IO thread restarted`, () => {
      const plan = planBuiltInTeardown("replica", replicaOn("ON"), flavor, { foundEnabled: false });
      assert.deepEqual(sqlOf(plan!.statements), ["SET GLOBAL rpl_semi_sync_slave_enabled = OFF", "STOP REPLICA IO_THREAD", "START REPLICA IO_THREAD"]);
      assert.equal(plan!.expectReplicaStatus, "OFF");
    });

    it(`${label}: a source is left on (its enablement switches it off; a replaced plugin's delete must not)`, () => {
      const observed = observedOn(label, { variables: pluginVariables(flavor, "legacy", "source", { rpl_semi_sync_master_enabled: "ON" }) });
      assert.equal(planBuiltInTeardown("source", observed, flavor, { foundEnabled: false }), undefined);
      assert.equal(planBuiltInTeardown("source", observed, flavor, { foundEnabled: true, removeAdopted: true }), undefined);
    });

    it(`${label}: nothing when already off, when found on (adopted), or when what was found is unknown (older state)`, () => {
      const off = observedOn(label, { variables: pluginVariables(flavor, "legacy", "replica"), channels: [defaultChannel()] });
      assert.equal(planBuiltInTeardown("replica", off, flavor, { foundEnabled: false }), undefined);
      assert.equal(planBuiltInTeardown("replica", replicaOn("ON"), flavor, { foundEnabled: true }), undefined);
      assert.equal(planBuiltInTeardown("replica", replicaOn("ON"), flavor, {}), undefined);
    });

    it(`${label}: removeAdopted switches off what was found on too`, () => {
      assert.ok(planBuiltInTeardown("replica", replicaOn("ON"), flavor, { foundEnabled: true, removeAdopted: true }));
    });
  }

  it("plans nothing where plugins are uninstalled instead (MySQL)", () => {
    const flavor = flavorOf("MySQL 9.7");
    const on = observedOn("MySQL 9.7", { plugins: [pluginRow("rpl_semi_sync_replica")], variables: pluginVariables(flavor, "modern", "replica", { rpl_semi_sync_replica_enabled: "ON" }), channels: [defaultChannel()] });
    assert.equal(planBuiltInTeardown("replica", on, flavor, { foundEnabled: false }), undefined);
  });
});
