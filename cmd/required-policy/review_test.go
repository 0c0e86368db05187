package main

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/config"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/policyeval"
)

// The security review's evaluator cases (review 4, B1, B2, S4), on the
// goldens of a single-account trail with a reader (the variant planned by
// cmd/validate): the required statements, added to a landing zone's bucket
// and key, must not stop the landing zone's other deliveries, and must give
// the readers this trail's log files and nothing else.

// landingZone is what a landing zone's owner has in its bucket policy
// already, besides the required statements: AWS Config's and its own
// trail's deliveries, S3 server access logs, as their services document
// them (simplified to the principal and the action). The required
// statements are judged by what they add to it.
func landingZone(bucket string, required policy.Document) policy.Document {
	doc := required
	doc.Statement = append(append([]policy.Statement(nil), required.Statement...),
		policy.Statement{Sid: "AWSConfigBucketDelivery", Effect: policy.Allow, Principal: policy.ServicePrincipal("config.amazonaws.com"),
			Action: policy.Values{"s3:PutObject"}, Resource: policy.Values{bucket + "/AWSLogs/*"}},
		policy.Statement{Sid: "AWSCloudTrailWrite", Effect: policy.Allow, Principal: policy.ServicePrincipal("cloudtrail.amazonaws.com"),
			Action: policy.Values{"s3:PutObject"}, Resource: policy.Values{bucket + "/o-abc/AWSLogs/*"}},
		policy.Statement{Sid: "S3ServerAccessLogsPolicy", Effect: policy.Allow, Principal: policy.ServicePrincipal("logging.s3.amazonaws.com"),
			Action: policy.Values{"s3:PutObject"}, Resource: policy.Values{bucket + "/s3-access/*"}},
		policy.Statement{Sid: "AWSLogDeliveryWrite", Effect: policy.Allow, Principal: policy.ServicePrincipal("delivery.logs.amazonaws.com"),
			Action: policy.Values{"s3:PutObject"}, Resource: policy.Values{bucket + "/AWSLogs/*"}},
	)
	return doc
}

func TestReviewFindings(t *testing.T) {
	dir := "testdata/existing-bucket-and-key"
	b := statements(t, filepath.Join(dir, "bucket-policy.json"))
	k := statements(t, filepath.Join(dir, "key-policy.us-east-1.json"))
	bucket := "arn:aws:s3:::cloudtrail-mrk-logs-111122223333"
	acct := "111122223333"
	own := "arn:aws:cloudtrail:us-east-1:" + acct + ":trail/cloudtrail-mrk"
	ours := bucket + "/cloudtrail-mrk/AWSLogs/" + acct + "/CloudTrail/us-east-1/2024/01/01/" + acct + "_CloudTrail_us-east-1_x.json.gz"
	tls := map[string][]string{"aws:SecureTransport": {"true"}}
	reader := policyeval.Principal{ARN: "arn:aws:sts::444455556666:assumed-role/Reader/s"}
	lz := landingZone(bucket, b)
	onLZ := policyeval.Policies{Resource: &lz, ResourceAccount: acct, Identity: []policy.Document{policyeval.AllowAll}}
	onB := policyeval.Policies{Resource: &b, ResourceAccount: acct, Identity: []policy.Document{policyeval.AllowAll}}
	onK := policyeval.Policies{Resource: &k, ResourceAccount: acct, KeyPolicy: true, Identity: []policy.Document{policyeval.AllowAll}}
	lzArn := "arn:aws:cloudtrail:us-east-1:" + acct + ":trail/aws-controltower-BaselineCloudTrail"
	cases := []struct {
		name  string
		req   policyeval.Request
		ps    policyeval.Policies
		allow bool
	}{
		// B1: the landing zone's other deliveries go on.
		{"AWS Config delivers a snapshot to the same bucket (SourceAccount only) -> allowed", policyeval.Request{Principal: policyeval.Principal{Service: "config.amazonaws.com"}, Action: "s3:PutObject",
			Resource: bucket + "/AWSLogs/" + acct + "/Config/us-east-1/2024/1/1/ConfigSnapshot/x.json.gz",
			Context:  map[string][]string{"aws:SecureTransport": {"true"}, "aws:SourceAccount": {acct}, "s3:x-amz-acl": {"bucket-owner-full-control"}}}, onLZ, true},
		{"landing zone's own trail delivers (not listed) -> allowed", policyeval.Request{Principal: policyeval.Principal{Service: "cloudtrail.amazonaws.com"}, Action: "s3:PutObject",
			Resource: bucket + "/o-abc/AWSLogs/o-abc/" + acct + "/CloudTrail/x.json.gz",
			Context:  map[string][]string{"aws:SecureTransport": {"true"}, "aws:SourceArn": {lzArn}, "s3:x-amz-acl": {"bucket-owner-full-control"}}}, onLZ, true},
		{"S3 server access logs delivered by logging.s3 -> allowed", policyeval.Request{Principal: policyeval.Principal{Service: "logging.s3.amazonaws.com"}, Action: "s3:PutObject",
			Resource: bucket + "/s3-access/x",
			Context:  map[string][]string{"aws:SecureTransport": {"true"}, "aws:SourceArn": {"arn:aws:s3:::somebucket"}, "aws:SourceAccount": {acct}}}, onLZ, true},
		{"VPC Flow Logs delivered under a bare AWSLogs/ -> allowed", policyeval.Request{Principal: policyeval.Principal{Service: "delivery.logs.amazonaws.com"}, Action: "s3:PutObject",
			Resource: bucket + "/AWSLogs/" + acct + "/vpcflowlogs/us-east-1/x.log.gz",
			Context:  map[string][]string{"aws:SecureTransport": {"true"}, "aws:SourceAccount": {acct}, "s3:x-amz-acl": {"bucket-owner-full-control"}}}, onLZ, true},
		// B1: what the deny still protects.
		{"a forged write into this trail's tree by an IAM principal -> denied", policyeval.Request{Principal: policyeval.Principal{ARN: "arn:aws:iam::" + acct + ":role/Admin"}, Action: "s3:PutObject",
			Resource: ours, Context: tls}, onLZ, false},
		{"the landing zone's trail writing into this trail's tree (even with its broad allow) -> denied", policyeval.Request{Principal: policyeval.Principal{Service: "cloudtrail.amazonaws.com"}, Action: "s3:PutObject",
			Resource: ours, Context: map[string][]string{"aws:SecureTransport": {"true"}, "aws:SourceArn": {lzArn}, "s3:x-amz-acl": {"bucket-owner-full-control"}}},
			policyeval.Policies{Resource: func() *policy.Document {
				d := lz
				d.Statement = append(append([]policy.Statement(nil), lz.Statement...), policy.Statement{Sid: "Broad", Effect: policy.Allow,
					Principal: policy.ServicePrincipal("cloudtrail.amazonaws.com"), Action: policy.Values{"s3:PutObject"}, Resource: policy.Values{bucket + "/*"}})
				return &d
			}(), ResourceAccount: acct}, false},
		{"this trail delivers into its tree -> allowed", policyeval.Request{Principal: policyeval.Principal{Service: "cloudtrail.amazonaws.com"}, Action: "s3:PutObject",
			Resource: ours, Context: map[string][]string{"aws:SecureTransport": {"true"}, "aws:SourceArn": {own}, "s3:x-amz-acl": {"bucket-owner-full-control"}}}, onLZ, true},
		// B2: the readers get this trail's files, nothing else.
		{"reader reads this trail's log file -> allowed", policyeval.Request{Principal: reader, Action: "s3:GetObject", Resource: ours, Context: tls}, onB, true},
		{"reader reads a Config snapshot of the landing zone -> denied", policyeval.Request{Principal: reader, Action: "s3:GetObject",
			Resource: bucket + "/AWSLogs/" + acct + "/Config/us-east-1/2024/1/1/ConfigSnapshot/x.json.gz", Context: tls}, onB, false},
		{"reader reads VPC flow logs -> denied", policyeval.Request{Principal: reader, Action: "s3:GetObject",
			Resource: bucket + "/AWSLogs/" + acct + "/vpcflowlogs/us-east-1/x.log.gz", Context: tls}, onB, false},
		{"reader reads a file beside this trail's account path, in its tree -> denied", policyeval.Request{Principal: reader, Action: "s3:GetObject",
			Resource: bucket + "/cloudtrail-mrk/AWSLogs/999999999999/CloudTrail/x.json.gz", Context: tls}, onB, false},
		{"reader lists this trail's path -> allowed", policyeval.Request{Principal: reader, Action: "s3:ListBucket", Resource: bucket,
			Context: map[string][]string{"aws:SecureTransport": {"true"}, "s3:prefix": {"cloudtrail-mrk/AWSLogs/" + acct + "/CloudTrail/"}}}, onB, true},
		{"reader lists the bucket's AWSLogs/ -> denied", policyeval.Request{Principal: reader, Action: "s3:ListBucket", Resource: bucket,
			Context: map[string][]string{"aws:SecureTransport": {"true"}, "s3:prefix": {"AWSLogs/"}}}, onB, false},
		{"reader lists the whole bucket (no prefix) -> denied", policyeval.Request{Principal: reader, Action: "s3:ListBucket", Resource: bucket, Context: tls}, onB, false},
		{"reader finds the bucket's region -> allowed", policyeval.Request{Principal: reader, Action: "s3:GetBucketLocation", Resource: bucket, Context: tls}, onB, true},
		{"reader decrypts this trail's file (CloudTrail context) -> allowed", policyeval.Request{Principal: reader, Action: "kms:Decrypt", Resource: "*",
			Context: map[string][]string{"kms:CallerAccount": {"444455556666"}, "kms:EncryptionContext:aws:cloudtrail:arn": {own}}}, onK, true},
		{"reader decrypts this trail's file via S3 (object context) -> allowed", policyeval.Request{Principal: reader, Action: "kms:Decrypt", Resource: "*",
			Context: map[string][]string{"kms:CallerAccount": {"444455556666"}, "kms:ViaService": {"s3.us-east-1.amazonaws.com"}, "kms:EncryptionContext:aws:s3:arn": {ours}}}, onK, true},
		{"reader decrypts a Config object via S3 (object context) -> denied", policyeval.Request{Principal: reader, Action: "kms:Decrypt", Resource: "*",
			Context: map[string][]string{"kms:CallerAccount": {"444455556666"}, "kms:ViaService": {"s3.us-east-1.amazonaws.com"},
				"kms:EncryptionContext:aws:s3:arn": {bucket + "/AWSLogs/" + acct + "/Config/x"}}}, onK, false},
		{"reader decrypts any object via S3 with a Bucket Key (bucket context) -> denied", policyeval.Request{Principal: reader, Action: "kms:Decrypt", Resource: "*",
			Context: map[string][]string{"kms:CallerAccount": {"444455556666"}, "kms:ViaService": {"s3.us-east-1.amazonaws.com"},
				"kms:EncryptionContext:aws:s3:arn": {bucket}}}, onK, false},
		{"reader decrypts the landing zone trail's files (same key) -> denied", policyeval.Request{Principal: reader, Action: "kms:Decrypt", Resource: "*",
			Context: map[string][]string{"kms:CallerAccount": {"444455556666"}, "kms:EncryptionContext:aws:cloudtrail:arn": {lzArn}}}, onK, false},
		{"reader ReEncryptFrom another trail's file to a key of its own -> denied", policyeval.Request{Principal: reader, Action: "kms:ReEncryptFrom", Resource: "*",
			Context: map[string][]string{"kms:CallerAccount": {"444455556666"},
				"kms:EncryptionContext:aws:cloudtrail:arn": {"arn:aws:cloudtrail:eu-west-1:" + acct + ":trail/other"}}}, onK, false},
		{"reader ReEncryptFrom this trail's file -> denied (not needed to read)", policyeval.Request{Principal: reader, Action: "kms:ReEncryptFrom", Resource: "*",
			Context: map[string][]string{"kms:CallerAccount": {"444455556666"}, "kms:EncryptionContext:aws:cloudtrail:arn": {own}}}, onK, false},
	}
	for _, c := range cases {
		d, err := policyeval.Evaluate(c.req, c.ps)
		require.NoError(t, err, c.name)
		assert.Equal(t, c.allow, d.Allowed(), "%s: got %v", c.name, d)
	}
}

// TestReviewOrganizationPaths (B2): on an organization trail the readers
// read the organization's path of this trail's tree as well, and nothing of
// another prefix.
func TestReviewOrganizationPaths(t *testing.T) {
	dir := "testdata/existing-bucket-and-key-organization"
	b := statements(t, filepath.Join(dir, "bucket-policy.json"))
	bucket := "arn:aws:s3:::landing-zone-logs-222222222222"
	reader := policyeval.Principal{ARN: "arn:aws:sts::333333333333:assumed-role/Reader/s"}
	tls := map[string][]string{"aws:SecureTransport": {"true"}}
	ps := policyeval.Policies{Resource: &b, ResourceAccount: "222222222222", Identity: []policy.Document{policyeval.AllowAll}}
	for key, allow := range map[string]bool{
		"cloudtrail-mrk/AWSLogs/o-a1b2c3d4e5/444444444444/CloudTrail/us-east-1/x.json.gz": true,
		"cloudtrail-mrk/AWSLogs/111111111111/CloudTrail/us-east-1/x.json.gz":              true,
		"o-a1b2c3d4e5/AWSLogs/o-a1b2c3d4e5/444444444444/CloudTrail/us-east-1/x.json.gz":   false,
		"AWSLogs/o-a1b2c3d4e5/444444444444/Config/us-east-1/x.json.gz":                    false,
	} {
		d, err := policyeval.Evaluate(policyeval.Request{Principal: reader, Action: "s3:GetObject", Resource: bucket + "/" + key, Context: tls}, ps)
		require.NoError(t, err)
		assert.Equal(t, allow, d.Allowed(), key)
	}
}

// TestSidsArePrefixed (S4): every statement id of every file starts with
// the trail's prefix, so none collides with the owner's own statement ids
// (a landing zone's AWSCloudTrailWrite).
func TestSidsArePrefixed(t *testing.T) {
	for name, path := range cases {
		t.Setenv(config.EnvVar, path)
		cfg, err := config.Load(path)
		require.NoError(t, err)
		prefix := cfg.RequiredSidPrefix()
		require.NotEmpty(t, prefix)
		out := t.TempDir()
		var stdout, stderr bytes.Buffer
		require.Equal(t, 0, run([]string{"-out", out}, &stdout, &stderr), stderr.String())
		files, err := filepath.Glob(filepath.Join(out, "*.json"))
		require.NoError(t, err)
		for _, f := range files {
			// key-tags.json holds no statement; verifier-policy.json is a
			// whole identity policy of its own, merged with nobody's.
			if b := filepath.Base(f); b == "key-tags.json" || b == verifierPolicyFile {
				continue
			}
			for _, sid := range statements(t, f).Sids() {
				assert.Regexp(t, "^"+prefix+"[A-Za-z0-9]+$", sid, "%s %s", name, filepath.Base(f))
			}
		}
	}
}

// TestRecommendedProtection (S3): the recommended deletion deny stops
// deleting this trail's files and nothing else of the bucket.
func TestRecommendedProtection(t *testing.T) {
	p := statements(t, filepath.Join("testdata/existing-bucket-and-key", "bucket-protection.recommended.json"))
	bucket := "arn:aws:s3:::cloudtrail-mrk-logs-111122223333"
	admin := policyeval.Principal{ARN: "arn:aws:iam::111122223333:role/Admin"}
	allowAll := policyeval.AllowAll
	ps := policyeval.Policies{Resource: &p, ResourceAccount: "111122223333", Identity: []policy.Document{allowAll}}
	for key, allow := range map[string]bool{
		"cloudtrail-mrk/AWSLogs/111122223333/CloudTrail/us-east-1/x.json.gz": false,
		"AWSLogs/111122223333/Config/us-east-1/x.json.gz":                    true,
	} {
		d, err := policyeval.Evaluate(policyeval.Request{Principal: admin, Action: "s3:DeleteObject", Resource: bucket + "/" + key,
			Context: map[string][]string{"aws:SecureTransport": {"true"}}}, ps)
		require.NoError(t, err)
		assert.Equal(t, allow, d.Allowed(), key)
	}
}
