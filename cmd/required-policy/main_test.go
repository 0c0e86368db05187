package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/config"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/policyeval"
)

var update = flag.Bool("update", false, "rewrite testdata/<case>/ from what the command writes")

// cases: the variant planned by cmd/validate (one account, a reader) and an
// organization trail with the guardrails on (key tags).
var cases = map[string]string{
	"existing-bucket-and-key":              "../../testdata/variants/existing-bucket-and-key.yaml",
	"existing-bucket-and-key-organization": "../../testdata/warn/existing-bucket-and-key.yaml",
}

// TestGolden: the files are exactly the golden ones, and a second run
// writes the same bytes (no dates, no machine paths).
func TestGolden(t *testing.T) {
	for name, path := range cases {
		t.Run(name, func(t *testing.T) {
			t.Setenv(config.EnvVar, path)
			out := t.TempDir()
			var stdout, stderr bytes.Buffer
			require.Equal(t, 0, run([]string{"-out", out}, &stdout, &stderr), stderr.String())
			got, err := filepath.Glob(filepath.Join(out, "*.json"))
			require.NoError(t, err)
			require.NotEmpty(t, got)
			golden := filepath.Join("testdata", name)
			if *update {
				require.NoError(t, os.RemoveAll(golden))
				require.NoError(t, os.MkdirAll(golden, 0o755))
			}
			want, err := filepath.Glob(filepath.Join(golden, "*.json"))
			require.NoError(t, err)
			if !*update {
				require.Len(t, got, len(want), "files written: %v", got)
			}
			again := t.TempDir()
			require.Equal(t, 0, run([]string{"-out", again}, &stdout, &stderr))
			for _, f := range got {
				data, err := os.ReadFile(f)
				require.NoError(t, err)
				second, err := os.ReadFile(filepath.Join(again, filepath.Base(f)))
				require.NoError(t, err)
				assert.Equal(t, string(data), string(second), "%s differs between runs", filepath.Base(f))
				assert.NotContains(t, string(data), out, "%s names a machine path", filepath.Base(f))
				g := filepath.Join(golden, filepath.Base(f))
				if *update {
					require.NoError(t, os.WriteFile(g, data, 0o644))
					continue
				}
				expected, err := os.ReadFile(g)
				require.NoError(t, err, "no golden for %s", filepath.Base(f))
				assert.Equal(t, string(expected), string(data), "%s", filepath.Base(f))
			}
		})
	}
}

// statements reads a written file's statements as a policy document.
func statements(t *testing.T, path string) policy.Document {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var f struct{ Statement json.RawMessage }
	require.NoError(t, json.Unmarshal(data, &f))
	doc, err := policy.Parse(`{"Version":"2012-10-17","Statement":` + string(f.Statement) + `}`)
	require.NoError(t, err)
	return doc
}

// TestStatementsLetTheTrailDeliver: a bucket policy made of the written
// statements lets CloudTrail deliver this trail's files and refuses another
// trail's; a key policy made of a copy's statements lets CloudTrail encrypt
// for this trail and the reader decrypt, and nobody else.
func TestStatementsLetTheTrailDeliver(t *testing.T) {
	for name, path := range cases {
		t.Run(name, func(t *testing.T) {
			t.Setenv(config.EnvVar, path)
			cfg, err := config.Load(path)
			require.NoError(t, err)
			out := t.TempDir()
			var stdout, stderr bytes.Buffer
			require.Equal(t, 0, run([]string{"-out", out}, &stdout, &stderr), stderr.String())
			trail := cfg.TrailIdentity()
			other := trail
			other.Name = "other-trail"
			ct := policyeval.Principal{Service: policy.CloudTrailService}
			bucket := statements(t, filepath.Join(out, "bucket-policy.json"))
			arn := "arn:" + cfg.Partition() + ":s3:::" + cfg.Bucket.Name
			object := arn + "/" + policy.LogPathPrefix(cfg.Trail.S3KeyPrefix) + trail.Account + "/CloudTrail/us-east-1/2026/11/29/f.json.gz"
			ps := policyeval.Policies{Resource: &bucket, ResourceAccount: cfg.Accounts.LogArchive.ID}
			eval := func(req policyeval.Request, ps policyeval.Policies) policyeval.Decision {
				d, err := policyeval.Evaluate(req, ps)
				require.NoError(t, err)
				return d
			}
			ctx := func(source string, kv ...string) map[string][]string {
				m := map[string][]string{"aws:SourceArn": {source}, "aws:SecureTransport": {"true"}}
				for i := 0; i+1 < len(kv); i += 2 {
					m[kv[i]] = []string{kv[i+1]}
				}
				return m
			}
			assert.True(t, eval(policyeval.Request{Principal: ct, Action: "s3:GetBucketAcl", Resource: arn, Context: ctx(trail.ARN())}, ps).Allowed())
			assert.True(t, eval(policyeval.Request{Principal: ct, Action: "s3:PutObject", Resource: object, Context: ctx(trail.ARN(), "s3:x-amz-acl", "bucket-owner-full-control")}, ps).Allowed())
			assert.False(t, eval(policyeval.Request{Principal: ct, Action: "s3:PutObject", Resource: object, Context: ctx(other.ARN(), "s3:x-amz-acl", "bucket-owner-full-control")}, ps).Allowed())
			if org := cfg.OrganizationID; org != "" {
				orgObject := arn + "/" + policy.LogPathPrefix(cfg.Trail.S3KeyPrefix) + org + "/333333333333/CloudTrail/us-east-1/f.json.gz"
				assert.True(t, eval(policyeval.Request{Principal: ct, Action: "s3:PutObject", Resource: orgObject, Context: ctx(trail.ARN(), "s3:x-amz-acl", "bucket-owner-full-control")}, ps).Allowed())
			}
			for _, region := range cfg.KeyRegions() {
				key := statements(t, filepath.Join(out, "key-policy."+region+".json"))
				kps := policyeval.Policies{Resource: &key, ResourceAccount: cfg.Accounts.LogArchive.ID, KeyPolicy: true}
				ec := "kms:EncryptionContext:aws:cloudtrail:arn"
				assert.True(t, eval(policyeval.Request{Principal: ct, Action: "kms:GenerateDataKey", Resource: "*", Context: ctx(trail.ARN(), ec, trail.ARN())}, kps).Allowed(), region)
				assert.False(t, eval(policyeval.Request{Principal: ct, Action: "kms:GenerateDataKey", Resource: "*", Context: ctx(other.ARN(), ec, other.ARN())}, kps).Allowed(), region)
				outsider := policyeval.Principal{ARN: "arn:aws:iam::999999999999:role/Admin"}
				kps.Identity = []policy.Document{policyeval.AllowAll}
				assert.False(t, eval(policyeval.Request{Principal: outsider, Action: "kms:Decrypt", Resource: "*", Context: map[string][]string{ec: {trail.ARN()}, "kms:CallerAccount": {"999999999999"}}}, kps).Allowed(), region)
				for _, r := range cfg.Key.Readers {
					reader := policyeval.Principal{ARN: "arn:aws:iam::" + r + ":role/LogReader"}
					assert.True(t, eval(policyeval.Request{Principal: reader, Action: "kms:Decrypt", Resource: "*", Context: map[string][]string{ec: {trail.ARN()}, "kms:CallerAccount": {r}}}, kps).Allowed(), region)
				}
			}
		})
	}
}

func TestVersion(t *testing.T) {
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run([]string{"--version"}, &stdout, &stderr))
	assert.Contains(t, stdout.String(), "required-policy")
}

// TestVerifierPolicy: with key.verifiers, the command writes the verifiers'
// identity policy whatever made the bucket and key (the organization
// example creates both, and gets that file only), as a whole policy
// document equal to config.Config.VerifierPolicy, golden, the same at
// every run; without verifiers, nothing.
func TestVerifierPolicy(t *testing.T) {
	path := "../../examples/organization.yaml"
	t.Setenv(config.EnvVar, path)
	cfg, err := config.Load(path)
	require.NoError(t, err)
	require.NotEmpty(t, cfg.Key.Verifiers)
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run([]string{"-out", out}, &stdout, &stderr), stderr.String())
	files, err := filepath.Glob(filepath.Join(out, "*.json"))
	require.NoError(t, err)
	require.Equal(t, []string{filepath.Join(out, verifierPolicyFile)}, files)
	data, err := os.ReadFile(files[0])
	require.NoError(t, err)
	golden := filepath.Join("testdata", "organization", verifierPolicyFile)
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(golden), 0o755))
		require.NoError(t, os.WriteFile(golden, data, 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(data))
	// The file is the policy document itself: what IAM takes as written.
	doc, err := policy.Parse(string(data))
	require.NoError(t, err)
	expected, err := cfg.VerifierPolicy()
	require.NoError(t, err)
	assert.Equal(t, *expected, doc)

	t.Setenv(config.EnvVar, "../../testdata/variants/existing-bucket-and-key.yaml")
	out = t.TempDir()
	stdout.Reset()
	require.Equal(t, 0, run([]string{"-out", out}, &stdout, &stderr), stderr.String())
	_, err = os.Stat(filepath.Join(out, verifierPolicyFile))
	assert.True(t, os.IsNotExist(err), "no verifiers, no verifier policy")

	t.Setenv(config.EnvVar, "")
	stdout.Reset()
	require.Equal(t, 0, run([]string{"-out", t.TempDir()}, &stdout, &stderr), stderr.String())
	assert.Contains(t, stdout.String(), "nothing to add")
}

// TestVerifierStatementsOnASharedBucketAndKey: on a bucket and key made
// elsewhere, the statements written for their owners let a verifier list
// and read this trail's paths and decrypt its files through S3 with an
// object ARN or this trail's CloudTrail context, and nothing of the rest of
// the bucket: not its other paths, not the bucket-ARN context (which names
// every object the key encrypts there), not outside S3.
func TestVerifierStatementsOnASharedBucketAndKey(t *testing.T) {
	path := "../../testdata/warn/existing-bucket-and-key.yaml"
	t.Setenv(config.EnvVar, path)
	cfg, err := config.Load(path)
	require.NoError(t, err)
	require.Len(t, cfg.Key.Verifiers, 1)
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run([]string{"-out", out}, &stdout, &stderr), stderr.String())
	bucket := statements(t, filepath.Join(out, "bucket-policy.json"))
	key := statements(t, filepath.Join(out, "key-policy.us-east-1.json"))
	identity, err := policy.Parse(readFile(t, filepath.Join(out, verifierPolicyFile)))
	require.NoError(t, err)
	verifier := policyeval.Principal{ARN: cfg.Key.Verifiers[0]}
	acct := verifier.Account()
	arn := "arn:aws:s3:::" + cfg.Bucket.Name
	paths := policy.TrailLogPaths(cfg.Trail.S3KeyPrefix, cfg.TrailIdentity().Account, cfg.OrganizationID)
	object := arn + "/" + paths[1] + "333333333333/CloudTrail-Digest/us-east-1/2026/11/29/d.json.gz"
	keyArn := cfg.ExistingKeyARNs()["us-east-1"]
	decide := func(req policyeval.Request, resource policy.Document, isKey bool) policyeval.Decision {
		t.Helper()
		if req.Context == nil {
			req.Context = map[string][]string{}
		}
		req.Context["aws:SecureTransport"] = []string{"true"}
		d, err := policyeval.Evaluate(req, policyeval.Policies{Resource: &resource, ResourceAccount: cfg.Accounts.LogArchive.ID, KeyPolicy: isKey, Identity: []policy.Document{identity}})
		require.NoError(t, err)
		return d
	}
	s3 := func(action, resource string, kv ...string) policyeval.Request {
		ctx := map[string][]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			ctx[kv[i]] = []string{kv[i+1]}
		}
		return policyeval.Request{Principal: verifier, Action: action, Resource: resource, Context: ctx}
	}
	kms := func(kv ...string) policyeval.Request {
		return s3("kms:Decrypt", keyArn, append([]string{"kms:CallerAccount", acct}, kv...)...)
	}
	via := "s3.us-east-1.amazonaws.com"
	for name, req := range map[string]policyeval.Request{
		"listing versions under the organization path": s3("s3:ListBucketVersions", arn, "s3:prefix", paths[1]),
		"reading an earlier version of a digest file":  s3("s3:GetObjectVersion", object),
	} {
		assert.Equal(t, policyeval.Allow, decide(req, bucket, false), name)
	}
	for name, req := range map[string]policyeval.Request{
		"decrypting with the object's S3 context through S3": kms("kms:ViaService", via, "kms:EncryptionContext:aws:s3:arn", object),
		"decrypting with this trail's CloudTrail context":    kms("kms:ViaService", via, "kms:EncryptionContext:aws:cloudtrail:arn", cfg.TrailIdentity().ARN()),
	} {
		assert.Equal(t, policyeval.Allow, decide(req, key, true), name)
	}
	for name, req := range map[string]policyeval.Request{
		"listing the landing zone's AWSLogs/":     s3("s3:ListBucket", arn, "s3:prefix", "AWSLogs/"),
		"reading AWS Config's snapshot":           s3("s3:GetObject", arn+"/AWSLogs/222222222222/Config/us-east-1/x.json.gz"),
		"decrypting with the bucket-ARN context":  kms("kms:ViaService", via, "kms:EncryptionContext:aws:s3:arn", arn),
		"decrypting another trail's file":         kms("kms:ViaService", via, "kms:EncryptionContext:aws:cloudtrail:arn", "arn:aws:cloudtrail:us-east-1:111111111111:trail/landing-zone"),
		"decrypting this trail's file outside S3": kms("kms:EncryptionContext:aws:cloudtrail:arn", cfg.TrailIdentity().ARN()),
	} {
		doc, isKey := bucket, false
		if req.Action == "kms:Decrypt" {
			doc, isKey = key, true
		}
		assert.NotEqual(t, policyeval.Allow, decide(req, doc, isKey), name)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(data)
}
