package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/verify"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/verify/fixture"
)

func runCmd(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestOffline runs the command as an auditor would on a copy of the bucket:
// valid (0), then a deleted log file (1), with the JSON report.
func TestOffline(t *testing.T) {
	f, err := fixture.Write(t.TempDir(), fixture.Spec{OrganizationID: "o-exampleorgid", Hours: 12, FilesPerHour: 1, EventsPerFile: 3, Workers: 2})
	require.NoError(t, err)
	args := []string{"--dir", f.BucketDir(), "--signatures", f.SignaturesFile(), "--from", "2026-03-02", "--to", "2026-03-03", "--quiet"}
	for _, k := range f.PublicKeySpecs() {
		args = append(args, "--public-keys", k)
	}
	code, out, stderr := runCmd(args...)
	require.Equal(t, 0, code, stderr+out)
	assert.Contains(t, out, "result: valid")
	assert.Contains(t, out, "restart: 111122223333 us-east-2")

	// A range without digests: could not check (2), and why.
	empty := []string{"--dir", f.BucketDir(), "--from", "2026-02-01", "--to", "2026-02-02", "--quiet"}
	for _, k := range f.PublicKeySpecs() {
		empty = append(empty, "--public-keys", k)
	}
	code, out, stderr = runCmd(empty...)
	require.Equal(t, 2, code, stderr+out)
	assert.Contains(t, stderr, "verify: could not check: no digest files of the trail in "+f.BucketDir()+" between 2026-02-01T00:00:00Z and 2026-02-02T00:00:00Z")
	assert.Contains(t, stderr, "listed 8 day folders in 4 account-region digest folders, and no digest of the trail ends in the range")
	assert.Empty(t, out)
	// 8: 2 accounts x 2 regions x 2 days (2026-02-01, and 2026-02-02 for a digest up to two hours after --to).

	logs := append([]string(nil), f.Logs...)
	sort.Strings(logs)
	require.NoError(t, os.Remove(f.Path(logs[2])))
	code, out, _ = runCmd(append(args, "--json")...)
	require.Equal(t, 1, code)
	var rep verify.Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	require.Len(t, rep.Findings, 1)
	assert.Equal(t, verify.LogFileMissing, rep.Findings[0].Kind)
	assert.Equal(t, logs[2], rep.Findings[0].Keys[0])
}

// TestBadInput: exit status 2, and the message names the flag, the rule and
// the value.
func TestBadInput(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--dir", "."}, "--from is required"},
		{[]string{"--from", "yesterday", "--dir", "."}, `--from "yesterday": not an RFC 3339 time`},
		{[]string{"--from", "2026-03-02", "--to", "2026-03-01", "--dir", "."}, `--to "2026-03-01": must be after --from`},
		{[]string{"--from", "2026-03-02", "--workers", "0", "--dir", "."}, `--workers "0": must be between 1 and 256`},
		{[]string{"--from", "2026-03-02", "--bucket", "b", "--trail-arn", "arn:aws:s3:::b"}, `--trail-arn "arn:aws:s3:::b": not a trail ARN`},
		{[]string{"--from", "2026-03-02", "--dir", "."}, "--dir needs --public-keys"},
		{[]string{"--from", "2026-03-02"}, "give --config, or --bucket"},
	} {
		code, _, stderr := runCmd(c.args...)
		assert.Equal(t, 2, code, strings.Join(c.args, " "))
		assert.Contains(t, stderr, c.want)
	}
}
