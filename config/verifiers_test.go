package config

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
)

// TestVerificationFollowsTheConfiguration: the buckets, paths and key the
// verifiers' grants name are the configuration's; none without verifiers.
func TestVerificationFollowsTheConfiguration(t *testing.T) {
	assert.Nil(t, Default().Verification())
	doc, err := Default().VerifierPolicy()
	require.NoError(t, err)
	assert.Nil(t, doc)

	c := mustLoad(t, "../examples/organization.yaml")
	require.NotEmpty(t, c.Key.Verifiers, "the organization example names verifiers")
	v := c.Verification()
	require.NotNil(t, v)
	assert.Equal(t, c.Bucket.Name, v.Bucket)
	assert.Equal(t, c.Replication.BucketName, v.RecoveryBucket)
	assert.Equal(t, c.Replication.Region, v.RecoveryRegion)
	assert.Equal(t, []string{"org/AWSLogs/111122223333/", "org/AWSLogs/o-exampleorg1/"}, v.LogPaths())
	assert.False(t, v.SharedKey)
	doc, err = c.VerifierPolicy()
	require.NoError(t, err)
	require.NotNil(t, doc)
	s, ok := doc.StatementBySid(policy.SidVerifierDecryptRecovery)
	require.True(t, ok)
	assert.Equal(t, policy.Values{"arn:aws:kms:us-west-2:444455556666:key/*"}, s.Resource, "the key's ARN is not known before it exists")

	// A key made elsewhere: its copy's ARN, the shared key's contexts, and
	// the statements the key's owner must add.
	e := mustLoad(t, "../testdata/warn/existing-bucket-and-key.yaml")
	require.NotEmpty(t, e.Key.Verifiers)
	assert.True(t, e.Verification().SharedKey)
	doc, err = e.VerifierPolicy()
	require.NoError(t, err)
	s, ok = doc.StatementBySid(policy.SidVerifierDecryptTrailBucket)
	require.True(t, ok)
	assert.Equal(t, policy.Values{e.ExistingKeyARNs()["us-east-1"]}, s.Resource)
	req, err := e.RequiredPolicies()
	require.NoError(t, err)
	prefix := e.RequiredSidPrefix()
	_, ok = req.Keys["us-east-1"].StatementBySid(prefix + policy.SidVerifiersDecryptTrailBucket)
	assert.True(t, ok, "the home copy's statements include the verifiers'")
	_, ok = req.Keys["us-west-2"].StatementBySid(prefix + policy.SidVerifiersDecryptTrailBucket)
	assert.False(t, ok, "no bucket in us-west-2, no verifier grant there")
	_, ok = req.Bucket.StatementBySid(prefix + policy.SidVerifiersRead)
	assert.True(t, ok, "the bucket's statements include the verifiers'")
}

// TestVerifierNotes: a verifier of another account needs the identity
// policy (required); one of the log-archive account is granted by the
// resource policies alone (recommended).
func TestVerifierNotes(t *testing.T) {
	c := mustLoad(t, "../examples/organization.yaml")
	lines, err := c.RequiredNotes()
	require.NoError(t, err)
	var required, recommended string
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "required: the verifiers"):
			required = l
		case strings.HasPrefix(l, "recommended: the verifiers"):
			recommended = l
		}
	}
	for _, v := range c.Key.Verifiers {
		if strings.Contains(v, ":444455556666:") {
			assert.Contains(t, recommended, v)
			assert.NotContains(t, required, v)
		} else {
			assert.Contains(t, required, v)
			assert.NotContains(t, recommended, v)
		}
	}
	assert.Contains(t, required, "verifier-policy.json")
	lines, err = Default().RequiredNotes()
	require.NoError(t, err)
	assert.Empty(t, lines)
}

// TestVerifierWarnings: the verifiers are warned of digest files that do
// not exist and of archived files they cannot read.
func TestVerifierWarnings(t *testing.T) {
	has := func(c *Config, part string) bool {
		for _, w := range c.Warnings() {
			if w.Field == "key.verifiers" && strings.Contains(w.Reason, part) {
				return true
			}
		}
		return false
	}
	c := mustLoad(t, "../examples/organization.yaml")
	assert.False(t, has(c, ""), "the organization example's verifiers are warned of nothing")
	c.Trail.EnableLogFileValidation = false
	assert.True(t, has(c, "no digest files to check"))
	c = mustLoad(t, "../examples/organization.yaml")
	for class, warned := range map[string]bool{"GLACIER": true, "DEEP_ARCHIVE": true, "GLACIER_IR": false, "STANDARD_IA": false} {
		c.Bucket.Lifecycle = &Lifecycle{TransitionDays: 400, TransitionStorageClass: class}
		assert.Equal(t, warned, has(c, "InvalidObjectState"), class)
	}
	c.Key.Verifiers = nil
	c.Bucket.Lifecycle = &Lifecycle{TransitionDays: 400, TransitionStorageClass: "GLACIER"}
	assert.False(t, has(c, ""), "no verifiers, no verifier warning")
}
