package docs

import (
	"bufio"
	"bytes"
	"net/url"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// inlineLink matches the target of an inline Markdown link or image,
// "](target)" or "](target "title")"; the link text may start on an earlier
// line, the target never spans lines.
var inlineLink = regexp.MustCompile(`\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)`)

// linkDefinition matches a reference-style link definition, "[label]: target".
var linkDefinition = regexp.MustCompile(`^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?`)

// htmlHref matches the target of an HTML anchor, <a href="target">.
var htmlHref = regexp.MustCompile(`<a\s[^>]*href="([^"]+)"`)

// codeSpan matches an inline code span on one line; links inside one are
// text, not links.
var codeSpan = regexp.MustCompile("`[^`]*`")

// urlScheme matches a target with a scheme (https:, mailto:, ...), which is
// not a file of the repository.
var urlScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)

// lineAnchor is GitHub's anchor for a line or range of lines of any file.
var lineAnchor = regexp.MustCompile(`^L[0-9]+(-L[0-9]+)?$`)

// mdLink is one relative link found in a Markdown file.
type mdLink struct {
	file   string // the file holding the link, relative to the root, slashes
	line   int
	target string // as written
}

// markdownLinks returns the relative links of a Markdown file: every inline
// link, image, reference definition and <a href>, outside fenced code blocks
// and code spans, without http(s), mailto or any other URL with a scheme.
func markdownLinks(file string, content []byte) []mdLink {
	var links []mdLink
	inFence := false
	sc := bufio.NewScanner(bytes.NewReader(content))
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimLeft(line, " ")
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			inFence = !inFence
			continue
		}
		if inFence {
			continue
		}
		line = codeSpan.ReplaceAllString(line, "")
		var targets []string
		for _, m := range inlineLink.FindAllStringSubmatch(line, -1) {
			targets = append(targets, m[1])
		}
		for _, m := range htmlHref.FindAllStringSubmatch(line, -1) {
			targets = append(targets, m[1])
		}
		if m := linkDefinition.FindStringSubmatch(line); m != nil {
			targets = append(targets, m[1])
		}
		for _, t := range targets {
			if urlScheme.MatchString(t) || strings.HasPrefix(t, "//") {
				continue
			}
			links = append(links, mdLink{file: file, line: n, target: t})
		}
	}
	return links
}

// resolve splits a link into the repository path it names (relative to the
// root, slashes; the linking file itself for "#anchor") and its anchor.
func (l mdLink) resolve() (target, anchor string, err error) {
	p, frag, _ := strings.Cut(l.target, "#")
	if p, err = url.PathUnescape(p); err != nil {
		return "", "", err
	}
	if frag, err = url.PathUnescape(frag); err != nil {
		return "", "", err
	}
	switch {
	case p == "":
		target = l.file
	case strings.HasPrefix(p, "/"):
		target = path.Clean(strings.TrimPrefix(p, "/"))
	default:
		target = path.Join(path.Dir(l.file), p)
	}
	return target, frag, nil
}

// markdownPages are the pages whose links are checked: README.md, CHANGELOG.md
// when there is one, and every Markdown file under docs/.
func markdownPages(files []string) []string {
	var pages []string
	for _, f := range files {
		f = filepath.ToSlash(f)
		if f == "README.md" || f == "CHANGELOG.md" || (strings.HasPrefix(f, "docs/") && strings.HasSuffix(f, ".md")) {
			pages = append(pages, f)
		}
	}
	sort.Strings(pages)
	return pages
}

// repoIndex knows the repository's files and directories, and the anchors of
// its Markdown files.
type repoIndex struct {
	t       *testing.T
	root    string
	files   map[string]bool
	dirs    map[string]bool
	anchors map[string]map[string]bool
}

func newRepoIndex(t *testing.T, root string, files []string) *repoIndex {
	idx := &repoIndex{t: t, root: root, files: map[string]bool{}, dirs: map[string]bool{".": true}, anchors: map[string]map[string]bool{}}
	for _, f := range files {
		f = filepath.ToSlash(f)
		idx.files[f] = true
		for d := path.Dir(f); d != "."; d = path.Dir(d) {
			idx.dirs[d] = true
		}
	}
	return idx
}

// anchorsOf returns the anchors of a Markdown file: its headings as GitHub
// writes them (repeated headings numbered) and its explicit ids.
func (idx *repoIndex) anchorsOf(file string) map[string]bool {
	if a, ok := idx.anchors[file]; ok {
		return a
	}
	a, _ := rulesAnchors(idx.t, readText(idx.t, filepath.Join(idx.root, filepath.FromSlash(file))))
	idx.anchors[file] = a
	return a
}

// check returns what is wrong with a link, or "".
func (idx *repoIndex) check(l mdLink) string {
	target, anchor, err := l.resolve()
	if err != nil {
		return err.Error()
	}
	if strings.HasPrefix(target, "../") || target == ".." {
		return "points outside the repository"
	}
	if !idx.files[target] {
		if idx.dirs[target] {
			if anchor != "" {
				return "names an anchor in a directory"
			}
			return ""
		}
		return target + " is no file or directory of the repository"
	}
	if anchor == "" {
		return ""
	}
	if !strings.HasSuffix(target, ".md") {
		if lineAnchor.MatchString(anchor) {
			return ""
		}
		return "names an anchor in " + target + ", which is not Markdown"
	}
	if !idx.anchorsOf(target)[anchor] {
		return "#" + anchor + " is no heading or <a id> in " + target
	}
	return ""
}

// TestMarkdownLinks: every relative link of README.md, CHANGELOG.md and the
// pages under docs/ names a file or directory of the repository and, when it
// has an anchor, a heading or explicit id of the Markdown file it names.
func TestMarkdownLinks(t *testing.T) {
	root := repoRoot(t)
	files := trackedFiles(t, root)
	idx := newRepoIndex(t, root, files)
	pages := markdownPages(files)
	if !idx.files["README.md"] || len(pages) < 2 {
		t.Fatalf("found pages %v; expected README.md and the pages under docs/", pages)
	}
	checked := 0
	for _, p := range pages {
		for _, l := range markdownLinks(p, readText(t, filepath.Join(root, filepath.FromSlash(p)))) {
			checked++
			if msg := idx.check(l); msg != "" {
				t.Errorf("%s:%d: link (%s): %s", l.file, l.line, l.target, msg)
			}
		}
	}
	// The README and the pages have over a hundred relative links; finding
	// few means the scan is broken, not that every link is fine.
	if checked < 100 {
		t.Errorf("found only %d relative links in %v, expected at least 30", checked, pages)
	}
}

// TestDocsReachableFromReadme: every page under docs/ can be reached from
// README.md by following links, through other pages if need be.
func TestDocsReachableFromReadme(t *testing.T) {
	root := repoRoot(t)
	files := trackedFiles(t, root)
	idx := newRepoIndex(t, root, files)
	seen := map[string]bool{"README.md": true}
	queue := []string{"README.md"}
	for len(queue) > 0 {
		page := queue[0]
		queue = queue[1:]
		for _, l := range markdownLinks(page, readText(t, filepath.Join(root, filepath.FromSlash(page)))) {
			target, _, err := l.resolve()
			if err != nil || !idx.files[target] || !strings.HasSuffix(target, ".md") || seen[target] {
				continue
			}
			seen[target] = true
			queue = append(queue, target)
		}
	}
	for _, p := range markdownPages(files) {
		if strings.HasPrefix(p, "docs/") && !seen[p] {
			t.Errorf("%s: no chain of links leads to it from README.md; link it from README.md or from a page that is reached", p)
		}
	}
}

func TestMarkdownLinksParsing(t *testing.T) {
	page := strings.Join([]string{
		"See [a](docs/a.md#x) and ![img](img.png \"title\"), [web](https://example.com/#x),",
		"[mail](mailto:someone@example.com), `[code](not/a/link.md)` and [b](#local).",
		"```sh",
		"echo [c](inside/fence.md)",
		"```",
		"[def]: docs/def.md",
		`<a href="docs/html.md#h">html</a> [text split`,
		"over lines](split.md)",
	}, "\n")
	var got []string
	for _, l := range markdownLinks("docs/page.md", []byte(page)) {
		target, anchor, err := l.resolve()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, l.target+" -> "+target+"#"+anchor)
	}
	want := []string{
		"docs/a.md#x -> docs/docs/a.md#x",
		"img.png -> docs/img.png#",
		"#local -> docs/page.md#local",
		"docs/def.md -> docs/docs/def.md#",
		"docs/html.md#h -> docs/docs/html.md#h",
		"split.md -> docs/split.md#",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("links found:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestRepeatedHeadingsAreNumbered(t *testing.T) {
	content := "# Cost\n\n## Cost\n\n```sh\n# Cost\n```\n\n### Cost\n#41279) is no heading\n<a id=\"custom\"></a>\n"
	anchors, _ := rulesAnchors(t, []byte(content))
	for _, want := range []string{"cost", "cost-1", "cost-2", "custom"} {
		if !anchors[want] {
			t.Errorf("anchor %q missing from %v", want, anchors)
		}
	}
	for _, not := range []string{"cost-3", "41279-is-no-heading"} {
		if anchors[not] {
			t.Errorf("anchor %q should not exist: %v", not, anchors)
		}
	}
}
