package access

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/policyeval"
)

// Security review 7's reproductions (package policyeval against the
// synthesized examples), as assertions in the secure direction, or, where
// the finding is residue, as a pin of what docs/bootstrap.md says remains.

const (
	r7LogArchive = "444455556666"
	r7Management = "111122223333"
	r7Delegated  = "222233334444"
	r7LaDeployer = "arn:aws:sts::444455556666:assumed-role/CloudTrailLogArchiveDeployer/ci"
	r7MgDeployer = "arn:aws:sts::111122223333:assumed-role/CloudTrailDeployer/ci"
)

func r7SCP(t *testing.T, s Stack, id string) policy.Document {
	t.Helper()
	body, ok := s.resources("aws_organizations_policy")[id]
	require.True(t, ok, id)
	d, err := policy.Parse(body["content"].(string))
	require.NoError(t, err)
	return d
}

func r7KeyPolicy(t *testing.T, s Stack, typ, id string) policy.Document {
	t.Helper()
	body, ok := s.resources(typ)[id]
	require.True(t, ok, "%s.%s", typ, id)
	d, err := policy.Parse(body["policy"].(string))
	require.NoError(t, err)
	return d
}

// R7-1 (B3): no tag key rides along with the guardrail tag, and no
// configured tag takes another value, on any key of the account whose
// policy delegates to IAM.
func TestReview7NoTagInjection(t *testing.T) {
	_, stacks := golden(t, "organization")
	for _, c := range []struct{ name, acct, caller, st, role string }{
		{"log archive", r7LogArchive, r7LaDeployer, "bootstrap-log-archive", "DeployingRole_CloudTrailLogArchiveDeployer"},
		{"management", r7Management, r7MgDeployer, "bootstrap-management", "DeployingRole_CloudTrailDeployer"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ids := rolePolicies(t, stackNamed(t, stacks, c.st), c.role)
			kp := defaultKeyPolicy("aws", c.acct)
			victim := "arn:aws:kms:us-east-1:" + c.acct + ":key/1234abcd-12ab-34cd-56ef-1234567890ab"
			ps := policyeval.Policies{Resource: &kp, KeyPolicy: true, ResourceAccount: c.acct, Identity: ids}
			p := policyeval.Principal{ARN: c.caller}
			inject := policyeval.Request{Principal: p, Action: "kms:TagResource", Resource: victim, Context: ctx(
				"aws:ResourceTag/team", "payments",
				"aws:RequestTag/cloudtrail-mrk-guardrail", "organization-trail",
				"aws:RequestTag/team", "ci-attacker",
				"aws:TagKeys", "cloudtrail-mrk-guardrail", "aws:TagKeys", "team")}
			assert.False(t, decide6(t, inject, ps).Allowed(), "extra tag keys must not ride along with the guardrail tag")
			overwrite := policyeval.Request{Principal: p, Action: "kms:TagResource", Resource: victim, Context: ctx(
				"aws:RequestTag/owner", "ci-attacker", "aws:TagKeys", "owner")}
			assert.False(t, decide6(t, overwrite, ps).Allowed(), "a configured tag key with another value")
			// What stays (docs/bootstrap.md#not-closed): the configured tags
			// with their configured values.
			create := policyeval.Request{Principal: p, Action: "kms:TagResource", Resource: victim, Context: ctx(
				"aws:RequestTag/cloudtrail-mrk-guardrail", "organization-trail", "aws:RequestTag/owner", "security-engineering",
				"aws:RequestTag/purpose", "organization-audit-trail",
				"aws:TagKeys", "cloudtrail-mrk-guardrail", "aws:TagKeys", "owner", "aws:TagKeys", "purpose")}
			if c.name == "log archive" {
				assert.True(t, decide6(t, create, ps).Allowed(), "tags at creation, as the provider sends them")
			}
		})
	}
}

// R7-3 (B4): the log-archive deploying role can neither schedule the
// deletion of any copy of the trail key nor set a key policy with the
// lockout safety check bypassed, under the guardrail SCP as without it;
// deploying (PutKeyPolicy with the check) still works.
func TestReview7DeployerCannotDestroyTrailKey(t *testing.T) {
	_, stacks := golden(t, "organization")
	la := stackNamed(t, stacks, "log-archive")
	bm := stackNamed(t, stacks, "bootstrap-management")
	ids := rolePolicies(t, stackNamed(t, stacks, "bootstrap-log-archive"), "DeployingRole_CloudTrailLogArchiveDeployer")
	scps := &policyeval.ServiceControlPolicies{ManagementAccount: r7Management, Levels: [][]policy.Document{
		{policyeval.FullAWSAccess}, {policyeval.FullAWSAccess, r7SCP(t, bm, "GuardrailPolicy")}, {policyeval.FullAWSAccess},
	}}
	dep := policyeval.Principal{ARN: r7LaDeployer}
	for _, k := range []struct{ typ, id string }{
		{"aws_kms_key", "TrailKey_PrimaryKey_980DB91A"},
		{"aws_kms_replica_key", "TrailKey_ReplicaUsWest2_BB0D5B89"},
		{"aws_kms_replica_key", "TrailKey_ReplicaEuWest1_E7FD3946"},
	} {
		kp := r7KeyPolicy(t, la, k.typ, k.id)
		for _, s := range []*policyeval.ServiceControlPolicies{nil, scps} {
			ps := policyeval.Policies{Resource: &kp, KeyPolicy: true, ResourceAccount: r7LogArchive, Identity: ids, SCPs: s}
			tag := "aws:ResourceTag/" + policy.GuardTagKey
			assert.Equal(t, policyeval.ExplicitDeny, decide6(t, policyeval.Request{Principal: dep, Action: "kms:ScheduleKeyDeletion", Resource: "*",
				Context: ctx(tag, "organization-trail", "kms:ScheduleKeyDeletionPendingWindowInDays", "7")}, ps), k.id)
			assert.Equal(t, policyeval.ExplicitDeny, decide6(t, policyeval.Request{Principal: dep, Action: "kms:PutKeyPolicy", Resource: "*",
				Context: ctx(tag, "organization-trail", "kms:BypassPolicyLockoutSafetyCheck", "true")}, ps), k.id)
			assert.Equal(t, policyeval.Allow, decide6(t, policyeval.Request{Principal: dep, Action: "kms:PutKeyPolicy", Resource: "*",
				Context: ctx(tag, "organization-trail", "kms:BypassPolicyLockoutSafetyCheck", "false")}, ps), "deploying still works: %s", k.id)
		}
	}
}

// R7-4 (S2): applied before bootstrap-delegated-admin, the guardrails
// deny that account's administrator the creation of its deploying role and
// delivery role: why docs/bootstrap.md applies bootstrap-management last
// (docs/order_test.go pins the order in README and docs/deploying.md).
func TestReview7BootstrapOrderMatters(t *testing.T) {
	_, stacks := golden(t, "delegated-admin")
	bm := stackNamed(t, stacks, "bootstrap-management")
	scps := &policyeval.ServiceControlPolicies{ManagementAccount: r7Management, Levels: [][]policy.Document{
		{policyeval.FullAWSAccess}, {policyeval.FullAWSAccess, r7SCP(t, bm, "GuardrailPolicy"), r7SCP(t, bm, "GuardrailMonitoringPolicy")},
	}}
	admin := policyeval.Principal{ARN: "arn:aws:sts::222233334444:assumed-role/OrganizationAccountAccessRole/admin"}
	ps := policyeval.Policies{ResourceAccount: r7Delegated, Identity: []policy.Document{policyeval.AllowAll}, SCPs: scps}
	for _, r := range []string{"arn:aws:iam::222233334444:role/CloudTrailDeployer", "arn:aws:iam::222233334444:role/CloudTrailToCloudWatchLogs-organization-trail"} {
		assert.Equal(t, policyeval.ExplicitDeny, decide6(t, policyeval.Request{Principal: admin, Action: "iam:CreateRole", Resource: r}, ps), r)
	}
}

// N2 / S3: the deploying roles may neither unsubscribe nor re-filter any
// subscription of their account (another team's, or ours).
func TestReview7NoSubscriptionChanges(t *testing.T) {
	for _, c := range []struct{ example, st, role, acct, caller string }{
		{"organization", "bootstrap-management", "DeployingRole_CloudTrailDeployer", r7Management, r7MgDeployer},
		{"delegated-admin", "bootstrap-delegated-admin", "DeployingRole_CloudTrailDeployer", r7Delegated, "arn:aws:sts::222233334444:assumed-role/CloudTrailDeployer/ci"},
	} {
		_, stacks := golden(t, c.example)
		ids := rolePolicies(t, stackNamed(t, stacks, c.st), c.role)
		ps := policyeval.Policies{ResourceAccount: c.acct, Identity: ids}
		for _, topic := range []string{"guardduty-findings", "organization-trail-alarms"} {
			sub := "arn:aws:sns:us-east-1:" + c.acct + ":" + topic + ":0b4f5c1e-1111-2222-3333-444455556666"
			for _, a := range []string{"sns:Unsubscribe", "sns:SetSubscriptionAttributes"} {
				assert.Equal(t, policyeval.ExplicitDeny, decide6(t, policyeval.Request{Principal: policyeval.Principal{ARN: c.caller}, Action: a, Resource: sub}, ps), "%s %s %s", c.example, a, sub)
			}
		}
	}
}
