package policy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The deploying role is named in a key policy only with ManagesKeys, and
// may replicate only a primary, only into the given regions.
func TestKeyManagerStatements(t *testing.T) {
	trail := Trail{Partition: "aws", Region: "us-east-1", Account: "111122223333", Name: "the-trail"}
	role := "arn:aws:iam::444455556666:role/Deployer"
	props := KeyPolicyProps{KeyAccount: "444455556666", Trail: trail, Region: "us-east-1", ReplicaRegions: []string{"us-west-2"},
		Protection: &Protection{Deployer: role}}
	doc, err := KeyPolicy(props)
	require.NoError(t, err)
	_, ok := doc.StatementBySid(SidDeployerManagesKey)
	assert.False(t, ok, "no statement without ManagesKeys")

	props.Protection.ManagesKeys = true
	doc, err = KeyPolicy(props)
	require.NoError(t, err)
	manage, ok := doc.StatementBySid(SidDeployerManagesKey)
	require.True(t, ok)
	assert.Equal(t, Values{role}, manage.Principal.AWS)
	for _, a := range []string{"kms:Decrypt", "kms:Encrypt", "kms:CreateGrant", "kms:ReplicateKey", "kms:DisableKey", "kms:UpdatePrimaryRegion"} {
		assert.NotContains(t, manage.Action, a)
	}
	repl, ok := doc.StatementBySid(SidDeployerReplicatesKey)
	require.True(t, ok)
	assert.Equal(t, Values{"kms:ReplicateKey"}, repl.Action)
	assert.Contains(t, repl.Condition["StringEquals"]["kms:ReplicaRegion"], "us-west-2")

	props.ReplicaRegions = nil
	doc, err = KeyPolicy(props)
	require.NoError(t, err)
	_, ok = doc.StatementBySid(SidDeployerReplicatesKey)
	assert.False(t, ok, "a replica's policy does not let the role replicate")

	// Review 7, B4: scheduling the deletion only with allow_destroy.
	assert.NotContains(t, manage.Action, DeployerKeyDeletionAction)
	props.Protection.AllowKeyDeletion = true
	doc, err = KeyPolicy(props)
	require.NoError(t, err)
	manage, ok = doc.StatementBySid(SidDeployerManagesKey)
	require.True(t, ok)
	assert.Contains(t, manage.Action, DeployerKeyDeletionAction)
	assert.NotContains(t, WithKeyManager(ResultsKeyPolicy("aws", "444455556666"), role, false).Statement[1].Action, DeployerKeyDeletionAction)
	assert.Contains(t, WithKeyManager(ResultsKeyPolicy("aws", "444455556666"), role, true).Statement[1].Action, DeployerKeyDeletionAction)

	assert.Len(t, WithKeyManager(ResultsKeyPolicy("aws", "444455556666"), "", false).Statement, 1)
	assert.Len(t, WithKeyManager(ResultsKeyPolicy("aws", "444455556666"), role, false).Statement, 2)
}
