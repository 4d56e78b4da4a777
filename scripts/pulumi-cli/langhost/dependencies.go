package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// GetProgramDependencies lists the program's npm packages with the versions installed, what
// `pulumi about` shows under "Dependencies" (upstream's host asks `npm ls --json --depth=0`, or
// the whole tree for --transitive; this host reads the same files npm reads, without running npm).
// The project is the folder of the nearest package.json at or above the program directory.
//   - Direct: every package named in its dependencies, devDependencies, optionalDependencies
//     and peerDependencies, with the version of the copy Node loads from there (node_modules of
//     that folder or of a parent), else the version its lock file records, else the range the
//     package.json asks for.
//   - Transitive: every package installed in the project's node_modules tree, nested copies
//     included, once per name and version (from the lock file when nothing is installed).
func (h *host) GetProgramDependencies(ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		dir = req.GetPwd() //nolint:staticcheck // older engines send only pwd
	}
	deps, err := programDependencies(dir, req.GetTransitiveDependencies())
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

func programDependencies(dir string, transitive bool) ([]*pulumirpc.DependencyInfo, error) {
	project, err := findProject(dir)
	if err != nil {
		return nil, err
	}
	manifest, ok := readPackageJSON(project)
	if !ok {
		return nil, fmt.Errorf("could not read %s", filepath.Join(project, "package.json"))
	}
	lock := readLockFile(project)
	var deps []*pulumirpc.DependencyInfo
	if transitive {
		deps = installedTree(project)
		if len(deps) == 0 {
			for name, v := range lock {
				deps = append(deps, &pulumirpc.DependencyInfo{Name: name, Version: v})
			}
		}
	} else {
		wanted := map[string]string{}
		for _, m := range []map[string]string{
			manifest.PeerDependencies, manifest.OptionalDependencies, manifest.DevDependencies, manifest.Dependencies,
		} {
			for name, r := range m {
				wanted[name] = r
			}
		}
		for name, r := range wanted {
			v := installedVersion(project, name)
			if v == "" {
				v = lock[name]
			}
			if v == "" {
				v = r
			}
			deps = append(deps, &pulumirpc.DependencyInfo{Name: name, Version: v})
		}
	}
	sort.Slice(deps, func(i, j int) bool {
		if deps[i].Name != deps[j].Name {
			return deps[i].Name < deps[j].Name
		}
		return deps[i].Version < deps[j].Version
	})
	return deps, nil
}

// findProject returns the folder of the nearest package.json at or above dir, as npm does.
func findProject(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := abs; ; d = filepath.Dir(d) {
		if st, err := os.Stat(filepath.Join(d, "package.json")); err == nil && !st.IsDir() {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no package.json found at or above %s: cannot list the program's npm packages", abs)
		}
	}
}

// installedVersion is the version of the copy of name Node resolves from the project folder.
func installedVersion(project, name string) string {
	for d := project; ; d = filepath.Dir(d) {
		if pkg, ok := readPackageJSON(filepath.Join(d, "node_modules", filepath.FromSlash(name))); ok {
			return pkg.Version
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// installedTree lists every package installed under project/node_modules, nested node_modules
// folders included (linked packages are listed, not entered).
func installedTree(project string) []*pulumirpc.DependencyInfo {
	seen := map[string]bool{}
	var deps []*pulumirpc.DependencyInfo
	var walk func(nodeModules string)
	walk = func(nodeModules string) {
		for _, p := range packageDirs(nodeModules) {
			pkg, ok := readPackageJSON(p)
			if !ok {
				continue
			}
			name := pkg.Name
			if name == "" {
				name = filepath.ToSlash(strings.TrimPrefix(p, nodeModules+string(filepath.Separator)))
			}
			if !seen[name+"@"+pkg.Version] {
				seen[name+"@"+pkg.Version] = true
				deps = append(deps, &pulumirpc.DependencyInfo{Name: name, Version: pkg.Version})
			}
			if st, err := os.Lstat(p); err == nil && st.Mode()&os.ModeSymlink == 0 {
				walk(filepath.Join(p, "node_modules"))
			}
		}
	}
	walk(filepath.Join(project, "node_modules"))
	return deps
}

// readLockFile maps package names to the versions npm's lock file records for the project's
// top-level node_modules (lockfileVersion 2 and 3: "packages"; version 1: "dependencies").
// npm-shrinkwrap.json wins over package-lock.json, as in npm; a missing file gives an empty map.
func readLockFile(project string) map[string]string {
	versions := map[string]string{}
	for _, name := range []string{"npm-shrinkwrap.json", "package-lock.json"} {
		b, err := os.ReadFile(filepath.Join(project, name))
		if err != nil {
			continue
		}
		var lock struct {
			Packages map[string]struct {
				Version string `json:"version"`
				Link    bool   `json:"link"`
			} `json:"packages"`
			Dependencies map[string]struct {
				Version string `json:"version"`
			} `json:"dependencies"`
		}
		if json.Unmarshal(b, &lock) != nil {
			continue
		}
		for key, p := range lock.Packages {
			rest, ok := strings.CutPrefix(key, "node_modules/")
			if !ok || strings.Contains(rest, "/node_modules/") || p.Link || p.Version == "" {
				continue
			}
			versions[rest] = p.Version
		}
		if len(lock.Packages) == 0 {
			for name, d := range lock.Dependencies {
				versions[name] = d.Version
			}
		}
		return versions
	}
	return versions
}
