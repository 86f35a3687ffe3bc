import { PulumiFn, Stack } from "@pulumi/pulumi/automation";
import { inlineStack } from "./pulumi-workspace";
import { Lane, requireLane } from "../testbed/lanes";
import { Server, Topology, TopologyOptions, startTopology } from "../testbed/topology";

/** The servers of the enclosing describe, and the stacks its tests deploy to them. */
export interface TestBed {
  /** The source and its replicas; there once the describe's first `before` hook has run. */
  readonly topology: Topology;
  /** The source, then every replica. */
  readonly members: Server[];
  /**
   * An inline program on a local backend (`inlineStack`) with the servers' admin password as the
   * secret config value `adminPassword`, as the programs read it: `config.requireSecret("adminPassword")`.
   */
  stack(projectName: string, program: PulumiFn, options?: { refresh?: "always" }): Promise<Stack>;
}

/**
 * A source and replicas for the enclosing describe: started in a `before` hook (a family names its
 * first configured lane, looked up there, so a lane filtered out fails this describe alone) and
 * stopped in an `after` hook. The describe's own `before` hooks, registered after this call, run
 * once the servers are up; an `after` hook that still needs them is registered before it.
 */
export function testBed(lane: Lane | Lane["family"] | (() => Lane), options: TopologyOptions): TestBed {
  let started: Topology | undefined;
  before(async function () {
    started = await startTopology(typeof lane === "string" ? requireLane(lane) : typeof lane === "function" ? lane() : lane, options);
  });
  after(async function () {
    await started?.stop();
  });
  const bed: TestBed = {
    get topology() {
      if (!started) throw new Error("the test bed starts in the describe's before hook: read its topology in a hook or a test");
      return started;
    },
    get members() {
      return [bed.topology.source, ...bed.topology.replicas];
    },
    async stack(projectName, program, stackOptions) {
      const { stack } = await inlineStack(projectName, program, stackOptions);
      await stack.setConfig("adminPassword", { value: bed.topology.source.password, secret: true });
      return stack;
    },
  };
  return bed;
}
