import * as pulumi from "@pulumi/pulumi";
import { Integer, ROLES, ResourceRef, Role, SemisyncMonitoring } from "../types";
import { acknowledgingReplicas, planMembers, waitCountRefusal } from "../plan/member-sides";
import { SemisyncTuningArgs, TerminologyArgs, tuningProps } from "./base-args";
import { DEFAULT_PORT, InputFailure, UNKNOWN, checkComponentKeys, checkConnection, checkEnablementInputs, checkPluginInputs } from "../plan/inputs";
import { ConnectionArgs, TopologyArgs } from "./connection-args";
import { REPLICATION_KEYS } from "../types/input-keys";
import { atProgramTime, programError, refuseAtProgramTime, registeredAfterChecks } from "./program-checks";
import { SemisyncEnablement, SemisyncEnablementArgs } from "./semisync-enablement";
import { SemisyncPlugin, SemisyncPluginArgs } from "./semisync-plugin";

/** A member of the topology: its connection and the key of its resources. */
export interface MemberArgs extends ConnectionArgs {
  /**
   * Stable key of this member's resources. Defaults to `<host>-<port>` when `host` and `port` are
   * plain values (an absent port counts as 3306, a port that is an Output never does); otherwise,
   * for a replica without `failoverReady`, to its position in `replicas` (then removing one
   * replica replaces the ones after it, so give a name when hosts or ports are outputs), and with
   * `failoverReady` a name is required. Changing it keeps the member semisync: its new
   * resources adopt what the old ones set up. Without `failoverReady` the source's name is not
   * used.
   */
  name?: string;
}

/** A replica of the topology. */
export interface ReplicaArgs extends MemberArgs {
  /**
   * false: an async-only replica (orchestrator's `must_not`, Vitess `rdonly`): its replica side
   * stays off (`rpl_semi_sync_replica_enabled` OFF; the plugin is installed, so acknowledging
   * later is an in-place update), and it is not counted by `waitForReplicaCount` or the source's
   * `requiredClients`. Defaults to true.
   */
  acknowledge?: boolean;
}

/**
 * Arguments of `SemisyncReplication`. The tuning goes to the source's enablement (with
 * `failoverReady`, to every member's source side), `traceLevel` and `persist` to every server's,
 * `terminology` to every plugin; their documentation is in base-args.ts.
 */
export interface SemisyncReplicationArgs extends SemisyncTuningArgs, TerminologyArgs {
  /** The source server. Its `name` is read only when it is given as a plain object. */
  source: MemberArgs | pulumi.Input<ConnectionArgs>;
  /**
   * Its replicas; each must already replicate from `source` on the default channel, its IO thread
   * running. Every server is checked before any is changed: one that fails refuses the whole
   * topology with nothing changed (docs/preflight-and-grants.md).
   */
  replicas: ReplicaArgs[];
  /**
   * Both plugins on every member, keyed by member `name` (never by role): the source side is
   * switched on only on the source, the replica side on every acknowledging replica and on the
   * source (idle there: it makes the source acknowledge at once when an orchestrator re-points it
   * at a new source). After a failover, moving members between `source` and `replicas` is then an
   * in-place update of which side is on: no plugin is installed or uninstalled, and the order
   * stalls no commit (docs/failover.md). Every member's source side gets the
   * source tunables (`timeoutMs`, …), so a promoted member already has them. In a fleet that
   * mixes versions, pin `terminology` (the preflight refuses a member that could not acknowledge
   * another's source plugin). Turning it on for an existing stack renames every resource, which
   * converges with every server still semisync (docs/adoption-and-renames.md). Defaults to false (the source
   * has only the source plugin and each replica only the replica plugin).
   */
  failoverReady?: boolean;
  /**
   * `rpl_semi_sync_source_wait_for_replica_count`; must not exceed the number of acknowledging
   * replicas (those without `acknowledge: false`): the component throws at program time
   * otherwise. Also the source's `requiredClients`. Not on MariaDB. Defaults to leaving the
   * server's value (1).
   */
  waitForReplicaCount?: Integer;
}

/** What one server had when the component's resources were created there. */
export interface AdoptedState {
  /** The plugin was already installed: destroy leaves it installed. */
  plugin: boolean;
  /** Semisync was already switched on: destroy leaves it on. */
  enabled: boolean;
}

/** What the component reads from the `SemisyncPlugin` resources it creates. */
export interface PluginResource extends pulumi.Resource {
  readonly pluginName: pulumi.Output<string>;
  readonly builtIn: pulumi.Output<boolean>;
  readonly adopted: pulumi.Output<boolean>;
  readonly foundEnabled: pulumi.Output<boolean>;
}

/** What the component reads from the `SemisyncEnablement` resources it creates. */
export interface EnablementResource extends pulumi.Resource {
  readonly semisyncStatus: pulumi.Output<string>;
  readonly clients: pulumi.Output<number | undefined>;
  readonly adopted: pulumi.Output<boolean>;
  readonly monitoring: pulumi.Output<SemisyncMonitoring | undefined>;
}

/**
 * The resource classes a `SemisyncReplication` is made of: the dynamic resources in a TypeScript
 * program, the plugin's own custom resources when the native plugin constructs the component
 * (provider/native). The wiring below is the same for both.
 */
export interface ReplicationClasses<P extends PluginResource, E extends EnablementResource> {
  plugin: new (name: string, args: SemisyncPluginArgs, opts?: pulumi.CustomResourceOptions) => P;
  enablement: new (name: string, args: SemisyncEnablementArgs, opts?: pulumi.CustomResourceOptions) => E;
}

/** `SemisyncReplication` over any resource classes (see `ReplicationClasses`). */
export class SemisyncReplicationOf<P extends PluginResource, E extends EnablementResource> extends pulumi.ComponentResource {
  /** `Rpl_semi_sync_source_status` after the last deployment. */
  readonly sourceStatus: pulumi.Output<string>;
  /**
   * Semisync replicas connected to the source when it was last applied: after replicas are added,
   * and, in a deployment that removes replicas, just before they leave.
   */
  readonly sourceClients: pulumi.Output<number | undefined>;
  /** The source's `{ noTx, yesTx, noTimes, waitSessions }` (`SemisyncEnablement.monitoring`): a snapshot, never a change (docs/monitoring.md). */
  get sourceMonitoring(): E["monitoring"] {
    return this.sourceEnablement.monitoring;
  }
  /** Each replica's `Rpl_semi_sync_replica_status`, by replica key. */
  readonly replicaStatuses: pulumi.Output<Record<string, string>>;
  /**
   * What was already there when the component adopted each server (plugin installed, semisync on):
   * what destroy leaves in place unless `removeAdopted`. Replicas by key.
   */
  readonly adopted: pulumi.Output<{ source: AdoptedState; replicas: Record<string, AdoptedState> }>;
  readonly sourcePlugin: P;
  readonly sourceEnablement: E;
  readonly replicaPlugins: Record<string, P>;
  readonly replicaEnablements: Record<string, E>;

  /**
   * With `failoverReady`, every member's resources (both sides) by member key; without it, each
   * replica's (its replica side), the source's being `sourcePlugin` and `sourceEnablement`.
   */
  readonly members: Record<string, MemberResources<P, E>>;

  constructor(classes: ReplicationClasses<P, E>, name: string, args: SemisyncReplicationArgs, opts?: pulumi.ComponentResourceOptions) {
    // Every refusal comes before the component registers: with `--skip-preview` the engine
    // creates each resource as soon as the program registers it.
    const layout = declareMembers(name, args);
    super("mysql-semisync:index:SemisyncReplication", name, {}, { ...opts, dependsOn: registeredAfterChecks(opts?.dependsOn) });
    const failoverReady = args.failoverReady === true;
    const { sourceConnection, replicas, declared, sourceSwitchOn } = layout;
    const plans = planMembers(declared, failoverReady, sourceSwitchOn);
    const connectionOf = new Map(declared.map((m) => [m.key, m.connection]));

    const child = { parent: this };
    const removeAdopted = args.removeAdopted;
    // Every resource checks every member before it changes its server (whole-topology preflight).
    const topology: TopologyArgs = {
      source: sourceConnection,
      replicas: replicas.map((r) => r.connection),
      terminology: args.terminology,
      ...(failoverReady ? { failoverReady: true } : {}),
    };
    const replicaKeys = replicas.map((r) => r.key).sort();
    const resourceName = (key: string, side: Role) => (failoverReady ? `${name}-${key}-${side}` : side === "source" ? `${name}-source` : `${name}-replica-${key}`);

    // Created on first use, so each resource's dependsOn (planMembers) exists before it.
    const created = new Map<string, P | E>();
    const resource = (ref: ResourceRef): P | E => {
      const id = `${ref.member}/${ref.side}/${ref.kind}`;
      const existing = created.get(id);
      if (existing) return existing;
      const plan = plans.find((p) => p.key === ref.member)!;
      const dependsOn = plan.dependsOn[ref.side][ref.kind].map(resource);
      const connection = connectionOf.get(ref.member)!;
      const decision = plan.sides[ref.side];
      const declaredSource = ref.side === "replica" && plan.role === "replica" ? sourceConnection : undefined;
      const standby = decision.standby ? true : undefined;
      const resourceOpts = { ...child, dependsOn };
      let made: P | E;
      if (ref.kind === "plugin") {
        // A failover-ready member holds both sides: each takes the family of the other's installed plugin.
        const matchOtherSide = failoverReady ? true : undefined;
        made = new classes.plugin(
          resourceName(ref.member, ref.side),
          { connection, role: ref.side, terminology: args.terminology, matchOtherSide, source: declaredSource, removeAdopted, standby, topology },
          resourceOpts,
        );
      } else if (ref.side === "source") {
        const isSource = plan.role === "source";
        made = new classes.enablement(
          resourceName(ref.member, "source"),
          {
            connection,
            role: "source",
            enabled: decision.enabled,
            ...tuningProps(args),
            requiredClients: args.waitForReplicaCount,
            // The replica keys re-apply the source's enablement when the topology changes, so its `clients` follows.
            triggers: isSource ? replicaKeys : undefined,
            removeAdopted,
            topology,
          },
          resourceOpts,
        );
      } else {
        const plugin = resource({ ...ref, kind: "plugin" }) as P;
        // Only a plugin whose delete removes semisync takes a dead replica's teardown over: one it
        // uninstalls (an adopted one stays installed), or a built-in one (MariaDB) that found the
        // switch off, whose delete then switches it off. Built-in plugins created before
        // `foundEnabled` existed do not know what they found: the enablement keeps the work.
        // `foundEnabled` is read only where it decides, so older state elsewhere previews no change.
        const pluginRemovesSemisync = pulumi
          .all([plugin.adopted, plugin.builtIn, pulumi.output(removeAdopted)])
          .apply(([adopted, builtIn, remove]) => (remove === true ? pulumi.output(true) : builtIn ? plugin.foundEnabled.apply((found) => found === false) : pulumi.output(!adopted)));
        made = new classes.enablement(
          resourceName(ref.member, "replica"),
          // A replaced plugin (terminology pinned anew) starts disabled: re-apply the enablement then.
          {
            connection,
            role: "replica",
            // Left out when on (the default), as 0.1.0 stored it.
            enabled: decision.enabled ? undefined : false,
            traceLevel: args.traceLevel,
            persist: args.persist,
            source: declaredSource,
            standby,
            triggers: [plugin.pluginName],
            removeAdopted,
            teardownByPlugin: pluginRemovesSemisync,
            topology,
          },
          resourceOpts,
        );
      }
      created.set(id, made);
      return made;
    };

    this.members = {};
    for (const plan of plans) {
      const member: MemberResources<P, E> = { role: plan.role, acknowledge: plan.acknowledge };
      for (const side of ROLES) {
        if (!plan.sides[side].present) continue;
        member[`${side}Plugin`] = resource({ member: plan.key, side, kind: "plugin" }) as P;
        member[`${side}Enablement`] = resource({ member: plan.key, side, kind: "enablement" }) as E;
      }
      if (plan.role === "replica" || failoverReady) this.members[plan.key] = member;
    }
    const source = plans.find((p) => p.role === "source")!;
    this.sourcePlugin = resource({ member: source.key, side: "source", kind: "plugin" }) as P;
    this.sourceEnablement = resource({ member: source.key, side: "source", kind: "enablement" }) as E;
    this.replicaPlugins = {};
    this.replicaEnablements = {};
    for (const replica of replicas) {
      this.replicaPlugins[replica.key] = this.members[replica.key].replicaPlugin!;
      this.replicaEnablements[replica.key] = this.members[replica.key].replicaEnablement!;
    }

    this.sourceStatus = this.sourceEnablement.semisyncStatus;
    this.sourceClients = this.sourceEnablement.clients;
    const statuses = Object.entries(this.replicaEnablements).map(([key, e]) => e.semisyncStatus.apply((s) => [key, s] as const));
    this.replicaStatuses = pulumi.all(statuses).apply((pairs) => Object.fromEntries(pairs));
    const adoptedOf = (plugin: P, enablement: E) => pulumi.all([plugin.adopted, enablement.adopted]).apply(([p, e]) => ({ plugin: p ?? false, enabled: e ?? false }));
    const replicasAdopted = Object.keys(this.replicaEnablements).map((key) => adoptedOf(this.replicaPlugins[key], this.replicaEnablements[key]).apply((state) => [key, state] as const));
    this.adopted = pulumi.all([adoptedOf(this.sourcePlugin, this.sourceEnablement), pulumi.all(replicasAdopted)]).apply(([source, pairs]) => ({ source, replicas: Object.fromEntries(pairs) }));
    this.registerOutputs({ sourceStatus: this.sourceStatus, sourceClients: this.sourceClients, replicaStatuses: this.replicaStatuses, adopted: this.adopted });
  }
}

/** One member's resources; a side it does not have is absent. */
export interface MemberResources<P extends PluginResource = SemisyncPlugin, E extends EnablementResource = SemisyncEnablement> {
  role: Role;
  /** Replica: whether it acknowledges commits. */
  acknowledge: boolean;
  sourcePlugin?: P;
  sourceEnablement?: E;
  replicaPlugin?: P;
  replicaEnablement?: E;
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
 * With `failoverReady` every member has both sides and a role flip after a failover is an
 * in-place update in the same stall-free order (demoted members' source side off first, the new
 * source's on last); async-only replicas (`acknowledge: false`) change after the source. The
 * order and which side is on come from `planMembers` (plan/member-sides.ts).
 */
export class SemisyncReplication extends SemisyncReplicationOf<SemisyncPlugin, SemisyncEnablement> {
  constructor(name: string, args: SemisyncReplicationArgs, opts?: pulumi.ComponentResourceOptions) {
    super({ plugin: SemisyncPlugin, enablement: SemisyncEnablement }, name, args, opts);
  }
}

/** A plain object's `name`, and the connection without it; an Output or promise has no readable name. */
function splitMember(source: MemberArgs | pulumi.Input<ConnectionArgs>): { name?: string; connection: pulumi.Input<ConnectionArgs> } {
  const plain = typeof source === "object" && source !== null && !pulumi.Output.isInstance(source) && typeof (source as { then?: unknown }).then !== "function";
  if (!plain) return { connection: source as pulumi.Input<ConnectionArgs> };
  const { name, ...connection } = source as MemberArgs;
  return { name, connection };
}

/** A member as the component declares it to `planMembers`, with its connection. */
interface DeclaredMember {
  key: string;
  role: Role;
  acknowledge: boolean;
  connection: pulumi.Input<ConnectionArgs>;
}

/**
 * Every member's key and role, after every plain input of every member is checked by the rules
 * of `check` (plan/inputs.ts): the component refuses a bad value anywhere before any of its
 * resources is registered. Throws `RunError`s: the language host prints them without a stack
 * trace.
 */
function declareMembers(name: string, args: SemisyncReplicationArgs) {
  const failoverReady = args.failoverReady === true;
  const { name: sourceName, connection: sourceConnection } = splitMember(args.source);
  refuseAtProgramTime(`SemisyncReplication ${name}`, inputFailures(args, sourceConnection));
  // Without failoverReady the source's key names no resource: one no replica name can take.
  const sourceKey = failoverReady ? memberKey(name, { name: sourceName, host: hostOf(sourceConnection), port: portOf(sourceConnection) }, -1, true) : "\u0000source";
  const replicas: DeclaredMember[] = args.replicas.map((replica, index) => {
    const { name: _name, acknowledge, ...connection } = replica;
    return { key: memberKey(name, replica, index, failoverReady), role: "replica", acknowledge: acknowledge !== false, connection: connection as ConnectionArgs };
  });
  const keys = new Set<string>([sourceKey]);
  for (const replica of replicas) {
    if (keys.has(replica.key))
      throw programError(`SemisyncReplication ${name}: two ${failoverReady ? "members" : "replicas"} share the key '${replica.key}'; give them distinct names. Nothing was changed on any server.`);
    keys.add(replica.key);
  }
  const declared: DeclaredMember[] = [{ key: sourceKey, role: "source", acknowledge: true, connection: sourceConnection }, ...replicas];
  const refusal = waitCountRefusal(name, args.waitForReplicaCount, declared);
  if (refusal) throw programError(`${refusal} Nothing was changed on any server.`);
  // Updates run before deletions, so a source with too few replicas left is switched off before
  // the replicas that are going away restart their IO threads.
  const sourceSwitchOn = acknowledgingReplicas(declared) >= (args.waitForReplicaCount ?? 1);
  return { sourceConnection, replicas, declared, sourceSwitchOn };
}

/**
 * What `check` would refuse in any of the component's resources, from the inputs that are plain
 * now: each member's connection (named `source.port`, `replicas[1].host`, …) and the settings its
 * resources share.
 */
function inputFailures(args: SemisyncReplicationArgs, sourceConnection: pulumi.Input<ConnectionArgs>): InputFailure[] {
  // A member's connection is checked whole, password and TLS inline, as its topology entry is.
  const failures = [...checkComponentKeys(args, REPLICATION_KEYS), ...checkConnection(atProgramTime(sourceConnection), "source", true)];
  args.replicas.forEach((replica, index) => {
    const { name: _name, acknowledge, ...connection } = replica;
    failures.push(...checkConnection(atProgramTime(connection), `replicas[${index}]`, true));
    const plain = atProgramTime(acknowledge);
    if (plain !== undefined && plain !== UNKNOWN && typeof plain !== "boolean")
      failures.push({ property: `replicas[${index}].acknowledge`, reason: `replicas[${index}].acknowledge must be true or false, got ${JSON.stringify(plain)}` });
  });
  // The settings as the source's resources receive them; their connection is checked above.
  const shared = { role: "source", connection: UNKNOWN, removeAdopted: args.removeAdopted };
  failures.push(
    ...checkEnablementInputs(atProgramTime({ ...shared, ...tuningProps(args), requiredClients: args.waitForReplicaCount }) as Record<string, unknown>),
    ...checkPluginInputs(atProgramTime({ ...shared, terminology: args.terminology }) as Record<string, unknown>),
  );
  const failoverReady = atProgramTime(args.failoverReady);
  if (failoverReady !== undefined && typeof failoverReady !== "boolean") failures.push({ property: "failoverReady", reason: `failoverReady must be true or false, got ${JSON.stringify(failoverReady)}` });
  return failures;
}

function hostOf(connection: pulumi.Input<ConnectionArgs>): pulumi.Input<string> | undefined {
  return typeof connection === "object" && connection !== null && !pulumi.Output.isInstance(connection) ? (connection as ConnectionArgs).host : undefined;
}

function portOf(connection: pulumi.Input<ConnectionArgs>): pulumi.Input<number> | undefined {
  return typeof connection === "object" && connection !== null && !pulumi.Output.isInstance(connection) ? (connection as ConnectionArgs).port : undefined;
}

/**
 * A member's key: its name, else `<host>-<port>` when both are plain (an absent port is the
 * default 3306). Else a replica without failoverReady is keyed by position; with failoverReady a
 * member moves between `source` and `replicas`, so a position would rename it: a name is
 * required. A host or port that is an Output is never stood in for by a default.
 */
function memberKey(component: string, member: { name?: string; host?: pulumi.Input<string>; port?: pulumi.Input<number> }, index: number, failoverReady: boolean): string {
  if (member.name) return member.name;
  const port = member.port === undefined ? DEFAULT_PORT : member.port;
  if (typeof member.host === "string" && typeof port === "number") return `${member.host}-${port}`.replace(/[^A-Za-z0-9_.-]/g, "_");
  if (!failoverReady) return String(index);
  const pending = typeof member.host === "string" ? "its port is an output" : typeof port === "number" ? "its host is an output" : "its host and port are outputs";
  throw programError(
    `SemisyncReplication ${component}: with failoverReady every member's resources are keyed by its name, and the ${index < 0 ? "source" : `replica at position ${index}`} has no name and ${pending}, so its key cannot be known when the program runs. Give it a name (e.g. name: "db1"), the same one it keeps when it moves between source and replicas. Nothing was changed on any server.`,
  );
}
