package docs

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/internal/runtime/version"
)

// makeTarget matches a documented Makefile target: "## name: what it does".
var makeTarget = regexp.MustCompile(`(?m)^## ([a-z][a-z-]*):`)

// helpMake matches "make <target>" in the help text.
var helpMake = regexp.MustCompile(`\bmake ([a-z][a-z-]*)`)

// helpPage matches a docs page named in the help text.
var helpPage = regexp.MustCompile(`\bdocs/[a-z0-9-]+\.md\b`)

// helpText runs ./help as a user would and returns what it printed.
func helpText(t *testing.T, root string) string {
	t.Helper()
	cmd := exec.Command("./help")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("./help: %v (is it executable?)", err)
	}
	return string(out)
}

// TestHelpMatchesTheMakefile: ./help (which make help prints) names every
// documented Makefile target, names no target the Makefile lacks, and points
// only at docs pages that exist.
func TestHelpMatchesTheMakefile(t *testing.T) {
	root := repoRoot(t)
	help := helpText(t, root)
	if strings.HasPrefix(help, "#!") || strings.Contains(help, "exec sed") {
		t.Fatalf("./help printed its own script:\n%s", help)
	}
	makefile, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	var targets []string
	for _, m := range makeTarget.FindAllStringSubmatch(string(makefile), -1) {
		targets = append(targets, m[1])
	}
	if len(targets) < 5 {
		t.Fatalf("found only %d documented targets in the Makefile: %v", len(targets), targets)
	}
	named := map[string]bool{}
	for _, m := range helpMake.FindAllStringSubmatch(help, -1) {
		named[m[1]] = true
		if !slices.Contains(targets, m[1]) {
			t.Errorf("./help names `make %s`, which the Makefile does not document (## %s: ...)", m[1], m[1])
		}
	}
	for _, target := range targets {
		if !named[target] {
			t.Errorf("the Makefile documents target %q, which ./help does not name", target)
		}
	}
	for _, page := range helpPage.FindAllString(help, -1) {
		if _, err := os.Stat(filepath.Join(root, page)); err != nil {
			t.Errorf("./help points at %s, which does not exist", page)
		}
	}
}

// TestChangelogHasTheVersion: the version the commands print has its own
// heading in CHANGELOG.md, so a user can read what it changed.
func TestChangelogHasTheVersion(t *testing.T) {
	root := repoRoot(t)
	changelog, err := os.ReadFile(filepath.Join(root, "CHANGELOG.md"))
	if err != nil {
		t.Fatal(err)
	}
	heading := regexp.MustCompile(`(?m)^## \[?` + regexp.QuoteMeta(version.Version) + `\]?( |$)`)
	if !heading.Match(changelog) {
		t.Errorf("CHANGELOG.md has no heading for version %s (\"## %s - <date>\")", version.Version, version.Version)
	}
}
