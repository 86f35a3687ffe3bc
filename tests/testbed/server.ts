import { GenericContainer, StartedTestContainer, getContainerRuntimeClient } from "testcontainers";
import { containerLogTail } from "./container-logs";
import { Lane } from "./lanes";
import { SERVER_START_SCRIPT, serverScriptEnvironment } from "./server-script";
import { ConnectionInfo, Row, queryRows, sleep, testbedLogin } from "./sql-client";

export interface Server extends ConnectionInfo {
  readonly name: string;
  readonly host: "127.0.0.1";
  readonly port: number;
  readonly user: "admin";
  readonly password: string;
  readonly serverId: number;
  readonly container: StartedTestContainer;
  /**
   * Opens a connection as the test bed's own account (never `admin`, the provider's), runs one
   * statement, closes it.
   */
  query<R extends Row = Row>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Stops the container (the server shuts down cleanly) and starts it again on the same port and datadir. */
  restart(): Promise<void>;
  /** Stops the container; the server is down until `start()`. */
  stop(): Promise<void>;
  /** Starts a stopped container on the same port and datadir and waits until it is ready. */
  start(): Promise<void>;
  /**
   * Freezes every process of the container (`docker pause`): the server keeps its state and its
   * port still accepts TCP connections, but nothing answers, as across a network partition.
   */
  freeze(): Promise<void>;
  /** Undoes `freeze()`. */
  thaw(): Promise<void>;
}

export interface ServerOptions {
  lane: Lane;
  name: string;
  port: number;
  serverId: number;
  gtid: boolean;
  adminPassword: string;
  replicationPassword: string;
  labels: Record<string, string>;
  serverOptions?: string[];
}

export const SERVER_NAME_LABEL = "pulumi-mysql-semisync.server";

const READY_TIMEOUT_MS = 90_000;
const READY_POLL_MS = 500;
const GRACEFUL_STOP_MS = 60_000;

class ContainerServer implements Server {
  readonly host = "127.0.0.1";
  readonly user = "admin";
  readonly name: string;
  readonly port: number;
  readonly password: string;
  readonly serverId: number;

  constructor(
    private readonly options: ServerOptions,
    readonly container: StartedTestContainer,
  ) {
    this.name = options.name;
    this.port = options.port;
    this.password = options.adminPassword;
    this.serverId = options.serverId;
  }

  query<R extends Row = Row>(sql: string, params?: unknown[]): Promise<R[]> {
    return queryRows<R>(testbedLogin(this), sql, params);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async stop(): Promise<void> {
    const client = await getContainerRuntimeClient();
    await client.container.stop(client.container.getById(this.container.getId()), { timeout: GRACEFUL_STOP_MS });
  }

  async start(): Promise<void> {
    const client = await getContainerRuntimeClient();
    await client.container.start(client.container.getById(this.container.getId()));
    await this.waitUntilReady();
  }

  async freeze(): Promise<void> {
    const client = await getContainerRuntimeClient();
    await client.container.getById(this.container.getId()).pause();
  }

  async thaw(): Promise<void> {
    const client = await getContainerRuntimeClient();
    await client.container.getById(this.container.getId()).unpause();
  }

  async waitUntilReady(): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let lastError: unknown;
    for (;;) {
      try {
        await this.query("SELECT 1");
        return;
      } catch (error) {
        lastError = error;
      }
      if (!(await this.isContainerRunning())) throw await this.notReadyError("its container exited", lastError);
      if (Date.now() >= deadline) throw await this.notReadyError(`it was not ready within ${READY_TIMEOUT_MS / 1000} s`, lastError);
      await sleep(READY_POLL_MS);
    }
  }

  private async isContainerRunning(): Promise<boolean> {
    const client = await getContainerRuntimeClient();
    const inspection = await client.container.inspect(client.container.getById(this.container.getId()));
    return inspection.State.Running;
  }

  private async notReadyError(reason: string, lastError: unknown): Promise<Error> {
    const { lane } = this.options;
    const lastMessage = lastError instanceof Error ? lastError.message : String(lastError);
    return new Error(
      `lane ${lane.name}: server "${this.name}" (image ${lane.image}, 127.0.0.1:${this.port}) did not accept ` +
        `connections as the test bed's account: ${reason}. Last connection error: ${lastMessage}\n` +
        `--- container log, last lines ---\n${await containerLogTail(this.container)}`,
    );
  }
}

export async function startServer(options: ServerOptions): Promise<Server> {
  // No exposed ports, so the default wait strategy returns at once; readiness is a real login below.
  const container = await new GenericContainer(options.lane.image)
    .withNetworkMode("host")
    .withEntrypoint(["sh", "-c"])
    .withCommand([SERVER_START_SCRIPT])
    .withEnvironment(
      serverScriptEnvironment({
        port: options.port,
        serverId: options.serverId,
        gtid: options.gtid,
        adminPassword: options.adminPassword,
        replicationPassword: options.replicationPassword,
        serverOptions: options.serverOptions,
      }),
    )
    .withLabels({ ...options.labels, [SERVER_NAME_LABEL]: options.name })
    .start();
  const server = new ContainerServer(options, container);
  try {
    await server.waitUntilReady();
  } catch (error) {
    await container.stop().catch(() => undefined);
    throw error;
  }
  return server;
}
