package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/access"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/config"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/internal/runtime/version"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check-access", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "cdktf.out", "the cdktf output directory holding the synthesized stacks")
	verbose := fs.Bool("v", false, "print every expectation, not only failures")
	showVersion := version.Flag(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if version.Print(stdout, "check-access", showVersion) {
		return 0
	}
	cfg, source, err := config.FromEnv()
	if err != nil {
		fmt.Fprintf(stderr, "check-access: %v\n", err)
		return 2
	}
	stacks, err := access.ReadStacks(*out)
	if err != nil {
		fmt.Fprintf(stderr, "check-access: %v\n", err)
		return 2
	}
	results, err := access.Check(cfg, stacks)
	if err != nil {
		fmt.Fprintf(stderr, "check-access: %s: %v\n", source, err)
		return 2
	}
	failed := 0
	for _, r := range results {
		if !r.OK() {
			failed++
		}
		if *verbose || !r.OK() {
			fmt.Fprintln(stdout, r)
		}
	}
	fmt.Fprintf(stdout, "check-access: %s, %d stacks: %d passed, %d failed\n", source, len(stacks), len(results)-failed, failed)
	if failed > 0 {
		return 1
	}
	return 0
}
