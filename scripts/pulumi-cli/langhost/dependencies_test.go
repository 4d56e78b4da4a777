package main

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// write creates path under dir with content, making the folders on the way.
func write(t *testing.T, dir, path, content string) {
	t.Helper()
	full := filepath.Join(dir, filepath.FromSlash(path))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// project lays out a program folder (sub/, no package.json of its own) in a project with
// installed, nested, lock-only and missing dependencies, and a Pulumi resource package.
func project(t *testing.T) string {
	dir := t.TempDir()
	write(t, dir, "package.json", `{"name": "prog",
		"dependencies": {"a": "^1.0.0", "@s/b": "^3.0.0", "@pulumi/random": "^4.0.0"},
		"devDependencies": {"c": "^4.0.0"},
		"optionalDependencies": {"d": "^5.0.0"}}`)
	write(t, dir, "package-lock.json", `{"lockfileVersion": 3, "packages": {
		"": {"name": "prog"},
		"node_modules/c": {"version": "4.0.2"},
		"node_modules/a/node_modules/x": {"version": "2.0.0"}}}`)
	write(t, dir, "node_modules/a/package.json", `{"name": "a", "version": "1.0.0"}`)
	write(t, dir, "node_modules/a/node_modules/x/package.json", `{"name": "x", "version": "2.0.0"}`)
	write(t, dir, "node_modules/x/package.json", `{"name": "x", "version": "1.0.0"}`)
	write(t, dir, "node_modules/@s/b/package.json", `{"name": "@s/b", "version": "3.1.0"}`)
	write(t, dir, "node_modules/@pulumi/random/package.json",
		`{"name": "@pulumi/random", "version": "4.21.2", "pulumi": {"resource": true}}`)
	write(t, dir, "node_modules/.package-lock.json", `{}`)
	write(t, dir, "node_modules/.bin/a", "#!/bin/sh\n")
	write(t, dir, "sub/index.ts", "export {};\n")
	return filepath.Join(dir, "sub")
}

func names(deps []*pulumirpc.DependencyInfo) [][2]string {
	out := [][2]string{}
	for _, d := range deps {
		out = append(out, [2]string{d.GetName(), d.GetVersion()})
	}
	return out
}

func TestDirectDependencies(t *testing.T) {
	resp, err := (&host{}).GetProgramDependencies(context.Background(), &pulumirpc.GetProgramDependenciesRequest{
		Info: &pulumirpc.ProgramInfo{ProgramDirectory: project(t)},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]string{
		{"@pulumi/random", "4.21.2"}, // installed
		{"@s/b", "3.1.0"},            // installed, scoped
		{"a", "1.0.0"},               // installed
		{"c", "4.0.2"},               // not installed: the lock file's version
		{"d", "^5.0.0"},              // neither: the range asked for
	}
	if got := names(resp.GetDependencies()); !reflect.DeepEqual(got, want) {
		t.Errorf("direct dependencies:\n got %v\nwant %v", got, want)
	}
}

func TestTransitiveDependencies(t *testing.T) {
	deps, err := programDependencies(project(t), true)
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]string{
		{"@pulumi/random", "4.21.2"}, {"@s/b", "3.1.0"}, {"a", "1.0.0"}, {"x", "1.0.0"}, {"x", "2.0.0"},
	}
	if got := names(deps); !reflect.DeepEqual(got, want) {
		t.Errorf("transitive dependencies:\n got %v\nwant %v", got, want)
	}
}

func TestNoPackageJSON(t *testing.T) {
	if _, err := programDependencies(t.TempDir(), false); err == nil {
		t.Error("expected an error without any package.json")
	}
}

func TestRequiredPackages(t *testing.T) {
	dir := project(t)
	want := []*pulumirpc.PackageDependency{{Name: "random", Kind: "resource", Version: "4.21.2"}}
	got := requiredPackages(&pulumirpc.ProgramInfo{ProgramDirectory: dir})
	if len(got) != 1 || got[0].GetName() != want[0].GetName() || got[0].GetVersion() != want[0].GetVersion() ||
		got[0].GetKind() != want[0].GetKind() {
		t.Errorf("required packages: got %v, want %v", got, want)
	}
	plugins, err := (&host{}).GetRequiredPlugins(context.Background(), &pulumirpc.GetRequiredPluginsRequest{
		Info: &pulumirpc.ProgramInfo{ProgramDirectory: dir},
	})
	if err != nil || len(plugins.GetPlugins()) != 1 || plugins.GetPlugins()[0].GetName() != "random" {
		t.Errorf("required plugins: got %v, %v", plugins, err)
	}
}
