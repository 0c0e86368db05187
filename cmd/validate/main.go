package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/config"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/internal/proof/genconfig"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/internal/proof/tfcheck"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/internal/runtime/jsiicache"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/internal/runtime/version"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/stacks"
)

// acceptedWarnings lists the Terraform warnings we cannot avoid, each with
// its reason.
const acceptedWarnings = "cmd/validate/accepted-warnings.yaml"

// acceptedConfigWarnings lists the configuration warnings (config.Warning)
// that the project's examples and test variants cause on purpose, each with
// its reason: with -project any other warning fails the run, as it fails
// the golden tests.
const acceptedConfigWarnings = "testdata/accepted-config-warnings.yaml"

func main() {
	project := flag.Bool("project", false, "check every configuration the project ships, not only CLOUDTRAIL_MRK_CONFIG")
	out := flag.String("out", "cdktf.out.validate", "working directory for the synthesized stacks and Terraform (replaced)")
	verbose := flag.Bool("v", false, "print accepted warnings")
	showVersion := version.Flag(flag.CommandLine)
	flag.Parse()
	if version.Print(os.Stdout, "validate", showVersion) {
		return
	}
	// The project's jsii package cache, when make setup primed it
	// (internal/runtime/jsiicache): the same stacks, synthesized faster.
	fmt.Fprint(os.Stderr, jsiicache.Use(".", jsii.Close).Notice())
	code := run(*project, *out, *verbose, os.Stdout, os.Stderr)
	jsiicache.Close()
	os.Exit(code)
}

// source is one configuration to check.
type source struct {
	name, label string
	cfg         *config.Config
	// file is the configuration file the project ships it as ("" for the
	// default and a user's configuration), for the accepted warnings.
	file string
}

func run(project bool, out string, verbose bool, stdout, stderr io.Writer) int {
	ctx := context.Background()
	sources, err := configurations(project)
	if err != nil {
		fmt.Fprintf(stderr, "validate: %v\n", err)
		return 2
	}
	accepted, err := tfcheck.LoadAccepted(acceptedWarnings)
	if err != nil {
		fmt.Fprintf(stderr, "validate: %v\n", err)
		return 2
	}
	if code := configWarnings(project, sources, stdout, stderr); code != 0 {
		return code
	}
	abs, err := filepath.Abs(out)
	if err != nil {
		fmt.Fprintf(stderr, "validate: %v\n", err)
		return 2
	}
	if err := os.RemoveAll(abs); err != nil {
		fmt.Fprintf(stderr, "validate: %v\n", err)
		return 2
	}
	tf, err := tfcheck.Setup(ctx, abs, pluginCache())
	if err != nil {
		fmt.Fprintf(stderr, "validate: cannot run Terraform: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "validate: Terraform %s, the AWS provider from %s\n", tf.Version, tf.Source())

	// Synthesize every configuration in this one process: the jsii runtime
	// and the provider bindings load once.
	var configs []*tfcheck.Config
	for _, s := range sources {
		c, err := synthesize(s, filepath.Join(abs, "synth", s.name))
		if err != nil {
			fmt.Fprintf(stderr, "validate: %s: %v\n", s.label, err)
			return 1
		}
		configs = append(configs, c)
	}

	checker := &tfcheck.Checker{TF: tf, WorkDir: filepath.Join(abs, "terraform"), Accepted: accepted}
	results := checker.Check(ctx, configs)
	stacksTotal := len(results)

	failed, unplanned := 0, 0
	for _, r := range results {
		if r.Err != nil {
			failed++
			fmt.Fprintf(stdout, "FAIL %v\n", r.Err)
			continue
		}
		accepted := ""
		if n := len(r.Accepted); n > 0 {
			accepted = fmt.Sprintf(" (%d accepted warnings, -v lists them)", n)
		}
		if r.PlanSkipped != "" {
			// Never silently: the stack is validated, not planned.
			unplanned++
			fmt.Fprintf(stdout, "ok   %s, stack %s: validate clean%s, %s; plan against AWS NOT run: %s\n", r.Config, r.Stack, accepted, mocked(r.MockRuns), r.PlanSkipped)
		} else {
			fmt.Fprintf(stdout, "ok   %s, stack %s: validate and plan clean%s, plan creates %d\n", r.Config, r.Stack, accepted, r.Creates)
		}
		for _, d := range r.Accepted {
			if verbose {
				fmt.Fprintf(stdout, "     accepted %s\n", d)
			}
		}
	}
	skipped := ""
	if unplanned > 0 {
		skipped = fmt.Sprintf(" (%d of them not planned against AWS: their import blocks need the real account)", unplanned)
	}
	fmt.Fprintf(stdout, "validate: %d configurations, %d stacks: %d passed%s, %d failed\n", len(configs), stacksTotal, stacksTotal-failed, skipped, failed)
	if failed > 0 {
		return 1
	}
	return 0
}

// configWarnings prints every configuration's warnings. With project, a
// warning that testdata/accepted-config-warnings.yaml does not accept fails
// the run (status 2, nothing planned); a user's configuration only warns,
// unless CLOUDTRAIL_MRK_WARNINGS_AS_ERRORS refused it already.
func configWarnings(project bool, sources []source, stdout, stderr io.Writer) int {
	var accepted config.AcceptedWarnings
	if project {
		var err error
		if accepted, err = config.LoadAcceptedWarnings(acceptedConfigWarnings); err != nil {
			fmt.Fprintf(stderr, "validate: %v\n", err)
			return 2
		}
	}
	failed := false
	for _, s := range sources {
		ws := s.cfg.Warnings()
		if !project {
			for _, w := range ws {
				fmt.Fprintf(stderr, "warning: %s\n", w)
			}
			continue
		}
		bad := accepted.Unaccepted(s.file, ws)
		for _, w := range bad {
			failed = true
			fmt.Fprintf(stderr, "validate: %s: warning: %s (not accepted by %s)\n", s.label, w, acceptedConfigWarnings)
		}
		if n := len(ws); n > 0 && len(bad) == 0 {
			fmt.Fprintf(stdout, "validate: %s: %d configuration warnings, accepted by %s\n", s.label, n, acceptedConfigWarnings)
		}
	}
	if failed {
		return 2
	}
	return 0
}

// pluginCache is where providers downloaded from the registry are kept
// between runs (not used with a provider mirror).
func pluginCache() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "cloudtrail-mrk", "terraform-plugins")
}

// configurations lists what to check: the configuration a user names (or the
// built-in default), or with project every configuration the project ships.
func configurations(project bool) ([]source, error) {
	if !project {
		cfg, label, err := config.FromEnv()
		if err != nil {
			var le *config.LoadError
			if errors.As(err, &le) {
				err = le.Err
			}
			return nil, fmt.Errorf("cannot use the %s:\n%v", label, err)
		}
		return []source{{name: "config", label: label, cfg: cfg}}, nil
	}
	out := []source{{name: "default", label: "built-in default configuration", cfg: config.Default()}}
	var files []string
	for _, pattern := range []string{"examples/*.yaml", "testdata/variants/*.yaml"} {
		found, err := filepath.Glob(pattern)
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("no %s: run from the project root", pattern)
		}
		files = append(files, found...)
	}
	for _, f := range files {
		cfg, err := config.Load(f)
		if err != nil {
			return nil, err
		}
		name := strings.TrimSuffix(strings.ReplaceAll(f, "/", "-"), ".yaml")
		out = append(out, source{name: name, label: fmt.Sprintf("config file %q", f), cfg: cfg, file: f})
	}
	example, err := os.ReadFile("examples/organization.yaml")
	if err != nil {
		return nil, err
	}
	for _, n := range []int{1, 16} {
		data, err := genconfig.WithReplicas(example, n)
		if err != nil {
			return nil, err
		}
		cfg, err := config.Parse(data)
		if err != nil {
			return nil, fmt.Errorf("organization example with %d replica regions: %w", n, err)
		}
		// Only the replica regions differ: the example's accepted warnings hold.
		out = append(out, source{name: fmt.Sprintf("replicas-%d", n), label: fmt.Sprintf("organization example with %d replica regions", n), cfg: cfg, file: "examples/organization.yaml"})
	}
	return out, nil
}

// synthesize builds the stacks of one configuration into outdir and reads
// them back, with what each must plan.
func synthesize(s source, outdir string) (*tfcheck.Config, error) {
	// cdktf creates the output directory but not its parents.
	if err := os.MkdirAll(filepath.Dir(outdir), 0o755); err != nil {
		return nil, err
	}
	app := cdktf.NewApp(&cdktf.AppConfig{Outdir: jsii.String(outdir)})
	built, err := stacks.Build(app, s.cfg)
	if err != nil {
		return nil, err
	}
	app.Synth()
	c := &tfcheck.Config{Name: s.name, Label: s.label, Stacks: map[string][]byte{}, Expect: expectations(s.cfg)}
	for _, name := range built.Names() {
		data, err := os.ReadFile(filepath.Join(outdir, "stacks", name, "cdk.tf.json"))
		if err != nil {
			return nil, err
		}
		c.Stacks[name] = data
	}
	return c, nil
}

// expectations maps each stack of cfg to what its plan must create, the
// bootstrap stacks included.
func expectations(cfg *config.Config) map[string]tfcheck.Expect {
	out := trailExpectations(cfg)
	for _, a := range cfg.BootstrapAccounts() {
		out[stacks.BootstrapStackName(a.Role)] = tfcheck.Bootstrap(cfg, a)
	}
	return out
}

func trailExpectations(cfg *config.Config) map[string]tfcheck.Expect {
	archive, trail := tfcheck.Expectations(cfg)
	archive = tfcheck.WithAthena(cfg, archive)
	if _, ok := cfg.DelegatedAdmin(); ok {
		return delegatedExpectations(cfg, archive, trail)
	}
	if cfg.SingleAccount() {
		return map[string]tfcheck.Expect{stacks.CombinedStackName: tfcheck.Combine(archive, trail)}
	}
	return map[string]tfcheck.Expect{stacks.LogArchiveStackName: archive, stacks.ManagementStackName: trail}
}

// delegatedExpectations maps the stacks of a configuration with a delegated
// administrator: the management stack registers it and holds the guardrail
// policies (when asked for) and nothing else;
// the trail's parts go to the log-archive stack when the delegated
// administrator is the log-archive account, else to their own stack.
func delegatedExpectations(cfg *config.Config, archive, trail tfcheck.Expect) map[string]tfcheck.Expect {
	if cfg.TrailCreatorIsLogArchive() {
		return map[string]tfcheck.Expect{
			stacks.LogArchiveStackName: tfcheck.Registered(tfcheck.Combine(archive, trail)),
			stacks.ManagementStackName: tfcheck.Registration(cfg),
		}
	}
	return map[string]tfcheck.Expect{
		stacks.LogArchiveStackName:     tfcheck.Registered(archive),
		stacks.ManagementStackName:     tfcheck.Registration(cfg),
		stacks.DelegatedAdminStackName: tfcheck.Registered(trail),
	}
}

// mocked says what `terraform test` with mocked providers proved of a stack
// with import blocks (tfcheck.Result.MockRuns).
func mocked(runs []string) string {
	if len(runs) == 0 {
		return "no mocked plan"
	}
	// Mock providers never plan a forced replacement, so what the mocked
	// plan proves is the schema, the references and the preconditions
	// (docs/adopting.md#what-is-proven-and-what-needs-a-real-account).
	out := fmt.Sprintf("mocked plan clean (terraform test, %d runs: schema, references and preconditions, replacements not modelled; the stack plans once its import targets exist", len(runs))
	if refused := runs[1:]; len(refused) > 0 {
		out += "; the preconditions on the imported bucket and key fail the plan in runs " + strings.Join(refused, ", ")
	}
	return out + ")"
}
