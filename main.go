// Command cloudtrail-mrk synthesizes an organization CloudTrail whose logs are
// encrypted with a KMS multi-region key, as one Terraform stack per AWS
// account. The configuration file is named by CLOUDTRAIL_MRK_CONFIG; without
// it the built-in default configuration is used.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/config"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/internal/jsiicache"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/stacks"
)

// Exit codes.
const (
	exitOK = 0
	// exitSynth: the configuration was valid but building the stacks failed.
	exitSynth = 1
	// exitConfig: the configuration could not be loaded or is invalid;
	// nothing was written.
	exitConfig = 2
)

func main() {
	os.Exit(synthesize())
}

// synthesize runs the app and then shuts the jsii runtime down (the deferred
// close the jsii maintainers ask for; os.Exit in main would skip it). Before
// that, it points the jsii runtime at the project's primed package cache
// (the fast path, see internal/jsiicache) when there is one: cdktf runs the
// app from the project directory.
func synthesize() int {
	defer jsiicache.Close()
	return run(os.Stderr, "", jsiicache.Use(".", jsii.Close).Notice())
}

// run loads and validates the configuration, builds the stacks and
// synthesizes them into outdir ("" for cdktf's default: CDKTF_OUTDIR or
// cdktf.out). It writes nothing unless every check passed. notice, when not
// empty, is printed once the configuration is known to be valid (a refused
// configuration's message stays exactly what testdata/invalid says). The
// configuration's warnings go to stderr, one line each beginning "warning: ";
// with CLOUDTRAIL_MRK_WARNINGS_AS_ERRORS set they refuse it like any error.
func run(stderr io.Writer, outdir, notice string) int {
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
	for _, w := range cfg.Warnings() {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	fmt.Fprint(stderr, notice)
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
	if _, err := stacks.Build(app, cfg); err != nil {
		fmt.Fprintf(stderr, "cloudtrail-mrk: cannot build the stacks from the %s; nothing was synthesized:\n%s\n", source, indent(err.Error()))
		return exitSynth
	}
	app.Synth()
	return exitOK
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
