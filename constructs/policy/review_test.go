package policy_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/policyeval"
)

// TestReviewCutover: the security review's cutover cases (review 4, S2 and
// B1). No delivering trail writes into another's tree; a trail of another
// account than the management account gets no organization path; and on a
// shared bucket (SharedBucket) whose owner keeps a broad CloudTrail allow
// of its own, the per-tree denies still keep each trail in its tree.
func TestReviewCutover(t *testing.T) {
	own := policy.Trail{Partition: "aws", Region: "us-east-1", Account: "111122223333", Name: "organization-trail"}
	legacy := "arn:aws:cloudtrail:us-east-1:111122223333:trail/org-audit-legacy"
	member := "arn:aws:cloudtrail:eu-west-1:555566667777:trail/member-trail"
	props := policy.BucketPolicyProps{BucketName: "b-444455556666", KeyPrefix: "org", Trail: own, OrganizationID: "o-exampleorg1",
		AdditionalTrails: []policy.DeliveringTrail{{ARN: legacy, KeyPrefix: "legacy"}, {ARN: member, KeyPrefix: "member"}}}
	owned, err := policy.TrailBucketPolicy(props)
	require.NoError(t, err)
	props.SharedBucket = true
	shared, err := policy.TrailBucketPolicy(props)
	require.NoError(t, err)
	// An owner's pre-existing broad statement on a landing-zone bucket (AWS's older sample: no SourceArn).
	broad := shared
	broad.Statement = append(append([]policy.Statement(nil), shared.Statement...), policy.Statement{Sid: "OwnersOldCloudTrailWrite", Effect: policy.Allow,
		Principal: policy.ServicePrincipal("cloudtrail.amazonaws.com"), Action: policy.Values{"s3:PutObject"}, Resource: policy.Values{"arn:aws:s3:::b-444455556666/*"},
		Condition: policy.Conditions{}.Add("StringEquals", "s3:x-amz-acl", "bucket-owner-full-control")})
	ct := policyeval.Principal{Service: "cloudtrail.amazonaws.com"}
	put := func(src, key string) policyeval.Request {
		return policyeval.Request{Principal: ct, Action: "s3:PutObject", Resource: "arn:aws:s3:::b-444455556666/" + key,
			Context: map[string][]string{"aws:SecureTransport": {"true"}, "aws:SourceArn": {src}, "s3:x-amz-acl": {"bucket-owner-full-control"}}}
	}
	for _, c := range []struct {
		name  string
		doc   policy.Document
		req   policyeval.Request
		allow bool
	}{
		{"legacy -> own tree (our policy only)", owned, put(legacy, "org/AWSLogs/o-exampleorg1/222233334444/CloudTrail/x.json.gz"), false},
		{"legacy -> own tree (shared, our policy only)", shared, put(legacy, "org/AWSLogs/o-exampleorg1/222233334444/CloudTrail/x.json.gz"), false},
		{"legacy -> member's tree (our policy only)", owned, put(legacy, "member/AWSLogs/555566667777/CloudTrail/x.json.gz"), false},
		{"member account trail -> org path of its own tree", owned, put(member, "member/AWSLogs/o-exampleorg1/222233334444/CloudTrail/us-east-1/x.json.gz"), false},
		{"member account trail -> org path of its own tree (shared)", shared, put(member, "member/AWSLogs/o-exampleorg1/222233334444/CloudTrail/us-east-1/x.json.gz"), false},
		{"member account trail -> its account's path", owned, put(member, "member/AWSLogs/555566667777/CloudTrail/eu-west-1/x.json.gz"), true},
		{"legacy (management account) -> org path of its own tree", owned, put(legacy, "legacy/AWSLogs/o-exampleorg1/222233334444/CloudTrail/x.json.gz"), true},
		{"legacy -> own tree, with owner's broad allow", broad, put(legacy, "org/AWSLogs/o-exampleorg1/222233334444/CloudTrail/x.json.gz"), false},
		{"own trail -> legacy tree, with owner's broad allow", broad, put(own.ARN(), "legacy/AWSLogs/o-exampleorg1/222233334444/CloudTrail/x.json.gz"), false},
		{"member -> legacy tree, with owner's broad allow", broad, put(member, "legacy/AWSLogs/555566667777/CloudTrail/x.json.gz"), false},
		{"own trail -> own tree, with owner's broad allow", broad, put(own.ARN(), "org/AWSLogs/o-exampleorg1/222233334444/CloudTrail/x.json.gz"), true},
		{"unlisted trail -> outside every tree, with owner's broad allow (not ours to stop)", broad, put("arn:aws:cloudtrail:us-east-1:111122223333:trail/lz", "o-lz/AWSLogs/o-exampleorg1/222233334444/CloudTrail/x.json.gz"), true},
	} {
		d, err := policyeval.Evaluate(c.req, policyeval.Policies{Resource: &c.doc, ResourceAccount: "444455556666"})
		require.NoError(t, err, c.name)
		assert.Equal(t, c.allow, d.Allowed(), "%s: got %v", c.name, d)
	}
}

// TestSharedBucketNeedsPrefixes (B1): with SharedBucket, a bare AWSLogs/ is
// refused for the trail and for every listed trail.
func TestSharedBucketNeedsPrefixes(t *testing.T) {
	own := policy.Trail{Partition: "aws", Region: "us-east-1", Account: "111122223333", Name: "organization-trail"}
	_, err := policy.TrailBucketPolicy(policy.BucketPolicyProps{BucketName: "b-444455556666", Trail: own, SharedBucket: true,
		AdditionalTrails: []policy.DeliveringTrail{{ARN: "arn:aws:cloudtrail:us-east-1:111122223333:trail/old"}}})
	require.Error(t, err)
	assert.ErrorContains(t, err, "BucketPolicyProps.KeyPrefix: is required with SharedBucket")
	assert.ErrorContains(t, err, "BucketPolicyProps.AdditionalTrails[0].KeyPrefix: is required with SharedBucket")
}
