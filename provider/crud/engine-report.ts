import type * as pulumi from "@pulumi/pulumi";
import { renderForEngine } from "../sql/errors";
import { processWide } from "./process-wide";

/**
 * Failed deletes and reads reach the user once, without a stack trace.
 *
 * The dynamic-provider host (`@pulumi/pulumi` cmd/dynamic-provider) prints
 * `${error}: ${error.stack}` to stderr for a failed `delete` or `read` and then hands the same
 * error to the engine, which reports its message under the resource. The engine also shows the
 * host's stderr, under the stack: every failure appeared three times (twice in the stderr line,
 * once under the resource), followed by frames of the serialized provider code
 * (`at <anonymous>:592:19`) that tell a user nothing. Errors leaving here are marked, and the
 * host's stderr copy of a marked error is dropped; the engine's report stays, with the message,
 * the server and the fix.
 */
const MARK = "\u2063pulumi-mysql-semisync: reported by the engine\u2063";

export async function reportedOnce<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw quieted(error);
  }
}

function quieted(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  installStderrFilter();
  Object.defineProperty(error, "toString", { value: () => MARK, enumerable: false, configurable: true });
  error.stack = `${error.name}: ${error.message}`;
  return error;
}

/** Once per provider process, whichever resource's copy of this code comes first. */
function installStderrFilter(): void {
  processWide("stderr-filter", () => {
    const original = console.error.bind(console);
    console.error = (...args: unknown[]) => {
      if (typeof args[0] === "string" && args[0].startsWith(MARK)) return;
      original(...args);
    };
    return true;
  });
}

/**
 * A warning in the engine's output, `warning: [host:port] …`: for a change the provider made
 * differently from what was asked, or left alone on purpose. Dynamic providers have no engine
 * log of their own; the engine shows the provider's stderr lines in its output. (`pulumi.log.warn`
 * falls back to the same stderr there, as `warning: [runtime] …`: one form for every warning.)
 */
export function engineWarning(server: string, message: string): void {
  process.stderr.write(`warning: [${server}] ${message}\n`);
}

/**
 * `engineWarning`, once per `key` of a `kind` in a provider process: every resource of a
 * deployment that meets the same condition (a server unread, the same members down) says it once.
 */
export function engineWarningOnce(kind: string, key: string, server: string, message: string): void {
  const warned = processWide(`warned-${kind}`, () => new Set<string>());
  if (warned.has(key)) return;
  warned.add(key);
  engineWarning(server, message);
}

/** Runs a provider method; a SemisyncError leaves it as the text the engine prints (`renderForEngine`). */
export async function rendered<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw renderForEngine(error);
  }
}

/**
 * The provider as the engine meets it, the edge of every method: its errors leave rendered as
 * the engine prints them, and the failures of `delete` and `read` are reported once (see above).
 */
export function reportingOnce<I, O>(provider: pulumi.dynamic.ResourceProvider<I, O>): pulumi.dynamic.ResourceProvider<I, O> {
  const { check, diff, create, read, update, delete: remove } = provider;
  return {
    ...provider,
    ...(check ? { check: (olds: I, news: I) => rendered(() => check(olds, news)) } : {}),
    ...(diff ? { diff: (id: string, olds: O, news: I) => rendered(() => diff(id, olds, news)) } : {}),
    create: (inputs: I) => rendered(() => create(inputs)),
    ...(update ? { update: (id: string, olds: O, news: I) => rendered(() => update(id, olds, news)) } : {}),
    ...(remove ? { delete: (id: string, props: O) => reportedOnce(() => rendered(() => remove(id, props))) } : {}),
    ...(read ? { read: (id: string, props?: O) => reportedOnce(() => rendered(() => read(id, props))) } : {}),
  };
}
