package access

import (
	"strings"
	"testing"
)

// TestDeliveryGuardDefectsAreCaught removes, one at a time, what keeps
// delivery working and its inputs genuine (only the trail writes the trail
// bucket, only replication writes the recovery bucket, no Requester Pays,
// the pipeline roles unchanged and their changes alarmed, notifications not hanging on an
// undocumented key), and checks that the access check fails.
func TestDeliveryGuardDefectsAreCaught(t *testing.T) {
	requireEachCaught(t, []seededDefect{
		{
			// docs/aws-rules.md#cloudtrail-topic-key: the plain operator would
			// refuse every notification if SNS's KMS request lacks the key.
			"monitoring key back on a plain StringEquals", "organization", "management",
			func(s string) string {
				return strings.Replace(s, `\"StringEqualsIfExists\": {\n          \"aws:SourceArn\": \"arn:aws:cloudtrail`, `\"StringEquals\": {\n          \"aws:SourceArn\": \"arn:aws:cloudtrail`, 1)
			},
			"CloudTrail encrypting notifications, the request carrying no aws:SourceArn must be allowed (got ImplicitDeny)",
		},
		{
			// docs/aws-rules.md#requester-pays.
			"Requester Pays deny dropped from the access-log bucket", "organization", "log-archive",
			func(s string) string {
				return strings.Replace(s, `\"Action\": \"s3:PutBucketRequestPayment\",\n      \"Resource\": \"arn:aws:s3:::example-org-cloudtrail-444455556666-access-logs\"`, `\"Action\": \"s3:GetBucketRequestPayment\",\n      \"Resource\": \"arn:aws:s3:::example-org-cloudtrail-444455556666-access-logs\"`, 1)
			},
			"a log-archive administrator allowed everything by IAM: s3:PutBucketRequestPayment on example-org-cloudtrail-444455556666-access-logs must be denied (got Allow)",
		},
		{
			"Requester Pays no longer in the guardrails", "organization", "bootstrap-management",
			func(s string) string { return strings.ReplaceAll(s, `\"s3:PutBucketRequestPayment\",`, ``) },
			"a log-archive administrator allowed everything by IAM: s3:PutBucketRequestPayment on example-org-cloudtrail-444455556666 (guardrails alone) must be denied (got Allow)",
		},
		{
			"Requester Pays no longer alarmed", "organization", "management",
			func(s string) string {
				return strings.ReplaceAll(s, ` || ($.eventName = \"PutBucketRequestPayment\")`, ``)
			},
			"log-bucket-changes counts PutBucketRequestPayment on example-org-cloudtrail-444455556666 must hold (does not hold)",
		},
		{
			// docs/aws-rules.md#only-the-trail-writes.
			"forged-writes deny dropped from the trail bucket", "organization", "log-archive",
			func(s string) string {
				return strings.Replace(s, `\"Sid\": \"DenyWritesNotFromTheTrail\",\n      \"Effect\": \"Deny\"`, `\"Sid\": \"DenyWritesNotFromTheTrail\",\n      \"Effect\": \"Allow\"`, 1)
			},
			"a log-archive administrator allowed s3:* by IAM: s3:PutObject of a forged log file into the trail bucket must be denied (got Allow)",
		},
		{
			"forged-writes deny without ReplicateObject", "single-account", "cloudtrail-mrk",
			func(s string) string {
				return strings.Replace(s, `\"s3:ReplicateDelete\",\n        \"s3:ReplicateObject\"\n      ],\n      \"Resource\": \"arn:aws:s3:::example-cloudtrail-logs-111122223333/*\"`, `\"s3:ReplicateDelete\",\n        \"s3:GetObject\"\n      ],\n      \"Resource\": \"arn:aws:s3:::example-cloudtrail-logs-111122223333/*\"`, 1)
			},
			"a log-archive administrator allowed s3:* by IAM: s3:ReplicateObject of a forged log file into the trail bucket must be denied (got Allow)",
		},
		{
			"forged-writes deny without ReplicateDelete", "single-account", "cloudtrail-mrk",
			func(s string) string {
				return strings.Replace(s, `\"s3:PutObject\",\n        \"s3:ReplicateDelete\",\n        \"s3:ReplicateObject\"\n      ],\n      \"Resource\": \"arn:aws:s3:::example-cloudtrail-logs-111122223333/*\"`, `\"s3:PutObject\",\n        \"s3:ReplicateObject\"\n      ],\n      \"Resource\": \"arn:aws:s3:::example-cloudtrail-logs-111122223333/*\"`, 1)
			},
			"a log-archive administrator allowed s3:* by IAM: s3:ReplicateDelete of a forged log file into the trail bucket must be denied (got Allow)",
		},
		{
			// A negated operator on a key CloudTrail sends, turned into one it
			// does not: delivery stops (what LatestDeliveryError would show).
			"forged-writes deny on a key CloudTrail does not send", "organization", "log-archive",
			func(s string) string {
				return strings.Replace(s, `\"ArnNotEquals\": {\n          \"aws:SourceArn\"`, `\"ArnNotEquals\": {\n          \"aws:SourceAccount\"`, 1)
			},
			"CloudTrail delivering a CloudTrail-Digest file under AWSLogs/o-exampleorg1/111111111111/ with the forged-writes deny in place must be allowed (got ExplicitDeny)",
		},
		{
			// docs/aws-rules.md#only-replication-writes-the-copy.
			"recovery bucket lets everyone replicate", "organization", "log-archive",
			func(s string) string {
				return strings.Replace(s, `\"aws:PrincipalArn\": \"arn:aws:iam::444455556666:role/cloudtrail-mrk-replication\"`, `\"aws:PrincipalArn\": \"arn:aws:iam::444455556666:role/*\"`, 1)
			},
			"another role of the log-archive account (another bucket's replication rule) s3:ReplicateObject into the recovery bucket must be denied (got Allow)",
		},
		{
			"recovery bucket's PutObject deny dropped", "organization", "log-archive",
			func(s string) string {
				return strings.Replace(s, `\"Sid\": \"DenyDirectWrites\",\n      \"Effect\": \"Deny\"`, `\"Sid\": \"DenyDirectWrites\",\n      \"Effect\": \"Allow\"`, 1)
			},
			"a log-archive administrator allowed s3:* by IAM: s3:PutObject into the recovery bucket must be denied (got Allow)",
		},
		{
			// docs/aws-rules.md#recreated-roles.
			"replication role no longer guarded by the SCP", "organization", "bootstrap-management",
			func(s string) string {
				return strings.Replace(s, `,\"arn:aws:iam::444455556666:role/cloudtrail-mrk-replication\"]`, `]`, 1)
			},
			"a log-archive administrator allowed everything by IAM: iam:DeleteRole on the replication role arn:aws:iam::444455556666:role/cloudtrail-mrk-replication must be denied (got Allow)",
		},
		{
			// The pipeline-role alarm: each guarded action, each role, its
			// account, the delivery role's name by its prefix.
			"role alarm without UpdateAssumeRolePolicy", "organization", "management",
			func(s string) string {
				return strings.Replace(s, `($.eventName = \"UpdateAssumeRolePolicy\") || `, ``, 1)
			},
			"pipeline-role-changes counts UpdateAssumeRolePolicy on cloudtrail-mrk-replication in 444455556666 must hold (does not hold)",
		},
		{
			"role alarm without DeleteRole", "delegated-admin", "delegated-admin",
			func(s string) string { return strings.Replace(s, ` || ($.eventName = \"DeleteRole\")`, ``, 1) },
			"pipeline-role-changes counts DeleteRole on CloudTrailToCloudWatchLogs-20261129101500000000000001 in 222233334444 must hold (does not hold)",
		},
		{
			"replication role dropped from the role alarm", "organization", "management",
			func(s string) string {
				return strings.Replace(s, `(($.requestParameters.roleName = \"cloudtrail-mrk-replication\" && $.recipientAccountId = \"444455556666\")) || `, ``, 1)
			},
			"pipeline-role-changes counts CreateRole on cloudtrail-mrk-replication in 444455556666 must hold (does not hold)",
		},
		{
			"role alarm not scoped to the role's account", "delegated-admin", "delegated-admin",
			func(s string) string { return strings.Replace(s, ` && $.recipientAccountId = \"222233334444\"`, ``, 1) },
			"pipeline-role-changes counts DeleteRole on CloudTrailToCloudWatchLogs-20261129101500000000000001 in another account must not hold",
		},
		{
			"delivery role matched by its prefix only as an exact name", "single-account", "cloudtrail-mrk",
			func(s string) string {
				return strings.Replace(s, `CloudTrailToCloudWatchLogs-*\"`, `CloudTrailToCloudWatchLogs-\"`, 1)
			},
			"pipeline-role-changes counts PutRolePermissionsBoundary on CloudTrailToCloudWatchLogs-20261129101500000000000001 in 111122223333 must hold (does not hold)",
		},
	})
}
