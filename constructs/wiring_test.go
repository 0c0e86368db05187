package constructs

import (
	"fmt"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/provider"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	st "github.com/cloudtrail-mrk/cloudtrail-mrk/internal/proof/synthtest"
)

// TestConstructsWireTheirOwnPolicies builds a key, a bucket, a trail, a
// recovery bucket and a replication the AWS CDK's way: no policy built by
// hand, regions from the providers, the trail named once. Each construct
// adds what it needs to the resources it is given, and what they end up with
// is what the policy package writes for the same trail, readers and role.
func TestConstructsWireTheirOwnPolicies(t *testing.T) {
	f := newFixture(t)
	reader := "arn:aws:iam::333333333333:role/Auditor"
	verifier := "arn:aws:iam::555555555555:role/TrailVerifier"
	k, err := NewMultiRegionKey(f.stack, "Key", MultiRegionKeyProps{
		Alias: "alias/wired", Account: "222222222222",
		Replicas: []ReplicaRegion{{Provider: f.providers["us-west-2"]}},
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"us-east-1", "us-west-2"}, k.Regions(), "regions from the providers")
	base, _ := k.PolicyIn("us-west-2")
	assert.Equal(t, []string{policy.SidKeyRootAdministration}, base.Sids())

	b, err := NewTrailBucket(f.stack, "Bucket", TrailBucketProps{BucketName: "trail-logs-test", Key: k, Readers: []string{reader}, KeyPrefix: "audit", Verifiers: []string{verifier}})
	require.NoError(t, err)
	assert.Equal(t, "us-east-1", b.Region())
	for _, s := range b.Policy().Statement {
		assert.Equal(t, policy.Deny, s.Effect, "a bucket without a trail grants nothing: %s", s.Sid)
	}
	assert.ErrorContains(t, b.GrantRead(reader), "TrailBucket.GrantRead: the bucket has no trail yet")

	tr, err := NewTrail(f.stack, "Trail", TrailProps{Name: "org-trail", Account: "111111111111", OrganizationID: "o-abcdefghij", Bucket: b, Key: k})
	require.NoError(t, err)
	identity := policy.Trail{Partition: "aws", Region: "us-east-1", Account: "111111111111", Name: "org-trail"}
	assert.Equal(t, identity, tr.Identity())
	assert.Equal(t, identity, b.Trail(), "the bucket serves the trail it was given")
	want, err := policy.TrailBucketPolicy(policy.BucketPolicyProps{BucketName: "trail-logs-test", KeyPrefix: "audit", Trail: identity,
		OrganizationID: "o-abcdefghij", Readers: []string{reader}, Protection: &policy.Protection{}, Verifiers: []string{verifier}})
	require.NoError(t, err)
	assert.Equal(t, want, b.Policy(), "the bucket's policy is TrailBucketPolicy's for the trail")
	// The verifiers: this trail's paths only, and, on the key, through S3
	// in the bucket's region only (policy.Verification).
	verification := policy.Verification{Verifiers: []string{verifier}, Trail: identity, OrganizationID: "o-abcdefghij", KeyPrefix: "audit", Bucket: "trail-logs-test"}
	read, ok := b.Policy().StatementBySid(policy.SidVerifiersRead)
	require.True(t, ok)
	assert.Equal(t, policy.Values{"arn:aws:s3:::trail-logs-test/audit/AWSLogs/111111111111/*", "arn:aws:s3:::trail-logs-test/audit/AWSLogs/o-abcdefghij/*"}, read.Resource)
	home, err := verification.KeyStatements("us-east-1")
	require.NoError(t, err)
	primaryDoc, _ := k.PolicyIn("us-east-1")
	assert.True(t, keyPolicyHas(primaryDoc, home), "the verifiers decrypt through S3 on the copy in the bucket's region")
	westDoc, _ := k.PolicyIn("us-west-2")
	for _, sid := range westDoc.Sids() {
		assert.NotContains(t, sid, "Verifiers", "nothing for the verifiers on a copy without a bucket yet")
	}
	trailStatements, err := policy.TrailKeyStatements(identity)
	require.NoError(t, err)
	for _, region := range k.Regions() {
		doc, _ := k.PolicyIn(region)
		assert.True(t, keyPolicyHas(doc, trailStatements), "the trail's statements on the copy in %s", region)
		_, ok := doc.StatementBySid("TrailBucketReadersDecrypt")
		assert.True(t, ok, "the readers' decrypt grant on the copy in %s", region)
	}

	// GrantRead grants the bucket and its key, as the AWS CDK's grantRead.
	require.NoError(t, b.GrantRead("444455556666"))
	_, ok = b.Policy().StatementBySid("GrantedReaders1GetObject")
	assert.True(t, ok)
	for _, region := range k.Regions() {
		doc, _ := k.PolicyIn(region)
		_, ok := doc.StatementBySid("GrantedReaders1Decrypt")
		assert.True(t, ok, "GrantRead's decrypt grant on the copy in %s", region)
	}

	// One trail per bucket: a second trail is refused, and nothing changes.
	before := b.Policy()
	_, err = NewTrail(f.stack, "Other", TrailProps{Name: "other-trail", Bucket: b, Key: k})
	assert.ErrorContains(t, err, `TrailProps.Name: contradicts the name of the bucket's trail, "org-trail"`)
	assert.Equal(t, before, b.Policy())

	// The recovery copy: no role named; the replication names its own.
	dst, err := NewRecoveryBucket(f.stack, "Recovery", RecoveryBucketProps{Source: b, BucketName: "trail-logs-recovery", Provider: f.providers["us-west-2"], Key: k})
	require.NoError(t, err)
	assert.Equal(t, "us-west-2", dst.Region())
	deny, _ := dst.Policy().StatementBySid(policy.SidRecoveryDenyOtherReplication)
	assert.Empty(t, deny.Condition, "no role yet: replication in denied to all")
	r, err := NewReplication(f.stack, "Replication", ReplicationProps{Source: b, Destination: dst, Key: k})
	require.NoError(t, err)
	g := r.Grants()
	assert.Equal(t, "arn:aws:iam::222222222222:role/org-trail-replication", g.RoleARN())
	assert.Equal(t, g.RoleARN(), dst.ReplicationRoleARN())
	deny, _ = dst.Policy().StatementBySid(policy.SidRecoveryDenyOtherReplication)
	assert.Equal(t, policy.Values{g.RoleARN()}, deny.Condition["ArnNotEquals"]["aws:PrincipalArn"])
	for _, region := range k.Regions() {
		doc, _ := k.PolicyIn(region)
		assert.True(t, keyPolicyHas(doc, g.KeyStatements(region)), "the role's statements on the copy in %s", region)
	}
	west, _ := k.PolicyIn("us-west-2")
	_, ok = west.StatementBySid(policy.SidLogReadersDecryptRecovery)
	assert.True(t, ok, "the readers decrypt the recovery copies")
	// The recovery bucket grants the source's verifiers the same paths, and
	// the copy that encrypts it lets them decrypt through S3 there.
	verification.RecoveryBucket, verification.RecoveryRegion = "trail-logs-recovery", "us-west-2"
	wantRecovery, err := verification.RecoveryBucketStatements()
	require.NoError(t, err)
	for _, w := range wantRecovery {
		got, ok := dst.Policy().StatementBySid(w.Sid)
		require.True(t, ok, w.Sid)
		assert.Equal(t, w, got)
	}
	recoveryGrant, err := verification.KeyStatements("us-west-2")
	require.NoError(t, err)
	assert.True(t, keyPolicyHas(west, recoveryGrant), "the verifiers decrypt the recovery copies")

	// What was added is what Terraform gets.
	doc := f.synth(t)
	_, primary := doc.Only(t, "aws_kms_key")
	primaryPolicy, _ := k.PolicyIn("us-east-1")
	assert.Equal(t, primaryPolicy, policyOf(t, primary))
	_, replica := doc.Only(t, "aws_kms_replica_key")
	assert.Equal(t, west, policyOf(t, replica))
	for name, body := range doc.Resources("aws_s3_bucket") {
		want := map[string]policy.Document{"trail-logs-test": b.Policy(), "trail-logs-recovery": dst.Policy()}[body["bucket"].(string)]
		_, bucketPolicy := doc.OnlyWhere(t, "aws_s3_bucket_policy", "bucket", st.Ref("aws_s3_bucket", name, "id"))
		assert.Equal(t, want, policyOf(t, bucketPolicy), body["bucket"])
	}
}

// TestRecoveryOfAnUnboundBucketWithVerifiers: the verifiers' grants on the
// copies name the trail's paths, which a bucket without its trail cannot
// give: the recovery bucket says so, by its field.
func TestRecoveryOfAnUnboundBucketWithVerifiers(t *testing.T) {
	f := newFixture(t)
	k, err := NewMultiRegionKey(f.stack, "Key", MultiRegionKeyProps{Alias: "alias/wired", Account: "222222222222", Replicas: []ReplicaRegion{{Provider: f.providers["us-west-2"]}}})
	require.NoError(t, err)
	b, err := NewTrailBucket(f.stack, "Bucket", TrailBucketProps{BucketName: "trail-logs-test", Key: k, Verifiers: []string{"arn:aws:iam::555555555555:role/TrailVerifier"}})
	require.NoError(t, err)
	_, err = NewRecoveryBucket(f.stack, "Recovery", RecoveryBucketProps{Source: b, BucketName: "trail-logs-recovery", Provider: f.providers["us-west-2"], Key: k})
	assert.ErrorContains(t, err, "RecoveryBucketProps.Source: has Verifiers but no trail yet")
	_, err = NewTrailBucket(f.stack, "Bucket2", TrailBucketProps{BucketName: "trail-logs-test-2", Key: k, Verifiers: []string{"555555555555"}})
	assert.ErrorContains(t, err, "TrailBucketProps.Verifiers[0]: must be an IAM role or user ARN")
}

// TestCustomKeyPolicyIsCheckedNotChanged: a key given its policy is the
// caller's: NewTrail checks it and never adds to it.
func TestCustomKeyPolicyIsCheckedNotChanged(t *testing.T) {
	f := newFixture(t)
	other := policy.Trail{Partition: "aws", Region: "us-east-1", Account: "111111111111", Name: "another-trail"}
	k := f.key(t, func(p *MultiRegionKeyProps) { p.Policy = keyPolicy(t, other) })
	before := k.Policy()
	_, err := NewTrail(f.stack, "Trail", TrailProps{Bucket: f.bucket(t, k, nil), Key: k})
	assert.ErrorContains(t, err, "TrailProps.Key: the key policy must let this trail encrypt")
	assert.Equal(t, before, k.Policy())
}

// TestTrailNeedsANameForABucketWithoutOne: the identity parts a bucket
// without a trail cannot give are asked for by their field.
func TestTrailNeedsANameForABucketWithoutOne(t *testing.T) {
	f := newFixture(t)
	k := f.key(t, nil)
	b, err := NewTrailBucket(f.stack, "Bucket", TrailBucketProps{BucketName: "trail-logs-test", Key: k})
	require.NoError(t, err)
	_, err = NewTrail(f.stack, "Trail", TrailProps{Bucket: b, Key: k})
	assert.ErrorContains(t, err, `TrailProps.Name: is required: the bucket trail-logs-test has no trail yet`)
	assert.ErrorContains(t, err, `TrailProps.Account: is required: the bucket trail-logs-test has no trail yet, and the provider does not allow exactly one account`)
	assert.Equal(t, policy.Trail{}, b.Trail(), "nothing changed")
	_, err = NewAthenaQuery(f.stack, "Athena", athenaProps(b, k))
	assert.ErrorContains(t, err, `AthenaQueryProps.Bucket: has no trail yet: call NewTrail with the bucket first (got "trail-logs-test")`)
}

func policyOf(t *testing.T, body map[string]any) policy.Document {
	t.Helper()
	doc, err := policy.Parse(body["policy"].(string))
	require.NoError(t, err)
	return doc
}

// TestTrailBucketWithAKeyMadeElsewhere: every Key prop takes an IKey.
func TestTrailBucketWithAKeyMadeElsewhere(t *testing.T) {
	f := newFixture(t)
	k, err := KeyFromArns("arn:aws:kms:us-east-1:222222222222:key/mrk-1234abcd")
	require.NoError(t, err)
	b, err := NewTrailBucket(f.stack, "Bucket", TrailBucketProps{BucketName: "trail-logs-test", Key: k, Trail: testTrail, Readers: []string{"333333333333"}})
	require.NoError(t, err)
	assert.Equal(t, IKey(k), b.Key())
	require.NoError(t, b.GrantRead("444455556666"), "the bucket's half; the key's owner adds ReaderGrant.KeyStatements")
	_, sse := f.synth(t).Only(t, "aws_s3_bucket_server_side_encryption_configuration")
	assert.Contains(t, fmt.Sprint(sse["rule"]), "arn:aws:kms:us-east-1:222222222222:key/mrk-1234abcd")
}

// TestWiringRefusals are the cases a security review of the wiring found:
// each would have deployed a pipeline that fails at apply or, worse,
// silently.
func TestWiringRefusals(t *testing.T) {
	reader := "arn:aws:iam::333333333333:role/Auditor"
	newKey := func(f *fixture) *MultiRegionKey {
		k, err := NewMultiRegionKey(f.stack, "Key", MultiRegionKeyProps{Alias: "alias/wired", Account: "222222222222",
			Replicas: []ReplicaRegion{{Provider: f.providers["us-west-2"]}}})
		require.NoError(t, err)
		return k
	}

	t.Run("the bucket's organization is kept, and never contradicted", func(t *testing.T) {
		f := newFixture(t)
		k := newKey(f)
		b, err := NewTrailBucket(f.stack, "Bucket", TrailBucketProps{BucketName: "trail-logs-test", Key: k, OrganizationID: "o-abcdefghij"})
		require.NoError(t, err)
		_, err = NewTrail(f.stack, "Other", TrailProps{Name: "org-trail", Account: "111111111111", OrganizationID: "o-zzzzzzzzzz", Bucket: b, Key: k})
		assert.ErrorContains(t, err, `TrailProps.OrganizationID: contradicts the bucket's organization "o-abcdefghij"`)
		_, err = NewTrail(f.stack, "Trail", TrailProps{Name: "org-trail", Account: "111111111111", Bucket: b, Key: k})
		require.NoError(t, err)
		assert.Equal(t, "o-abcdefghij", b.OrganizationID())
		_, ok := b.Policy().StatementBySid(policy.SidBucketOrganizationWrite)
		assert.True(t, ok, "the organization's log path")
		_, trail := f.synth(t).Only(t, "aws_cloudtrail")
		assert.Equal(t, true, trail["is_organization_trail"])
	})

	t.Run("a delegated administrator's trail names its owner", func(t *testing.T) {
		f := newFixture(t)
		k := newKey(f)
		b, err := NewTrailBucket(f.stack, "Bucket", TrailBucketProps{BucketName: "trail-logs-test", Key: k, OrganizationID: "o-abcdefghij"})
		require.NoError(t, err)
		_, err = NewTrail(f.stack, "Trail", TrailProps{Name: "org-trail", Bucket: b, Key: k, MonitoringAccount: "999999999999"})
		assert.ErrorContains(t, err, "TrailProps.Account: is required: the bucket trail-logs-test has no trail yet, and a trail created by a delegated administrator (MonitoringAccount) is owned by the management account")
	})

	t.Run("a second trail on a key made without a policy", func(t *testing.T) {
		f := newFixture(t)
		k := newKey(f)
		b, err := NewTrailBucket(f.stack, "Bucket", TrailBucketProps{BucketName: "trail-logs-test", Key: k, Trail: testTrail})
		require.NoError(t, err)
		_, err = NewTrailBucket(f.stack, "Other", TrailBucketProps{BucketName: "trail-logs-other", Key: k,
			Trail: policy.Trail{Partition: "aws", Region: "us-east-1", Account: "111111111111", Name: "other-trail"}})
		assert.ErrorContains(t, err, "TrailBucketProps.Trail: the key alias/wired already serves the trail "+testTrail.ARN())
		assert.NotNil(t, b)
	})

	t.Run("a bucket made with its trail gives a key made without a policy the trail's statements", func(t *testing.T) {
		f := newFixture(t)
		k := newKey(f)
		_, err := NewTrailBucket(f.stack, "Bucket", TrailBucketProps{BucketName: "trail-logs-test", Key: k, Trail: testTrail, Readers: []string{reader}})
		require.NoError(t, err)
		want, err := policy.TrailKeyStatements(testTrail)
		require.NoError(t, err)
		for _, region := range k.Regions() {
			doc, _ := k.PolicyIn(region)
			assert.True(t, keyPolicyHas(doc, want), "the trail (created by another app) can encrypt with the copy in %s", region)
		}
	})

	t.Run("a bucket or recovery bucket left without its trail or role fails synthesis", func(t *testing.T) {
		f := newFixture(t)
		k := newKey(f)
		b, err := NewTrailBucket(f.stack, "Bucket", TrailBucketProps{BucketName: "trail-logs-test", Key: k})
		require.NoError(t, err)
		allow := policy.Statement{Sid: "CloudTrailWrites", Effect: policy.Allow, Principal: policy.ServicePrincipal(policy.CloudTrailService),
			Action: policy.Values{"s3:PutObject"}, Resource: policy.Values{"arn:aws:s3:::trail-logs-test/*"}}
		assert.ErrorContains(t, b.AddToResourcePolicy(allow), "TrailBucket.AddToResourcePolicy: grants CloudTrail on a bucket without a trail, whose policy denies every write")
		msg := validationPanic(t, f)
		assert.Contains(t, msg, "the trail bucket trail-logs-test has no trail: its policy denies every write")

		g := newFixture(t)
		k = newKey(g)
		b, err = NewTrailBucket(g.stack, "Bucket", TrailBucketProps{BucketName: "trail-logs-test", Key: k, Trail: testTrail})
		require.NoError(t, err)
		_, err = NewRecoveryBucket(g.stack, "Recovery", RecoveryBucketProps{Source: b, BucketName: "trail-logs-recovery", Provider: g.providers["us-west-2"], Key: k})
		require.NoError(t, err)
		assert.Contains(t, validationPanic(t, g), "the recovery bucket trail-logs-recovery has no replication role: its policy denies every replication")
	})

	t.Run("the replication's provider and keys are the buckets'", func(t *testing.T) {
		f := newFixture(t)
		k := newKey(f)
		b, err := NewTrailBucket(f.stack, "Bucket", TrailBucketProps{BucketName: "trail-logs-test", Key: k, Trail: testTrail})
		require.NoError(t, err)
		dst, err := NewRecoveryBucket(f.stack, "Recovery", RecoveryBucketProps{Source: b, BucketName: "trail-logs-recovery", Provider: f.providers["us-west-2"], Key: k})
		require.NoError(t, err)
		_, err = NewReplication(f.stack, "Replication", ReplicationProps{Source: b, Destination: dst, Key: k, SourceProvider: f.providers["eu-west-1"]})
		assert.ErrorContains(t, err, "ReplicationProps.SourceProvider: its region contradicts the source bucket's region us-east-1")
		other, err := NewMultiRegionKey(f.stack, "OtherKey", MultiRegionKeyProps{Alias: "alias/other", Account: "222222222222",
			Replicas: []ReplicaRegion{{Provider: f.providers["us-west-2"]}}})
		require.NoError(t, err)
		_, err = NewReplication(f.stack, "Replication", ReplicationProps{Source: b, Destination: dst, Key: other})
		assert.ErrorContains(t, err, "ReplicationProps.Key: must be the source bucket's key (TrailBucketProps.Key, alias/wired)")
		_, err = NewRecoveryBucket(f.stack, "Recovery2", RecoveryBucketProps{Source: b, BucketName: "trail-logs-recovery-2", Provider: f.providers["us-west-2"], Key: other})
		assert.ErrorContains(t, err, "RecoveryBucketProps.Key: must be the key of the bucket it copies (alias/wired)")
	})

	t.Run("a replica's provider in another account", func(t *testing.T) {
		f := newFixture(t)
		home := provider.NewAwsProvider(f.stack, jsii.String("home"), &provider.AwsProviderConfig{Region: jsii.String("eu-central-1"), Alias: jsii.String("home"), AllowedAccountIds: jsii.Strings("222222222222")})
		away := provider.NewAwsProvider(f.stack, jsii.String("away"), &provider.AwsProviderConfig{Region: jsii.String("eu-north-1"), Alias: jsii.String("away"), AllowedAccountIds: jsii.Strings("777777777777")})
		_, err := NewMultiRegionKey(f.stack, "Key", MultiRegionKeyProps{Alias: "alias/x", Provider: home, Replicas: []ReplicaRegion{{Provider: away}}})
		assert.ErrorContains(t, err, `MultiRegionKeyProps.Replicas[0].Provider: allows only account 777777777777, but the key is in account 222222222222`)
	})

	t.Run("a grant that would pass the policy size limits", func(t *testing.T) {
		f := newFixture(t)
		k := newKey(f)
		b, err := NewTrailBucket(f.stack, "Bucket", TrailBucketProps{BucketName: "trail-logs-test", Key: k, Trail: testTrail})
		require.NoError(t, err)
		var many []string
		for i := range 400 {
			many = append(many, fmt.Sprintf("arn:aws:iam::333333333333:role/Reader%03d", i))
		}
		before, _ := k.PolicyIn("us-east-1")
		bucketBefore := b.Policy()
		err = b.GrantRead(many...)
		assert.ErrorContains(t, err, "bytes, more than the")
		after, _ := k.PolicyIn("us-east-1")
		assert.Equal(t, before, after, "the key is unchanged")
		assert.Equal(t, bucketBefore, b.Policy(), "the bucket is unchanged")
	})
}

// validationPanic runs the stack's validations, as synthesis does, and
// returns the error they raise.
func validationPanic(t *testing.T, f *fixture) (msg string) {
	t.Helper()
	defer func() {
		r := recover()
		require.NotNil(t, r, "the validations passed")
		msg = fmt.Sprint(r)
	}()
	f.stack.RunAllValidations()
	return ""
}

// TestRegionsNotKnownAtSynthesisAreCheckedAtApply: a provider whose region
// is a Terraform variable cannot be read at synthesis; the region props are
// then required, and every resource they place carries a postcondition on
// the region AWS reports.
func TestRegionsNotKnownAtSynthesisAreCheckedAtApply(t *testing.T) {
	app := cdktf.Testing_App(nil)
	stack := cdktf.NewTerraformStack(app, jsii.String("test"))
	region := cdktf.NewTerraformVariable(stack, jsii.String("region"), &cdktf.TerraformVariableConfig{Type: jsii.String("string")})
	provider.NewAwsProvider(stack, jsii.String("aws"), &provider.AwsProviderConfig{Region: region.StringValue(), AllowedAccountIds: jsii.Strings("111111111111")})
	_, err := NewMultiRegionKey(stack, "Unplaced", MultiRegionKeyProps{Alias: "alias/unplaced"})
	assert.ErrorContains(t, err, `MultiRegionKeyProps.PrimaryRegion: is required: the region of the provider is not known at synthesis`)
	k, err := NewMultiRegionKey(stack, "Key", MultiRegionKeyProps{Alias: "alias/x", PrimaryRegion: "us-east-1"})
	require.NoError(t, err)
	b, err := NewTrailBucket(stack, "Bucket", TrailBucketProps{BucketName: "trail-logs-test", Region: "us-east-1", Key: k, Trail: testTrail})
	require.NoError(t, err)
	_, err = NewTrail(stack, "Trail", TrailProps{Bucket: b, Key: k})
	require.NoError(t, err)

	doc := st.Parse(t, *cdktf.Testing_Synth(stack, jsii.Bool(false)))
	conditions := func(body map[string]any) []string {
		var out []string
		lc, _ := body["lifecycle"].(map[string]any)
		pcs, _ := lc["postcondition"].([]any)
		for _, pc := range pcs {
			out = append(out, pc.(map[string]any)["condition"].(string))
		}
		return out
	}
	_, key := doc.Only(t, "aws_kms_key")
	assert.Contains(t, conditions(key), `${split(":", self.arn)[3] == "us-east-1"}`)
	_, bucket := doc.Only(t, "aws_s3_bucket")
	assert.Contains(t, conditions(bucket), `${self.region == "us-east-1"}`)
	_, trail := doc.Only(t, "aws_cloudtrail")
	assert.Contains(t, conditions(trail), `${self.home_region == "us-east-1"}`)

	// With a literal region nothing is added (the app's stacks: goldens).
	f := newFixture(t)
	lit := f.key(t, nil)
	f.bucket(t, lit, nil)
	for _, typ := range []string{"aws_kms_key", "aws_s3_bucket"} {
		_, body := f.synth(t).Only(t, typ)
		assert.Empty(t, conditions(body), typ)
	}
}

// TestSecondReviewFindings: what the second review of the wiring found.
func TestSecondReviewFindings(t *testing.T) {
	t.Run("readers granted before the recovery bucket reach the copies", func(t *testing.T) {
		f := newFixture(t)
		k, err := NewMultiRegionKey(f.stack, "Key", MultiRegionKeyProps{Alias: "alias/wired", Account: "222222222222",
			Replicas: []ReplicaRegion{{Provider: f.providers["us-west-2"]}}})
		require.NoError(t, err)
		b, err := NewTrailBucket(f.stack, "Bucket", TrailBucketProps{BucketName: "trail-logs-test", Key: k, Trail: testTrail})
		require.NoError(t, err)
		require.NoError(t, b.GrantRead("444455556666"))
		dst, err := NewRecoveryBucket(f.stack, "Recovery", RecoveryBucketProps{Source: b, BucketName: "trail-logs-recovery", Provider: f.providers["us-west-2"], Key: k})
		require.NoError(t, err)
		_, ok := dst.Policy().StatementBySid(policy.SidBucketReadersGet)
		assert.True(t, ok, "the granted reader reads the copies")
		_, err = NewReplication(f.stack, "Replication", ReplicationProps{Source: b, Destination: dst, Key: k})
		require.NoError(t, err)
		west, _ := k.PolicyIn("us-west-2")
		s, ok := west.StatementBySid(policy.SidLogReadersDecryptRecovery)
		require.True(t, ok, "and decrypts them")
		assert.Contains(t, s.Principal.AWS, "arn:aws:iam::444455556666:root")
	})

	t.Run("policies past their size limit are refused at construction too", func(t *testing.T) {
		f := newFixture(t)
		var many []string
		for i := range 400 {
			many = append(many, fmt.Sprintf("arn:aws:iam::333333333333:role/Reader%03d", i))
		}
		existing, err := KeyFromArns("arn:aws:kms:us-east-1:222222222222:key/mrk-1234abcd")
		require.NoError(t, err)
		_, err = NewTrailBucket(f.stack, "Bucket", TrailBucketProps{BucketName: "trail-logs-test", Key: existing, Trail: testTrail, Readers: many})
		assert.ErrorContains(t, err, "TrailBucketProps: the policy would be")
		doc := keyPolicy(t, testTrail)
		for i := range 300 {
			doc.Statement = append(doc.Statement, policy.Statement{Sid: fmt.Sprintf("Padding%03d", i), Effect: policy.Allow,
				Principal: policy.AWSPrincipals("arn:aws:iam::222222222222:root"), Action: policy.Values{"kms:DescribeKey"}, Resource: policy.Values{"*"}})
		}
		_, err = NewMultiRegionKey(f.stack, "Key", MultiRegionKeyProps{Alias: "alias/big", Policy: doc})
		assert.ErrorContains(t, err, "MultiRegionKeyProps.Policy: the policy would be")
		assert.Equal(t, 0, f.synth(t).Count("aws_kms_key"))
	})

	t.Run("a replica's provider in another account than the key's", func(t *testing.T) {
		f := newFixture(t)
		away := provider.NewAwsProvider(f.stack, jsii.String("away"), &provider.AwsProviderConfig{Region: jsii.String("eu-north-1"), Alias: jsii.String("away"), AllowedAccountIds: jsii.Strings("777777777777")})
		_, err := NewMultiRegionKey(f.stack, "Key", MultiRegionKeyProps{Alias: "alias/x", Account: "222222222222", Replicas: []ReplicaRegion{{Provider: away}}})
		assert.ErrorContains(t, err, `MultiRegionKeyProps.Replicas[0].Provider: allows only account 777777777777, but the key is in account 222222222222`)
	})
}
