package docs

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"testing"
)

// constructorCalls lists, in source order, the calls of package constructs'
// exported functions (ctmrk.NewX, ctmrk.KeyFromArns, ...) and grant methods
// in the function named fn of the Go file at path, and the file's imports.
func constructorCalls(t *testing.T, path, fn string) (calls, imports []string) {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range f.Imports {
		imports = append(imports, imp.Path.Value[1:len(imp.Path.Value)-1])
	}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Name.Name != fn {
			continue
		}
		ast.Inspect(fd, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == "ctmrk" && sel.Sel.Name[:3] == "New" {
				calls = append(calls, sel.Sel.Name)
			}
			if sel.Sel.Name == "GrantRead" || sel.Sel.Name == "GrantDecrypt" {
				calls = append(calls, sel.Sel.Name)
			}
			return true
		})
	}
	return calls, imports
}

// TestExamplesInStep keeps the library's runnable Example (what go doc
// shows) and examples/app in step: the same constructors and grants in the
// same order, and neither builds a policy (no import of constructs/policy).
func TestExamplesInStep(t *testing.T) {
	app, appImports := constructorCalls(t, filepath.Join("..", "examples", "app", "main.go"), "NewAuditStack")
	example, exampleImports := constructorCalls(t, filepath.Join("..", "constructs", "example_test.go"), "Example")
	want := []string{"NewMultiRegionKey", "NewTrailBucket", "NewTrail", "GrantRead"}
	if !slices.Equal(app, want) {
		t.Errorf("examples/app calls %v, want %v", app, want)
	}
	// The Example also shows a refused bucket after the trail.
	if len(example) < 3 || !slices.Equal(example[:3], want[:3]) {
		t.Errorf("constructs.Example calls %v, want %v first, as examples/app", example, want[:3])
	}
	for name, imports := range map[string][]string{"examples/app": appImports, "constructs/example_test.go": exampleImports} {
		if slices.Contains(imports, module+"/constructs/policy") {
			t.Errorf("%s imports constructs/policy: the example builds no policy", name)
		}
	}
}
