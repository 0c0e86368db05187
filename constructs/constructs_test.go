package constructs

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/provider"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	st "github.com/cloudtrail-mrk/cloudtrail-mrk/internal/proof/synthtest"
)

// TestMain starts the jsii runtime on the fast path when it is primed.
func TestMain(m *testing.M) { st.Main(m) }

var testTrail = policy.Trail{Partition: "aws", Region: "us-east-1", Account: "111111111111", Name: "org-trail"}

// fixture is a stack with a default provider in us-east-1 and aliased
// providers in us-west-2 and eu-west-1.
type fixture struct {
	stack     cdktf.TerraformStack
	providers map[string]provider.AwsProvider
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	app := cdktf.Testing_App(nil)
	stack := cdktf.NewTerraformStack(app, jsii.String("test"))
	f := &fixture{stack: stack, providers: map[string]provider.AwsProvider{}}
	provider.NewAwsProvider(stack, jsii.String("aws"), &provider.AwsProviderConfig{Region: jsii.String("us-east-1")})
	for _, r := range []string{"us-west-2", "eu-west-1"} {
		f.providers[r] = provider.NewAwsProvider(stack, jsii.String("aws-"+r), &provider.AwsProviderConfig{Region: jsii.String(r), Alias: jsii.String(r)})
	}
	return f
}

func (f *fixture) replicas(regions ...string) []ReplicaRegion {
	var out []ReplicaRegion
	for _, r := range regions {
		out = append(out, ReplicaRegion{Region: r, Provider: f.providers[r]})
	}
	return out
}

func keyPolicy(t *testing.T, trail policy.Trail) policy.Document {
	t.Helper()
	doc, err := policy.KeyPolicy(policy.KeyPolicyProps{KeyAccount: "222222222222", Trail: trail})
	require.NoError(t, err)
	return doc
}

func (f *fixture) key(t *testing.T, mutate func(*MultiRegionKeyProps)) *MultiRegionKey {
	t.Helper()
	props := MultiRegionKeyProps{
		PrimaryRegion: "us-east-1",
		Replicas:      f.replicas("us-west-2", "eu-west-1"),
		Alias:         "alias/cloudtrail-test",
		Policy:        keyPolicy(t, testTrail),
	}
	if mutate != nil {
		mutate(&props)
	}
	k, err := NewMultiRegionKey(f.stack, "Key", props)
	require.NoError(t, err)
	return k
}

func (f *fixture) bucket(t *testing.T, k *MultiRegionKey, mutate func(*TrailBucketProps)) *TrailBucket {
	t.Helper()
	props := TrailBucketProps{BucketName: "trail-logs-test", Region: "us-east-1", Key: k, Trail: testTrail}
	if mutate != nil {
		mutate(&props)
	}
	b, err := NewTrailBucket(f.stack, "Bucket", props)
	require.NoError(t, err)
	return b
}

func (f *fixture) synth(t *testing.T) st.Doc {
	t.Helper()
	return st.Parse(t, *cdktf.Testing_Synth(f.stack, jsii.Bool(false)))
}

func TestMultiRegionKey(t *testing.T) {
	f := newFixture(t)
	k := f.key(t, func(p *MultiRegionKeyProps) { p.RotationPeriodDays = 180 })
	assert.Equal(t, []string{"us-east-1", "eu-west-1", "us-west-2"}, k.Regions())
	doc := f.synth(t)

	primaryName, primary := doc.Only(t, "aws_kms_key")
	assert.Equal(t, true, primary["multi_region"])
	assert.Equal(t, true, primary["enable_key_rotation"])
	assert.Equal(t, 180.0, primary["rotation_period_in_days"])
	assert.Equal(t, 30.0, primary["deletion_window_in_days"])
	assert.Equal(t, "SYMMETRIC_DEFAULT", primary["customer_master_key_spec"])
	assert.Equal(t, "ENCRYPT_DECRYPT", primary["key_usage"])
	assert.Equal(t, map[string]any{"prevent_destroy": true}, primary["lifecycle"])
	assert.NotContains(t, primary, "bypass_policy_lockout_safety_check")
	assert.NotContains(t, primary, "provider", "the primary uses the default provider")
	assert.Equal(t, keyPolicy(t, testTrail), st.Policy(t, primary))

	replicas := doc.Resources("aws_kms_replica_key")
	require.Len(t, replicas, 2)
	byProvider := map[string]map[string]any{}
	for _, r := range replicas {
		byProvider[r["provider"].(string)] = r
	}
	for _, region := range []string{"us-west-2", "eu-west-1"} {
		r, ok := byProvider["aws."+region]
		require.True(t, ok, "no replica on provider aws.%s; have %v", region, replicas)
		assert.Equal(t, st.Ref("aws_kms_key", primaryName, "arn"), r["primary_key_arn"])
		assert.Equal(t, primary["policy"], r["policy"], "replicas carry the same full policy")
		assert.Equal(t, 30.0, r["deletion_window_in_days"])
		assert.Equal(t, map[string]any{"prevent_destroy": true}, r["lifecycle"])
		assert.NotContains(t, r, "enable_key_rotation", "rotation is a property of the primary")
	}

	aliases := doc.Resources("aws_kms_alias")
	require.Len(t, aliases, 3)
	targets := map[string]string{}
	for _, a := range aliases {
		assert.Equal(t, "alias/cloudtrail-test", a["name"])
		p, _ := a["provider"].(string)
		targets[p] = a["target_key_id"].(string)
	}
	assert.Equal(t, st.Ref("aws_kms_key", primaryName, "key_id"), targets[""])
	for name, r := range replicas {
		assert.Equal(t, st.Ref("aws_kms_replica_key", name, "key_id"), targets[r["provider"].(string)])
	}
}

func TestMultiRegionKeyAllowDestroy(t *testing.T) {
	f := newFixture(t)
	f.key(t, func(p *MultiRegionKeyProps) { p.AllowDestroy = true; p.Replicas = f.replicas("us-west-2") })
	doc := f.synth(t)
	_, primary := doc.Only(t, "aws_kms_key")
	assert.NotContains(t, primary, "lifecycle")
	_, replica := doc.Only(t, "aws_kms_replica_key")
	assert.NotContains(t, replica, "lifecycle")
}

func TestMultiRegionKeyArnIn(t *testing.T) {
	f := newFixture(t)
	k := f.key(t, nil)
	// Each region names its own copy: the primary, or the replica created
	// through that region's provider (a token resolves to its reference).
	require.Equal(t, []string{"us-east-1", "eu-west-1", "us-west-2"}, k.Regions())
	for _, r := range k.Regions() {
		arn, err := k.KeyArnIn(r)
		require.NoError(t, err)
		cdktf.NewTerraformOutput(f.stack, jsii.String("Arn"+RegionID(r)), &cdktf.TerraformOutputConfig{Value: arn})
	}
	doc := f.synth(t)
	primary, _ := doc.Only(t, "aws_kms_key")
	for _, r := range k.Regions() {
		want := st.Ref("aws_kms_key", primary, "arn")
		if r != "us-east-1" {
			replica, _ := doc.OnlyWhere(t, "aws_kms_replica_key", "provider", "aws."+r)
			want = st.Ref("aws_kms_replica_key", replica, "arn")
		}
		assert.Equal(t, want, st.Object(st.Object(doc, "output"), "Arn"+RegionID(r))["value"], "the key copy in %s", r)
	}
	_, err := k.KeyArnIn("ap-south-1")
	assert.EqualError(t, err, `the multi-region key has no copy in "ap-south-1"; its regions are us-east-1, eu-west-1, us-west-2`)
}

func TestMultiRegionKeyValidation(t *testing.T) {
	f := newFixture(t)
	good := func() MultiRegionKeyProps {
		return MultiRegionKeyProps{PrimaryRegion: "us-east-1", Replicas: f.replicas("us-west-2"), Alias: "alias/x", Policy: keyPolicy(t, testTrail)}
	}
	cases := []struct {
		name   string
		mutate func(*MultiRegionKeyProps)
		want   string
	}{
		{"primary region contradicts its provider", func(p *MultiRegionKeyProps) { p.PrimaryRegion = "eu-west-1" },
			`MultiRegionKeyProps.PrimaryRegion: contradicts the region "us-east-1" of the AWS provider that creates the resources: leave it empty, or use a provider configured for eu-west-1 (got "eu-west-1")`},
		{"primary region unknown", func(p *MultiRegionKeyProps) { p.PrimaryRegion = "us-east-7" }, `MultiRegionKeyProps.PrimaryRegion: must be an AWS region name such as us-east-1 (got "us-east-7")`},
		{"replica contradicts its provider", func(p *MultiRegionKeyProps) {
			p.Replicas = []ReplicaRegion{{Region: "us-east-1", Provider: f.providers["us-west-2"]}}
		},
			`MultiRegionKeyProps.Replicas[0].Region: contradicts the region "us-west-2" of the AWS provider that creates the resources: leave it empty, or use a provider configured for us-east-1 (got "us-east-1")`},
		{"replica repeated", func(p *MultiRegionKeyProps) { p.Replicas = f.replicas("us-west-2", "us-west-2") },
			`MultiRegionKeyProps.Replicas[1].Region: must differ from the primary region and from every other replica region (got "us-west-2")`},
		{"replica without provider", func(p *MultiRegionKeyProps) { p.Replicas = []ReplicaRegion{{Region: "us-west-2"}} },
			`MultiRegionKeyProps.Replicas[0].Provider: is required: a provider aliased to the replica's region (got "nil")`},
		{"replica other partition", func(p *MultiRegionKeyProps) {
			p.Replicas = []ReplicaRegion{{Region: "cn-north-1", Provider: f.providers["us-west-2"]}}
		},
			`MultiRegionKeyProps.Replicas[0].Region: contradicts the region "us-west-2" of the AWS provider that creates the resources: leave it empty, or use a provider configured for cn-north-1 (got "cn-north-1")`},
		{"alias", func(p *MultiRegionKeyProps) { p.Alias = "cloudtrail" }, `MultiRegionKeyProps.Alias: KMS aliases must start with "alias/"`},
		{"rotation low", func(p *MultiRegionKeyProps) { p.RotationPeriodDays = 89 }, `MultiRegionKeyProps.RotationPeriodDays: must be between 90 and 2560 days (got 89)`},
		{"rotation high", func(p *MultiRegionKeyProps) { p.RotationPeriodDays = 2561 }, `MultiRegionKeyProps.RotationPeriodDays: must be between 90 and 2560 days (got 2561)`},
		{"deletion low", func(p *MultiRegionKeyProps) { p.DeletionWindowDays = 6 }, `MultiRegionKeyProps.DeletionWindowDays: must be between 7 and 30 days (got 6)`},
		{"deletion high", func(p *MultiRegionKeyProps) { p.DeletionWindowDays = 31 }, `MultiRegionKeyProps.DeletionWindowDays: must be between 7 and 30 days (got 31)`},
		{"no policy and no account", func(p *MultiRegionKeyProps) { p.Policy = policy.Document{} },
			`MultiRegionKeyProps.Account: is required without Policy when the provider does not allow exactly one account (allowed_account_ids) (got "")`},
		{"no policy, bad administrator", func(p *MultiRegionKeyProps) {
			p.Policy, p.Account, p.Administrators = policy.Document{}, "222222222222", []string{"KeyAdmin"}
		}, `MultiRegionKeyProps.Administrators[0]:`},
		{"administrators beside a custom policy", func(p *MultiRegionKeyProps) { p.Administrators = []string{"arn:aws:iam::222222222222:role/A"} },
			`MultiRegionKeyProps.Administrators: is only for a key made without Policy`},
		{"replica policies without a policy", func(p *MultiRegionKeyProps) {
			p.Policy, p.Account = policy.Document{}, "222222222222"
			p.ReplicaPolicies = map[string]policy.Document{"us-west-2": keyPolicy(t, testTrail)}
		}, `MultiRegionKeyProps.ReplicaPolicies[us-west-2]: is only for a key made with Policy`},
		{"duplicate sid", func(p *MultiRegionKeyProps) { p.Policy.Statement = append(p.Policy.Statement, p.Policy.Statement[0]) }, `MultiRegionKeyProps.Policy: policy "key-policy": statement ids must be present and unique`},
		{"replica policy for a region without a replica", func(p *MultiRegionKeyProps) {
			p.ReplicaPolicies = map[string]policy.Document{"eu-west-1": keyPolicy(t, testTrail)}
		}, `MultiRegionKeyProps.ReplicaPolicies[eu-west-1]: must name a region of Replicas (got "eu-west-1")`},
		{"empty replica policy", func(p *MultiRegionKeyProps) { p.ReplicaPolicies = map[string]policy.Document{"us-west-2": {}} },
			`MultiRegionKeyProps.ReplicaPolicies[us-west-2]: is required: build it with policy.KeyPolicy (got "no statements")`},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			props := good()
			tc.mutate(&props)
			k, err := NewMultiRegionKey(f.stack, "Bad"+string(rune('A'+i)), props)
			assert.Nil(t, k)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	// Nothing of the failed constructions reached the stack.
	assert.Equal(t, 0, f.synth(t).Count("aws_kms_key"))
}

// deprecatedBucketArgs are the inline aws_s3_bucket arguments that the split
// resources replace (docs/aws-rules.md#split-resources).
var deprecatedBucketArgs = []string{
	"acl", "grant", "server_side_encryption_configuration", "object_lock_configuration", "policy",
	"versioning", "logging", "lifecycle_rule", "replication_configuration", "cors_rule", "website",
}

func TestTrailBucket(t *testing.T) {
	f := newFixture(t)
	k := f.key(t, nil)
	f.bucket(t, k, func(p *TrailBucketProps) { p.OrganizationID = "o-a1b2c3d4e5"; p.KeyPrefix = "org" })
	doc := f.synth(t)

	bucketName, bucket := doc.Only(t, "aws_s3_bucket")
	assert.Equal(t, "trail-logs-test", bucket["bucket"])
	assert.Equal(t, true, bucket["object_lock_enabled"])
	assert.Equal(t, false, bucket["force_destroy"])
	assert.Equal(t, map[string]any{"prevent_destroy": true}, bucket["lifecycle"])
	for _, arg := range deprecatedBucketArgs {
		assert.NotContains(t, bucket, arg, "deprecated inline argument %s", arg)
	}
	bucketID := st.Ref("aws_s3_bucket", bucketName, "id")

	versioningName, versioning := doc.Only(t, "aws_s3_bucket_versioning")
	assert.Equal(t, bucketID, versioning["bucket"])
	assert.Equal(t, map[string]any{"status": "Enabled"}, versioning["versioning_configuration"])

	primaryName, _ := doc.Only(t, "aws_kms_key")
	_, sse := doc.Only(t, "aws_s3_bucket_server_side_encryption_configuration")
	assert.Equal(t, bucketID, sse["bucket"])
	assert.Equal(t, []any{map[string]any{
		"apply_server_side_encryption_by_default": map[string]any{
			"sse_algorithm":     "aws:kms",
			"kms_master_key_id": st.Ref("aws_kms_key", primaryName, "arn"),
		},
		"bucket_key_enabled": true,
	}}, sse["rule"])

	_, lock := doc.Only(t, "aws_s3_bucket_object_lock_configuration")
	assert.Equal(t, bucketID, lock["bucket"])
	assert.Equal(t, map[string]any{"default_retention": map[string]any{"mode": "GOVERNANCE", "days": 365.0}}, lock["rule"])
	assert.Equal(t, []any{"aws_s3_bucket_versioning." + versioningName}, lock["depends_on"])

	pabName, pab := doc.Only(t, "aws_s3_bucket_public_access_block")
	for _, flag := range []string{"block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"} {
		assert.Equal(t, true, pab[flag], flag)
	}
	ownName, own := doc.Only(t, "aws_s3_bucket_ownership_controls")
	assert.Equal(t, map[string]any{"object_ownership": "BucketOwnerEnforced"}, own["rule"])

	_, pol := doc.Only(t, "aws_s3_bucket_policy")
	assert.Equal(t, bucketID, pol["bucket"])
	assert.ElementsMatch(t, []any{"aws_s3_bucket_public_access_block." + pabName, "aws_s3_bucket_ownership_controls." + ownName}, pol["depends_on"])
	want, err := policy.TrailBucketPolicy(policy.BucketPolicyProps{BucketName: "trail-logs-test", KeyPrefix: "org", Trail: testTrail, OrganizationID: "o-a1b2c3d4e5", Protection: &policy.Protection{}})
	require.NoError(t, err)
	assert.Equal(t, want, st.Policy(t, pol), "by default, deleting log objects is denied to everyone")

	assert.Equal(t, 0, doc.Count("aws_s3_bucket_lifecycle_configuration"), "no lifecycle unless asked")
}

func TestTrailBucketInReplicaRegionUsesReplicaKey(t *testing.T) {
	f := newFixture(t)
	k := f.key(t, nil)
	f.bucket(t, k, func(p *TrailBucketProps) { p.Region = "us-west-2"; p.Provider = f.providers["us-west-2"] })
	doc := f.synth(t)
	var replicaName string
	for name, r := range doc.Resources("aws_kms_replica_key") {
		if r["provider"] == "aws.us-west-2" {
			replicaName = name
		}
	}
	require.NotEmpty(t, replicaName)
	_, sse := doc.Only(t, "aws_s3_bucket_server_side_encryption_configuration")
	rule := sse["rule"].([]any)[0].(map[string]any)
	assert.Equal(t, st.Ref("aws_kms_replica_key", replicaName, "arn"), st.Object(rule, "apply_server_side_encryption_by_default")["kms_master_key_id"])
	assert.Equal(t, "aws.us-west-2", sse["provider"])
	_, bucket := doc.Only(t, "aws_s3_bucket")
	assert.Equal(t, "aws.us-west-2", bucket["provider"])
}

func TestTrailBucketLifecycleAndOptions(t *testing.T) {
	f := newFixture(t)
	k := f.key(t, nil)
	f.bucket(t, k, func(p *TrailBucketProps) {
		p.ObjectLockMode = "COMPLIANCE"
		p.ObjectLockDays = 400
		p.AllowDestroy = true
		p.Lifecycle = &LifecycleProps{TransitionDays: 30, ExpirationDays: 3650, NoncurrentExpirationDays: 400}
	})
	doc := f.synth(t)
	_, bucket := doc.Only(t, "aws_s3_bucket")
	assert.NotContains(t, bucket, "lifecycle")
	assert.Equal(t, false, bucket["force_destroy"], "force_destroy stays false even when destroy is allowed")
	_, lock := doc.Only(t, "aws_s3_bucket_object_lock_configuration")
	assert.Equal(t, map[string]any{"default_retention": map[string]any{"mode": "COMPLIANCE", "days": 400.0}}, lock["rule"])
	versioningName, _ := doc.Only(t, "aws_s3_bucket_versioning")
	_, lc := doc.Only(t, "aws_s3_bucket_lifecycle_configuration")
	assert.Equal(t, []any{"aws_s3_bucket_versioning." + versioningName}, lc["depends_on"])
	assert.Equal(t, []any{map[string]any{
		"id":                            "cloudtrail-logs",
		"status":                        "Enabled",
		"filter":                        map[string]any{"prefix": ""},
		"transition":                    []any{map[string]any{"days": 30.0, "storage_class": "GLACIER_IR"}},
		"expiration":                    map[string]any{"days": 3650.0},
		"noncurrent_version_expiration": map[string]any{"noncurrent_days": 400.0},
	}}, lc["rule"])
}

func TestTrailBucketValidation(t *testing.T) {
	f := newFixture(t)
	k := f.key(t, func(p *MultiRegionKeyProps) { p.Replicas = f.replicas("us-west-2") })
	cases := []struct {
		name   string
		mutate func(*TrailBucketProps)
		want   []string
	}{
		{"no key", func(p *TrailBucketProps) { p.Key = nil }, []string{`TrailBucketProps.Key: is required (got "nil")`}},
		{"no key copy in region", func(p *TrailBucketProps) { p.Region, p.Provider = "eu-west-1", f.providers["eu-west-1"] }, []string{
			`TrailBucketProps.Key: the multi-region key has no copy in "eu-west-1"; its regions are us-east-1, us-west-2`}},
		{"bucket name", func(p *TrailBucketProps) { p.BucketName = "Trail_Logs" }, []string{`TrailBucketProps.BucketName: S3 bucket names may contain only lowercase letters`}},
		{"lock mode", func(p *TrailBucketProps) { p.ObjectLockMode = "LEGAL" }, []string{`TrailBucketProps.ObjectLockMode: must be GOVERNANCE or COMPLIANCE (got "LEGAL")`}},
		{"lock days", func(p *TrailBucketProps) { p.ObjectLockDays = 36501 }, []string{`TrailBucketProps.ObjectLockDays: must be between 1 and 36500 days (got 36501)`}},
		{"expiration below retention", func(p *TrailBucketProps) { p.Lifecycle = &LifecycleProps{ExpirationDays: 30} }, []string{
			`TrailBucketProps.Lifecycle.ExpirationDays: must not be shorter than the Object Lock retention (365 days) (got 30)`}},
		{"prefix", func(p *TrailBucketProps) { p.KeyPrefix = "a//b" }, []string{`TrailBucketProps.KeyPrefix: key prefixes must not end with '/' or contain '//'`}},
		{"organization", func(p *TrailBucketProps) { p.OrganizationID = "org" }, []string{`TrailBucketProps.OrganizationID: must be an organization id`}},
		{"trail", func(p *TrailBucketProps) { p.Trail.Account = "" }, []string{`TrailBucketProps.Trail.Account: must be an AWS account id of exactly 12 digits (got "")`}},
		{"reader", func(p *TrailBucketProps) { p.Readers = []string{"arn:aws:iam::*:root"} }, []string{`TrailBucketProps.Readers[0]: must be a 12-digit account id or an IAM principal ARN`}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			props := TrailBucketProps{BucketName: "trail-logs-test", Region: "us-east-1", Key: k, Trail: testTrail}
			tc.mutate(&props)
			b, err := NewTrailBucket(f.stack, "Bad"+string(rune('A'+i)), props)
			assert.Nil(t, b)
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
	assert.Equal(t, 0, f.synth(t).Count("aws_s3_bucket"))
}

func TestTrail(t *testing.T) {
	f := newFixture(t)
	k := f.key(t, nil)
	b := f.bucket(t, k, func(p *TrailBucketProps) { p.OrganizationID = "o-a1b2c3d4e5"; p.KeyPrefix = "org" })
	tr, err := NewTrail(f.stack, "Trail", TrailProps{Bucket: b, Key: k})
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail", tr.TrailArn())
	doc := f.synth(t)

	_, trail := doc.Only(t, "aws_cloudtrail")
	primaryName, _ := doc.Only(t, "aws_kms_key")
	policyName, _ := doc.Only(t, "aws_s3_bucket_policy")
	assert.Equal(t, "org-trail", trail["name"])
	assert.Equal(t, "trail-logs-test", trail["s3_bucket_name"])
	assert.Equal(t, "org", trail["s3_key_prefix"])
	assert.Equal(t, st.Ref("aws_kms_key", primaryName, "arn"), trail["kms_key_id"])
	for _, flag := range []string{"is_multi_region_trail", "include_global_service_events", "enable_log_file_validation", "is_organization_trail", "enable_logging"} {
		assert.Equal(t, true, trail[flag], flag)
	}
	deps, _ := trail["depends_on"].([]any)
	assert.Contains(t, deps, "aws_s3_bucket_policy."+policyName)
	assert.Contains(t, deps, "aws_kms_key."+primaryName)
}

func TestTrailAccountTrailOptions(t *testing.T) {
	f := newFixture(t)
	k := f.key(t, nil)
	b := f.bucket(t, k, nil)
	_, err := NewTrail(f.stack, "Trail", TrailProps{Bucket: b, Key: k, MultiRegion: jsii.Bool(false), IncludeGlobalServiceEvents: jsii.Bool(false)})
	require.NoError(t, err)
	_, trail := f.synth(t).Only(t, "aws_cloudtrail")
	assert.Equal(t, false, trail["is_organization_trail"])
	assert.Equal(t, false, trail["is_multi_region_trail"])
	assert.Equal(t, false, trail["include_global_service_events"])
	assert.Equal(t, true, trail["enable_log_file_validation"])
	assert.NotContains(t, trail, "s3_key_prefix")
}

func TestTrailValidation(t *testing.T) {
	f := newFixture(t)
	k := f.key(t, nil)
	b := f.bucket(t, k, nil)
	other := testTrail
	other.Region = "eu-west-1" // the walkthrough's defect: a policy for the wrong region
	wrongKey, err := NewMultiRegionKey(f.stack, "WrongKey", MultiRegionKeyProps{PrimaryRegion: "us-east-1", Alias: "alias/wrong", Policy: keyPolicy(t, other)})
	require.NoError(t, err)
	wrongBucket, err := NewTrailBucket(f.stack, "WrongBucket", TrailBucketProps{BucketName: "trail-logs-wrong", Key: wrongKey, Trail: testTrail})
	require.NoError(t, err)

	cases := []struct {
		name  string
		props TrailProps
		want  string
	}{
		{"no bucket", TrailProps{Key: k}, `TrailProps.Bucket: is required (got "nil")`},
		{"no key", TrailProps{Bucket: b}, `TrailProps.Key: is required (got "nil")`},
		{"not the bucket's key", TrailProps{Bucket: b, Key: wrongKey},
			"TrailProps.Key: must be the key of the bucket trail-logs-test (TrailBucketProps.Key, alias/cloudtrail-test): CloudTrail encrypts the log files with the trail's key, and the bucket's readers are granted the bucket's (got \"alias/wrong\")\n" +
				`TrailProps.Key: the key policy must let this trail encrypt: no statement allows kms:GenerateDataKey* to cloudtrail.amazonaws.com with aws:SourceArn equal to the trail ARN (build it with policy.KeyPolicy) (got "arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail")`},
		{"key policy for another region", TrailProps{Bucket: wrongBucket, Key: wrongKey},
			`TrailProps.Key: the key policy must let this trail encrypt: no statement allows kms:GenerateDataKey* to cloudtrail.amazonaws.com with aws:SourceArn equal to the trail ARN (build it with policy.KeyPolicy) (got "arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail")`},
		{"multi-region without global events", TrailProps{Bucket: b, Key: k, IncludeGlobalServiceEvents: jsii.Bool(false)},
			`TrailProps.IncludeGlobalServiceEvents: must be true when MultiRegion is true (CloudTrail rejects the combination) (got false)`},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := NewTrail(f.stack, "Bad"+string(rune('A'+i)), tc.props)
			assert.Nil(t, tr)
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
		})
	}
	assert.Equal(t, 0, f.synth(t).Count("aws_cloudtrail"))
}

func TestRegionID(t *testing.T) {
	assert.Equal(t, "UsWest2", RegionID("us-west-2"))
	assert.Equal(t, "UsGovEast1", RegionID("us-gov-east-1"))
	assert.Equal(t, "TransitionDays", goName("transition_days"))
	assert.True(t, strings.HasPrefix(DefaultKeyDescription, "Multi-region key"))
}

func TestScopeErrorsAreErrorsNotPanics(t *testing.T) {
	f := newFixture(t)
	k := f.key(t, nil)
	b := f.bucket(t, k, nil)
	props := MultiRegionKeyProps{PrimaryRegion: "us-east-1", Alias: "alias/x", Policy: keyPolicy(t, testTrail)}

	_, err := NewMultiRegionKey(nil, "Key2", props)
	assert.EqualError(t, err, "NewMultiRegionKey: scope is required (got nil)")
	_, err = NewMultiRegionKey(f.stack, "", props)
	assert.EqualError(t, err, `NewMultiRegionKey: id is required (got "")`)
	_, err = NewMultiRegionKey(f.stack, "Key", props)
	assert.EqualError(t, err, `NewMultiRegionKey: id must be unique in its scope: "test" already holds a construct named "Key"`)
	_, err = NewTrailBucket(f.stack, "Bucket", TrailBucketProps{BucketName: "other-bucket", Region: "us-east-1", Key: k, Trail: testTrail})
	assert.EqualError(t, err, `NewTrailBucket: id must be unique in its scope: "test" already holds a construct named "Bucket"`)
	_, err = NewTrail(nil, "Trail", TrailProps{Bucket: b, Key: k})
	assert.EqualError(t, err, "NewTrail: scope is required (got nil)")
}

func TestAccessLogBucket(t *testing.T) {
	f := newFixture(t)
	k := f.key(t, nil)
	a, err := NewAccessLogBucket(f.stack, "AccessLogs", AccessLogBucketProps{
		BucketName: "trail-logs-test-access", Partition: "aws", Account: "222222222222", SourceBuckets: []string{"trail-logs-test"},
	})
	require.NoError(t, err)
	f.bucket(t, k, func(p *TrailBucketProps) { p.AccessLogs = a })
	doc := f.synth(t)

	buckets := doc.Resources("aws_s3_bucket")
	require.Len(t, buckets, 2)
	var logName, trailName string
	for name, b := range buckets {
		if b["bucket"] == "trail-logs-test-access" {
			logName = name
		} else {
			trailName = name
		}
	}
	require.NotEmpty(t, logName)
	logBucket := buckets[logName]
	assert.NotContains(t, logBucket, "object_lock_enabled", "S3 access logs cannot target a bucket with Object Lock")
	assert.Equal(t, false, logBucket["force_destroy"])
	assert.Equal(t, map[string]any{"prevent_destroy": true}, logBucket["lifecycle"])
	for _, arg := range deprecatedBucketArgs {
		assert.NotContains(t, logBucket, arg)
	}
	logID := st.Ref("aws_s3_bucket", logName, "id")
	byBucket := func(typ, id string) map[string]any {
		t.Helper()
		for _, r := range doc.Resources(typ) {
			if r["bucket"] == id {
				return r
			}
		}
		t.Fatalf("no %s for %s", typ, id)
		return nil
	}
	assert.Equal(t, []any{map[string]any{"apply_server_side_encryption_by_default": map[string]any{"sse_algorithm": "AES256"}}},
		byBucket("aws_s3_bucket_server_side_encryption_configuration", logID)["rule"], "SSE-S3: access logs do not support SSE-KMS targets")
	assert.Equal(t, map[string]any{"status": "Enabled"}, byBucket("aws_s3_bucket_versioning", logID)["versioning_configuration"])
	for _, flag := range []string{"block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"} {
		assert.Equal(t, true, byBucket("aws_s3_bucket_public_access_block", logID)[flag])
	}
	assert.Equal(t, map[string]any{"object_ownership": "BucketOwnerEnforced"}, byBucket("aws_s3_bucket_ownership_controls", logID)["rule"])
	assert.Equal(t, a.Policy(), st.Policy(t, byBucket("aws_s3_bucket_policy", logID)))
	assert.Equal(t, []any{map[string]any{
		"id": "access-logs", "status": "Enabled", "filter": map[string]any{"prefix": ""},
		"expiration":                    map[string]any{"days": 365.0},
		"noncurrent_version_expiration": map[string]any{"noncurrent_days": 30.0},
	}}, byBucket("aws_s3_bucket_lifecycle_configuration", logID)["rule"])
	assert.Equal(t, 0, countBucket(doc, "aws_s3_bucket_object_lock_configuration", logID))

	_, logging := doc.Only(t, "aws_s3_bucket_logging")
	assert.Equal(t, st.Ref("aws_s3_bucket", trailName, "id"), logging["bucket"])
	assert.Equal(t, logID, logging["target_bucket"])
	assert.Equal(t, "trail-logs-test/", logging["target_prefix"])
}

func countBucket(doc st.Doc, typ, id string) int {
	n := 0
	for _, r := range doc.Resources(typ) {
		if r["bucket"] == id {
			n++
		}
	}
	return n
}

func TestAccessLogBucketValidation(t *testing.T) {
	f := newFixture(t)
	k := f.key(t, nil)
	_, err := NewAccessLogBucket(f.stack, "AccessLogs", AccessLogBucketProps{BucketName: "x", Partition: "aws", Account: "222222222222", ExpirationDays: -1})
	require.Error(t, err)
	assert.Equal(t, strings.Join([]string{
		`AccessLogBucketProps.ExpirationDays: must be between 1 and 36500 days (got -1)`,
		`AccessLogBucketProps.BucketName: S3 bucket names must be 3 to 63 characters long (this one is 1) (got "x")`,
		`AccessLogBucketProps.SourceBuckets: must name at least one bucket (got "[]")`,
	}, "\n"), err.Error())

	other, err := NewAccessLogBucket(f.stack, "OtherLogs", AccessLogBucketProps{BucketName: "other-access", Partition: "aws", Account: "222222222222", SourceBuckets: []string{"some-other-bucket"}})
	require.NoError(t, err)
	_, err = NewTrailBucket(f.stack, "Bucket", TrailBucketProps{BucketName: "trail-logs-test", Region: "us-east-1", Key: k, Trail: testTrail, AccessLogs: other})
	assert.EqualError(t, err, `TrailBucketProps.AccessLogs: the access-log bucket does not accept logs from "trail-logs-test": list it in AccessLogBucketProps.SourceBuckets (got "other-access")`)
}

func TestTrailMonitoring(t *testing.T) {
	f := newFixture(t)
	k := f.key(t, nil)
	b := f.bucket(t, k, func(p *TrailBucketProps) { p.OrganizationID = "o-a1b2c3d4e5" })
	_, err := NewTrail(f.stack, "Trail", TrailProps{
		Bucket: b, Key: k,
		CloudWatchLogs: &CloudWatchLogsProps{RetentionDays: 400},
		Notifications:  &NotificationProps{},
		DataEvents:     &DataEventsProps{S3Read: true, S3Write: true, Lambda: true},
		Insights:       true,
	})
	require.NoError(t, err)
	doc := f.synth(t)

	keys := doc.Resources("aws_kms_key")
	require.Len(t, keys, 2)
	var monName string
	var mon map[string]any
	for name, k := range keys {
		if k["multi_region"] == nil {
			monName, mon = name, k
		}
	}
	require.NotNil(t, mon, "a single-region monitoring key")
	assert.Equal(t, true, mon["enable_key_rotation"])
	assert.Equal(t, 30.0, mon["deletion_window_in_days"])
	assert.Equal(t, map[string]any{"prevent_destroy": true}, mon["lifecycle"])
	want, err := policy.MonitoringKeyPolicy(policy.MonitoringKeyPolicyProps{Trail: testTrail, LogGroupName: "cloudtrail/org-trail", Notifications: true})
	require.NoError(t, err)
	assert.Equal(t, want, st.Policy(t, mon))

	groupName, group := doc.Only(t, "aws_cloudwatch_log_group")
	assert.Equal(t, "cloudtrail/org-trail", group["name"])
	assert.Equal(t, 400.0, group["retention_in_days"])
	assert.Equal(t, st.Ref("aws_kms_key", monName, "arn"), group["kms_key_id"])

	roleName, role := doc.Only(t, "aws_iam_role")
	assert.Equal(t, "CloudTrailToCloudWatchLogs-", role["name_prefix"])
	trust, err := policy.Parse(role["assume_role_policy"].(string))
	require.NoError(t, err)
	assert.Equal(t, policy.CloudWatchLogsRoleTrust(testTrail), trust)
	rolePolicyName, rolePolicy := doc.Only(t, "aws_iam_role_policy")
	assert.Equal(t, st.Ref("aws_iam_role", roleName, "id"), rolePolicy["role"])
	assert.Equal(t, policy.CloudWatchLogsRolePolicy(testTrail, "cloudtrail/org-trail", "o-a1b2c3d4e5"), st.Policy(t, rolePolicy))

	topicName, topic := doc.Only(t, "aws_sns_topic")
	assert.Equal(t, "org-trail-notifications", topic["name"])
	assert.Equal(t, st.Ref("aws_kms_key", monName, "arn"), topic["kms_master_key_id"])
	topicPolicyName, topicPolicy := doc.Only(t, "aws_sns_topic_policy")
	assert.Equal(t, st.Ref("aws_sns_topic", topicName, "arn"), topicPolicy["arn"])
	assert.Equal(t, policy.TopicPolicy(testTrail, "org-trail-notifications"), st.Policy(t, topicPolicy))

	_, trail := doc.Only(t, "aws_cloudtrail")
	assert.Equal(t, st.Ref("aws_cloudwatch_log_group", groupName, "arn")+":*", trail["cloud_watch_logs_group_arn"])
	assert.Equal(t, st.Ref("aws_iam_role", roleName, "arn"), trail["cloud_watch_logs_role_arn"])
	// The topic's NAME (hashicorp/terraform-provider-aws#41262): the trail
	// reads back the bare name of a topic in its own account and region.
	assert.Equal(t, st.Ref("aws_sns_topic", topicName, "name"), trail["sns_topic_name"])
	assert.Contains(t, trail["depends_on"], "aws_iam_role_policy."+rolePolicyName)
	assert.Contains(t, trail["depends_on"], "aws_sns_topic_policy."+topicPolicyName)
	own := []any{"arn:aws:s3:::trail-logs-test/"}
	assert.Equal(t, []any{
		map[string]any{"name": "Management events", "field_selector": []any{
			map[string]any{"field": "eventCategory", "equals": []any{"Management"}}}},
		map[string]any{"name": "Log buckets: every data event but log deliveries", "field_selector": []any{
			map[string]any{"field": "eventCategory", "equals": []any{"Data"}},
			map[string]any{"field": "resources.type", "equals": []any{"AWS::S3::Object"}},
			map[string]any{"field": "resources.ARN", "starts_with": own},
			map[string]any{"field": "eventName", "not_equals": []any{"PutObject", "ReplicateObject", "ReplicateTags"}}}},
		map[string]any{"name": "S3 objects of every other bucket", "field_selector": []any{
			map[string]any{"field": "eventCategory", "equals": []any{"Data"}},
			map[string]any{"field": "resources.type", "equals": []any{"AWS::S3::Object"}},
			map[string]any{"field": "resources.ARN", "not_starts_with": own}}},
		map[string]any{"name": "Lambda invokes", "field_selector": []any{
			map[string]any{"field": "eventCategory", "equals": []any{"Data"}},
			map[string]any{"field": "resources.type", "equals": []any{"AWS::Lambda::Function"}}}},
	}, trail["advanced_event_selector"])
	assert.NotContains(t, trail, "event_selector", "advanced and basic selectors exclude each other")
	assert.Equal(t, []any{map[string]any{"insight_type": "ApiCallRateInsight"}, map[string]any{"insight_type": "ApiErrorRateInsight"}}, trail["insight_selector"])
}

func TestTrailDataEventsOnNamedBuckets(t *testing.T) {
	f := newFixture(t)
	k := f.key(t, nil)
	b := f.bucket(t, k, nil)
	_, err := NewTrail(f.stack, "Trail", TrailProps{Bucket: b, Key: k, DataEvents: &DataEventsProps{S3Write: true, S3Buckets: []string{"app-data", "app-media"}}})
	require.NoError(t, err)
	doc := f.synth(t)
	_, trail := doc.Only(t, "aws_cloudtrail")
	sel := trail["advanced_event_selector"].([]any)
	require.Len(t, sel, 3)
	assert.Equal(t, map[string]any{"name": "S3 objects of the named buckets", "field_selector": []any{
		map[string]any{"field": "eventCategory", "equals": []any{"Data"}},
		map[string]any{"field": "resources.type", "equals": []any{"AWS::S3::Object"}},
		map[string]any{"field": "readOnly", "equals": []any{"false"}},
		map[string]any{"field": "resources.ARN", "starts_with": []any{"arn:aws:s3:::app-data/", "arn:aws:s3:::app-media/"}}}}, sel[2])
	assert.NotContains(t, trail, "insight_selector")
	assert.NotContains(t, trail, "cloud_watch_logs_group_arn")
	assert.Equal(t, 1, doc.Count("aws_kms_key"), "no monitoring key without CloudWatch Logs or notifications")
}

func TestTrailMonitoringValidation(t *testing.T) {
	f := newFixture(t)
	k := f.key(t, nil)
	b := f.bucket(t, k, nil)
	cases := []struct {
		name  string
		props TrailProps
		want  string
	}{
		{"retention", TrailProps{CloudWatchLogs: &CloudWatchLogsProps{RetentionDays: 366}}, `TrailProps.CloudWatchLogs.RetentionDays: must be one of the retention periods CloudWatch Logs accepts`},
		{"log group", TrailProps{CloudWatchLogs: &CloudWatchLogsProps{LogGroupName: "aws/x"}}, `TrailProps.CloudWatchLogs.LogGroupName: log group names must not start with the reserved prefix "aws/" (got "aws/x")`},
		{"topic", TrailProps{Notifications: &NotificationProps{TopicName: "t.fifo"}}, `TrailProps.Notifications.TopicName: SNS topic names must be 1 to 256 letters`},
		{"buckets without read or write", TrailProps{DataEvents: &DataEventsProps{Lambda: true, S3Buckets: []string{"app-data"}}}, `TrailProps.DataEvents.S3Buckets: lists buckets, but neither TrailProps.DataEvents.S3Read nor TrailProps.DataEvents.S3Write is set (got ["app-data"])`},
		{"nothing selected", TrailProps{DataEvents: &DataEventsProps{}}, `TrailProps.DataEvents: selects nothing: set S3Read, S3Write or Lambda, or leave DataEvents nil (got "{}")`},
		{"bad bucket", TrailProps{DataEvents: &DataEventsProps{S3Read: true, S3Buckets: []string{"Bad_Bucket"}}}, `TrailProps.DataEvents.S3Buckets[0]: S3 bucket names may contain only`},
		{"a log bucket", TrailProps{DataEvents: &DataEventsProps{S3Read: true, S3Buckets: []string{"app-data", "trail-logs-test"}}}, `TrailProps.DataEvents.S3Buckets[1]: is one of the trail's log buckets, whose data events are always logged but for log deliveries; naming it here would log every delivery, recursively (got "trail-logs-test")`},
		{"a recovery log bucket", TrailProps{LogBuckets: []string{"trail-logs-copy"}, DataEvents: &DataEventsProps{S3Read: true, S3Buckets: []string{"trail-logs-copy"}}}, `TrailProps.DataEvents.S3Buckets[0]: is one of the trail's log buckets`},
		{"bad log bucket", TrailProps{LogBuckets: []string{"Bad_Bucket"}}, `TrailProps.LogBuckets[0]: S3 bucket names may contain only`},
		{"heartbeat period", TrailProps{CloudWatchLogs: &CloudWatchLogsProps{Alarms: &AlarmsProps{Heartbeat: &HeartbeatProps{PeriodSeconds: 30}}}}, `TrailProps.CloudWatchLogs.Alarms.Heartbeat.PeriodSeconds: must be a whole number of minutes in seconds`},
		{"heartbeat window", TrailProps{CloudWatchLogs: &CloudWatchLogsProps{Alarms: &AlarmsProps{Heartbeat: &HeartbeatProps{PeriodSeconds: 3600, EvaluationPeriods: 169}}}}, `TrailProps.CloudWatchLogs.Alarms.Heartbeat.EvaluationPeriods: must be at most 168: times the period of 3600 seconds it must be at most seven days (604,800 seconds)`},
		{"too many selector values", TrailProps{LogBuckets: manyBuckets("log", 300), DataEvents: &DataEventsProps{S3Read: true, S3Buckets: manyBuckets("app", 249)}}, `TrailProps: the event selectors need 559 values, more than the 500 CloudTrail allows per trail: name fewer buckets (got 559)`},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.props.Bucket, tc.props.Key = b, k
			tr, err := NewTrail(f.stack, "Bad"+string(rune('A'+i)), tc.props)
			assert.Nil(t, tr)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	assert.Equal(t, 0, f.synth(t).Count("aws_cloudtrail"))
}

var testGrants = policy.Replication{
	Partition: "aws", Account: "222222222222", RoleName: "cloudtrail-mrk-replication",
	SourceRegion: "us-east-1", SourceBucket: "trail-logs-test",
	DestinationRegion: "us-west-2", DestinationBucket: "trail-logs-recovery",
	TrailAccount: testTrail.Account,
}

// replicationKeyPolicy is the key policy of the copy in region, with the
// replication grants used there.
func replicationKeyPolicy(t *testing.T, region string) policy.Document {
	t.Helper()
	doc, err := policy.KeyPolicy(policy.KeyPolicyProps{KeyAccount: "222222222222", Trail: testTrail, Replication: &testGrants, Region: region})
	require.NoError(t, err)
	return doc
}

// replicationFixture builds key (with the replication grants), trail bucket,
// recovery bucket with its access-log bucket, and the replication.
func replicationFixture(t *testing.T) (*fixture, st.Doc) {
	t.Helper()
	f := newFixture(t)
	k := f.key(t, func(p *MultiRegionKeyProps) {
		p.Policy = replicationKeyPolicy(t, "us-east-1")
		p.ReplicaPolicies = map[string]policy.Document{"us-west-2": replicationKeyPolicy(t, "us-west-2"), "eu-west-1": replicationKeyPolicy(t, "eu-west-1")}
	})
	// The recovery bucket takes lock, lifecycle, prefix and readers from it.
	src := f.bucket(t, k, func(p *TrailBucketProps) {
		p.Readers = []string{"333333333333"}
		p.ObjectLockMode, p.ObjectLockDays = "COMPLIANCE", 400
		p.Lifecycle = &LifecycleProps{ExpirationDays: 400}
	})
	logs, err := NewAccessLogBucket(f.stack, "RecoveryAccessLogs", AccessLogBucketProps{
		BucketName: "trail-logs-recovery-access", Partition: "aws", Account: "222222222222",
		SourceBuckets: []string{"trail-logs-recovery"}, Provider: f.providers["us-west-2"],
	})
	require.NoError(t, err)
	dst, err := NewRecoveryBucket(f.stack, "Recovery", RecoveryBucketProps{
		Source: src, BucketName: "trail-logs-recovery", Region: "us-west-2", Provider: f.providers["us-west-2"], Key: k, AccessLogs: logs,
		ReplicationRoleARN: testGrants.RoleARN(),
	})
	require.NoError(t, err)
	_, err = NewReplication(f.stack, "Replication", ReplicationProps{Source: src, Destination: dst, Key: k, Grants: testGrants,
		Alarms: &ReplicationAlarmsProps{
			Subscriptions: []SubscriptionProps{{Protocol: "email", Endpoint: "security@example.com"}},
			KeyTags:       map[string]string{policy.GuardTagKey: "org-trail"},
		}})
	require.NoError(t, err)
	return f, f.synth(t)
}

func TestRecoveryBucket(t *testing.T) {
	_, doc := replicationFixture(t)
	var name string
	for n, b := range doc.Resources("aws_s3_bucket") {
		if b["bucket"] == "trail-logs-recovery" {
			name = n
			assert.Equal(t, true, b["object_lock_enabled"])
			assert.Equal(t, false, b["force_destroy"])
			assert.Equal(t, "aws.us-west-2", b["provider"])
			assert.Equal(t, map[string]any{"prevent_destroy": true}, b["lifecycle"])
		}
	}
	require.NotEmpty(t, name)
	id := st.Ref("aws_s3_bucket", name, "id")
	replica, _ := doc.OnlyWhere(t, "aws_kms_replica_key", "provider", "aws.us-west-2")
	_, sse := doc.OnlyWhere(t, "aws_s3_bucket_server_side_encryption_configuration", "bucket", id)
	assert.Equal(t, []any{map[string]any{
		"apply_server_side_encryption_by_default": map[string]any{"sse_algorithm": "aws:kms", "kms_master_key_id": st.Ref("aws_kms_replica_key", replica, "arn")},
		"bucket_key_enabled":                      true,
	}}, sse["rule"], "the recovery bucket uses the key's replica in its own region")
	_, lock := doc.OnlyWhere(t, "aws_s3_bucket_object_lock_configuration", "bucket", id)
	assert.Equal(t, map[string]any{"default_retention": map[string]any{"mode": "COMPLIANCE", "days": 400.0}}, lock["rule"])
	assert.Equal(t, 1, countBucket(doc, "aws_s3_bucket_versioning", id))
	assert.Equal(t, 1, countBucket(doc, "aws_s3_bucket_public_access_block", id))
	assert.Equal(t, 1, countBucket(doc, "aws_s3_bucket_ownership_controls", id))
	assert.Equal(t, 1, countBucket(doc, "aws_s3_bucket_lifecycle_configuration", id))
	assert.Equal(t, 1, countBucket(doc, "aws_s3_bucket_logging", id))
	_, bp := doc.OnlyWhere(t, "aws_s3_bucket_policy", "bucket", id)
	want, err := policy.RecoveryBucketPolicy(policy.RecoveryBucketPolicyProps{Partition: "aws", BucketName: "trail-logs-recovery", Readers: []string{"333333333333"}, Protection: &policy.Protection{}, ReplicationRoleARN: testGrants.RoleARN()})
	require.NoError(t, err)
	assert.Equal(t, want, st.Policy(t, bp))
}

func TestReplication(t *testing.T) {
	_, doc := replicationFixture(t)
	roleName, role := doc.Only(t, "aws_iam_role")
	assert.Equal(t, "cloudtrail-mrk-replication", role["name"])
	trust, err := policy.Parse(role["assume_role_policy"].(string))
	require.NoError(t, err)
	assert.Equal(t, testGrants.RoleTrust(), trust)

	primaryName, primary := doc.OnlyWhere(t, "aws_kms_key", "multi_region", true)
	var replicaName string
	for n, r := range doc.Resources("aws_kms_replica_key") {
		if r["provider"] == "aws.us-west-2" {
			replicaName = n
		}
		assert.Contains(t, r["depends_on"], "aws_iam_role."+roleName, "every key copy waits for the role its policy names")
		// Each copy carries its own policy, with only the grants used on it.
		region := strings.TrimPrefix(r["provider"].(string), "aws.")
		assert.Equal(t, replicationKeyPolicy(t, region), st.Policy(t, r), "the policy of the copy in %s", region)
	}
	require.NotEmpty(t, replicaName)
	assert.Contains(t, primary["depends_on"], "aws_iam_role."+roleName)
	assert.Equal(t, replicationKeyPolicy(t, "us-east-1"), st.Policy(t, primary))

	_, rolePolicy := doc.Only(t, "aws_iam_role_policy")
	assert.Equal(t, st.Ref("aws_iam_role", roleName, "id"), rolePolicy["role"])
	assert.Equal(t, testGrants.RolePolicy(st.Ref("aws_kms_key", primaryName, "arn"), st.Ref("aws_kms_replica_key", replicaName, "arn")), st.Policy(t, rolePolicy))

	_, cfg := doc.Only(t, "aws_s3_bucket_replication_configuration")
	var srcName, dstName string
	for n, b := range doc.Resources("aws_s3_bucket") {
		switch b["bucket"] {
		case "trail-logs-test":
			srcName = n
		case "trail-logs-recovery":
			dstName = n
		}
	}
	assert.Equal(t, st.Ref("aws_s3_bucket", srcName, "id"), cfg["bucket"])
	assert.Equal(t, st.Ref("aws_iam_role", roleName, "arn"), cfg["role"])
	assert.NotContains(t, cfg, "provider", "configured in the source bucket's region")
	assert.Equal(t, []any{map[string]any{
		"id": "recovery-copy", "status": "Enabled", "priority": 1.0,
		"filter":                    map[string]any{"prefix": ""},
		"delete_marker_replication": map[string]any{"status": "Disabled"},
		"source_selection_criteria": map[string]any{"sse_kms_encrypted_objects": map[string]any{"status": "Enabled"}},
		"destination": map[string]any{
			"bucket":                   st.Ref("aws_s3_bucket", dstName, "arn"),
			"encryption_configuration": map[string]any{"replica_kms_key_id": st.Ref("aws_kms_replica_key", replicaName, "arn")},
			// docs/aws-rules.md#replication-metrics-without-rtc: metrics on,
			// no event threshold and no Replication Time Control.
			"metrics": map[string]any{"status": "Enabled"},
		},
	}}, cfg["rule"])
	deps, _ := cfg["depends_on"].([]any)
	var types []string
	for _, d := range deps {
		types = append(types, strings.SplitN(d.(string), ".", 2)[0])
	}
	assert.ElementsMatch(t, []string{"aws_s3_bucket_versioning", "aws_s3_bucket_versioning", "aws_s3_bucket_object_lock_configuration", "aws_iam_role_policy"}, types)
	replicationAlarm(t, doc)
}

// replicationAlarm checks the alarm on the rule's failed operations, in the
// source region (the provider of the source bucket), on the metric and
// dimensions S3 publishes (docs/aws-rules.md#replication-metrics), notifying
// a topic of its own encrypted with a key of its own.
func replicationAlarm(t *testing.T, doc st.Doc) {
	t.Helper()
	cfgName, _ := doc.Only(t, "aws_s3_bucket_replication_configuration")
	_, alarm := doc.Only(t, "aws_cloudwatch_metric_alarm")
	topicName, topic := doc.Only(t, "aws_sns_topic")
	keyName, key := doc.OnlyWhere(t, "aws_kms_key", "description", "CloudTrail org-trail: replication alarm topic")
	assert.Equal(t, map[string]any{
		"alarm_name": "org-trail-replication-failures", "namespace": "AWS/S3", "metric_name": "OperationsFailedReplication",
		"dimensions": map[string]any{"SourceBucket": "trail-logs-test", "DestinationBucket": "trail-logs-recovery", "RuleId": "recovery-copy"},
		"statistic":  "Sum", "period": 300.0, "evaluation_periods": 1.0, "threshold": 1.0,
		"comparison_operator": "GreaterThanOrEqualToThreshold", "treat_missing_data": "notBreaching",
		"alarm_actions": []any{st.Ref("aws_sns_topic", topicName, "arn")},
		"depends_on":    []any{"aws_s3_bucket_replication_configuration." + cfgName},
	}, withoutKeys(alarm, "//", "alarm_description"))
	assert.NotContains(t, alarm, "ok_actions", "a failed replication is not retried: OK does not mean the copy is whole")
	assert.NotContains(t, alarm, "provider", "S3 publishes the metric in the source bucket's region")

	assert.Equal(t, "org-trail-replication-alarms", topic["name"])
	assert.Equal(t, st.Ref("aws_kms_key", keyName, "arn"), topic["kms_master_key_id"])
	assert.NotContains(t, topic, "provider")
	_, topicPolicy := doc.Only(t, "aws_sns_topic_policy")
	assert.Equal(t, st.Ref("aws_sns_topic", topicName, "arn"), topicPolicy["arn"])
	assert.Equal(t, policy.AlarmTopicPolicy(policy.Trail{Partition: "aws", Region: "us-east-1", Account: "222222222222"}, "org-trail-replication-alarms"), st.Policy(t, topicPolicy))
	_, sub := doc.Only(t, "aws_sns_topic_subscription")
	assert.Equal(t, map[string]any{"protocol": "email", "endpoint": "security@example.com", "topic_arn": st.Ref("aws_sns_topic", topicName, "arn")}, withoutKeys(sub, "//"))

	assert.Nil(t, key["multi_region"], "a single-region key")
	assert.Equal(t, true, key["enable_key_rotation"])
	assert.Equal(t, map[string]any{"prevent_destroy": true}, key["lifecycle"])
	assert.Equal(t, map[string]any{policy.GuardTagKey: "org-trail"}, key["tags"])
	assert.Equal(t, policy.AlarmKeyPolicy(policy.Trail{Partition: "aws", Region: "us-east-1", Account: "222222222222"}), st.Policy(t, key))
}

// withoutKeys returns m without the given keys.
func withoutKeys(m map[string]any, keys ...string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		if !slices.Contains(keys, k) {
			out[k] = v
		}
	}
	return out
}

func TestReplicationValidation(t *testing.T) {
	f := newFixture(t)
	k := f.key(t, nil) // a key policy without the replication grants
	src := f.bucket(t, k, nil)
	dst, err := NewRecoveryBucket(f.stack, "Recovery", RecoveryBucketProps{Source: src, BucketName: "trail-logs-recovery", Region: "us-west-2", Provider: f.providers["us-west-2"], Key: k, ReplicationRoleARN: testGrants.RoleARN()})
	require.NoError(t, err)
	_, err = NewReplication(f.stack, "Replication", ReplicationProps{Source: src, Destination: dst, Key: k, Grants: testGrants})
	assert.EqualError(t, err, strings.Join([]string{
		`ReplicationProps.Key: the policy of the key copy in us-east-1 must allow the replication role (key policies of replicas are not synchronized): build it with policy.KeyPolicyProps.Replication and Region "us-east-1" (got "arn:aws:iam::222222222222:role/cloudtrail-mrk-replication")`,
		`ReplicationProps.Key: the policy of the key copy in us-west-2 must allow the replication role (key policies of replicas are not synchronized): build it with policy.KeyPolicyProps.Replication and Region "us-west-2" (got "arn:aws:iam::222222222222:role/cloudtrail-mrk-replication")`,
	}, "\n"))

	// The destination grants on the primary only: the copy that encrypts the
	// recovery bucket lacks them.
	f2 := newFixture(t)
	k2 := f2.key(t, func(p *MultiRegionKeyProps) { p.Policy = replicationKeyPolicy(t, "us-east-1") })
	src2 := f2.bucket(t, k2, nil)
	dst2, err := NewRecoveryBucket(f2.stack, "Recovery", RecoveryBucketProps{Source: src2, BucketName: "trail-logs-recovery", Region: "us-west-2", Provider: f2.providers["us-west-2"], Key: k2, ReplicationRoleARN: testGrants.RoleARN()})
	require.NoError(t, err)
	_, err = NewReplication(f2.stack, "Replication", ReplicationProps{Source: src2, Destination: dst2, Key: k2, Grants: testGrants})
	assert.ErrorContains(t, err, `the policy of the key copy in us-west-2 must allow the replication role`)

	wrong := testGrants
	wrong.DestinationBucket = "elsewhere-bucket"
	_, err = NewReplication(f.stack, "Replication", ReplicationProps{Source: src, Destination: dst, Key: k, Grants: wrong})
	assert.ErrorContains(t, err, `ReplicationProps.Grants: must name the destination bucket trail-logs-recovery in us-west-2 (got "elsewhere-bucket in us-west-2")`)
	wrong = testGrants
	wrong.TrailAccount = "999999999999"
	_, err = NewReplication(f.stack, "Replication", ReplicationProps{Source: src, Destination: dst, Key: k, Grants: wrong})
	assert.ErrorContains(t, err, `ReplicationProps.Grants.TrailAccount: must be the account 111111111111 of the trail that delivers to the source bucket (got "999999999999")`)

	mumbai := provider.NewAwsProvider(f.stack, jsii.String("aws-ap-south-1"), &provider.AwsProviderConfig{Region: jsii.String("ap-south-1"), Alias: jsii.String("ap-south-1")})
	_, err = NewRecoveryBucket(f.stack, "Recovery2", RecoveryBucketProps{Source: src, BucketName: "trail-logs-recovery-2", Provider: mumbai, Key: k, ReplicationRoleARN: testGrants.RoleARN()})
	assert.EqualError(t, err, `RecoveryBucketProps.Key: the multi-region key has no copy in "ap-south-1"; its regions are us-east-1, eu-west-1, us-west-2`)
	_, err = NewRecoveryBucket(f.stack, "Recovery2", RecoveryBucketProps{Source: src, BucketName: "trail-logs-recovery-2", Region: "ap-south-1", Key: k, ReplicationRoleARN: testGrants.RoleARN()})
	assert.ErrorContains(t, err, `RecoveryBucketProps.Region: contradicts the region "us-east-1" of the AWS provider that creates the resources: leave it empty, or use a provider configured for ap-south-1 (got "ap-south-1")`)
	_, err = NewReplication(f.stack, "Replication", ReplicationProps{})
	assert.ErrorContains(t, err, `ReplicationProps.Source: is required`)
	_, err = NewReplication(f.stack, "Replication", ReplicationProps{Source: src, Destination: dst, Key: k, Grants: testGrants,
		Alarms: &ReplicationAlarmsProps{TopicName: "replication.alarms", Subscriptions: []SubscriptionProps{{Protocol: "email"}}}})
	assert.ErrorContains(t, err, `ReplicationProps.Alarms.TopicName: SNS topic names must be 1 to 256 letters, digits, '_' or '-' (standard topics only) (got "replication.alarms")`)
	assert.ErrorContains(t, err, `ReplicationProps.Alarms.Subscriptions[0]: needs a protocol and an endpoint`)
	_, err = NewRecoveryBucket(f.stack, "Recovery3", RecoveryBucketProps{Source: src, BucketName: "trail-logs-recovery-3", Region: "us-east-1", Key: k, ReplicationRoleARN: testGrants.RoleARN()})
	assert.EqualError(t, err, `RecoveryBucketProps.Region: must differ from the region of the trail bucket it copies (got "us-east-1")`)
	_, err = NewRecoveryBucket(f.stack, "Recovery4", RecoveryBucketProps{BucketName: "trail-logs-recovery-4", Region: "us-west-2", Key: k})
	assert.ErrorContains(t, err, `RecoveryBucketProps.Source: is required: the trail bucket the recovery bucket copies`)
}

func manyBuckets(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-bucket-%03d", prefix, i)
	}
	return out
}
