package tfcheck

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// MirrorEnvVar names a directory laid out as a Terraform filesystem mirror
// (it holds registry.terraform.io/hashicorp/aws/<version>/<os>_<arch>/, as
// `terraform providers mirror` writes it). It takes precedence over the
// directories searched by FindMirror.
const MirrorEnvVar = "CLOUDTRAIL_MRK_PROVIDER_MIRROR"

// TerraformEnvVar names the terraform binary; default: terraform on PATH.
const TerraformEnvVar = "TERRAFORM"

// MinTerraform is the oldest Terraform the stacks support
// (rules.MinTerraformVersion).
var MinTerraform = version.Must(version.NewVersion(rules.MinTerraformVersion))

// minMajorMinor is MinTerraform as MAJOR.MINOR, for messages.
func minMajorMinor() string {
	s := MinTerraform.Segments()
	return fmt.Sprintf("%d.%d", s[0], s[1])
}

// awsProviderDir is the provider's path inside a mirror.
var awsProviderDir = filepath.Join("registry.terraform.io", "hashicorp", "aws")

// Terraform is a terraform binary with the CLI configuration this package
// wrote for it. Every call runs with that configuration, never the user's
// ~/.terraformrc.
type Terraform struct {
	// Bin is the terraform binary.
	Bin string
	// Version is what `terraform version` reported, for example "1.11.4".
	Version string
	// Mirror is the provider mirror used, or "" when providers come from
	// the registry.
	Mirror string
	// CLIConfig is the CLI configuration file this package wrote.
	CLIConfig string
	env       map[string]string
}

// Source describes where the AWS provider comes from.
func (t *Terraform) Source() string {
	if t.Mirror != "" {
		return "the provider mirror " + t.Mirror
	}
	return "the Terraform registry"
}

// Setup finds terraform and the AWS provider, and writes a CLI configuration
// into workDir: from a provider mirror when FindMirror finds one (Terraform
// links the unpacked provider, so an init takes no disk), otherwise from the
// registry through a plugin cache in cacheDir, so that each provider version
// is downloaded once. It fails, saying what is missing and how to provide it,
// rather than skipping anything.
func Setup(ctx context.Context, workDir, cacheDir string) (*Terraform, error) {
	bin := os.Getenv(TerraformEnvVar)
	if bin == "" {
		found, err := exec.LookPath("terraform")
		if err != nil {
			return nil, fmt.Errorf("terraform is not on PATH: install Terraform %s or later "+
				"(https://developer.hashicorp.com/terraform/install) or set %s to its path", minMajorMinor(), TerraformEnvVar)
		}
		bin = found
	}
	if err := os.MkdirAll(workDir, 0o755); err != nil {
		return nil, err
	}
	tf := &Terraform{Bin: bin}
	v, err := tf.version(ctx, workDir)
	if err != nil {
		return nil, err
	}
	tf.Version = v
	mirror, err := FindMirror()
	if err != nil {
		return nil, err
	}
	tf.Mirror = mirror
	tf.CLIConfig = filepath.Join(workDir, "terraform.rc")
	var cfg string
	if mirror != "" {
		cfg = fmt.Sprintf(`# Written by cloudtrail-mrk's validate: the AWS provider from a local mirror.
provider_installation {
  filesystem_mirror {
    path    = %q
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }
}
`, mirror)
	} else {
		if err := os.MkdirAll(cacheDir, 0o755); err != nil {
			return nil, err
		}
		// The check directories are thrown away, so their lock files do not
		// matter; the cache is what keeps inits fast.
		cfg = fmt.Sprintf(`# Written by cloudtrail-mrk's validate: providers from the registry, cached.
plugin_cache_dir = %q
plugin_cache_may_break_dependency_lock_file = true
`, cacheDir)
	}
	if err := os.WriteFile(tf.CLIConfig, []byte(cfg), 0o644); err != nil {
		return nil, err
	}
	tf.env = terraformEnv(tf.CLIConfig)
	return tf, nil
}

// terraformEnv is the environment of every terraform call: this process's,
// without anything that would reach real AWS accounts or the user's own
// Terraform configuration, plus the CLI configuration written by Setup.
// terraform-exec runs Terraform with exactly this environment and adds its
// own TF_IN_AUTOMATION=1 and empty TF_LOG*; it passes -input=false to the
// commands that could prompt, instead of our former TF_INPUT=0 (which it
// refuses to be given).
func terraformEnv(cliConfig string) map[string]string {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		name, value, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "AWS_") || strings.HasPrefix(name, "TF_") || name == "CHECKPOINT_DISABLE" {
			continue
		}
		env[name] = value
	}
	env["TF_CLI_CONFIG_FILE"] = cliConfig
	env["CHECKPOINT_DISABLE"] = "1"
	env["AWS_EC2_METADATA_DISABLED"] = "true"
	return env
}

// FindMirror returns the root of a filesystem mirror that holds the AWS
// provider for this machine's platform: the directory named by
// CLOUDTRAIL_MRK_PROVIDER_MIRROR, else the first of Terraform's implied
// local mirror directories (https://developer.hashicorp.com/terraform/cli/config/config-file#implied-local-mirror-directories)
// and the directories directly under /opt that holds one. It returns "" when
// there is none (providers then come from the registry), and an error when
// the variable names a directory without the provider.
func FindMirror() (string, error) {
	platform := runtime.GOOS + "_" + runtime.GOARCH
	if dir := os.Getenv(MirrorEnvVar); dir != "" {
		if !holdsAWSProvider(dir, platform) {
			return "", fmt.Errorf("%s=%q holds no %s/<version>/%s/terraform-provider-aws_* (lay it out with `terraform providers mirror`)",
				MirrorEnvVar, dir, awsProviderDir, platform)
		}
		return dir, nil
	}
	var candidates []string
	if home, err := os.UserHomeDir(); err == nil {
		candidates = append(candidates, filepath.Join(home, ".terraform.d", "plugins"), filepath.Join(home, ".local", "share", "terraform", "plugins"))
	}
	dataDirs := os.Getenv("XDG_DATA_DIRS")
	if dataDirs == "" {
		dataDirs = "/usr/local/share:/usr/share"
	}
	for _, d := range filepath.SplitList(dataDirs) {
		candidates = append(candidates, filepath.Join(d, "terraform", "plugins"))
	}
	opt, _ := filepath.Glob("/opt/*")
	sort.Strings(opt)
	candidates = append(candidates, opt...)
	for _, dir := range candidates {
		if holdsAWSProvider(dir, platform) {
			return dir, nil
		}
	}
	return "", nil
}

func holdsAWSProvider(dir, platform string) bool {
	found, _ := filepath.Glob(filepath.Join(dir, awsProviderDir, "*", platform, "terraform-provider-aws_*"))
	return len(found) > 0
}

// exec returns terraform-exec's handle on the working directory dir, with
// the environment Setup made.
func (t *Terraform) exec(dir string) (*tfexec.Terraform, error) {
	return execIn(t.Bin, dir, t.env)
}

// execIn returns terraform-exec's handle on bin in dir, run with env.
func execIn(bin, dir string, env map[string]string) (*tfexec.Terraform, error) {
	tf, err := tfexec.NewTerraform(dir, bin)
	if err != nil {
		return nil, err
	}
	if err := tf.SetEnv(env); err != nil {
		return nil, err
	}
	return tf, nil
}

// version runs `terraform version -json` in dir and refuses a Terraform
// older than MinTerraform (a pre-release of MinTerraform passes).
func (t *Terraform) version(ctx context.Context, dir string) (string, error) {
	tf, err := execIn(t.Bin, dir, terraformEnv(os.DevNull))
	if err != nil {
		return "", err
	}
	v, _, err := tf.Version(ctx, true)
	if err != nil {
		return "", fmt.Errorf("cannot run %s version (%w): install Terraform %s or later, on PATH or named by %s",
			t.Bin, err, minMajorMinor(), TerraformEnvVar)
	}
	if v.Core().LessThan(MinTerraform) {
		return "", fmt.Errorf("%s is Terraform %s; the stacks need %s or later (the S3 backend's use_lockfile)",
			t.Bin, v.Original(), minMajorMinor())
	}
	return v.Original(), nil
}

// failed wraps the error of a terraform command, saying which one and
// whether it ran out of time.
func failed(ctx context.Context, command string, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("terraform %s: timed out: %w", command, err)
	}
	return fmt.Errorf("terraform %s: %w", command, err)
}

// init runs terraform init in dir (-backend=false unless backend), explaining
// a provider that cannot be installed.
func (t *Terraform) init(ctx context.Context, dir string, backend bool) error {
	tf, err := t.exec(dir)
	if err != nil {
		return err
	}
	if err := tf.Init(ctx, tfexec.Backend(backend)); err != nil {
		err = failed(ctx, "init", err)
		if t.Mirror == "" {
			return fmt.Errorf("%w\nNo AWS provider mirror was found, so Terraform tried the registry. Set %s to a directory "+
				"laid out by `terraform providers mirror` (it holds %s/<version>/%s_%s/), or run on a machine that reaches the Terraform registry",
				err, MirrorEnvVar, awsProviderDir, runtime.GOOS, runtime.GOARCH)
		}
		return err
	}
	return nil
}
