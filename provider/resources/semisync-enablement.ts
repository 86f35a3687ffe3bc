import * as pulumi from "@pulumi/pulumi";
import { Integer, ResolvedTerminology, Role, SemisyncMonitoring, SemisyncSettings } from "../types";
import { SemisyncTuningArgs, ServerSideArgs, ServerSideResource, serverSideRegistration, tuningProps } from "./base-args";
import { ENABLEMENT_KEYS, ENABLEMENT_OUTPUT_KEYS } from "../types/input-keys";
import { semisyncEnablementStub } from "./provider-stubs";
import { checkEnablementInputs } from "../plan/inputs";

const ENABLEMENT: ServerSideResource = { type: "SemisyncEnablement", keys: ENABLEMENT_KEYS, outputKeys: ENABLEMENT_OUTPUT_KEYS, check: checkEnablementInputs };

/** Arguments of `SemisyncEnablement`; the shared ones are documented in base-args.ts. */
export interface SemisyncEnablementArgs extends ServerSideArgs, SemisyncTuningArgs {
  /**
   * Turns semisync on or off: `rpl_semi_sync_source_enabled` / `rpl_semi_sync_replica_enabled`
   * (`…_master_enabled` / `…_slave_enabled` with legacy plugins). Defaults to true.
   */
  enabled?: pulumi.Input<boolean>;
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
   * `Rpl_semi_sync_replica_status` ON on two consecutive reads (docs/resources.md, "A replica is
   * semisync only once registered"). Defaults to 15000.
   */
  replicaStatusTimeoutMs?: pulumi.Input<Integer>;
  /**
   * Source only. Semisync replicas (`Rpl_semi_sync_source_clients`) that must be connected
   * before the source is switched on: switching on earlier stalls the next commit for the whole
   * `timeoutMs`. Set 0 to switch on regardless. Defaults to `waitForReplicaCount` (the server's
   * value when not declared; 1 on MariaDB).
   */
  requiredClients?: pulumi.Input<Integer>;
  /**
   * Any change to these values re-applies the enablement in place and re-reads its outputs;
   * `SemisyncReplication` passes its replica keys so the source's `clients` follows the
   * topology. Defaults to none.
   */
  triggers?: pulumi.Input<unknown[]>;
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
   * (docs/monitoring.md). Undefined on a replica.
   */
  declare readonly monitoring: pulumi.Output<SemisyncMonitoring | undefined>;
  /** `…_enabled` was already ON when the resource was created: delete leaves it on. */
  declare readonly adopted: pulumi.Output<boolean>;
  /** The switch and every setting as found when the resource was created; absent in state written by 0.1.0. */
  declare readonly found: pulumi.Output<FoundSemisync | undefined>;
  /**
   * `[mysqld]` option-file lines that keep this state across restarts. A source's line keeps
   * semisync off at startup (docs/restarts.md): the next `pulumi up` switches it on once its
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
  /** `@@version` of the server. */
  declare readonly serverVersion: pulumi.Output<string>;
  /** Server generation the provider detected, e.g. `mysql-9.5` or `mariadb-10.5.9`. */
  declare readonly serverFlavor: pulumi.Output<string>;
  /** `"source"` or `"replica"`, as declared. */
  declare readonly role: pulumi.Output<Role>;

  constructor(name: string, args: SemisyncEnablementArgs, opts?: pulumi.CustomResourceOptions) {
    const own = {
      ...tuningProps(args),
      enabled: args.enabled,
      restartIoThread: args.restartIoThread,
      replicaStatusTimeoutMs: args.replicaStatusTimeoutMs,
      requiredClients: args.requiredClients,
      triggers: args.triggers,
      teardownByPlugin: args.teardownByPlugin,
    };
    const registration = serverSideRegistration(ENABLEMENT, name, args, own, opts);
    super(semisyncEnablementStub, name, registration.props, registration.opts, "mysql-semisync", "SemisyncEnablement");
  }
}
