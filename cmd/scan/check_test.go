package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCheckedInIgnoreFile: every entry of cmd/scan/ignore.yaml names a check, the
// resources it is limited to, and a reason.
func TestCheckedInIgnoreFile(t *testing.T) {
	ignores, err := LoadIgnores("ignore.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, ignores)
	assert.LessOrEqual(t, len(ignores), 4, "the ignore file should stay short")
	// An accepted check still fails on the resources it is not limited to.
	f := Finding{Stack: "organization/log-archive", ID: "AWS-0089", Resource: "aws_s3_bucket.TrailBucket_1A2AADF8"}
	_, unexpected := Classify([]Finding{f}, ignores)
	assert.Len(t, unexpected, 1)
	f.Resource = "aws_s3_bucket.AccessLogBucket_Bucket_0A1B2C3D"
	_, unexpected = Classify([]Finding{f}, ignores)
	assert.Empty(t, unexpected)
	for _, ig := range ignores {
		assert.NotEmpty(t, ig.Reason, ig.ID)
		assert.NotEmpty(t, ig.Resources, ig.ID)
	}
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

func TestLoadIgnoresRefusesEntriesWithoutReasons(t *testing.T) {
	p := writeFile(t, "ignore.yaml", `
- id: AWS-0089
  resources: [aws_s3_bucket.AccessLogBucket_]
  reason: because
- id: AVD-0132
  resources: []
  reason: `+"\"\""+`
- id: AWS-0001
  stacks: [nostack]
  resources: ["*"]
  reason: this reason is long enough to be read by a reviewer and judged on its merits, honestly
`)
	_, err := LoadIgnores(p)
	require.Error(t, err)
	for _, want := range []string{
		"entry 0 (AWS-0089): the reason must say why the check does not apply (at least 80 characters)",
		`entry 1: id "AVD-0132" is not a Trivy check id such as AWS-0089`,
		"entry 1 (AVD-0132): lists no resources",
		`entry 2 (AWS-0001): resource "*" is not a Terraform address prefix`,
		`entry 2 (AWS-0001): stack "nostack" is not a <config>/<stack> pattern`,
	} {
		assert.Contains(t, err.Error(), want)
	}
	_, err = LoadIgnores(writeFile(t, "unknown.yaml", "- id: AWS-0089\n  resource: [x]\n"))
	assert.ErrorContains(t, err, "field resource not found")
}

const sampleReport = `{"Results":[
 {"Target":".","MisconfSummary":{"Successes":60,"Failures":0}},
 {"Target":"cdk.tf","MisconfSummary":{"Successes":0,"Failures":3},"Misconfigurations":[
  {"ID":"AWS-0089","Title":"S3 Bucket Logging","Severity":"LOW","Status":"FAIL","CauseMetadata":{"Resource":"aws_s3_bucket.AccessLogBucket_E6559820"}},
  {"ID":"AWS-0089","Title":"S3 Bucket Logging","Severity":"LOW","Status":"FAIL","CauseMetadata":{"Resource":"aws_s3_bucket.TrailBucket_1A2AADF8"}},
  {"ID":"AWS-0090","Title":"S3 Versioning","Severity":"MEDIUM","Status":"FAIL","CauseMetadata":{"Resource":"aws_s3_bucket.TrailBucket_1A2AADF8"}},
  {"ID":"AWS-0091","Title":"passed one","Severity":"HIGH","Status":"PASS","CauseMetadata":{"Resource":"aws_s3_bucket.TrailBucket_1A2AADF8"}}
 ]}]}`

func TestClassify(t *testing.T) {
	findings, passed, err := ParseReport("default/cloudtrail-mrk", []byte(sampleReport))
	require.NoError(t, err)
	assert.Equal(t, 60, passed)
	require.Len(t, findings, 3)
	ignores, err := LoadIgnores("ignore.yaml")
	require.NoError(t, err)
	accepted, unexpected := Classify(findings, ignores)
	require.Len(t, accepted, 1)
	assert.Equal(t, "aws_s3_bucket.AccessLogBucket_E6559820", accepted[0].Resource)
	require.Len(t, unexpected, 2, "an ignored check on another resource is still a finding")
	assert.Equal(t, "default/cloudtrail-mrk: AWS-0089 (LOW) S3 Bucket Logging on aws_s3_bucket.TrailBucket_1A2AADF8", unexpected[0].String())
	assert.Equal(t, "AWS-0090", unexpected[1].ID)
}

// accessLogIgnores are the access-log buckets' two entries of ignore.yaml:
// TestRun counts unused entries, so it does not read the real file, which
// grows.
const accessLogIgnores = `
- id: AWS-0089
  resources: [aws_s3_bucket.AccessLogBucket_, aws_s3_bucket.RecoveryAccessLogBucket_]
  reason: the access-log buckets are the targets of server access logging; logging them into themselves would never end
- id: AWS-0132
  resources: [aws_s3_bucket_server_side_encryption_configuration.AccessLogBucket_]
  reason: S3 server access logging cannot deliver to a bucket whose default encryption is SSE-KMS, hence SSE-S3
`

func TestRun(t *testing.T) {
	report := writeFile(t, "r.json", sampleReport)
	ignore := writeFile(t, "ignore.yaml", accessLogIgnores)
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 1, run([]string{"-ignore", ignore, "default/cloudtrail-mrk=" + report}, &stdout, &stderr))
	assert.Contains(t, stdout.String(), "UNEXPECTED default/cloudtrail-mrk: AWS-0090 (MEDIUM) S3 Versioning on aws_s3_bucket.TrailBucket_1A2AADF8")
	assert.Contains(t, stdout.String(), "scan: 60 passed, 3 failed, 1 skipped\n", "2 unexpected findings and the unused AWS-0132 entry")

	clean := writeFile(t, "clean.json", `{"Results":[{"Target":".","MisconfSummary":{"Successes":67,"Failures":0}}]}`)
	none := writeFile(t, "none.yaml", "[]\n")
	stdout.Reset()
	assert.Equal(t, 0, run([]string{"-ignore", none, "a/b=" + clean}, &stdout, &stderr))
	assert.Equal(t, "scan: 1 stacks; 0 findings accepted with a reason in "+none+" (counted as skipped); 0 unexpected (counted as failed)\nscan: 67 passed, 0 failed, 0 skipped\n", stdout.String())

	// An accepted finding that no longer shows (a renamed resource, or
	// Trivy reading less of the stack) fails the scan instead of hiding.
	stdout.Reset()
	assert.Equal(t, 1, run([]string{"-ignore", ignore, "a/b=" + clean}, &stdout, &stderr))
	assert.Contains(t, stdout.String(), "UNUSED     "+ignore+" entry for AWS-0089")
	assert.Contains(t, stdout.String(), "scan: 67 passed, 2 failed, 0 skipped\n")

	empty := writeFile(t, "empty.json", `{"Results":[]}`)
	stderr.Reset()
	assert.Equal(t, 2, run([]string{"-ignore", ignore, "a/b=" + empty}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "Trivy ran no check")
	assert.Equal(t, 2, run([]string{"-ignore", ignore}, &stdout, &stderr))
	assert.Equal(t, 2, run([]string{"-ignore", ignore, "no-equals-sign"}, &stdout, &stderr))
}

func TestEscapeLine(t *testing.T) {
	for in, want := range map[string]string{
		`pattern = "{ ($.eventSource = "kms.amazonaws.com") }"`:                  `pattern = "{ ($.eventSource = \"kms.amazonaws.com\") }"`,
		`pattern = "{ $.x = "a/${element(split("/", aws_kms_key.k.arn), 1)}" }"`: `pattern = "{ $.x = \"a/${element(split("/", aws_kms_key.k.arn), 1)}\" }"`,
		`  name = "plain"`:               `  name = "plain"`,
		`arn = "${aws_s3_bucket.b.arn}"`: `arn = "${aws_s3_bucket.b.arn}"`,
		`x = "already \"escaped\""`:      `x = "already \"escaped\""`,
	} {
		got, _ := escapeLine(in)
		assert.Equal(t, want, got, in)
	}
}
