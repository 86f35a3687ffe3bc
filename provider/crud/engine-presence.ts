import * as net from "node:net";
import { semisyncError } from "../sql/errors";
import { processWide } from "./process-wide";

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
 * A create that ends while the engine lives may still never be recorded: the engine can die
 * between receiving the result and writing its checkpoint. So every create of this provider
 * process stays undoable: a watch (every 250 ms while the process lives) undoes them all, the
 * last one first, as soon as the engine is gone. Undoing one the engine did record costs nothing
 * lasting: the recovery's `pulumi refresh` reads it as gone and `pulumi up` makes it again
 * (docs/interrupted-runs.md); leaving one it did not record would be adopted as found.
 */
export async function unlessEngineGone<T>(server: string, create: () => Promise<T>, undo: (outputs: T) => Promise<void>): Promise<T> {
  if (await engineGone()) throw semisyncError(server, "not started: the pulumi engine that asked for this create is gone. Nothing was changed.", { fix: FIX });
  const outputs = await create();
  if (!(await engineGone())) {
    watchEngine(() => undo(outputs));
    return outputs;
  }
  let undone = "it was undone";
  await undo(outputs).catch((error) => (undone = `undoing it failed (${String((error as Error)?.message ?? error)})`));
  throw semisyncError(server, `the pulumi engine that asked for this create is gone, so it could not record it: ${undone}.`, { fix: FIX });
}

const FIX = "run the recovery in docs/interrupted-runs.md (pulumi cancel, pulumi refresh --clear-pending-creates, pulumi up).";

interface Watch {
  undos: (() => Promise<void>)[];
  started: boolean;
}

function watchEngine(undo: () => Promise<void>): void {
  if (!engineAddress()) return;
  const watch = processWide<Watch>("engine-watch", () => ({ undos: [], started: false }));
  watch.undos.push(undo);
  if (watch.started) return;
  watch.started = true;
  const tick = async () => {
    if (await engineGone()) {
      const undos = watch.undos.splice(0).reverse();
      for (const run of undos) await run().catch(() => undefined);
      return;
    }
    setTimeout(() => void tick(), 250).unref();
  };
  setTimeout(() => void tick(), 250).unref();
}
