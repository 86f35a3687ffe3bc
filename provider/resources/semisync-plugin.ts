import * as pulumi from "@pulumi/pulumi";
import { ResolvedTerminology, Role, Terminology } from "../types";
import { ConnectionArgs, SECRET_OUTPUTS, TopologyArgs, declaredSourceProps, splitConnection, topologyProps } from "./connection-args";
import { semisyncPluginStub } from "./provider-stubs";

export interface SemisyncPluginArgs {
  /** The server to install on. Changing its host or port replaces the resource. */
  connection: pulumi.Input<ConnectionArgs>;
  /**
   * `"source"` installs `rpl_semi_sync_source` (`rpl_semi_sync_master` before MySQL 8.0.26),
   * `"replica"` installs `rpl_semi_sync_replica` (`rpl_semi_sync_slave`). Changing it replaces
   * the resource.
   */
  role: pulumi.Input<Role>;
  /**
   * Which plugin names to install: `"modern"` (`…_source`/`…_replica`, MySQL 8.0.26+),
   * `"legacy"` (`…_master`/`…_slave`, up to MySQL 9.4 and MariaDB) or `"automatic"`: keep what is
   * installed, else the server's preferred names. Pin it in fleets that mix versions, so a
   * pre-8.0.26 replica (which only looks for `rpl_semi_sync_master_enabled`) keeps finding its
   * source. Defaults to `"automatic"`.
   */
  terminology?: pulumi.Input<Terminology>;
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
   * Delete uninstalls the plugin even when it was already installed when this resource was
   * created (`adopted`). Defaults to false: an adopted plugin is left installed, as it was found.
   */
  removeAdopted?: pulumi.Input<boolean>;
  /**
   * Replica only. The server replicates from no one and is to have the replica plugin anyway (a
   * failover-ready topology's source, ready to acknowledge once re-pointed): install it without
   * requiring a replication channel. Defaults to false: a replica plugin on a server with no
   * replication channel is refused, as that is most likely the wrong host. `SemisyncReplication`
   * sets it on its source's replica side with `failoverReady`.
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

/**
 * Installs a semisync replication plugin (`INSTALL PLUGIN`) and uninstalls it on delete. On
 * MariaDB 10.3.3 and later semisync is built in: nothing is installed and `builtIn` is true, and
 * delete switches the side off if it was off when the resource was created (`foundEnabled`) and
 * is on now: the work a replica's enablement leaves to it when the replica was unreachable. A
 * plugin that is already installed and ACTIVE is adopted (`adopted` is true) and left installed
 * on delete, as it was found, unless `removeAdopted` is set. Delete also leaves the plugin alone
 * when another resource of the same deployment has just taken it over (a rename without
 * `aliases`), and says so in the engine's output.
 */
export class SemisyncPlugin extends pulumi.dynamic.Resource {
  /** Name of the plugin, e.g. `rpl_semi_sync_source`. */
  declare readonly pluginName: pulumi.Output<string>;
  /** Library file loaded from `@@plugin_dir`, e.g. `semisync_source.so`; `""` when built in. */
  declare readonly pluginLibrary: pulumi.Output<string>;
  /** `ACTIVE`, `BUILT-IN`, or after a refresh `ABSENT` (the next `up` reinstalls it). */
  declare readonly pluginStatus: pulumi.Output<string>;
  /** Semisync is compiled into the server (MariaDB 10.3.3+). */
  declare readonly builtIn: pulumi.Output<boolean>;
  /** The plugin was already installed when the resource was created: delete leaves it installed. */
  declare readonly adopted: pulumi.Output<boolean>;
  /**
   * Whether this side was switched on when the resource was created. On built-in semisync
   * (MariaDB 10.3.3+), found off, delete switches it off if it is still on.
   */
  declare readonly foundEnabled: pulumi.Output<boolean>;
  /** The terminology in use: `modern` or `legacy`. */
  declare readonly activeTerminology: pulumi.Output<ResolvedTerminology>;
  /** `@@version` of the server. */
  declare readonly serverVersion: pulumi.Output<string>;
  /** Server generation the provider detected, e.g. `mysql-9.5` or `mariadb-10.5.9`. */
  declare readonly serverFlavor: pulumi.Output<string>;
  declare readonly role: pulumi.Output<Role>;

  constructor(name: string, args: SemisyncPluginArgs, opts?: pulumi.CustomResourceOptions) {
    const { connection, password, tls } = splitConnection(args.connection);
    super(
      semisyncPluginStub,
      name,
      {
        connection,
        password,
        tls,
        ...declaredSourceProps(args.source),
        topology: topologyProps(args.topology),
        role: args.role,
        terminology: args.terminology,
        removeAdopted: args.removeAdopted,
        standby: args.standby,
        pluginName: undefined,
        pluginLibrary: undefined,
        pluginStatus: undefined,
        builtIn: undefined,
        adopted: undefined,
        foundEnabled: undefined,
        activeTerminology: undefined,
        serverVersion: undefined,
        serverFlavor: undefined,
      },
      { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), ...SECRET_OUTPUTS] },
      "mysql-semisync",
      "SemisyncPlugin",
    );
  }
}
