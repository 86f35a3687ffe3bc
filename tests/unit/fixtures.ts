import * as assert from "node:assert/strict";
import { detectFlavor } from "../../provider/flavors/detect";
import { Flavor } from "../../provider/flavors/generations";
import { SETTING_SPECS, enabledVariable, sideNames, variableName } from "../../provider/flavors/names";
import { PluginOutputs } from "../../provider/plan/props";
import { ObservedState, PluginRow, ReplicationChannel, ResolvedTerminology, Role, Statement } from "../../provider/types";

/** @@version strings as the servers report them, by a short label. */
export const VERSIONS = {
  "MySQL 5.7": "5.7.44-log",
  "MySQL 8.0.21": "8.0.21",
  "MySQL 8.0.22": "8.0.22",
  "MySQL 8.0.25": "8.0.25",
  "MySQL 8.0.26": "8.0.26",
  "MySQL 8.4": "8.4.3",
  "MySQL 9.4": "9.4.0",
  "MySQL 9.5": "9.5.0",
  "MySQL 9.7": "9.7.4",
  "MariaDB 10.2": "10.2.44-MariaDB",
  "MariaDB 10.3.2": "10.3.2-MariaDB",
  "MariaDB 10.5.0": "10.5.0-MariaDB",
  "MariaDB 10.11": "10.11.19-MariaDB-0+deb12u1-log",
  "MariaDB 11.8": "11.8.3-MariaDB-1 from Debian",
} as const;
export type VersionLabel = keyof typeof VERSIONS;

export function flavorOf(label: VersionLabel): Flavor {
  return detectFlavor({ version: VERSIONS[label] }).flavor;
}

export interface ObservedOptions {
  compileOs?: string;
  compileMachine?: string;
  haveDynamicLoading?: string;
  plugins?: PluginRow[];
  variables?: Record<string, string>;
  status?: Record<string, string>;
  channels?: ReplicationChannel[];
  persisted?: Record<string, string>;
}

/** A server as `observe` would report it; empty (no plugins, no variables) unless told. */
export function observedOn(label: VersionLabel, options: ObservedOptions = {}): ObservedState {
  const flavor = flavorOf(label);
  const state: ObservedState = {
    facts: {
      version: VERSIONS[label],
      versionComment: flavor.family === "mariadb" ? "mariadb.org binary distribution" : "MySQL Community Server - GPL",
      compileOs: options.compileOs ?? "Linux",
      compileMachine: options.compileMachine ?? "x86_64",
      haveDynamicLoading: options.haveDynamicLoading ?? "YES",
      pluginDir: "/usr/lib/mysql/plugin/",
    },
    plugins: options.plugins ?? [],
    variables: { ...(options.variables ?? {}) },
    status: { ...(options.status ?? {}) },
  };
  if (options.channels) state.channels = options.channels;
  if (options.persisted) state.persisted = { ...options.persisted };
  else if (flavor.supportsPersist) state.persisted = {};
  return state;
}

export function pluginRow(name: string, status = "ACTIVE", library: string | null = `${name}.so`): PluginRow {
  return { name, status, library };
}

export function defaultChannel(overrides: Partial<ReplicationChannel> = {}): ReplicationChannel {
  return { name: "", ioRunning: "Yes", sqlRunning: "Yes", sourceHost: "source", sourcePort: 3306, lastIoError: "", ...overrides };
}

/** Server defaults of each setting, as SHOW GLOBAL VARIABLES reports them. */
const DEFAULTS: Record<string, string> = {
  enabled: "OFF",
  timeout: "10000",
  wait_for_replica_count: "1",
  wait_for_slave_count: "1",
  wait_no_replica: "ON",
  wait_no_slave: "ON",
  wait_point: "AFTER_SYNC",
  trace_level: "32",
};

/**
 * The `rpl_semi_sync_*` variables a server shows once the plugin of `role` is loaded (or, on
 * MariaDB 10.3.3+, always), at their defaults.
 */
export function pluginVariables(flavor: Flavor, terminology: ResolvedTerminology, role: Role, overrides: Record<string, string> = {}): Record<string, string> {
  const vars: Record<string, string> = { [enabledVariable(terminology, role)]: DEFAULTS.enabled };
  for (const spec of SETTING_SPECS.filter((s) => s.roles.includes(role))) {
    if (spec.key === "waitForReplicaCount" && !flavor.supportsWaitForReplicaCount) continue;
    const suffix = spec.suffix[terminology];
    vars[variableName(terminology, role, suffix)] = DEFAULTS[suffix];
  }
  for (const [name, value] of Object.entries(overrides)) vars[name] = value;
  return vars;
}

function defaultOf(name: string): string {
  const suffix = Object.keys(DEFAULTS)
    .sort((a, b) => b.length - a.length)
    .find((s) => name.endsWith(`_${s}`));
  assert.ok(suffix, `no default known for ${name}`);
  return DEFAULTS[suffix];
}

/**
 * What the server looks like after `statements` ran: a tiny interpreter of exactly the statement
 * shapes the planners emit. It fails on any other statement, so a new shape is noticed.
 */
export function applyToState(state: ObservedState, statements: Statement[], flavor: Flavor, terminology: ResolvedTerminology): ObservedState {
  const next: ObservedState = structuredClone(state);
  for (const { sql } of statements) {
    let m: RegExpMatchArray | null;
    if ((m = /^SET (GLOBAL|PERSIST) (rpl_semi_sync_\w+) = (\w+)$/.exec(sql))) {
      const [, scope, name, raw] = m;
      const value = raw === "DEFAULT" ? defaultOf(name) : raw;
      assert.ok(name in next.variables, `SET of a variable the server does not have: ${sql}`);
      next.variables[name] = value;
      if (scope === "PERSIST") next.persisted = { ...(next.persisted ?? {}), [name]: value };
    } else if ((m = /^RESET PERSIST IF EXISTS (rpl_semi_sync_\w+)$/.exec(sql))) {
      if (next.persisted) delete next.persisted[m[1]];
    } else if ((m = /^(STOP|START) (SLAVE|REPLICA) IO_THREAD$/.exec(sql))) {
      assert.equal(m[2], flavor.replicaKeyword, `wrong keyword for ${flavor.id}: ${sql}`);
      if (m[1] === "START") {
        const enabled = next.variables[enabledVariable(terminology, "replica")];
        next.status[sideNames(terminology, "replica").statusVariable] = enabled === "ON" ? "ON" : "OFF";
      }
    } else {
      assert.fail(`the state interpreter does not know ${sql}`);
    }
  }
  return next;
}

/** A plan error as the planners raise it: an Error named PlanError with a `fix`. */
export interface RaisedPlanError extends Error {
  fix: string;
}

/**
 * Whether `error` is an Error called `name`. Errors are recognised by name, not `instanceof`, so
 * the tests hold whether the provider raises them from classes or factories.
 */
export function isNamedError(error: unknown, name: string): error is Error {
  return error instanceof Error && error.name === name;
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : `no error (${String(error)})`;
}

/** Runs `fn`, expects a PlanError whose message or fix matches every pattern, and returns it. */
export function expectPlanError(fn: () => unknown, ...patterns: RegExp[]): RaisedPlanError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(isNamedError(caught, "PlanError"), `expected a PlanError, got ${describeError(caught)}`);
  const planError = caught as RaisedPlanError;
  assert.equal(typeof planError.fix, "string", "a PlanError says how to fix it");
  const text = `${planError.message} ${planError.fix}`;
  for (const pattern of patterns) assert.match(text, pattern);
  return planError;
}

/** Runs `fn`, expects an UnsupportedServerError whose message matches every pattern. */
export function expectUnsupported(fn: () => unknown, ...patterns: RegExp[]): Error {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(isNamedError(caught, "UnsupportedServerError"), `expected an UnsupportedServerError, got ${describeError(caught)}`);
  for (const pattern of patterns) assert.match(caught.message, pattern);
  return caught;
}

export function sqlOf(statements: Statement[]): string[] {
  return statements.map((s) => s.sql);
}

/**
 * A `SemisyncPlugin`'s outputs after it installed the source plugin on MySQL 9.7: the fields every
 * version stored (0.1.0 on). `overrides` replaces or adds fields (`password`, `foundEnabled`, …).
 */
export function pluginOutputs(overrides: Partial<PluginOutputs> = {}): PluginOutputs {
  return {
    connection: { host: "db1", port: 3306, user: "semisync" },
    role: "source",
    pluginName: "rpl_semi_sync_source",
    pluginLibrary: "semisync_source.so",
    pluginStatus: "ACTIVE",
    builtIn: false,
    adopted: false,
    activeTerminology: "modern",
    serverVersion: "9.7.4",
    serverFlavor: "mysql-9.5",
    ...overrides,
  };
}

/** Runs `work` with the engine warnings it writes (`warning: [host:port] …` on stderr, see `engineWarning`) collected. */
export async function warningsOf(work: () => Promise<unknown>): Promise<string[]> {
  const lines: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    await work();
  } finally {
    process.stderr.write = write;
  }
  return lines;
}
