import * as pulumi from "@pulumi/pulumi";
import { processWide } from "../crud/process-wide";
import { InputFailure, UNKNOWN } from "../plan/inputs";
import { isPlainObject, undeclaredArgs, withoutUndeclaredValues } from "./connection-args";

/*
 * The engine checks a resource's inputs (`check`) only when the program registers it, and with
 * `pulumi up --skip-preview` it creates each resource as soon as it is checked: a bad value in a
 * resource registered late was refused after the earlier ones had changed their servers. So the
 * rules `check` applies (plan/inputs.ts) also run in the constructors, on every value that is
 * plain when the program runs; a value that is an Output or a promise is checked by `check` once
 * it is resolved, as before.
 */

function isPending(value: unknown): boolean {
  return pulumi.Output.isInstance(value) || (typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function");
}

/** `value` as `check` receives it in a preview: whatever is not plain yet is unknown. */
export function atProgramTime(value: unknown): unknown {
  if (isPending(value)) return UNKNOWN;
  if (Array.isArray(value)) return value.map(atProgramTime);
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, atProgramTime(v)]));
  return value;
}

/** A connection as the resource's props carry it (`splitConnection`): password and TLS apart. */
export function connectionAtProgramTime(connection: unknown, prefix = ""): Record<string, unknown> {
  const plain = atProgramTime(connection);
  const key = (name: string) => (prefix ? `${prefix}${name[0].toUpperCase()}${name.slice(1)}` : name);
  if (!isPlainObject(plain)) return { [key("connection")]: plain };
  const { password, tls, ...rest } = plain;
  return { [key("connection")]: withoutUndeclaredValues(rest), [key("password")]: password, [key("tls")]: tls };
}

/**
 * The props `check` receives from a resource's args (`serverSideProps`), as far as they are plain
 * when the program runs: keys that are not inputs by name only, the connection and the declared
 * source split as the resource splits them.
 */
export function propsAtProgramTime(args: { connection: unknown; source?: unknown; topology?: unknown }, accepted: readonly string[]): Record<string, unknown> {
  const { connection, source, topology, ...rest } = args;
  const declared = Object.fromEntries(Object.entries(rest).filter(([key]) => accepted.includes(key)));
  return {
    ...undeclaredArgs(args, accepted),
    ...(atProgramTime(declared) as Record<string, unknown>),
    ...connectionAtProgramTime(connection),
    ...(source === undefined ? {} : connectionAtProgramTime(source, "source")),
    topology: atProgramTime(topology),
  };
}

/**
 * Refuses the program when any plain input breaks a rule of `check`, before the resource is
 * registered: a `RunError`, which the language host prints once, without a stack trace.
 */
export function refuseAtProgramTime(what: string, failures: InputFailure[]): void {
  if (failures.length === 0) return;
  const reasons = [...new Set(failures.map((f) => f.reason))];
  throw programError(`${what}: ${reasons.join("; ")}. Nothing was changed on any server: the program's inputs are checked before any server is contacted.`);
}

/**
 * A program-time refusal: a `RunError` (printed once, without a stack trace), which also holds
 * back the registration of every resource of this package declared before it in the same run of
 * the program (`registeredAfterChecks`).
 */
export function programError(message: string): Error {
  const error = new pulumi.RunError(message);
  const gate = registrationGate();
  gate.refuse?.(error);
  return error;
}

interface RegistrationGate {
  /** Settles once the program's current synchronous run is over; undefined between runs. */
  open?: Promise<void>;
  refuse?: (error: Error) => void;
}

function registrationGate(): RegistrationGate {
  return processWide("registration-gate", (): RegistrationGate => ({}));
}

/**
 * `dependsOn` that first waits for the end of the program's current synchronous run (one
 * macrotask): a refusal by a resource declared later in that run (`programError`) rejects the
 * wait, so the earlier resources are never registered and nothing is applied anywhere. The
 * language host reports that same error once. Resources of other packages, and ours declared
 * after an `await` of the program, are registered as the program goes, as always.
 */
export function registeredAfterChecks(dependsOn: pulumi.ResourceOptions["dependsOn"]): pulumi.ResourceOptions["dependsOn"] {
  const gate = registrationGate();
  if (!gate.open) {
    gate.open = new Promise<void>((resolve, reject) => {
      gate.refuse = reject;
      setImmediate(() => {
        gate.open = undefined;
        gate.refuse = undefined;
        resolve();
      });
    });
    // Awaited by each registration; the rejection itself is the program's error, reported once.
    gate.open.catch(() => undefined);
  }
  return gate.open.then(() => dependsOn ?? []) as pulumi.ResourceOptions["dependsOn"];
}
