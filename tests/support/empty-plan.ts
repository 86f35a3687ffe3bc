import { Stack } from "@pulumi/pulumi/automation";
import { CliProject, pulumiCli } from "../../examples/demo/pulumi-cli";

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
