package access

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/policyeval"
)

// R10-3: under the bootstrap, the log-archive deploying role cannot
// read, import or re-policy an existing key whose policy is AWS's default
// (the account, kms:*: IAM decides, and the role's IAM policies hold no key
// grant); once a key administrator has put the synthesized key policy on
// it (DeployingRoleManagesKey), the same calls are allowed. This is what
// config's key.import_arn warning under the bootstrap tells the user to do
// (docs/adopting.md#importing-under-the-bootstrap).
func TestReview10ImportedKeyNeedsTheSynthesizedPolicyFirst(t *testing.T) {
	_, stacks := golden(t, "organization")
	ids := rolePolicies(t, stackNamed(t, stacks, "bootstrap-log-archive"), "DeployingRole_CloudTrailLogArchiveDeployer")
	synthesized := r7KeyPolicy(t, stackNamed(t, stacks, "log-archive"), "aws_kms_key", "TrailKey_PrimaryKey_980DB91A")
	def := defaultKeyPolicy("aws", r7LogArchive)
	key := "arn:aws:kms:us-east-1:" + r7LogArchive + ":key/mrk-1234abcd12ab34cd56ef1234567890ab"
	p := policyeval.Principal{ARN: r7LaDeployer}
	// The provider's reads of an imported key and the data source, then
	// the first apply's writes.
	for _, a := range []string{"kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags", "kms:PutKeyPolicy", "kms:EnableKeyRotation", "kms:UpdateKeyDescription"} {
		req := policyeval.Request{Principal: p, Action: a, Resource: key, Context: ctx("kms:CallerAccount", r7LogArchive, "kms:BypassPolicyLockoutSafetyCheck", "false")}
		before := decide6(t, req, policyeval.Policies{Resource: &def, KeyPolicy: true, ResourceAccount: r7LogArchive, Identity: ids})
		after := decide6(t, req, policyeval.Policies{Resource: &synthesized, KeyPolicy: true, ResourceAccount: r7LogArchive, Identity: ids})
		assert.NotEqual(t, policyeval.Allow, before, "%s on an existing key with AWS's default key policy", a)
		assert.Equal(t, policyeval.Allow, after, "%s once the synthesized key policy is on the key", a)
	}
}
