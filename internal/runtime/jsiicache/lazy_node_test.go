package jsiicache

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// compareScript requires the rewritten index.js, notes how many of the
// package's modules that loaded, then the original, and compares the two
// module objects export by export.
const compareScript = `
const path = require("path");
const lib = process.argv[2];
const loaded = () => Object.keys(require.cache).filter((p) => p.startsWith(lib + path.sep)).length;
const lazy = require(path.join(lib, "index.js"));
const loadedByLazy = loaded();
const lazyKeys = Object.keys(lazy);
const orig = require(path.join(lib, "index.original.js"));
const loadedByOriginal = loaded();
const origKeys = Object.keys(orig);
const different = origKeys.filter((k) => orig[k] === undefined || lazy[k] !== orig[k]);
const notEnumerable = origKeys.filter((k) => !Object.getOwnPropertyDescriptor(lazy, k).enumerable);
console.log(JSON.stringify({
  loadedByLazy, loadedByOriginal, lazyKeys, origKeys, different, notEnumerable,
  esModule: lazy.__esModule === true && orig.__esModule === true,
  kmsKey: typeof lazy.kmsKey.KmsKey,
}));
`

// TestLazyIndexExportsTheSameObjects loads the provider's original
// lib/index.js and its rewrite side by side in Node.js: the same export
// names in the same order, each getter resolving to the very object the
// original exports, and nothing of the package loaded by the rewrite until
// an export is read.
func TestLazyIndexExportsTheSameObjects(t *testing.T) {
	node, err := exec.LookPath("node")
	require.NoError(t, err, "this test runs Node.js, as the jsii tests do")
	nm := filepath.Join(t.TempDir(), "node_modules")
	noAssembly := func(name string) bool { return name == ".jsii" || name == ".jsii.gz" }
	var provider Bindings
	for _, module := range []string{ProviderModule, "github.com/hashicorp/terraform-cdk-go/cdktf", "github.com/aws/constructs-go/constructs/v10"} {
		b, err := FindBindings(".", module)
		require.NoError(t, err)
		require.NoError(t, Extract(b.Tarball, filepath.Join(nm, filepath.FromSlash(b.Name)), noAssembly))
		if module == ProviderModule {
			provider = b
		}
	}
	lib := filepath.Join(nm, filepath.FromSlash(provider.Name), "lib")
	original, err := os.ReadFile(filepath.Join(lib, "index.js"))
	require.NoError(t, err)
	lazy, changed, err := RewriteIndex(original)
	require.NoError(t, err)
	require.True(t, changed)
	require.NoError(t, os.WriteFile(filepath.Join(lib, "index.original.js"), original, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(lib, "index.js"), lazy, 0o644))
	script := filepath.Join(t.TempDir(), "compare.js")
	require.NoError(t, os.WriteFile(script, []byte(compareScript), 0o644))

	out, err := exec.Command(node, script, lib).Output()
	require.NoError(t, err, "%s", out)
	var r struct {
		LoadedByLazy, LoadedByOriginal int
		LazyKeys, OrigKeys             []string
		Different, NotEnumerable       []string
		ESModule                       bool
		KmsKey                         string
	}
	require.NoError(t, json.Unmarshal(out, &r), "%s", out)
	names, err := Exports(original)
	require.NoError(t, err)
	assert.Equal(t, 1, r.LoadedByLazy, "the rewritten index.js loads none of the package's modules by itself")
	assert.GreaterOrEqual(t, r.LoadedByOriginal, len(names)+2, "the original loads every export's module (the two index files are loaded too)")
	assert.Len(t, r.OrigKeys, len(names))
	assert.Equal(t, r.OrigKeys, r.LazyKeys, "same export names, same order")
	assert.Empty(t, r.Different, "exports whose getter does not resolve to the original's object")
	assert.Empty(t, r.NotEnumerable)
	assert.True(t, r.ESModule)
	assert.Equal(t, "function", r.KmsKey)
}
