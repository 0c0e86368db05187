package jsiicache

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// smallAssembly is a jsii assembly of @cdktf/provider-aws in the shape the
// stripper knows, with documentation at every level it occurs, and a
// property named "docs", which is data and must stay.
const smallAssembly = `{
  "schema": "jsii/0.10.0",
  "name": "@cdktf/provider-aws",
  "version": "1.0.0",
  "jsiiVersion": "5.4.0",
  "docs": {"stability": "stable"},
  "dependencies": {"cdktf": "^0.20.0"},
  "types": {
    "@cdktf/provider-aws.kmsKey.KmsKey": {
      "fqn": "@cdktf/provider-aws.kmsKey.KmsKey",
      "kind": "class",
      "docs": {"summary": "Represents a {@link https://registry.terraform.io aws_kms_key}."},
      "initializer": {"docs": {"summary": "Create a new."}, "parameters": [{"name": "scope", "docs": {"summary": "The scope."}, "type": {"fqn": "constructs.Construct"}}]},
      "properties": [{"name": "docs", "type": {"primitive": "string"}, "docs": {"summary": "a property called docs"}}]
    }
  },
  "fingerprint": "abc"
}`

func TestStripAssemblyDocs(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".jsii")
	require.NoError(t, os.WriteFile(path, []byte(smallAssembly), 0o644))
	require.NoError(t, StripAssemblyDocs(path, ProviderPackage))
	out, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.NotContains(t, string(out), `"docs":{`, "no documentation object is left")
	assert.NotContains(t, string(out), "\n", "written without indentation")

	// The same assembly, minus every "docs" object, key order kept.
	want := smallAssembly
	for _, d := range []string{
		`"docs": {"stability": "stable"},`,
		`"docs": {"summary": "Represents a {@link https://registry.terraform.io aws_kms_key}."},`,
		`"docs": {"summary": "Create a new."}, `,
		`"docs": {"summary": "The scope."}, `,
		`, "docs": {"summary": "a property called docs"}`,
	} {
		require.Contains(t, want, d)
		want = strings.Replace(want, d, "", 1)
	}
	var compact bytes.Buffer
	require.NoError(t, json.Compact(&compact, []byte(want)))
	assert.Equal(t, compact.String(), string(out))
	assert.Contains(t, string(out), `"properties":[{"name":"docs","type":{"primitive":"string"}}]`)

	require.NoError(t, StripAssemblyDocs(path, ProviderPackage), "idempotent")
	again, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, out, again)
}

func TestStripAssemblyDocsRefusesUnknownShapes(t *testing.T) {
	cases := map[string]string{
		"not JSON":           "{",
		"another schema":     strings.Replace(smallAssembly, "jsii/0.10.0", "jsii/0.11.0", 1),
		"another package":    strings.Replace(smallAssembly, `"name": "@cdktf/provider-aws"`, `"name": "cdktf"`, 1),
		"a file redirect":    `{"schema": "jsii/file-redirect", "compression": "gzip", "filename": ".jsii.gz"}`,
		"a dependency named": strings.Replace(smallAssembly, `{"cdktf": "^0.20.0"}`, `{"docs": {"x": 1}}`, 1),
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), ".jsii")
			require.NoError(t, os.WriteFile(path, []byte(src), 0o644))
			require.ErrorIs(t, StripAssemblyDocs(path, ProviderPackage), ErrUnrecognisedAssembly)
			after, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, src, string(after), "left untouched")
		})
	}
}
