// One MySQL source and its replicas with SemisyncReplication, from Go.
//
// A Go program needs no Pulumi language host this way: the Automation API runs the program inline,
// in this process, and drives the pulumi CLI for the deployment. The resources are served by the
// mysql-semisync provider plugin (`pulumi plugin install resource mysql-semisync …`).
//
//	go run . [up|preview|refresh|destroy]
//
// Servers come from a JSON file, -servers, by default the testbed.json `npm run testbed -- up`
// writes: {"source": {"host", "port", "user", "password"}, "replicas": [{"host", "port"}, …]}; every
// server is reached with the source's user and password. The state is kept in a local file backend
// (PULUMI_BACKEND_URL, by default file://<-dir>/state), secrets encrypted with the passphrase in
// PULUMI_CONFIG_PASSPHRASE. The last line of output is the result as JSON.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/pulumi-mysql-semisync/pulumi-mysql-semisync/sdk/go/mysqlsemisync"
)

type server struct {
	Host     string `json:"host"`
	Port     int    `json:"port"`
	User     string `json:"user,omitempty"`
	Password string `json:"password,omitempty"`
}

type servers struct {
	Source   server   `json:"source"`
	Replicas []server `json:"replicas"`
}

// program declares the topology: the component puts every plugin and switch in the order that
// stalls no commit.
func program(target servers, timeoutMs int) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		password := pulumi.ToSecret(pulumi.String(target.Source.Password)).(pulumi.StringOutput)
		replicas := make([]mysqlsemisync.ReplicaInput, 0, len(target.Replicas))
		for _, r := range target.Replicas {
			name := r.Host + "-" + strconv.Itoa(r.Port)
			replicas = append(replicas, mysqlsemisync.ReplicaArgs{
				Host:     pulumi.String(r.Host),
				Port:     pulumi.Int(r.Port),
				User:     pulumi.String(target.Source.User),
				Password: password,
				Name:     &name,
			})
		}
		replication, err := mysqlsemisync.NewSemisyncReplication(ctx, "semisync", &mysqlsemisync.SemisyncReplicationArgs{
			Source: mysqlsemisync.MemberArgs{
				Host:     pulumi.String(target.Source.Host),
				Port:     pulumi.Int(target.Source.Port),
				User:     pulumi.String(target.Source.User),
				Password: password,
			},
			Replicas:  replicas,
			TimeoutMs: pulumi.Float64(float64(timeoutMs)),
		})
		if err != nil {
			return err
		}
		ctx.Export("sourceStatus", replication.SourceStatus)
		ctx.Export("replicaStatuses", replication.ReplicaStatuses)
		return nil
	}
}

func defaultServersFile() string {
	cache := os.Getenv("SEMISYNC_CACHE")
	if cache == "" {
		home, _ := os.UserHomeDir()
		cache = filepath.Join(home, ".cache", "pulumi-mysql-semisync")
	}
	return filepath.Join(cache, "testbed.json")
}

func main() {
	serversFile := flag.String("servers", defaultServersFile(), "JSON file with the source and replicas")
	dir := flag.String("dir", ".pulumi-go", "work directory: the project and stack settings, and the state unless PULUMI_BACKEND_URL is set")
	stackName := flag.String("stack", "dev", "stack name")
	timeoutMs := flag.Int("timeout-ms", 10_000, "rpl_semi_sync_source_timeout in ms")
	expectNoChanges := flag.Bool("expect-no-changes", false, "fail if the operation would change anything")
	flag.Parse()
	command := "up"
	if flag.NArg() > 0 {
		command = flag.Arg(0)
	}
	result, err := run(context.Background(), command, *serversFile, *dir, *stackName, *timeoutMs, *expectNoChanges)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s failed: %v\n", command, err)
		os.Exit(1)
	}
	line, _ := json.Marshal(result)
	fmt.Println(string(line))
}

// inlineStack is the stack of the project "semisync-go" in dir, running program in this process.
func inlineStack(ctx context.Context, dir, stackName string, program pulumi.RunFunc) (auto.Stack, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return auto.Stack{}, err
	}
	backend := os.Getenv("PULUMI_BACKEND_URL")
	if backend == "" {
		backend = "file://" + filepath.Join(dir, "state")
		if err := os.MkdirAll(filepath.Join(dir, "state"), 0o700); err != nil {
			return auto.Stack{}, err
		}
	}
	project := workspace.Project{
		Name:    "semisync-go",
		Runtime: workspace.NewProjectRuntimeInfo("go", nil),
		Backend: &workspace.ProjectBackend{URL: backend},
	}
	return auto.UpsertStackInlineSource(ctx, stackName, project.Name.String(), program,
		auto.WorkDir(dir), auto.Project(project), auto.SecretsProvider("passphrase"))
}

func readServers(file string) (servers, error) {
	var target servers
	raw, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return target, fmt.Errorf("no servers file %s: run `npm run testbed -- up`, or pass -servers", file)
	} else if err != nil {
		return target, err
	}
	if err := json.Unmarshal(raw, &target); err != nil {
		return target, fmt.Errorf("%s: %w", file, err)
	}
	return target, nil
}

func run(ctx context.Context, command, serversFile, dir, stackName string, timeoutMs int, expectNoChanges bool) (map[string]any, error) {
	target, err := readServers(serversFile)
	if err != nil {
		return nil, err
	}
	if os.Getenv("PULUMI_CONFIG_PASSPHRASE") == "" && os.Getenv("PULUMI_CONFIG_PASSPHRASE_FILE") == "" {
		return nil, errors.New("set PULUMI_CONFIG_PASSPHRASE: it encrypts the password in the state")
	}
	stack, err := inlineStack(ctx, dir, stackName, program(target, timeoutMs))
	if err != nil {
		return nil, err
	}
	progress := os.Stderr
	switch command {
	case "up":
		opts := []optup.Option{optup.ProgressStreams(progress)}
		if expectNoChanges {
			opts = append(opts, optup.ExpectNoChanges())
		}
		res, err := stack.Up(ctx, opts...)
		if err != nil {
			return nil, err
		}
		outputs := map[string]any{}
		for key, value := range res.Outputs {
			if !value.Secret {
				outputs[key] = value.Value
			}
		}
		return map[string]any{"changes": res.Summary.ResourceChanges, "outputs": outputs}, nil
	case "preview":
		opts := []optpreview.Option{optpreview.ProgressStreams(progress)}
		if expectNoChanges {
			opts = append(opts, optpreview.ExpectNoChanges())
		}
		res, err := stack.Preview(ctx, opts...)
		if err != nil {
			return nil, err
		}
		return map[string]any{"changes": res.ChangeSummary}, nil
	case "refresh":
		opts := []optrefresh.Option{optrefresh.ProgressStreams(progress)}
		if expectNoChanges {
			opts = append(opts, optrefresh.ExpectNoChanges())
		}
		res, err := stack.Refresh(ctx, opts...)
		if err != nil {
			return nil, err
		}
		return map[string]any{"changes": res.Summary.ResourceChanges}, nil
	case "destroy":
		res, err := stack.Destroy(ctx, optdestroy.ProgressStreams(progress))
		if err != nil {
			return nil, err
		}
		return map[string]any{"changes": res.Summary.ResourceChanges}, nil
	default:
		return nil, fmt.Errorf("unknown command %q (up, preview, refresh, destroy)", command)
	}
}
