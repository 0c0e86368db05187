package stacks

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/config"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	st "github.com/cloudtrail-mrk/cloudtrail-mrk/internal/proof/synthtest"
)

func TestAthenaInTheLogArchiveStack(t *testing.T) {
	cfg := load(t, "../examples/delegated-admin.yaml")
	require.True(t, cfg.Athena.Enabled)
	_, docs := synthApp(t, cfg)
	archive := docs[LogArchiveStackName]
	for _, other := range []string{ManagementStackName, DelegatedAdminStackName} {
		assert.Equal(t, 0, docs[other].Count("aws_athena_workgroup"), other)
	}

	_, wg := archive.Only(t, "aws_athena_workgroup")
	conf := wg["configuration"].(map[string]any)
	assert.Equal(t, true, conf["enforce_workgroup_configuration"], "clients cannot override the results location or encryption")
	res := conf["result_configuration"].(map[string]any)
	assert.Equal(t, "s3://"+cfg.Athena.ResultsBucketName+"/", res["output_location"])
	assert.Equal(t, "444455556666", res["expected_bucket_owner"])
	enc := res["encryption_configuration"].(map[string]any)
	assert.Equal(t, "SSE_KMS", enc["encryption_option"])

	// The results key is a single-region key of its own, never the trail key.
	var resultsKey string
	for name, k := range archive.Resources("aws_kms_key") {
		if k["multi_region"] != true {
			resultsKey = name
		}
	}
	require.NotEmpty(t, resultsKey)
	assert.Equal(t, st.Ref("aws_kms_key", resultsKey, "arn"), enc["kms_key_arn"])
	var resultsEncrypted bool
	for _, sse := range archive.Resources("aws_s3_bucket_server_side_encryption_configuration") {
		rule := sse["rule"].([]any)[0].(map[string]any)
		def := rule["apply_server_side_encryption_by_default"].(map[string]any)
		if def["kms_master_key_id"] == st.Ref("aws_kms_key", resultsKey, "arn") {
			resultsEncrypted = true
		}
	}
	assert.True(t, resultsEncrypted, "the results bucket is encrypted with the results key")
	var expires bool
	for _, lc := range archive.Resources("aws_s3_bucket_lifecycle_configuration") {
		for _, r := range lc["rule"].([]any) {
			if r.(map[string]any)["id"] == "query-results" {
				expires = true
				assert.Equal(t, map[string]any{"days": float64(30)}, r.(map[string]any)["expiration"])
			}
		}
	}
	assert.True(t, expires, "results expire")

	assert.Equal(t, 4, archive.Count("aws_athena_named_query"))
	_, table := archive.Only(t, "aws_glue_catalog_table")
	params := table["parameters"].(map[string]any)
	assert.Equal(t, "s3://example-org-cloudtrail-da-444455556666/org/AWSLogs/o-exampleorg1/$${account}/CloudTrail/$${region}/$${date}", params["storage.location.template"], "Athena's placeholders, escaped for Terraform")
	assert.Equal(t, "111122223333,222233334444,444455556666,777788889999", params["projection.account.values"], "an organization trail: athena.accounts, sorted")

	// With the bootstrap, the bootstrap stack creates the query role
	// (docs/bootstrap.md#service-roles), whose policy names the keys by tag.
	require.Zero(t, archive.Count("aws_iam_role"))
	boot := docs[BootstrapStackName(config.RoleLogArchive)]
	var trust policy.Document
	var perms policy.Document
	for id, r := range boot.Resources("aws_iam_role") {
		if r["name"] == cfg.Athena.QueryRoleName {
			trust = st.Policy(t, map[string]any{"policy": r["assume_role_policy"]})
			_, rp := boot.OnlyWhere(t, "aws_iam_role_policy", "role", st.Ref("aws_iam_role", id, "name"))
			perms = st.Policy(t, rp)
		}
	}
	k, ok := perms.StatementBySid(policy.SidQueryResultsKey)
	require.True(t, ok)
	assert.Equal(t, policy.Values{"organization-trail"}, k.Condition["StringEquals"]["aws:ResourceTag/"+policy.GuardTagKey])
	s, ok := trust.StatementBySid(policy.SidQueryAssume)
	require.True(t, ok)
	assert.ElementsMatch(t, policy.Values{"arn:aws:iam::222233334444:root", "arn:aws:iam::444455556666:role/LogReader"}, s.Principal.AWS)
}
