package access

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/policyeval"
)

// The organization example turns the guardrails on: what they must deny is
// denied, and what they must not block still works. The expectations come
// from AWS documentation: IAM User Guide, "Policy evaluation logic" (an SCP
// deny wins; an allow needs the SCPs to allow too); Organizations User
// Guide, "Service control policies (SCPs)" (service principals, service-
// linked roles and the management account are not governed); IAM User
// Guide, "AWS global condition context keys" (aws:PrincipalArn of a role
// session is the role's ARN).
func TestGuardrailExpectations(t *testing.T) {
	cfg, stacks := golden(t, "organization")
	require.True(t, cfg.Guardrails.Enabled)
	results, err := Check(cfg, stacks)
	require.NoError(t, err)
	assert.Empty(t, failures(results))
	all := resultLines(results)
	t.Log("\n" + all)
	for _, want := range []string{
		"without the guardrails, a log-archive administrator allowed everything by IAM: kms:ScheduleKeyDeletion on us-east-1 must be allowed (got Allow)",
		"a log-archive administrator allowed everything by IAM: kms:ScheduleKeyDeletion on the key copy in us-east-1 (guardrails with AWS's default key policy) must be denied (got ExplicitDeny)",
		"a log-archive administrator allowed everything by IAM: kms:ScheduleKeyDeletion on the key copy in eu-west-1 (guardrails with AWS's default key policy) must be denied (got ExplicitDeny)",
		"a log-archive administrator allowed everything by IAM: kms:UntagResource on the key copy in us-west-2 (guardrails with AWS's default key policy) must be denied (got ExplicitDeny)",
		"key administrator arn:aws:iam::444455556666:role/KeyAdministrator kms:ScheduleKeyDeletion on the key copy in us-east-1 (the key policy allows it; the guardrails do not) must be denied (got ExplicitDeny)",
		"the deploying role (a session) kms:PutKeyPolicy on the key copy in us-east-1 must be allowed (got Allow)",
		"a log-archive administrator allowed everything by IAM: s3:PutBucketPolicy on example-org-cloudtrail-444455556666 (guardrails alone) must be denied (got ExplicitDeny)",
		"a log-archive administrator allowed everything by IAM: s3:PutReplicationConfiguration on example-org-cloudtrail-444455556666 (guardrails alone) must be denied (got ExplicitDeny)",
		"a log-archive administrator allowed everything by IAM: s3:DeleteObject on a log object of example-org-cloudtrail-444455556666-usw2-access-logs (guardrails alone) must be denied (got ExplicitDeny)",
		"the deploying role (a session) s3:PutBucketPolicy on example-org-cloudtrail-444455556666 must be allowed (got Allow)",
		"a log-archive administrator allowed everything by IAM: iam:UpdateAssumeRolePolicy on exempt role arn:aws:iam::444455556666:role/CloudTrailLogArchiveDeployer must be denied (got ExplicitDeny)",
		"a log-archive administrator allowed everything by IAM: iam:PutRolePolicy on exempt role arn:aws:iam::444455556666:role/LogArchiveBreakGlass must be denied (got ExplicitDeny)",
		"a log-archive administrator allowed everything by IAM: iam:PutRolePolicy on a role the guardrails do not exempt must be allowed (got Allow)",
		"a log-archive administrator allowed everything by IAM: organizations:LeaveOrganization must be denied (got ExplicitDeny)",
		"the deploying role (a session) organizations:LeaveOrganization must be denied (got ExplicitDeny)",
		"a log-archive administrator allowed everything by IAM, as a delegated administrator would be: cloudtrail:StopLogging on the trail must be denied (got ExplicitDeny)",
		"a management-account administrator allowed everything by IAM: cloudtrail:StopLogging on the trail (SCPs do not govern the management account) must be allowed (got Allow)",
		"CloudTrail delivering a log file (service principals are not governed) must be allowed (got Allow)",
		"CloudTrail GenerateDataKey for this trail (service principals are not governed) must be allowed (got Allow)",
		"the replication role (a session, governed by the guardrails) replicating into the recovery bucket must be allowed (got Allow)",
		"the replication role (a session, governed by the guardrails) encrypting with the replica key copy through S3 must be allowed (got Allow)",
		"break-glass arn:aws:iam::444455556666:role/LogArchiveBreakGlass kms:ScheduleKeyDeletion on the key copy in us-east-1 must be allowed (got Allow)",
	} {
		assert.Contains(t, all, want)
	}
}

// Without guardrails no service control policy may be synthesized, and the
// check says so rather than skipping it.
func TestGuardrailsOffMeansNoPolicy(t *testing.T) {
	cfg, stacks := golden(t, "organization")
	cfg.Guardrails.Enabled = false
	_, err := Check(cfg, stacks)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "guardrails are off, yet stack bootstrap-management holds service control policy Guardrail")
}

func TestGuardrailAttachmentMissingIsAnError(t *testing.T) {
	cfg, stacks := mutate(t, "organization", "bootstrap-management", func(s string) string {
		return strings.ReplaceAll(s, `"target_id": "ou-exam-ple12345"`, `"target_id": "ou-exam-other1234"`)
	})
	_, err := Check(cfg, stacks)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is not attached to guardrails target ou-exam-ple12345")
}

// TestGuardrailDefectsAreCaught breaks the guardrails the way they could
// break and checks that the access check fails.
func TestGuardrailDefectsAreCaught(t *testing.T) {
	cases := []struct {
		name, stack string
		edit        func(string) string
		want        string
	}{
		{
			"exemption widened to every role of the account", "bootstrap-management",
			func(s string) string {
				return strings.ReplaceAll(s, `\"aws:PrincipalArn\":[`, `\"aws:PrincipalArn\":[\"arn:aws:iam::444455556666:role/*\",`)
			},
			"a log-archive administrator allowed everything by IAM: kms:ScheduleKeyDeletion on the key copy in us-east-1 (guardrails with AWS's default key policy) must be denied (got Allow)",
		},
		{
			"ScheduleKeyDeletion deny removed", "bootstrap-management",
			func(s string) string { return strings.ReplaceAll(s, `\"kms:ScheduleKeyDeletion\",`, ``) },
			"a log-archive administrator allowed everything by IAM: kms:ScheduleKeyDeletion on the key copy in us-west-2 (guardrails with AWS's default key policy) must be denied (got Allow)",
		},
		{
			"bucket policy deny removed", "bootstrap-management",
			func(s string) string { return strings.ReplaceAll(s, `\"s3:PutBucketPolicy\",`, ``) },
			"a log-archive administrator allowed everything by IAM: s3:PutBucketPolicy on example-org-cloudtrail-444455556666 (guardrails alone) must be denied (got Allow)",
		},
		{
			"exempt roles' trust no longer guarded", "bootstrap-management",
			func(s string) string { return strings.ReplaceAll(s, `\"iam:UpdateAssumeRolePolicy\",`, ``) },
			"iam:UpdateAssumeRolePolicy on exempt role arn:aws:iam::444455556666:role/CloudTrailLogArchiveDeployer must be denied (got Allow)",
		},
		{
			"LeaveOrganization deny removed", "bootstrap-management",
			func(s string) string {
				return strings.ReplaceAll(s, `organizations:LeaveOrganization`, `organizations:DescribeOrganization`)
			},
			"a log-archive administrator allowed everything by IAM: organizations:LeaveOrganization must be denied (got Allow)",
		},
		{
			"deploying role not exempt", "bootstrap-management",
			func(s string) string {
				return strings.ReplaceAll(s, `\"arn:aws:iam::444455556666:role/CloudTrailLogArchiveDeployer\",\"arn:aws:iam::444455556666:role/LogArchiveBreakGlass\"]`, `\"arn:aws:iam::444455556666:role/LogArchiveBreakGlass\"]`)
			},
			"the deploying role (a session) s3:PutBucketPolicy on example-org-cloudtrail-444455556666 must be allowed (got ExplicitDeny)",
		},
		{
			"PassRole missing from the exempt and pipeline roles' statement", "bootstrap-management",
			func(s string) string {
				return strings.ReplaceAll(s, `,\"iam:PassRole\"`, ``)
			},
			"a log-archive administrator allowed everything by IAM: iam:PassRole of the replication role arn:aws:iam::444455556666:role/cloudtrail-mrk-replication (to a replication rule of its own bucket) must be denied (got Allow)",
		},
		{
			"a deny that blocks replication", "bootstrap-management",
			func(s string) string {
				return strings.ReplaceAll(s, `\"s3:BypassGovernanceRetention\",`, `\"s3:BypassGovernanceRetention\",\"s3:ReplicateObject\",`)
			},
			"the replication role (a session, governed by the guardrails) replicating into the recovery bucket must be allowed (got ExplicitDeny)",
		},
		{
			"guard tag missing from the key copies", "log-archive",
			func(s string) string {
				return strings.ReplaceAll(s, `"cloudtrail-mrk-guardrail": "organization-trail"`, `"cloudtrail-mrk-other": "organization-trail"`)
			},
			"a log-archive administrator allowed everything by IAM: kms:PutKeyPolicy on the key copy in eu-west-1 (guardrails with AWS's default key policy) must be denied (got Allow)",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			requireCaught(t, "organization", tc.stack, tc.edit, tc.want)
		})
	}
}

// A break-glass IAM user is exempt too, so nobody else may give it new
// credentials or policies (judged on the guardrail policy alone, with the
// caller's own policies allowing everything).
func TestGuardrailsProtectBreakGlassUsers(t *testing.T) {
	const member = "444455556666"
	g := policy.Guardrails{
		Trail:      policy.Trail{Partition: "aws", Region: "us-east-1", Account: "111122223333", Name: "t-1"},
		KeyAccount: member,
		LogBuckets: []string{"logs-444455556666"},
		Deployers:  []string{"arn:aws:iam::" + member + ":role/Deployer"},
		BreakGlass: []string{"arn:aws:iam::" + member + ":user/glass"},
	}
	scp, err := policy.GuardrailPolicy(g)
	require.NoError(t, err)
	scps := &policyeval.ServiceControlPolicies{ManagementAccount: "111122223333", Levels: [][]policy.Document{{policyeval.FullAWSAccess, scp}}}
	admin := policyeval.Principal{ARN: "arn:aws:iam::" + member + ":role/Administrator"}
	ps := policyeval.Policies{ResourceAccount: member, Identity: []policy.Document{policyeval.AllowAll}, SCPs: scps}
	for _, a := range []string{"iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile", "iam:PutUserPolicy", "iam:AttachUserPolicy"} {
		assert.Equal(t, policyeval.ExplicitDeny, decide(t, asIAM(admin, a, "arn:aws:iam::"+member+":user/glass"), ps), a)
		assert.Equal(t, policyeval.Allow, decide(t, asIAM(admin, a, "arn:aws:iam::"+member+":user/someone-else"), ps), a)
	}
}

// decide evaluates req against ps, which must not fail.
func decide(t *testing.T, req policyeval.Request, ps policyeval.Policies) policyeval.Decision {
	t.Helper()
	d, err := policyeval.Evaluate(req, ps)
	require.NoError(t, err)
	return d
}

// The delegated-admin example turns the guardrails on: the monitoring
// guardrail policy protects the delegated administrator's alarms, log group
// (both ARN forms), topics, monitoring key and delivery role from that
// account's administrators, and exempts its deploying role and the
// break-glass principals only. Expectations: docs/aws-rules.md#scp-evaluation
// (an SCP deny wins), #principal-arn (a session's aws:PrincipalArn is its
// role), #alarm-actions, #log-group-actions, #topic-actions (which resource
// each action takes), #log-group-arn-suffix (which form AWS authorizes).
func TestMonitoringGuardrailExpectations(t *testing.T) {
	cfg, stacks := golden(t, "delegated-admin")
	require.True(t, cfg.Guardrails.Enabled)
	results, err := Check(cfg, stacks)
	require.NoError(t, err)
	assert.Empty(t, failures(results))
	all := resultLines(results)
	for _, want := range []string{
		"a delegated-administrator administrator allowed everything by IAM: cloudwatch:DeleteAlarms on alarm organization-trail-cloudtrail-changes must be denied (got ExplicitDeny)",
		"a delegated-administrator administrator allowed everything by IAM: cloudwatch:PutMetricAlarm on alarm organization-trail-heartbeat (added later) must be denied (got ExplicitDeny)",
		"a delegated-administrator administrator allowed everything by IAM: logs:DeleteMetricFilter on log group cloudtrail/organization-trail must be denied (got ExplicitDeny)",
		"a delegated-administrator administrator allowed everything by IAM: logs:PutRetentionPolicy on log group cloudtrail/organization-trail (the :* form) must be denied (got ExplicitDeny)",
		"a delegated-administrator administrator allowed everything by IAM: logs:DeleteLogStream on a log stream of cloudtrail/organization-trail must be denied (got ExplicitDeny)",
		"a delegated-administrator administrator allowed everything by IAM: sns:SetTopicAttributes on topic organization-trail-alarms must be denied (got ExplicitDeny)",
		"a delegated-administrator administrator allowed everything by IAM: sns:DeleteTopic on topic organization-trail-notifications must be denied (got ExplicitDeny)",
		"a delegated-administrator administrator allowed everything by IAM: kms:ScheduleKeyDeletion on the monitoring key must be denied (got ExplicitDeny)",
		"a delegated-administrator administrator allowed everything by IAM: iam:UpdateAssumeRolePolicy on the delivery role must be denied (got ExplicitDeny)",
		"the delegated administrator's deploying role (a session) logs:PutMetricFilter on log group cloudtrail/organization-trail (the :* form) must be allowed (got Allow)",
		"the delegated administrator's deploying role (a session) kms:PutKeyPolicy on the monitoring key must be allowed (got Allow)",
		"break-glass arn:aws:iam::444455556666:role/LogArchiveBreakGlass sns:AddPermission on topic organization-trail-alarms (the SCP's decision) must be allowed (got Allow)",
		"another account's deploying role arn:aws:iam::444455556666:role/CloudTrailLogArchiveDeployer (a session, no exemption here) logs:AssociateKmsKey on log group cloudtrail/organization-trail (the SCP's decision) must be denied (got ExplicitDeny)",
		"a delegated-administrator administrator allowed everything by IAM: sns:DeleteTopic on arn:aws:sns:us-east-1:222233334444:some-application-topic (not ours) must be allowed (got Allow)",
		"target 222233334444 holds 2 service control policies of ours and FullAWSAccess, at most 5 in all must hold (holds)",
	} {
		assert.Contains(t, all, want)
	}
}

// TestMonitoringGuardrailDefectsAreCaught breaks the monitoring guardrail
// policy, or what it depends on, the way it could break.
func TestMonitoringGuardrailDefectsAreCaught(t *testing.T) {
	requireEachCaught(t, []seededDefect{
		{
			"the :* form of the log group dropped", "delegated-admin", "bootstrap-management",
			func(s string) string {
				return strings.ReplaceAll(s, `\"arn:aws:logs:us-east-1:222233334444:log-group:cloudtrail/organization-trail:*\",`, ``)
			},
			"logs:PutRetentionPolicy on log group cloudtrail/organization-trail (the :* form) must be denied (got Allow)",
		},
		{
			"the bare form of the log group dropped", "delegated-admin", "bootstrap-management",
			func(s string) string {
				return strings.ReplaceAll(s, `\"arn:aws:logs:us-east-1:222233334444:log-group:cloudtrail/organization-trail\",`, ``)
			},
			"logs:DeleteMetricFilter on log group cloudtrail/organization-trail must be denied (got Allow)",
		},
		{
			"DeleteMetricFilter no longer denied", "delegated-admin", "bootstrap-management",
			func(s string) string { return strings.ReplaceAll(s, `\"logs:DeleteMetricFilter\",`, ``) },
			"a delegated-administrator administrator allowed everything by IAM: logs:DeleteMetricFilter on log group cloudtrail/organization-trail (the :* form) must be denied (got Allow)",
		},
		{
			"DisableAlarmActions no longer denied", "delegated-admin", "bootstrap-management",
			func(s string) string { return strings.ReplaceAll(s, `\"cloudwatch:DisableAlarmActions\",`, ``) },
			"a delegated-administrator administrator allowed everything by IAM: cloudwatch:DisableAlarmActions on alarm organization-trail-heartbeat (added later) must be denied (got Allow)",
		},
		{
			"the alarm prefix narrowed to today's alarms", "delegated-admin", "bootstrap-management",
			func(s string) string {
				return strings.ReplaceAll(s, `alarm:organization-trail-*`, `alarm:organization-trail-cis-*`)
			},
			"cloudwatch:DeleteAlarms on alarm organization-trail-heartbeat (added later) must be denied (got Allow)",
		},
		{
			"the notification topic dropped", "delegated-admin", "bootstrap-management",
			func(s string) string {
				return strings.ReplaceAll(s, `,\"arn:aws:sns:us-east-1:222233334444:organization-trail-notifications\"`, ``)
			},
			"sns:SetTopicAttributes on topic organization-trail-notifications must be denied (got Allow)",
		},
		{
			"the wrong role exempt (the log-archive deployer for the delegated administrator's)", "delegated-admin", "bootstrap-management",
			func(s string) string {
				return strings.ReplaceAll(s, `\"aws:PrincipalArn\":[\"arn:aws:iam::222233334444:role/CloudTrailDeployer\",`, `\"aws:PrincipalArn\":[\"arn:aws:iam::444455556666:role/CloudTrailLogArchiveDeployer\",`)
			},
			"the delegated administrator's deploying role (a session) logs:PutMetricFilter on log group cloudtrail/organization-trail must be allowed (got ExplicitDeny)",
		},
		{
			"replication alarm left out of the monitoring policy", "organization", "bootstrap-management",
			func(s string) string {
				return strings.ReplaceAll(s, `:alarm:organization-trail-replication-failures*`, `:alarm:organization-trail-replication-failuresX*`)
			},
			"a log-archive administrator allowed everything by IAM: cloudwatch:DeleteAlarms on the replication alarm (the SCP's decision) must be denied (got Allow)",
		},
		{
			"account-wide CloudWatch Logs policies left open", "delegated-admin", "bootstrap-management",
			func(s string) string {
				return strings.ReplaceAll(s, `\"Action\":\"logs:PutAccountPolicy\"`, `\"Action\":\"logs:PutAccountPolicyX\"`)
			},
			"a delegated-administrator administrator allowed everything by IAM: logs:PutAccountPolicy must be denied (got Allow)",
		},
		{
			"account-wide policies denied in every account", "delegated-admin", "bootstrap-management",
			func(s string) string {
				return strings.ReplaceAll(s, `,\"StringEquals\":{\"aws:PrincipalAccount\":\"222233334444\"}`, ``)
			},
			"an administrator of another account (444455556666) logs:PutAccountPolicy in its own account (the SCP's decision) must be allowed (got ExplicitDeny)",
		},
		{
			"guard tag missing from the monitoring key", "delegated-admin", "delegated-admin",
			func(s string) string {
				return strings.ReplaceAll(s, `"cloudtrail-mrk-guardrail": "organization-trail"`, `"cloudtrail-mrk-other": "organization-trail"`)
			},
			// The key policy's own deny (DenyKeyDestruction) still refuses
			// DisableKey; the tag actions are the SCP's alone.
			"a delegated-administrator administrator allowed everything by IAM: kms:TagResource on the monitoring key must be denied (got Allow)",
		},
	})
}
