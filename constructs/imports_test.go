package constructs

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ImportPrimary refuses, before adding anything, an ARN that cannot be the
// key's primary: an alias, a single-region key id, another region (a
// replica's ARN names its own region), another account; and a second call.
// What it adds is checked on the synthesized stack in stacks/imports_test.go.
func TestImportPrimaryRefusals(t *testing.T) {
	f := newFixture(t)
	k := f.key(t, nil) // primary in us-east-1, account 222222222222 (its policy's)
	const good = "arn:aws:kms:us-east-1:222222222222:key/mrk-1234abcd12ab34cd56ef1234567890ab"
	for arn, want := range map[string]string{
		"arn:aws:kms:us-east-1:222222222222:alias/landing-zone":                       "must be a KMS key ARN",
		"arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab": "must be the ARN of a multi-region key",
		"arn:aws:kms:us-west-2:222222222222:key/mrk-1234abcd12ab34cd56ef1234567890ab": "must be in the primary region us-east-1",
		"arn:aws:kms:us-east-1:333333333333:key/mrk-1234abcd12ab34cd56ef1234567890ab": "must be in the key's account 222222222222",
		"not an arn": "must be a KMS key ARN",
	} {
		err := k.ImportPrimary(arn)
		require.Error(t, err, arn)
		assert.Contains(t, err.Error(), "ImportPrimary.keyARN: "+want, arn)
	}
	require.NoError(t, k.ImportPrimary(good))
	err := k.ImportPrimary(good)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "call ImportPrimary once")
}
