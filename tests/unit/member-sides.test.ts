import * as assert from "node:assert/strict";
import { enabledVariable, sideNames } from "../../provider/flavors/names";
import { planEnablement } from "../../provider/plan/enablement-plan";
import { acknowledgingReplicas, memberSides, planMembers, waitCountRefusal } from "../../provider/plan/member-sides";
import { planPluginInstall } from "../../provider/plan/plugin-plan";
import { MemberView, familyRefusals, preflightRefusals } from "../../provider/plan/preflight";
import { privilegeNeeds } from "../../provider/plan/privileges";
import { MemberPlan, ResolvedTerminology, ResourceRef } from "../../provider/types";
import { VersionLabel, defaultChannel, expectPlanError, flavorOf, observedOn, pluginRow, pluginVariables, sqlOf } from "./fixtures";

const source = { role: "source" as const, acknowledge: true };
const replica = { role: "replica" as const, acknowledge: true };
const asyncReplica = { role: "replica" as const, acknowledge: false };

describe("memberSides: which side a member has and which is on, from its declared role", () => {
  it("without failoverReady: the source has only the source side, a replica only the replica side", () => {
    assert.deepEqual(memberSides(source, false, true), {
      source: { present: true, enabled: true, standby: false },
      replica: { present: false, enabled: false, standby: true },
    });
    assert.deepEqual(memberSides(replica, false, true), {
      source: { present: false, enabled: false, standby: false },
      replica: { present: true, enabled: true, standby: false },
    });
  });

  it("with failoverReady: both sides everywhere; source side on only on the source, replica side on the source (standby) and on acknowledging replicas", () => {
    assert.deepEqual(memberSides(source, true, true), {
      source: { present: true, enabled: true, standby: false },
      replica: { present: true, enabled: true, standby: true },
    });
    assert.deepEqual(memberSides(replica, true, true), {
      source: { present: true, enabled: false, standby: false },
      replica: { present: true, enabled: true, standby: false },
    });
  });

  it("an async-only replica keeps its replica side present but off, with and without failoverReady", () => {
    for (const failoverReady of [false, true]) {
      const sides = memberSides(asyncReplica, failoverReady, true);
      assert.deepEqual(sides.replica, { present: true, enabled: false, standby: false }, `failoverReady ${failoverReady}`);
      assert.equal(sides.source.enabled, false);
    }
  });

  it("the source side stays off when too few replicas acknowledge", () => {
    assert.equal(memberSides(source, true, false).source.enabled, false);
    assert.equal(memberSides(source, false, false).source.enabled, false);
  });

  it("a role flip changes only enabled and standby, never which sides are present, with failoverReady", () => {
    const before = memberSides(source, true, true);
    const after = memberSides(replica, true, true);
    assert.equal(before.source.present, after.source.present);
    assert.equal(before.replica.present, after.replica.present);
    assert.notEqual(before.source.enabled, after.source.enabled);
  });
});

describe("waitForReplicaCount counts acknowledging replicas only", () => {
  it("counts replicas without acknowledge: false", () => {
    assert.equal(acknowledgingReplicas([source, replica, asyncReplica, replica]), 2);
  });

  it("refuses a count above the acknowledging replicas, naming the component and the fix", () => {
    const message = waitCountRefusal("orders", 2, [source, replica, asyncReplica]);
    assert.match(message!, /SemisyncReplication orders: waitForReplicaCount is 2 but only 1 acknowledging replica\(s\) are declared \(1 more with acknowledge: false/);
    assert.match(message!, /set acknowledge: true on enough of them/);
    assert.match(waitCountRefusal("orders", 3, [source, replica, replica])!, /waitForReplicaCount is 3 but only 2 replica\(s\) are declared/);
  });

  it("accepts a count the acknowledging replicas reach, an undeclared count, and a topology with no replicas left", () => {
    assert.equal(waitCountRefusal("orders", 1, [source, replica, asyncReplica]), undefined);
    assert.equal(waitCountRefusal("orders", undefined, [source, asyncReplica]), undefined);
    assert.equal(waitCountRefusal("orders", 2, [source]), undefined);
  });
});

describe("planMembers: the order of every member's resources (dependsOn)", () => {
  const id = (r: ResourceRef) => `${r.member}/${r.side}/${r.kind}`;
  const depsOf = (plans: MemberPlan[], key: string, side: "source" | "replica", kind: "plugin" | "enablement") =>
    plans
      .find((p) => p.key === key)!
      .dependsOn[side][kind].map(id)
      .sort();

  it("without failoverReady: 0.1.0's order (source plugin → replica plugins → replicas on → source on)", () => {
    const plans = planMembers(
      [
        { key: "s", ...source },
        { key: "a", ...replica },
        { key: "b", ...replica },
      ],
      false,
      true,
    );
    assert.deepEqual(depsOf(plans, "s", "source", "plugin"), []);
    assert.deepEqual(depsOf(plans, "a", "replica", "plugin"), ["s/source/plugin"]);
    assert.deepEqual(depsOf(plans, "a", "replica", "enablement"), ["a/replica/plugin", "s/source/plugin"]);
    assert.deepEqual(depsOf(plans, "s", "source", "enablement"), ["a/replica/enablement", "b/replica/enablement", "s/source/plugin"]);
  });

  it("with failoverReady: every other member's source side goes off before its replica side changes and before the source's side goes on", () => {
    // After a failover: B is the source, A (the old source) and C replicas.
    const plans = planMembers(
      [
        { key: "B", ...source },
        { key: "A", ...replica },
        { key: "C", ...replica },
      ],
      true,
      true,
    );
    assert.deepEqual(depsOf(plans, "A", "source", "enablement"), ["A/source/plugin"]);
    assert.deepEqual(depsOf(plans, "A", "replica", "enablement"), ["A/replica/plugin", "A/source/enablement", "B/source/plugin"]);
    assert.deepEqual(depsOf(plans, "B", "source", "enablement"), ["A/replica/enablement", "A/source/enablement", "B/source/plugin", "C/replica/enablement", "C/source/enablement"]);
    // The source's own replica side is idle: it waits for nothing but its plugin.
    assert.deepEqual(depsOf(plans, "B", "replica", "enablement"), ["B/replica/plugin"]);
    assert.deepEqual(depsOf(plans, "B", "replica", "plugin"), []);
  });

  it("an async-only replica's replica side changes after the source's side, which does not wait for it", () => {
    for (const failoverReady of [false, true]) {
      const plans = planMembers(
        [
          { key: "s", ...source },
          { key: "a", ...replica },
          { key: "x", ...asyncReplica },
        ],
        failoverReady,
        true,
      );
      assert.ok(depsOf(plans, "x", "replica", "enablement").includes("s/source/enablement"), `failoverReady ${failoverReady}`);
      assert.ok(!depsOf(plans, "s", "source", "enablement").includes("x/replica/enablement"));
      assert.ok(depsOf(plans, "s", "source", "enablement").includes("a/replica/enablement"));
    }
  });

  it("the dependencies form no cycle", () => {
    const plans = planMembers(
      [
        { key: "s", ...source },
        { key: "a", ...replica },
        { key: "x", ...asyncReplica },
      ],
      true,
      true,
    );
    const deps = new Map<string, string[]>();
    for (const p of plans) for (const side of ["source", "replica"] as const) for (const kind of ["plugin", "enablement"] as const) deps.set(`${p.key}/${side}/${kind}`, p.dependsOn[side][kind].map(id));
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (node: string) => {
      if (done.has(node)) return;
      assert.ok(!visiting.has(node), `cycle through ${node}`);
      visiting.add(node);
      for (const next of deps.get(node) ?? []) visit(next);
      visiting.delete(node);
      done.add(node);
    };
    for (const node of deps.keys()) visit(node);
  });
});

// The replica side of a failover-ready source: no replication channel, per flavor.
const STANDBY_FLAVORS: { label: VersionLabel; terminology: ResolvedTerminology }[] = [
  { label: "MySQL 8.0.25", terminology: "legacy" },
  { label: "MySQL 8.4", terminology: "modern" },
  { label: "MySQL 9.7", terminology: "modern" },
  { label: "MariaDB 10.11", terminology: "legacy" },
];

describe("standby: the replica side of a server that replicates from no one", () => {
  for (const c of STANDBY_FLAVORS) {
    const flavor = flavorOf(c.label);
    const noChannel = observedOn(c.label, { variables: pluginVariables(flavor, c.terminology, "replica"), channels: [] });
    const desired = { role: "replica" as const, enabled: true, settings: {}, persist: false, restartIoThread: false };

    it(`${c.label}: switches the replica side on without a channel, with no IO thread restart, and expects no registration`, () => {
      const plan = planEnablement({ ...desired, standby: true }, noChannel, flavor);
      assert.deepEqual(sqlOf(plan.statements), [`SET GLOBAL ${enabledVariable(c.terminology, "replica")} = ON`]);
      assert.equal(plan.expectReplicaStatus, undefined);
    });

    it(`${c.label}: an ordinary replica with no channel is still refused (a likely wrong host)`, () => {
      expectPlanError(() => planEnablement({ ...desired, restartIoThread: true }, noChannel, flavor), /replication is not configured/);
    });

    it(`${c.label}: the replica plugin installs on a standby without a channel, and is refused on an ordinary replica without one`, () => {
      const empty = observedOn(c.label, { channels: [] });
      const plan = planPluginInstall("replica", "automatic", empty, flavor, { standby: true });
      assert.equal(plan.names.plugin, sideNames(c.terminology, "replica").plugin);
      expectPlanError(() => planPluginInstall("replica", "automatic", empty, flavor), /replication is not configured/);
    });
  }
});

describe("one name family per failover-ready member", () => {
  it("MySQL 8.4 with the legacy replica plugin installed: its new source side is rpl_semi_sync_master, not rpl_semi_sync_source", () => {
    const observed = observedOn("MySQL 8.4", { plugins: [pluginRow("rpl_semi_sync_slave")], channels: [defaultChannel()] });
    assert.equal(planPluginInstall("source", "automatic", observed, flavorOf("MySQL 8.4"), { matchOtherSide: true }).names.plugin, "rpl_semi_sync_master");
    // Without failoverReady each side keeps the server's preferred names, as before.
    assert.equal(planPluginInstall("source", "automatic", observed, flavorOf("MySQL 8.4")).names.plugin, "rpl_semi_sync_source");
  });

  it("MySQL 8.4 with the modern source plugin installed: its new replica side is rpl_semi_sync_replica", () => {
    const observed = observedOn("MySQL 8.4", { plugins: [pluginRow("rpl_semi_sync_source")] });
    assert.equal(planPluginInstall("replica", "automatic", observed, flavorOf("MySQL 8.4"), { matchOtherSide: true, standby: true }).names.plugin, "rpl_semi_sync_replica");
  });

  it("a pinned terminology wins, and MySQL 9.7 (new names only) ignores a family it does not ship", () => {
    const legacyReplica = observedOn("MySQL 8.4", { plugins: [pluginRow("rpl_semi_sync_slave")] });
    assert.equal(planPluginInstall("source", "modern", legacyReplica, flavorOf("MySQL 8.4"), { matchOtherSide: true }).names.plugin, "rpl_semi_sync_source");
    const odd = observedOn("MySQL 9.7", { plugins: [pluginRow("rpl_semi_sync_slave")] });
    assert.equal(planPluginInstall("source", "automatic", odd, flavorOf("MySQL 9.7"), { matchOtherSide: true }).names.plugin, "rpl_semi_sync_source");
  });
});

describe("preflight of a failover-ready topology", () => {
  const view = (label: VersionLabel, role: "source" | "replica", server: string, overrides: Partial<MemberView> = {}): MemberView => ({
    server,
    role,
    terminology: "automatic",
    flavor: flavorOf(label),
    observed: observedOn(label, role === "replica" ? { channels: [defaultChannel({ sourceHost: "127.0.0.1", sourcePort: 3306 })] } : {}),
    failoverReady: true,
    declaredSource: role === "replica" ? { host: "127.0.0.1", port: 3306 } : undefined,
    ...overrides,
  });

  it("checks both plugins on every member: a replica whose source plugin is broken refuses", () => {
    const broken = view("MySQL 9.7", "replica", "r1:3306", {
      observed: observedOn("MySQL 9.7", { plugins: [pluginRow("rpl_semi_sync_source", "DISABLED")], channels: [defaultChannel({ sourceHost: "127.0.0.1", sourcePort: 3306 })] }),
    });
    const [refusal] = preflightRefusals([view("MySQL 9.7", "source", "127.0.0.1:3306"), broken]);
    assert.equal(refusal.server, "r1:3306");
    assert.match(refusal.message, /rpl_semi_sync_source is installed but its status is DISABLED/);
    // Without failoverReady that replica's source side is none of the topology's business.
    assert.deepEqual(preflightRefusals([view("MySQL 9.7", "source", "127.0.0.1:3306", { failoverReady: false }), { ...broken, failoverReady: false }]), []);
  });

  it("the source's replica side needs no replication channel", () => {
    assert.deepEqual(preflightRefusals([view("MySQL 9.7", "source", "127.0.0.1:3306"), view("MySQL 9.7", "replica", "r1:3306")]), []);
  });

  it("refuses a legacy-only member (MySQL 8.0.25) beside a member whose source side would be rpl_semi_sync_source, and passes once terminology is legacy", () => {
    const members = [view("MySQL 8.4", "source", "127.0.0.1:3306"), view("MySQL 8.0.25", "replica", "old:3306")];
    const [refusal] = familyRefusals(members);
    assert.equal(refusal.server, "old:3306");
    assert.match(refusal.message, /ships only the legacy semisync plugins.*rpl_semi_sync_source/);
    assert.match(refusal.fix, /terminology: "legacy"/);
    assert.deepEqual(familyRefusals(members.map((m) => ({ ...m, terminology: "legacy" as const }))), []);
  });

  it("mixes nothing where it cannot matter: all modern (MySQL 9.7), all MariaDB, MySQL 8.4 members keeping the legacy plugins they have", () => {
    assert.deepEqual(familyRefusals([view("MySQL 9.7", "source", "a:1"), view("MySQL 9.7", "replica", "b:1")]), []);
    assert.deepEqual(familyRefusals([view("MariaDB 10.11", "source", "a:1"), view("MariaDB 11.8", "replica", "b:1")]), []);
    const keepsLegacy = view("MySQL 8.4", "source", "a:1", { observed: observedOn("MySQL 8.4", { plugins: [pluginRow("rpl_semi_sync_master")] }) });
    assert.deepEqual(familyRefusals([keepsLegacy, view("MySQL 8.0.25", "replica", "b:1")]), []);
  });

  it("needs the privileges of both sides: the other side's install, and the source's standby replica switch", () => {
    const flavor = flavorOf("MySQL 9.7");
    const sourceOn = observedOn("MySQL 9.7", { plugins: [pluginRow("rpl_semi_sync_source")], variables: pluginVariables(flavor, "modern", "source", { rpl_semi_sync_source_enabled: "ON" }) });
    assert.deepEqual(privilegeNeeds("source", sourceOn, flavor), []);
    assert.deepEqual(privilegeNeeds("source", sourceOn, flavor, [], true), ["installPlugin", "setReplicaVariable"]);
    const replicaOn = observedOn("MySQL 9.7", { plugins: [pluginRow("rpl_semi_sync_replica")], variables: pluginVariables(flavor, "modern", "replica", { rpl_semi_sync_replica_enabled: "ON" }) });
    assert.deepEqual(privilegeNeeds("replica", replicaOn, flavor, [], true), ["installPlugin"]);
    const maria = flavorOf("MariaDB 10.11");
    const builtIn = observedOn("MariaDB 10.11", { variables: { ...pluginVariables(maria, "legacy", "source", { rpl_semi_sync_master_enabled: "ON" }), ...pluginVariables(maria, "legacy", "replica") } });
    assert.deepEqual(privilegeNeeds("source", builtIn, maria, [], true), ["setReplicaVariable"]);
  });
});
