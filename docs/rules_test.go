package docs

import (
	"bufio"
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// rulesFile is the index of AWS facts, relative to the repository root.
const rulesFile = "docs/aws-rules.md"

// outsideNotebook matches a citation of the notebook that lives outside the
// repository: its name, or a path into the shared directory beside the
// repository (any two characters, then the directory, as git grep reads it).
// Both are assembled from pieces so that this file does not match itself.
var outsideNotebook = regexp.MustCompile(`\b` + "REFER" + "ENCE" + `\b|` + `..` + "/sha" + "red")

// citation matches a citation of the rules file with one anchor, or with a
// comma-separated list of anchors ("#a, #b"): with its docs/ prefix from the
// code and the root, as a relative link without it from the pages under docs/.
var citation = regexp.MustCompile(`(?:docs/)?aws-rules\.md((?:#[A-Za-z0-9_-]+)(?:,\s*#[A-Za-z0-9_-]+)*)`)

// localLink matches an in-page link [text](#anchor) inside aws-rules.md.
var localLink = regexp.MustCompile(`\]\(#([A-Za-z0-9_-]+)\)`)

// explicitID matches <a id="x"> or <a name="x">.
var explicitID = regexp.MustCompile(`<a\s+(?:id|name)="([^"]+)"`)

// atxHeading matches a Markdown heading line: one to six #, then a space or
// the end of the line ("#41279)" at the start of a line is text).
var atxHeading = regexp.MustCompile(`^#{1,6}(?:[ \t]|$)`)

// anchorToken picks the anchors out of a citation's anchor list.
var anchorToken = regexp.MustCompile(`#([A-Za-z0-9_-]+)`)

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root %s has no go.mod: %v", root, err)
	}
	return root
}

// skippedDirs are never part of the repository's tracked content; used only
// when git is not available.
var skippedDirs = map[string]bool{
	".git": true, "node_modules": true, ".tools": true, ".jsii-cache": true,
	"cdktf.out": true, "cdktf.out.scan": true, "cdktf.out.access": true,
	"cdktf.out.validate": true, ".terraform": true,
}

// trackedFiles lists the repository's files: git's tracked files and the
// files not yet added that git does not ignore (a change before `git add` is
// still part of the repository) when git can tell, otherwise every file
// outside the ignored directories.
func trackedFiles(t *testing.T, root string) []string {
	t.Helper()
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = root
	if out, err := cmd.Output(); err == nil {
		var files []string
		for _, f := range bytes.Split(out, []byte{0}) {
			if len(f) > 0 {
				files = append(files, filepath.FromSlash(string(f)))
			}
		}
		return dedupe(files)
	}
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if skippedDirs[d.Name()] {
				return filepath.SkipDir
			}
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		files = append(files, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func dedupe(files []string) []string {
	sort.Strings(files)
	out := files[:0]
	for i, f := range files {
		if i == 0 || f != files[i-1] {
			out = append(out, f)
		}
	}
	return out
}

// readText returns a file's content, or nil for a binary or missing file.
func readText(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // deleted in the working tree but still in the index
	}
	if err != nil {
		t.Fatal(err)
	}
	if bytes.IndexByte(b, 0) >= 0 {
		return nil
	}
	return b
}

// githubSlug is the anchor GitHub gives a Markdown heading: lowercased,
// every character but letters, digits, spaces, hyphens and underscores
// dropped, spaces turned into hyphens.
func githubSlug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// rulesAnchors returns every anchor of aws-rules.md (headings, numbered as
// GitHub numbers repeated headings, and explicit ids), and the facts: the
// level-3 headings, each with its body.
func rulesAnchors(t *testing.T, content []byte) (map[string]bool, map[string]string) {
	t.Helper()
	anchors := map[string]bool{}
	seen := map[string]int{}
	facts := map[string]string{}
	fact := ""
	inFence := false
	sc := bufio.NewScanner(bytes.NewReader(content))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "```") {
			inFence = !inFence
		}
		for _, m := range explicitID.FindAllStringSubmatch(line, -1) {
			anchors[m[1]] = true
		}
		if inFence || !atxHeading.MatchString(line) {
			if fact != "" {
				facts[fact] += line + "\n"
			}
			continue
		}
		level := len(line) - len(strings.TrimLeft(line, "#"))
		slug := githubSlug(strings.TrimLeft(line, "#"))
		if n := seen[slug]; n > 0 {
			seen[slug] = n + 1
			slug = slug + "-" + strconv.Itoa(n)
		} else {
			seen[slug] = 1
		}
		anchors[slug] = true
		fact = ""
		if level == 3 {
			fact = slug
			facts[fact] = ""
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return anchors, facts
}

// TestNoOutsideNotebook: the repository stands on its own; no tracked file
// cites the notebook kept outside it.
func TestNoOutsideNotebook(t *testing.T) {
	root := repoRoot(t)
	files := trackedFiles(t, root)
	if len(files) < 10 {
		t.Fatalf("found only %d files under %s", len(files), root)
	}
	for _, f := range files {
		if filepath.Base(f) == "go.sum" {
			continue
		}
		b := readText(t, filepath.Join(root, f))
		for i, line := range strings.Split(string(b), "\n") {
			if outsideNotebook.MatchString(line) {
				t.Errorf("%s:%d cites a document outside the repository; cite %s instead:\n\t%s", filepath.ToSlash(f), i+1, rulesFile, strings.TrimSpace(line))
			}
		}
	}
}

// TestCitedAnchorsExist: every anchor of the rules file cited in the
// repository, and every in-page link of the rules file, names a heading or an
// explicit id there.
func TestCitedAnchorsExist(t *testing.T) {
	root := repoRoot(t)
	content := readText(t, filepath.Join(root, filepath.FromSlash(rulesFile)))
	if content == nil {
		t.Fatalf("%s is missing", rulesFile)
	}
	anchors, _ := rulesAnchors(t, content)
	cited := 0
	citingFiles := map[string]bool{}
	for _, f := range trackedFiles(t, root) {
		b := readText(t, filepath.Join(root, f))
		for i, line := range strings.Split(string(b), "\n") {
			for _, m := range citation.FindAllStringSubmatch(line, -1) {
				for _, a := range anchorToken.FindAllStringSubmatch(m[1], -1) {
					cited++
					citingFiles[filepath.ToSlash(f)] = true
					if !anchors[a[1]] {
						t.Errorf("%s:%d cites %s#%s, which is no heading or id there", filepath.ToSlash(f), i+1, rulesFile, a[1])
					}
				}
			}
		}
	}
	for i, line := range strings.Split(string(content), "\n") {
		for _, m := range localLink.FindAllStringSubmatch(line, -1) {
			if !anchors[m[1]] {
				t.Errorf("%s:%d links to #%s, which is no heading or id there", rulesFile, i+1, m[1])
			}
		}
	}
	// The code cites the rules file from many places; finding none means the
	// scan itself is broken, not that everything is fine. The pages under
	// docs/ cite it as a relative link, the code with its docs/ prefix.
	for _, f := range []string{"docs/what-it-builds.md", "constructs/bucket.go", "constructs/policy/cloudtrail.go", "config/load.go", "stacks/stacks.go"} {
		if !citingFiles[f] {
			t.Errorf("%s cites no anchor of %s; the scan found citations in %d files", f, rulesFile, len(citingFiles))
		}
	}
	if cited < 30 {
		t.Errorf("found %d citations of %s, expected at least 30", cited, rulesFile)
	}
}

// TestEveryFactHasASource: each fact (a level-3 heading) names the page it
// comes from as a link.
func TestEveryFactHasASource(t *testing.T) {
	root := repoRoot(t)
	content := readText(t, filepath.Join(root, filepath.FromSlash(rulesFile)))
	_, facts := rulesAnchors(t, content)
	if len(facts) < 50 {
		t.Fatalf("found %d facts in %s, expected at least 50", len(facts), rulesFile)
	}
	for slug, body := range facts {
		if !strings.Contains(body, "<https://") {
			t.Errorf("%s#%s gives no source link (<https://...>)", rulesFile, slug)
		}
	}
}

func TestGithubSlug(t *testing.T) {
	for in, want := range map[string]string{
		" Key in the bucket's region":         "key-in-the-buckets-region",
		" force_destroy":                      "force_destroy",
		" Data events and advanced selectors": "data-events-and-advanced-selectors",
		" `aws:SourceArn` (UNCONFIRMED)":      "awssourcearn-unconfirmed",
		" FullAWSAccess":                      "fullawsaccess",
		" Access-log bucket":                  "access-log-bucket",
	} {
		if got := githubSlug(in); got != want {
			t.Errorf("githubSlug(%q) = %q, want %q", in, got, want)
		}
	}
}
