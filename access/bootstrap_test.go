package access

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The organization example's bootstrap: every expectation is there, and
// holds.
func TestBootstrapExpectationsRun(t *testing.T) {
	cfg, stacks := golden(t, "organization")
	results, err := Check(cfg, stacks)
	require.NoError(t, err)
	assert.Empty(t, failures(results))
	all := resultLines(results)
	la := "arn:aws:iam::444455556666:role/CloudTrailLogArchiveDeployer"
	mg := "arn:aws:iam::111122223333:role/CloudTrailDeployer"
	for _, want := range []string{
		"the deploying role " + la + " (its bootstrap policies) s3:GetObject on an object of example-org-cloudtrail-444455556666 must be denied",
		"the deploying role " + la + " (its bootstrap policies) s3:DeleteObject on an object of example-org-cloudtrail-444455556666-usw2 must be denied",
		"the deploying role " + la + " (its bootstrap policies) kms:Decrypt with the key copy in us-west-2 must be denied",
		"the deploying role " + la + " (its bootstrap policies) kms:GenerateDataKey with the key copy in us-east-1 must be denied",
		"the deploying role " + la + " (its bootstrap policies) kms:ReEncryptFrom with the key copy in eu-west-1 must be denied",
		"the deploying role " + la + " (its bootstrap policies) s3:PutBucketPolicy on example-org-cloudtrail-444455556666 must be allowed (got Allow)",
		"the deploying role " + la + " (its bootstrap policies) kms:PutKeyPolicy on the key copy in us-east-1 must be allowed (got Allow)",
		"the deploying role " + la + " iam:PutRolePolicy on itself must be denied",
		"the deploying role " + la + " iam:PutRolePolicy on the replication role must be allowed (got Allow)",
		"the deploying role " + mg + " (its bootstrap policies) kms:Decrypt with the key copy in us-east-1 must be denied",
		"the deploying role " + mg + " (its bootstrap policies) s3:GetObject on an object of example-org-cloudtrail-444455556666 must be denied",
		"trusted principal arn:aws:iam::111122223333:role/TerraformRunner assuming " + la + " must be allowed (got Allow)",
		"an administrator of 444455556666 allowed everything by IAM assuming " + la + " must be denied",
		"the state role s3:GetObject on a state object must be allowed (got Allow)",
		"the state role s3:DeleteObject on a lock file must be allowed (got Allow)",
		"the state role s3:DeleteObject on a state object must be denied",
		"the state role s3:GetObject on a log object must be denied",
		"an administrator of 444455556666 allowed everything by IAM reading a state object without TLS must be denied (got ExplicitDeny)",
	} {
		assert.Contains(t, all, want)
	}
}

// editPolicy rewrites the policy attribute (attr) of the resources of type
// typ whose construct id starts with prefix.
func editPolicy(t *testing.T, typ, prefix, attr string, change func(doc map[string]any)) func(string) string {
	return func(s string) string {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(s), &m))
		n := 0
		for id, body := range m["resource"].(map[string]any)[typ].(map[string]any) {
			if !strings.HasPrefix(id, prefix) {
				continue
			}
			res := body.(map[string]any)
			var doc map[string]any
			require.NoError(t, json.Unmarshal([]byte(res[attr].(string)), &doc))
			change(doc)
			b, err := json.Marshal(doc)
			require.NoError(t, err)
			res[attr] = string(b)
			n++
		}
		require.NotZero(t, n, "no %s %s*", typ, prefix)
		b, err := json.Marshal(m)
		require.NoError(t, err)
		return string(b)
	}
}

func addStatement(st map[string]any) func(map[string]any) {
	return func(doc map[string]any) { doc["Statement"] = append(doc["Statement"].([]any), st) }
}

func TestBootstrapSeededDefectsAreCaught(t *testing.T) {
	la := "arn:aws:iam::444455556666:role/CloudTrailLogArchiveDeployer"
	requireEachCaught(t, []seededDefect{
		{
			"a deploying policy with s3:GetObject on the log bucket", "organization", "bootstrap-log-archive",
			editPolicy(t, "aws_iam_role_policy", "DeployingRole_CloudTrailLogArchiveDeployer_storage", "policy", addStatement(map[string]any{
				"Sid": "Seeded", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-org-cloudtrail-444455556666/*"})),
			"the deploying role " + la + " (its bootstrap policies) s3:GetObject on an object of example-org-cloudtrail-444455556666 must be denied (got Allow)",
		},
		{
			"a deploying policy with kms:Decrypt on the account's keys", "organization", "bootstrap-log-archive",
			editPolicy(t, "aws_iam_role_policy", "DeployingRole_CloudTrailLogArchiveDeployer_keys", "policy", addStatement(map[string]any{
				"Sid": "Seeded", "Effect": "Allow", "Action": []any{"kms:Decrypt", "kms:GenerateDataKey"}, "Resource": "arn:aws:kms:*:444455556666:key/*"})),
			"the deploying role " + la + " (its bootstrap policies) kms:Decrypt with the key copy in us-east-1 must be denied (got Allow)",
		},
		{
			"a deploying role that may rewrite its own policies", "organization", "bootstrap-log-archive",
			editPolicy(t, "aws_iam_role_policy", "DeployingRole_CloudTrailLogArchiveDeployer_roles", "policy", addStatement(map[string]any{
				"Sid": "Seeded", "Effect": "Allow", "Action": "iam:PutRolePolicy", "Resource": "arn:aws:iam::444455556666:role/*"})),
			"the deploying role " + la + " iam:PutRolePolicy on itself must be denied (got Allow)",
		},
		{
			"a deploying role trusting its whole account", "organization", "bootstrap-log-archive",
			editPolicy(t, "aws_iam_role", "DeployingRole_CloudTrailLogArchiveDeployer", "assume_role_policy", func(doc map[string]any) {
				doc["Statement"].([]any)[0].(map[string]any)["Principal"] = map[string]any{"AWS": "arn:aws:iam::444455556666:root"}
			}),
			"an administrator of 444455556666 allowed everything by IAM assuming " + la + " must be denied (got Allow)",
		},
		{
			"the state bucket's TLS deny removed", "organization", "bootstrap-log-archive",
			editPolicy(t, "aws_s3_bucket_policy", "StateBucketPolicy", "policy", func(doc map[string]any) {
				doc["Statement"] = []any{map[string]any{"Sid": "Nothing", "Effect": "Deny", "Principal": "*", "Action": "s3:PutBucketAcl", "Resource": "arn:aws:s3:::example-terraform-state-444455556666"}}
			}),
			"reading a state object without TLS must be denied (got Allow)",
		},
		{
			"a state role that may delete the state", "organization", "bootstrap-log-archive",
			editPolicy(t, "aws_iam_role_policy", "StateRolePolicy", "policy", addStatement(map[string]any{
				"Sid": "Seeded", "Effect": "Allow", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::example-terraform-state-444455556666/cloudtrail-mrk/*"})),
			"the state role s3:DeleteObject on a state object must be denied (got Allow)",
		},
	})
}

// A deploying policy that allowed deleting every object would still be
// refused by the log buckets' own deletion deny: the check shows the
// layers, each on its own (docs/protections.md).
func TestBootstrapDeletesStayDeniedByTheBucketPolicy(t *testing.T) {
	cfg, stacks := mutate(t, "organization", "bootstrap-log-archive",
		editPolicy(t, "aws_iam_role_policy", "DeployingRole_CloudTrailLogArchiveDeployer_storage", "policy", addStatement(map[string]any{
			"Sid": "Seeded", "Effect": "Allow", "Action": "s3:Delete*", "Resource": "*"})))
	results, err := Check(cfg, stacks)
	require.NoError(t, err)
	assert.Empty(t, failures(results))
	assert.Contains(t, resultLines(results), "s3:DeleteObjectVersion on an object of example-org-cloudtrail-444455556666 must be denied (got ExplicitDeny)")
}
