import { Stack } from "@pulumi/pulumi/automation";
import { CliProject, configureServers, pulumiCli } from "../../examples/demo/pulumi-cli";
import { Topology } from "../testbed/topology";
import { assertNothingInstalled, assertSemisyncEverywhere } from "./server-probes";

/*
 * The empty-plan check after every `up` (Pulumi's ProgramTest, Terraform's acceptance tests):
 * a refresh reads the servers and finds exactly what `up` recorded, and a preview then plans
 * nothing. A read that returns other outputs than create/update, or a diff that reports a change
 * for what a read returns, fails here.
 */

/** Automation API stacks. */
export async function assertNoChangesAfterUp(stack: Stack): Promise<void> {
  await stack.refresh({ expectNoChanges: true });
  await stack.preview({ expectNoChanges: true });
}

/** Projects driven through the pulumi CLI. */
export async function assertNoChangesAfterCliUp(project: Pick<CliProject, "dir" | "env">): Promise<void> {
  await pulumiCli(project, ["refresh", "--yes", "--expect-no-changes"]);
  await pulumiCli(project, ["preview", "--expect-no-changes"]);
}

/**
 * A CLI project's whole life on the test bed: its servers configured (the admin account), `up`
 * making every replica semisync, a refresh and a preview then finding no changes, `destroy`
 * leaving no plugin. `beforeDestroy` checks the deployed stack first, given `up`'s output.
 */
export async function cliRoundTrip(project: CliProject, topology: Topology, beforeDestroy?: (upOutput: string) => Promise<void> | void): Promise<void> {
  await configureServers(project, { source: topology.source, replicas: topology.replicas, user: "admin", password: topology.source.password });
  const up = await pulumiCli(project, ["up", "--yes"]);
  await assertSemisyncEverywhere(topology);
  await assertNoChangesAfterCliUp(project);
  await beforeDestroy?.(up);
  await pulumiCli(project, ["destroy", "--yes"]);
  await assertNothingInstalled(topology);
}
