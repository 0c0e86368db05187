// The packages of this module are layered; a package imports only packages
// of the layers below its own, never one beside or above it. From the bottom:
//
//  1. AWS rules and runtime support, which import nothing of this module:
//     constructs/rules (AWS limits and validators), internal/runtime/jsiicache (the
//     jsii fast path), internal/runtime/version (the release), docs.
//  2. Documents: constructs/policy (IAM policy documents) and
//     constructs/alarms (metric filters and alarms), plain Go.
//  3. The constructs and, beside them, the evaluators, which know nothing of
//     each other: constructs (the jsii constructs), policyeval (AWS's policy
//     and event-selector decisions), internal/proof/filterpattern (CloudWatch Logs
//     filter patterns), internal/proof/synthtest (reading synthesized JSON in
//     tests), verify (the digest-chain verifier, plain Go).
//  4. Configuration: config (loading, defaults, validation) and
//     internal/proof/genconfig (generated configurations); beside them the
//     verifier's S3 store (verify/s3store) and fixture generator
//     (verify/fixture).
//  5. Stacks: stacks (per-account composition, providers, backends).
//  6. Checks: access (the configuration's expectations, judged by
//     policyeval) and internal/proof/tfcheck (terraform validate and plan).
//  7. Commands: every package main (the app at the root, cmd/..., and the
//     other mains).
//
// TestLayers holds every package to that order with `go list`, and holds the
// evaluator, the constructs and examples/app (their tests included) to
// linking none of config, stacks or the checks: those are the packages
// another CDKTF app reuses.

package docs

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// module is this repository's module path.
const module = "github.com/cloudtrail-mrk/cloudtrail-mrk"

// layers lists the packages of each layer, bottom first, by path inside the
// module; package main is the top layer wherever it lives.
var layers = [][]string{
	{"constructs/rules", "internal/runtime/jsiicache", "internal/runtime/version", "docs"},
	{"constructs/policy", "constructs/alarms"},
	{"constructs", "policyeval", "internal/proof/filterpattern", "internal/proof/synthtest", "verify"},
	{"config", "internal/proof/genconfig", "verify/s3store", "verify/fixture"},
	{"stacks"},
	{"access", "internal/proof/tfcheck"},
}

// reusable are the packages another app links, and what they must not link,
// tests included.
var (
	reusable  = []string{"policyeval", "constructs", "constructs/policy", "constructs/alarms", "constructs/rules"}
	forbidden = []string{"config", "stacks", "access"}
)

// goPackage is what `go list -json` says of a package.
type goPackage struct {
	ImportPath string
	Name       string
	Imports    []string
}

// goList runs `go list` with args in dir and returns its standard output.
func goList(t *testing.T, dir string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list"}, args...)...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s in %s: %v\n%s", strings.Join(args, " "), dir, err, stderr.String())
	}
	return out
}

// rel is path inside the module ("" for the root), and whether it is ours.
func rel(path string) (string, bool) {
	if path == module {
		return "", true
	}
	return strings.CutPrefix(path, module+"/")
}

func TestLayers(t *testing.T) {
	root := repoRoot(t)
	layerOf := map[string]int{}
	for i, l := range layers {
		for _, p := range l {
			layerOf[p] = i
		}
	}
	commands := len(layers)

	pkgs := decodeAll[goPackage](t, goList(t, root, "-json", "./..."))
	if len(pkgs) < 10 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	level := func(p goPackage) (int, bool) {
		if p.Name == "main" {
			return commands, true
		}
		r, _ := rel(p.ImportPath)
		l, ok := layerOf[r]
		return l, ok
	}
	byPath := map[string]goPackage{}
	seen := map[string]bool{}
	for _, p := range pkgs {
		byPath[p.ImportPath] = p
		r, _ := rel(p.ImportPath)
		seen[r] = true
		if _, ok := level(p); !ok {
			t.Errorf("package %s has no layer: add it to layers in docs/layers_test.go", p.ImportPath)
		}
	}
	for p := range layerOf {
		if !seen[p] {
			t.Errorf("layers names %q, which go list does not find: remove it or fix its path", p)
		}
	}
	for _, p := range pkgs {
		from, ok := level(p)
		if !ok {
			continue
		}
		for _, imp := range p.Imports {
			if _, ours := rel(imp); !ours {
				continue
			}
			q, ok := byPath[imp]
			if !ok {
				continue
			}
			if to, ok := level(q); ok && to >= from {
				t.Errorf("%s (layer %d) imports %s (layer %d): a package imports only the layers below its own", p.ImportPath, from+1, imp, to+1)
			}
		}
	}

	// The reusable packages and examples/app, tests included, link none of
	// the configuration, the stacks or the checks.
	check := func(dir, what string, args ...string) {
		t.Helper()
		for _, dep := range strings.Fields(string(goList(t, dir, append([]string{"-deps", "-test"}, args...)...))) {
			if r, ours := rel(dep); ours && slices.Contains(forbidden, r) {
				t.Errorf("%s links %s", what, dep)
			}
		}
	}
	for _, p := range reusable {
		check(root, p+" (with its tests)", "./"+p)
	}
	check(filepath.Join(root, "examples", "app"), "examples/app (with its tests)", "./...")
}

// decodeAll decodes every JSON value of a stream (what `go list -json`
// prints).
func decodeAll[T any](t *testing.T, data []byte) []T {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	var out []T
	for {
		var v T
		if err := dec.Decode(&v); errors.Is(err, io.EOF) {
			return out
		} else if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
}
