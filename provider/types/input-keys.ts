/**
 * Every key each input object accepts, as data: `check` refuses any other key (plan/inputs.ts),
 * and whatever else validates or describes the inputs (constructor checks, a plugin schema) reads
 * the same lists. Pure data; imported by every layer. tests/unit/input-keys.test.ts holds the
 * lists equal to the TypeScript argument types, so a new input cannot be forgotten here.
 *
 * The lists name keys as a program writes them. The dynamic provider stores some of them in
 * another place (connection-args.ts): a resource's `connection.password` and `connection.tls`
 * become the top-level `password` and `tls`, and `source` becomes `sourceConnection`,
 * `sourcePassword` and `sourceTls`; `topology` keeps every member whole.
 */

/** `ConnectionArgs`: one server, wherever a connection is given (`connection`, `source`, `topology` members). */
export const CONNECTION_KEYS = ["host", "port", "user", "password", "tls", "serverPublicKey", "allowPublicKeyRetrieval", "connectTimeoutMs", "statementTimeoutMs"] as const;

/** `TlsOptions`. `rejectUnauthorized` is 0.2.0's switch, still read (types.ts). */
export const TLS_KEYS = ["mode", "ca", "cert", "key", "rejectUnauthorized"] as const;

/** `TopologyArgs`. */
export const TOPOLOGY_KEYS = ["source", "replicas", "terminology", "failoverReady"] as const;

/** `SemisyncPluginArgs`. */
export const PLUGIN_KEYS = ["connection", "role", "terminology", "matchOtherSide", "source", "removeAdopted", "standby", "topology"] as const;

/** `SemisyncEnablementArgs`. */
export const ENABLEMENT_KEYS = [
  "connection",
  "role",
  "enabled",
  "timeoutMs",
  "waitForReplicaCount",
  "waitNoReplica",
  "waitPoint",
  "traceLevel",
  "persist",
  "restartIoThread",
  "replicaStatusTimeoutMs",
  "requiredClients",
  "clientsTimeoutMs",
  "triggers",
  "source",
  "removeAdopted",
  "teardownByPlugin",
  "standby",
  "topology",
] as const;

/** `SemisyncReplicationArgs`; each member's own keys are `CONNECTION_KEYS` plus `name` (and `acknowledge` on a replica). */
export const REPLICATION_KEYS = [
  "source",
  "replicas",
  "failoverReady",
  "terminology",
  "timeoutMs",
  "waitForReplicaCount",
  "waitNoReplica",
  "waitPoint",
  "traceLevel",
  "persist",
  "clientsTimeoutMs",
  "removeAdopted",
] as const;

/** `SemisyncPlugin`'s outputs: the constructor passes each as `undefined`, so the inputs carry them too. */
export const PLUGIN_OUTPUT_KEYS = ["pluginName", "pluginLibrary", "pluginStatus", "builtIn", "adopted", "foundEnabled", "activeTerminology", "serverVersion", "serverFlavor"] as const;

/** `SemisyncEnablement`'s outputs, as above. */
export const ENABLEMENT_OUTPUT_KEYS = [
  "activeTerminology",
  "adopted",
  "found",
  "enabledOnServer",
  "effective",
  "semisyncStatus",
  "clients",
  "monitoring",
  "optionFileLines",
  "persistedSettings",
  "ioThreadState",
  "serverVersion",
  "serverFlavor",
] as const;

/**
 * Keys the dynamic provider itself adds to every resource's inputs: `__provider` holds the
 * serialized provider (@pulumi/pulumi's dynamic resources).
 */
export const ENGINE_KEYS = ["__provider"] as const;
