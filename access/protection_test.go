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

// withoutStatement drops the statement sid from the policies of the bucket
// policies whose construct id starts with prefix.
func withoutStatement(t *testing.T, prefix, sid string) func(string) string {
	return func(s string) string {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(s), &m))
		dropped := 0
		for id, body := range m["resource"].(map[string]any)["aws_s3_bucket_policy"].(map[string]any) {
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
			requireCaught(t, tc.config, tc.stack, withoutStatement(t, tc.prefix, tc.sid), tc.want)
		})
	}
}

// Without a deploying role, protection changes are left to IAM, as
// docs/protections.md says; deletion stays denied.
func TestWithoutDeployingRoleOnlyDeletionIsDenied(t *testing.T) {
	cfg, stacks := golden(t, "default")
	require.Empty(t, cfg.Accounts.LogArchive.RoleARN)
	results, err := Check(cfg, stacks)
	require.NoError(t, err)
	assert.Empty(t, failures(results))
	all := resultLines(results)
	assert.Contains(t, all, "without a deploying role, a log-archive administrator PutBucketPolicy (left to IAM) must be allowed (got Allow)")
	assert.Contains(t, all, "s3:DeleteObjectVersion on a log object must be denied (got ExplicitDeny)")
}

func trailWithoutKey(t *testing.T, key string, replace any) func(string) string {
	return func(s string) string {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(s), &m))
		for _, body := range m["resource"].(map[string]any)["aws_cloudtrail"].(map[string]any) {
			trail := body.(map[string]any)
			delete(trail, key)
			if replace != nil {
				trail["event_selector"] = replace
			}
		}
		b, err := json.Marshal(m)
		require.NoError(t, err)
		return string(b)
	}
}

func TestProtectionAndDataEventDefectsAreCaught(t *testing.T) {
	// The trail's selectors before this change: basic selectors, every bucket.
	basic := []any{
		map[string]any{"read_write_type": "All", "include_management_events": true},
		map[string]any{"read_write_type": "All", "include_management_events": false, "data_resource": []any{
			map[string]any{"type": "AWS::S3::Object", "values": []any{"arn:aws:s3"}}}},
	}
	cases := []struct {
		name, config, stack string
		edit                func(string) string
		want                string
	}{
		{
			"deletion exemption widened to every role", "organization", "log-archive",
			func(s string) string {
				return strings.ReplaceAll(s, `\"aws:PrincipalArn\": \"arn:aws:iam::444455556666:role/LogArchiveBreakGlass\"`, `\"aws:PrincipalArn\": \"arn:aws:iam::444455556666:role/*\"`)
			},
			"a log-archive administrator allowed everything by IAM: s3:DeleteObject on a log object must be denied (got Allow)",
		},
		{
			"deletion deny dropped", "default", "cloudtrail-mrk",
			func(s string) string {
				return strings.ReplaceAll(s, `\"s3:BypassGovernanceRetention\",\n        \"s3:DeleteObject\",\n        \"s3:DeleteObjectVersion\"`, `\"s3:GetObjectAttributes\"`)
			},
			"a log-archive administrator allowed everything by IAM: s3:BypassGovernanceRetention on a log object must be denied (got Allow)",
		},
		{
			// KMS Developer Guide, "Default key policy": the account-root
			// statement hands the key to IAM; only the deny keeps an IAM
			// administrator from destroying it.
			"key destruction deny dropped", "organization", "log-archive",
			func(s string) string {
				return strings.Replace(s, `DenyKeyDestruction\",\n      \"Effect\": \"Deny\",\n      \"Principal\": \"*\",\n      \"Action\": [\n        \"kms:CreateGrant\"`,
					`DenyKeyDestruction\",\n      \"Effect\": \"Deny\",\n      \"Principal\": \"*\",\n      \"Action\": [\n        \"kms:GetKeyPolicy\"`, 1)
			},
			"a log-archive administrator allowed everything by IAM: kms:CreateGrant must be denied (got Allow)",
		},
		{
			"deploying role not exempt", "organization", "log-archive",
			func(s string) string {
				return strings.ReplaceAll(s, `\"arn:aws:iam::444455556666:role/CloudTrailLogArchiveDeployer\",\n            `, ``)
			},
			"the deploying role s3:PutBucketVersioning must be allowed (got ExplicitDeny)",
		},
		{
			"no event selectors (CIS 3.8)", "organization", "management",
			trailWithoutKey(t, "advanced_event_selector", nil),
			"logging PutObject on an-application-bucket (CIS 3.8, data_events.s3_write) must be allowed (got ImplicitDeny)",
		},
		{
			"no event selectors (CIS 3.9)", "organization", "management",
			trailWithoutKey(t, "advanced_event_selector", nil),
			"logging GetObject on an-application-bucket (CIS 3.9, data_events.s3_read) must be allowed (got ImplicitDeny)",
		},
		{
			"basic selectors on every bucket log the deliveries", "organization", "management",
			trailWithoutKey(t, "advanced_event_selector", basic),
			"logging the PutObject that delivers a log file into example-org-cloudtrail-444455556666 (it would log itself forever) must be denied (got Allow)",
		},
		{
			"log buckets' selector dropped", "organization", "management",
			func(s string) string {
				var m map[string]any
				require.NoError(t, json.Unmarshal([]byte(s), &m))
				for _, body := range m["resource"].(map[string]any)["aws_cloudtrail"].(map[string]any) {
					trail := body.(map[string]any)
					var kept []any
					for _, sel := range trail["advanced_event_selector"].([]any) {
						if !strings.HasPrefix(sel.(map[string]any)["name"].(string), "Log buckets") {
							kept = append(kept, sel)
						}
					}
					trail["advanced_event_selector"] = kept
				}
				b, err := json.Marshal(m)
				require.NoError(t, err)
				return string(b)
			},
			"logging DeleteObject on log bucket example-org-cloudtrail-444455556666 must be allowed (got ImplicitDeny)",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			requireCaught(t, tc.config, tc.stack, tc.edit, tc.want)
		})
	}
}
