package config

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Security review 3's reproductions (trust_test.go): a trusted principal
// that is a wildcard, a pattern, a session or a role the bootstrap creates
// is refused; a plain role or user ARN is accepted.
func TestBootstrapTrustedPrincipalReproductions(t *testing.T) {
	base, err := os.ReadFile("../examples/organization.yaml")
	require.NoError(t, err)
	const runner = "- arn:aws:iam::111122223333:role/TerraformRunner"
	require.Contains(t, string(base), runner)
	validate := func(p string) error {
		c, err := Parse([]byte(strings.Replace(string(base), runner, "- "+p, 1)))
		if err == nil {
			err = c.Validate()
		}
		return err
	}
	for _, p := range []string{
		`"*"`,
		"arn:aws:iam::111122223333:role/*",
		"arn:aws:iam::*:role/TerraformRunner",
		"arn:aws:sts::111122223333:assumed-role/TerraformRunner/s",
		"111122223333",
		"arn:aws:iam::444455556666:role/cloudtrail-mrk-replication",
	} {
		err := validate(p)
		if assert.Error(t, err, p) {
			assert.Contains(t, err.Error(), "bootstrap.trusted_principals[0]", p)
		}
	}
	for _, p := range []string{
		"arn:aws:iam::111122223333:user/alice",
		"arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_abc",
	} {
		assert.NoError(t, validate(p), p)
	}
}
