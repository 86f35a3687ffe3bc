package main

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/pulumi-mysql-semisync/pulumi-mysql-semisync/sdk/go/mysqlsemisync"
)

// TestUnknownPortPreview previews this example's topology with every replica's port taken from
// another resource's output that a first preview does not know yet (a SemisyncPlugin's
// serverVersion, known only once it is created), as when the port comes from the resource that
// creates the server. The preview must plan the whole topology without an error. Run by
// tests/e2e/go-program.test.ts, which gives the servers (SEMISYNC_SERVERS) and checks that
// nothing changed on them.
func TestUnknownPortPreview(t *testing.T) {
	file := os.Getenv("SEMISYNC_SERVERS")
	if file == "" {
		t.Fatal("SEMISYNC_SERVERS is not set: this test needs servers (a JSON file as for -servers)")
	}
	target, err := readServers(file)
	if err != nil {
		t.Fatal(err)
	}
	program := func(ctx *pulumi.Context) error {
		password := pulumi.ToSecret(pulumi.String(target.Source.Password)).(pulumi.StringOutput)
		other, err := mysqlsemisync.NewSemisyncPlugin(ctx, "other", &mysqlsemisync.SemisyncPluginArgs{
			Connection: mysqlsemisync.ConnectionArgs{
				Host:     pulumi.String(target.Source.Host),
				Port:     pulumi.Int(target.Source.Port),
				User:     pulumi.String(target.Source.User),
				Password: password,
			},
			Role: mysqlsemisync.RoleSource,
		})
		if err != nil {
			return err
		}
		replicas := []mysqlsemisync.ReplicaInput{}
		for i, r := range target.Replicas {
			port := r.Port
			name := "replica-" + strconv.Itoa(i)
			replicas = append(replicas, mysqlsemisync.ReplicaArgs{
				Host:     pulumi.String(r.Host),
				Port:     other.ServerVersion.ApplyT(func(string) int { return port }).(pulumi.IntOutput),
				User:     pulumi.String(target.Source.User),
				Password: password,
				Name:     &name,
			})
		}
		_, err = mysqlsemisync.NewSemisyncReplication(ctx, "semisync", &mysqlsemisync.SemisyncReplicationArgs{
			Source: mysqlsemisync.MemberArgs{
				Host:     pulumi.String(target.Source.Host),
				Port:     pulumi.Int(target.Source.Port),
				User:     pulumi.String(target.Source.User),
				Password: password,
			},
			Replicas: replicas,
		})
		return err
	}
	ctx := context.Background()
	stack, err := inlineStack(ctx, t.TempDir(), "unknown-port", program)
	if err != nil {
		t.Fatal(err)
	}
	preview, err := stack.Preview(ctx)
	if err != nil {
		t.Fatalf("the preview failed: %v", err)
	}
	// The stack, the other plugin, the component, and a plugin and an enablement per member.
	want := 3 + 2*(1+len(target.Replicas))
	if got := preview.ChangeSummary["create"]; got != want {
		t.Fatalf("the preview plans %d creates, want %d: %v", got, want, preview.ChangeSummary)
	}
}
