// Command dotnet generates the dnn-smtp C# SDK from the plugin's committed schema.
//
// The .NET generator left github.com/pulumi/pulumi/pkg/v3 for the pulumi-dotnet repository,
// whose Go module the proxy reachable here does not serve; pkg/v3 v3.206.0 still holds it
// (codegen/dotnet), hence this module of its own beside ../ (v3.274.1 for the other languages).
//
// Usage: go run . -schema ../../../provider/plugin/schema.json -out ../../../sdk
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/pkg/v3/codegen/dotnet"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

const tool = "pulumi-dnn-smtp/scripts/sdkgen"

func main() {
	schemaPath := flag.String("schema", "provider/plugin/schema.json", "the package schema")
	out := flag.String("out", "sdk", "output folder; C# goes to <out>/dotnet")
	flag.Parse()
	// The generator downloads the package icon (logo.png of the NuGet package, the schema's
	// logoUrl or Pulumi's logo on raw.githubusercontent.com); offline, and for reproducible
	// files, every such request gets the plain icon below instead.
	http.DefaultTransport = offlineLogo{}
	if err := run(*schemaPath, filepath.Join(*out, "dotnet")); err != nil {
		fmt.Fprintln(os.Stderr, "sdkgen dotnet:", err)
		os.Exit(1)
	}
}

func run(schemaPath, dir string) error {
	raw, err := os.ReadFile(schemaPath)
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return fmt.Errorf("%s: %w", schemaPath, err)
	}
	pkg, diags, err := schema.BindSpec(spec, noLoader{}, schema.ValidationOptions{})
	if err != nil {
		return fmt.Errorf("%s: %w", schemaPath, err)
	}
	if diags.HasErrors() {
		return fmt.Errorf("%s: %s", schemaPath, diags.Error())
	}
	pkg.SupportPack = true
	files, err := dotnet.GeneratePackage(tool, pkg, nil, nil)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "sdkgen: %d files in %s\n", len(names), dir)
	return nil
}

// noLoader loads no package: the schema references none, and SDK generation must not start
// plugins.
type noLoader struct{}

func (noLoader) LoadPackage(name string, _ *semver.Version) (*schema.Package, error) {
	return nil, fmt.Errorf("the schema references package %q; sdkgen loads no other package", name)
}

func (l noLoader) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return l.LoadPackage(d.Name, nil)
}

func (l noLoader) LoadPackageReference(name string, v *semver.Version) (schema.PackageReference, error) {
	_, err := l.LoadPackage(name, v)
	return nil, err
}

func (l noLoader) LoadPackageReferenceV2(
	_ context.Context, d *schema.PackageDescriptor,
) (schema.PackageReference, error) {
	return l.LoadPackageReference(d.Name, nil)
}

// offlineLogo answers every HTTP request with a 64x64 PNG of one colour.
type offlineLogo struct{}

func (offlineLogo) RoundTrip(req *http.Request) (*http.Response, error) {
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for x := 0; x < 64; x++ {
		for y := 0; y < 64; y++ {
			img.Set(x, y, color.RGBA{R: 0x1f, G: 0x6f, B: 0xb2, A: 0xff})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return &http.Response{
		StatusCode: http.StatusOK,
		Status:     "200 OK",
		Header:     http.Header{"Content-Type": {"image/png"}},
		Body:       io.NopCloser(&buf),
		Request:    req,
	}, nil
}
