package jsiicache

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSanitizeLikeTheRuntime(t *testing.T) {
	// The runtime replaces each run of characters outside [@a-z0-9_./-]
	// (and backslash) with one underscore.
	for in, want := range map[string]string{
		"@cdktf/provider-aws": "@cdktf/provider-aws",
		"19.50.0":             "19.50.0",
		"Foo  Bar":            "_oo_ar",
		"1.0.0+build.7":       "1.0.0_build.7",
	} {
		assert.Equal(t, want, sanitize(in), in)
	}
}

func TestEntryPath(t *testing.T) {
	// sha256("tgz\x00pkg\x00version")
	assert.Equal(t, filepath.Join("@scope/pkg", "1.2.3", sha("tgz\x00@scope/pkg\x001.2.3")), EntryPath([]byte("tgz"), "@scope/pkg", "1.2.3"))
}

// fakeCache writes a primed cache for bindings v1.0.0 under a temporary
// project and returns the project and the entry directory.
func fakeCache(t *testing.T) (string, string) {
	t.Helper()
	project := t.TempDir()
	root := filepath.Join(project, Dir)
	entry := filepath.Join(root, "@cdktf", "provider-aws", "1.0.0", "abc")
	require.NoError(t, os.MkdirAll(filepath.Join(entry, "lib"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(entry, markerFile), nil, 0o644))
	index, _, err := RewriteIndex([]byte(small))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(entry, "lib", "index.js"), index, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(entry, ".jsii"), []byte(smallAssembly), 0o644))
	require.NoError(t, WriteStamp(root, Stamp{
		ModuleVersion: "v1.0.0", Package: ProviderPackage, Version: "1.0.0",
		Entry: "@cdktf/provider-aws/1.0.0/abc", IndexSHA256: sha(string(index)), AssemblySize: int64(len(smallAssembly)),
	}))
	return project, entry
}

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestCheck(t *testing.T) {
	project, _ := fakeCache(t)
	root := filepath.Join(project, Dir)
	s := Check(project, env(nil))
	assert.Equal(t, Fast, s.State, s.Reason)
	assert.Equal(t, root, s.Root)
	assert.Empty(t, s.Notice())

	s = Check(project, env(map[string]string{RootEnv: root}))
	assert.Equal(t, Fast, s.State, "our own root, set by an earlier Use, is ours: %s", s.Reason)

	for name, vars := range map[string]map[string]string{
		"switched off":             {SwitchEnv: "0"},
		"the user's own root":      {RootEnv: "/elsewhere"},
		"the runtime cache is off": {cacheEnv: "disabled"},
	} {
		s := Check(project, env(vars))
		assert.Equal(t, Off, s.State, name)
		assert.Empty(t, s.Notice(), name)
	}
	s = Check(project, env(map[string]string{cacheEnv: "Enabled"}))
	assert.Equal(t, Fast, s.State)

	s = Check(project, env(map[string]string{SwitchEnv: "yes"}))
	assert.Equal(t, Fast, s.State)
	assert.Equal(t, `cloudtrail-mrk: CLOUDTRAIL_MRK_FAST_SYNTH must be 0 (off) or 1 (on), got "yes": the fast path stays on`+"\n", s.Notice())

	s = Check(t.TempDir(), env(nil))
	assert.Equal(t, Missing, s.State)
	assert.Contains(t, s.Notice(), "synthesizing without the fast path (no primed jsii package cache at ")
	assert.Contains(t, s.Notice(), "run `make setup`")
	assert.Contains(t, s.Notice(), "CLOUDTRAIL_MRK_FAST_SYNTH=0")
}

func TestCheckStale(t *testing.T) {
	cases := map[string]func(t *testing.T, project, entry string){
		"marker gone (pruned by the runtime)": func(t *testing.T, _, entry string) {
			require.NoError(t, os.Remove(filepath.Join(entry, markerFile)))
		},
		"entry gone": func(t *testing.T, _, entry string) {
			require.NoError(t, os.RemoveAll(entry))
		},
		"index.js extracted again by the runtime": func(t *testing.T, _, entry string) {
			require.NoError(t, os.WriteFile(filepath.Join(entry, "lib", "index.js"), []byte(small), 0o644))
		},
		".jsii extracted again by the runtime": func(t *testing.T, _, entry string) {
			require.NoError(t, os.WriteFile(filepath.Join(entry, ".jsii"), []byte(smallAssembly+"\n"), 0o644))
		},
		"unreadable stamp": func(t *testing.T, project, _ string) {
			require.NoError(t, os.WriteFile(filepath.Join(project, Dir, StampFile), []byte("{"), 0o644))
		},
	}
	for name, spoil := range cases {
		t.Run(name, func(t *testing.T) {
			project, entry := fakeCache(t)
			spoil(t, project, entry)
			s := Check(project, env(nil))
			assert.Equal(t, Stale, s.State)
			assert.Contains(t, s.Notice(), "run `make setup`")
		})
	}
	t.Run("other bindings version", func(t *testing.T) {
		project, _ := fakeCache(t)
		root := filepath.Join(project, Dir)
		st, err := ReadStamp(root)
		require.NoError(t, err)
		assert.Empty(t, verify(root, st, "v1.0.0"))
		assert.Equal(t, "the cache was primed for "+ProviderModule+" v1.0.0, this build uses v1.1.0", verify(root, st, "v1.1.0"))
	})
}

func TestUseSetsTheRootAndRestarts(t *testing.T) {
	project, _ := fakeCache(t)
	t.Setenv(RootEnv, "")
	t.Setenv(SwitchEnv, "")
	t.Setenv(cacheEnv, "")
	restarts := 0
	s := Use(project, func() { restarts++ })
	require.Equal(t, Fast, s.State, s.Reason)
	assert.Equal(t, s.Root, os.Getenv(RootEnv))
	assert.Equal(t, 1, restarts)
	s = Use(project, func() { restarts++ })
	assert.Equal(t, Fast, s.State)
	assert.Equal(t, 1, restarts, "nothing to restart once the variable is set")

	t.Setenv(RootEnv, "")
	t.Setenv(SwitchEnv, "0")
	s = Use(project, func() { restarts++ })
	assert.Equal(t, Off, s.State)
	assert.Empty(t, os.Getenv(RootEnv))
	assert.Equal(t, 1, restarts)
}

func TestUsePutsTheProjectNodeFirst(t *testing.T) {
	project := t.TempDir()
	t.Setenv(SwitchEnv, "0")
	t.Setenv("PATH", "/usr/bin")
	restarts := 0
	Use(project, func() { restarts++ })
	assert.Equal(t, "/usr/bin", os.Getenv("PATH"), "no project Node.js: PATH as it was")
	assert.Equal(t, 0, restarts)

	dir := filepath.Join(project, NodeDir)
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "node"), []byte("#!/bin/sh\n"), 0o755))
	Use(project, func() { restarts++ })
	assert.Equal(t, dir+string(os.PathListSeparator)+"/usr/bin", os.Getenv("PATH"))
	assert.Equal(t, 1, restarts, "the prepared runtime process must be discarded")
	Use(project, func() { restarts++ })
	assert.Equal(t, dir+string(os.PathListSeparator)+"/usr/bin", os.Getenv("PATH"), "not added twice")
	assert.Equal(t, 1, restarts)
}

func TestProjectRoot(t *testing.T) {
	root, err := ProjectRoot(".")
	require.NoError(t, err)
	_, err = os.Stat(filepath.Join(root, "go.mod"))
	assert.NoError(t, err)
	_, err = os.Stat(filepath.Join(root, "internal", "runtime", "jsiicache"))
	assert.NoError(t, err)
}

func TestRewriteEntry(t *testing.T) {
	project := t.TempDir()
	root := filepath.Join(project, Dir)
	tarball := filepath.Join(t.TempDir(), "p.tgz")
	require.NoError(t, os.WriteFile(tarball, []byte("not really a tarball"), 0o644))
	b := Bindings{Module: ProviderModule, ModuleVersion: "v1.0.0", Tarball: tarball, Name: ProviderPackage, Version: "1.0.0"}
	entry := filepath.Join(root, EntryPath([]byte("not really a tarball"), b.Name, b.Version))
	index := filepath.Join(entry, "lib", "index.js")
	require.NoError(t, os.MkdirAll(filepath.Dir(index), 0o755))
	require.NoError(t, os.WriteFile(index, []byte(small), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(entry, ".jsii"), []byte(smallAssembly), 0o644))
	check := func() Status { return Check(project, env(nil)) }

	_, err := RewriteEntry(root, b)
	require.ErrorContains(t, err, "has not completed", "an entry the runtime has not marked complete is not touched")
	require.NoError(t, os.WriteFile(filepath.Join(entry, markerFile), nil, 0o644))

	n, err := RewriteEntry(root, b)
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	first, err := os.ReadFile(index)
	require.NoError(t, err)
	assert.True(t, IsRewritten(first))
	assert.Equal(t, Fast, check().State, check().Reason)
	assembly, err := os.ReadFile(filepath.Join(entry, ".jsii"))
	require.NoError(t, err)
	assert.NotContains(t, string(assembly), `"docs":{`)

	n, err = RewriteEntry(root, b)
	require.NoError(t, err, "idempotent")
	assert.Equal(t, 3, n)
	second, err := os.ReadFile(index)
	require.NoError(t, err)
	assert.Equal(t, first, second)
	assert.Equal(t, Fast, check().State)

	require.NoError(t, os.WriteFile(index, []byte("module.exports = {};\n"), 0o644))
	_, err = RewriteEntry(root, b)
	require.ErrorIs(t, err, ErrUnrecognised)
	after, err := os.ReadFile(index)
	require.NoError(t, err)
	assert.Equal(t, "module.exports = {};\n", string(after), "a refused file is left as it was")
	assert.Equal(t, Missing, check().State, "no stamp after a refusal: the app takes the normal path")
}

// TestImportablePackagesDoNotUseTheFastPath: the packages other apps import
// (constructs, their policies and rules, stacks, config) never reach this
// package, so they leave an importing app's jsii runtime as it is.
func TestImportablePackagesDoNotUseTheFastPath(t *testing.T) {
	root, err := ProjectRoot(".")
	require.NoError(t, err)
	cmd := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", "./constructs/...", "./stacks/...", "./config/...")
	cmd.Dir = root
	out, err := cmd.Output()
	require.NoError(t, err)
	deps := strings.Fields(string(out))
	require.Contains(t, deps, "github.com/cloudtrail-mrk/cloudtrail-mrk/constructs", "go list saw the constructs")
	assert.NotContains(t, deps, "github.com/cloudtrail-mrk/cloudtrail-mrk/internal/runtime/jsiicache")
}
