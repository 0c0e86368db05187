package access

import (
	"strings"
	"testing"
)

// The monitoring key's and topics' denies must be there, cover each action,
// and exempt the deploying role: each defect below must fail the check.
func TestMonitoringProtectionDefectsAreCaught(t *testing.T) {
	requireEachCaught(t, []seededDefect{
		{
			"topic deny without SetTopicAttributes", "organization", "management",
			func(s string) string {
				return strings.ReplaceAll(s, `\"sns:SetTopicAttributes\"`, `\"sns:SetTopicAttributesX\"`)
			},
			"an administrator of the monitoring account allowed everything by IAM: sns:SetTopicAttributes on organization-trail-alarms must be denied (got Allow)",
		},
		{
			"monitoring key deny without DisableKey", "organization", "management",
			func(s string) string { return strings.ReplaceAll(s, `\"kms:DisableKey\"`, `\"kms:DisableKeyX\"`) },
			"an administrator of the monitoring account allowed everything by IAM: kms:DisableKey on the monitoring key must be denied (got Allow)",
		},
		{
			"replication alarm topic deny without SetTopicAttributes", "organization", "log-archive",
			func(s string) string {
				return strings.ReplaceAll(s, `\"sns:SetTopicAttributes\"`, `\"sns:SetTopicAttributesX\"`)
			},
			"an administrator allowed everything by IAM: sns:SetTopicAttributes on the replication alarm topic must be denied (got Allow)",
		},
		{
			"the wrong role exempt", "organization", "management",
			func(s string) string {
				return strings.ReplaceAll(s, `\"arn:aws:iam::111122223333:role/CloudTrailDeployer\"`, `\"arn:aws:iam::111122223333:role/SomeoneElse\"`)
			},
			"the deploying role sns:DeleteTopic on organization-trail-notifications must be allowed (got ExplicitDeny)",
		},
		{
			"delegated administrator's topic deny turned into an allow", "delegated-admin", "delegated-admin",
			func(s string) string {
				return strings.ReplaceAll(s, `\"Sid\": \"DenyTopicChanges\",\n      \"Effect\": \"Deny\"`, `\"Sid\": \"DenyTopicChanges\",\n      \"Effect\": \"Allow\"`)
			},
			"sns:DeleteTopic on organization-trail-alarms must be denied (got Allow)",
		},
	})
}
