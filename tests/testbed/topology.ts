import { randomBytes } from "crypto";
import { freeLocalPorts } from "./free-ports";
import { Lane } from "./lanes";
import { ConnectRetry, configureReplica, waitForReplicationRunning } from "./replication";
import { Server, startServer } from "./server";

export type { Lane } from "./lanes";
export type { Server } from "./server";
export type { ConnectRetry } from "./replication";

export interface TopologyOptions {
  replicas: number;
  /** GTID-based replication (default); false replicates by binlog file and position. */
  gtid?: boolean;
  /** Extra container labels, e.g. so a CLI can find its containers again. */
  labels?: Record<string, string>;
  /** Extra options for every server, each `--name` or `--name=value`, written to its option file. */
  serverOptions?: string[];
  /**
   * The replicas' reconnect interval after losing the source (`SOURCE_CONNECT_RETRY` /
   * `MASTER_CONNECT_RETRY`). Defaults to 1 s, so tests that restart a source for other reasons do
   * not wait a minute; tests about restarts pass "server-default" (60 s) to see what users see.
   */
  connectRetry?: ConnectRetry;
}

export interface Topology {
  readonly id: string;
  readonly lane: Lane;
  readonly source: Server;
  readonly replicas: Server[];
  /** The password of the `repl` user every server has, for re-pointing replicas (failover.ts). */
  readonly replicationPassword: string;
  /** Stops and removes every container; safe to call more than once. */
  stop(): Promise<void>;
}

export const TOPOLOGY_LABEL = "pulumi-mysql-semisync.topology";

/** Containers `npm run testbed -- down` removes: the long-lived test bed's, and a demo kept with `--keep`. */
export const TESTBED_LABEL = "pulumi-mysql-semisync.testbed";

function randomHex(bytes: number): string {
  return randomBytes(bytes).toString("hex");
}

async function stopAll(servers: Server[]): Promise<void> {
  await Promise.allSettled(servers.map((server) => server.container.stop()));
}

/** A source and `replicas` replicas of one lane, each in its own container on 127.0.0.1, replicating. */
export async function startTopology(lane: Lane, options: TopologyOptions): Promise<Topology> {
  const gtid = options.gtid ?? true;
  const id = randomHex(4);
  const adminPassword = randomHex(12);
  const replicationPassword = randomHex(12);
  const names = ["source", ...Array.from({ length: options.replicas }, (_, i) => `replica-${i + 1}`)];
  const ports = await freeLocalPorts(names.length);

  const started = await Promise.allSettled(
    names.map((name, index) =>
      startServer({
        lane,
        name,
        port: ports[index],
        serverId: index + 1,
        gtid,
        adminPassword,
        replicationPassword,
        labels: { ...options.labels, [TOPOLOGY_LABEL]: id },
        serverOptions: options.serverOptions,
      }),
    ),
  );
  const servers = started.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  const failure = started.find((result): result is PromiseRejectedResult => result.status === "rejected");
  if (failure) {
    await stopAll(servers);
    throw failure.reason;
  }

  const [source, ...replicas] = servers;
  try {
    await Promise.all(
      replicas.map(async (replica) => {
        await configureReplica(replica, source, replicationPassword, gtid, options.connectRetry ?? 1);
        await waitForReplicationRunning(replica);
      }),
    );
  } catch (error) {
    await stopAll(servers);
    throw new Error(`lane ${lane.name} (image ${lane.image}): ${(error as Error).message}`);
  }

  let stopping: Promise<void> | undefined;
  return {
    id,
    lane,
    source,
    replicas,
    replicationPassword,
    stop: () => (stopping ??= stopAll(servers)),
  };
}
