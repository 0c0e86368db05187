package constructs

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	st "github.com/cloudtrail-mrk/cloudtrail-mrk/internal/proof/synthtest"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/policyeval"
)

const auditor = "arn:aws:iam::333333333333:role/Auditor"

// readRequests are what a reader in another account does to read a log
// file: GetObject over TLS, and the kms:Decrypt S3 makes on its behalf with
// the bucket's encryption context (S3 Bucket Keys) from the reader's account.
func readRequests() (get, decrypt policyeval.Request) {
	reader := policyeval.Principal{ARN: "arn:aws:sts::333333333333:assumed-role/Auditor/session"}
	get = policyeval.Request{
		Principal: reader, Action: "s3:GetObject",
		Resource: "arn:aws:s3:::trail-logs-test/AWSLogs/111111111111/CloudTrail/us-east-1/2026/01/01/file.json.gz",
		Context:  map[string][]string{"aws:SecureTransport": {"true"}},
	}
	decrypt = policyeval.Request{
		Principal: reader, Action: "kms:Decrypt", Resource: "*",
		Context: map[string][]string{
			"kms:CallerAccount":                {"333333333333"},
			"kms:ViaService":                   {"s3.us-east-1.amazonaws.com"},
			"kms:EncryptionContext:aws:s3:arn": {"arn:aws:s3:::trail-logs-test"},
			"aws:SecureTransport":              {"true"},
		},
	}
	return get, decrypt
}

func decide(t *testing.T, req policyeval.Request, doc policy.Document, key bool) policyeval.Decision {
	t.Helper()
	// The reader's own IAM policies are not ours: the worst case, allow all.
	d, err := policyeval.Evaluate(req, policyeval.Policies{Resource: &doc, ResourceAccount: "222222222222", KeyPolicy: key, Identity: []policy.Document{policyeval.AllowAll}})
	require.NoError(t, err)
	return d
}

// TestGrantsAfterConstruction: a reader granted after the key, the bucket and
// the trail were made is in the synthesized policies, and AWS's evaluation
// (package policyeval) lets it read a log file it could not read before.
func TestGrantsAfterConstruction(t *testing.T) {
	f := newFixture(t)
	k := f.key(t, nil)
	b := f.bucket(t, k, nil)
	_, err := NewTrail(f.stack, "Trail", TrailProps{Bucket: b, Key: k})
	require.NoError(t, err)

	get, decrypt := readRequests()
	assert.Equal(t, policyeval.ImplicitDeny, decide(t, get, b.Policy(), false), "no reader before the grant")
	assert.Equal(t, policyeval.ImplicitDeny, decide(t, decrypt, k.Policy(), true))

	require.NoError(t, k.GrantDecrypt(b, auditor))
	require.NoError(t, b.GrantRead(auditor))
	// A grant that breaks a rule changes nothing.
	assert.ErrorContains(t, b.GrantRead("nobody"), `TrailBucket.GrantRead.Readers[0]: must be a 12-digit account id or an IAM principal ARN`)
	_, ok := b.Policy().StatementBySid("GrantedReaders2GetObject")
	assert.False(t, ok, "the refused grant added nothing")
	assert.ErrorContains(t, k.AddToResourcePolicy("", policy.Statement{Sid: "GrantedReaders1Decrypt", Effect: policy.Allow}), "statement ids must be present and unique")
	assert.ErrorContains(t, k.AddToResourcePolicy("ap-south-1"), `must name a region of the key`)

	doc := f.synth(t)
	_, bp := doc.Only(t, "aws_s3_bucket_policy")
	bucketPolicy := st.Policy(t, bp)
	assert.Equal(t, b.Policy(), bucketPolicy, "the synthesized bucket policy is the construct's")
	_, primary := doc.Only(t, "aws_kms_key")
	keyPolicy := st.Policy(t, primary)
	assert.Equal(t, k.Policy(), keyPolicy)
	assert.Equal(t, policyeval.Allow, decide(t, get, bucketPolicy, false), "the reader may get the log file")
	assert.Equal(t, policyeval.Allow, decide(t, decrypt, keyPolicy, true), "and S3 may decrypt it for the reader")

	// Every replica lets the reader decrypt log files with CloudTrail's
	// context; only the bucket's region's copy through S3.
	for _, r := range []string{"us-west-2", "eu-west-1"} {
		_, replica := doc.OnlyWhere(t, "aws_kms_replica_key", "provider", "aws."+r)
		p := st.Policy(t, replica)
		_, ok := p.StatementBySid("GrantedReaders1Decrypt")
		assert.True(t, ok, "copy in %s", r)
		_, ok = p.StatementBySid("GrantedReaders1DecryptViaS3")
		assert.False(t, ok, "copy in %s", r)
	}
	// A second grant gets statement ids of its own.
	require.NoError(t, b.GrantRead("444444444444"))
	_, ok = b.Policy().StatementBySid("GrantedReaders2GetObject")
	assert.True(t, ok)
}

// TestTrailWithExistingBucketAndKey: a trail on a bucket and a key made
// elsewhere creates only the trail, points it at them, and tells their
// owners which statements to add; the bucket statements let this trail
// deliver, as AWS evaluates them.
func TestTrailWithExistingBucketAndKey(t *testing.T) {
	f := newFixture(t)
	key, err := KeyFromArns(
		"arn:aws:kms:us-east-1:222222222222:key/mrk-1234abcd12ab34cd56ef1234567890ab",
		"arn:aws:kms:us-west-2:222222222222:key/mrk-1234abcd12ab34cd56ef1234567890ab")
	require.NoError(t, err)
	bucket, err := TrailBucketFromName(ExistingTrailBucketProps{BucketName: "landing-zone-logs", Region: "us-east-1", Trail: testTrail, KeyPrefix: "lz"})
	require.NoError(t, err)
	tr, err := NewTrail(f.stack, "Trail", TrailProps{Bucket: bucket, Key: key})
	require.NoError(t, err)

	doc := f.synth(t)
	assert.Equal(t, []string{"aws_cloudtrail"}, doc.ResourceTypes(), "nothing but the trail is created")
	require.NoError(t, err)
	_, trail := doc.Only(t, "aws_cloudtrail")
	assert.Equal(t, "landing-zone-logs", trail["s3_bucket_name"])
	assert.Equal(t, "lz", trail["s3_key_prefix"])
	assert.Equal(t, "arn:aws:kms:us-east-1:222222222222:key/mrk-1234abcd12ab34cd56ef1234567890ab", trail["kms_key_id"])
	assert.NotContains(t, trail, "depends_on")

	stmts, err := tr.RequiredKeyStatements()
	require.NoError(t, err)
	var sids []string
	for _, s := range stmts {
		sids = append(sids, s.Sid)
	}
	assert.Equal(t, []string{policy.SidCloudTrailEncrypt, policy.SidCloudTrailDescribeKey, policy.SidCloudTrailDecrypt}, sids)

	// CloudTrail user guide, "Amazon S3 bucket policy for CloudTrail": the
	// service writes with bucket-owner-full-control and the trail's ARN.
	req := policyeval.Request{
		Principal: policyeval.Principal{Service: policy.CloudTrailService}, Action: "s3:PutObject",
		Resource: "arn:aws:s3:::landing-zone-logs/lz/AWSLogs/111111111111/CloudTrail/us-east-1/f.json.gz",
		Context: map[string][]string{
			"s3:x-amz-acl": {"bucket-owner-full-control"}, "aws:SourceArn": {testTrail.ARN()}, "aws:SecureTransport": {"true"},
		},
	}
	required := bucket.RequiredPolicy()
	d, err := policyeval.Evaluate(req, policyeval.Policies{Resource: &required, ResourceAccount: "222222222222"})
	require.NoError(t, err)
	assert.Equal(t, policyeval.Allow, d)

	// Athena can query the logs of a bucket made elsewhere.
	q, err := NewAthenaQuery(f.stack, "Athena", athenaProps(bucket, f.key(t, nil)))
	require.NoError(t, err)
	assert.Equal(t, "s3://landing-zone-logs/lz/AWSLogs/", q.Table().Location(), "the table follows the bucket's name and prefix")

	_, err = NewTrail(f.stack, "Trail2", TrailProps{Bucket: bucket, Key: mustKey(t, "arn:aws:kms:eu-west-1:222222222222:key/abc")})
	assert.EqualError(t, err, `TrailProps.Key: the key has no copy in "us-east-1"; its regions are eu-west-1`)
}

func mustKey(t *testing.T, arns ...string) *ExistingKey {
	t.Helper()
	k, err := KeyFromArns(arns...)
	require.NoError(t, err)
	return k
}

func TestKeyFromArnsValidation(t *testing.T) {
	_, err := KeyFromArns()
	assert.EqualError(t, err, `KeyFromArns: needs the ARN of at least one key copy (got "[]")`)
	_, err = KeyFromArns("alias/cloudtrail")
	assert.EqualError(t, err, `KeyFromArns[0]: must be a KMS key ARN: arn:<partition>:kms:<region>:<account>:key/<key id> (got "alias/cloudtrail")`)
	for _, notAKey := range []string{"arn:aws:kms:us-east-1:222222222222:alias/cloudtrail", "arn:aws:kms:us-east-1:222222222222:key/", "arn:aws:kms:us-east-1:222222222222:key/a:b", "arn:aws:s3:::key/a"} {
		_, err = KeyFromArns(notAKey)
		assert.ErrorContains(t, err, "KeyFromArns[0]: must be a KMS key ARN", notAKey)
	}
	_, err = KeyFromArns("arn:aws:kms:us-east-1:222222222222:key/a", "arn:aws:kms:us-west-2:333333333333:key/a")
	assert.ErrorContains(t, err, `KeyFromArns[1]: must be in the account of the other copies (222222222222)`)
	_, err = TrailBucketFromName(ExistingTrailBucketProps{BucketName: "Bad_Name", Trail: testTrail})
	assert.ErrorContains(t, err, "ExistingTrailBucketProps.Region: is required")
	assert.ErrorContains(t, err, "ExistingTrailBucketProps.BucketName: S3 bucket names")
}
