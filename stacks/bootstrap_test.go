package stacks

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	st "github.com/cloudtrail-mrk/cloudtrail-mrk/internal/proof/synthtest"
)

// The organization example's bootstrap: a stack per account, with local
// state and providers that assume no role, the deploying role of each
// account named by its role_arn, and the state bucket and state role in the
// account of backend.s3.role_arn. A second configuration moves the state to
// another region, adds a lock table and a role path.
func TestBootstrapStacks(t *testing.T) {
	cfg := load(t, "../examples/organization.yaml")
	_, docs := synthApp(t, cfg)
	archive, mgmt := docs["bootstrap-log-archive"], docs["bootstrap-management"]
	for name, d := range map[string]st.Doc{"bootstrap-log-archive": archive, "bootstrap-management": mgmt} {
		for _, p := range d.Providers() {
			assert.NotContains(t, p, "assume_role", "%s: the bootstrap runs with administrator credentials", name)
			assert.NotEmpty(t, p["allowed_account_ids"], name)
		}
		backend := st.Object(st.Object(d, "terraform"), "backend")
		assert.Equal(t, map[string]any{"local": map[string]any{"path": "../../../terraform." + name + ".tfstate"}}, backend)
	}
	_, role := archive.OnlyWhere(t, "aws_iam_role", "name", "CloudTrailLogArchiveDeployer")
	assert.Equal(t, "/", role["path"])
	archive.OnlyWhere(t, "aws_iam_role", "name", "TerraformState")
	_, bucket := archive.OnlyWhere(t, "aws_s3_bucket", "bucket", "example-terraform-state-444455556666")
	assert.Equal(t, false, bucket["force_destroy"])
	assert.Equal(t, map[string]any{"prevent_destroy": true}, bucket["lifecycle"])
	assert.Equal(t, 1, archive.Count("aws_s3_bucket_versioning"))
	assert.Equal(t, 1, archive.Count("aws_s3_bucket_public_access_block"))
	assert.Equal(t, 1, archive.Count("aws_s3_bucket_ownership_controls"))
	assert.Equal(t, 0, archive.Count("aws_dynamodb_table"), "use_lockfile needs only the bucket")
	mgmt.OnlyWhere(t, "aws_iam_role", "name", "CloudTrailDeployer")
	assert.Equal(t, 0, mgmt.Count("aws_s3_bucket"))

	cfg = load(t, "../examples/organization.yaml")
	cfg.Backend.S3.Region = "eu-west-1"
	cfg.Backend.S3.DynamoDBTable = "terraform-locks"
	cfg.Accounts.Management.RoleARN = "arn:aws:iam::111122223333:role/deploy/CloudTrailDeployer"
	_, docs = synthApp(t, cfg)
	archive, mgmt = docs["bootstrap-log-archive"], docs["bootstrap-management"]
	_, table := archive.OnlyWhere(t, "aws_dynamodb_table", "name", "terraform-locks")
	assert.Equal(t, "LockID", table["hash_key"])
	assert.Equal(t, "aws.eu-west-1", table["provider"])
	_, bucket = archive.OnlyWhere(t, "aws_s3_bucket", "bucket", "example-terraform-state-444455556666")
	assert.Equal(t, "aws.eu-west-1", bucket["provider"])
	_, role = mgmt.OnlyWhere(t, "aws_iam_role", "name", "CloudTrailDeployer")
	assert.Equal(t, "/deploy/", role["path"])
}

// The built-in default has no bootstrap.trusted_principals: no bootstrap
// stack.
func TestDefaultHasNoBootstrapStack(t *testing.T) {
	cfg := load(t, "../examples/single-account.yaml")
	s, _ := synthApp(t, cfg)
	require.Empty(t, s.Bootstraps)
	assert.Equal(t, []string{CombinedStackName}, s.Names())
}
