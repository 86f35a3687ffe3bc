import * as assert from "node:assert/strict";
import { flavorById, requiredGrant } from "../../provider/flavors/generations";
import { InputFailure, UNKNOWN, checkEnablementInputs, checkPluginInputs, connectionSettings } from "../../provider/plan/inputs";
import { semisyncEnablementProvider } from "../../provider/crud/enablement-provider";
import { semisyncPluginProvider } from "../../provider/crud/plugin-provider";

const connection = { host: "db1.example.com", port: 3306, user: "semisync" };

function failureOf(failures: InputFailure[], property: string): InputFailure {
  const failure = failures.find((f) => f.property === property);
  assert.ok(failure, `expected a failure for ${property}, got ${JSON.stringify(failures)}`);
  return failure;
}

function onlyFailure(failures: InputFailure[], property: string, ...patterns: RegExp[]): InputFailure {
  assert.deepEqual(
    failures.map((f) => f.property),
    [property],
    `expected exactly one failure, for ${property}: ${JSON.stringify(failures)}`,
  );
  const failure = failures[0];
  assert.ok(failure.reason.includes(property), `the reason names ${property}: ${failure.reason}`);
  for (const pattern of patterns) assert.match(failure.reason, pattern);
  return failure;
}

describe("checkPluginInputs", () => {
  it("accepts a complete declaration", () => {
    assert.deepEqual(checkPluginInputs({ connection, role: "source" }), []);
    assert.deepEqual(checkPluginInputs({ connection: { host: "10.0.0.5", user: "u" }, role: "replica", terminology: "legacy", password: "p'\";" }), []);
  });

  it("refuses a missing role, naming source and replica", () => {
    onlyFailure(checkPluginInputs({ connection }), "role", /required/, /"source", "replica"/);
  });

  it("refuses role primary, naming source and replica", () => {
    onlyFailure(checkPluginInputs({ connection, role: "primary" }), "role", /"source", "replica"/, /"primary"/);
  });

  it("refuses terminology new, naming automatic, modern and legacy", () => {
    onlyFailure(checkPluginInputs({ connection, role: "source", terminology: "new" }), "terminology", /"automatic", "modern", "legacy"/);
  });

  it("refuses a missing connection", () => {
    onlyFailure(checkPluginInputs({ role: "source" }), "connection", /host/);
  });

  for (const port of [0, 70_000, -1, 3306.5]) {
    it(`refuses connection.port ${port}, naming the range 1 to 65535`, () => {
      onlyFailure(checkPluginInputs({ connection: { ...connection, port }, role: "source" }), "connection.port", /1 to 65535/);
    });
  }

  it('refuses connection.port "3306" given as a string', () => {
    onlyFailure(checkPluginInputs({ connection: { ...connection, port: "3306" }, role: "source" }), "connection.port", /1 to 65535/, /"3306"/);
  });

  for (const host of ["db'; DROP TABLE x; --", "db;1", "db 1", " db1", 'db"1', "db`1", "db\\1", "db\u00001", "db\t1"]) {
    it(`refuses connection.host ${JSON.stringify(host)}`, () => {
      onlyFailure(checkPluginInputs({ connection: { ...connection, host }, role: "source" }), "connection.host", /not a host name or address/);
    });
  }

  it("accepts IPv4, IPv6 and DNS host names", () => {
    for (const host of ["127.0.0.1", "::1", "fe80::1%eth0", "mysql-0.mysql.default.svc.cluster.local"]) {
      assert.deepEqual(checkPluginInputs({ connection: { ...connection, host }, role: "source" }), [], host);
    }
  });

  for (const [what, c] of [
    ["an empty user", { ...connection, user: "" }],
    ["a blank user", { ...connection, user: "   " }],
    ["a missing user", { host: "db1" }],
  ] as const) {
    it(`refuses ${what}`, () => {
      onlyFailure(checkPluginInputs({ connection: c, role: "source" }), "connection.user", /non-empty string/);
    });
  }

  it("refuses an empty host", () => {
    onlyFailure(checkPluginInputs({ connection: { ...connection, host: "" }, role: "source" }), "connection.host", /non-empty string/);
  });

  it("refuses connectTimeoutMs 0 and statementTimeoutMs above an hour", () => {
    const failures = checkPluginInputs({ connection: { ...connection, connectTimeoutMs: 0, statementTimeoutMs: 3_600_001 }, role: "source" });
    assert.match(failureOf(failures, "connection.connectTimeoutMs").reason, /1 to 600000/);
    assert.match(failureOf(failures, "connection.statementTimeoutMs").reason, /1 to 3600000/);
  });

  it("reports every failure at once", () => {
    const failures = checkPluginInputs({ connection: { host: "a b", user: "", port: 0 }, role: "primary", terminology: "x" });
    assert.deepEqual(failures.map((f) => f.property).sort(), ["connection.host", "connection.port", "connection.user", "role", "terminology"]);
  });

  it("lets the unknown sentinel through for every field", () => {
    assert.deepEqual(checkPluginInputs({ connection: UNKNOWN, role: UNKNOWN, terminology: UNKNOWN }), []);
    assert.deepEqual(
      checkPluginInputs({
        connection: { host: UNKNOWN, user: UNKNOWN, port: UNKNOWN, connectTimeoutMs: UNKNOWN, statementTimeoutMs: UNKNOWN },
        role: "replica",
        terminology: UNKNOWN,
        password: UNKNOWN,
      }),
      [],
    );
  });

  it("is what the plugin provider's check reports", async () => {
    const result = await semisyncPluginProvider.check!({} as never, { connection, role: "primary" } as never);
    onlyFailure(result.failures ?? [], "role", /"source", "replica"/);
  });
});

describe("checkEnablementInputs", () => {
  const base = { connection, role: "source" };

  it("accepts a complete source declaration", () => {
    assert.deepEqual(checkEnablementInputs({ ...base, enabled: true, persist: true, restartIoThread: false, timeoutMs: 10_000, waitForReplicaCount: 2, waitNoReplica: true, waitPoint: "AFTER_SYNC", traceLevel: 32 }), []);
  });

  it("accepts a replica with a trace level", () => {
    assert.deepEqual(checkEnablementInputs({ connection, role: "replica", traceLevel: 1 | 16 | 64, replicaStatusTimeoutMs: 0 }), []);
  });

  it("refuses a missing role, naming source and replica", () => {
    onlyFailure(checkEnablementInputs({ connection }), "role", /"source", "replica"/);
  });

  it("refuses role primary, naming source and replica", () => {
    onlyFailure(checkEnablementInputs({ connection, role: "primary" }), "role", /"source", "replica"/);
  });

  it("refuses waitPoint AFTER_SYNCH, naming AFTER_SYNC and AFTER_COMMIT", () => {
    onlyFailure(checkEnablementInputs({ ...base, waitPoint: "AFTER_SYNCH" }), "waitPoint", /"AFTER_SYNC", "AFTER_COMMIT"/, /"AFTER_SYNCH"/);
  });

  it("refuses waitPoint after_sync in lower case", () => {
    onlyFailure(checkEnablementInputs({ ...base, waitPoint: "after_sync" }), "waitPoint", /"AFTER_SYNC", "AFTER_COMMIT"/);
  });

  for (const timeoutMs of [-1, 1.5, "1000"]) {
    it(`refuses timeoutMs ${JSON.stringify(timeoutMs)}, naming the range 0 to 18446744073709551615`, () => {
      onlyFailure(checkEnablementInputs({ ...base, timeoutMs }), "timeoutMs", /0 to 18446744073709551615/);
    });
  }

  // rpl_semi_sync_source_timeout is declared with minimum 0 and maximum ~0UL in
  // semisync_source_plugin.cc, so 0 is a value the server accepts (the source falls back to
  // asynchronous at once) and so is anything up to 2^64 - 1 on a 64-bit build (measured on MySQL
  // 9.7, MariaDB 10.5, 10.11 and 11.8); a 32-bit build's narrower limit is the plan's to refuse.
  it("accepts timeoutMs 0, 4294967295, 4294967296, Vitess's 1000000000000000000 and 18446744073709549568", () => {
    for (const timeoutMs of [0, 4_294_967_295, 4_294_967_296, 1_000_000_000_000_000_000, 18_446_744_073_709_549_568]) {
      assert.deepEqual(checkEnablementInputs({ ...base, timeoutMs }), [], `timeoutMs ${timeoutMs}`);
    }
  });

  it("refuses timeoutMs 18446744073709551615, which JavaScript rounds to 2^64, naming the largest value that survives the rounding", () => {
    // The literal is the point: a program that writes 2^64 - 1 hands over 2^64.
    // eslint-disable-next-line no-loss-of-precision
    const failure = onlyFailure(checkEnablementInputs({ ...base, timeoutMs: 18446744073709551615 }), "timeoutMs", /0 to 18446744073709551615/, /got 18446744073709551616/);
    assert.match(failure.reason, /rounded/);
    assert.match(failure.reason, /18446744073709549568/);
  });

  for (const waitForReplicaCount of [0, 70_000, 65_536]) {
    it(`refuses waitForReplicaCount ${waitForReplicaCount}, naming the range 1 to 65535`, () => {
      onlyFailure(checkEnablementInputs({ ...base, waitForReplicaCount }), "waitForReplicaCount", /1 to 65535/);
    });
  }

  for (const traceLevel of [2, -1, 128, 16.5]) {
    it(`refuses traceLevel ${traceLevel}, naming the bits 1, 16, 32, 64`, () => {
      onlyFailure(checkEnablementInputs({ ...base, traceLevel }), "traceLevel", /1, 16, 32, 64/);
    });
  }

  it("accepts traceLevel 0 and any sum of 1, 16, 32, 64", () => {
    for (const traceLevel of [0, 1, 16, 32, 64, 113]) assert.deepEqual(checkEnablementInputs({ ...base, traceLevel }), [], String(traceLevel));
  });

  it('refuses waitNoReplica "false" given as a string, and enabled "yes"', () => {
    const failures = checkEnablementInputs({ ...base, waitNoReplica: "false", enabled: "yes" });
    assert.match(failureOf(failures, "waitNoReplica").reason, /true or false/);
    assert.match(failureOf(failures, "enabled").reason, /true or false/);
  });

  for (const key of ["timeoutMs", "waitForReplicaCount", "waitNoReplica", "waitPoint"] as const) {
    const value = { timeoutMs: 1000, waitForReplicaCount: 1, waitNoReplica: true, waitPoint: "AFTER_SYNC" }[key];
    it(`refuses the source-only ${key} on a replica`, () => {
      onlyFailure(checkEnablementInputs({ connection, role: "replica", [key]: value }), key, /source only/);
    });
  }

  it("refuses a host with a quote and semicolon in an enablement's connection", () => {
    onlyFailure(checkEnablementInputs({ ...base, connection: { ...connection, host: "db'; DROP TABLE x; --" } }), "connection.host");
  });

  it("refuses replicaStatusTimeoutMs above ten minutes", () => {
    onlyFailure(checkEnablementInputs({ ...base, replicaStatusTimeoutMs: 600_001 }), "replicaStatusTimeoutMs", /0 to 600000/);
  });

  it("lets the unknown sentinel through for every field", () => {
    const everything = {
      connection: { host: UNKNOWN, user: UNKNOWN, port: UNKNOWN, connectTimeoutMs: UNKNOWN, statementTimeoutMs: UNKNOWN },
      password: UNKNOWN,
      role: UNKNOWN,
      enabled: UNKNOWN,
      persist: UNKNOWN,
      restartIoThread: UNKNOWN,
      replicaStatusTimeoutMs: UNKNOWN,
      timeoutMs: UNKNOWN,
      waitForReplicaCount: UNKNOWN,
      waitNoReplica: UNKNOWN,
      waitPoint: UNKNOWN,
      traceLevel: UNKNOWN,
    };
    assert.deepEqual(checkEnablementInputs(everything), []);
    assert.deepEqual(checkEnablementInputs({ ...everything, role: "replica" }), []);
    assert.deepEqual(checkEnablementInputs({ connection: UNKNOWN, role: "source" }), []);
  });

  it("is what the enablement provider's check reports", async () => {
    const result = await semisyncEnablementProvider.check!({} as never, { ...base, waitPoint: "AFTER_SYNCH" } as never);
    onlyFailure(result.failures ?? [], "waitPoint");
  });
});

describe("connectionSettings", () => {
  it("fills in port 3306 and the default timeouts", () => {
    assert.deepEqual(connectionSettings({ host: "db1", user: "u" }), { host: "db1", port: 3306, user: "u", tls: undefined, connectTimeoutMs: 30_000, statementTimeoutMs: 60_000 });
  });
});

describe("requiredGrant", () => {
  const cases: [string, string, string][] = [
    ["INSTALL PLUGIN rpl_semi_sync_source SONAME 'semisync_source.so'", "mysql-9.5", "INSERT ON mysql.plugin"],
    ["INSTALL PLUGIN rpl_semi_sync_master SONAME 'semisync_master.so'", "mysql-5.7", "INSERT ON mysql.plugin"],
    ["INSTALL PLUGIN rpl_semi_sync_master SONAME 'semisync_master.so'", "mariadb-10.0", "INSERT ON mysql.plugin"],
    ["UNINSTALL PLUGIN rpl_semi_sync_source", "mysql-8.4", "DELETE ON mysql.plugin"],
    ["SET GLOBAL rpl_semi_sync_source_enabled = ON", "mysql-8.4", "SYSTEM_VARIABLES_ADMIN ON *.*"],
    ["SET GLOBAL rpl_semi_sync_master_enabled = ON", "mysql-8.0", "SYSTEM_VARIABLES_ADMIN ON *.*"],
    ["SET GLOBAL rpl_semi_sync_master_enabled = ON", "mysql-5.7", "SUPER ON *.*"],
    ["SET PERSIST rpl_semi_sync_source_enabled = ON", "mysql-8.0.26", "SYSTEM_VARIABLES_ADMIN ON *.*"],
    ["RESET PERSIST IF EXISTS rpl_semi_sync_source_enabled", "mysql-8.4", "SYSTEM_VARIABLES_ADMIN ON *.*"],
    ["STOP REPLICA IO_THREAD", "mysql-8.0.22", "REPLICATION_SLAVE_ADMIN ON *.*"],
    ["START REPLICA IO_THREAD", "mysql-9.5", "REPLICATION_SLAVE_ADMIN ON *.*"],
    ["STOP SLAVE IO_THREAD", "mysql-8.0", "REPLICATION_SLAVE_ADMIN ON *.*"],
    ["STOP SLAVE IO_THREAD", "mysql-5.7", "SUPER ON *.*"],
    ["STOP SLAVE IO_THREAD", "mariadb-10.0", "SUPER ON *.*"],
    // MariaDB 10.5.1 speaks REPLICA but still checks SUPER and REPLICATION CLIENT.
    ["STOP REPLICA IO_THREAD", "mariadb-10.5.1", "SUPER ON *.*"],
    ["SET GLOBAL rpl_semi_sync_master_enabled = ON", "mariadb-10.5.1", "SUPER ON *.*"],
    ["SHOW ALL SLAVES STATUS", "mariadb-10.5.1", "REPLICATION CLIENT ON *.*"],
    // 10.5.2–10.5.8: SUPER split; SHOW SLAVE STATUS needs REPLICATION SLAVE ADMIN.
    ["STOP REPLICA IO_THREAD", "mariadb-10.5.2", "REPLICATION SLAVE ADMIN ON *.*"],
    ["SET GLOBAL rpl_semi_sync_master_enabled = ON", "mariadb-10.5.2", "REPLICATION MASTER ADMIN ON *.*"],
    ["SET GLOBAL rpl_semi_sync_slave_enabled = ON", "mariadb-10.5.2", "REPLICATION SLAVE ADMIN ON *.*"],
    ["SHOW ALL SLAVES STATUS", "mariadb-10.5.2", "REPLICATION SLAVE ADMIN ON *.*"],
    // 10.5.9+: REPLICA MONITOR reads replica status.
    ["SHOW ALL SLAVES STATUS", "mariadb-10.5.9", "REPLICA MONITOR ON *.*"],
    ["SET GLOBAL rpl_semi_sync_master_timeout = 1000", "mariadb-10.5.9", "REPLICATION MASTER ADMIN ON *.*"],
    ["START REPLICA IO_THREAD", "mariadb-10.5.9", "REPLICATION SLAVE ADMIN ON *.*"],
    ["SHOW REPLICA STATUS", "mysql-8.4", "REPLICATION CLIENT ON *.*"],
    ["SHOW SLAVE STATUS", "mysql-5.7", "REPLICATION CLIENT ON *.*"],
  ];
  for (const [sql, flavorId, grant] of cases) {
    it(`asks for ${grant} to run \`${sql}\` on ${flavorId}`, () => {
      assert.equal(requiredGrant(sql, flavorById(flavorId)), grant);
    });
  }
});
