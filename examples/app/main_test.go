package main

import (
	"encoding/json"
	"testing"

	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/provider"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	ctmrk "github.com/cloudtrail-mrk/cloudtrail-mrk/constructs"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/policyeval"
)

// synthesized is the stack as Terraform gets it.
type synthesized struct {
	Resource  map[string]map[string]map[string]any `json:"resource"`
	Terraform struct {
		RequiredProviders map[string]struct {
			Version string `json:"version"`
		} `json:"required_providers"`
	} `json:"terraform"`
	// pin is the bindings' exact AWS provider version.
	pin string
}

func synth(t *testing.T) (synthesized, *Audit) {
	t.Helper()
	stack, audit, err := NewAuditStack(cdktf.Testing_App(nil), "audit")
	if err != nil {
		t.Fatal(err)
	}
	var doc synthesized
	if err := json.Unmarshal([]byte(*cdktf.Testing_Synth(stack, nil)), &doc); err != nil {
		t.Fatal(err)
	}
	for _, p := range *stack.AllProviders() {
		if aws, ok := p.(provider.AwsProvider); ok {
			doc.pin = *aws.TerraformGeneratorMetadata().ProviderVersion
		}
	}
	return doc, audit
}

// policyOf parses the policy attribute of the one resource of typ for which
// match holds.
func policyOf(t *testing.T, doc synthesized, typ string, match func(map[string]any) bool) policy.Document {
	t.Helper()
	var found []map[string]any
	for _, body := range doc.Resource[typ] {
		if match(body) {
			found = append(found, body)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one matching %s, have %d", typ, len(found))
	}
	p, err := policy.Parse(found[0]["policy"].(string))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSynth synthesizes the app, built without a policy, and judges what
// Terraform gets with AWS's evaluation (package policyeval): the trail can
// deliver and encrypt, the auditor granted afterwards can read and decrypt,
// and nobody else can, nor can anyone delete a log file or write one that
// the trail did not.
func TestSynth(t *testing.T) {
	doc, audit := synth(t)
	trailArn := "arn:aws:cloudtrail:" + homeRegion + ":" + account + ":trail/" + trailName
	if got := audit.Trail.TrailArn(); got != trailArn {
		t.Fatalf("trail ARN %s, want %s", got, trailArn)
	}
	if n := len(doc.Resource["aws_cloudtrail"]); n != 1 {
		t.Fatalf("%d trails", n)
	}
	var keyName string
	for name, body := range doc.Resource["aws_kms_key"] {
		if body["multi_region"] == true {
			keyName = name
		}
	}
	for _, body := range doc.Resource["aws_cloudtrail"] {
		if want := "${aws_kms_key." + keyName + ".arn}"; keyName == "" || body["kms_key_id"] != want || body["s3_bucket_name"] != bucketName {
			t.Errorf("the trail writes to %v with %v, want %s with %s", body["s3_bucket_name"], body["kms_key_id"], bucketName, want)
		}
	}
	if n := len(doc.Resource["aws_kms_replica_key"]); n != 1 {
		t.Errorf("%d replica keys, want 1 in %s", n, replicaRgn)
	}
	// The AWS provider version range of the constructs
	// (constructs.ProviderConstraint), not the bindings' exact pin.
	want, err := ctmrk.ProviderConstraint(doc.pin)
	if err != nil {
		t.Fatal(err)
	}
	if got := doc.Terraform.RequiredProviders["aws"].Version; got != want || got == doc.pin {
		t.Errorf("required_providers.aws.version = %q, want %q (the bindings pin %q)", got, want, doc.pin)
	}

	bucketPolicy := policyOf(t, doc, "aws_s3_bucket_policy", func(map[string]any) bool { return true })
	keyPolicy := policyOf(t, doc, "aws_kms_key", func(b map[string]any) bool { return b["multi_region"] == true })
	replicaPolicy := policyOf(t, doc, "aws_kms_replica_key", func(map[string]any) bool { return true })

	logFile := "arn:aws:s3:::" + bucketName + "/AWSLogs/" + account + "/CloudTrail/" + homeRegion + "/2026/12/03/f.json.gz"
	cloudtrail := policyeval.Principal{Service: policy.CloudTrailService}
	auditor := policyeval.Principal{ARN: "arn:aws:sts::444455556666:assumed-role/SecurityAuditor/s"}
	stranger := policyeval.Principal{ARN: "arn:aws:sts::999999999999:assumed-role/Anyone/s"}
	tls := map[string][]string{"aws:SecureTransport": {"true"}}
	onBucket := func(policyeval.Principal) policyeval.Policies {
		return policyeval.Policies{Resource: &bucketPolicy, ResourceAccount: account, Identity: []policy.Document{policyeval.AllowAll}}
	}
	onKey := func(doc *policy.Document) policyeval.Policies {
		return policyeval.Policies{Resource: doc, ResourceAccount: account, KeyPolicy: true, Identity: []policy.Document{policyeval.AllowAll}}
	}
	decryptViaS3 := map[string][]string{
		"kms:ViaService": {"s3." + homeRegion + ".amazonaws.com"}, "kms:EncryptionContext:aws:s3:arn": {"arn:aws:s3:::" + bucketName},
	}
	with := func(m map[string][]string, k, v string) map[string][]string {
		out := map[string][]string{k: {v}}
		for a, b := range m {
			out[a] = b
		}
		return out
	}
	cases := []struct {
		name string
		req  policyeval.Request
		ps   policyeval.Policies
		want bool
	}{
		{"CloudTrail delivers a log file", policyeval.Request{Principal: cloudtrail, Action: "s3:PutObject", Resource: logFile,
			Context: with(with(tls, "aws:SourceArn", trailArn), "s3:x-amz-acl", "bucket-owner-full-control")}, onBucket(cloudtrail), true},
		{"CloudTrail checks the bucket ACL", policyeval.Request{Principal: cloudtrail, Action: "s3:GetBucketAcl", Resource: "arn:aws:s3:::" + bucketName,
			Context: with(tls, "aws:SourceArn", trailArn)}, onBucket(cloudtrail), true},
		{"another trail delivers", policyeval.Request{Principal: cloudtrail, Action: "s3:PutObject", Resource: logFile,
			Context: with(with(tls, "aws:SourceArn", "arn:aws:cloudtrail:"+homeRegion+":999999999999:trail/x"), "s3:x-amz-acl", "bucket-owner-full-control")}, onBucket(cloudtrail), false},
		{"CloudTrail encrypts with the home copy", policyeval.Request{Principal: cloudtrail, Action: "kms:GenerateDataKey", Resource: "*",
			Context: map[string][]string{"aws:SourceArn": {trailArn}, "kms:EncryptionContext:aws:cloudtrail:arn": {trailArn}}}, onKey(&keyPolicy), true},
		{"the auditor reads a log file", policyeval.Request{Principal: auditor, Action: "s3:GetObject", Resource: logFile, Context: tls}, onBucket(auditor), true},
		{"the auditor decrypts it through S3", policyeval.Request{Principal: auditor, Action: "kms:Decrypt", Resource: "*",
			Context: with(decryptViaS3, "kms:CallerAccount", "444455556666")}, onKey(&keyPolicy), true},
		{"the auditor decrypts a log file on the replica", policyeval.Request{Principal: auditor, Action: "kms:Decrypt", Resource: "*",
			Context: map[string][]string{"kms:CallerAccount": {"444455556666"}, "kms:EncryptionContext:aws:cloudtrail:arn": {trailArn}}}, onKey(&replicaPolicy), true},
		{"the auditor deletes a log file", policyeval.Request{Principal: auditor, Action: "s3:DeleteObject", Resource: logFile, Context: tls}, onBucket(auditor), false},
		{"a stranger reads a log file", policyeval.Request{Principal: stranger, Action: "s3:GetObject", Resource: logFile, Context: tls}, onBucket(stranger), false},
		{"a stranger decrypts", policyeval.Request{Principal: stranger, Action: "kms:Decrypt", Resource: "*",
			Context: with(decryptViaS3, "kms:CallerAccount", "999999999999")}, onKey(&keyPolicy), false},
	}
	for _, c := range cases {
		d, err := policyeval.Evaluate(c.req, c.ps)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if d.Allowed() != c.want {
			t.Errorf("%s: %s, want allowed=%v", c.name, d, c.want)
		}
	}
}
