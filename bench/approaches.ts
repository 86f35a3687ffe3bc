/**
 * The ways a rollout is driven that the bench files share: a Pulumi project run through the
 * `pulumi` command. compare.ts, languages.ts, fleet.ts and profile.ts all build on it.
 */
import { CliProject, configureServers, copyProject } from "../examples/demo/pulumi-cli";
import { Server } from "../tests/testbed/topology";
import { RunResult, run } from "./processes";

export interface Approach {
  name: string;
  rollout(): Promise<unknown>;
  teardown(): Promise<unknown>;
  preview?(): Promise<RunResult>;
  previewNoRefresh?(): Promise<RunResult>;
}

export function pulumi(project: CliProject, args: string[]): Promise<RunResult> {
  return run("pulumi", [...args, "--non-interactive"], { cwd: project.dir, env: project.env });
}

export async function cliProject(source: string, servers: { source: Server; replicas: Server[] }): Promise<CliProject> {
  const project = copyProject(source, "semisync-bench");
  await configureServers(project, { source: servers.source, replicas: servers.replicas, user: servers.source.user, password: servers.source.password });
  return project;
}

export function cliApproach(name: string, project: CliProject): Approach {
  return {
    name,
    rollout: () => pulumi(project, ["up", "--yes"]),
    teardown: () => pulumi(project, ["destroy", "--yes"]),
    preview: () => pulumi(project, ["preview", "--expect-no-changes", "--refresh"]),
    previewNoRefresh: () => pulumi(project, ["preview", "--expect-no-changes", "--refresh=false"]),
  };
}
