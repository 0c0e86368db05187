package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/internal/runtime/version"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("scan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	ignorePath := fs.String("ignore", "cmd/scan/ignore.yaml", "the accepted findings, each with its reason")
	repair := fs.String("repair-hcl", "", "escape the double quotes cdktf's HCL rendering leaves in one-line strings of the .tf files below this directory, then exit")
	showVersion := version.Flag(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if version.Print(stdout, "scan", showVersion) {
		return 0
	}
	if *repair != "" {
		changed, err := repairHCL(*repair)
		if err != nil {
			fmt.Fprintf(stderr, "scan: %v\n", err)
			return 2
		}
		for _, f := range changed {
			fmt.Fprintf(stdout, "scan: escaped the quotes cdktf's HCL rendering left in one-line strings of %s\n", f)
		}
		return 0
	}
	ignores, err := LoadIgnores(*ignorePath)
	if err != nil {
		fmt.Fprintf(stderr, "scan: %v\n", err)
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "scan: no reports given (<config>/<stack>=<report.json> ...)")
		return 2
	}
	var all []Finding
	passed := 0
	for _, arg := range fs.Args() {
		stack, path, ok := strings.Cut(arg, "=")
		if !ok {
			fmt.Fprintf(stderr, "scan: %q is not <config>/<stack>=<report.json>\n", arg)
			return 2
		}
		data, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintf(stderr, "scan: %v\n", err)
			return 2
		}
		findings, ok2, err := ParseReport(stack, data)
		if err != nil {
			fmt.Fprintf(stderr, "scan: %v\n", err)
			return 2
		}
		if ok2 == 0 && len(findings) == 0 {
			fmt.Fprintf(stderr, "scan: %s: Trivy ran no check; is the stack empty or the report truncated?\n", stack)
			return 2
		}
		all = append(all, findings...)
		passed += ok2
	}
	accepted, unexpected := Classify(all, ignores)
	for _, f := range accepted {
		fmt.Fprintf(stdout, "accepted   %s (see %s)\n", f, *ignorePath)
	}
	for _, f := range unexpected {
		fmt.Fprintf(stdout, "UNEXPECTED %s\n", f)
	}
	fmt.Fprintf(stdout, "scan: %d stacks; %d findings accepted with a reason in %s (counted as skipped); %d unexpected (counted as failed)\n",
		fs.NArg(), len(accepted), *ignorePath, len(unexpected))
	unused := Unused(all, ignores)
	for _, ig := range unused {
		fmt.Fprintf(stdout, "UNUSED     %s entry for %s accepts no finding of this scan: remove it, or find why the scan no longer sees %v\n",
			*ignorePath, ig.ID, ig.Resources)
	}
	fmt.Fprintf(stdout, "scan: %d passed, %d failed, %d skipped\n", passed, len(unexpected)+len(unused), len(accepted))
	if len(unexpected) > 0 || len(unused) > 0 {
		return 1
	}
	return 0
}
