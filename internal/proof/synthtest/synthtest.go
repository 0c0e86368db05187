package synthtest

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/internal/runtime/jsiicache"
)

// Main runs the tests of a package that uses jsii, on the project's primed
// jsii package cache when there is one (internal/runtime/jsiicache), as the app
// does: call it from TestMain, which runs before the first jsii call. The
// project is found by walking up from the package directory to go.mod.
func Main(m *testing.M) {
	if root, err := jsiicache.ProjectRoot("."); err == nil {
		fmt.Fprint(os.Stderr, jsiicache.Use(root, jsii.Close).Notice())
	}
	os.Exit(m.Run())
}

// Doc is one synthesized stack.
type Doc map[string]any

// Parse decodes a stack's JSON, failing the test on invalid JSON.
func Parse(t testing.TB, js string) Doc {
	t.Helper()
	var d Doc
	require.NoError(t, json.Unmarshal([]byte(js), &d), "synthesized output is not JSON:\n%s", js)
	return d
}

// Object returns m[key] as an object, or nil.
func Object(m map[string]any, key string) map[string]any {
	o, _ := m[key].(map[string]any)
	return o
}

// Resources returns the resources of one type by logical name.
func (d Doc) Resources(typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for name, body := range Object(Object(d, "resource"), typ) {
		out[name] = body.(map[string]any)
	}
	return out
}

// Count is the number of resources of typ.
func (d Doc) Count(typ string) int { return len(Object(Object(d, "resource"), typ)) }

// ResourceTypes lists the resource types present, sorted.
func (d Doc) ResourceTypes() []string {
	return slices.Sorted(maps.Keys(Object(d, "resource")))
}

// Only returns the single resource of typ, failing the test if there is not
// exactly one.
func (d Doc) Only(t testing.TB, typ string) (string, map[string]any) {
	t.Helper()
	rs := d.Resources(typ)
	require.Len(t, rs, 1, "want exactly one %s, have %v", typ, slices.Sorted(maps.Keys(rs)))
	for name, body := range rs {
		return name, body
	}
	return "", nil
}

// OnlyWhere returns the single resource of typ whose attribute attr equals
// value, failing the test if there is not exactly one: an assertion on it
// cannot pass by finding nothing.
func (d Doc) OnlyWhere(t testing.TB, typ, attr string, value any) (string, map[string]any) {
	t.Helper()
	var names []string
	var found map[string]any
	for name, body := range d.Resources(typ) {
		if body[attr] == value {
			names = append(names, name)
			found = body
		}
	}
	require.Len(t, names, 1, "want exactly one %s with %s = %v, have %v", typ, attr, value, names)
	return names[0], found
}

// Ref is the Terraform reference to an attribute of a resource.
func Ref(typ, name, attr string) string { return "${" + typ + "." + name + "." + attr + "}" }

// Providers returns the AWS provider blocks in order.
func (d Doc) Providers() []map[string]any {
	var out []map[string]any
	list, _ := Object(d, "provider")["aws"].([]any)
	for _, p := range list {
		out = append(out, p.(map[string]any))
	}
	return out
}

// Policy parses the "policy" attribute of a resource body.
func Policy(t testing.TB, body map[string]any) policy.Document {
	t.Helper()
	s, ok := body["policy"].(string)
	require.True(t, ok, "resource has no policy string: %v", body)
	doc, err := policy.Parse(s)
	require.NoError(t, err)
	return doc
}
