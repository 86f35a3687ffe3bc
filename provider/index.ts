export { SemisyncPlugin, SemisyncPluginArgs } from "./resources/semisync-plugin";
export { SemisyncEnablement, SemisyncEnablementArgs, FoundSemisync } from "./resources/semisync-enablement";
export { SemisyncReplication, SemisyncReplicationArgs, MemberArgs, ReplicaArgs, MemberResources, AdoptedState } from "./resources/semisync-replication";
export { ConnectionArgs } from "./resources/connection-args";
export { SemisyncBaseArgs, ServerSideArgs, SemisyncTuningArgs, TerminologyArgs } from "./resources/base-args";
export { Role, Terminology, WaitPoint, TlsOptions, SemisyncSettings, SemisyncMonitoring } from "./types";
export { SemisyncError, isSemisyncError } from "./sql/errors";
export { semisyncPluginProvider } from "./crud/plugin-provider";
export { semisyncEnablementProvider } from "./crud/enablement-provider";
