package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// packageJSON is what the host reads from a package.json: a program's own (its dependencies) or
// an installed package's (its name, version and Pulumi plugin).
type packageJSON struct {
	Name                 string            `json:"name"`
	Version              string            `json:"version"`
	Dependencies         map[string]string `json:"dependencies"`
	DevDependencies      map[string]string `json:"devDependencies"`
	OptionalDependencies map[string]string `json:"optionalDependencies"`
	PeerDependencies     map[string]string `json:"peerDependencies"`
	Pulumi               struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	} `json:"pulumi"`
}

// readPackageJSON reads dir/package.json; ok is false when it is missing or not JSON.
func readPackageJSON(dir string) (info packageJSON, ok bool) {
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil || json.Unmarshal(b, &info) != nil {
		return packageJSON{}, false
	}
	return info, true
}

// packageDirs lists the package folders of one node_modules folder: top level and scoped
// (@scope/name), not the hidden entries (.bin, .package-lock.json, .pnpm...). Symlinks are listed
// as they are (a linked package is a package).
func packageDirs(nodeModules string) []string {
	entries, err := os.ReadDir(nodeModules)
	if err != nil {
		return nil
	}
	var dirs []string
	for _, e := range entries {
		p := filepath.Join(nodeModules, e.Name())
		switch {
		case strings.HasPrefix(e.Name(), "."):
		case strings.HasPrefix(e.Name(), "@"):
			if sub, err := os.ReadDir(p); err == nil {
				for _, s := range sub {
					if !strings.HasPrefix(s.Name(), ".") {
						dirs = append(dirs, filepath.Join(p, s.Name()))
					}
				}
			}
		default:
			dirs = append(dirs, p)
		}
	}
	return dirs
}

// requiredPackages lists the resource plugins of the packages installed in the program's
// node_modules (top level and scoped, following symlinks) whose package.json says
// "pulumi": {"resource": true}. Same rule as upstream: name from pulumi.name or the package name
// without the @pulumi/ scope, version from pulumi.version or the package version.
func requiredPackages(info *pulumirpc.ProgramInfo) []*pulumirpc.PackageDependency {
	if os.Getenv("PULUMI_LANGUAGE_NODEJS_NO_REQUIRED_PACKAGES") == "true" {
		return nil
	}
	dir := info.GetProgramDirectory()
	if dir == "" {
		return nil
	}
	var pkgDirs []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "node_modules")); err == nil {
			// like Node, the nearest node_modules wins; upstream scans only the program tree
			pkgDirs = packageDirs(filepath.Join(d, "node_modules"))
			break
		}
		if filepath.Dir(d) == d || info.GetRootDirectory() == d {
			break
		}
	}
	seen := map[string]bool{}
	var packages []*pulumirpc.PackageDependency
	for _, p := range pkgDirs {
		pkg, ok := readPackageJSON(p)
		if !ok || !pkg.Pulumi.Resource {
			continue
		}
		name := pkg.Pulumi.Name
		if name == "" {
			name = strings.TrimPrefix(pkg.Name, "@pulumi/")
		}
		v := pkg.Pulumi.Version
		if v == "" {
			v = pkg.Version
		}
		if name == "" || seen[name+"@"+v] {
			continue
		}
		seen[name+"@"+v] = true
		packages = append(packages, &pulumirpc.PackageDependency{
			Name: name, Kind: "resource", Version: v, Server: pkg.Pulumi.Server,
		})
	}
	return packages
}

// GetRequiredPackages: the resource plugins the program needs (requiredPackages).
func (h *host) GetRequiredPackages(ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{Packages: requiredPackages(req.GetInfo())}, nil
}

// GetRequiredPlugins is the older form of GetRequiredPackages, which engines still call when a
// host does not implement the newer one; answered from the same list for hosts driven by them.
func (h *host) GetRequiredPlugins(ctx context.Context, req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	resp := &pulumirpc.GetRequiredPluginsResponse{}
	for _, p := range requiredPackages(req.GetInfo()) {
		resp.Plugins = append(resp.Plugins, &pulumirpc.PluginDependency{
			Name: p.GetName(), Kind: p.GetKind(), Version: p.GetVersion(), Server: p.GetServer(),
		})
	}
	return resp, nil
}
