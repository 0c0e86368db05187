package policy

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func exampleGuardrails() Guardrails {
	return Guardrails{
		Trail:      Trail{Partition: "aws", Region: "us-east-1", Account: "111122223333", Name: "org-trail"},
		KeyAccount: "444455556666",
		LogBuckets: []string{"logs-444455556666", "logs-444455556666-access-logs"},
		Deployers:  []string{"arn:aws:iam::111122223333:role/Deployer", "arn:aws:iam::444455556666:role/Deployer"},
		BreakGlass: []string{"arn:aws:iam::444455556666:role/BreakGlass", "arn:aws:iam::444455556666:user/glass"},
	}
}

func TestGuardrailPolicyStatements(t *testing.T) {
	doc, err := GuardrailPolicy(exampleGuardrails())
	require.NoError(t, err)
	exempt := Values{
		"arn:aws:iam::111122223333:role/Deployer", "arn:aws:iam::444455556666:role/BreakGlass",
		"arn:aws:iam::444455556666:role/Deployer", "arn:aws:iam::444455556666:user/glass",
	}
	key, ok := doc.StatementBySid(SidGuardKey)
	require.True(t, ok)
	assert.Equal(t, Deny, key.Effect)
	assert.Equal(t, Values{"arn:aws:kms:*:444455556666:key/*"}, key.Resource)
	assert.Equal(t, Values{"org-trail"}, key.Condition["StringEquals"]["aws:ResourceTag/"+GuardTagKey])
	assert.Equal(t, exempt, key.Condition["ArnNotLike"]["aws:PrincipalArn"])
	assert.Contains(t, key.Action, "kms:ScheduleKeyDeletion")
	assert.Contains(t, key.Action, "kms:UntagResource", "removing the tag would lift the guardrail")

	buckets, ok := doc.StatementBySid(SidGuardLogBuckets)
	require.True(t, ok)
	assert.Equal(t, Values{
		"arn:aws:s3:::logs-444455556666", "arn:aws:s3:::logs-444455556666/*",
		"arn:aws:s3:::logs-444455556666-access-logs", "arn:aws:s3:::logs-444455556666-access-logs/*",
	}, buckets.Resource)
	assert.Equal(t, exempt, buckets.Condition["ArnNotLike"]["aws:PrincipalArn"])
	// s3:PutObject is denied to IAM principals (no forged log files);
	// CloudTrail and S3 server access logging write as service principals,
	// which service control policies do not govern.
	for _, a := range []string{"s3:PutBucketPolicy", "s3:DeleteObject", "s3:PutReplicationConfiguration", "s3:PutEncryptionConfiguration", "s3:PutBucketPublicAccessBlock", "s3:PutObject", "s3:PutBucketRequestPayment"} {
		assert.Contains(t, buckets.Action, a)
	}
	for _, a := range []string{"s3:ReplicateObject", "s3:ReplicateTags", "s3:GetObjectVersionForReplication"} {
		assert.NotContains(t, buckets.Action, a, "the replication role (an IAM role, governed) must still replicate")
	}

	trail, ok := doc.StatementBySid(SidGuardTrail)
	require.True(t, ok)
	assert.Equal(t, Values{"arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail"}, trail.Resource)

	principals, ok := doc.StatementBySid(SidGuardExemptPrincipals)
	require.True(t, ok)
	assert.Equal(t, Values{
		"arn:aws:iam::111122223333:role/Deployer", "arn:aws:iam::444455556666:role/BreakGlass",
		"arn:aws:iam::444455556666:role/Deployer", "arn:aws:iam::444455556666:user/glass",
	}, principals.Resource)
	assert.Contains(t, principals.Action, "iam:UpdateAssumeRolePolicy")
	assert.Contains(t, principals.Action, "iam:CreateAccessKey", "a break-glass user is exempt too")

	leave, ok := doc.StatementBySid(SidGuardLeaveOrganization)
	require.True(t, ok)
	assert.Empty(t, leave.Condition, "nobody is exempt from staying in the organization")
	assert.Equal(t, Values{"*"}, leave.Resource)

	for _, s := range doc.Statement {
		assert.True(t, s.Principal.IsZero(), "a service control policy names no principal (%s)", s.Sid)
	}
}

func TestGuardrailPolicyWithoutUsersHasNoUserActions(t *testing.T) {
	g := exampleGuardrails()
	g.BreakGlass = []string{"arn:aws:iam::444455556666:root"}
	doc, err := GuardrailPolicy(g)
	require.NoError(t, err)
	principals, ok := doc.StatementBySid(SidGuardExemptPrincipals)
	require.True(t, ok)
	assert.NotContains(t, principals.Action, "iam:CreateAccessKey")
	assert.NotContains(t, principals.Resource, "arn:aws:iam::444455556666:root", "the root user is no IAM resource")
}

func TestGuardrailPolicyRefusesBadInput(t *testing.T) {
	g := exampleGuardrails()
	g.Deployers = nil
	g.BreakGlass = []string{"*"}
	g.LogBuckets = nil
	_, err := GuardrailPolicy(g)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Guardrails.Deployers: must name at least one role")
	assert.Contains(t, err.Error(), "Guardrails.BreakGlass[0]: must be an IAM principal ARN")
	assert.Contains(t, err.Error(), "Guardrails.LogBuckets: must name at least one bucket")
}

// largest is the largest configuration the guardrails serve: the longest
// trail name (128) and bucket names (63), four log buckets, both deploying
// roles and n break-glass roles with the longest role names (64), no paths.
func largest(n int) Guardrails {
	role := func(acct, prefix string) string {
		return "arn:aws-us-gov:iam::" + acct + ":role/" + prefix + strings.Repeat("r", 64-len(prefix))
	}
	bucket := func(suffix string) string { return strings.Repeat("b", 63-len(suffix)) + suffix }
	g := Guardrails{
		Trail:      Trail{Partition: "aws-us-gov", Region: "us-gov-west-1", Account: "111122223333", Name: strings.Repeat("t", 128)},
		KeyAccount: "444455556666",
		LogBuckets: []string{bucket("1"), bucket("2"), bucket("3"), bucket("4")},
		Deployers:  []string{role("111122223333", "d"), role("444455556666", "d")},
		// The replication role (longest name) and a delegated
		// administrator's delivery role (a name prefix).
		PipelineRoles: []string{role("444455556666", "p"), "arn:aws-us-gov:iam::777788889999:role/" + CloudWatchLogsRoleNamePrefix + "*"},
	}
	for i := 0; i < n; i++ {
		g.BreakGlass = append(g.BreakGlass, role("444455556666", fmt.Sprintf("g%d", i)))
	}
	return g
}

// MaxSCPBytes is AWS Organizations' limit; the largest configuration with
// two break-glass roles and both pipeline roles fits (4,022 bytes without
// any break-glass role, about 525 more per break-glass role at these
// lengths: 5,072 with two), and a larger one is refused, not
// truncated.
func TestGuardrailPolicySize(t *testing.T) {
	s, err := GuardrailPolicyJSON(largest(2))
	require.NoError(t, err)
	assert.LessOrEqual(t, len(s), MaxSCPBytes)
	assert.NotContains(t, s, " ", "rendered without white space")
	assert.NotContains(t, s, "\n")
	doc, err := Parse(s)
	require.NoError(t, err)
	assert.Len(t, doc.Statement, 5)

	_, err = GuardrailPolicyJSON(largest(3))
	var tooLarge *SCPTooLargeError
	require.True(t, errors.As(err, &tooLarge), "got %v", err)
	assert.Greater(t, tooLarge.Bytes, MaxSCPBytes)
}
