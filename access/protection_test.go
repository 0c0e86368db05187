package access

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func resultLines(results []Result) string {
	var b strings.Builder
	for _, r := range results {
		b.WriteString(r.String() + "\n")
	}
	return b.String()
}

// The organization example configures a deploying role and a break-glass
// role: every new expectation must be there, and hold.
func TestProtectionAndDataEventExpectationsRun(t *testing.T) {
	cfg, stacks := golden(t, "organization")
	results, err := Check(cfg, stacks)
	require.NoError(t, err)
	assert.Empty(t, failures(results))
	all := resultLines(results)
	for _, want := range []string{
		"a log-archive administrator allowed everything by IAM: s3:DeleteObject on a log object must be denied (got ExplicitDeny)",
		"a log-archive administrator allowed everything by IAM: s3:BypassGovernanceRetention on a log object must be denied (got ExplicitDeny)",
		"a log-archive administrator allowed everything by IAM: s3:PutLifecycleConfiguration must be denied (got ExplicitDeny)",
		"a log-archive administrator allowed everything by IAM: s3:PutBucketPolicy must be denied (got ExplicitDeny)",
		"the deploying role s3:PutBucketObjectLockConfiguration must be allowed (got Allow)",
		"the deploying role DeleteObject on a log object must be denied (got ExplicitDeny)",
		"break-glass arn:aws:iam::444455556666:role/LogArchiveBreakGlass DeleteObjectVersion on a log object must be allowed (got Allow)",
		"CloudTrail delivering with the protection denies in place must be allowed (got Allow)",
		"the replication role replicating into the recovery bucket must be allowed (got Allow)",
		"logging GetObject on an-application-bucket (CIS 3.9, data_events.s3_read) must be allowed (got Allow)",
		"logging the PutObject that delivers a log file into example-org-cloudtrail-444455556666-usw2 (it would log itself forever) must be denied",
	} {
		assert.Contains(t, all, want)
	}
	// Both log buckets carry the denies.
	assert.Contains(t, all, "log-archive/aws_s3_bucket_policy.RecoveryBucket_Policy")
	// So do both access-log buckets (docs/aws-rules.md#access-log-bucket-protection).
	for _, name := range []string{"example-org-cloudtrail-444455556666-access-logs", "example-org-cloudtrail-444455556666-usw2-access-logs"} {
		for _, want := range []string{
			"a log-archive administrator allowed s3:* by IAM: s3:DeleteObject on an access log in " + name + " must be denied (got ExplicitDeny)",
			"a log-archive administrator allowed s3:* by IAM: s3:DeleteObjectVersion on an access log in " + name + " must be denied (got ExplicitDeny)",
			"a log-archive administrator allowed s3:* by IAM: s3:DeleteBucketPolicy on " + name + " must be denied (got ExplicitDeny)",
			"a log-archive administrator allowed s3:* by IAM: s3:PutBucketPolicy on " + name + " must be denied (got ExplicitDeny)",
			"a log-archive administrator allowed s3:* by IAM: s3:PutLifecycleConfiguration on " + name + " must be denied (got ExplicitDeny)",
			"the deploying role s3:PutBucketPolicy on " + name + " must be allowed (got Allow)",
			"the deploying role DeleteObject on an access log in " + name + " must be denied (got ExplicitDeny)",
			"break-glass arn:aws:iam::444455556666:role/LogArchiveBreakGlass DeleteObjectVersion on an access log in " + name + " must be allowed (got Allow)",
			"into " + name + " with the protection denies in place must be allowed (got Allow)",
		} {
			assert.Contains(t, all, want)
		}
	}
}

// withoutStatement drops the statement sid from the policy of the one
// resource of type typ whose construct id starts with prefix.
func withoutStatement(t *testing.T, typ, prefix, sid string) func(string) string {
	return func(s string) string {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(s), &m))
		dropped := 0
		for id, body := range m["resource"].(map[string]any)[typ].(map[string]any) {
			if !strings.HasPrefix(id, prefix) {
				continue
			}
			res := body.(map[string]any)
			var doc map[string]any
			require.NoError(t, json.Unmarshal([]byte(res["policy"].(string)), &doc))
			var kept []any
			for _, st := range doc["Statement"].([]any) {
				if st.(map[string]any)["Sid"] == sid {
					dropped++
					continue
				}
				kept = append(kept, st)
			}
			doc["Statement"] = kept
			b, err := json.Marshal(doc)
			require.NoError(t, err)
			res["policy"] = string(b)
		}
		require.Equal(t, 1, dropped, "one %s statement in %s*", sid, prefix)
		b, err := json.Marshal(m)
		require.NoError(t, err)
		return string(b)
	}
}

// The access-log buckets' denies are checked: without them the check fails.
func TestAccessLogProtectionDefectsAreCaught(t *testing.T) {
	cases := []struct {
		name, config, stack, prefix, sid, want string
	}{
		{
			"access-log bucket's deletion deny removed", "organization", "log-archive", "AccessLogBucket_Policy", "DenyLogObjectDeletion",
			"a log-archive administrator allowed s3:* by IAM: s3:DeleteObject on an access log in example-org-cloudtrail-444455556666-access-logs must be denied (got Allow)",
		},
		{
			"recovery access-log bucket's protection-change deny removed", "organization", "log-archive", "RecoveryAccessLogBucket_Policy", "DenyProtectionChanges",
			"a log-archive administrator allowed s3:* by IAM: s3:DeleteBucketPolicy on example-org-cloudtrail-444455556666-usw2-access-logs must be denied (got Allow)",
		},
		{
			// Without a deploying role, deletion stays denied to everyone.
			"access-log bucket's deletion deny removed, no deploying role", "default", "cloudtrail-mrk", "AccessLogBucket_Policy", "DenyLogObjectDeletion",
			"a log-archive administrator allowed s3:* by IAM: s3:DeleteObjectVersion on an access log in cloudtrail-mrk-logs-111122223333-access-logs must be denied (got Allow)",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			requireCaught(t, tc.config, tc.stack, withoutStatement(t, "aws_s3_bucket_policy", tc.prefix, tc.sid), tc.want)
		})
	}
}

// The replication role's CloudTrail-context decrypt is checked. The role is
// in the key's account, so either its own policy (through the key policy's
// account-root statement) or the key policy naming it allows the request
// (KMS Developer Guide, "Default key policy"): the defect is both removed.
func TestReplicationTrailContextDefectIsCaught(t *testing.T) {
	// The role is the bootstrap's (docs/bootstrap.md#service-roles).
	role := withoutStatement(t, "aws_iam_role_policy", "ReplicationRolePolicy", "DecryptSourceObjectsCloudTrailContext")
	key := withoutStatement(t, "aws_kms_key", "TrailKey_PrimaryKey", "DecryptSourceObjectsCloudTrailContext")
	requireCaught(t, "organization", "bootstrap-log-archive+log-archive", func(s string) string {
		if strings.Contains(s, `"DeployingRole_`) {
			return role(s)
		}
		return key(s)
	},
		"decrypting a source log file under CloudTrail's encryption context with the source key through S3 in the home region must be allowed (got ImplicitDeny)")
}
