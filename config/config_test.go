package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// valid is a minimal valid file; cases below break one thing at a time.
const valid = `
home_region: us-east-1
accounts:
  management: {id: "111111111111"}
  log_archive: {id: "222222222222"}
bucket:
  name: trail-logs-222222222222
`

func TestDefaultIsValid(t *testing.T) {
	c := Default()
	require.NoError(t, c.Validate())
	assert.True(t, c.SingleAccount())
	assert.Equal(t, "arn:aws:cloudtrail:us-east-1:111122223333:trail/cloudtrail-mrk", c.TrailIdentity().ARN())
	assert.True(t, c.Trail.MultiRegion)
	assert.True(t, c.Trail.IncludeGlobalServiceEvents)
	assert.True(t, c.Trail.EnableLogFileValidation)
	assert.False(t, c.AllowDestroy)
	assert.Equal(t, 30, c.Key.DeletionWindowDays)
}

func TestParseAppliesDefaults(t *testing.T) {
	c, err := Parse([]byte(valid))
	require.NoError(t, err)
	assert.Equal(t, "cloudtrail-mrk", c.Trail.Name)
	assert.True(t, c.Trail.MultiRegion)
	assert.True(t, c.Trail.EnableLogFileValidation)
	assert.Equal(t, "alias/cloudtrail-mrk", c.Key.Alias)
	assert.Equal(t, 365, c.Key.RotationPeriodDays)
	assert.Equal(t, 30, c.Key.DeletionWindowDays)
	assert.Equal(t, ObjectLock{Mode: "GOVERNANCE", Days: 365}, c.Bucket.ObjectLock)
	assert.Nil(t, c.Bucket.Lifecycle)
	assert.Nil(t, c.Backend.S3)
	assert.False(t, c.SingleAccount())
	assert.Equal(t, "111111111111", c.TrailIdentity().Account, "the management account owns the trail")
}

func TestParseKeepsExplicitFalse(t *testing.T) {
	c, err := Parse([]byte(valid + "trail:\n  multi_region: false\n  include_global_service_events: false\n"))
	require.NoError(t, err)
	assert.False(t, c.Trail.MultiRegion)
	assert.False(t, c.Trail.IncludeGlobalServiceEvents)
	assert.True(t, c.Trail.EnableLogFileValidation)
}

func TestLateDefaults(t *testing.T) {
	c, err := Parse([]byte(strings.Replace(valid, "name: trail-logs-222222222222", "name: trail-logs-222222222222\n  lifecycle: {transition_days: 10}", 1) + `
backend:
  s3: {bucket: state-bucket-1, region: us-east-1, use_lockfile: true}
`))
	require.NoError(t, err)
	assert.Equal(t, "GLACIER_IR", c.Bucket.Lifecycle.TransitionStorageClass)
	assert.Equal(t, "cloudtrail-mrk", c.Backend.S3.KeyPrefix)
}

func TestExamplesAreValid(t *testing.T) {
	files, err := filepath.Glob("../examples/*.yaml")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 2)
	for _, f := range files {
		c, err := Load(f)
		require.NoError(t, err, f)
		require.NotNil(t, c)
	}
	org, err := Load("../examples/organization.yaml")
	require.NoError(t, err)
	assert.False(t, org.SingleAccount())
	assert.Equal(t, "o-exampleorg1", org.OrganizationID)
	assert.Len(t, org.Key.ReplicaRegions, 2)
}

// TestValidationErrors holds one case per rule: the file, and every line of
// the expected message.
func TestValidationErrors(t *testing.T) {
	cases := []struct {
		name string
		yaml string
		want []string
	}{
		{"malformed YAML", "home_region: [us-east-1\n", []string{"invalid YAML: line 1: did not find expected ',' or ']'"}},
		{"tab indentation", "home_region: us-east-1\n\taccounts: {}\n", []string{"invalid YAML: line 2: found a tab character that violates indentation"}},
		{"unknown key", valid + "trail:\n  nmae: x\n", []string{`line 9: unknown key "nmae"`}},
		{"unknown top-level key", valid + "regions: [us-east-1]\n", []string{`line 8: unknown key "regions"`}},
		{"unknown keys and invalid values together", strings.Replace(valid, "us-east-1", "us-east-7", 1) + "trail: {nmae: x, name: a}\nregions: []\n", []string{
			`line 8: unknown key "nmae"`,
			`line 9: unknown key "regions"`,
			`home_region: must be an AWS region name such as us-east-1 (got "us-east-7")`,
			`trail.name: trail names must be 3 to 128 characters long (this one is 1) (got "a")`}},
		{"wrong type int", valid + "key:\n  rotation_period_days: yearly\n", []string{"line 9: !!str `yearly` where a whole number is expected"}},
		{"wrong type bool", valid + "trail:\n  multi_region: sometimes\n", []string{"line 9: !!str `sometimes` where true or false is expected"}},
		{"wrong type list", valid + "key:\n  replica_regions: us-west-2\n", []string{"line 9: !!str `us-west-2` where a list of strings is expected"}},
		{"wrong type mapping", valid + "trail: organization-trail\n", []string{"line 8: !!str `organiz...` where a mapping is expected"}},
		{"two documents", valid + "---\nhome_region: us-east-1\n", []string{"the file must hold exactly one YAML document; found a second one after '---'"}},
		{"empty", "", []string{"the file is empty: it must hold a YAML mapping with at least home_region, accounts and bucket"}},
		{"only comments", "# nothing here\n", []string{"the file is empty: it must hold a YAML mapping with at least home_region, accounts and bucket"}},
		{"missing required fields", "trail: {name: t-1}\n", []string{
			`home_region: is required (got "")`,
			`accounts.management.id: is required (got "")`,
			`accounts.log_archive.id: is required (got "")`,
			`bucket.name: is required (got "")`,
		}},
		{"account id too short", strings.Replace(valid, `"111111111111"`, `"11111111111"`, 1), []string{
			`accounts.management.id: must be an AWS account id of exactly 12 digits (got "11111111111")`}},
		{"account id with letters", strings.Replace(valid, `"222222222222"`, `"22222222222a"`, 1), []string{
			`accounts.log_archive.id: must be an AWS account id of exactly 12 digits (got "22222222222a")`}},
		{"organization id shape", valid + "organization_id: o-abc\n", []string{
			`organization_id: must be an organization id: "o-" followed by 10 to 32 lowercase letters or digits (got "o-abc")`}},
		{"unknown region", strings.Replace(valid, "us-east-1", "us-east-7", 1), []string{
			`home_region: must be an AWS region name such as us-east-1 (got "us-east-7")`}},
		{"replica region unknown", valid + "key: {replica_regions: [mars-1]}\n", []string{
			`key.replica_regions[0]: must be an AWS region name such as us-east-1 (got "mars-1")`}},
		{"replica equals home", valid + "key: {replica_regions: [us-west-2, us-east-1]}\n", []string{
			`key.replica_regions[1]: must not be the home region: the primary key already lives there (got "us-east-1")`}},
		{"replica repeated", valid + "key: {replica_regions: [us-west-2, eu-west-1, us-west-2]}\n", []string{
			`key.replica_regions[2]: repeats key.replica_regions[0] (got "us-west-2")`}},
		{"replica other partition", valid + "key: {replica_regions: [cn-north-1]}\n", []string{
			`key.replica_regions[0]: must be in partition "aws" like the home region "us-east-1" (multi-region keys do not cross partitions) (got "cn-north-1")`}},
		{"bucket name length", strings.Replace(valid, "trail-logs-222222222222", "ab", 1), []string{
			`bucket.name: S3 bucket names must be 3 to 63 characters long (this one is 2) (got "ab")`}},
		{"bucket name characters", strings.Replace(valid, "trail-logs-222222222222", "Trail_Logs", 1), []string{
			`bucket.name: S3 bucket names may contain only lowercase letters, digits, dots and hyphens, and must begin and end with a letter or digit (got "Trail_Logs")`}},
		{"bucket name IP", strings.Replace(valid, "trail-logs-222222222222", "10.0.0.1", 1), []string{
			`bucket.name: S3 bucket names must not be formatted as an IP address (got "10.0.0.1")`}},
		{"bucket name reserved prefix", strings.Replace(valid, "trail-logs-222222222222", "xn--trail-logs", 1), []string{
			`bucket.name: S3 bucket names must not start with the reserved prefix "xn--" (got "xn--trail-logs")`}},
		{"bucket name reserved suffix", strings.Replace(valid, "trail-logs-222222222222", "trail-logs-s3alias", 1), []string{
			`bucket.name: S3 bucket names must not end with the reserved suffix "-s3alias" (got "trail-logs-s3alias")`}},
		{"trail name", valid + "trail: {name: my--trail}\n", []string{
			`trail.name: trail names must not have adjacent periods, underscores or dashes (got "my--trail")`}},
		{"trail name length", valid + "trail: {name: ab}\n", []string{
			`trail.name: trail names must be 3 to 128 characters long (this one is 2) (got "ab")`}},
		{"key prefix wildcard", valid + "trail: {s3_key_prefix: 'logs/*'}\n", []string{
			`trail.s3_key_prefix: key prefixes may contain only letters, digits, '.', '_', '-' and '/', and must begin with a letter or digit (got "logs/*")`}},
		{"multi-region without global events", valid + "trail: {include_global_service_events: false}\n", []string{
			`trail.include_global_service_events: must be true when trail.multi_region is true (CloudTrail rejects the combination) (got false)`}},
		{"role ARN wrong service", strings.Replace(valid, `{id: "111111111111"}`, `{id: "111111111111", role_arn: "arn:aws:s3:::bucket"}`, 1), []string{
			`accounts.management.role_arn: must be an IAM role ARN of the form arn:aws:iam::<12-digit account>:role/<name> (got "arn:aws:s3:::bucket")`}},
		{"role ARN other account", strings.Replace(valid, `{id: "111111111111"}`, `{id: "111111111111", role_arn: "arn:aws:iam::999999999999:role/Deploy"}`, 1), []string{
			`accounts.management.role_arn: must be a role in account 111111111111 (accounts.management.id) (got "arn:aws:iam::999999999999:role/Deploy")`}},
		{"role ARN other partition", strings.Replace(valid, `{id: "111111111111"}`, `{id: "111111111111", role_arn: "arn:aws-cn:iam::111111111111:role/Deploy"}`, 1), []string{
			`accounts.management.role_arn: must be in partition "aws", the partition of the home region (got "arn:aws-cn:iam::111111111111:role/Deploy")`}},
		{"admin ARN shape", valid + "key: {administrators: ['arn:aws:iam::111111111111:group/Admins']}\n", []string{
			`key.administrators[0]: must be an IAM principal ARN of the form arn:aws:iam::<12-digit account>:root, :role/<name> or :user/<name> (got "arn:aws:iam::111111111111:group/Admins")`}},
		{"reader neither account nor ARN", valid + "key: {readers: ['*']}\n", []string{
			`key.readers[0]: must be a 12-digit account id or an IAM principal ARN (arn:aws:iam::<account>:root, :role/<name> or :user/<name>) (got "*")`}},
		{"alias reserved", valid + "key: {alias: alias/aws/cloudtrail}\n", []string{
			`key.alias: KMS aliases must not start with the reserved prefix "alias/aws/" (got "alias/aws/cloudtrail")`}},
		{"rotation below range", valid + "key: {rotation_period_days: 89}\n", []string{
			`key.rotation_period_days: must be between 90 and 2560 days (got 89)`}},
		{"rotation above range", valid + "key: {rotation_period_days: 2561}\n", []string{
			`key.rotation_period_days: must be between 90 and 2560 days (got 2561)`}},
		{"deletion window below range", valid + "key: {deletion_window_days: 6}\n", []string{
			`key.deletion_window_days: must be between 7 and 30 days (got 6)`}},
		{"deletion window above range", valid + "key: {deletion_window_days: 31}\n", []string{
			`key.deletion_window_days: must be between 7 and 30 days (got 31)`}},
		{"lock mode", strings.Replace(valid, "name: trail-logs-222222222222", "name: trail-logs-222222222222\n  object_lock: {mode: governance}", 1), []string{
			`bucket.object_lock.mode: must be GOVERNANCE or COMPLIANCE (got "governance")`}},
		{"retention zero", strings.Replace(valid, "name: trail-logs-222222222222", "name: trail-logs-222222222222\n  object_lock: {days: 0}", 1), []string{
			`bucket.object_lock.days: must be between 1 and 36500 days (got 0)`}},
		{"expiration shorter than retention", strings.Replace(valid, "name: trail-logs-222222222222", "name: trail-logs-222222222222\n  lifecycle: {expiration_days: 364}", 1), []string{
			`bucket.lifecycle.expiration_days: must not be shorter than the Object Lock retention (365 days) (got 364)`}},
		{"noncurrent shorter than retention", strings.Replace(valid, "name: trail-logs-222222222222", "name: trail-logs-222222222222\n  lifecycle: {noncurrent_expiration_days: 30}", 1), []string{
			`bucket.lifecycle.noncurrent_expiration_days: must not be shorter than the Object Lock retention (365 days) (got 30)`}},
		{"expiration before transition", strings.Replace(valid, "name: trail-logs-222222222222", "name: trail-logs-222222222222\n  lifecycle: {transition_days: 400, expiration_days: 400}", 1), []string{
			`bucket.lifecycle.expiration_days: must be later than bucket.lifecycle.transition_days (400) (got 400)`}},
		{"empty lifecycle", strings.Replace(valid, "name: trail-logs-222222222222", "name: trail-logs-222222222222\n  lifecycle: {}", 1), []string{
			`bucket.lifecycle: must set at least one of bucket.lifecycle.transition_days, bucket.lifecycle.expiration_days and bucket.lifecycle.noncurrent_expiration_days (or be left out) (got "{}")`}},
		{"storage class unknown", strings.Replace(valid, "name: trail-logs-222222222222", "name: trail-logs-222222222222\n  lifecycle: {transition_days: 30, transition_storage_class: COLD}", 1), []string{
			`bucket.lifecycle.transition_storage_class: must be one of [DEEP_ARCHIVE GLACIER GLACIER_IR INTELLIGENT_TIERING ONEZONE_IA STANDARD_IA] (got "COLD")`}},
		{"storage class minimum days", strings.Replace(valid, "name: trail-logs-222222222222", "name: trail-logs-222222222222\n  lifecycle: {transition_days: 10, transition_storage_class: STANDARD_IA}", 1), []string{
			`bucket.lifecycle.transition_days: must be at least 30 for STANDARD_IA (S3 minimum) (got 10)`}},
		{"storage class without days", strings.Replace(valid, "name: trail-logs-222222222222", "name: trail-logs-222222222222\n  lifecycle: {expiration_days: 400, transition_storage_class: GLACIER}", 1), []string{
			`bucket.lifecycle.transition_storage_class: is set but bucket.lifecycle.transition_days is not (got "GLACIER")`}},
		{"backend without lock", valid + "backend: {s3: {bucket: state-bucket-1, region: us-east-1}}\n", []string{
			`backend.s3: must lock state: set dynamodb_table, or use_lockfile: true (Terraform 1.10 or later) (got "no lock")`}},
		{"backend missing fields", valid + "backend: {s3: {use_lockfile: true}}\n", []string{
			`backend.s3.bucket: is required (got "")`,
			`backend.s3.region: is required (got "")`}},
		{"backend is trail bucket", valid + "backend: {s3: {bucket: trail-logs-222222222222, region: us-east-1, use_lockfile: true}}\n", []string{
			`backend.s3.bucket: must not be the trail bucket (bucket.name) (got "trail-logs-222222222222")`}},
		{"several problems at once", "home_region: moon-1\naccounts:\n  management: {id: \"1\"}\n  log_archive: {id: \"2\"}\nbucket: {name: B}\n", []string{
			`home_region: must be an AWS region name such as us-east-1 (got "moon-1")`,
			`accounts.management.id: must be an AWS account id of exactly 12 digits (got "1")`,
			`accounts.log_archive.id: must be an AWS account id of exactly 12 digits (got "2")`,
			`bucket.name: S3 bucket names must be 3 to 63 characters long (this one is 1) (got "B")`,
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]byte(tc.yaml))
			require.Error(t, err)
			assert.Nil(t, c)
			assert.Equal(t, strings.Join(tc.want, "\n"), err.Error())
		})
	}
}

func TestLoadFileErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := Load(filepath.Join(dir, "missing.yaml"))
	assert.EqualError(t, err, `config file "`+filepath.Join(dir, "missing.yaml")+`": does not exist (set CLOUDTRAIL_MRK_CONFIG to an existing YAML file, or unset it for the built-in default)`)

	_, err = Load(dir)
	assert.EqualError(t, err, `config file "`+dir+`": is a directory, not a YAML file`)

	empty := filepath.Join(dir, "empty.yaml")
	require.NoError(t, os.WriteFile(empty, nil, 0o600))
	_, err = Load(empty)
	assert.EqualError(t, err, `config file "`+empty+`": the file is empty: it must hold a YAML mapping with at least home_region, accounts and bucket`)

	if os.Geteuid() != 0 { // root reads any file
		unreadable := filepath.Join(dir, "unreadable.yaml")
		require.NoError(t, os.WriteFile(unreadable, []byte(valid), 0o000))
		_, err = Load(unreadable)
		assert.ErrorContains(t, err, "cannot be read")
	}

	ok := filepath.Join(dir, "ok.yaml")
	require.NoError(t, os.WriteFile(ok, []byte(valid), 0o600))
	c, err := Load(ok)
	require.NoError(t, err)
	assert.Equal(t, "trail-logs-222222222222", c.Bucket.Name)
}

func TestFromEnv(t *testing.T) {
	t.Setenv(EnvVar, "")
	c, src, err := FromEnv()
	require.NoError(t, err)
	assert.Equal(t, Default(), c)
	assert.Equal(t, "built-in default configuration", src)

	t.Setenv(EnvVar, "../examples/organization.yaml")
	c, src, err = FromEnv()
	require.NoError(t, err)
	assert.Equal(t, "444455556666", c.Accounts.LogArchive.ID)
	assert.Equal(t, `config file "../examples/organization.yaml"`, src)
}
