import { ConnectionInputs, connectionSettings } from "../plan/inputs";
import { serverLabel } from "../sql/connection";
import { processWide } from "./process-wide";

/**
 * One promise chain per declared source (`host:port` as configured). The engine runs the deletes
 * of independent resources in parallel: two replicas of one source replaced together (an
 * index-keyed `replicas` list reordered) each read the source's semisync clients, each saw one to
 * spare, and both switched off, stalling the source's commits for the whole timeout (measured:
 * 10 s). The guard's check and the switch-off that follows it therefore run one at a time per
 * source. The chains are process-wide (`processWide`): module-level state would not be shared
 * between resources.
 */
function chains(): Map<string, Promise<void>> {
  return processWide("source-locks", () => new Map<string, Promise<void>>());
}

/** Runs `work` after every earlier holder of `source`'s lock in this process has finished. */
export async function underSourceLock<T>(source: ConnectionInputs, work: () => Promise<T>): Promise<T> {
  const key = serverLabel(connectionSettings(source));
  const held = chains();
  const before = held.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => (release = resolve));
  const tail = before.then(() => mine);
  held.set(key, tail);
  await before;
  try {
    return await work();
  } finally {
    release();
    if (held.get(key) === tail) held.delete(key);
  }
}
