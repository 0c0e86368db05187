package config

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
)

// The built-in default names no role and no trusted principal: no bootstrap.
func TestDefaultHasNoBootstrap(t *testing.T) {
	assert.Empty(t, Default().BootstrapAccounts())
}

func TestOrganizationBootstrapAccounts(t *testing.T) {
	cfg, err := Load("../examples/organization.yaml")
	require.NoError(t, err)
	got := cfg.BootstrapAccounts()
	require.Len(t, got, 2)
	assert.Equal(t, BootstrapAccount{Role: RoleLogArchive, ID: "444455556666", Deployers: []string{"arn:aws:iam::444455556666:role/CloudTrailLogArchiveDeployer"}, State: true}, got[0])
	assert.Equal(t, BootstrapAccount{Role: RoleManagement, ID: "111122223333", Deployers: []string{"arn:aws:iam::111122223333:role/CloudTrailDeployer"}}, got[1])
}

// No deploying policy may allow an object-level S3 action or a KMS data
// action, whatever the configuration creates (it may deny them: review 7,
// B4); and they fit IAM's quota.
func TestDeployerPoliciesNeverTouchLogData(t *testing.T) {
	forbidden := []string{"s3:GetObject", "s3:DeleteObject", "s3:PutObject", "s3:*", "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncrypt", "kms:CreateGrant", "kms:*", "iam:*", "*"}
	for _, name := range []string{"organization", "delegated-admin"} {
		cfg, err := Load("../examples/" + name + ".yaml")
		require.NoError(t, err)
		for _, a := range cfg.BootstrapAccounts() {
			total := 0
			for pname, doc := range policy.DeployerPolicies(cfg.DeployerProps(a)) {
				total += policy.CompactSize(doc)
				for _, st := range doc.Statement {
					if st.Effect != policy.Allow {
						continue
					}
					for _, act := range st.Action {
						for _, f := range forbidden {
							assert.False(t, act == f || (strings.HasSuffix(f, "*") == false && strings.HasPrefix(act, f)), "%s %s %s: %s", name, a.ID, pname, act)
						}
					}
				}
			}
			assert.LessOrEqual(t, total, MaxRolePolicySize, "%s %s", name, a.ID)
		}
	}
}
