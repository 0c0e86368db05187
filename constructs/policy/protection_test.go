package policy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProtectionDeniesDeletionToEveryoneWithoutBreakGlass(t *testing.T) {
	doc, err := TrailBucketPolicy(BucketPolicyProps{BucketName: "trail-logs", Trail: testTrail, Protection: &Protection{}})
	require.NoError(t, err)
	del := statement(t, doc, SidDenyLogDeletion)
	assert.Equal(t, Deny, del.Effect)
	assert.Equal(t, AnyPrincipal, del.Principal)
	assert.Equal(t, Values{"s3:BypassGovernanceRetention", "s3:DeleteObject", "s3:DeleteObjectVersion"}, del.Action)
	assert.Equal(t, Values{"arn:aws:s3:::trail-logs/*"}, del.Resource)
	assert.Nil(t, del.Condition, "no break-glass principal: nobody is exempt")
	_, ok := doc.StatementBySid(SidDenyProtectionChanges)
	assert.False(t, ok, "without a deploying role, protection changes are not denied")
}

func TestProtectionExemptsBreakGlassAndDeployer(t *testing.T) {
	p := &Protection{
		BreakGlass: []string{"arn:aws:iam::222222222222:role/BreakGlass", "arn:aws:iam::222222222222:root"},
		Deployer:   "arn:aws:iam::222222222222:role/Deployer",
	}
	for name, build := range map[string]func() (Document, error){
		"trail bucket": func() (Document, error) {
			return TrailBucketPolicy(BucketPolicyProps{BucketName: "trail-logs", Trail: testTrail, Protection: p})
		},
		"recovery bucket": func() (Document, error) {
			return RecoveryBucketPolicy(RecoveryBucketPolicyProps{Partition: "aws", BucketName: "trail-logs", Protection: p, ReplicationRoleARN: "arn:aws:iam::111111111111:role/replication"})
		},
		// The access logs record who wrote what into the trail bucket: the
		// same denies, from the same code.
		"access-log bucket": func() (Document, error) {
			return AccessLogBucketPolicy(AccessLogBucketPolicyProps{Partition: "aws", BucketName: "trail-logs", Account: "222222222222", SourceBuckets: []string{"the-trail-bucket"}, Protection: p})
		},
	} {
		t.Run(name, func(t *testing.T) {
			doc, err := build()
			require.NoError(t, err)
			del := statement(t, doc, SidDenyLogDeletion)
			assert.Equal(t, Conditions{"ArnNotEquals": {"aws:PrincipalArn": {
				"arn:aws:iam::222222222222:role/BreakGlass", "arn:aws:iam::222222222222:root",
			}}}, del.Condition, "the deploying role may not delete logs")
			ch := statement(t, doc, SidDenyProtectionChanges)
			assert.Equal(t, Deny, ch.Effect)
			assert.Equal(t, AnyPrincipal, ch.Principal)
			assert.Equal(t, Values{
				"s3:DeleteBucket", "s3:DeleteBucketPolicy", "s3:PutBucketAcl", "s3:PutBucketLogging",
				"s3:PutBucketObjectLockConfiguration", "s3:PutBucketOwnershipControls", "s3:PutBucketPolicy",
				"s3:PutBucketPublicAccessBlock", "s3:PutBucketVersioning", "s3:PutEncryptionConfiguration",
				"s3:PutLifecycleConfiguration", "s3:PutReplicationConfiguration",
			}, ch.Action, "lifecycle, lock, versioning, policy, and what stops replication or access logging")
			assert.Equal(t, Values{"arn:aws:s3:::trail-logs"}, ch.Resource)
			assert.Equal(t, Conditions{"ArnNotEquals": {"aws:PrincipalArn": {
				"arn:aws:iam::222222222222:role/BreakGlass", "arn:aws:iam::222222222222:role/Deployer", "arn:aws:iam::222222222222:root",
			}}}, ch.Condition)
		})
	}
}

// The access-log bucket's denies leave the logging service's delivery
// alone, and a bucket built without a Protection has none.
func TestAccessLogBucketProtection(t *testing.T) {
	props := AccessLogBucketPolicyProps{Partition: "aws", BucketName: "trail-logs-access", Account: "222222222222", SourceBuckets: []string{"trail-logs"}}
	doc, err := AccessLogBucketPolicy(props)
	require.NoError(t, err)
	assert.Equal(t, []string{SidAccessLogsWrite, SidBucketDenyInsecure, SidBucketDenyRequesterPays}, doc.Sids())

	props.Protection = &Protection{Deployer: "arn:aws:iam::222222222222:role/Deployer"}
	doc, err = AccessLogBucketPolicy(props)
	require.NoError(t, err)
	assert.Equal(t, []string{SidAccessLogsWrite, SidBucketDenyInsecure, SidBucketDenyRequesterPays, SidDenyLogDeletion, SidDenyProtectionChanges}, doc.Sids())
	for _, sid := range []string{SidDenyLogDeletion, SidDenyProtectionChanges} {
		assert.NotContains(t, statement(t, doc, sid).Action, "s3:PutObject", "S3 server access logging delivers with s3:PutObject")
	}
	assert.Equal(t, Values{"arn:aws:s3:::trail-logs-access/*"}, statement(t, doc, SidDenyLogDeletion).Resource)

	props.Protection = &Protection{BreakGlass: []string{"arn:aws:iam::222222222222:group/Admins"}}
	_, err = AccessLogBucketPolicy(props)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "AccessLogBucketPolicyProps.Protection.BreakGlass[0]: must be an IAM principal ARN")
}

func TestProtectionRefusesBadARNs(t *testing.T) {
	_, err := TrailBucketPolicy(BucketPolicyProps{BucketName: "trail-logs", Trail: testTrail, Protection: &Protection{
		BreakGlass: []string{"arn:aws:iam::222222222222:group/Admins"},
		Deployer:   "arn:aws:iam::222222222222:user/deployer",
	}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "BucketPolicyProps.Protection.BreakGlass[0]: must be an IAM principal ARN")
	assert.Contains(t, err.Error(), "BucketPolicyProps.Protection.Deployer: ")
}

func TestKeyDestructionDeny(t *testing.T) {
	trail := Trail{Partition: "aws", Region: "us-east-1", Account: "111111111111", Name: "audit-trail"}
	props := KeyPolicyProps{KeyAccount: "222222222222", Trail: trail,
		Administrators: []string{"arn:aws:iam::222222222222:role/KeyAdmin"},
		Protection:     &Protection{Deployer: "arn:aws:iam::222222222222:role/Deployer", BreakGlass: []string{"arn:aws:iam::222222222222:role/BreakGlass"}}}
	doc, err := KeyPolicy(props)
	require.NoError(t, err)
	deny := statement(t, doc, SidDenyKeyDestruction)
	assert.Equal(t, Deny, deny.Effect)
	assert.Equal(t, AnyPrincipal, deny.Principal)
	assert.Equal(t, KeyDestructionActions, deny.Action)
	assert.Subset(t, deny.Action, Values{"kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy", "kms:CreateGrant", "kms:ReplicateKey"})
	assert.Equal(t, Conditions{"ArnNotEquals": {"aws:PrincipalArn": {
		"arn:aws:iam::222222222222:role/BreakGlass", "arn:aws:iam::222222222222:role/Deployer", "arn:aws:iam::222222222222:role/KeyAdmin",
	}}}, deny.Condition, "the deploying role must stay able to set the policy (KMS lockout safety check)")

	// Without a deploying role nobody could be left able to change the
	// policy: no deny.
	props.Protection = &Protection{BreakGlass: props.Protection.BreakGlass}
	doc, err = KeyPolicy(props)
	require.NoError(t, err)
	_, ok := doc.StatementBySid(SidDenyKeyDestruction)
	assert.False(t, ok)
}

func TestReadersDecryptTrailBucketWithS3Context(t *testing.T) {
	trail := Trail{Partition: "aws", Region: "us-east-1", Account: "111111111111", Name: "audit-trail"}
	props := KeyPolicyProps{KeyAccount: "222222222222", Trail: trail, Readers: []string{"333333333333"}, TrailBucket: "trail-logs"}
	doc, err := KeyPolicy(props)
	require.NoError(t, err)
	st := statement(t, doc, SidLogReadersDecryptTrailBucket)
	assert.Equal(t, Values{"kms:Decrypt"}, st.Action)
	assert.Equal(t, Conditions{
		"StringEquals": {"kms:CallerAccount": {"333333333333"}, "kms:ViaService": {"s3.us-east-1.amazonaws.com"}},
		"StringLike":   {"kms:EncryptionContext:aws:s3:arn": {"arn:aws:s3:::trail-logs", "arn:aws:s3:::trail-logs/*"}},
	}, st.Condition)
	// Only on the copy in the bucket's region.
	props.Region = "us-west-2"
	doc, err = KeyPolicy(props)
	require.NoError(t, err)
	_, ok := doc.StatementBySid(SidLogReadersDecryptTrailBucket)
	assert.False(t, ok)
}
