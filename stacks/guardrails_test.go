package stacks

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/config"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	st "github.com/cloudtrail-mrk/cloudtrail-mrk/internal/proof/synthtest"
)

// The organization example asks for the guardrails: one service control
// policy, compact and within AWS Organizations' limit, attached to each
// target, and every key copy tagged for it.
func TestGuardrailsWhenAsked(t *testing.T) {
	cfg := load(t, "../examples/organization.yaml")
	require.True(t, cfg.Guardrails.Enabled)
	// The bootstrap tags every key too (TestBootstrapTagsEveryKey).
	cfg.Bootstrap = config.Bootstrap{}
	_, docs := synthApp(t, cfg)
	archive, mgmt := docs[LogArchiveStackName], docs[ManagementStackName]

	// The guardrail policy and, as the example replicates with an alarm,
	// the monitoring guardrail policy for that alarm and its topic in the
	// log-archive account.
	name, p := mgmt.OnlyWhere(t, "aws_organizations_policy", "name", "organization-trail-guardrails")
	_, mp := mgmt.OnlyWhere(t, "aws_organizations_policy", "name", "organization-trail-guardrails-monitoring")
	mdoc, err := policy.Parse(mp["content"].(string))
	require.NoError(t, err)
	assert.Equal(t, []string{policy.SidGuardMonitoringPrefix + "444455556666"}, mdoc.Sids())
	assert.Equal(t, "SERVICE_CONTROL_POLICY", p["type"])
	assert.Equal(t, "organization-trail-guardrails", p["name"])
	content, _ := p["content"].(string)
	assert.LessOrEqual(t, len(content), policy.MaxSCPBytes)
	assert.NotContains(t, content, "\n")
	doc, err := policy.Parse(content)
	require.NoError(t, err)
	for _, sid := range []string{policy.SidGuardKey, policy.SidGuardLogBuckets, policy.SidGuardTrail, policy.SidGuardExemptPrincipals, policy.SidGuardLeaveOrganization} {
		_, ok := doc.StatementBySid(sid)
		assert.True(t, ok, sid)
	}
	_, a := mgmt.OnlyWhere(t, "aws_organizations_policy_attachment", "policy_id", st.Ref("aws_organizations_policy", name, "id"))
	assert.Equal(t, "ou-exam-ple12345", a["target_id"])
	assert.Equal(t, 2, mgmt.Count("aws_organizations_policy_attachment"), "each policy attached to the one target")

	require.Equal(t, 0, archive.Count("aws_organizations_policy"), "SCPs are created from the management account")
	keys := 0
	for _, typ := range []string{"aws_kms_key", "aws_kms_replica_key"} {
		for _, k := range archive.Resources(typ) {
			keys++
			assert.Equal(t, map[string]any{policy.GuardTagKey: "organization-trail"}, k["tags"], "every key of the log-archive account carries the guard tag")
		}
	}
	assert.Equal(t, 4, keys, "the three copies of the trail's key and the key of the replication alarm topic")
	// The management account's monitoring key is not tagged: no service
	// control policy binds that account, so none protects it (and Only
	// above: no monitoring guardrail policy either).
	for name, k := range mgmt.Resources("aws_kms_key") {
		assert.Nil(t, k["tags"], name)
	}
	require.NotZero(t, mgmt.Count("aws_kms_key"), "the monitoring key")
}

// Off by default: no configuration that does not ask attaches an SCP, and
// the keys carry no guard tag.
func TestNoGuardrailsUnlessAsked(t *testing.T) {
	cfg := load(t, "../examples/organization.yaml")
	cfg.Guardrails = config.Guardrails{}
	// The bootstrap tags every key too (TestBootstrapTagsEveryKey).
	cfg.Bootstrap = config.Bootstrap{}
	require.NoError(t, cfg.Validate())
	_, docs := synthApp(t, cfg)
	keys := 0
	for name, d := range docs {
		assert.Equal(t, 0, d.Count("aws_organizations_policy"), name)
		assert.Equal(t, 0, d.Count("aws_organizations_policy_attachment"), name)
		for _, k := range d.Resources("aws_kms_key") {
			keys++
			assert.Nil(t, k["tags"], name)
		}
	}
	require.NotZero(t, keys, "the keys whose tags are checked")
	assert.False(t, config.Default().Guardrails.Enabled)
}

// With the bootstrap, every key the main stacks create carries the tag the
// service roles' policies match, and the main stacks create no IAM role and
// no SCP: the bootstraps made them (docs/bootstrap.md#service-roles,
// docs/bootstrap.md#guardrails-in-the-bootstrap).
func TestBootstrapTagsEveryKey(t *testing.T) {
	for _, example := range []string{"organization", "delegated-admin"} {
		cfg := load(t, "../examples/"+example+".yaml")
		require.True(t, cfg.BootstrapEnabled())
		_, docs := synthApp(t, cfg)
		keys, scps := 0, 0
		for name, d := range docs {
			if strings.HasPrefix(name, BootstrapStackPrefix) {
				continue
			}
			assert.Zero(t, d.Count("aws_iam_role"), name)
			assert.Zero(t, d.Count("aws_iam_role_policy"), name)
			for _, typ := range []string{"aws_kms_key", "aws_kms_replica_key"} {
				for id, k := range d.Resources(typ) {
					keys++
					assert.Equal(t, map[string]any{policy.GuardTagKey: "organization-trail"}, k["tags"], name+" "+id)
				}
			}
			// Review 6, B2: no SCP in a stack a deploying role applies.
			assert.Zero(t, d.Count("aws_organizations_policy"), name)
			assert.Zero(t, d.Count("aws_organizations_policy_attachment"), name)
		}
		assert.NotZero(t, keys, example)
		for id, p := range docs["bootstrap-management"].Resources("aws_organizations_policy") {
			scps++
			assert.Nil(t, p["tags"], id)
		}
		assert.Equal(t, 2, scps, example)
	}
}
