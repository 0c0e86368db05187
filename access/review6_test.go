package access

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/policyeval"
)

// Security review 6's reproductions (package policyeval against the
// synthesized organization example), as assertions in the secure direction.

// stackNamed is the golden stack name of the organization example.
func stackNamed(t *testing.T, stacks []Stack, name string) Stack {
	t.Helper()
	for _, s := range stacks {
		if s.Name == name {
			return s
		}
	}
	require.Failf(t, "no stack", "%s", name)
	return Stack{}
}

// rolePolicies are the inline policies of the role with logical id role.
func rolePolicies(t *testing.T, s Stack, role string) []policy.Document {
	t.Helper()
	var out []policy.Document
	for _, p := range s.resources("aws_iam_role_policy") {
		if p["role"] == "${aws_iam_role."+role+".name}" {
			d, err := policy.Parse(p["policy"].(string))
			require.NoError(t, err)
			out = append(out, d)
		}
	}
	require.NotEmpty(t, out, role)
	return out
}

func decide6(t *testing.T, req policyeval.Request, ps policyeval.Policies) policyeval.Decision {
	t.Helper()
	d, err := policyeval.Evaluate(req, ps)
	require.NoError(t, err)
	return d
}

// B1, the tag gap: a deploying role that tags an unrelated key (whose policy
// is AWS's default, the account root) with the bootstrap's tag, or a key of
// another trail, gains nothing on it; replicas only in the configured
// regions.
func TestReview6TagGapClosed(t *testing.T) {
	_, stacks := golden(t, "organization")
	bla := stackNamed(t, stacks, "bootstrap-log-archive")
	bm := stackNamed(t, stacks, "bootstrap-management")
	for _, c := range []struct {
		who, role, acct string
		ids             []policy.Document
	}{
		{"log archive", "CloudTrailLogArchiveDeployer", "444455556666", rolePolicies(t, bla, "DeployingRole_CloudTrailLogArchiveDeployer")},
		{"management", "CloudTrailDeployer", "111122223333", rolePolicies(t, bm, "DeployingRole_CloudTrailDeployer")},
	} {
		t.Run(c.who, func(t *testing.T) {
			p := policyeval.Principal{ARN: "arn:aws:sts::" + c.acct + ":assumed-role/" + c.role + "/cloudtrail-mrk"}
			kp := defaultKeyPolicy("aws", c.acct)
			victim := "arn:aws:kms:us-east-1:" + c.acct + ":key/mrk-0123456789abcdef0123456789abcdef"
			ps := policyeval.Policies{Resource: &kp, KeyPolicy: true, ResourceAccount: c.acct, Identity: c.ids}
			// Step 1 stays possible (tags at creation need kms:TagResource on
			// every key: docs/aws-rules.md#tags-at-key-creation) ...
			step1 := decide6(t, policyeval.Request{Principal: p, Action: "kms:TagResource", Resource: victim,
				Context: ctx("aws:RequestTag/cloudtrail-mrk-guardrail", "organization-trail", "aws:TagKeys", "cloudtrail-mrk-guardrail")}, ps)
			if c.who == "log archive" {
				assert.True(t, step1.Allowed(), "tags at creation: %s", step1)
			}
			// ... but re-tagging another trail's key is not.
			assert.False(t, decide6(t, policyeval.Request{Principal: p, Action: "kms:TagResource", Resource: victim,
				Context: ctx("aws:ResourceTag/cloudtrail-mrk-guardrail", "other-trail", "aws:RequestTag/cloudtrail-mrk-guardrail", "organization-trail", "aws:TagKeys", "cloudtrail-mrk-guardrail")}, ps).Allowed())
			// Step 2: the now-tagged key is not the role's to manage or use.
			tagged := ctx("aws:ResourceTag/cloudtrail-mrk-guardrail", "organization-trail", "kms:ReplicaRegion", "us-west-2")
			for _, a := range []string{"kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:ReplicateKey", "kms:UpdateKeyDescription", "kms:CreateAlias", "kms:Decrypt", "kms:DescribeKey"} {
				assert.False(t, decide6(t, policyeval.Request{Principal: p, Action: a, Resource: victim, Context: tagged}, ps).Allowed(), a)
			}
			// Step 3: no replica in a region the configuration does not use.
			assert.False(t, decide6(t, policyeval.Request{Principal: p, Action: "kms:CreateKey", Resource: "*",
				Context: ctx("kms:MultiRegionKeyType", "REPLICA", "kms:MultiRegion", "true", "aws:RequestedRegion", "ap-south-1")},
				policyeval.Policies{ResourceAccount: c.acct, Identity: c.ids}).Allowed())
			// Step 4 needs step 2's PutKeyPolicy, denied above; with a key
			// policy naming the role (one it could not have written), the
			// key policy alone decides, as for any key the account's
			// administrators give it: not the deploying policies' doing.
		})
	}
}

// B2, SCP creation: the management deploying role writes no SCP (its
// creation failed: CreatePolicy has no resource type and needs
// organizations:TagResource with tags); the guardrail SCPs and their
// attachments are in the management account's bootstrap, which its
// administrator applies.
func TestReview6SCPsInTheBootstrap(t *testing.T) {
	_, stacks := golden(t, "organization")
	bm := stackNamed(t, stacks, "bootstrap-management")
	mDep := rolePolicies(t, bm, "DeployingRole_CloudTrailDeployer")
	mdep := policyeval.Principal{ARN: "arn:aws:sts::111122223333:assumed-role/CloudTrailDeployer/cloudtrail-mrk"}
	ps := policyeval.Policies{ResourceAccount: "111122223333", Identity: mDep}
	scp := "arn:aws:organizations::111122223333:policy/o-exampleorg1/service_control_policy/p-newpolicy"
	rt := ctx("aws:RequestTag/cloudtrail-mrk-guardrail", "organization-trail", "aws:TagKeys", "cloudtrail-mrk-guardrail", "organizations:PolicyType", "SERVICE_CONTROL_POLICY")
	for _, req := range []policyeval.Request{
		{Principal: mdep, Action: "organizations:CreatePolicy", Resource: "*", Context: rt},
		{Principal: mdep, Action: "organizations:CreatePolicy", Resource: scp, Context: rt},
		{Principal: mdep, Action: "organizations:TagResource", Resource: scp, Context: rt},
		{Principal: mdep, Action: "organizations:TagResource", Resource: "*", Context: rt},
		{Principal: mdep, Action: "organizations:UpdatePolicy", Resource: scp, Context: ctx("aws:ResourceTag/cloudtrail-mrk-guardrail", "organization-trail")},
	} {
		assert.False(t, decide6(t, req, ps).Allowed(), "%s on %s", req.Action, req.Resource)
	}
	assert.Len(t, bm.resources("aws_organizations_policy"), 2)
	assert.Len(t, bm.resources("aws_organizations_policy_attachment"), 2)
	for _, s := range stacks {
		if s.Name != "bootstrap-management" {
			assert.Empty(t, s.resources("aws_organizations_policy"), s.Name)
			assert.Empty(t, s.resources("aws_organizations_policy_attachment"), s.Name)
		}
	}
	for _, p := range bm.resources("aws_organizations_policy") {
		assert.Nil(t, p["tags"], "the SCPs need no tag: no deploying role is scoped by it")
	}
}

// Should-fix: the state role's documented recovery (list the versions, read
// one, copy it over the current one) is allowed to it, through its policy
// and the state bucket's; deleting a version is not.
func TestReview6StateRecovery(t *testing.T) {
	_, stacks := golden(t, "organization")
	bla := stackNamed(t, stacks, "bootstrap-log-archive")
	state := rolePolicies(t, bla, "StateRole")
	p := policyeval.Principal{ARN: "arn:aws:sts::444455556666:assumed-role/TerraformState/s"}
	var sbp policy.Document
	for _, b := range bla.resources("aws_s3_bucket_policy") {
		d, err := policy.Parse(b["policy"].(string))
		require.NoError(t, err)
		sbp = d
	}
	bkt := "arn:aws:s3:::example-terraform-state-444455556666"
	obj := bkt + "/cloudtrail-mrk/log-archive.tfstate"
	ps := policyeval.Policies{Resource: &sbp, ResourceAccount: "444455556666", Identity: state}
	tls := ctx("aws:SecureTransport", "true")
	for _, c := range []struct {
		action, resource string
		want             bool
	}{
		{"s3:ListBucketVersions", bkt, true},
		{"s3:GetObjectVersion", obj, true},
		{"s3:GetObject", obj, true},
		{"s3:PutObject", obj, true},
		{"s3:PutObject", bkt + "/cloudtrail-mrk/management.tfstate.tflock", true},
		{"s3:DeleteObject", obj, false},
		{"s3:DeleteObjectVersion", obj, false},
	} {
		got := decide6(t, policyeval.Request{Principal: p, Action: c.action, Resource: c.resource, Context: tls}, ps)
		assert.Equal(t, c.want, got.Allowed(), "%s on %s: %s", c.action, c.resource, got)
	}
}
