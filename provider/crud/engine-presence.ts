import * as net from "node:net";
import { semisyncError } from "../sql/errors";

/**
 * Whether the Pulumi engine that started this provider process is gone (killed).
 *
 * The engine starts the provider host with the address of its own gRPC endpoint as the first
 * argument. Killing `pulumi` alone (SIGKILL, the OOM killer) leaves the provider host running in
 * its own process group, reparented to a shell that waits for it: it finishes the operations in
 * flight, and nobody records them. Measured with 0.2.0: the killed run's replica plugins were
 * installed, the next `up` adopted them as found and `destroy` left them installed. A create that
 * finds the engine gone undoes itself instead (see the creates' `unlessEngineGone`).
 *
 * A refused connection to that address is the engine's death: the port of a live engine
 * accepts. Anything else (no address on this machine, a timeout) counts as alive, as before this
 * check existed. Bounded by 1 s; loopback only.
 */
export async function engineGone(): Promise<boolean> {
  const address = engineAddress();
  if (!address) return false;
  return new Promise((resolve) => {
    const socket = net.connect(address);
    const done = (gone: boolean) => {
      socket.destroy();
      resolve(gone);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once("connect", () => done(false));
    socket.once("error", (error: NodeJS.ErrnoException) => done(error.code === "ECONNREFUSED"));
  });
}

function engineAddress(): { host: string; port: number } | undefined {
  for (const arg of process.argv.slice(2)) {
    const match = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\]):(\d{1,5})$/.exec(arg);
    if (match) return { host: match[1].replace(/^\[(.*)\]$/, "$1"), port: Number(match[2]) };
  }
  return undefined;
}

/**
 * Runs a create, and undoes it when the engine died meanwhile: what the engine cannot record must
 * not stay on the server, or the next run would take it for something it found there. `undo`
 * gets the create's outputs and puts the server back as the create found it.
 *
 * Only a create still in flight is judged: while it runs, a live engine is waiting for its
 * answer, so a refused connection to its address can only mean it is gone. A create that ended
 * is never undone later: once a run ends, the engine closes its endpoint while it stops its
 * provider hosts, and a watch that outlived the create could not tell that normal end from a
 * kill, and would undo a deployment that succeeded. So the engine dying between receiving a
 * result and writing its checkpoint is left to the recovery (docs/interrupted-runs.md).
 */
export async function unlessEngineGone<T>(server: string, create: () => Promise<T>, undo: (outputs: T) => Promise<void>): Promise<T> {
  if (await engineGone()) throw semisyncError(server, "not started: the pulumi engine that asked for this create is gone. Nothing was changed.", { fix: FIX });
  const outputs = await create();
  if (!(await engineGone())) return outputs;
  let undone = "it was undone";
  await undo(outputs).catch((error) => (undone = `undoing it failed (${String((error as Error)?.message ?? error)})`));
  throw semisyncError(server, `the pulumi engine that asked for this create is gone, so it could not record it: ${undone}.`, { fix: FIX });
}

const FIX = "run the recovery in docs/interrupted-runs.md (pulumi cancel, pulumi refresh --clear-pending-creates, pulumi up).";
