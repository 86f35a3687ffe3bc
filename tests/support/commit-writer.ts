import * as mysql from "mysql2/promise";

export interface CommitSample {
  /** ms since the writer started. */
  at: number;
  /** How long the INSERT (an autocommit transaction) took, in ms. */
  latencyMs: number;
}

export interface CommitWriter {
  /** Samples recorded since the last `take()`, and starts a new window. */
  take(): CommitSample[];
  stop(): Promise<CommitSample[]>;
}

/**
 * Commits continuously on a source, one small autocommit INSERT at a time, recording how long
 * each took. Bounded: stops by itself after `maxDurationMs`.
 */
export async function startCommitWriter(
  server: { host: string; port: number; user: string; password: string },
  options: { maxDurationMs?: number; pauseMs?: number } = {},
): Promise<CommitWriter> {
  const connection = await mysql.createConnection({ host: server.host, port: server.port, user: server.user, password: server.password, connectTimeout: 10_000 });
  await connection.query("CREATE DATABASE IF NOT EXISTS semisync_probe");
  await connection.query("CREATE TABLE IF NOT EXISTS semisync_probe.commits (id BIGINT AUTO_INCREMENT PRIMARY KEY, at TIMESTAMP(6) DEFAULT CURRENT_TIMESTAMP(6))");
  const started = Date.now();
  const deadline = started + (options.maxDurationMs ?? 15 * 60_000);
  let window: CommitSample[] = [];
  const all: CommitSample[] = [];
  let running = true;
  const loop = (async () => {
    while (running && Date.now() < deadline) {
      const t0 = performance.now();
      await connection.query("INSERT INTO semisync_probe.commits () VALUES ()");
      const sample = { at: Date.now() - started, latencyMs: performance.now() - t0 };
      window.push(sample);
      all.push(sample);
      if (options.pauseMs) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
    }
  })();
  return {
    take() {
      const taken = window;
      window = [];
      return taken;
    },
    async stop() {
      running = false;
      await loop.catch(() => undefined);
      await connection.end().catch(() => connection.destroy());
      return all;
    },
  };
}

export function maxLatency(samples: CommitSample[]): number {
  return samples.reduce((max, s) => Math.max(max, s.latencyMs), 0);
}

export function percentile(samples: CommitSample[], p: number): number {
  if (samples.length === 0) return 0;
  const sorted = samples.map((s) => s.latencyMs).sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
