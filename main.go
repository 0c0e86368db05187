package main

import (
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
	"github.com/cloudtrail-mrk/cloudtrail-mrk/internal/runtime/jsiicache"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/internal/runtime/version"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/stacks"
)

// Exit codes.
const (
	exitOK = 0
	// exitSynth: the configuration was valid but building the stacks failed.
	exitSynth = 1
	// exitConfig: the configuration could not be loaded or is invalid, or
	// the command line is; nothing was written.
	exitConfig = 2
)

// cliEnv is set by the CDK Terrain (and CDK for Terraform) CLI for the app it
// runs: it holds the CLI's context as JSON.
const cliEnv = "CDKTF_CONTEXT_JSON"

func main() {
	os.Exit(synthesize(os.Args[1:], os.Stdout, os.Stderr))
}

// synthesize reads the command line (the CLI passes none; --version is for
// people), runs the app and then shuts the jsii runtime down (the deferred
// close the jsii maintainers ask for; os.Exit in main would skip it). Before
// that, it points the jsii runtime at the project's primed package cache (the
// fast path, see internal/runtime/jsiicache) when there is one: the CLI runs
// the app from the project directory.
func synthesize(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("cloudtrail-mrk", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: cloudtrail-mrk [--version]\n"+
			"Synthesizes the configuration named by %s (unset: the built-in default) into $CDKTF_OUTDIR or cdktf.out.\n"+
			"Exit codes: 0 synthesized, 1 the stacks could not be built, 2 the configuration or the command line is invalid (nothing written).\n",
			config.EnvVar)
	}
	showVersion := version.Flag(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitConfig
	}
	if version.Print(stdout, "cloudtrail-mrk", showVersion) {
		return exitOK
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "cloudtrail-mrk: unexpected argument %q: the app takes no arguments; name the configuration file in %s\n", fs.Arg(0), config.EnvVar)
		return exitConfig
	}
	defer jsiicache.Close()
	return run(stdout, stderr, "", jsiicache.Use(".", jsii.Close).Notice())
}

// run loads and validates the configuration, builds the stacks and
// synthesizes them into outdir ("" for cdktf's default: CDKTF_OUTDIR or
// cdktf.out). It writes nothing unless every check passed. notice, when not
// empty, is printed once the configuration is known to be valid (a refused
// configuration's message stays exactly what testdata/invalid says). The
// configuration's warnings come first, one line each beginning "warning: ";
// with CLOUDTRAIL_MRK_WARNINGS_AS_ERRORS set they refuse it like any error.
// Once synthesized, one information line (not a warning) names the billed
// features the configuration turns on (config.BilledFeaturesLine), and, for
// a bucket or key made elsewhere, one line per owner says what to add, and,
// with key.verifiers, one line says which verifiers need their identity
// policy (config.RequiredNotes).
// Warnings, notice and that line go to stderr, or to stdout when the CLI
// runs the app (see notes), where one more line names what was synthesized.
func run(stdout, stderr io.Writer, outdir, notice string) int {
	cfg, source, err := config.FromEnv()
	if err != nil {
		var le *config.LoadError
		if errors.As(err, &le) {
			err = le.Err
		}
		fmt.Fprintf(stderr, "cloudtrail-mrk: cannot use the %s; nothing was synthesized:\n%s\n", source, indent(err.Error()))
		return exitConfig
	}
	// Valid but weakening settings: said, then synthesized (docs/config-checks.md).
	info := notes(stdout, stderr)
	for _, w := range cfg.Warnings() {
		fmt.Fprintf(info, "warning: %s\n", w)
	}
	fmt.Fprint(info, notice)
	appConfig := &cdktf.AppConfig{}
	if outdir != "" {
		appConfig.Outdir = jsii.String(outdir)
	}
	// cdktf creates the output directory but not its parents (it would panic).
	if err := os.MkdirAll(filepath.Dir(outputDir(outdir)), 0o755); err != nil {
		fmt.Fprintf(stderr, "cloudtrail-mrk: cannot create the output directory: %v\n", err)
		return exitSynth
	}
	app := cdktf.NewApp(appConfig)
	built, err := stacks.Build(app, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "cloudtrail-mrk: cannot build the stacks from the %s; nothing was synthesized:\n%s\n", source, indent(err.Error()))
		return exitSynth
	}
	app.Synth()
	// Information, not a warning: what AWS will bill by use or by the month
	// (docs/costs.md), once, where the notes go.
	fmt.Fprintln(info, cfg.BilledFeaturesLine())
	// A bucket or key made elsewhere: what their owners must add
	// (docs/adopting.md); the verifiers: who needs their identity policy
	// (docs/verify.md#permissions). cmd/required-policy writes them.
	required, err := cfg.RequiredNotes()
	if err != nil {
		fmt.Fprintf(stderr, "cloudtrail-mrk: cannot compose the statements the existing bucket or key needs: %v\n", err)
		return exitSynth
	}
	for _, line := range required {
		fmt.Fprintln(info, line)
	}
	if os.Getenv(cliEnv) != "" {
		fmt.Fprintln(stdout, synthesized(source, built.Names()))
	}
	return exitOK
}

// notes is where the app writes what a user must read even when synthesis
// succeeds (the fast-path notice): stderr, except when the CLI runs the app.
// The CLI prints the app's stdout as it comes; its stderr it logs at the
// error level, which scripts/env sends to .tools/log/cdktf.log so that a
// failure's message is printed once, in the CLI's summary.
func notes(stdout, stderr io.Writer) io.Writer {
	if os.Getenv(cliEnv) != "" {
		return stdout
	}
	return stderr
}

// synthesized tells a CLI user which configuration was synthesized and which
// stacks it has, so that "Could not find stack" for a name of another
// configuration comes with its explanation.
func synthesized(source string, names []string) string {
	noun := "stacks"
	if len(names) == 1 {
		noun = "stack"
	}
	s := fmt.Sprintf("cloudtrail-mrk: synthesized the %s: %s %s", source, noun, strings.Join(names, ", "))
	if os.Getenv(config.EnvVar) == "" {
		s += fmt.Sprintf(" (set %s to a configuration file for others)", config.EnvVar)
	}
	return s
}

// outputDir is where cdktf will write: outdir, else $CDKTF_OUTDIR, else
// cdktf.out.
func outputDir(outdir string) string {
	if outdir != "" {
		return outdir
	}
	if env := os.Getenv("CDKTF_OUTDIR"); env != "" {
		return env
	}
	return "cdktf.out"
}

func indent(s string) string {
	out := "  "
	for _, c := range s {
		out += string(c)
		if c == '\n' {
			out += "  "
		}
	}
	return out
}
