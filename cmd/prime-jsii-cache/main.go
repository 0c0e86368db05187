package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	awsjsii "github.com/cdktf/cdktf-provider-aws-go/aws/v19/jsii"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/internal/runtime/jsiicache"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/internal/runtime/version"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("prime-jsii-cache", flag.ContinueOnError)
	fs.SetOutput(stderr)
	rootFlag := fs.String("root", jsiicache.Dir, "the cache root to prime (tests prime one of their own)")
	showVersion := version.Flag(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if version.Print(stdout, "prime-jsii-cache", showVersion) {
		return 0
	}
	root, err := filepath.Abs(*rootFlag)
	if err != nil {
		fmt.Fprintf(stderr, "prime-jsii-cache: %v\n", err)
		return 1
	}
	b, err := jsiicache.FindBindings(".", jsiicache.ProviderModule)
	if err != nil {
		fmt.Fprintf(stderr, "prime-jsii-cache: %v\n", err)
		return 1
	}
	dir, complete, err := jsiicache.Entry(root, b)
	if err != nil {
		fmt.Fprintf(stderr, "prime-jsii-cache: %v\n", err)
		return 1
	}
	if !complete {
		// Let the runtime itself extract the bindings (and the libraries
		// they depend on) into the cache, exactly as it would at synthesis.
		if err := os.MkdirAll(root, 0o755); err != nil {
			fmt.Fprintf(stderr, "prime-jsii-cache: %v\n", err)
			return 1
		}
		os.Setenv(jsiicache.RootEnv, root)
		os.Unsetenv("JSII_RUNTIME_PACKAGE_CACHE")
		if err := load(); err != nil {
			fmt.Fprintf(stderr, "prime-jsii-cache: the jsii runtime could not load %s: %v\n", b.Name, err)
			return 1
		}
	}
	n, err := jsiicache.RewriteEntry(root, b)
	if err != nil {
		fmt.Fprintf(stderr, "prime-jsii-cache: not rewriting %s %s, synthesis will work but load all of it (slower): %v\n", b.Name, b.Version, err)
		return 0
	}
	rel, _ := filepath.Rel(root, dir)
	fmt.Fprintf(stdout, "jsii package cache ready: %s/%s, %s %s with %d lazy exports\n", *rootFlag, filepath.ToSlash(rel), b.Name, b.Version, n)
	return 0
}

// load starts the jsii runtime, loads the bindings and stops it.
func load() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	defer jsiicache.Close()
	awsjsii.Initialize()
	return nil
}
