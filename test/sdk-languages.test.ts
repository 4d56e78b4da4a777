/**
 * The generated SDKs (sdk/, from provider/plugin/schema.json by `npm run sdk`):
 * - sdk/ is what the committed schema generates (a schema change without `npm run sdk` fails);
 * - Go: a program on sdk/go builds (`go build ./...`, `go vet`) in a module requiring
 *   github.com/pulumi/pulumi/sdk/v3 v3.274.1, and its mocks test passes (`go test`);
 * - Python: the SDK imports with PyPI's `pulumi` (a venv in the project cache) and a
 *   `pulumi.runtime.set_mocks` test creates the resources and checks their outputs;
 * - TypeScript: the SDK type-checks (`tsc --noEmit` with its own tsconfig, the repo's
 *   @pulumi/pulumi);
 * - C#: the files are there and name the resources (no build: no NuGet feed is reachable).
 * A missing toolchain (Go, python3) skips its test with the reason, an error under CI=true.
 */
import { execFile, execFileSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";

const run = promisify(execFile);
const ROOT = join(__dirname, "..");
const SDK = join(ROOT, "sdk");
const CACHE =
  process.env.PROJECT_CACHE ??
  join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "pulumi-dnn-smtp");
const PULUMI_GO_SDK = "v3.274.1";
/** PyPI's `pulumi`: the newest release installable on Python 3.11 when this was written. */
const PULUMI_PYPI = "3.272.0";
const SCHEMA = JSON.parse(readFileSync(join(ROOT, "provider/plugin/schema.json"), "utf8"));
const RESOURCES = Object.keys(SCHEMA.resources) as string[]; // dnn-smtp:index:SmtpSettings, ...
const className = (token: string) => token.split(":")[2] as string;

/** Whether `cmd` runs; when not, the reason is printed, and under CI=true it is an error. */
function toolchain(cmd: string, args: string[]): string | undefined {
  try {
    execFileSync(cmd, args, { stdio: "ignore" });
    return undefined;
  } catch {
    const reason = `${cmd} is not available`;
    if (process.env.CI === "true") throw new Error(`CI=true and ${reason}`);
    console.warn(`skipped: ${reason}`);
    return reason;
  }
}

const noGo = toolchain("go", ["version"]);
const noPython = toolchain("python3", ["--version"]);

/** The Go environment of scripts/pulumi-cli.sh: the same module and build caches. */
const goEnv = {
  ...process.env,
  GOPATH: join(CACHE, "go/path"),
  GOMODCACHE: join(CACHE, "go/mod"),
  GOCACHE: join(CACHE, "go/build"),
  GOFLAGS: "-mod=mod -buildvcs=false -trimpath",
  GOTOOLCHAIN: "local",
  GOWORK: "off",
};

const GO_PROGRAM = `// A program on the generated Go SDK (written by test/sdk-languages.test.ts).
package main

import (
	"github.com/pulumi-dnn-smtp/pulumi-dnn-smtp/sdk/go/dnnsmtp"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func program(ctx *pulumi.Context) error {
	cfg := config.New(ctx, "")
	installation, err := dnnsmtp.NewProvider(ctx, "installation", &dnnsmtp.ProviderArgs{
		Url:      pulumi.StringPtr(cfg.Require("dnnUrl")),
		Username: pulumi.StringPtr("host"),
		Password: cfg.RequireSecret("dnnPassword"),
	})
	if err != nil {
		return err
	}
	shop, err := dnnsmtp.NewSmtpSettings(ctx, "shop", &dnnsmtp.SmtpSettingsArgs{
		Scope:          pulumi.String("site"),
		Server:         pulumi.String("relay.example.com:587"),
		Authentication: pulumi.StringPtr("basic"),
		Username:       pulumi.StringPtr("shop@example.com"),
		Password:       cfg.RequireSecret("relayPassword"),
		Site:           &dnnsmtp.SiteArgs{Url: pulumi.StringPtr(cfg.Require("shopUrl"))},
		Precheck:       &dnnsmtp.PrecheckArgs{Level: pulumi.StringPtr("none")},
	}, pulumi.Provider(installation))
	if err != nil {
		return err
	}
	root, err := dnnsmtp.NewUseGlobalSmtpSettings(ctx, "root", &dnnsmtp.UseGlobalSmtpSettingsArgs{
		OnDelete: pulumi.StringPtr("retain"),
	}, pulumi.Provider(installation))
	if err != nil {
		return err
	}
	ctx.Export("shopServer", shop.Server)
	ctx.Export("shopMode", shop.Mode)
	ctx.Export("rootMode", root.Mode)
	return nil
}

func main() { pulumi.Run(program) }
`;

const GO_TEST = `package main

import (
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

type mocks struct {
	mu    sync.Mutex
	types map[string]string
}

func (m *mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.types[args.Name] = args.TypeToken
	outputs := args.Inputs.Copy()
	outputs["mode"] = resource.NewStringProperty("p")
	return args.Name + "-id", outputs, nil
}

func (m *mocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return resource.PropertyMap{}, nil
}

func TestProgramOnMocks(t *testing.T) {
	t.Setenv("PULUMI_CONFIG", \`{"project:dnnUrl":"https://dnn.example.com","project:dnnPassword":"p1","project:relayPassword":"p2","project:shopUrl":"https://dnn.example.com/shop"}\`)
	m := &mocks{types: map[string]string{}}
	if err := pulumi.RunErr(program, pulumi.WithMocks("project", "stack", m)); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"installation": "pulumi:providers:dnn-smtp",
		"shop":         "dnn-smtp:index:SmtpSettings",
		"root":         "dnn-smtp:index:UseGlobalSmtpSettings",
	} {
		if got := m.types[name]; got != want {
			t.Errorf("%s registered as %q, want %q", name, got, want)
		}
	}
}
`;

const PYTHON_TEST = `
import sys
import pulumi

registered = {}

class Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args):
        registered[args.name] = args.typ
        outputs = dict(args.inputs)
        if args.typ == "dnn-smtp:index:SmtpSettings":
            outputs["mode"] = "p"
            outputs["portalName"] = "Shop"
        return [args.name + "-id", outputs]

    def call(self, args):
        return {}

pulumi.runtime.set_mocks(Mocks(), project="project", stack="stack", preview=False)

import pulumi_dnn_smtp as dnnsmtp

installation = dnnsmtp.Provider("installation", url="https://dnn.example.com", username="host",
                                password="not-a-real-password")
shop = dnnsmtp.SmtpSettings(
    "shop",
    scope="site",
    server="relay.example.com:587",
    authentication="basic",
    username="shop@example.com",
    password="not-a-real-password",
    site=dnnsmtp.SiteArgs(url="https://dnn.example.com/shop"),
    precheck=dnnsmtp.PrecheckArgs(level="none"),
    opts=pulumi.ResourceOptions(provider=installation),
)
root = dnnsmtp.UseGlobalSmtpSettings("root", on_delete="retain",
                                     opts=pulumi.ResourceOptions(provider=installation))

@pulumi.runtime.test
def test_outputs():
    def check(args):
        server, mode, portal, urn = args
        assert server == "relay.example.com:587", server
        assert mode == "p", mode
        assert portal == "Shop", portal
        assert urn.endswith("dnn-smtp:index:SmtpSettings::shop"), urn
        assert registered == {
            "installation": "pulumi:providers:dnn-smtp",
            "shop": "dnn-smtp:index:SmtpSettings",
            "root": "dnn-smtp:index:UseGlobalSmtpSettings",
        }, registered
    return pulumi.Output.all(shop.server, shop.mode, shop.portal_name, shop.urn).apply(check)

def test_password_is_secret():
    # the SDK marks the schema's secret properties (password) as additional secret outputs
    from pulumi.runtime.sync_await import _sync_await
    assert _sync_await(shop.password.is_secret()), "password is not a secret output"

test_outputs()
test_password_is_secret()
print("python sdk: ok")
`;

describe("the generated SDKs", () => {
  test.skipIf(!!noGo)(
    "sdk/ is what the committed schema generates (scripts/sdk.sh --check)",
    async () => {
      await run("bash", [join(ROOT, "scripts/sdk.sh"), "--check"], { timeout: 600_000 });
    },
    600_000,
  );

  test.skipIf(!!noGo)(
    `Go: a program on sdk/go builds, vets and passes a mocks test against sdk/v3 ${PULUMI_GO_SDK}`,
    async () => {
      // A module of its own in the project cache (its go.sum kept between runs).
      const dir = join(CACHE, "sdk-check/go");
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, "go.mod"),
        [
          "module pulumi-dnn-smtp.local/sdk-check",
          "",
          "go 1.25",
          "",
          "require (",
          "\tgithub.com/pulumi-dnn-smtp/pulumi-dnn-smtp/sdk/go v0.0.0",
          `\tgithub.com/pulumi/pulumi/sdk/v3 ${PULUMI_GO_SDK}`,
          ")",
          "",
          `replace github.com/pulumi-dnn-smtp/pulumi-dnn-smtp/sdk/go => ${join(SDK, "go")}`,
          "",
        ].join("\n"),
      );
      writeFileSync(join(dir, "main.go"), GO_PROGRAM);
      writeFileSync(join(dir, "main_test.go"), GO_TEST);
      const go = (...args: string[]) =>
        run("go", args, { cwd: dir, env: goEnv, timeout: 600_000, maxBuffer: 1 << 24 });
      await go("mod", "tidy");
      // tidy may only have raised sdk/v3 if the SDK needed more: it must stay the pinned version
      expect(readFileSync(join(dir, "go.mod"), "utf8")).toContain(
        `github.com/pulumi/pulumi/sdk/v3 ${PULUMI_GO_SDK}`,
      );
      await go("build", "-p", "2", "./...");
      await go("vet", "./...");
      const { stdout } = await go("test", "-p", "2", "-count=1", "./...");
      expect(stdout).toMatch(/^ok\s/m);
    },
    600_000,
  );

  test.skipIf(!!noPython)(
    `Python: the SDK imports with PyPI's pulumi ${PULUMI_PYPI} and passes a set_mocks test`,
    async () => {
      const venv = join(CACHE, "sdk-python-venv");
      const python = join(venv, "bin/python");
      if (!existsSync(python)) await run("python3", ["-m", "venv", venv], { timeout: 120_000 });
      // pulumi at the pinned version, and setuptools + wheel to install the SDK from its setup.py
      const ready = await run(python, [
        "-c",
        "import importlib.metadata as m, setuptools, wheel; print(m.version('pulumi'))",
      ])
        .then((r) => r.stdout.trim() === PULUMI_PYPI)
        .catch(() => false);
      if (!ready)
        await run(
          python,
          [
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            `pulumi==${PULUMI_PYPI}`,
            "setuptools",
            "wheel",
          ],
          { timeout: 600_000 },
        );
      // Installed as users install it (`pip install <checkout>/sdk/python`): the SDK reads its
      // version from the package metadata. From a copy, so that no build output lands in sdk/.
      const copy = mkdtempSync(join(tmpdir(), "sdk-python-"));
      try {
        cpSync(join(SDK, "python"), copy, { recursive: true });
        await run(
          python,
          [
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            "--no-deps",
            "--no-build-isolation",
            "--force-reinstall",
            copy,
          ],
          { cwd: copy, timeout: 300_000 },
        );
      } finally {
        rmSync(copy, { recursive: true, force: true });
      }
      const { stdout } = await run(python, ["-c", PYTHON_TEST], {
        cwd: tmpdir(),
        env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" },
        timeout: 120_000,
      });
      expect(stdout).toContain("python sdk: ok");
    },
    600_000,
  );

  test("TypeScript: the SDK type-checks with its own tsconfig and the repository's @pulumi/pulumi", async () => {
    await run(
      process.execPath,
      [require.resolve("typescript/bin/tsc"), "-p", join(SDK, "nodejs/tsconfig.json"), "--noEmit"],
      { cwd: ROOT, timeout: 120_000 },
    );
    const pkg = JSON.parse(readFileSync(join(SDK, "nodejs/package.json"), "utf8"));
    expect(pkg).toMatchObject({
      name: SCHEMA.language.nodejs.packageName,
      version: SCHEMA.version,
      main: "bin/index.js",
      pulumi: { resource: true, name: "dnn-smtp", version: SCHEMA.version },
    });
    const index = readFileSync(join(SDK, "nodejs/index.ts"), "utf8");
    for (const token of RESOURCES) expect(index).toContain(`case "${token}":`);
  }, 120_000);

  test("C#: the project and a class per resource are generated (not built: no NuGet feed here)", () => {
    const project = readFileSync(join(SDK, "dotnet/Pulumi.DnnSmtp.csproj"), "utf8");
    expect(project).toContain('<PackageReference Include="Pulumi" Version="3.*" />');
    expect(project).toContain(`<Version>${SCHEMA.version}</Version>`);
    for (const token of RESOURCES) {
      const source = readFileSync(join(SDK, `dotnet/${className(token)}.cs`), "utf8");
      expect(source).toContain(`[DnnSmtpResourceType("${token}")]`);
      expect(source).toContain(
        `public partial class ${className(token)} : global::Pulumi.CustomResource`,
      );
    }
    expect(readFileSync(join(SDK, "dotnet/Provider.cs"), "utf8")).toContain(
      '[DnnSmtpResourceType("pulumi:providers:dnn-smtp")]',
    );
    // secrets: the SDK marks the schema's secret properties as secret outputs
    expect(readFileSync(join(SDK, "dotnet/SmtpSettings.cs"), "utf8")).toMatch(
      /AdditionalSecretOutputs =[\s\S]*"password"/,
    );
  });
});
