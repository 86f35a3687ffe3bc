// sdkgen writes the Python and Go SDKs of the mysql-semisync provider plugin from its schema,
// with Pulumi's own code generators (github.com/pulumi/pulumi/pkg/v3/codegen) at the version
// go.mod pins. The 3.260 CLI's `pulumi package gen-sdk` cannot do it on these machines: it asks the
// language hosts to generate, and the Python host the bootstrap can build (v3.68) predates that.
//
//	sdkgen SCHEMA OUT
//
// writes OUT/python (pip-installable) and OUT/go (a Go module, package mysqlsemisync). Each
// language folder is replaced whole, so a type dropped from the schema leaves no stale file.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	pathpkg "path"
	"path/filepath"
	"sort"

	"github.com/blang/semver"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	pygen "github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// The tool name the generated files say made them.
const tool = "pulumi-mysql-semisync sdkgen"

// The Go SDK's module requires the Go SDK the generated code was written against: the Pulumi
// release this generator is built from.
const goPulumiSDK = "v3.260.0"

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: sdkgen SCHEMA OUT")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintf(os.Stderr, "sdkgen: %v\n", err)
		os.Exit(1)
	}
}

func run(schemaPath, out string) error {
	raw, err := os.ReadFile(schemaPath)
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return fmt.Errorf("%s: %w", schemaPath, err)
	}
	if spec.Version == "" {
		return fmt.Errorf("%s has no version: the SDKs would ask the engine for plugin 0.0.0", schemaPath)
	}
	if err := setLanguageDefaults(&spec); err != nil {
		return err
	}

	// Each generator imports the language options it reads, so each gets its own bound package.
	bind := func() (*schema.Package, error) {
		pkg, diags, err := schema.BindSpec(spec, noReferences{}, schema.ValidationOptions{})
		if err != nil {
			return nil, err
		}
		if diags.HasErrors() {
			return nil, fmt.Errorf("%s does not bind: %s", schemaPath, diags.Error())
		}
		return pkg, nil
	}

	pkg, err := bind()
	if err != nil {
		return err
	}
	python, err := pygen.GeneratePackage(tool, pkg, nil, noReferences{})
	if err != nil {
		return fmt.Errorf("python: %w", err)
	}
	// pyproject.toml names README.md beside it; the generator writes it inside the package only.
	if readme, ok := python[filepath.Join(pythonPackage(pkg), "README.md")]; ok {
		python["README.md"] = readme
	}
	if err := writeTree(filepath.Join(out, "python"), python); err != nil {
		return err
	}

	pkg, err = bind()
	if err != nil {
		return err
	}
	golang, err := gogen.GeneratePackage(tool, pkg, nil)
	if err != nil {
		return fmt.Errorf("go: %w", err)
	}
	info := pkg.Language["go"].(gogen.GoPackageInfo)
	// The modules the generated code imports, at the versions the Go SDK itself requires; a
	// program's own go.sum (examples/go) pins the rest.
	golang["go.mod"] = []byte(fmt.Sprintf("module %s\n\ngo 1.25\n\nrequire (\n\tgithub.com/blang/semver v3.5.1+incompatible\n\tgithub.com/pulumi/pulumi/sdk/v3 %s\n)\n", info.ModulePath, goPulumiSDK))
	return writeTree(filepath.Join(out, "go"), golang)
}

func pythonPackage(pkg *schema.Package) string {
	if info, ok := pkg.Language["python"].(pygen.PackageInfo); ok && info.PackageName != "" {
		return info.PackageName
	}
	return pygen.PyPack(pkg.Namespace, pkg.Name)
}

// setLanguageDefaults fills the language options the schema leaves out. respectSchemaVersion is
// forced: without it the SDKs register resources with plugin version 0.0.0 and the engine tries to
// download that plugin.
func setLanguageDefaults(spec *schema.PackageSpec) error {
	if spec.Language == nil {
		spec.Language = map[string]schema.RawMessage{}
	}
	options := func(lang string, defaults map[string]any, derive func(map[string]any)) error {
		merged := map[string]any{}
		if raw, ok := spec.Language[lang]; ok {
			if err := json.Unmarshal(raw, &merged); err != nil {
				return fmt.Errorf("language.%s: %w", lang, err)
			}
		}
		for key, value := range defaults {
			if _, set := merged[key]; !set {
				merged[key] = value
			}
		}
		if derive != nil {
			derive(merged)
		}
		merged["respectSchemaVersion"] = true
		raw, err := json.Marshal(merged)
		if err != nil {
			return err
		}
		spec.Language[lang] = raw
		return nil
	}
	// The Go SDK is a module of its own (sdk/go/go.mod), one folder above the package: programs
	// reach the checked-in copy through a `replace` directive (examples/go).
	if err := options("go", map[string]any{
		"importBasePath": "pulumi-mysql-semisync/sdk/go/mysqlsemisync",
	}, func(merged map[string]any) {
		if _, set := merged["modulePath"]; !set {
			if base, ok := merged["importBasePath"].(string); ok {
				merged["modulePath"] = pathpkg.Dir(base)
			}
		}
	}); err != nil {
		return err
	}
	// pyproject.toml makes sdk/python pip-installable with no setup.py.
	return options("python", map[string]any{
		"packageName": "pulumi_mysql_semisync",
		"pyproject":   map[string]any{"enabled": true},
	}, nil)
}

// writeTree replaces dir with exactly the generated files.
func writeTree(dir string, files map[string][]byte) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}

// noReferences is the loader for a schema that references no other package: the plugin's types are
// all its own, and generation must not reach for plugins or the network.
type noReferences struct{}

func (noReferences) LoadPackage(name string, _ *semver.Version) (*schema.Package, error) {
	return nil, fmt.Errorf("the schema references package %q: sdkgen loads no other package", name)
}

func (noReferences) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, fmt.Errorf("the schema references package %q: sdkgen loads no other package", d.Name)
}

func (noReferences) LoadPackageReference(name string, _ *semver.Version) (schema.PackageReference, error) {
	return nil, fmt.Errorf("the schema references package %q: sdkgen loads no other package", name)
}

func (noReferences) LoadPackageReferenceV2(_ context.Context, d *schema.PackageDescriptor) (schema.PackageReference, error) {
	return nil, fmt.Errorf("the schema references package %q: sdkgen loads no other package", d.Name)
}
