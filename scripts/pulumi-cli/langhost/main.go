// Command pulumi-language-nodejs: a minimal Pulumi language host for Node.js programs, built by
// scripts/pulumi-cli.sh of pulumi-dnn-smtp beside the Pulumi CLI (upstream's module
// github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3 is not served by the Go proxy
// reachable there). It implements the LanguageRuntime gRPC service of github.com/pulumi/pulumi/sdk/v3:
//   - GetPluginInfo, Handshake, About (node's path and version);
//   - Run: node [nodeargs] @pulumi/pulumi/cmd/run with the flags and PULUMI_CONFIG* variables the
//     SDK reads (run.go);
//   - RunPlugin: policy packs through @pulumi/pulumi/cmd/run-policy-pack, other Node plugins
//     through cmd/run-plugin (run.go);
//   - GetRequiredPackages and GetRequiredPlugins: node_modules packages whose package.json has
//     "pulumi": {"resource": true} (packages.go);
//   - GetProgramDependencies: the program's npm packages and their installed versions, direct or
//     transitive, as `pulumi about` shows them (dependencies.go).
//
// Other methods answer Unimplemented.
// Runtime options from Pulumi.yaml: typescript (bool, default true), tsconfig (string),
// nodeargs (string, shell-split).
package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// Exit code of @pulumi/pulumi/cmd/run meaning "an actionable message was already shown".
const exitCodeBail = 32

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engineAddress string
	tracing       string
}

func main() {
	h := &host{}
	var rest []string
	args := os.Args[1:]
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-tracing" || a == "--tracing":
			if i+1 < len(args) {
				h.tracing = args[i+1]
				i++
			}
		case strings.HasPrefix(a, "-tracing=") || strings.HasPrefix(a, "--tracing="):
			h.tracing = a[strings.Index(a, "=")+1:]
		case strings.HasPrefix(a, "-"):
			// other flags (e.g. -root, -logtostderr, -v=N) are accepted and ignored
		default:
			rest = append(rest, a)
		}
	}
	if len(rest) > 0 {
		h.engineAddress = rest[len(rest)-1]
	}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, h)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: could not start server: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: %v\n", err)
		os.Exit(1)
	}
}

func (h *host) Handshake(ctx context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.GetEngineAddress() != "" {
		h.engineAddress = req.GetEngineAddress()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(ctx context.Context, _ *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

func (h *host) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("could not find node on the $PATH: %w", err)
	}
	out, err := exec.Command(nodeBin, "--version").Output()
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{
		Executable: nodeBin,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
	}, nil
}
