import { SETTING_SPECS } from "../flavors/names";
import { desiredOf } from "./enablement-desired";
import { ConnectionInputs, DEFAULT_PORT, EnablementInputs, PluginInputs, UNKNOWN } from "./inputs";
import { ENABLEMENT_PROPS, EnablementOutputs, PLUGIN_PROPS, PluginOutputs, PropsLayout, comparedValues, identityKeys, storedInputs } from "./props";
import { isReconnecting, persistedDrift } from "./restart-policy";

interface WithConnection {
  connection: ConnectionInputs;
  password?: string;
  tls?: unknown;
}

/** What `diff` answers, before the provider adds `deleteBeforeReplace`. */
export interface DiffDecision {
  changes: boolean;
  replaces: string[];
}

/**
 * Properties whose change points the resource at another server or role: a replacement. A value
 * not known until apply (preview) is not a replacement yet: the apply pass decides.
 */
export function identityChanged<T extends WithConnection>(olds: T, news: T, keys: (keyof T & string)[]): string[] {
  const replaces: string[] = [];
  const connection = news.connection as unknown;
  const known = (value: unknown) => value !== UNKNOWN;
  if (typeof connection === "object" && connection !== null) {
    if (known(news.connection.host) && olds.connection?.host !== news.connection.host) replaces.push("connection.host");
    const port = news.connection.port as unknown;
    if (known(port) && (olds.connection?.port ?? DEFAULT_PORT) !== (news.connection.port ?? DEFAULT_PORT)) replaces.push("connection.port");
  }
  for (const key of keys) if (known(news[key]) && olds[key] !== news[key]) replaces.push(key);
  return replaces;
}

/** Whether any input is still unknown (preview): the diff then says "changes", never "no change". */
export function hasUnknowns(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(hasUnknowns);
  if (typeof value === "object" && value !== null) return Object.values(value).some(hasUnknowns);
  return false;
}

/** Credentials, TLS and bounds: updated in place, no statement runs for them. */
export function connectionChanged(olds: WithConnection, news: WithConnection): boolean {
  return canonical(olds.connection) !== canonical(news.connection) || (olds.password ?? "") !== (news.password ?? "") || JSON.stringify(olds.tls ?? null) !== JSON.stringify(news.tls ?? null);
}

/** Key order and an explicit default port must not show as a change. */
function canonical(connection: ConnectionInputs | undefined): string {
  const withDefaults: Record<string, unknown> = { ...(connection ?? {}), port: connection?.port ?? DEFAULT_PORT };
  return JSON.stringify(
    Object.keys(withDefaults)
      .sort()
      .map((key) => [key, withDefaults[key]]),
  );
}

/**
 * The one shape of both providers' diff, read from their props layout: a change of identity
 * replaces; an unknown input (preview), a compared input, the connection or drift found on the
 * server is an update in place. Inputs that feed the preflight only are never a change.
 */
function diffOf<I extends WithConnection>(layout: PropsLayout<I>, olds: I, news: I, more: { replaces?: string[]; drifted: boolean }): DiffDecision {
  const replaces = [...identityChanged(olds, news, identityKeys(layout)), ...(more.replaces ?? [])];
  const changes = replaces.length > 0 || hasUnknowns(storedInputs(layout, news)) || comparedValues(layout, olds) !== comparedValues(layout, news) || connectionChanged(olds, news) || more.drifted;
  return { changes, replaces };
}

/** Whether the server, as last observed, differs from what the inputs declare. */
export function enablementDrifted(olds: EnablementOutputs, news: EnablementInputs): boolean {
  const desired = desiredOf(news);
  if (olds.enabledOnServer !== desired.enabled) return true;
  if (news.role === "replica" && desired.restartIoThread && (olds.semisyncStatus === "ON") !== desired.enabled) return true;
  // A replica whose IO thread waits out a connect retry (after a source restart) acknowledges nothing.
  if (news.role === "replica" && desired.enabled && desired.restartIoThread && olds.ioThreadState !== undefined && isReconnecting({ ioRunning: olds.ioThreadState })) return true;
  // What a restart would bring back is part of the state: a RESET PERSIST behind Pulumi's back.
  if (desired.persist && olds.persistedSettings !== undefined && olds.activeTerminology && persistedDrift(desired, olds.activeTerminology, olds.persistedSettings).length > 0) return true;
  return SETTING_SPECS.some((s) => {
    const wanted = desired.settings[s.key];
    return wanted !== undefined && olds.effective?.[s.key] !== undefined && olds.effective[s.key] !== wanted;
  });
}

/** A plugin found neither ACTIVE nor built in (refresh read it ABSENT, or failed to load) is installed again. */
export function pluginDrifted(olds: Pick<PluginOutputs, "pluginStatus">): boolean {
  return !["ACTIVE", "BUILT-IN"].includes(olds.pluginStatus);
}

export function diffEnablement(olds: EnablementOutputs, news: EnablementInputs): DiffDecision {
  return diffOf(ENABLEMENT_PROPS, olds, news, { drifted: enablementDrifted(olds, news) });
}

/**
 * A pinned terminology other than the one installed replaces the plugin (one server cannot hold
 * both plugins of a side); `"automatic"` keeps whatever is installed.
 */
export function diffPlugin(olds: PluginOutputs, news: PluginInputs): DiffDecision {
  const pinned = news.terminology && news.terminology !== "automatic" && !hasUnknowns(news.terminology) ? news.terminology : undefined;
  const replaces = pinned && olds.activeTerminology && pinned !== olds.activeTerminology ? ["terminology"] : [];
  return diffOf(PLUGIN_PROPS, olds, news, { replaces, drifted: pluginDrifted(olds) });
}
