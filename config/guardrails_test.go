package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGuardrailsOffByDefault(t *testing.T) {
	assert.False(t, Default().Guardrails.Enabled)
	c, err := Parse([]byte(valid))
	require.NoError(t, err)
	assert.False(t, c.Guardrails.Enabled)
	assert.Empty(t, c.Guardrails.PolicyName, "no default is filled in for a policy that is not created")
}

func TestOrganizationExampleGuardrails(t *testing.T) {
	c, err := Load("../examples/organization.yaml")
	require.NoError(t, err)
	g := c.Guardrails
	assert.True(t, g.Enabled)
	assert.Equal(t, []string{"ou-exam-ple12345"}, g.Targets)
	assert.Equal(t, "organization-trail-guardrails", g.PolicyName)
	p := c.GuardrailProps()
	assert.Equal(t, []string{"arn:aws:iam::111122223333:role/CloudTrailDeployer", "arn:aws:iam::444455556666:role/CloudTrailLogArchiveDeployer"}, p.Deployers)
	assert.Equal(t, []string{"arn:aws:iam::444455556666:role/LogArchiveBreakGlass"}, p.BreakGlass)
	assert.Equal(t, "444455556666", p.KeyAccount)
	assert.Equal(t, []string{
		"example-org-cloudtrail-444455556666", "example-org-cloudtrail-444455556666-access-logs",
		"example-org-cloudtrail-444455556666-usw2", "example-org-cloudtrail-444455556666-usw2-access-logs",
	}, p.LogBuckets)
}

// With a delegated administrator, its deploying role creates and updates the
// trail, so the guardrails must exempt it too.
func TestGuardrailsExemptTheDelegatedAdministratorsRole(t *testing.T) {
	c, err := Load("../examples/delegated-admin.yaml")
	require.NoError(t, err)
	assert.Contains(t, c.GuardrailProps().Deployers, "arn:aws:iam::222233334444:role/CloudTrailDeployer")
}
