package constructs

import (
	"fmt"
	"testing"

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
	k, err := NewMultiRegionKey(f.stack, "Key", MultiRegionKeyProps{
		Alias: "alias/wired", Account: "222222222222",
		Replicas: []ReplicaRegion{{Provider: f.providers["us-west-2"]}},
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"us-east-1", "us-west-2"}, k.Regions(), "regions from the providers")
	base, _ := k.PolicyIn("us-west-2")
	assert.Equal(t, []string{policy.SidKeyRootAdministration}, base.Sids())

	b, err := NewTrailBucket(f.stack, "Bucket", TrailBucketProps{BucketName: "trail-logs-test", Key: k, Readers: []string{reader}, KeyPrefix: "audit"})
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
		OrganizationID: "o-abcdefghij", Readers: []string{reader}, Protection: &policy.Protection{}})
	require.NoError(t, err)
	assert.Equal(t, want, b.Policy(), "the bucket's policy is TrailBucketPolicy's for the trail")
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
	_, ok := b.Policy().StatementBySid("GrantedReaders1GetObject")
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
