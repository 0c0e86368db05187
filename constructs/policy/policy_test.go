package policy

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var testTrail = Trail{Partition: "aws", Region: "eu-west-1", Account: "111111111111", Name: "org-trail"}

const testTrailArn = "arn:aws:cloudtrail:eu-west-1:111111111111:trail/org-trail"

func statement(t *testing.T, d Document, sid string) Statement {
	t.Helper()
	s, ok := d.StatementBySid(sid)
	require.True(t, ok, "statement %q missing; have %v", sid, d.Sids())
	return s
}

func TestTrailARN(t *testing.T) {
	assert.Equal(t, testTrailArn, testTrail.ARN())
	assert.Equal(t, "arn:aws:cloudtrail:*:111111111111:trail/*", testTrail.OwnerTrailsPattern())
	assert.NoError(t, testTrail.Validate("Trail"))

	bad := Trail{Partition: "aws-cn", Region: "eu-west-1", Account: "1", Name: "x"}
	err := bad.Validate("Trail")
	require.Error(t, err)
	assert.Equal(t, strings.Join([]string{
		`Trail.Partition: must be "aws", the partition of region "eu-west-1" (got "aws-cn")`,
		`Trail.Account: must be an AWS account id of exactly 12 digits (got "1")`,
		`Trail.Name: trail names must be 3 to 128 characters long (this one is 1) (got "x")`,
	}, "\n"), err.Error())
}

func TestKeyPolicyMinimal(t *testing.T) {
	doc, err := KeyPolicy(KeyPolicyProps{KeyAccount: "222222222222", Trail: testTrail})
	require.NoError(t, err)
	assert.Equal(t, []string{SidKeyRootAdministration, SidCloudTrailEncrypt, SidCloudTrailDescribeKey, SidCloudTrailDecrypt}, doc.Sids())

	root := statement(t, doc, SidKeyRootAdministration)
	assert.Equal(t, Allow, root.Effect)
	assert.Equal(t, AWSPrincipals("arn:aws:iam::222222222222:root"), root.Principal)
	assert.Equal(t, Values{"kms:*"}, root.Action)
	assert.Equal(t, Values{"*"}, root.Resource)
	assert.Nil(t, root.Condition)

	enc := statement(t, doc, SidCloudTrailEncrypt)
	assert.Equal(t, ServicePrincipal("cloudtrail.amazonaws.com"), enc.Principal)
	assert.Equal(t, Values{"kms:GenerateDataKey*"}, enc.Action)
	assert.Equal(t, Conditions{
		"StringLike":   {"kms:EncryptionContext:aws:cloudtrail:arn": {"arn:aws:cloudtrail:*:111111111111:trail/*"}},
		"StringEquals": {"aws:SourceArn": {testTrailArn}},
	}, enc.Condition)

	desc := statement(t, doc, SidCloudTrailDescribeKey)
	assert.Equal(t, Values{"kms:DescribeKey"}, desc.Action)
	assert.Equal(t, Conditions{"StringEquals": {"aws:SourceArn": {testTrailArn}}}, desc.Condition)

	dec := statement(t, doc, SidCloudTrailDecrypt)
	assert.Equal(t, Values{"kms:Decrypt"}, dec.Action)
	assert.Equal(t, ServicePrincipal("cloudtrail.amazonaws.com"), dec.Principal)
	assert.Equal(t, Conditions{"StringEquals": {"aws:SourceArn": {testTrailArn}}}, dec.Condition)
}

func TestKeyPolicyAdminsAndReaders(t *testing.T) {
	doc, err := KeyPolicy(KeyPolicyProps{
		KeyAccount:     "222222222222",
		Trail:          testTrail,
		Administrators: []string{"arn:aws:iam::222222222222:role/KeyAdmin", "arn:aws:iam::222222222222:role/KeyAdmin"},
		Readers:        []string{"333333333333", "arn:aws:iam::444444444444:role/SecurityReader", "arn:aws:iam::333333333333:role/Audit"},
	})
	require.NoError(t, err)
	admins := statement(t, doc, SidKeyAdministrators)
	assert.Equal(t, AWSPrincipals("arn:aws:iam::222222222222:role/KeyAdmin"), admins.Principal, "duplicates are removed")
	// Administrators manage but do not use the key: no wildcard (kms:Create*
	// covers CreateGrant), no grant, no replica, no cryptographic operation.
	for _, a := range admins.Action {
		assert.NotContains(t, a, "*", "administrator actions are listed one by one")
		for _, use := range []string{"kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext",
			"kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:CreateGrant", "kms:ReplicateKey", "kms:GenerateMac", "kms:Sign"} {
			assert.NotEqual(t, use, a, "administrators must not be able to use the key")
		}
	}
	assert.Contains(t, admins.Action, "kms:PutKeyPolicy")
	assert.Contains(t, admins.Action, "kms:ScheduleKeyDeletion")
	assert.Contains(t, admins.Action, "kms:RevokeGrant")

	readers := statement(t, doc, SidLogReadersDecrypt)
	assert.Equal(t, AWSPrincipals(
		"arn:aws:iam::333333333333:role/Audit",
		"arn:aws:iam::333333333333:root",
		"arn:aws:iam::444444444444:role/SecurityReader",
	), readers.Principal)
	assert.Equal(t, Values{"kms:Decrypt", "kms:ReEncryptFrom"}, readers.Action)
	assert.Equal(t, Conditions{
		"StringEquals": {"kms:CallerAccount": {"333333333333", "444444444444"}},
		"StringLike":   {"kms:EncryptionContext:aws:cloudtrail:arn": {"arn:aws:cloudtrail:*:111111111111:trail/*"}},
	}, readers.Condition)
}

func TestKeyPolicyErrors(t *testing.T) {
	_, err := KeyPolicy(KeyPolicyProps{
		KeyAccount:     "22",
		Trail:          testTrail,
		Administrators: []string{"arn:aws:iam::222222222222:role/*"},
		Readers:        []string{"everyone"},
	})
	require.Error(t, err)
	assert.Equal(t, strings.Join([]string{
		`KeyPolicyProps.KeyAccount: must be an AWS account id of exactly 12 digits (got "22")`,
		`KeyPolicyProps.Administrators[0]: must be an IAM principal ARN of the form arn:aws:iam::<12-digit account>:root, :role/<name> or :user/<name> (got "arn:aws:iam::222222222222:role/*")`,
		`KeyPolicyProps.Readers[0]: must be a 12-digit account id or an IAM principal ARN (arn:aws:iam::<account>:root, :role/<name> or :user/<name>) (got "everyone")`,
	}, "\n"), err.Error())
}

func TestBucketPolicyAccountTrail(t *testing.T) {
	doc, err := TrailBucketPolicy(BucketPolicyProps{BucketName: "trail-logs", Trail: testTrail})
	require.NoError(t, err)
	assert.Equal(t, []string{SidBucketAclCheck, SidBucketWrite, SidBucketDenyInsecure, SidBucketDenyRequesterPays, SidBucketDenyForgedWrites}, doc.Sids())

	acl := statement(t, doc, SidBucketAclCheck)
	assert.Equal(t, ServicePrincipal("cloudtrail.amazonaws.com"), acl.Principal)
	assert.Equal(t, Values{"s3:GetBucketAcl"}, acl.Action)
	assert.Equal(t, Values{"arn:aws:s3:::trail-logs"}, acl.Resource)
	assert.Equal(t, Conditions{"StringEquals": {"aws:SourceArn": {testTrailArn}}}, acl.Condition)

	write := statement(t, doc, SidBucketWrite)
	assert.Equal(t, Values{"s3:PutObject"}, write.Action)
	assert.Equal(t, Values{"arn:aws:s3:::trail-logs/AWSLogs/111111111111/*"}, write.Resource)
	assert.Equal(t, Conditions{"StringEquals": {
		"s3:x-amz-acl":  {"bucket-owner-full-control"},
		"aws:SourceArn": {testTrailArn},
	}}, write.Condition)

	deny := statement(t, doc, SidBucketDenyInsecure)
	assert.Equal(t, Deny, deny.Effect)
	assert.Equal(t, AnyPrincipal, deny.Principal)
	assert.Equal(t, Values{"s3:*"}, deny.Action)
	assert.Equal(t, Values{"arn:aws:s3:::trail-logs", "arn:aws:s3:::trail-logs/*"}, deny.Resource)
	assert.Equal(t, Conditions{"Bool": {"aws:SecureTransport": {"false"}}}, deny.Condition)

	// docs/aws-rules.md#requester-pays: nobody turns Requester Pays on.
	payer := statement(t, doc, SidBucketDenyRequesterPays)
	assert.Equal(t, Deny, payer.Effect)
	assert.Equal(t, AnyPrincipal, payer.Principal)
	assert.Equal(t, Values{"s3:PutBucketRequestPayment"}, payer.Action)
	assert.Equal(t, Values{"arn:aws:s3:::trail-logs"}, payer.Resource)
	assert.Empty(t, payer.Condition, "no exemption: nothing we deploy sets it")

	// docs/aws-rules.md#only-the-trail-writes: a request without this
	// trail's aws:SourceArn (every IAM principal's) writes nothing.
	forged := statement(t, doc, SidBucketDenyForgedWrites)
	assert.Equal(t, Deny, forged.Effect)
	assert.Equal(t, Values{"s3:PutObject", "s3:ReplicateDelete", "s3:ReplicateObject"}, forged.Action)
	assert.Equal(t, Values{"arn:aws:s3:::trail-logs/*"}, forged.Resource)
	assert.Equal(t, Conditions{"ArnNotEquals": {"aws:SourceArn": {testTrailArn}}}, forged.Condition)
}

func TestBucketPolicyOrganizationWithPrefixAndReaders(t *testing.T) {
	doc, err := TrailBucketPolicy(BucketPolicyProps{
		BucketName:     "org-trail-logs",
		KeyPrefix:      "org/cloudtrail",
		Trail:          testTrail,
		OrganizationID: "o-a1b2c3d4e5",
		Readers:        []string{"333333333333"},
	})
	require.NoError(t, err)
	assert.Equal(t, []string{SidBucketAclCheck, SidBucketWrite, SidBucketOrganizationWrite, SidBucketReadersList, SidBucketReadersGet, SidBucketDenyInsecure, SidBucketDenyRequesterPays, SidBucketDenyForgedWrites}, doc.Sids())
	assert.Equal(t, Values{"arn:aws:s3:::org-trail-logs/org/cloudtrail/AWSLogs/111111111111/*"}, statement(t, doc, SidBucketWrite).Resource)
	org := statement(t, doc, SidBucketOrganizationWrite)
	assert.Equal(t, Values{"arn:aws:s3:::org-trail-logs/org/cloudtrail/AWSLogs/o-a1b2c3d4e5/*"}, org.Resource, "the key prefix is kept in the organization path")
	assert.Equal(t, Conditions{"StringEquals": {
		"s3:x-amz-acl":  {"bucket-owner-full-control"},
		"aws:SourceArn": {testTrailArn},
	}}, org.Condition)
	get := statement(t, doc, SidBucketReadersGet)
	assert.Equal(t, AWSPrincipals("arn:aws:iam::333333333333:root"), get.Principal)
	assert.Equal(t, Values{"s3:GetObject"}, get.Action)
	assert.Equal(t, Values{"arn:aws:s3:::org-trail-logs/org/cloudtrail/AWSLogs/*"}, get.Resource)
	list := statement(t, doc, SidBucketReadersList)
	assert.Equal(t, Values{"arn:aws:s3:::org-trail-logs"}, list.Resource)
}

func TestBucketPolicyErrors(t *testing.T) {
	_, err := TrailBucketPolicy(BucketPolicyProps{
		BucketName:     "Bad_Bucket",
		KeyPrefix:      "logs/*",
		Trail:          testTrail,
		OrganizationID: "o-123",
	})
	require.Error(t, err)
	msg := err.Error()
	assert.Contains(t, msg, `BucketPolicyProps.BucketName: S3 bucket names may contain only lowercase letters`)
	assert.Contains(t, msg, `BucketPolicyProps.KeyPrefix: key prefixes may contain only`)
	assert.Contains(t, msg, `BucketPolicyProps.OrganizationID: must be an organization id`)
}

// The walkthrough's defect: the bucket policy and the key policy named
// different regions. Both must carry the one trail ARN.
func TestBothPoliciesCarryTheSameTrailARN(t *testing.T) {
	for _, region := range []string{"us-east-1", "ap-southeast-2", "cn-north-1"} {
		trail := Trail{Partition: "aws", Region: region, Account: "111111111111", Name: "t-1"}
		if region == "cn-north-1" {
			trail.Partition = "aws-cn"
		}
		key, err := KeyPolicy(KeyPolicyProps{KeyAccount: "222222222222", Trail: trail})
		require.NoError(t, err)
		bucket, err := TrailBucketPolicy(BucketPolicyProps{BucketName: "b-logs", Trail: trail, OrganizationID: "o-a1b2c3d4e5"})
		require.NoError(t, err)
		var arns []string
		for _, d := range []Document{key, bucket} {
			for _, s := range d.Statement {
				for op, keys := range s.Condition {
					if v, ok := keys["aws:SourceArn"]; ok {
						// Allows name the trail; the forged-writes deny names it negated.
						want := map[Effect]string{Allow: "StringEquals", Deny: "ArnNotEquals"}[s.Effect]
						assert.Equal(t, want, op, s.Sid)
						arns = append(arns, v...)
					}
				}
			}
		}
		require.Len(t, arns, 7)
		for _, a := range arns {
			assert.Equal(t, trail.ARN(), a)
			assert.Contains(t, a, ":"+region+":")
		}
	}
}

func TestJSONIsDeterministicAndRoundTrips(t *testing.T) {
	props := KeyPolicyProps{KeyAccount: "222222222222", Trail: testTrail, Readers: []string{"333333333333", "444444444444"}}
	a, err := KeyPolicy(props)
	require.NoError(t, err)
	first, err := a.JSON()
	require.NoError(t, err)
	for i := 0; i < 20; i++ {
		b, _ := KeyPolicy(props)
		again, err := b.JSON()
		require.NoError(t, err)
		require.Equal(t, first, again)
	}
	back, err := Parse(first)
	require.NoError(t, err)
	assert.Equal(t, a, back)
	assert.Contains(t, first, `"Principal": {
        "Service": "cloudtrail.amazonaws.com"
      }`)
	assert.True(t, json.Valid([]byte(first)))
}

func TestJSONRejectsDuplicateSids(t *testing.T) {
	d := Document{Version: Version, Statement: []Statement{{Sid: "A"}, {Sid: "A"}}}
	_, err := d.JSON()
	assert.ErrorContains(t, err, "unique")
	_, err = Document{Version: Version, Statement: []Statement{{}}}.JSON()
	assert.ErrorContains(t, err, "present")
}

func TestValuesAndPrincipalJSON(t *testing.T) {
	b, _ := json.Marshal(Values{"a"})
	assert.Equal(t, `"a"`, string(b))
	b, _ = json.Marshal(Values{"a", "b"})
	assert.Equal(t, `["a","b"]`, string(b))
	b, _ = json.Marshal(AnyPrincipal)
	assert.Equal(t, `"*"`, string(b))
	var p Principal
	assert.Error(t, json.Unmarshal([]byte(`"arn:aws:iam::111111111111:root"`), &p))
	var v Values
	assert.Error(t, json.Unmarshal([]byte(`3`), &v))
}

func TestAccessLogBucketPolicy(t *testing.T) {
	doc, err := AccessLogBucketPolicy(AccessLogBucketPolicyProps{
		Partition: "aws", BucketName: "trail-logs-access", Account: "222222222222",
		SourceBuckets: []string{"trail-logs", "trail-logs"},
	})
	require.NoError(t, err)
	assert.Equal(t, []string{SidAccessLogsWrite, SidBucketDenyInsecure, SidBucketDenyRequesterPays}, doc.Sids())
	w := statement(t, doc, SidAccessLogsWrite)
	assert.Equal(t, ServicePrincipal("logging.s3.amazonaws.com"), w.Principal)
	assert.Equal(t, Values{"s3:PutObject"}, w.Action)
	assert.Equal(t, Values{"arn:aws:s3:::trail-logs-access/trail-logs/*"}, w.Resource)
	assert.Equal(t, Conditions{
		"ArnLike":      {"aws:SourceArn": {"arn:aws:s3:::trail-logs"}},
		"StringEquals": {"aws:SourceAccount": {"222222222222"}},
	}, w.Condition)
	deny := statement(t, doc, SidBucketDenyInsecure)
	assert.Equal(t, Values{"arn:aws:s3:::trail-logs-access", "arn:aws:s3:::trail-logs-access/*"}, deny.Resource)

	_, err = AccessLogBucketPolicy(AccessLogBucketPolicyProps{Partition: "aws", BucketName: "same-bucket", Account: "222222222222", SourceBuckets: []string{"same-bucket"}})
	assert.EqualError(t, err, `AccessLogBucketPolicyProps.SourceBuckets[0]: must not be the access-log bucket itself (its logs would log themselves) (got "same-bucket")`)
	_, err = AccessLogBucketPolicy(AccessLogBucketPolicyProps{Partition: "aws-eu", BucketName: "b-1", Account: "2"})
	assert.EqualError(t, err, strings.Join([]string{
		`AccessLogBucketPolicyProps.Partition: must be "aws", "aws-cn" or "aws-us-gov" (got "aws-eu")`,
		`AccessLogBucketPolicyProps.Account: must be an AWS account id of exactly 12 digits (got "2")`,
		`AccessLogBucketPolicyProps.SourceBuckets: must name at least one bucket (got "[]")`,
	}, "\n"))
}

func TestMonitoringKeyPolicy(t *testing.T) {
	doc, err := MonitoringKeyPolicy(MonitoringKeyPolicyProps{Trail: testTrail, LogGroupName: "cloudtrail/org-trail", Notifications: true})
	require.NoError(t, err)
	assert.Equal(t, []string{SidKeyRootAdministration, SidLogsUseKey, SidCloudTrailTopicKey}, doc.Sids())
	assert.Equal(t, AWSPrincipals("arn:aws:iam::111111111111:root"), statement(t, doc, SidKeyRootAdministration).Principal)
	logs := statement(t, doc, SidLogsUseKey)
	assert.Equal(t, ServicePrincipal("logs.eu-west-1.amazonaws.com"), logs.Principal)
	assert.Equal(t, Conditions{"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": {"arn:aws:logs:eu-west-1:111111111111:log-group:cloudtrail/org-trail"}}}, logs.Condition)
	assert.NotContains(t, logs.Action, "kms:*")
	topic := statement(t, doc, SidCloudTrailTopicKey)
	assert.Equal(t, Values{"kms:Decrypt", "kms:GenerateDataKey*"}, topic.Action)
	// docs/aws-rules.md#cloudtrail-topic-key: present keys must name this
	// trail; an absent key must not refuse every notification.
	assert.Equal(t, Conditions{"StringEqualsIfExists": {"aws:SourceArn": {testTrailArn}}}, topic.Condition)

	only, err := MonitoringKeyPolicy(MonitoringKeyPolicyProps{Trail: testTrail, LogGroupName: "g"})
	require.NoError(t, err)
	assert.Equal(t, []string{SidKeyRootAdministration, SidLogsUseKey}, only.Sids())
	_, err = MonitoringKeyPolicy(MonitoringKeyPolicyProps{Trail: testTrail})
	assert.EqualError(t, err, `MonitoringKeyPolicyProps: must allow a log group, notifications or both (got "neither")`)

	cn := Trail{Partition: "aws-cn", Region: "cn-north-1", Account: "111111111111", Name: "t-1"}
	cnDoc, err := MonitoringKeyPolicy(MonitoringKeyPolicyProps{Trail: cn, LogGroupName: "g"})
	require.NoError(t, err)
	assert.Equal(t, ServicePrincipal("logs.cn-north-1.amazonaws.com.cn"), statement(t, cnDoc, SidLogsUseKey).Principal)
}

func TestCloudWatchLogsRole(t *testing.T) {
	trust := CloudWatchLogsRoleTrust(testTrail)
	s := statement(t, trust, SidAssumeForCloudTrail)
	assert.Equal(t, ServicePrincipal("cloudtrail.amazonaws.com"), s.Principal)
	assert.Equal(t, Values{"sts:AssumeRole"}, s.Action)
	assert.Nil(t, s.Resource)
	// AWS documents this trust without a condition, and no AWS document says
	// CloudTrail sends aws:SourceArn when it assumes the role: a condition on
	// it could make CreateTrail fail (InvalidCloudWatchLogsRoleArnException).
	assert.Nil(t, s.Condition)
	js, err := trust.JSON()
	require.NoError(t, err)
	assert.NotContains(t, js, "Resource", "trust policies have no Resource")

	perms := CloudWatchLogsRolePolicy(testTrail, "cloudtrail/org-trail", "o-a1b2c3d4e5")
	p := statement(t, perms, SidDeliverToLogGroup)
	assert.True(t, p.Principal.IsZero())
	assert.Equal(t, Values{"logs:CreateLogStream", "logs:PutLogEvents"}, p.Action)
	assert.Equal(t, Values{
		"arn:aws:logs:eu-west-1:111111111111:log-group:cloudtrail/org-trail:log-stream:111111111111_CloudTrail_eu-west-1*",
		"arn:aws:logs:eu-west-1:111111111111:log-group:cloudtrail/org-trail:log-stream:o-a1b2c3d4e5_*",
	}, p.Resource)
	js, err = perms.JSON()
	require.NoError(t, err)
	assert.NotContains(t, js, "Principal", "identity policies have no Principal")
	assert.Len(t, CloudWatchLogsRolePolicy(testTrail, "g", "").Statement[0].Resource, 1)
}

func TestTopicPolicy(t *testing.T) {
	doc := TopicPolicy(testTrail, "trail-notes")
	pub := statement(t, doc, SidTopicPublish)
	assert.Equal(t, ServicePrincipal("cloudtrail.amazonaws.com"), pub.Principal)
	assert.Equal(t, Values{"sns:Publish"}, pub.Action)
	assert.Equal(t, Values{"arn:aws:sns:eu-west-1:111111111111:trail-notes"}, pub.Resource)
	assert.Equal(t, Conditions{"StringEquals": {"aws:SourceArn": {testTrailArn}}}, pub.Condition)
	deny := statement(t, doc, SidTopicDenyInsecure)
	assert.Equal(t, Deny, deny.Effect)
	assert.Equal(t, Conditions{"Bool": {"aws:SecureTransport": {"false"}}}, deny.Condition)
}

var testReplication = Replication{
	Partition: "aws", Account: "222222222222", RoleName: "cloudtrail-mrk-replication",
	SourceRegion: "eu-west-1", SourceBucket: "trail-logs",
	DestinationRegion: "eu-central-1", DestinationBucket: "trail-logs-recovery",
	TrailAccount: testTrail.Account,
}

func TestReplicationRole(t *testing.T) {
	require.NoError(t, testReplication.Validate("R"))
	assert.Equal(t, "arn:aws:iam::222222222222:role/cloudtrail-mrk-replication", testReplication.RoleARN())

	trust := testReplication.RoleTrust()
	s := statement(t, trust, SidReplicationAssume)
	assert.Equal(t, ServicePrincipal("s3.amazonaws.com"), s.Principal)
	assert.Equal(t, Values{"sts:AssumeRole"}, s.Action)

	doc := testReplication.RolePolicy("arn:aws:kms:eu-west-1:222222222222:key/mrk-1", "arn:aws:kms:eu-central-1:222222222222:key/mrk-1")
	assert.Equal(t, []string{SidReplicationSourceBucket, SidReplicationSourceObjects, SidReplicationDestination, SidReplicationDecryptSource, SidReplicationDecryptSourceTrailContext, SidReplicationEncryptReplica, SidReplicationVerifyReplica}, doc.Sids())
	for _, st := range doc.Statement {
		assert.True(t, st.Principal.IsZero(), "identity policy statements have no principal")
		assert.Equal(t, Allow, st.Effect)
		for _, a := range st.Action {
			assert.NotContains(t, a, "*", "no wildcard actions in %s", st.Sid)
		}
	}
	src := statement(t, doc, SidReplicationSourceBucket)
	assert.Equal(t, Values{"s3:GetReplicationConfiguration", "s3:ListBucket"}, src.Action)
	assert.Equal(t, Values{"arn:aws:s3:::trail-logs"}, src.Resource)
	objs := statement(t, doc, SidReplicationSourceObjects)
	assert.Equal(t, Values{"s3:GetObjectLegalHold", "s3:GetObjectRetention", "s3:GetObjectVersionAcl", "s3:GetObjectVersionForReplication", "s3:GetObjectVersionTagging"}, objs.Action)
	assert.Equal(t, Values{"arn:aws:s3:::trail-logs/*"}, objs.Resource)
	dst := statement(t, doc, SidReplicationDestination)
	assert.Equal(t, Values{"s3:ReplicateObject", "s3:ReplicateTags"}, dst.Action, "delete markers are not replicated: no s3:ReplicateDelete")
	assert.Equal(t, Values{"arn:aws:s3:::trail-logs-recovery/*"}, dst.Resource)
	dec := statement(t, doc, SidReplicationDecryptSource)
	assert.Equal(t, Values{"kms:Decrypt"}, dec.Action)
	assert.Equal(t, Values{"arn:aws:kms:eu-west-1:222222222222:key/mrk-1"}, dec.Resource)
	assert.Equal(t, Conditions{
		"StringEquals": {"kms:ViaService": {"s3.eu-west-1.amazonaws.com"}},
		"StringLike":   {"kms:EncryptionContext:aws:s3:arn": {"arn:aws:s3:::trail-logs", "arn:aws:s3:::trail-logs/*"}},
	}, dec.Condition)
	// docs/aws-rules.md#readers-through-s3: the log files may carry
	// CloudTrail's context instead; scoped as the readers' grant.
	decTrail := statement(t, doc, SidReplicationDecryptSourceTrailContext)
	assert.Equal(t, Values{"kms:Decrypt"}, decTrail.Action)
	assert.Equal(t, Values{"arn:aws:kms:eu-west-1:222222222222:key/mrk-1"}, decTrail.Resource)
	assert.Equal(t, Conditions{
		"StringEquals": {"kms:ViaService": {"s3.eu-west-1.amazonaws.com"}},
		"StringLike":   {"kms:EncryptionContext:aws:cloudtrail:arn": {"arn:aws:cloudtrail:*:111111111111:trail/*"}},
	}, decTrail.Condition)
	enc := statement(t, doc, SidReplicationEncryptReplica)
	assert.Equal(t, Values{"kms:Encrypt", "kms:GenerateDataKey"}, enc.Action)
	assert.Equal(t, Values{"arn:aws:kms:eu-central-1:222222222222:key/mrk-1"}, enc.Resource)
	assert.Equal(t, Conditions{
		"StringEquals": {"kms:ViaService": {"s3.eu-central-1.amazonaws.com"}},
		"StringLike":   {"kms:EncryptionContext:aws:s3:arn": {"arn:aws:s3:::trail-logs-recovery", "arn:aws:s3:::trail-logs-recovery/*"}},
	}, enc.Condition)
	// S3 User Guide, "Replicating encrypted objects", "Amazon S3 Bucket Keys
	// and replication": Decrypt on the destination key, scoped the same way.
	verify := statement(t, doc, SidReplicationVerifyReplica)
	assert.Equal(t, Values{"kms:Decrypt"}, verify.Action)
	assert.Equal(t, Values{"arn:aws:kms:eu-central-1:222222222222:key/mrk-1"}, verify.Resource)
	assert.Equal(t, enc.Condition, verify.Condition)
}

func TestKeyPolicyAllowsReplicationRole(t *testing.T) {
	props := KeyPolicyProps{KeyAccount: "222222222222", Trail: testTrail, Replication: &testReplication, Readers: []string{"333333333333", "arn:aws:iam::222222222222:role/LogReader"}}
	role := AWSPrincipals("arn:aws:iam::222222222222:role/cloudtrail-mrk-replication")
	sourceProps := props
	sourceProps.Region = "eu-west-1"
	doc, err := KeyPolicy(sourceProps)
	require.NoError(t, err)
	dec := statement(t, doc, SidReplicationDecryptSource)
	assert.Equal(t, role, dec.Principal)
	assert.Equal(t, Values{"*"}, dec.Resource)
	// Key policies are not synchronized: the source copy's own policy must
	// allow the CloudTrail-context decrypt the role's policy allows.
	decTrail := statement(t, doc, SidReplicationDecryptSourceTrailContext)
	assert.Equal(t, role, decTrail.Principal)
	assert.Equal(t, Values{"*"}, decTrail.Resource)
	assert.Equal(t, Conditions{
		"StringEquals": {"kms:ViaService": {"s3.eu-west-1.amazonaws.com"}},
		"StringLike":   {"kms:EncryptionContext:aws:cloudtrail:arn": {testTrail.OwnerTrailsPattern()}},
	}, decTrail.Condition)
	for _, sid := range []string{SidReplicationEncryptReplica, SidReplicationVerifyReplica, SidLogReadersDecryptRecovery} {
		_, ok := doc.StatementBySid(sid)
		assert.False(t, ok, "the source copy does not carry %s", sid)
	}

	destProps := props
	destProps.Region = "eu-central-1"
	doc, err = KeyPolicy(destProps)
	require.NoError(t, err)
	for _, sid := range []string{SidReplicationDecryptSource, SidReplicationDecryptSourceTrailContext} {
		_, ok := doc.StatementBySid(sid)
		assert.False(t, ok, "the destination copy does not let the role decrypt source objects (%s)", sid)
	}
	replicaScope := Conditions{
		"StringEquals": {"kms:ViaService": {"s3.eu-central-1.amazonaws.com"}},
		"StringLike":   {"kms:EncryptionContext:aws:s3:arn": {"arn:aws:s3:::trail-logs-recovery", "arn:aws:s3:::trail-logs-recovery/*"}},
	}
	enc := statement(t, doc, SidReplicationEncryptReplica)
	assert.Equal(t, role, enc.Principal)
	assert.Equal(t, replicaScope, enc.Condition)
	verify := statement(t, doc, SidReplicationVerifyReplica)
	assert.Equal(t, role, verify.Principal)
	assert.Equal(t, Values{"kms:Decrypt"}, verify.Action)
	assert.Equal(t, replicaScope, verify.Condition)
	// Readers decrypt the recovery copies through S3 there, without
	// depending on CloudTrail's encryption context.
	readers := statement(t, doc, SidLogReadersDecryptRecovery)
	assert.Equal(t, AWSPrincipals("arn:aws:iam::222222222222:role/LogReader", "arn:aws:iam::333333333333:root"), readers.Principal)
	assert.Equal(t, Values{"kms:Decrypt"}, readers.Action)
	assert.Equal(t, Conditions{
		"StringEquals": {"kms:CallerAccount": {"222222222222", "333333333333"}, "kms:ViaService": {"s3.eu-central-1.amazonaws.com"}},
		"StringLike":   {"kms:EncryptionContext:aws:s3:arn": {"arn:aws:s3:::trail-logs-recovery", "arn:aws:s3:::trail-logs-recovery/*"}},
	}, readers.Condition)

	otherProps := props
	otherProps.Region = "us-east-1"
	doc, err = KeyPolicy(otherProps)
	require.NoError(t, err)
	for _, sid := range []string{SidReplicationDecryptSource, SidReplicationEncryptReplica, SidReplicationVerifyReplica, SidLogReadersDecryptRecovery} {
		_, ok := doc.StatementBySid(sid)
		assert.False(t, ok, "a copy replication does not use carries no %s", sid)
	}
	_, err = KeyPolicy(props)
	assert.EqualError(t, err, `KeyPolicyProps.Region: must be an AWS region name such as us-east-1 (got "")`)

	other := testReplication
	other.Account = "333333333333"
	other.DestinationRegion = "eu-west-1"
	other.DestinationBucket = "trail-logs"
	_, err = KeyPolicy(KeyPolicyProps{KeyAccount: "222222222222", Trail: testTrail, Replication: &other, Region: "eu-west-1"})
	require.Error(t, err)
	assert.Equal(t, strings.Join([]string{
		`KeyPolicyProps.Replication.DestinationRegion: must differ from the source region: the copy is for losing a region (got "eu-west-1")`,
		`KeyPolicyProps.Replication.DestinationBucket: must differ from the source bucket (got "trail-logs")`,
		`KeyPolicyProps.Replication.Account: must be the key account 222222222222: replicas of a multi-region key stay in its account (got "333333333333")`,
	}, "\n"), err.Error())

	// The CloudTrail-context grant names the trail's account: it must be the
	// key policy's trail's, and it is required.
	other = testReplication
	other.TrailAccount = "444444444444"
	_, err = KeyPolicy(KeyPolicyProps{KeyAccount: "222222222222", Trail: testTrail, Replication: &other, Region: "eu-west-1"})
	assert.EqualError(t, err, `KeyPolicyProps.Replication.TrailAccount: must be the trail's account 111111111111, whose log files it replicates (got "444444444444")`)
	other.TrailAccount = ""
	assert.ErrorContains(t, other.Validate("R"), `R.TrailAccount: must be an AWS account id of exactly 12 digits (got "")`)
}

func TestRecoveryBucketPolicy(t *testing.T) {
	role := "arn:aws:iam::222222222222:role/cloudtrail-mrk-replication"
	doc, err := RecoveryBucketPolicy(RecoveryBucketPolicyProps{Partition: "aws", BucketName: "trail-logs-recovery", KeyPrefix: "org", Readers: []string{"333333333333"}, ReplicationRoleARN: role})
	require.NoError(t, err)
	assert.Equal(t, []string{SidBucketReadersList, SidBucketReadersGet, SidBucketDenyInsecure, SidBucketDenyRequesterPays, SidRecoveryDenyPutObject, SidRecoveryDenyOtherReplication}, doc.Sids())
	assert.Equal(t, Values{"arn:aws:s3:::trail-logs-recovery/org/AWSLogs/*"}, statement(t, doc, SidBucketReadersGet).Resource)
	// docs/aws-rules.md#only-replication-writes-the-copy.
	put := statement(t, doc, SidRecoveryDenyPutObject)
	assert.Equal(t, Values{"s3:PutObject", "s3:ReplicateDelete"}, put.Action)
	assert.Equal(t, Values{"arn:aws:s3:::trail-logs-recovery/*"}, put.Resource)
	assert.Empty(t, put.Condition, "nobody writes the copy but replication")
	repl := statement(t, doc, SidRecoveryDenyOtherReplication)
	assert.Equal(t, Values{"s3:ReplicateObject", "s3:ReplicateTags"}, repl.Action)
	assert.Equal(t, Conditions{"ArnNotEquals": {"aws:PrincipalArn": {role}}}, repl.Condition)
	none, err := RecoveryBucketPolicy(RecoveryBucketPolicyProps{Partition: "aws", BucketName: "trail-logs-recovery", ReplicationRoleARN: role})
	require.NoError(t, err)
	assert.Equal(t, []string{SidBucketDenyInsecure, SidBucketDenyRequesterPays, SidRecoveryDenyPutObject, SidRecoveryDenyOtherReplication}, none.Sids())
	_, err = RecoveryBucketPolicy(RecoveryBucketPolicyProps{Partition: "aws", BucketName: "B", ReplicationRoleARN: "role/x"})
	assert.ErrorContains(t, err, "RecoveryBucketPolicyProps.BucketName:")
	assert.ErrorContains(t, err, "RecoveryBucketPolicyProps.ReplicationRoleARN:")
	// No role yet: replication in is denied to everyone, unconditionally.
	noRole, err := RecoveryBucketPolicy(RecoveryBucketPolicyProps{Partition: "aws", BucketName: "trail-logs-recovery"})
	require.NoError(t, err)
	assert.Empty(t, statement(t, noRole, SidRecoveryDenyOtherReplication).Condition)
}

func TestKeyBasePolicyAndTrailStatementsMakeKeyPolicy(t *testing.T) {
	tr := Trail{Partition: "aws", Region: "eu-west-1", Account: "111122223333", Name: "org"}
	admins := []string{"arn:aws:iam::111122223333:role/KeyAdmin"}
	want, err := KeyPolicy(KeyPolicyProps{KeyAccount: "222222222222", Trail: tr, Administrators: admins})
	require.NoError(t, err)
	base, err := KeyBasePolicy(KeyBaseProps{KeyAccount: "222222222222", Partition: "aws", Administrators: admins})
	require.NoError(t, err)
	trail, err := TrailKeyStatements(tr)
	require.NoError(t, err)
	base.Statement = append(base.Statement, trail...)
	assert.Equal(t, want, base)
	_, err = KeyBasePolicy(KeyBaseProps{KeyAccount: "1", Partition: "aws"})
	assert.ErrorContains(t, err, "KeyBaseProps.KeyAccount:")
}

func TestUnboundTrailBucketPolicyGrantsNothing(t *testing.T) {
	doc, err := UnboundTrailBucketPolicy("aws", "trail-logs", &Protection{})
	require.NoError(t, err)
	for _, s := range doc.Statement {
		assert.Equal(t, Deny, s.Effect, s.Sid)
	}
	assert.Empty(t, statement(t, doc, SidBucketDenyForgedWrites).Condition, "no trail: every write denied")
	_, err = UnboundTrailBucketPolicy("aws", "B", nil)
	assert.ErrorContains(t, err, "BucketPolicyProps.BucketName:")
}

func TestParseRefusesUnmodelledElements(t *testing.T) {
	for _, el := range []string{"NotResource", "NotAction", "NotPrincipal"} {
		_, err := Parse(`{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Principal":"*","Action":"s3:GetObject","` + el + `":"x"}]}`)
		assert.ErrorContains(t, err, "unknown field", el)
	}
}

func TestAlarmTopicPolicies(t *testing.T) {
	tr := Trail{Partition: "aws", Region: "us-east-1", Account: "111122223333", Name: "org"}
	doc, err := MonitoringKeyPolicy(MonitoringKeyPolicyProps{Trail: tr, LogGroupName: "cloudtrail/org", Alarms: true})
	require.NoError(t, err)
	var key *Statement
	for i := range doc.Statement {
		if doc.Statement[i].Sid == SidAlarmsUseKey {
			key = &doc.Statement[i]
		}
	}
	require.NotNil(t, key, "key policy: %+v", doc)
	assert.Equal(t, Values{CloudWatchService}, key.Principal.Service)
	// On the key, the conditions hold where the keys are present (no AWS
	// page says the KMS request carries them).
	assert.Equal(t, Values{"111122223333"}, key.Condition["StringEqualsIfExists"]["aws:SourceAccount"])
	assert.Equal(t, Values{"arn:aws:cloudwatch:us-east-1:111122223333:alarm:*"}, key.Condition["ArnLikeIfExists"]["aws:SourceArn"])

	topic := AlarmTopicPolicy(tr, "org-alarms")
	require.Len(t, topic.Statement, 2)
	assert.Equal(t, Values{"arn:aws:sns:us-east-1:111122223333:org-alarms"}, topic.Statement[0].Resource)
	assert.Equal(t, Conditions{
		"StringEquals": {"aws:SourceAccount": {"111122223333"}},
		"ArnLike":      {"aws:SourceArn": {"arn:aws:cloudwatch:us-east-1:111122223333:alarm:*"}},
	}, topic.Statement[0].Condition, "the topic policy decides who publishes, with the documented conditions")
	assert.Equal(t, Deny, topic.Statement[1].Effect)

	doc, err = MonitoringKeyPolicy(MonitoringKeyPolicyProps{Trail: tr, LogGroupName: "cloudtrail/org"})
	require.NoError(t, err)
	for _, s := range doc.Statement {
		assert.NotEqual(t, SidAlarmsUseKey, s.Sid, "no alarms, no CloudWatch grant")
	}
}

// TestLabeled: the documents' Ids are neutral, and Labeled prefixes an
// app's label without touching the statements.
func TestLabeled(t *testing.T) {
	doc, err := KeyPolicy(KeyPolicyProps{KeyAccount: "111111111111", Trail: Trail{Partition: "aws", Region: "us-east-1", Account: "111111111111", Name: "audit"}})
	require.NoError(t, err)
	assert.Equal(t, "key-policy", doc.ID)
	labeled := doc.Labeled("acme-audit")
	assert.Equal(t, "acme-audit-key-policy", labeled.ID)
	assert.Equal(t, "key-policy", doc.ID, "the receiver is a copy")
	assert.Equal(t, doc.Statement, labeled.Statement)
	assert.Equal(t, doc, doc.Labeled(""), "no label, no change")
	assert.Equal(t, Document{Version: Version}, Document{Version: Version}.Labeled("acme-audit"), "no Id, none added")
}

// docs/aws-rules.md#only-the-trail-writes: during a cutover the old trail
// delivers too, with statements of its own on its own aws:SourceArn, and
// the deny of forged writes lists both trails.
func TestBucketPolicyAdditionalDeliveringTrails(t *testing.T) {
	const old = "arn:aws:cloudtrail:us-east-1:111111111111:trail/aws-controltower-BaselineCloudTrail"
	const other = "arn:aws:cloudtrail:eu-west-1:222222222222:trail/legacy"
	doc, err := TrailBucketPolicy(BucketPolicyProps{
		BucketName: "org-trail-logs", KeyPrefix: "new", Trail: testTrail, OrganizationID: "o-a1b2c3d4e5",
		AdditionalTrails: []DeliveringTrail{{ARN: other}, {ARN: old, KeyPrefix: "o-a1b2c3d4e5"}},
	})
	require.NoError(t, err)
	assert.Equal(t, []string{SidBucketAclCheck, SidBucketWrite, SidBucketOrganizationWrite, SidBucketAdditionalAclCheck,
		SidBucketAdditionalWritePrefix + "1", SidBucketAdditionalWritePrefix + "2",
		SidBucketDenyInsecure, SidBucketDenyRequesterPays, SidBucketDenyForgedWrites}, doc.Sids())
	// In the order of the ARNs, whatever the order given.
	assert.Equal(t, Conditions{"StringEquals": {"aws:SourceArn": {other, old}}}, statement(t, doc, SidBucketAdditionalAclCheck).Condition)
	first := statement(t, doc, SidBucketAdditionalWritePrefix+"1")
	assert.Equal(t, Values{"arn:aws:s3:::org-trail-logs/AWSLogs/222222222222/*"}, first.Resource,
		"a trail of another account than the management account is no organization trail (docs/aws-rules.md#trail-owner): its owner's path only")
	assert.Equal(t, Conditions{"StringEquals": {"s3:x-amz-acl": {"bucket-owner-full-control"}, "aws:SourceArn": {other}}}, first.Condition)
	second := statement(t, doc, SidBucketAdditionalWritePrefix+"2")
	assert.Equal(t, Values{"arn:aws:s3:::org-trail-logs/o-a1b2c3d4e5/AWSLogs/111111111111/*", "arn:aws:s3:::org-trail-logs/o-a1b2c3d4e5/AWSLogs/o-a1b2c3d4e5/*"}, second.Resource, "the old trail's own key prefix")
	assert.Equal(t, Conditions{"StringEquals": {"s3:x-amz-acl": {"bucket-owner-full-control"}, "aws:SourceArn": {old}}}, second.Condition)
	assert.Equal(t, Conditions{"ArnNotEquals": {"aws:SourceArn": {testTrailArn, other, old}}}, statement(t, doc, SidBucketDenyForgedWrites).Condition)
	assert.Equal(t, Conditions{"StringEquals": {"aws:SourceArn": {testTrailArn}}}, statement(t, doc, SidBucketAclCheck).Condition, "the trail's own statements are unchanged")

	without, err := TrailBucketPolicy(BucketPolicyProps{BucketName: "org-trail-logs", KeyPrefix: "new", Trail: testTrail, OrganizationID: "o-a1b2c3d4e5"})
	require.NoError(t, err)
	assert.NotContains(t, without.Sids(), SidBucketAdditionalAclCheck)
	assert.Equal(t, Conditions{"ArnNotEquals": {"aws:SourceArn": {testTrailArn}}}, statement(t, without, SidBucketDenyForgedWrites).Condition)
}

func TestBucketPolicyAdditionalDeliveringTrailErrors(t *testing.T) {
	_, err := TrailBucketPolicy(BucketPolicyProps{BucketName: "trail-logs", Trail: testTrail, AdditionalTrails: []DeliveringTrail{
		{ARN: testTrailArn},
		{ARN: "arn:aws:cloudtrail:us-east-1:111111111111:trail/*"},
		{ARN: "arn:aws-cn:cloudtrail:cn-north-1:111111111111:trail/old"},
		{ARN: "arn:aws:cloudtrail:us-east-1:111111111111:trail/old", KeyPrefix: "a/*"},
		{ARN: "arn:aws:cloudtrail:us-east-1:111111111111:trail/old"},
		{ARN: "arn:aws:s3:::bucket"},
	}})
	require.Error(t, err)
	msg := err.Error()
	assert.Contains(t, msg, `BucketPolicyProps.AdditionalTrails[0].ARN: is the bucket's own trail, which delivers already`)
	assert.Contains(t, msg, `BucketPolicyProps.AdditionalTrails[1].ARN: must be a trail ARN`)
	assert.Contains(t, msg, `BucketPolicyProps.AdditionalTrails[2].ARN: must be in partition "aws", the partition of the home region`)
	assert.Contains(t, msg, `BucketPolicyProps.AdditionalTrails[3].KeyPrefix: key prefixes may contain only`)
	assert.Contains(t, msg, `BucketPolicyProps.AdditionalTrails[4].ARN: repeats BucketPolicyProps.AdditionalTrails[3]`)
	assert.Contains(t, msg, `BucketPolicyProps.AdditionalTrails[5].ARN: must be a trail ARN`)
}
