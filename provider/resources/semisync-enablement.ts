import * as pulumi from "@pulumi/pulumi";
import { ResolvedTerminology, Role, SemisyncMonitoring, SemisyncSettings, WaitPoint } from "../types";
import { ConnectionArgs, SECRET_OUTPUTS, TopologyArgs, declaredSourceProps, splitConnection, topologyProps } from "./connection-args";
import { semisyncEnablementStub } from "./provider-stubs";

export interface SemisyncEnablementArgs {
  /** The server to configure. Changing its host or port replaces the resource. */
  connection: pulumi.Input<ConnectionArgs>;
  /** `"source"` or `"replica"`. Changing it replaces the resource. */
  role: pulumi.Input<Role>;
  /**
   * Turns semisync on or off: `rpl_semi_sync_source_enabled` / `rpl_semi_sync_replica_enabled`
   * (`…_master_enabled` / `…_slave_enabled` with legacy plugins). Defaults to true.
   */
  enabled?: pulumi.Input<boolean>;
  /**
   * Source only. Milliseconds a commit waits for a replica's acknowledgement before the source
   * falls back to asynchronous replication: `rpl_semi_sync_source_timeout`. 0 to
   * 18446744073709551615 on 64-bit Linux builds (an unsigned long), 4294967295 on Windows and
   * 32-bit builds (refused there before any change). Above 9007199254740991 JavaScript rounds:
   * 1000000000000000000 (Vitess's "never fall back" value) is exact, 18446744073709549568 is the
   * largest that fits. With `waitNoReplica: true` a huge value makes a source that never falls
   * back: too few acknowledging replicas then block every commit (README, "The never fall back
   * profile"). Defaults to leaving the server's value (10000 on a fresh server); removing it
   * later puts back the value found at create.
   */
  timeoutMs?: pulumi.Input<number>;
  /**
   * Source only. Acknowledgements each commit waits for, 1 to 65535:
   * `rpl_semi_sync_source_wait_for_replica_count`. Not on MariaDB. Defaults to leaving the
   * server's value (1 on a fresh server).
   */
  waitForReplicaCount?: pulumi.Input<number>;
  /**
   * Source only. Whether the source keeps waiting for acknowledgements while fewer semisync
   * replicas than `waitForReplicaCount` are connected: `rpl_semi_sync_source_wait_no_replica`.
   * With a huge `timeoutMs` this is the "never fall back" profile (README). Defaults to leaving
   * the server's value (ON on a fresh server).
   */
  waitNoReplica?: pulumi.Input<boolean>;
  /**
   * Source only. `"AFTER_SYNC"` (lossless: wait before the commit is visible) or
   * `"AFTER_COMMIT"`: `rpl_semi_sync_source_wait_point`. Defaults to leaving the server's value
   * (AFTER_SYNC on MySQL, AFTER_COMMIT on MariaDB).
   */
  waitPoint?: pulumi.Input<WaitPoint>;
  /**
   * Debug trace bits, 0 or a sum of 1, 16, 32, 64: `rpl_semi_sync_source_trace_level` /
   * `rpl_semi_sync_replica_trace_level`. Defaults to leaving the server's value (32).
   */
  traceLevel?: pulumi.Input<number>;
  /**
   * Write the values with `SET PERSIST` so they survive a restart (MySQL 8.0+). Elsewhere the
   * resource fails before changing anything and names the option-file lines to use instead
   * (also in the `optionFileLines` output). A source's switch (`rpl_semi_sync_source_enabled`)
   * is never persisted: a source that boots switched on, before any replica is back, stalls its
   * first commit for the whole `timeoutMs`; it boots off and `pulumi up --refresh` switches it
   * on once `requiredClients` replicas are connected. Defaults to false (`SET GLOBAL`, lost at
   * restart).
   */
  persist?: pulumi.Input<boolean>;
  /**
   * Replica only. Restart the replication IO thread (`STOP/START REPLICA IO_THREAD`) so the
   * replica registers with its source as semisync; without it the change waits for the next
   * reconnect. Defaults to true.
   */
  restartIoThread?: pulumi.Input<boolean>;
  /**
   * Replica only. How long to wait, in milliseconds, after the IO thread restart for the replica
   * to reach the declared state before undoing the change. Switching on, that means registered:
   * the IO thread connected and past the semisync handshake with its source, and
   * `Rpl_semi_sync_replica_status` ON on two consecutive reads (README, "A replica is semisync
   * only once registered"). Defaults to 15000.
   */
  replicaStatusTimeoutMs?: pulumi.Input<number>;
  /**
   * Source only. Semisync replicas (`Rpl_semi_sync_source_clients`) that must be connected
   * before the source is switched on: switching on earlier stalls the next commit for the whole
   * `timeoutMs`. Set 0 to switch on regardless. Defaults to `waitForReplicaCount` (the server's
   * value when not declared; 1 on MariaDB).
   */
  requiredClients?: pulumi.Input<number>;
  /**
   * Source only. How long to wait, in milliseconds, for `requiredClients` before failing without
   * changing anything. Defaults to 30000.
   */
  clientsTimeoutMs?: pulumi.Input<number>;
  /**
   * Any change to these values re-applies the enablement in place and re-reads its outputs;
   * `SemisyncReplication` passes its replica keys so the source's `clients` follows the
   * topology. Defaults to none.
   */
  triggers?: pulumi.Input<unknown[]>;
  /**
   * Replica only. The source this replica replicates from. With it, the provider refuses to
   * switch this replica off (or remove its plugin while it acknowledges) when that would leave a
   * source that is still on short of acknowledgements, which would stall its next commit for the
   * whole timeout; a source that cannot be asked (a rejected login, a missing grant) refuses too,
   * and only an unreachable one lets the change through, with a warning. Before a change, the
   * replica is also checked to replicate from this source (README, "Whole-topology preflight").
   * Only this declared source is ever contacted. Defaults to none (no check);
   * `SemisyncReplication` always sets it.
   */
  source?: pulumi.Input<ConnectionArgs>;
  /**
   * Delete switches semisync off and sets the settings this resource managed to the server
   * defaults even when semisync was already on when this resource was created (`adopted`).
   * Defaults to false: delete puts back what it found (switch left on, each managed setting back
   * to its `found` value) and only switches off what it switched on itself.
   */
  removeAdopted?: pulumi.Input<boolean>;
  /**
   * Replica only. This server's `SemisyncPlugin` depends on this resource and is deleted after
   * it, and its delete removes semisync there entirely (uninstalls it; where semisync is built
   * in, switches this side off when the plugin found it off). When the replica cannot be reached at
   * delete (connection refused, no route, connect timeout), this delete then succeeds with a line
   * in the engine's output and leaves the work to the plugin's delete, which fails and stays in
   * the state until the replica is back: so a destroy tears the live members down past a dead
   * replica. Defaults to false (an unreachable replica fails this delete);
   * `SemisyncReplication` sets it.
   */
  teardownByPlugin?: pulumi.Input<boolean>;
  /**
   * Replica only. The server replicates from no one now (a failover-ready topology's source):
   * `rpl_semi_sync_replica_enabled` is set, but no replication channel is required, the IO thread
   * is not restarted and no registration is awaited; the switch takes effect when the server is
   * pointed at a source and its IO thread starts, so a demoted source acknowledges at once.
   * `restartIoThread` and `replicaStatusTimeoutMs` do not apply, and `source` must not be set.
   * Defaults to false: a replica with no replication channel is refused, as that is most likely
   * the wrong host. `SemisyncReplication` sets it on its source's replica side with
   * `failoverReady`.
   */
  standby?: pulumi.Input<boolean>;
  /**
   * Every server of the topology this resource belongs to. Before this resource changes its
   * server, every member is read and checked (plugin installable, the account's privileges,
   * each replica on one running default channel replicating from `source`), and nothing is
   * changed anywhere if one fails.
   * Stored as a secret (it holds passwords); changing it alone is not a change. Defaults to this
   * server and, for a replica, its declared `source`; `SemisyncReplication` always sets it.
   */
  topology?: pulumi.Input<TopologyArgs>;
}

/** What the server had when the enablement was created. */
export interface FoundSemisync {
  /** `…_enabled` was ON. */
  enabled: boolean;
  /** Every setting of the role as the server reported it. */
  settings: SemisyncSettings;
}

/**
 * Switches semisync on (or off) on one server and tunes it with `SET GLOBAL`, in the variable
 * names of the plugin that is installed. On a replica it restarts the IO thread and waits until
 * the replica is registered with its source as semisync; if it is not, every change is undone.
 * Before changing anything it checks every member of its topology (`topology`). Delete puts back what
 * the resource found at create (`found`): semisync it switched on is switched off (a replica's IO
 * thread restarted), semisync that was already on stays on (`adopted`), and each setting it
 * managed goes back to its found value (`removeAdopted` switches off and restores defaults
 * instead). Delete leaves the server alone when another resource of the same deployment has just
 * taken it over (a rename without `aliases`), and says so in the engine's output.
 */
export class SemisyncEnablement extends pulumi.dynamic.Resource {
  /** The terminology of the installed plugin: `modern` or `legacy`. */
  declare readonly activeTerminology: pulumi.Output<ResolvedTerminology>;
  /** Whether `…_enabled` was ON when last observed. */
  declare readonly enabledOnServer: pulumi.Output<boolean>;
  /** Every tunable setting as the server reports it. */
  declare readonly effective: pulumi.Output<SemisyncSettings>;
  /** `Rpl_semi_sync_source_status` or `Rpl_semi_sync_replica_status`: ON while semisync operates. */
  declare readonly semisyncStatus: pulumi.Output<string>;
  /** Source: connected semisync replicas (`Rpl_semi_sync_source_clients`). */
  declare readonly clients: pulumi.Output<number | undefined>;
  /**
   * Source: `Rpl_semi_sync_source_{no_tx,yes_tx,no_times,wait_sessions}` (`…_master_…` with legacy
   * plugins and on MariaDB) as `{ noTx, yesTx, noTimes, waitSessions }`, read at the last `up`
   * that changed this resource or the last refresh: a snapshot, never a reason for a change
   * (README, "Monitoring"). Undefined on a replica.
   */
  declare readonly monitoring: pulumi.Output<SemisyncMonitoring | undefined>;
  /** `…_enabled` was already ON when the resource was created: delete leaves it on. */
  declare readonly adopted: pulumi.Output<boolean>;
  /** The switch and every setting as found when the resource was created; absent in state written by 0.1.0. */
  declare readonly found: pulumi.Output<FoundSemisync | undefined>;
  /**
   * `[mysqld]` option-file lines that keep this state across restarts. A source's line keeps
   * semisync off at startup (README, "Restarts"): `pulumi up --refresh` switches it on once its
   * replicas are back.
   */
  declare readonly optionFileLines: pulumi.Output<string[]>;
  /**
   * The `rpl_semi_sync_*` values the server keeps across a restart (`mysqld-auto.cnf`, read from
   * `performance_schema.persisted_variables`; MySQL 8.0+, undefined elsewhere). With `persist`,
   * a difference from the declared values (a `RESET PERSIST` behind Pulumi's back) shows on
   * refresh and the next `up` repairs it.
   */
  declare readonly persistedSettings: pulumi.Output<Record<string, string> | undefined>;
  /** Replica: `Replica_IO_Running` of the default channel (`Yes`, `Connecting`, `No`) when last observed. */
  declare readonly ioThreadState: pulumi.Output<string | undefined>;
  declare readonly serverVersion: pulumi.Output<string>;
  declare readonly serverFlavor: pulumi.Output<string>;
  declare readonly role: pulumi.Output<Role>;

  constructor(name: string, args: SemisyncEnablementArgs, opts?: pulumi.CustomResourceOptions) {
    const { connection, password, tls } = splitConnection(args.connection);
    super(
      semisyncEnablementStub,
      name,
      {
        connection,
        password,
        tls,
        ...declaredSourceProps(args.source),
        topology: topologyProps(args.topology),
        role: args.role,
        enabled: args.enabled,
        timeoutMs: args.timeoutMs,
        waitForReplicaCount: args.waitForReplicaCount,
        waitNoReplica: args.waitNoReplica,
        waitPoint: args.waitPoint,
        traceLevel: args.traceLevel,
        persist: args.persist,
        restartIoThread: args.restartIoThread,
        replicaStatusTimeoutMs: args.replicaStatusTimeoutMs,
        requiredClients: args.requiredClients,
        clientsTimeoutMs: args.clientsTimeoutMs,
        triggers: args.triggers,
        removeAdopted: args.removeAdopted,
        teardownByPlugin: args.teardownByPlugin,
        standby: args.standby,
        activeTerminology: undefined,
        adopted: undefined,
        found: undefined,
        enabledOnServer: undefined,
        effective: undefined,
        semisyncStatus: undefined,
        clients: undefined,
        monitoring: undefined,
        optionFileLines: undefined,
        persistedSettings: undefined,
        ioThreadState: undefined,
        serverVersion: undefined,
        serverFlavor: undefined,
      },
      { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), ...SECRET_OUTPUTS] },
      "mysql-semisync",
      "SemisyncEnablement",
    );
  }
}
