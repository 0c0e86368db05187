package main

import (
	"bytes"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/config"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/internal/runtime/jsiicache"
)

// TestFastPathSynthesizesTheSameBytes runs the app binary twice for the
// default configuration and every example: on the fast path (the primed
// jsii package cache with lazy provider exports) and on the normal path
// (CLOUDTRAIL_MRK_FAST_SYNTH=0: the jsii runtime extracts the bindings as
// shipped into its default cache, as without this project's cache). Every
// file written must be byte-identical. A probe preloaded into the jsii
// runtime's Node.js counts the provider modules each run loaded, so the
// test also proves that each run took the path it claims.
func TestFastPathSynthesizesTheSameBytes(t *testing.T) {
	dir := t.TempDir()
	app := filepath.Join(dir, "cloudtrail-mrk")
	build := exec.Command("go", "build", "-o", app, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)
	probe, err := filepath.Abs(filepath.Join("testdata", "fastpath", "probe.js"))
	require.NoError(t, err)

	var base []string
	for _, kv := range os.Environ() {
		switch strings.SplitN(kv, "=", 2)[0] {
		case jsiicache.RootEnv, jsiicache.SwitchEnv, "JSII_RUNTIME_PACKAGE_CACHE", "NODE_OPTIONS", config.EnvVar, config.WarningsAsErrorsEnvVar, "CDKTF_OUTDIR":
			continue
		}
		base = append(base, kv)
	}
	fast := base
	if s := jsiicache.Check(".", func(string) string { return "" }); s.State != jsiicache.Fast {
		// No usable cache in the project (make setup not run, or the cache
		// deleted): prime one for this test.
		root := filepath.Join(dir, "jsii-cache")
		prime := exec.Command("go", "run", "./cmd/prime-jsii-cache", "-root", root)
		out, err := prime.CombinedOutput()
		require.NoError(t, err, "%s", out)
		require.Contains(t, string(out), "jsii package cache ready", "%s", out)
		t.Logf("the project's cache is not usable (%s); primed %s", s.Reason, root)
		fast = append(fast, jsiicache.RootEnv+"="+root)
	}
	normal := append(append([]string(nil), base...), jsiicache.SwitchEnv+"=0")

	synth := func(t *testing.T, env []string, configPath, outdir string) (map[string][]byte, int) {
		t.Helper()
		count := filepath.Join(t.TempDir(), "count")
		cmd := exec.Command(app)
		cmd.Env = append(append([]string(nil), env...),
			config.EnvVar+"="+configPath, "CDKTF_OUTDIR="+outdir,
			"NODE_OPTIONS=--max-old-space-size=4069 --require "+probe, "CLOUDTRAIL_MRK_PROBE_OUT="+count)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		require.NoError(t, cmd.Run(), "stderr:\n%s", stderr.String())
		assert.Equal(t, acceptedWarningLines(t, configPath)+billedLine(t, configPath)+requiredLines(t, configPath), stderr.String(), "no notice on either path, only the accepted warnings, the billed features and the required notes")
		data, err := os.ReadFile(count)
		require.NoError(t, err, "the probe did not run in the jsii runtime")
		n := 0 // the most any of the runtime's processes loaded
		for _, line := range strings.Fields(string(data)) {
			c, err := strconv.Atoi(line)
			require.NoError(t, err)
			n = max(n, c)
		}
		return readTree(t, outdir), n
	}

	for name, path := range configurations(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fastFiles, fastModules := synth(t, fast, path, filepath.Join(t.TempDir(), "fast"))
			normalFiles, normalModules := synth(t, normal, path, filepath.Join(t.TempDir(), "normal"))
			assert.Less(t, fastModules, 100, "the fast path loads only the provider modules it uses")
			assert.Greater(t, normalModules, 2000, "the normal path loads every provider module")

			var stacks []string
			for rel := range normalFiles {
				if strings.HasSuffix(rel, "/cdk.tf.json") {
					stacks = append(stacks, rel)
				}
			}
			sort.Strings(stacks)
			require.NotEmpty(t, stacks)
			require.Equal(t, slices.Sorted(maps.Keys(normalFiles)), slices.Sorted(maps.Keys(fastFiles)), "the same files")
			for rel, want := range normalFiles {
				assert.True(t, bytes.Equal(want, fastFiles[rel]), "%s differs between the fast and the normal path", rel)
			}
			t.Logf("%d files identical (stacks: %s); provider modules loaded: %d fast, %d normal", len(normalFiles), strings.Join(stacks, ", "), fastModules, normalModules)
		})
	}
}
