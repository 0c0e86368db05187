package access

import (
	"strings"
	"testing"
)

// TestDeliveryGuardDefectsAreCaught removes, one at a time, what keeps
// delivery working and its inputs genuine (only the trail writes the trail
// bucket, only replication writes the recovery bucket, no Requester Pays,
// the pipeline roles unchanged, notifications not hanging on an
// undocumented key), and checks that the access check fails.
func TestDeliveryGuardDefectsAreCaught(t *testing.T) {
	cases := []struct {
		name, config, stack string
		edit                func(string) string
		want                string
	}{
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
			"Requester Pays no longer in the guardrails", "organization", "management",
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
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			requireCaught(t, tc.config, tc.stack, tc.edit, tc.want)
		})
	}
}
