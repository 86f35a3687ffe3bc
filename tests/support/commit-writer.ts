import * as assert from "node:assert/strict";
import { Worker } from "node:worker_threads";
import { testbedLogin } from "../testbed/sql-client";

export interface CommitSample {
  /** ms since the writer started, when the commit finished. */
  at: number;
  /** How long the INSERT (an autocommit transaction) took, in ms. */
  latencyMs: number;
}

export interface CommitWriter {
  /** Samples recorded since the last `take()`, and starts a new window. */
  take(): CommitSample[];
  /**
   * Waits (bounded) until a commit that started after this call has finished, so a commit that
   * was stalled by the work before it is counted in the current window.
   */
  settle(waitMs?: number): Promise<void>;
  stop(): Promise<CommitSample[]>;
}

interface ServerAddress {
  host: string;
  port: number;
  user: string;
  password: string;
}

// The loop runs on its own thread: the Automation API runs inline programs (and serializes the
// provider, which is CPU-heavy) on the caller's event loop, which would show up as commit latency.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const mysql = require("mysql2/promise");
(async () => {
  const { server, maxDurationMs, pauseMs } = workerData;
  // TLS when the server offers it, as the test bed's own client (tests/testbed/sql-client.ts).
  const base = { ...server, connectTimeout: 10000 };
  const connection = await mysql.createConnection({ ...base, ssl: { rejectUnauthorized: false } }).catch((error) => {
    if (error.code !== "HANDSHAKE_NO_SSL_SUPPORT") throw error;
    return mysql.createConnection(base);
  });
  await connection.query("CREATE DATABASE IF NOT EXISTS semisync_probe");
  await connection.query("CREATE TABLE IF NOT EXISTS semisync_probe.commits (id BIGINT AUTO_INCREMENT PRIMARY KEY, at TIMESTAMP(6) DEFAULT CURRENT_TIMESTAMP(6))");
  let running = true;
  parentPort.on("message", (m) => { if (m === "stop") running = false; });
  const started = Date.now();
  parentPort.postMessage({ ready: started });
  while (running && Date.now() - started < maxDurationMs) {
    const t0 = performance.now();
    await connection.query("INSERT INTO semisync_probe.commits () VALUES ()");
    const latencyMs = performance.now() - t0;
    parentPort.postMessage({ at: Date.now() - started, latencyMs });
    await new Promise((resolve) => (pauseMs > 0 ? setTimeout(resolve, pauseMs) : setImmediate(resolve)));
  }
  await connection.end().catch(() => connection.destroy());
  parentPort.postMessage({ done: true });
})().catch((error) => parentPort.postMessage({ error: String(error && error.message || error) }));
`;

/**
 * Commits continuously on a source, one small autocommit INSERT at a time (`pauseMs` apart),
 * recording how long each took. Bounded: stops by itself after `maxDurationMs`.
 */
export async function startCommitWriter(server: ServerAddress, options: { maxDurationMs?: number; pauseMs?: number } = {}): Promise<CommitWriter> {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { server: testbedLogin(server), maxDurationMs: options.maxDurationMs ?? 15 * 60_000, pauseMs: options.pauseMs ?? 0 },
  });
  let window: CommitSample[] = [];
  const all: CommitSample[] = [];
  let startedAt = 0;
  let finished = false;
  let failure: string | undefined;
  const done = new Promise<void>((resolve) => {
    worker.on("message", (m: { at?: number; latencyMs?: number; ready?: number; done?: boolean; error?: string }) => {
      if (m.ready !== undefined) startedAt = m.ready;
      if (m.at !== undefined && m.latencyMs !== undefined) {
        const sample = { at: m.at, latencyMs: m.latencyMs };
        window.push(sample);
        all.push(sample);
      }
      if (m.error) failure = m.error;
      if (m.done || m.error) {
        finished = true;
        resolve();
      }
    });
    worker.on("exit", () => {
      finished = true;
      resolve();
    });
  });
  const readyBy = Date.now() + 30_000;
  while (!startedAt && !finished && Date.now() < readyBy) await new Promise((resolve) => setTimeout(resolve, 20));
  if (!startedAt) {
    await worker.terminate();
    throw new Error(`the commit writer could not start on ${server.host}:${server.port}: ${failure ?? "no answer within 30 s"}`);
  }
  return {
    take() {
      const taken = window;
      window = [];
      return taken;
    },
    async settle(waitMs = 60_000) {
      const mark = Date.now() - startedAt;
      const until = Date.now() + waitMs;
      while (Date.now() < until && !finished && !all.some((s) => s.at - s.latencyMs >= mark)) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async stop() {
      worker.postMessage("stop");
      await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 70_000))]);
      await worker.terminate();
      if (failure) throw new Error(`the commit writer failed: ${failure}`);
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

/**
 * The project's commit-latency bar: no commit may take a second or more while the package works. A
 * commit that waited that long was waiting for a semisync acknowledgement no replica was sending.
 */
export const STALL_MS = 1_000;

/**
 * Runs `work` while `writer` commits on the source, then fails if a commit of that window took
 * STALL_MS or more. The window ends with a commit that started after `work`, so a commit `work`
 * held up is counted. `note` adds context to the failure (the semisync timeout a stall waits).
 */
export async function stallFree<T>(writer: CommitWriter, what: string, work: () => Promise<T>, note = ""): Promise<T> {
  writer.take();
  const result = await work();
  await writer.settle();
  const samples = writer.take();
  assert.ok(samples.length > 0, `the writer committed during ${what}`);
  const worst = maxLatency(samples);
  assert.ok(worst < STALL_MS, `a commit waited ${worst.toFixed(0)} ms during ${what} (bar ${STALL_MS} ms${note})`);
  return result;
}

/**
 * Runs `work` with a writer committing on `source` throughout, and hands every commit to `check`
 * once the writer stops, whether `work` succeeded or not.
 */
export async function whileCommitting<T>(source: ServerAddress, work: () => Promise<T>, check: (samples: CommitSample[]) => void): Promise<T> {
  const writer = await startCommitWriter(source);
  try {
    const result = await work();
    await writer.settle();
    return result;
  } finally {
    check(await writer.stop());
  }
}
