import * as assert from "node:assert/strict";
import { MemberView, preflightRefusals, sourceMismatch } from "../../provider/plan/preflight";
import { replicaRegistration } from "../../provider/plan/replica-registration";
import { isUnreachable, semisyncError } from "../../provider/sql/errors";
import { readChannels } from "../../provider/sql/observe";
import { ResolvedTerminology } from "../../provider/types";
import { VersionLabel, defaultChannel, flavorOf, observedOn, pluginRow } from "./fixtures";

describe("sourceMismatch: is a replica's actual source its declared one", () => {
  const declared = { host: "10.0.0.1", port: 3306 };

  it("by server identity when the IO thread is connected, whatever the addresses say", () => {
    const viaTunnel = defaultChannel({ sourceHost: "db1.internal", sourcePort: 3306, sourceServerId: 1 });
    assert.equal(sourceMismatch(viaTunnel, { host: "127.0.0.1", port: 13306 }, 1), undefined);
    const failedOver = defaultChannel({ sourceHost: "10.0.0.1", sourcePort: 3306, sourceServerId: 7 });
    assert.match(sourceMismatch(failedOver, declared, 1)!, /replicates from 10\.0\.0\.1:3306 \(server_id 7\), but its declared source is 10\.0\.0\.1:3306 \(server_id 1\)/);
  });

  it("by address when the IO thread is not connected: the port always", () => {
    const connecting = defaultChannel({ ioRunning: "Connecting", sourceHost: "db1", sourcePort: 3307, sourceServerId: 1 });
    assert.match(sourceMismatch(connecting, { host: "db1", port: 3306 }, 1)!, /replicates from db1:3307, but its declared source is db1:3306/);
  });

  it("by address: IP literals that differ are different servers", () => {
    const channel = defaultChannel({ ioRunning: "Connecting", sourceHost: "10.0.0.2", sourcePort: 3306 });
    assert.match(sourceMismatch(channel, declared)!, /replicates from 10\.0\.0\.2:3306, but its declared source is 10\.0\.0\.1:3306/);
    assert.equal(sourceMismatch(defaultChannel({ ioRunning: "Connecting", sourceHost: "[10.0.0.1]", sourcePort: 3306 }), declared), undefined);
  });

  it("by address: names and loopback addresses are not compared, only the port", () => {
    for (const [actual, wanted] of [
      ["db1.example", "10.0.0.1"],
      ["db1", "db1.example"],
      ["127.0.0.1", "localhost"],
      ["::1", "10.0.0.1"],
      ["10.0.0.5", "127.0.0.1"],
    ]) {
      const channel = defaultChannel({ ioRunning: "Connecting", sourceHost: actual, sourcePort: 3306 });
      assert.equal(sourceMismatch(channel, { host: wanted, port: 3306 }), undefined, `${actual} vs ${wanted}`);
    }
  });

  it("without the declared source's identity, a connected replica is compared by address", () => {
    const channel = defaultChannel({ sourceHost: "10.0.0.2", sourcePort: 3306, sourceServerId: 2 });
    assert.match(sourceMismatch(channel, declared)!, /replicates from 10\.0\.0\.2:3306/);
  });
});

describe("replicaRegistration: ON counts only past the semisync handshake", () => {
  const CASES: { label: VersionLabel; terminology: ResolvedTerminology; waiting: string }[] = [
    { label: "MySQL 9.7", terminology: "modern", waiting: "Waiting for source to send event" },
    { label: "MySQL 8.0.25", terminology: "legacy", waiting: "Waiting for master to send event" },
    { label: "MariaDB 10.11", terminology: "legacy", waiting: "Waiting for master to send event" },
  ];
  for (const c of CASES) {
    const status = c.terminology === "modern" ? "Rpl_semi_sync_replica_status" : "Rpl_semi_sync_slave_status";
    const replica = (value: string, channel = defaultChannel({ ioState: c.waiting })) => observedOn(c.label, { status: { [status]: value }, channels: [channel] });

    it(`${c.label}: ON with the IO thread waiting for events is registered`, () => {
      assert.deepEqual(replicaRegistration(replica("ON"), c.terminology), { registered: true });
      const queueing = defaultChannel({ ioState: c.waiting.replace(/Waiting for (\w+) to send event/, "Queueing $1 event to the relay log") });
      assert.deepEqual(replicaRegistration(replica("ON", queueing), c.terminology), { registered: true });
    });

    it(`${c.label}: ON while the IO thread is still connecting or asking is not registered`, () => {
      for (const channel of [
        defaultChannel({ ioRunning: "Connecting", ioState: "Connecting to source" }),
        defaultChannel({ ioState: "Checking source version" }),
        defaultChannel({ ioState: "Requesting binlog dump" }),
        defaultChannel({ ioState: "" }),
      ]) {
        const registration = replicaRegistration(replica("ON", channel), c.terminology);
        assert.equal(registration.registered, false, channel.ioState);
        assert.match((registration as { reason: string }).reason, /has not finished connecting/);
      }
    });

    it(`${c.label}: OFF is never registered`, () => {
      const registration = replicaRegistration(replica("OFF"), c.terminology);
      assert.equal(registration.registered, false);
      assert.match((registration as { reason: string }).reason, new RegExp(`${status} OFF`));
    });
  }
});

describe("preflightRefusals: every member's seed requirements, before any change", () => {
  const member = (overrides: Partial<MemberView> & Pick<MemberView, "server" | "role">): MemberView => ({
    terminology: "automatic",
    flavor: flavorOf("MySQL 9.7"),
    observed: observedOn("MySQL 9.7", overrides.role === "replica" ? { channels: [defaultChannel({ sourceHost: "127.0.0.1", sourcePort: 3306, sourceServerId: 1 })] } : {}),
    ...overrides,
  });
  const source = () => {
    const m = member({ server: "127.0.0.1:3306", role: "source" });
    m.observed.facts.serverId = 1;
    return m;
  };
  const declaredSource = { host: "127.0.0.1", port: 3306 };

  it("a healthy source and replicas pass", () => {
    assert.deepEqual(preflightRefusals([source(), member({ server: "r1:3306", role: "replica", declaredSource }), member({ server: "r2:3306", role: "replica", declaredSource })]), []);
  });

  it("names each member that fails, with its fix", () => {
    const stopped = member({ server: "r2:3306", role: "replica", declaredSource, observed: observedOn("MySQL 9.7", { channels: [defaultChannel({ ioRunning: "No" })] }) });
    const twoChannels = member({ server: "r3:3306", role: "replica", declaredSource, observed: observedOn("MySQL 9.7", { channels: [defaultChannel(), defaultChannel({ name: "second" })] }) });
    const refusals = preflightRefusals([source(), member({ server: "r1:3306", role: "replica", declaredSource }), stopped, twoChannels]);
    assert.deepEqual(
      refusals.map((r) => r.server),
      ["r2:3306", "r3:3306"],
    );
    assert.match(refusals[0].message, /replication IO thread is not running/);
    assert.match(refusals[0].fix, /START REPLICA/);
    assert.match(refusals[1].message, /only on the default replication channel/);
  });

  it("a replica of another server than the declared source", () => {
    const elsewhere = member({ server: "r1:3306", role: "replica", declaredSource, observed: observedOn("MySQL 9.7", { channels: [defaultChannel({ sourceHost: "127.0.0.1", sourcePort: 3307, sourceServerId: 5 })] }) });
    const [refusal] = preflightRefusals([source(), elsewhere]);
    assert.match(refusal.message, /replicates from 127\.0\.0\.1:3307 \(server_id 5\), but its declared source is 127\.0\.0\.1:3306 \(server_id 1\)/);
  });

  it("a member without dynamic loading, or with a failed plugin, on any flavor that installs plugins", () => {
    for (const label of ["MySQL 5.7", "MySQL 8.0.25", "MySQL 9.7", "MariaDB 10.2"] as VersionLabel[]) {
      const noLoading = member({ server: "s:3306", role: "source", flavor: flavorOf(label), observed: observedOn(label, { haveDynamicLoading: "NO" }) });
      assert.match(preflightRefusals([noLoading])[0]?.message ?? "", /have_dynamic_loading is 'NO'/, label);
    }
    const disabled = member({ server: "s:3306", role: "source", observed: observedOn("MySQL 9.7", { plugins: [pluginRow("rpl_semi_sync_source", "DISABLED")] }) });
    assert.match(preflightRefusals([disabled])[0].message, /status is DISABLED/);
  });

  it("MariaDB's built-in semisync needs no dynamic loading", () => {
    const builtIn = member({ server: "s:3306", role: "source", flavor: flavorOf("MariaDB 10.11"), observed: observedOn("MariaDB 10.11", { haveDynamicLoading: "NO" }) });
    assert.deepEqual(preflightRefusals([builtIn]), []);
  });

  // The rows as each flavor's SHOW REPLICA STATUS / SHOW SLAVE STATUS names them.
  const IO_FLAVORS: { label: VersionLabel; row: (io: string, errno: number, error: string) => Record<string, unknown> }[] = [
    { label: "MySQL 9.7", row: (io, errno, error) => ({ Channel_Name: "", Replica_IO_Running: io, Replica_SQL_Running: "Yes", Source_Host: "127.0.0.1", Source_Port: 3306, Last_IO_Errno: errno, Last_IO_Error: error }) },
    { label: "MySQL 8.0.25", row: (io, errno, error) => ({ Channel_Name: "", Slave_IO_Running: io, Slave_SQL_Running: "Yes", Master_Host: "127.0.0.1", Master_Port: 3306, Last_IO_Errno: errno, Last_IO_Error: error }) },
    {
      label: "MariaDB 10.11",
      row: (io, errno, error) => ({ Connection_name: "", Slave_IO_Running: io, Slave_SQL_Running: "Yes", Master_Host: "127.0.0.1", Master_Port: 3306, Last_IO_Errno: errno, Last_IO_Error: error }),
    },
  ];
  for (const f of IO_FLAVORS) {
    const replicaWith = async (io: string, errno: number, error: string) => {
      const session = { query: async () => [f.row(io, errno, error)] } as unknown as Parameters<typeof readChannels>[0];
      const channels = await readChannels(session, flavorOf(f.label));
      return member({ server: "r2:3306", role: "replica", declaredSource, flavor: flavorOf(f.label), observed: observedOn(f.label, { channels }) });
    };

    it(`${f.label}: a replica whose source rejects its replication login is refused, naming the error and the fix`, async () => {
      for (const [errno, error] of [
        [1045, "error connecting to master 'repl@127.0.0.1:3306' - retry-time: 1 retries: 3 message: Access denied for user 'repl'@'172.17.0.3' (using password: YES)"],
        [2061, "error connecting to source 'repl@127.0.0.1:3306' - retry-time: 1 retries: 2 message: Authentication plugin 'caching_sha2_password' reported error: Authentication requires secure connection."],
      ] as [number, string][]) {
        const [refusal] = preflightRefusals([source(), await replicaWith("Connecting", errno, error)]);
        assert.equal(refusal?.server, "r2:3306", String(errno));
        assert.match(refusal.message, new RegExp(`cannot log in to its source \\(IO thread Connecting, last error ${errno}: .*${errno === 1045 ? "Access denied" : "secure connection"}`));
        assert.match(refusal.fix, /SOURCE_PASSWORD=/);
      }
    });

    it(`${f.label}: a replica retrying after a network error (the source restarting) passes`, async () => {
      for (const [errno, error] of [
        [2003, "error reconnecting to master 'repl@127.0.0.1:3306' - retry-time: 1 retries: 1 message: Can't connect to MySQL server on '127.0.0.1:3306' (111)"],
        [2013, "error reconnecting to master 'repl@127.0.0.1:3306' - retry-time: 1 retries: 1 message: Lost connection to MySQL server at 'reading initial communication packet'"],
        [0, ""],
      ] as [number, string][]) {
        assert.deepEqual(preflightRefusals([source(), await replicaWith("Connecting", errno, error)]), [], String(errno));
      }
    });

    it(`${f.label}: a connected replica with an old login error from before its password was fixed passes`, async () => {
      assert.deepEqual(preflightRefusals([source(), await replicaWith("Yes", 1045, "Access denied for user 'repl'")]), []);
    });
  }
});

describe("isUnreachable: only a server nothing answered for lets the teardown guard through", () => {
  const driver = (code: string, errno?: number) => Object.assign(new Error(code), { code, errno });

  it("refused, no route, connect timeout: unreachable, also when wrapped", () => {
    for (const code of ["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "ETIMEDOUT"]) {
      assert.equal(isUnreachable(driver(code)), true, code);
      assert.equal(isUnreachable(semisyncError("db1:3306", "cannot connect", { cause: driver(code) })), true, `${code} wrapped`);
    }
  });

  it("a rejected login, a missing grant, an unresolvable name, a reset or a statement timeout: an answer, not unreachable", () => {
    for (const error of [driver("ER_ACCESS_DENIED_ERROR", 1045), driver("ER_TABLEACCESS_DENIED_ERROR", 1142), driver("ENOTFOUND"), driver("ECONNRESET"), driver("PROTOCOL_SEQUENCE_TIMEOUT")]) {
      assert.equal(isUnreachable(error), false, error.message);
      assert.equal(isUnreachable(semisyncError("db1:3306", "x", { cause: error })), false, `${error.message} wrapped`);
    }
    assert.equal(isUnreachable(semisyncError("db1:3306", "no cause")), false);
  });
});
