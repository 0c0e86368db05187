package docs

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"testing"
)

// TestPackageCommentsLiveInDocGo: every package of the module, and
// examples/app, keeps its package comment in its doc.go, and in no other
// file (go doc shows one of them at random when two files have one).
func TestPackageCommentsLiveInDocGo(t *testing.T) {
	root := repoRoot(t)
	type listed struct {
		ImportPath, Dir                    string
		GoFiles, TestGoFiles, XTestGoFiles []string
	}
	var pkgs []listed
	for _, dir := range []string{root, filepath.Join(root, "examples", "app")} {
		pkgs = append(pkgs, decodeAll[listed](t, goList(t, dir, "-json", "./..."))...)
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	for _, p := range pkgs {
		hasDocGo := false
		for _, f := range append(append(append([]string(nil), p.GoFiles...), p.TestGoFiles...), p.XTestGoFiles...) {
			file, err := parser.ParseFile(token.NewFileSet(), filepath.Join(p.Dir, f), nil, parser.PackageClauseOnly|parser.ParseComments)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case f == "doc.go":
				hasDocGo = true
				if file.Doc == nil {
					t.Errorf("%s: doc.go has no package comment", p.ImportPath)
				}
			case file.Doc != nil:
				t.Errorf("%s: %s has a package comment: move it to doc.go", p.ImportPath, f)
			}
		}
		if !hasDocGo {
			t.Errorf("%s: no doc.go holding the package comment", p.ImportPath)
		}
	}
}
