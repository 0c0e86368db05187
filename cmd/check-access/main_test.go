package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/config"
)

// outdir lays out testdata/<name>/*.tf.json as a cdktf output directory.
func outdir(t *testing.T, name string, edit func(string) string) string {
	t.Helper()
	dir := t.TempDir()
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", name, "*.tf.json"))
	require.NoError(t, err)
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		stack := strings.TrimSuffix(filepath.Base(f), ".tf.json")
		require.NoError(t, os.MkdirAll(filepath.Join(dir, "stacks", stack), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "stacks", stack, "cdk.tf.json"), []byte(edit(string(data))), 0o644))
	}
	return dir
}

func TestRun(t *testing.T) {
	t.Setenv(config.EnvVar, "../../examples/organization.yaml")
	var stdout, stderr bytes.Buffer
	dir := outdir(t, "organization", func(s string) string { return s })
	require.Equal(t, 0, run([]string{"-out", dir}, &stdout, &stderr), stderr.String())
	assert.Regexp(t, `^check-access: config file "../../examples/organization.yaml", 4 stacks: [0-9]+ passed, 0 failed\n$`, stdout.String())

	stdout.Reset()
	broken := outdir(t, "organization", func(s string) string {
		return strings.ReplaceAll(s, "trail/organization-trail", "trail/another-trail")
	})
	assert.Equal(t, 1, run([]string{"-out", broken}, &stdout, &stderr))
	assert.Contains(t, stdout.String(), "FAIL log-archive/aws_s3_bucket_policy.")
	assert.Regexp(t, `[0-9]+ passed, [1-9][0-9]* failed\n$`, stdout.String())

	stderr.Reset()
	assert.Equal(t, 2, run([]string{"-out", t.TempDir()}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "no synthesized stacks")
}
