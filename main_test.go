package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/access"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/config"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/internal/proof/synthtest"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/internal/runtime/version"
)

// TestMain starts the jsii runtime on the fast path when it is primed.
func TestMain(m *testing.M) { synthtest.Main(m) }

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// configurations are the default configuration and every example, by the
// name of their golden directory.
func configurations(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{"default": ""}
	files, err := filepath.Glob("examples/*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		out[strings.TrimSuffix(filepath.Base(f), ".yaml")] = f
	}
	return out
}

// synth runs the app like `cdktn synth` does, with the configuration at path
// ("" for the default), into a fresh directory, and returns every written
// file by its path relative to that directory.
func synth(t *testing.T, path string) (map[string][]byte, string) {
	t.Helper()
	t.Setenv(config.EnvVar, path)
	t.Setenv(cliEnv, "")
	// The accepted warnings are printed, never errors, whatever the caller's
	// environment says.
	t.Setenv(config.WarningsAsErrorsEnvVar, "")
	out := filepath.Join(t.TempDir(), "cdktf.out")
	var stdout, stderr bytes.Buffer
	require.Equal(t, exitOK, run(&stdout, &stderr, out, ""), "stderr:\n%s", stderr.String())
	assert.Equal(t, acceptedWarningLines(t, path)+billedLine(t, path), stderr.String(),
		"only the warnings %s accepts, then the billed features, once", acceptedWarningsFile)
	assert.Empty(t, stdout.String(), "nothing on stdout unless the CLI runs it")
	return readTree(t, out), out
}

// acceptedWarningsFile lists the warnings the project's own configurations
// cause on purpose (see docs/config-checks.md).
const acceptedWarningsFile = "testdata/accepted-config-warnings.yaml"

// acceptedWarningLines is what the app prints for the configuration at path
// ("" for the default): its warnings, each of which must be accepted.
func acceptedWarningLines(t *testing.T, path string) string {
	t.Helper()
	if path == "" {
		return ""
	}
	accepted, err := config.LoadAcceptedWarnings(acceptedWarningsFile)
	require.NoError(t, err)
	cfg, err := config.Load(path)
	require.NoError(t, err)
	assert.Empty(t, accepted.Unaccepted(path, cfg.Warnings()), "warnings of %s that %s does not accept", path, acceptedWarningsFile)
	var lines strings.Builder
	for _, w := range cfg.Warnings() {
		lines.WriteString("warning: " + w.String() + "\n")
	}
	return lines.String()
}

// billedLine is the information line the app prints once it has
// synthesized the configuration at path ("" for the default): the billed
// features it turns on (config.BilledFeaturesLine), not a warning.
// requiredLines are the notes that say what the owners of an existing
// bucket or key must add (config.RequiredNotes), one a line; none for a
// configuration that creates its bucket and key.
func requiredLines(t *testing.T, path string) string {
	t.Helper()
	cfg := loadConfig(t, path)
	lines, err := cfg.RequiredNotes()
	require.NoError(t, err)
	if cfg.Bucket.Existing || cfg.ExistingKey() {
		require.NotEmpty(t, lines)
	}
	out := ""
	for _, l := range lines {
		require.True(t, strings.HasPrefix(l, "required: ") || strings.HasPrefix(l, "recommended: "), l)
		out += l + "\n"
	}
	return out
}

// loadConfig loads the configuration at path, or the built-in default for "".
func loadConfig(t *testing.T, path string) *config.Config {
	t.Helper()
	if path == "" {
		return config.Default()
	}
	cfg, err := config.Load(path)
	require.NoError(t, err)
	return cfg
}

func billedLine(t *testing.T, path string) string {
	t.Helper()
	cfg := loadConfig(t, path)
	line := cfg.BilledFeaturesLine()
	require.True(t, strings.HasPrefix(line, "cloudtrail-mrk: billed features turned on: "), line)
	return line + "\n"
}

func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	if _, err := os.Stat(dir); os.IsNotExist(err) {
		return files
	}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = data
		return err
	}))
	return files
}

// withoutVersionStamp returns a synthesized stack with cdktf's version stamp
// ("//".metadata.version) replaced by a placeholder, so that the golden files
// compare equal when only cdktf's version changes. The rest stays byte for
// byte.
func withoutVersionStamp(t *testing.T, stack []byte) string {
	t.Helper()
	var doc struct {
		Comment struct {
			Metadata struct {
				Version string `json:"version"`
			} `json:"metadata"`
		} `json:"//"`
	}
	require.NoError(t, json.Unmarshal(stack, &doc))
	v := doc.Comment.Metadata.Version
	if v == "" {
		return string(stack)
	}
	// "//" is the first key of a synthesized stack: the first "version" is its.
	return strings.Replace(string(stack), `"version": "`+v+`"`, `"version": "<cdktf version>"`, 1)
}

func TestGoldenIgnoresTheCdktfVersion(t *testing.T) {
	golden, err := os.ReadFile(filepath.Join("testdata", "default", "cloudtrail-mrk.tf.json"))
	require.NoError(t, err)
	require.Contains(t, string(golden), `"version": "0.20.11"`)
	bumped := strings.Replace(string(golden), `"version": "0.20.11"`, `"version": "0.21.0"`, 1)
	assert.Equal(t, withoutVersionStamp(t, golden), withoutVersionStamp(t, []byte(bumped)))
	changed := strings.Replace(bumped, `"stackName": "cloudtrail-mrk"`, `"stackName": "other"`, 1)
	assert.NotEqual(t, withoutVersionStamp(t, golden), withoutVersionStamp(t, []byte(changed)), "anything else still counts")
}

// TestGolden compares every synthesized stack of every configuration with
// testdata/<configuration>/<stack>.tf.json. Run `go test . -update` to
// rewrite them after an intended change, and read the diff.
func TestGolden(t *testing.T) {
	cwd, err := os.Getwd()
	require.NoError(t, err)
	home, _ := os.UserHomeDir()
	for name, path := range configurations(t) {
		t.Run(name, func(t *testing.T) {
			files, out := synth(t, path)
			var stacks []string
			for rel, data := range files {
				if !strings.HasSuffix(rel, "/cdk.tf.json") {
					continue
				}
				stack := strings.TrimSuffix(strings.TrimPrefix(rel, "stacks/"), "/cdk.tf.json")
				stacks = append(stacks, stack)
				for _, machinePath := range []string{out, cwd, home, os.TempDir()} {
					if machinePath != "" && machinePath != "/" {
						assert.NotContains(t, string(data), machinePath, "%s holds a machine path", rel)
					}
				}
				golden := filepath.Join("testdata", name, stack+".tf.json")
				if *update {
					require.NoError(t, os.MkdirAll(filepath.Dir(golden), 0o755))
					require.NoError(t, os.WriteFile(golden, data, 0o644))
					continue
				}
				want, err := os.ReadFile(golden)
				require.NoError(t, err, "missing golden file; run go test . -update")
				assert.Equal(t, withoutVersionStamp(t, want), withoutVersionStamp(t, data), "%s differs from %s; run go test . -update if the change is intended", rel, golden)
			}
			sort.Strings(stacks)
			checkAccess(t, path, out)
			goldens, err := filepath.Glob(filepath.Join("testdata", name, "*.tf.json"))
			require.NoError(t, err)
			var want []string
			for _, g := range goldens {
				want = append(want, strings.TrimSuffix(filepath.Base(g), ".tf.json"))
			}
			sort.Strings(want)
			if !*update {
				assert.Equal(t, want, stacks, "stacks synthesized vs golden files")
			}
		})
	}
}

func TestOutputDirectoryParentsAreCreated(t *testing.T) {
	t.Setenv(config.EnvVar, "")
	out := filepath.Join(t.TempDir(), "a", "b", "cdktf.out")
	var stderr bytes.Buffer
	require.Equal(t, exitOK, run(io.Discard, &stderr, out, ""), stderr.String())
	_, err := os.Stat(filepath.Join(out, "stacks", "cloudtrail-mrk", "cdk.tf.json"))
	assert.NoError(t, err)
}

// TestCLIUserIsToldWhatWasSynthesized: run by the CLI, the app prints its
// notes and names the configuration and its stacks on stdout (the CLI shows
// the app's stdout), so that `cdktn diff log-archive` on the built-in default
// is explained.
func TestCLIUserIsToldWhatWasSynthesized(t *testing.T) {
	t.Setenv(config.EnvVar, "")
	t.Setenv(cliEnv, "{}")
	const note = "cloudtrail-mrk: note: (test)\n"
	var stdout, stderr bytes.Buffer
	require.Equal(t, exitOK, run(&stdout, &stderr, filepath.Join(t.TempDir(), "out"), note), stderr.String())
	assert.Equal(t, note+billedLine(t, "")+"cloudtrail-mrk: synthesized the built-in default configuration: stack cloudtrail-mrk"+
		" (set CLOUDTRAIL_MRK_CONFIG to a configuration file for others)\n", stdout.String(),
		"the note, the billed features and the stacks on stdout, which the CLI shows as it comes")
	assert.Empty(t, stderr.String(), "stderr is for failures: the CLI logs it")

	// A warned configuration: the warnings too go where the CLI shows them.
	files, err := filepath.Glob("testdata/warn/*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	want, err := os.ReadFile(strings.TrimSuffix(files[0], ".yaml") + ".warn")
	require.NoError(t, err)
	t.Setenv(config.EnvVar, files[0])
	t.Setenv(config.WarningsAsErrorsEnvVar, "")
	stdout.Reset()
	stderr.Reset()
	require.Equal(t, exitOK, run(&stdout, &stderr, filepath.Join(t.TempDir(), "out"), ""), stderr.String())
	assert.True(t, strings.HasPrefix(stdout.String(), string(want)+billedLine(t, files[0])), "stdout:\n%s\nwant first:\n%s", stdout.String(), want)
	assert.Equal(t, 1, strings.Count(stdout.String(), "billed features turned on"), "the billed features once")
	assert.Empty(t, stderr.String())

	t.Setenv(config.EnvVar, "examples/organization.yaml")
	assert.Equal(t, `cloudtrail-mrk: synthesized the config file "examples/organization.yaml": stacks log-archive, management`,
		synthesized(`config file "examples/organization.yaml"`, []string{"log-archive", "management"}))
}

// TestCommandLine: --version and -h answer without synthesizing; anything
// else on the command line is refused with exit 2 before the jsii runtime
// starts.
func TestCommandLine(t *testing.T) {
	cases := []struct {
		args           []string
		code           int
		stdout, stderr string
	}{
		{[]string{"--version"}, exitOK, "cloudtrail-mrk " + version.Version + "\n", ""},
		{[]string{"-version"}, exitOK, "cloudtrail-mrk " + version.Version + "\n", ""},
		{[]string{"-h"}, exitOK, "", "usage: cloudtrail-mrk [--version]"},
		{[]string{"log-archive"}, exitConfig, "", `cloudtrail-mrk: unexpected argument "log-archive": the app takes no arguments; name the configuration file in CLOUDTRAIL_MRK_CONFIG` + "\n"},
		{[]string{"--config", "x.yaml"}, exitConfig, "", "flag provided but not defined: -config"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			t.Setenv("CDKTF_OUTDIR", out)
			var stdout, stderr bytes.Buffer
			assert.Equal(t, c.code, synthesize(c.args, &stdout, &stderr))
			assert.Equal(t, c.stdout, stdout.String())
			if c.stderr == "" {
				assert.Empty(t, stderr.String())
			} else {
				assert.True(t, strings.HasPrefix(stderr.String(), c.stderr), "stderr: %s", stderr.String())
			}
			_, err := os.Stat(out)
			assert.True(t, os.IsNotExist(err), "nothing written")
		})
	}
}

// checkAccess runs the access check (cmd/check-access) over what was just
// synthesized: every expectation derived from the configuration must hold.
func checkAccess(t *testing.T, path, out string) {
	t.Helper()
	cfg := loadConfig(t, path)
	stacks, err := access.ReadStacks(out)
	require.NoError(t, err)
	results, err := access.Check(cfg, stacks)
	require.NoError(t, err)
	require.NotEmpty(t, results)
	for _, r := range results {
		assert.True(t, r.OK(), "%s", r)
	}
}

func TestSynthesisIsDeterministic(t *testing.T) {
	first, _ := synth(t, "examples/organization.yaml")
	second, _ := synth(t, "examples/organization.yaml")
	require.Equal(t, len(first), len(second))
	for rel, data := range first {
		assert.Equal(t, string(data), string(second[rel]), rel)
	}
}

// preexisting fills a fresh output directory with a previous synthesis that
// a refused run must leave exactly as it was.
func preexisting(t *testing.T) (string, map[string][]byte) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "cdktf.out")
	require.NoError(t, os.MkdirAll(filepath.Join(out, "stacks", "old"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(out, "stacks", "old", "cdk.tf.json"), []byte(`{"old":true}`), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(out, "manifest.json"), []byte(`{"stacks":{}}`), 0o644))
	return out, readTree(t, out)
}

// TestInvalidConfigurationsWriteNothing runs every refused configuration of
// testdata/invalid through the app: exit status 2, exactly the expected
// problems on stderr, and an output directory left as it was.
func TestInvalidConfigurationsWriteNothing(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid/*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".yaml"), func(t *testing.T) {
			want, err := os.ReadFile(strings.TrimSuffix(f, ".yaml") + ".err")
			require.NoError(t, err)
			out, before := preexisting(t)
			t.Setenv(config.EnvVar, f)
			var stderr bytes.Buffer
			assert.Equal(t, exitConfig, run(io.Discard, &stderr, out, ""))
			assert.Equal(t, `cloudtrail-mrk: cannot use the config file "`+f+`"; nothing was synthesized:`+"\n"+
				indent(strings.TrimSuffix(string(want), "\n"))+"\n", stderr.String())
			assert.Equal(t, before, readTree(t, out), "the output directory changed")
		})
	}
}

// TestWarnedConfigurationsSynthesize runs every configuration of
// testdata/warn through the app: its warnings, exactly as the .warn file
// says, on stderr, and the stacks synthesized. With
// CLOUDTRAIL_MRK_WARNINGS_AS_ERRORS=1 the same configuration is refused:
// exit status 2, each warning as an error, nothing written.
func TestWarnedConfigurationsSynthesize(t *testing.T) {
	files, err := filepath.Glob("testdata/warn/*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".yaml"), func(t *testing.T) {
			want, err := os.ReadFile(strings.TrimSuffix(f, ".yaml") + ".warn")
			require.NoError(t, err)
			t.Setenv(config.EnvVar, f)
			t.Setenv(cliEnv, "")

			t.Setenv(config.WarningsAsErrorsEnvVar, "1")
			out, before := preexisting(t)
			var stderr bytes.Buffer
			assert.Equal(t, exitConfig, run(io.Discard, &stderr, out, ""))
			asErrors := strings.ReplaceAll(strings.TrimSuffix(string(want), "\n"), "warning: ", "")
			asErrors = strings.ReplaceAll(asErrors, "\n", " [a warning, an error because CLOUDTRAIL_MRK_WARNINGS_AS_ERRORS is set]\n") +
				" [a warning, an error because CLOUDTRAIL_MRK_WARNINGS_AS_ERRORS is set]"
			assert.Equal(t, `cloudtrail-mrk: cannot use the config file "`+f+`"; nothing was synthesized:`+"\n"+indent(asErrors)+"\n", stderr.String())
			assert.Equal(t, before, readTree(t, out), "the output directory changed")

			t.Setenv(config.WarningsAsErrorsEnvVar, "")
			out = filepath.Join(t.TempDir(), "cdktf.out")
			stderr.Reset()
			require.Equal(t, exitOK, run(io.Discard, &stderr, out, ""), stderr.String())
			assert.Equal(t, string(want)+billedLine(t, f)+requiredLines(t, f), stderr.String(), "the warnings, then the billed features, then what the owners of an existing bucket or key must add")
			assert.NotEmpty(t, readTree(t, out), "a warning does not stop synthesis")
		})
	}
}

func TestUnusableConfigFilesWriteNothing(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]struct {
		path string
		want string
	}{
		"missing file": {filepath.Join(dir, "nope.yaml"), "does not exist (set CLOUDTRAIL_MRK_CONFIG to an existing YAML file, or unset it for the built-in default)"},
		"directory":    {dir, "is a directory, not a YAML file"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			out, before := preexisting(t)
			t.Setenv(config.EnvVar, tc.path)
			var stderr bytes.Buffer
			assert.Equal(t, exitConfig, run(io.Discard, &stderr, out, ""))
			assert.Equal(t, `cloudtrail-mrk: cannot use the config file "`+tc.path+`"; nothing was synthesized:`+"\n  "+tc.want+"\n", stderr.String())
			assert.Equal(t, before, readTree(t, out), "the output directory changed")
		})
	}
}

func TestConfigErrorListsEveryProblem(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(path, []byte("home_region: us-east-7\naccounts:\n  management: {id: \"12\"}\n  log_archive: {id: \"222222222222\"}\nbucket: {name: x}\n"), 0o600))
	t.Setenv(config.EnvVar, path)
	var stderr bytes.Buffer
	out := filepath.Join(t.TempDir(), "cdktf.out")
	assert.Equal(t, exitConfig, run(io.Discard, &stderr, out, ""))
	assert.Equal(t, `cloudtrail-mrk: cannot use the config file "`+path+`"; nothing was synthesized:
  home_region: must be an AWS region name such as us-east-1 (got "us-east-7")
  accounts.management.id: must be an AWS account id of exactly 12 digits (got "12")
  bucket.name: S3 bucket names must be 3 to 63 characters long (this one is 1) (got "x")
`, stderr.String())
	_, err := os.Stat(out)
	assert.True(t, os.IsNotExist(err), "no output directory was created")
}

// TestFastPathNoteFollowsValidation: the note about a missing fast path is
// printed only once the configuration is valid, so a refused configuration's
// message stays exactly as testdata/invalid says.
func TestFastPathNoteFollowsValidation(t *testing.T) {
	const note = "cloudtrail-mrk: note: synthesizing without the fast path (test)\n"
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("home_region: us-east-7\n"), 0o600))
	t.Setenv(config.EnvVar, bad)
	var stderr bytes.Buffer
	require.Equal(t, exitConfig, run(io.Discard, &stderr, filepath.Join(t.TempDir(), "out"), note))
	assert.NotContains(t, stderr.String(), note)

	t.Setenv(config.EnvVar, "")
	// The billed features are information, not a warning: warnings as
	// errors does not refuse them.
	t.Setenv(config.WarningsAsErrorsEnvVar, "1")
	stderr.Reset()
	require.Equal(t, exitOK, run(io.Discard, &stderr, filepath.Join(t.TempDir(), "out"), note), stderr.String())
	assert.Equal(t, note+billedLine(t, ""), stderr.String(), "the note, then the billed features, once each, and nothing else")
	assert.NotContains(t, stderr.String(), "warning")
}
