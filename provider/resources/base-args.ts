import * as pulumi from "@pulumi/pulumi";
import { Integer, Role, Terminology, WaitPoint } from "../types";
import { InputFailure } from "../plan/inputs";
import { ConnectionArgs, SECRET_OUTPUTS, TopologyArgs, declaredSourceProps, splitConnection, topologyProps, undeclaredArgs, unsetOutputs } from "./connection-args";
import { propsAtProgramTime, refuseAtProgramTime, registeredAfterChecks } from "./program-checks";

/*
 * The arguments the resources and the component share, each written once: `SemisyncPluginArgs`,
 * `SemisyncEnablementArgs` and `SemisyncReplicationArgs` extend these, so an input means the same
 * thing, with the same default, wherever it is set.
 */

/** What every resource of the package and the component take. */
export interface SemisyncBaseArgs {
  /**
   * Delete removes semisync even where it was already there when the resource was created
   * (`adopted`): the plugin is uninstalled, the switch turned off and each setting it managed set
   * to the server default. Defaults to false: delete puts back what it found (an adopted plugin
   * stays installed, a switch found on stays on, each managed setting goes back to its `found`
   * value) and removes only what it added itself.
   */
  removeAdopted?: pulumi.Input<boolean>;
}

/** The plugin names: `SemisyncPlugin` and, for every server, `SemisyncReplication`. */
export interface TerminologyArgs {
  /**
   * Which plugin names to install: `"modern"` (`…_source`/`…_replica`, MySQL 8.0.26+),
   * `"legacy"` (`…_master`/`…_slave`, up to MySQL 9.4 and MariaDB) or `"automatic"`: keep what is
   * installed, else the server's preferred names. Pin it in fleets that mix versions, so a
   * pre-8.0.26 replica (which only looks for `rpl_semi_sync_master_enabled`) keeps finding its
   * source. Defaults to `"automatic"`.
   */
  terminology?: pulumi.Input<Terminology>;
}

/** One side (source or replica) of one server: `SemisyncPlugin` and `SemisyncEnablement`. */
export interface ServerSideArgs extends SemisyncBaseArgs {
  /** The server. Changing its host or port replaces the resource. */
  connection: pulumi.Input<ConnectionArgs>;
  /**
   * `"source"` or `"replica"`: the side of semisync this resource manages, its plugin
   * (`rpl_semi_sync_source` / `rpl_semi_sync_replica`; `rpl_semi_sync_master` /
   * `rpl_semi_sync_slave` with legacy names) or its switch. Changing it replaces the resource.
   */
  role: pulumi.Input<Role>;
  /**
   * Replica only. The source this replica replicates from. With it, the provider refuses to
   * switch this replica off (or remove its plugin while it acknowledges) when that would leave a
   * source that is still on short of acknowledgements, which would stall its next commit for the
   * whole timeout; a source that cannot be asked (a rejected login, a missing grant) refuses too,
   * and only an unreachable one lets the change through, with a warning. Before a change, the
   * replica is also checked to replicate from this source (docs/preflight-and-grants.md).
   * Only this declared source is ever contacted. Defaults to none (no check);
   * `SemisyncReplication` always sets it.
   */
  source?: pulumi.Input<ConnectionArgs>;
  /**
   * Replica only. The server replicates from no one now (a failover-ready topology's source) and
   * gets its replica side anyway, so that it acknowledges at once when it is pointed at a source:
   * no replication channel is required. The enablement sets `rpl_semi_sync_replica_enabled` but
   * restarts no IO thread and awaits no registration (`restartIoThread` and
   * `replicaStatusTimeoutMs` do not apply); `source` must not be set. Defaults to false: a
   * replica side on a server with no replication channel is refused, as that is most likely the
   * wrong host. `SemisyncReplication` sets it on its source's replica side with `failoverReady`.
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

/** The source's tuning and persistence: `SemisyncEnablement` and `SemisyncReplication`. */
export interface SemisyncTuningArgs extends SemisyncBaseArgs {
  /**
   * Source only. Milliseconds a commit waits for a replica's acknowledgement before the source
   * falls back to asynchronous replication: `rpl_semi_sync_source_timeout`. 0 to
   * 18446744073709551615 on 64-bit Linux builds (an unsigned long), 4294967295 on Windows and
   * 32-bit builds (refused there before any change). Above 9007199254740991 JavaScript rounds:
   * 1000000000000000000 (Vitess's "never fall back" value) is exact, 18446744073709549568 is the
   * largest that fits. With `waitNoReplica: true` a huge value makes a source that never falls
   * back: too few acknowledging replicas then block every commit (docs/never-fall-back.md). Defaults to leaving the server's value (10000 on a fresh server); removing it
   * later puts back the value found at create.
   */
  timeoutMs?: pulumi.Input<number>;
  /**
   * Source only. Acknowledgements each commit waits for, 1 to 65535:
   * `rpl_semi_sync_source_wait_for_replica_count`. Not on MariaDB. Defaults to leaving the
   * server's value (1 on a fresh server).
   */
  waitForReplicaCount?: pulumi.Input<Integer>;
  /**
   * Source only. Whether the source keeps waiting for acknowledgements while fewer semisync
   * replicas than `waitForReplicaCount` are connected: `rpl_semi_sync_source_wait_no_replica`.
   * With a huge `timeoutMs` this is the "never fall back" profile (docs/never-fall-back.md). Defaults to leaving
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
  traceLevel?: pulumi.Input<Integer>;
  /**
   * Write the values with `SET PERSIST` so they survive a restart (MySQL 8.0+). Elsewhere the
   * resource fails before changing anything and names the option-file lines to use instead
   * (also in the enablement's `optionFileLines` output). A source's switch
   * (`rpl_semi_sync_source_enabled`) is never persisted: a source that boots switched on, before
   * any replica is back, stalls its first commit for the whole `timeoutMs`; it boots off and
   * the next `pulumi up` switches it on once `requiredClients` replicas are connected. Defaults
   * to false (`SET GLOBAL`, lost at restart).
   */
  persist?: pulumi.Input<boolean>;
  /**
   * Source only. How long to wait, in milliseconds, for `requiredClients` semisync replicas to
   * register before switching the source on; past it the deployment fails without changing
   * anything. Defaults to 30000.
   */
  clientsTimeoutMs?: pulumi.Input<Integer>;
}

/** The props a `ServerSideArgs` becomes: secrets split off the connection, the topology one secret. */
export function serverSideProps(args: ServerSideArgs) {
  return {
    ...splitConnection(args.connection),
    ...declaredSourceProps(args.source),
    topology: topologyProps(args.topology),
    role: args.role,
    removeAdopted: args.removeAdopted,
    standby: args.standby,
  };
}

/** What one side's resource (`SemisyncPlugin`, `SemisyncEnablement`) takes, checks and stores. */
export interface ServerSideResource {
  /** The resource type, e.g. `SemisyncPlugin`: it names the resource in a program-time refusal. */
  type: string;
  /** Its inputs (input-keys.ts). */
  keys: readonly string[];
  /** Its outputs (input-keys.ts). */
  outputKeys: readonly string[];
  /** The rules `check` applies (plan/inputs.ts), run on what is plain when the program runs. */
  check: (props: Record<string, unknown>) => InputFailure[];
}

/**
 * The props and options a side's resource registers with, once the inputs known when the program
 * runs are checked: the names of undeclared keys (for `check` to refuse), `serverSideProps`, the
 * resource's own `props`, and every output unset; the secrets kept secret in the outputs too.
 */
export function serverSideRegistration(
  resource: ServerSideResource,
  name: string,
  args: ServerSideArgs,
  props: Record<string, unknown>,
  opts: pulumi.CustomResourceOptions | undefined,
): { props: Record<string, unknown>; opts: pulumi.CustomResourceOptions } {
  refuseAtProgramTime(`${resource.type} ${name}`, resource.check(propsAtProgramTime(args, resource.keys)));
  return {
    props: { ...undeclaredArgs(args, resource.keys), ...serverSideProps(args), ...props, ...unsetOutputs(resource.outputKeys) },
    opts: { ...opts, dependsOn: registeredAfterChecks(opts?.dependsOn), additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), ...SECRET_OUTPUTS] },
  };
}

/** The settings of `SemisyncTuningArgs` that go to an enablement as they are. */
export function tuningProps(args: SemisyncTuningArgs) {
  const { timeoutMs, waitForReplicaCount, waitNoReplica, waitPoint, traceLevel, persist, clientsTimeoutMs } = args;
  return { timeoutMs, waitForReplicaCount, waitNoReplica, waitPoint, traceLevel, persist, clientsTimeoutMs };
}
