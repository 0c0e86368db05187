package policy_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/policyeval"
)

// verification is an organization trail's, with a recovery copy, verified
// by a role of another account and a user of the log-archive account.
func verification() policy.Verification {
	return policy.Verification{
		Verifiers:      []string{"arn:aws:iam::555566667777:role/TrailVerifier", "arn:aws:iam::444455556666:user/auditor"},
		Trail:          policy.Trail{Partition: "aws", Region: "us-east-1", Account: "111122223333", Name: "organization-trail"},
		OrganizationID: "o-exampleorg1",
		KeyPrefix:      "org",
		Bucket:         "trail-logs-444455556666",
		RecoveryBucket: "trail-logs-444455556666-usw2",
		RecoveryRegion: "us-west-2",
	}
}

func statement(t *testing.T, doc policy.Document, sid string) policy.Statement {
	t.Helper()
	s, ok := doc.StatementBySid(sid)
	j, _ := doc.JSON()
	require.True(t, ok, "no statement %s in\n%s", sid, j)
	return s
}

func TestVerificationLogPaths(t *testing.T) {
	v := verification()
	assert.Equal(t, []string{"org/AWSLogs/111122223333/", "org/AWSLogs/o-exampleorg1/"}, v.LogPaths())
	v.OrganizationID, v.KeyPrefix = "", ""
	assert.Equal(t, []string{"AWSLogs/111122223333/"}, v.LogPaths())
}

// TestVerificationBucketStatements: list only under the log paths (s3:prefix
// on both list actions), read objects and versions only there.
func TestVerificationBucketStatements(t *testing.T) {
	v := verification()
	for name, get := range map[string]func() ([]policy.Statement, error){"trail": v.BucketStatements, "recovery": v.RecoveryBucketStatements} {
		t.Run(name, func(t *testing.T) {
			st, err := get()
			require.NoError(t, err)
			doc := policy.Document{Version: policy.Version, Statement: st}
			bucket := "arn:aws:s3:::" + v.Bucket
			if name == "recovery" {
				bucket = "arn:aws:s3:::" + v.RecoveryBucket
			}
			list := statement(t, doc, policy.SidVerifiersList)
			assert.Equal(t, policy.Values{"s3:ListBucket", "s3:ListBucketVersions"}, list.Action)
			assert.Equal(t, policy.Values{bucket}, list.Resource)
			assert.Equal(t, policy.Values{"org/AWSLogs/111122223333/*", "org/AWSLogs/o-exampleorg1/*"}, list.Condition["StringLike"]["s3:prefix"])
			assert.Equal(t, policy.Values{"arn:aws:iam::444455556666:user/auditor", "arn:aws:iam::555566667777:role/TrailVerifier"}, list.Principal.AWS, "sorted")
			read := statement(t, doc, policy.SidVerifiersRead)
			assert.Equal(t, policy.Values{"s3:GetObject", "s3:GetObjectVersion"}, read.Action)
			assert.Equal(t, policy.Values{bucket + "/org/AWSLogs/111122223333/*", bucket + "/org/AWSLogs/o-exampleorg1/*"}, read.Resource)
			assert.Empty(t, read.Condition)
		})
	}
	v.RecoveryBucket, v.RecoveryRegion = "", ""
	_, err := v.RecoveryBucketStatements()
	assert.ErrorContains(t, err, "Verification.RecoveryBucket")
}

// TestVerificationKeyStatements: decrypt through S3 in the copy's own
// region only, for that region's bucket; nothing on another copy.
func TestVerificationKeyStatements(t *testing.T) {
	v := verification()
	home, err := v.KeyStatements("us-east-1")
	require.NoError(t, err)
	doc := policy.Document{Version: policy.Version, Statement: home}
	assert.Equal(t, []string{policy.SidVerifiersDecryptTrailBucket, policy.SidVerifiersDecryptTrailBucketTrailContext}, doc.Sids())
	for _, s := range home {
		assert.Equal(t, policy.Values{"kms:Decrypt"}, s.Action)
		assert.Equal(t, policy.Values{"s3.us-east-1.amazonaws.com"}, s.Condition["StringEquals"]["kms:ViaService"])
		assert.Equal(t, policy.Values{"444455556666", "555566667777"}, s.Condition["StringEquals"]["kms:CallerAccount"])
	}
	s3 := statement(t, doc, policy.SidVerifiersDecryptTrailBucket)
	assert.Equal(t, policy.Values{"arn:aws:s3:::trail-logs-444455556666", "arn:aws:s3:::trail-logs-444455556666/*"}, s3.Condition["StringLike"]["kms:EncryptionContext:aws:s3:arn"])
	ct := statement(t, doc, policy.SidVerifiersDecryptTrailBucketTrailContext)
	assert.Equal(t, policy.Values{"arn:aws:cloudtrail:*:111122223333:trail/*"}, ct.Condition["StringLike"]["kms:EncryptionContext:aws:cloudtrail:arn"])

	recovery, err := v.KeyStatements("us-west-2")
	require.NoError(t, err)
	require.Len(t, recovery, 1)
	assert.Equal(t, policy.SidVerifiersDecryptRecovery, recovery[0].Sid)
	assert.Equal(t, policy.Values{"s3.us-west-2.amazonaws.com"}, recovery[0].Condition["StringEquals"]["kms:ViaService"])
	assert.Equal(t, policy.Values{"arn:aws:s3:::trail-logs-444455556666-usw2", "arn:aws:s3:::trail-logs-444455556666-usw2/*"}, recovery[0].Condition["StringLike"]["kms:EncryptionContext:aws:s3:arn"])

	other, err := v.KeyStatements("eu-west-1")
	require.NoError(t, err)
	assert.Empty(t, other)

	// A shared key: the trail's ARN exactly, object ARNs under the paths,
	// never the bucket ARN.
	v.SharedKey = true
	shared, err := v.KeyStatements("us-east-1")
	require.NoError(t, err)
	doc = policy.Document{Version: policy.Version, Statement: shared}
	assert.Equal(t, policy.Values{"arn:aws:s3:::trail-logs-444455556666/org/AWSLogs/111122223333/*", "arn:aws:s3:::trail-logs-444455556666/org/AWSLogs/o-exampleorg1/*"},
		statement(t, doc, policy.SidVerifiersDecryptTrailBucket).Condition["StringLike"]["kms:EncryptionContext:aws:s3:arn"])
	ct = statement(t, doc, policy.SidVerifiersDecryptTrailBucketTrailContext)
	assert.Equal(t, policy.Values{"arn:aws:cloudtrail:us-east-1:111122223333:trail/organization-trail"}, ct.Condition["StringEquals"]["kms:EncryptionContext:aws:cloudtrail:arn"])
	assert.NotContains(t, ct.Condition, "StringLike")
}

// TestVerificationRefuses each field's bad values, naming the field.
func TestVerificationRefuses(t *testing.T) {
	cases := map[string]struct {
		edit func(*policy.Verification)
		want string
	}{
		"no verifiers":         {func(v *policy.Verification) { v.Verifiers = nil }, "Verification.Verifiers: is required"},
		"an account id":        {func(v *policy.Verification) { v.Verifiers = []string{"555566667777"} }, "Verification.Verifiers[0]: must be an IAM role or user ARN"},
		"a root":               {func(v *policy.Verification) { v.Verifiers = []string{"arn:aws:iam::555566667777:root"} }, "Verification.Verifiers[0]: must be an IAM role or user ARN"},
		"a wildcard":           {func(v *policy.Verification) { v.Verifiers = []string{"*"} }, "Verification.Verifiers[0]"},
		"another partition":    {func(v *policy.Verification) { v.Verifiers = []string{"arn:aws-cn:iam::555566667777:role/V"} }, "partition"},
		"a bad bucket":         {func(v *policy.Verification) { v.Bucket = "Bad_Bucket" }, "Verification.Bucket"},
		"a wildcard prefix":    {func(v *policy.Verification) { v.KeyPrefix = "org*" }, "Verification.KeyPrefix"},
		"recovery, no region":  {func(v *policy.Verification) { v.RecoveryRegion = "" }, "Verification.RecoveryRegion"},
		"recovery, same place": {func(v *policy.Verification) { v.RecoveryRegion = "us-east-1" }, "must differ from the trail bucket's region"},
		"region, no recovery":  {func(v *policy.Verification) { v.RecoveryBucket = "" }, "is only for a RecoveryBucket"},
		"a bad organization":   {func(v *policy.Verification) { v.OrganizationID = "o-x" }, "Verification.OrganizationID"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			v := verification()
			tc.edit(&v)
			_, err := v.BucketStatements()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			_, err = v.KeyStatements("us-east-1")
			assert.Error(t, err)
		})
	}
}

func identityPolicy(t *testing.T, v policy.Verification, keyArns map[string]string) policy.Document {
	t.Helper()
	doc, err := policy.VerifierIdentityPolicy(policy.VerifierIdentityProps{Verification: v, KeyAccount: "444455556666", KeyArns: keyArns})
	require.NoError(t, err)
	_, err = doc.JSON()
	require.NoError(t, err)
	return doc
}

// TestVerifierIdentityPolicy: both buckets' paths, decrypt through S3 in
// each bucket's region with that bucket's context, ListPublicKeys on "*"
// (it has no resource type), and no principal (an identity policy).
func TestVerifierIdentityPolicy(t *testing.T) {
	doc := identityPolicy(t, verification(), nil)
	assert.Equal(t, []string{policy.SidVerifierListLogPaths, policy.SidVerifierReadLogObjects, policy.SidVerifierDecryptTrailBucket,
		policy.SidVerifierDecryptTrailBucketTrailContext, policy.SidVerifierDecryptRecovery, policy.SidVerifierListPublicKeys}, doc.Sids())
	for _, s := range doc.Statement {
		assert.True(t, s.Principal.IsZero(), s.Sid)
		assert.Equal(t, policy.Allow, s.Effect, s.Sid)
	}
	list := statement(t, doc, policy.SidVerifierListLogPaths)
	assert.Equal(t, policy.Values{"arn:aws:s3:::trail-logs-444455556666", "arn:aws:s3:::trail-logs-444455556666-usw2"}, list.Resource)
	assert.Equal(t, policy.Values{"org/AWSLogs/111122223333/*", "org/AWSLogs/o-exampleorg1/*"}, list.Condition["StringLike"]["s3:prefix"])
	assert.Len(t, statement(t, doc, policy.SidVerifierReadLogObjects).Resource, 4)
	home := statement(t, doc, policy.SidVerifierDecryptTrailBucket)
	assert.Equal(t, policy.Values{"arn:aws:kms:us-east-1:444455556666:key/*"}, home.Resource)
	assert.Equal(t, policy.Values{"s3.us-east-1.amazonaws.com"}, home.Condition["StringEquals"]["kms:ViaService"])
	recovery := statement(t, doc, policy.SidVerifierDecryptRecovery)
	assert.Equal(t, policy.Values{"arn:aws:kms:us-west-2:444455556666:key/*"}, recovery.Resource)
	assert.Equal(t, policy.Values{"s3.us-west-2.amazonaws.com"}, recovery.Condition["StringEquals"]["kms:ViaService"])
	keys := statement(t, doc, policy.SidVerifierListPublicKeys)
	assert.Equal(t, policy.Values{"cloudtrail:ListPublicKeys"}, keys.Action)
	assert.Equal(t, policy.Values{"*"}, keys.Resource)
	var actions []string
	for _, s := range doc.Statement {
		actions = append(actions, s.Action...)
	}
	assert.ElementsMatch(t, []string{"s3:ListBucket", "s3:ListBucketVersions", "s3:GetObject", "s3:GetObjectVersion",
		"kms:Decrypt", "kms:Decrypt", "kms:Decrypt", "cloudtrail:ListPublicKeys"}, actions, "no other action")

	// A key made elsewhere: its copy's ARN, and the shared key's contexts.
	v := verification()
	v.SharedKey, v.RecoveryBucket, v.RecoveryRegion = true, "", ""
	keyArn := "arn:aws:kms:us-east-1:444455556666:key/mrk-1234abcd"
	doc = identityPolicy(t, v, map[string]string{"us-east-1": keyArn})
	assert.NotContains(t, doc.Sids(), policy.SidVerifierDecryptRecovery)
	assert.Equal(t, policy.Values{keyArn}, statement(t, doc, policy.SidVerifierDecryptTrailBucket).Resource)
	assert.Equal(t, policy.Values{"arn:aws:cloudtrail:us-east-1:111122223333:trail/organization-trail"},
		statement(t, doc, policy.SidVerifierDecryptTrailBucketTrailContext).Condition["StringEquals"]["kms:EncryptionContext:aws:cloudtrail:arn"])

	for _, bad := range []string{"arn:aws:kms:us-east-1:444455556666:alias/trail", "arn:aws:kms:us-west-2:444455556666:key/mrk-1", "arn:aws:kms:us-east-1:999999999999:key/mrk-1", "arn:aws:kms:us-east-1:444455556666:key/*"} {
		_, err := policy.VerifierIdentityPolicy(policy.VerifierIdentityProps{Verification: verification(), KeyAccount: "444455556666", KeyArns: map[string]string{"us-east-1": bad}})
		assert.ErrorContains(t, err, "VerifierIdentityProps.KeyArns[us-east-1]", bad)
	}
	_, err := policy.VerifierIdentityPolicy(policy.VerifierIdentityProps{Verification: verification()})
	assert.ErrorContains(t, err, "VerifierIdentityProps.KeyAccount")
}

// TestVerifierIdentityPolicyDecides: judged alone (a verifier of another
// account needs it, and the resource policies, to allow), the identity
// policy allows the verification's calls and nothing around them.
func TestVerifierIdentityPolicyDecides(t *testing.T) {
	doc := identityPolicy(t, verification(), nil)
	who := policyeval.Principal{ARN: "arn:aws:iam::555566667777:role/TrailVerifier"}
	decide := func(action, resource string, kv ...string) policyeval.Decision {
		t.Helper()
		ctx := map[string][]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			ctx[kv[i]] = append(ctx[kv[i]], kv[i+1])
		}
		d, err := policyeval.Evaluate(policyeval.Request{Principal: who, Action: action, Resource: resource, Context: ctx},
			policyeval.Policies{ResourceAccount: "555566667777", Identity: []policy.Document{doc}})
		require.NoError(t, err)
		return d
	}
	bucket, recovery := "arn:aws:s3:::trail-logs-444455556666", "arn:aws:s3:::trail-logs-444455556666-usw2"
	digest := "/org/AWSLogs/o-exampleorg1/222233334444/CloudTrail-Digest/eu-west-1/2026/11/29/d.json.gz"
	key, replica := "arn:aws:kms:us-east-1:444455556666:key/mrk-1", "arn:aws:kms:us-west-2:444455556666:key/mrk-1"
	for name, d := range map[string]policyeval.Decision{
		"listing the organization path":               decide("s3:ListBucket", bucket, "s3:prefix", "org/AWSLogs/o-exampleorg1/"),
		"listing versions of the account path":        decide("s3:ListBucketVersions", recovery, "s3:prefix", "org/AWSLogs/111122223333/CloudTrail-Digest/"),
		"reading an earlier version of a digest file": decide("s3:GetObjectVersion", recovery+digest),
		"decrypting through S3 (Bucket Key context)":  decide("kms:Decrypt", key, "kms:ViaService", "s3.us-east-1.amazonaws.com", "kms:EncryptionContext:aws:s3:arn", bucket),
		"decrypting a recovery copy through S3":       decide("kms:Decrypt", replica, "kms:ViaService", "s3.us-west-2.amazonaws.com", "kms:EncryptionContext:aws:s3:arn", recovery+digest),
		"listing the digest public keys":              decide("cloudtrail:ListPublicKeys", "*"),
	} {
		assert.Equal(t, policyeval.Allow, d, name)
	}
	for name, d := range map[string]policyeval.Decision{
		"listing the whole bucket":                        decide("s3:ListBucket", bucket),
		"listing AWSLogs/ above the paths":                decide("s3:ListBucket", bucket, "s3:prefix", "org/AWSLogs/"),
		"reading outside the paths":                       decide("s3:GetObject", bucket+"/org/AWSLogs/999999999999/x"),
		"deleting a version":                              decide("s3:DeleteObjectVersion", bucket+digest),
		"putting a retention":                             decide("s3:PutObjectRetention", bucket+digest),
		"reading the state bucket":                        decide("s3:GetObject", "arn:aws:s3:::terraform-state/cloudtrail-mrk/log-archive.tfstate"),
		"decrypting outside S3":                           decide("kms:Decrypt", key, "kms:EncryptionContext:aws:s3:arn", bucket),
		"decrypting the trail bucket's objects elsewhere": decide("kms:Decrypt", replica, "kms:ViaService", "s3.us-west-2.amazonaws.com", "kms:EncryptionContext:aws:s3:arn", bucket),
		"decrypting another bucket's objects":             decide("kms:Decrypt", key, "kms:ViaService", "s3.us-east-1.amazonaws.com", "kms:EncryptionContext:aws:s3:arn", "arn:aws:s3:::other"),
		"generating a data key":                           decide("kms:GenerateDataKey", key, "kms:ViaService", "s3.us-east-1.amazonaws.com", "kms:EncryptionContext:aws:s3:arn", bucket),
		"stopping the trail":                              decide("cloudtrail:StopLogging", "arn:aws:cloudtrail:us-east-1:111122223333:trail/organization-trail"),
	} {
		assert.NotEqual(t, policyeval.Allow, d, name)
	}
}

// TestPoliciesWithVerifiers: the trail bucket, recovery bucket and key
// policies carry the verifiers' grants when given them, and refuse what
// they need but lack.
func TestPoliciesWithVerifiers(t *testing.T) {
	v := verification()
	bucket, err := policy.TrailBucketPolicy(policy.BucketPolicyProps{BucketName: v.Bucket, KeyPrefix: v.KeyPrefix, Trail: v.Trail, OrganizationID: v.OrganizationID, Verifiers: v.Verifiers})
	require.NoError(t, err)
	want, err := v.BucketStatements()
	require.NoError(t, err)
	for _, w := range want {
		assert.Equal(t, w, statement(t, bucket, w.Sid))
	}
	recovery, err := policy.RecoveryBucketPolicy(policy.RecoveryBucketPolicyProps{Partition: "aws", BucketName: v.RecoveryBucket, KeyPrefix: v.KeyPrefix,
		Verifiers: v.Verifiers, TrailAccount: v.Trail.Account, OrganizationID: v.OrganizationID})
	require.NoError(t, err)
	want, err = v.RecoveryBucketStatements()
	require.NoError(t, err)
	for _, w := range want {
		assert.Equal(t, w, statement(t, recovery, w.Sid))
	}
	_, err = policy.RecoveryBucketPolicy(policy.RecoveryBucketPolicyProps{Partition: "aws", BucketName: v.RecoveryBucket, Verifiers: v.Verifiers})
	assert.ErrorContains(t, err, "RecoveryBucketPolicyProps.TrailAccount")

	repl := &policy.Replication{Partition: "aws", Account: "444455556666", RoleName: "r", SourceRegion: "us-east-1", SourceBucket: v.Bucket,
		DestinationRegion: "us-west-2", DestinationBucket: v.RecoveryBucket, TrailAccount: v.Trail.Account}
	for region, sids := range map[string][]string{
		"us-east-1": {policy.SidVerifiersDecryptTrailBucket, policy.SidVerifiersDecryptTrailBucketTrailContext},
		"us-west-2": {policy.SidVerifiersDecryptRecovery},
		"eu-west-1": nil,
	} {
		key, err := policy.KeyPolicy(policy.KeyPolicyProps{KeyAccount: "444455556666", Trail: v.Trail, TrailBucket: v.Bucket, Replication: repl, Region: region, Verifiers: v.Verifiers})
		require.NoError(t, err, region)
		var got []string
		for _, sid := range key.Sids() {
			if strings.Contains(sid, "Verifiers") {
				got = append(got, sid)
			}
		}
		assert.Equal(t, sids, got, region)
	}
	_, err = policy.KeyPolicy(policy.KeyPolicyProps{KeyAccount: "444455556666", Trail: v.Trail, Verifiers: v.Verifiers})
	assert.ErrorContains(t, err, "KeyPolicyProps.TrailBucket: is required with Verifiers")
	_, err = policy.KeyPolicy(policy.KeyPolicyProps{KeyAccount: "444455556666", Trail: v.Trail, TrailBucket: v.Bucket, Verifiers: []string{"555566667777"}})
	assert.ErrorContains(t, err, "KeyPolicyProps.Verifiers[0]")
	_, err = policy.TrailBucketPolicy(policy.BucketPolicyProps{BucketName: v.Bucket, Trail: v.Trail, Verifiers: []string{"arn:aws:iam::555566667777:root"}})
	assert.ErrorContains(t, err, "BucketPolicyProps.Verifiers[0]")

	// Without verifiers, nothing changes.
	plain, err := policy.TrailBucketPolicy(policy.BucketPolicyProps{BucketName: v.Bucket, KeyPrefix: v.KeyPrefix, Trail: v.Trail, OrganizationID: v.OrganizationID})
	require.NoError(t, err)
	for _, sid := range plain.Sids() {
		assert.NotContains(t, sid, "Verifiers")
	}
}
