import type * as pulumi from "@pulumi/pulumi";
import { DiffDecision, hasUnknowns } from "../plan/diff";
import { Credentials, DEFAULT_STATEMENT_TIMEOUT_MS, InputFailure, connectionSettings } from "../plan/inputs";
import { serverLabel } from "../sql/connection";
import { driverMessage, isSemisyncError, isUnreachable } from "../sql/errors";
import { unlessEngineGone } from "./engine-presence";
import { ServerObject } from "../plan/ownership";
import { Role } from "../types";
import { engineWarningOnce, reportingOnce } from "./engine-report";
import { ServerContext, withServer, resourceId } from "./server";
import { appliedTopology, claim } from "./takeovers";

/** How the providers reach a server: `withServer`, or a stand-in in unit tests. */
export type Connect = <T>(credentials: Credentials, work: (ctx: ServerContext) => Promise<T>) => Promise<T>;

interface SideInputs extends Credentials {
  role: Role;
}

/** What the two providers do differently; the rest of their shape is `sideProvider`'s. */
/** What every resource's outputs may record: the members of the topology it was last applied with. */
interface SideOutputs {
  topologyMembers?: string[];
}

export interface SideProviderParts<I extends SideInputs, O extends I & SideOutputs> {
  /** The server object the resource holds: its id, and what create and update claim (takeovers.ts). */
  kind: ServerObject;
  /** The resource type, for messages. */
  typeName: string;
  /** What create adopts, for the message that refuses an import. */
  adopts: string;
  check(inputs: Record<string, unknown>): InputFailure[];
  diff(olds: O, news: I): DiffDecision;
  /**
   * What `diff` reads on the server when the state alone plans no change: the stored outputs with
   * the facts a restart or a hand can undo merged in (plan/live.ts). Reads only.
   */
  live?(ctx: ServerContext, olds: O): Promise<O>;
  /** Create (no `olds`) and update: makes the server what the inputs declare; the outputs. */
  converge(connect: Connect, inputs: I, olds?: O): Promise<O>;
  /** Refresh: the props as the server is now, and the inputs they hold. */
  read(connect: Connect, props: O): Promise<{ props: O; inputs: I }>;
  delete(connect: Connect, props: O): Promise<void>;
  /** Puts the server back as a create that the engine will never record found it (engine-presence.ts). */
  undoCreate(connect: Connect, outputs: O): Promise<void>;
}

/**
 * A provider for one side of one server. Create and update claim the side for this deployment,
 * so a delete of another resource for the same side (a rename) leaves it alone, and record the
 * topology they applied (`removedFromLiveTopology`); a replacement
 * deletes the old resource first, as one server cannot hold two plugins of a side, and an
 * enablement follows its plugin.
 */
export function sideProvider<I extends SideInputs, O extends I & SideOutputs>(parts: SideProviderParts<I, O>, connect: Connect = withServer): pulumi.dynamic.ResourceProvider<I, O> {
  return reportingOnce<I, O>({
    async check(_olds, news) {
      return { inputs: news, failures: parts.check(news as unknown as Record<string, unknown>) };
    },

    async diff(_id, olds, news) {
      const fromState = parts.diff(olds, news);
      // A change already planned (a replacement too) is applied from what converge observes then.
      if (fromState.changes || !parts.live || !knownCredentials(news)) return { ...fromState, deleteBeforeReplace: true };
      const live = await readLive(connect, parts.live, olds, news);
      return { ...(live ? parts.diff(live, news) : fromState), deleteBeforeReplace: true };
    },

    async create(inputs) {
      // What a create leaves that the engine never records would be adopted as found by the next run.
      const server = serverLabel(connectionSettings(inputs.connection));
      const outs = await unlessEngineGone(
        server,
        () => parts.converge(connect, inputs),
        (made) => parts.undoCreate(connect, made),
      );
      claim(inputs.connection, inputs.role, parts.kind);
      appliedTopology(outs.topologyMembers);
      return { id: resourceId(inputs.connection, `semisync-${parts.kind}`, inputs.role), outs };
    },

    async read(id, props) {
      if (!props) throw new Error(`cannot read ${id}: ${parts.typeName} supports refresh, not import; declare it and let create adopt ${parts.adopts}`);
      const { props: outs, inputs } = await parts.read(connect, props);
      return { id, props: outs, inputs: inputs as unknown as O };
    },

    async update(_id, olds, news) {
      const outs = await parts.converge(connect, news, olds);
      claim(news.connection, news.role, parts.kind);
      appliedTopology(outs.topologyMembers);
      return { outs };
    },

    async delete(_id, props) {
      await parts.delete(connect, props);
    },
  });
}

/**
 * A statement's bound while diffing: every preview and `up` diffs every resource, and a server
 * that takes longer than this to list a few variables is better planned from the state.
 */
export const DIFF_STATEMENT_MS = 5_000;

/** Whether the credentials are known: a preview whose connection comes from other resources' outputs reads nothing. */
function knownCredentials(inputs: Credentials): boolean {
  return !hasUnknowns(inputs.connection) && !hasUnknowns(inputs.password) && !hasUnknowns(inputs.tls);
}

/**
 * The outputs as the server is now, or undefined when it cannot be read: then the diff plans from
 * the state, as before 0.3.0, after one warning per server and provider process. A member down
 * must not fail every preview (issue 19: a member down, a dead source).
 */
async function readLive<I extends Credentials, O>(connect: Connect, live: (ctx: ServerContext, olds: O) => Promise<O>, olds: O, news: I): Promise<O | undefined> {
  const statementTimeoutMs = Math.min(news.connection.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS, DIFF_STATEMENT_MS);
  try {
    return await connect({ ...news, connection: { ...news.connection, statementTimeoutMs } }, (ctx) => live(ctx, olds));
  } catch (error) {
    const server = serverLabel(connectionSettings(news.connection));
    const why = isUnreachable(error) ? `unreachable (${driverMessage((error as { cause?: unknown }).cause ?? error)})` : `not read (${isSemisyncError(error) ? error.message : driverMessage(error)})`;
    engineWarningOnce(
      "diff-unread",
      server,
      server,
      `${why} while planning: its resources are planned from the stack's state as last recorded, so what a restart may have undone there is not seen; once it answers, \`pulumi up\` reads it again.`,
    );
    return undefined;
  }
}
