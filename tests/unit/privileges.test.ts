import * as assert from "node:assert/strict";
import { flavorById, grantFor } from "../../provider/flavors/generations";
import { MemberView, preflightRefusals } from "../../provider/plan/preflight";
import { globalPrivilegesOfGrants, missingPrivileges, privilegeNeeds } from "../../provider/plan/privileges";
import { AccountPrivileges } from "../../provider/types";
import { defaultChannel, flavorOf, observedOn, pluginRow, pluginVariables } from "./fixtures";

const ACCOUNT = "'semisync'@'%'";
const account = (global: string[], more: Partial<AccountPrivileges> = {}): AccountPrivileges => ({ account: ACCOUNT, global, ...more });

describe("privilegeNeeds: what making a member semisync needs, per flavor", () => {
  it("MySQL 9.7 without plugins: install, then switch on; a replica also restarts its IO thread", () => {
    const flavor = flavorOf("MySQL 9.7");
    assert.deepEqual(privilegeNeeds("source", observedOn("MySQL 9.7"), flavor), ["installPlugin", "setSourceVariable"]);
    assert.deepEqual(privilegeNeeds("replica", observedOn("MySQL 9.7"), flavor), ["installPlugin", "setReplicaVariable", "restartIoThread"]);
  });

  it("MySQL 9.7 with the plugin installed but off: only the switch (and the IO-thread restart)", () => {
    const flavor = flavorOf("MySQL 9.7");
    const observed = observedOn("MySQL 9.7", { plugins: [pluginRow("rpl_semi_sync_replica")], variables: pluginVariables(flavor, "modern", "replica") });
    assert.deepEqual(privilegeNeeds("replica", observed, flavor), ["setReplicaVariable", "restartIoThread"]);
  });

  it("a member already switched on needs nothing, unless its own resource is about to tune it", () => {
    const flavor = flavorOf("MySQL 9.7");
    const on = observedOn("MySQL 9.7", { plugins: [pluginRow("rpl_semi_sync_source")], variables: pluginVariables(flavor, "modern", "source", { rpl_semi_sync_source_enabled: "ON" }) });
    assert.deepEqual(privilegeNeeds("source", on, flavor), []);
    assert.deepEqual(privilegeNeeds("source", on, flavor, [{ sql: "SET PERSIST rpl_semi_sync_source_timeout = 1000", purpose: "" }]), ["setSourceVariable"]);
    assert.deepEqual(privilegeNeeds("source", on, flavor, [{ sql: "RESET PERSIST IF EXISTS rpl_semi_sync_source_enabled", purpose: "" }]), ["setSourceVariable"]);
  });

  it("MariaDB 10.11 and 11.8 build semisync in: never an install", () => {
    for (const label of ["MariaDB 10.11", "MariaDB 11.8"] as const) {
      const flavor = flavorOf(label);
      const variables = { ...pluginVariables(flavor, "legacy", "source"), ...pluginVariables(flavor, "legacy", "replica") };
      assert.deepEqual(privilegeNeeds("source", observedOn(label, { variables }), flavor), ["setSourceVariable"], label);
      assert.deepEqual(privilegeNeeds("replica", observedOn(label, { variables }), flavor), ["setReplicaVariable", "restartIoThread"], label);
    }
  });

  it("MySQL 5.7 installs its legacy plugin", () => {
    assert.deepEqual(privilegeNeeds("replica", observedOn("MySQL 5.7"), flavorOf("MySQL 5.7")), ["installPlugin", "setReplicaVariable", "restartIoThread"]);
  });
});

describe("missingPrivileges: the account against what the plan needs", () => {
  const ALL_NEEDS = ["installPlugin", "setReplicaVariable", "restartIoThread"] as const;

  it("the documented least-privilege grants (docs/preflight-and-grants.md) pass on MySQL 8.0+ and MariaDB 10.5.9+", () => {
    const mysql = account(["REPLICATION CLIENT", "SYSTEM_VARIABLES_ADMIN", "REPLICATION_SLAVE_ADMIN"], { canInsertPlugin: true });
    for (const id of ["mysql-8.0", "mysql-8.4", "mysql-9.5"]) {
      assert.equal(missingPrivileges([...ALL_NEEDS, "setSourceVariable"], mysql, flavorById(id)), undefined, id);
    }
    // As MariaDB 10.5 and 11.8 list them in USER_PRIVILEGES (REPLICA MONITOR shows as SLAVE MONITOR).
    const mariadb = account(["REPLICATION SLAVE ADMIN", "REPLICATION MASTER ADMIN", "SLAVE MONITOR"]);
    for (const id of ["mariadb-10.5.9", "mariadb-11.0.1"]) {
      assert.equal(missingPrivileges(["setSourceVariable", "setReplicaVariable", "restartIoThread"], mariadb, flavorById(id)), undefined, id);
    }
  });

  it("a missing privilege is named with what it is for and the GRANT statement that adds it", () => {
    const refusal = missingPrivileges([...ALL_NEEDS], account(["REPLICATION CLIENT", "SYSTEM_VARIABLES_ADMIN"], { canInsertPlugin: true }), flavorById("mysql-9.5"));
    assert.match(refusal!.message, /account 'semisync'@'%' lacks REPLICATION_SLAVE_ADMIN \(for STOP\/START REPLICA IO_THREAD\)/);
    assert.match(refusal!.fix, /^GRANT REPLICATION_SLAVE_ADMIN ON \*\.\* TO 'semisync'@'%';/);
  });

  it("several missing privileges: one GRANT on *.*, one on mysql.plugin", () => {
    const refusal = missingPrivileges([...ALL_NEEDS], account(["USAGE"], { canInsertPlugin: false }), flavorById("mysql-9.5"));
    assert.match(refusal!.message, /lacks INSERT on mysql\.plugin \(for INSTALL PLUGIN\) and SYSTEM_VARIABLES_ADMIN .* and REPLICATION_SLAVE_ADMIN/);
    assert.match(refusal!.fix, /^GRANT SYSTEM_VARIABLES_ADMIN, REPLICATION_SLAVE_ADMIN ON \*\.\* TO 'semisync'@'%'; GRANT INSERT ON mysql\.plugin TO 'semisync'@'%';/);
  });

  it("MariaDB 10.5.2+ asks for its split privileges, per side", () => {
    const refusal = missingPrivileges(["setSourceVariable"], account(["REPLICATION SLAVE ADMIN", "SLAVE MONITOR"]), flavorById("mariadb-10.5.9"));
    assert.match(refusal!.fix, /^GRANT REPLICATION MASTER ADMIN ON \*\.\* TO 'semisync'@'%';/);
    assert.equal(missingPrivileges(["restartIoThread"], account(["REPLICATION REPLICA ADMIN"]), flavorById("mariadb-10.5.9")), undefined, "the alias counts");
    const both = missingPrivileges(["setReplicaVariable", "restartIoThread"], account(["SLAVE MONITOR"]), flavorById("mariadb-10.5.9"));
    assert.match(both!.message, /lacks REPLICATION SLAVE ADMIN \(for SET GLOBAL of the replica's rpl_semi_sync_\* variables and STOP\/START REPLICA IO_THREAD\)\.$/, "one privilege, named once");
    assert.match(both!.fix, /^GRANT REPLICATION SLAVE ADMIN ON \*\.\* TO 'semisync'@'%'; \(on this server/);
  });

  it("SUPER suffices on MySQL 5.7 and 8.0+ and MariaDB before 11.0.1, not on 11.0.1+", () => {
    const superOnly = account(["SUPER"], { canInsertPlugin: true });
    for (const id of ["mysql-5.7", "mysql-8.0", "mysql-9.5", "mariadb-10.0", "mariadb-10.5.1", "mariadb-10.5.2", "mariadb-10.5.9"]) {
      assert.equal(missingPrivileges([...ALL_NEEDS, "setSourceVariable"], superOnly, flavorById(id)), undefined, id);
    }
    const refusal = missingPrivileges(["setSourceVariable", "restartIoThread"], superOnly, flavorById("mariadb-11.0.1"));
    assert.match(refusal!.fix, /^GRANT REPLICATION MASTER ADMIN, REPLICATION SLAVE ADMIN ON \*\.\* TO 'semisync'@'%';/);
  });

  it("privileges of an active role count, read from SHOW GRANTS as MySQL and MariaDB print it", () => {
    const mysqlRole = account(["USAGE"], {
      activeRoles: "`semisync_role`@`%`",
      canInsertPlugin: true,
      grantLines: ["GRANT REPLICATION CLIENT ON *.* TO `viarole`@`%`", "GRANT REPLICATION_SLAVE_ADMIN,SYSTEM_VARIABLES_ADMIN ON *.* TO `viarole`@`%`", "GRANT `semisync_role`@`%` TO `viarole`@`%`"],
    });
    assert.equal(missingPrivileges([...ALL_NEEDS], mysqlRole, flavorById("mysql-9.5")), undefined);
    const mariadbRole = account(["USAGE"], {
      activeRoles: "semisync_role",
      grantLines: ["GRANT `semisync_role` TO `viarole`@`%`", "GRANT USAGE ON *.* TO `viarole`@`%`", "GRANT SLAVE MONITOR, REPLICATION SLAVE ADMIN, REPLICATION MASTER ADMIN ON *.* TO `semisync_role`"],
    });
    assert.equal(missingPrivileges(["setReplicaVariable", "restartIoThread"], mariadbRole, flavorById("mariadb-11.0.1")), undefined);
    const short = account(["USAGE"], { activeRoles: "monitor", grantLines: ["GRANT SLAVE MONITOR ON *.* TO `monitor`"] });
    assert.match(missingPrivileges(["restartIoThread"], short, flavorById("mariadb-11.0.1"))!.message, /lacks REPLICATION SLAVE ADMIN .* Its active role\(s\) monitor were read as well/);
  });

  it("ALL PRIVILEGES on *.* holds every global privilege", () => {
    assert.equal(missingPrivileges(["setSourceVariable"], account(["USAGE"], { activeRoles: "dba", grantLines: ["GRANT ALL PRIVILEGES ON *.* TO `dba`"] }), flavorById("mariadb-11.0.1")), undefined);
  });

  it("the install privilege is the server's own answer to EXPLAIN INSERT, whatever USER_PRIVILEGES lists", () => {
    // A global INSERT with a partial revoke on `mysql` lists INSERT, but the server refuses it.
    const refusal = missingPrivileges(["installPlugin"], account(["INSERT", "DELETE"], { canInsertPlugin: false }), flavorById("mysql-9.5"));
    assert.match(refusal!.fix, /^GRANT INSERT ON mysql\.plugin TO 'semisync'@'%';/);
  });

  it("privileges that could not be read refuse: the check cannot decide", () => {
    assert.match(missingPrivileges(["setSourceVariable"], account([]), flavorById("mysql-9.5"))!.message, /could not be read .* cannot be decided/);
    assert.match(missingPrivileges(["setSourceVariable"], undefined, flavorById("mysql-9.5"))!.message, /cannot be decided/);
    assert.equal(missingPrivileges([], undefined, flavorById("mysql-9.5")), undefined, "nothing needed, nothing read");
  });
});

describe("globalPrivilegesOfGrants: only GRANT … ON *.* lines count", () => {
  it("reads global lines, skips table, schema and role lines", () => {
    assert.deepEqual(
      globalPrivilegesOfGrants([
        "GRANT REPLICATION_SLAVE_ADMIN,SYSTEM_VARIABLES_ADMIN ON *.* TO `u`@`%`",
        "GRANT INSERT, DELETE ON `mysql`.`plugin` TO `u`@`%`",
        "GRANT SELECT ON `performance_schema`.* TO `u`@`%`",
        "GRANT `r`@`%` TO `u`@`%`",
        "GRANT REPLICA MONITOR ON *.* TO `u`@`%` IDENTIFIED BY PASSWORD '*ABC'",
      ]),
      ["REPLICATION_SLAVE_ADMIN", "SYSTEM_VARIABLES_ADMIN", "SLAVE MONITOR"],
    );
  });
});

describe("grantFor: the GRANT clause per need and generation", () => {
  it("names the generation's privilege", () => {
    assert.equal(grantFor("restartIoThread", flavorById("mariadb-11.0.1")), "REPLICATION SLAVE ADMIN ON *.*");
    assert.equal(grantFor("setSourceVariable", flavorById("mysql-5.7")), "SUPER ON *.*");
    assert.equal(grantFor("installPlugin", flavorById("mysql-9.5")), "INSERT ON mysql.plugin");
  });
});

describe("preflightRefusals: privileges of the accounts the resources change members with", () => {
  const replica = (privileges: AccountPrivileges | undefined, checkPrivileges = true): MemberView => ({
    server: "r1:3306",
    role: "replica",
    terminology: "automatic",
    flavor: flavorOf("MySQL 9.7"),
    observed: observedOn("MySQL 9.7", { channels: [defaultChannel()] }),
    checkPrivileges,
    privileges,
  });

  it("refuses a member whose account lacks a privilege, naming it", () => {
    const [refusal] = preflightRefusals([replica(account(["REPLICATION CLIENT", "SYSTEM_VARIABLES_ADMIN"], { canInsertPlugin: true }))]);
    assert.equal(refusal.server, "r1:3306");
    assert.match(refusal.message, /lacks REPLICATION_SLAVE_ADMIN/);
  });

  it("a source is checked as well: its install and its switch", () => {
    const source: MemberView = {
      server: "s:3306",
      role: "source",
      terminology: "automatic",
      flavor: flavorOf("MySQL 9.7"),
      observed: observedOn("MySQL 9.7"),
      checkPrivileges: true,
      privileges: account(["REPLICATION CLIENT"], { canInsertPlugin: false }),
    };
    const [refusal] = preflightRefusals([source]);
    assert.equal(refusal.server, "s:3306");
    assert.match(refusal.fix, /^GRANT SYSTEM_VARIABLES_ADMIN ON \*\.\* TO 'semisync'@'%'; GRANT INSERT ON mysql\.plugin TO 'semisync'@'%';/);
  });

  it("does not judge a declared source's account, which only reads", () => {
    assert.deepEqual(preflightRefusals([replica(undefined, false)]), []);
  });
});
