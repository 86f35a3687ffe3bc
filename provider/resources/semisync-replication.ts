import * as pulumi from "@pulumi/pulumi";
import { Terminology, WaitPoint } from "../types";
import { ConnectionArgs, TopologyArgs } from "./connection-args";
import { SemisyncEnablement } from "./semisync-enablement";
import { SemisyncPlugin } from "./semisync-plugin";

/** A replica of the topology. */
export interface ReplicaArgs extends ConnectionArgs {
  /**
   * Stable key for this replica's resources. Defaults to `<host>-<port>` when `host` is a plain
   * string, else to its position in `replicas` (then removing one replica replaces the ones after
   * it, so give a name when hosts are outputs). Changing it keeps the replica semisync: its new
   * resources adopt what the old ones set up.
   */
  name?: string;
}

export interface SemisyncReplicationArgs {
  /** The source server. */
  source: pulumi.Input<ConnectionArgs>;
  /**
   * Its replicas; each must already replicate from `source` on the default channel, its IO thread
   * running. Every server is checked before any is changed: one that fails refuses the whole
   * topology with nothing changed (README, "Whole-topology preflight").
   */
  replicas: ReplicaArgs[];
  /** Plugin names on every server, see `SemisyncPlugin`. Defaults to `"automatic"`. */
  terminology?: pulumi.Input<Terminology>;
  /** `rpl_semi_sync_source_timeout` in ms, up to 18446744073709549568 (see `SemisyncEnablement`; README, "The never fall back profile"). Defaults to leaving the server's value (10000). */
  timeoutMs?: pulumi.Input<number>;
  /**
   * `rpl_semi_sync_source_wait_for_replica_count`; must not exceed the number of replicas. Not on
   * MariaDB. Defaults to leaving the server's value (1).
   */
  waitForReplicaCount?: number;
  /** `rpl_semi_sync_source_wait_no_replica`. Defaults to leaving the server's value (ON). */
  waitNoReplica?: pulumi.Input<boolean>;
  /** `rpl_semi_sync_source_wait_point`. Defaults to leaving the server's value. */
  waitPoint?: pulumi.Input<WaitPoint>;
  /** Trace bits on every server. Defaults to leaving the servers' values (32). */
  traceLevel?: pulumi.Input<number>;
  /**
   * `SET PERSIST` on every server (MySQL 8.0+): the tunables and the replicas' switch survive a
   * restart; the source's switch does not (it boots off, so no commit stalls before its replicas
   * are back, and `pulumi up --refresh` switches it on). Defaults to false.
   */
  persist?: pulumi.Input<boolean>;
  /** How long the source waits for its replicas to register before switching on. Defaults to 30000 ms. */
  clientsTimeoutMs?: pulumi.Input<number>;
  /**
   * Destroy removes semisync from every server, including plugins and switches that were already
   * there when the component adopted them (see `adopted`). Defaults to false: each server is left
   * as it was found.
   */
  removeAdopted?: pulumi.Input<boolean>;
}

/** What one server had when the component's resources were created there. */
export interface AdoptedState {
  /** The plugin was already installed: destroy leaves it installed. */
  plugin: boolean;
  /** Semisync was already switched on: destroy leaves it on. */
  enabled: boolean;
}

/**
 * Semisync across a source and its replicas, in the only order that stalls no commit:
 * source plugin (left off) → replica plugins → replicas switched on, IO threads restarted (in
 * parallel) → source switched on once `waitForReplicaCount` replicas are semisync clients. Destroy
 * runs it backwards: source off first. With fewer replicas than `waitForReplicaCount` (e.g. all
 * removed), the source is switched off before the last replica leaves. A replica that is down at
 * destroy does not stop the others: its enablement leaves the work to its plugin, whose delete
 * fails (once, naming it) and stays in the state for the next run. Servers found with semisync
 * already on are left as found on destroy (`adopted`, `removeAdopted`). Renaming the component or
 * a replica converges with every server still semisync (the new resources adopt, the old ones'
 * deletes leave the servers alone); pass `aliases` to keep the original resources instead.
 */
export class SemisyncReplication extends pulumi.ComponentResource {
  /** `Rpl_semi_sync_source_status` after the last deployment. */
  readonly sourceStatus: pulumi.Output<string>;
  /**
   * Semisync replicas connected to the source when it was last applied: after replicas are added,
   * and, in a deployment that removes replicas, just before they leave.
   */
  readonly sourceClients: pulumi.Output<number | undefined>;
  /** The source's `{ noTx, yesTx, noTimes, waitSessions }` (`SemisyncEnablement.monitoring`): a snapshot, never a change (README, "Monitoring"). */
  get sourceMonitoring(): SemisyncEnablement["monitoring"] { return this.sourceEnablement.monitoring; }
  /** Each replica's `Rpl_semi_sync_replica_status`, by replica key. */
  readonly replicaStatuses: pulumi.Output<Record<string, string>>;
  /**
   * What was already there when the component adopted each server (plugin installed, semisync on):
   * what destroy leaves in place unless `removeAdopted`. Replicas by key.
   */
  readonly adopted: pulumi.Output<{ source: AdoptedState; replicas: Record<string, AdoptedState> }>;
  readonly sourcePlugin: SemisyncPlugin;
  readonly sourceEnablement: SemisyncEnablement;
  readonly replicaPlugins: Record<string, SemisyncPlugin>;
  readonly replicaEnablements: Record<string, SemisyncEnablement>;

  constructor(name: string, args: SemisyncReplicationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mysql-semisync:index:SemisyncReplication", name, {}, opts);
    const required = args.waitForReplicaCount ?? 1;
    if (args.waitForReplicaCount !== undefined && args.waitForReplicaCount > args.replicas.length && args.replicas.length > 0) {
      throw new Error(
        `SemisyncReplication ${name}: waitForReplicaCount is ${args.waitForReplicaCount} but only ${args.replicas.length} replica(s) are declared; every commit would wait out the timeout. Lower waitForReplicaCount or add replicas.`,
      );
    }
    const child = { parent: this };
    const removeAdopted = args.removeAdopted;
    // Every resource checks every member before it changes its server (whole-topology preflight).
    const topology: TopologyArgs = { source: args.source, replicas: args.replicas.map(({ name: _name, ...connection }) => connection), terminology: args.terminology };
    this.sourcePlugin = new SemisyncPlugin(`${name}-source`, { connection: args.source, role: "source", terminology: args.terminology, removeAdopted, topology }, child);

    this.replicaPlugins = {};
    this.replicaEnablements = {};
    const keys = new Set<string>();
    args.replicas.forEach((replica, index) => {
      const key = replicaKey(replica, index);
      if (keys.has(key)) throw new Error(`SemisyncReplication ${name}: two replicas share the key '${key}'; give them distinct names`);
      keys.add(key);
      const { name: _name, ...connection } = replica;
      const plugin = new SemisyncPlugin(
        `${name}-replica-${key}`,
        { connection, role: "replica", terminology: args.terminology, source: args.source, removeAdopted, topology },
        { ...child, dependsOn: [this.sourcePlugin] },
      );
      this.replicaPlugins[key] = plugin;
      // Only a plugin whose delete uninstalls it takes a dead replica's teardown over: an adopted
      // one stays installed and a built-in one (MariaDB) is never uninstalled, so the switch this
      // enablement turned on would stay on.
      const pluginRemovesSemisync = pulumi
        .all([plugin.adopted, plugin.builtIn, pulumi.output(removeAdopted)])
        .apply(([adopted, builtIn, remove]) => !builtIn && (!adopted || remove === true));
      this.replicaEnablements[key] = new SemisyncEnablement(
        `${name}-replica-${key}`,
        // A replaced plugin (terminology pinned anew) starts disabled: re-apply the enablement then.
        { connection, role: "replica", traceLevel: args.traceLevel, persist: args.persist, source: args.source, triggers: [plugin.pluginName], removeAdopted, teardownByPlugin: pluginRemovesSemisync, topology },
        { ...child, dependsOn: [plugin, this.sourcePlugin] },
      );
    });

    // Updates run before deletions, so a source with too few replicas left is switched off before
    // the replicas that are going away restart their IO threads.
    const enoughReplicas = args.replicas.length >= required;
    this.sourceEnablement = new SemisyncEnablement(
      `${name}-source`,
      {
        connection: args.source,
        role: "source",
        enabled: enoughReplicas,
        timeoutMs: args.timeoutMs,
        waitForReplicaCount: args.waitForReplicaCount,
        waitNoReplica: args.waitNoReplica,
        waitPoint: args.waitPoint,
        traceLevel: args.traceLevel,
        persist: args.persist,
        requiredClients: args.waitForReplicaCount,
        clientsTimeoutMs: args.clientsTimeoutMs,
        triggers: [...keys].sort(),
        removeAdopted,
        topology,
      },
      { ...child, dependsOn: [this.sourcePlugin, ...Object.values(this.replicaEnablements)] },
    );

    this.sourceStatus = this.sourceEnablement.semisyncStatus;
    this.sourceClients = this.sourceEnablement.clients;
    const statuses = Object.entries(this.replicaEnablements).map(([key, e]) => e.semisyncStatus.apply((s) => [key, s] as const));
    this.replicaStatuses = pulumi.all(statuses).apply((pairs) => Object.fromEntries(pairs));
    const adoptedOf = (plugin: SemisyncPlugin, enablement: SemisyncEnablement) =>
      pulumi.all([plugin.adopted, enablement.adopted]).apply(([p, e]) => ({ plugin: p ?? false, enabled: e ?? false }));
    const replicasAdopted = Object.keys(this.replicaEnablements).map((key) =>
      adoptedOf(this.replicaPlugins[key], this.replicaEnablements[key]).apply((state) => [key, state] as const),
    );
    this.adopted = pulumi
      .all([adoptedOf(this.sourcePlugin, this.sourceEnablement), pulumi.all(replicasAdopted)])
      .apply(([source, pairs]) => ({ source, replicas: Object.fromEntries(pairs) }));
    this.registerOutputs({ sourceStatus: this.sourceStatus, sourceClients: this.sourceClients, replicaStatuses: this.replicaStatuses, adopted: this.adopted });
  }
}

function replicaKey(replica: ReplicaArgs, index: number): string {
  if (replica.name) return replica.name;
  if (typeof replica.host === "string") {
    const port = typeof replica.port === "number" ? replica.port : 3306;
    return `${replica.host}-${port}`.replace(/[^A-Za-z0-9_.-]/g, "_");
  }
  return String(index);
}
