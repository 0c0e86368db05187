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

// TestSynth synthesizes the app and checks what a user of the constructs
// relies on: the trail writes to the existing bucket with the key's copy in
// its region, nothing is created for the bucket, the auditor's grant is in
// the synthesized key policy, and AWS's evaluation (package policyeval) lets the
// auditor decrypt a log file through S3 and get it from the bucket once its
// owner has added RequiredPolicy. The stack declares the AWS provider
// version range of the constructs (constructs.ProviderConstraint), not the
// bindings' exact pin.
func TestSynth(t *testing.T) {
	stack, audit, err := NewAuditStack(cdktf.Testing_App(nil), "audit")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Resource  map[string]map[string]map[string]any `json:"resource"`
		Terraform struct {
			RequiredProviders map[string]struct {
				Version string `json:"version"`
			} `json:"required_providers"`
		} `json:"terraform"`
	}
	if err := json.Unmarshal([]byte(*cdktf.Testing_Synth(stack, nil)), &doc); err != nil {
		t.Fatal(err)
	}
	var pin string
	for _, p := range *stack.AllProviders() {
		if aws, ok := p.(provider.AwsProvider); ok {
			pin = *aws.TerraformGeneratorMetadata().ProviderVersion
		}
	}
	want, err := ctmrk.ProviderConstraint(pin)
	if err != nil {
		t.Fatal(err)
	}
	if got := doc.Terraform.RequiredProviders["aws"].Version; got != want || got == pin {
		t.Errorf("required_providers.aws.version = %q, want %q (the bindings pin %q)", got, want, pin)
	}
	only := func(typ string) map[string]any {
		t.Helper()
		if len(doc.Resource[typ]) != 1 {
			t.Fatalf("want one %s, have %d", typ, len(doc.Resource[typ]))
		}
		for _, body := range doc.Resource[typ] {
			return body
		}
		return nil
	}
	for _, typ := range []string{"aws_s3_bucket", "aws_s3_bucket_policy"} {
		if n := len(doc.Resource[typ]); n != 0 {
			t.Errorf("%d %s created for a bucket that exists", n, typ)
		}
	}
	trail := only("aws_cloudtrail")
	if trail["s3_bucket_name"] != bucketName || trail["s3_key_prefix"] != bucketPrefix {
		t.Errorf("trail writes to %v/%v", trail["s3_bucket_name"], trail["s3_key_prefix"])
	}
	var keyName string
	for name := range doc.Resource["aws_kms_key"] {
		if doc.Resource["aws_kms_key"][name]["multi_region"] == true {
			keyName = name
		}
	}
	if want := "${aws_kms_key." + keyName + ".arn}"; keyName == "" || trail["kms_key_id"] != want {
		t.Errorf("kms_key_id = %v, want %s", trail["kms_key_id"], want)
	}

	keyPolicy, err := policy.Parse(doc.Resource["aws_kms_key"][keyName]["policy"].(string))
	if err != nil {
		t.Fatal(err)
	}
	reader := policyeval.Principal{ARN: "arn:aws:sts::444455556666:assumed-role/SecurityAuditor/s"}
	decrypt := policyeval.Request{Principal: reader, Action: "kms:Decrypt", Resource: "*", Context: map[string][]string{
		"kms:CallerAccount":                {"444455556666"},
		"kms:ViaService":                   {"s3." + homeRegion + ".amazonaws.com"},
		"kms:EncryptionContext:aws:s3:arn": {"arn:aws:s3:::" + bucketName},
	}}
	ps := policyeval.Policies{Resource: &keyPolicy, ResourceAccount: account, KeyPolicy: true, Identity: []policy.Document{policyeval.AllowAll}}
	if d, err := policyeval.Evaluate(decrypt, ps); err != nil || d != policyeval.Allow {
		t.Errorf("auditor decrypting through S3: %v %v", d, err)
	}

	required := audit.Bucket.RequiredPolicy()
	get := policyeval.Request{Principal: reader, Action: "s3:GetObject",
		Resource: "arn:aws:s3:::" + bucketName + "/" + bucketPrefix + "/AWSLogs/" + account + "/CloudTrail/" + homeRegion + "/f.json.gz",
		Context:  map[string][]string{"aws:SecureTransport": {"true"}}}
	if d, err := policyeval.Evaluate(get, policyeval.Policies{Resource: &required, ResourceAccount: account, Identity: []policy.Document{policyeval.AllowAll}}); err != nil || d != policyeval.Allow {
		t.Errorf("auditor getting a log file under RequiredPolicy: %v %v", d, err)
	}
	if stmts, err := audit.Trail.RequiredKeyStatements(); err != nil || len(stmts) != 3 {
		t.Errorf("RequiredKeyStatements: %v %v", stmts, err)
	}
}
