// (b) The same with the two base resources and explicit dependsOn, in the stall-free order:
// source plugin -> replica plugins -> replica enablements (IO threads restart) -> source enablement.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { SemisyncEnablement, SemisyncPlugin } from "pulumi-mysql-semisync";

interface Endpoint {
  host: string;
  port: number;
}

const config = new pulumi.Config();
// Without config, deploy to the local test bed started by `npm run testbed -- up`.
const testbedFile = path.join(process.env.SEMISYNC_CACHE ?? path.join(os.homedir(), ".cache", "pulumi-mysql-semisync"), "testbed.json");
const testbed = config.getObject<Endpoint>("source") ? undefined : JSON.parse(fs.readFileSync(testbedFile, "utf8"));
const source: Endpoint = config.getObject<Endpoint>("source") ?? testbed.source;
const replicas: Endpoint[] = config.getObject<Endpoint[]>("replicas") ?? testbed.replicas;
const user = config.get("user") ?? testbed?.source.user ?? "admin";
const password = config.getSecret("password") ?? pulumi.secret<string>(testbed.source.password);
const timeoutMs = config.getNumber("timeoutMs") ?? 10_000;

// `pulumi config set --path` may store ports as strings.
const connection = (server: Endpoint) => ({ host: server.host, port: Number(server.port), user, password });

const sourcePlugin = new SemisyncPlugin("source-plugin", { connection: connection(source), role: "source" });
const replicaEnablements = replicas.map((replica, i) => {
  const plugin = new SemisyncPlugin(`replica-${i + 1}-plugin`, { connection: connection(replica), role: "replica", source: connection(source) }, { dependsOn: [sourcePlugin] });
  return new SemisyncEnablement(`replica-${i + 1}-enablement`, { connection: connection(replica), role: "replica", source: connection(source) }, { dependsOn: [plugin, sourcePlugin] });
});
const sourceEnablement = new SemisyncEnablement(
  "source-enablement",
  { connection: connection(source), role: "source", timeoutMs },
  // The source is switched on last and, on destroy, switched off first.
  { dependsOn: [sourcePlugin, ...replicaEnablements] },
);

export const sourcePluginName = sourcePlugin.pluginName;
export const sourceStatus = sourceEnablement.semisyncStatus;
export const sourceClients = sourceEnablement.clients;
export const replicaStatuses = replicaEnablements.map((e) => e.semisyncStatus);
