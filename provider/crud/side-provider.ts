import type * as pulumi from "@pulumi/pulumi";
import { DiffDecision } from "../plan/diff";
import { Credentials, InputFailure, connectionSettings } from "../plan/inputs";
import { serverLabel } from "../sql/connection";
import { unlessEngineGone } from "./engine-presence";
import { ServerObject } from "../plan/ownership";
import { Role } from "../types";
import { reportingOnce } from "./engine-report";
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
      return { ...parts.diff(olds, news), deleteBeforeReplace: true };
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
