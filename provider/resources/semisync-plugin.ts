import * as pulumi from "@pulumi/pulumi";
import { ResolvedTerminology, Role } from "../types";
import { ServerSideArgs, ServerSideResource, TerminologyArgs, serverSideRegistration } from "./base-args";
import { PLUGIN_KEYS, PLUGIN_OUTPUT_KEYS } from "../types/input-keys";
import { semisyncPluginStub } from "./provider-stubs";
import { checkPluginInputs } from "../plan/inputs";

const PLUGIN: ServerSideResource = { type: "SemisyncPlugin", keys: PLUGIN_KEYS, outputKeys: PLUGIN_OUTPUT_KEYS, check: checkPluginInputs };

/** Arguments of `SemisyncPlugin`; the shared ones are documented in base-args.ts. */
export interface SemisyncPluginArgs extends ServerSideArgs, TerminologyArgs {
  /**
   * The server holds both sides (a failover-ready member): with `terminology: "automatic"` and
   * no plugin of this side installed, install the names of the family of the other side's
   * installed plugin (`rpl_semi_sync_master`/`rpl_semi_sync_slave` or
   * `rpl_semi_sync_source`/`rpl_semi_sync_replica`), so one server never mixes them. Read only
   * when the plugin is installed: changing it later is no change. Defaults to false, except for
   * state written before 0.3.0, where a `topology` with `failoverReady` meant true;
   * `SemisyncReplication` sets it with `failoverReady`.
   */
  matchOtherSide?: pulumi.Input<boolean>;
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
  /** `"source"` or `"replica"`, as declared. */
  declare readonly role: pulumi.Output<Role>;

  constructor(name: string, args: SemisyncPluginArgs, opts?: pulumi.CustomResourceOptions) {
    const registration = serverSideRegistration(PLUGIN, name, args, { terminology: args.terminology, matchOtherSide: args.matchOtherSide }, opts);
    super(semisyncPluginStub, name, registration.props, registration.opts, "mysql-semisync", "SemisyncPlugin");
  }
}
