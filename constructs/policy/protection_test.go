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
			return RecoveryBucketPolicy(RecoveryBucketPolicyProps{Partition: "aws", BucketName: "trail-logs", Protection: p})
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
				"s3:DeleteBucketPolicy", "s3:PutBucketObjectLockConfiguration", "s3:PutBucketPolicy",
				"s3:PutBucketVersioning", "s3:PutLifecycleConfiguration",
			}, ch.Action)
			assert.Equal(t, Values{"arn:aws:s3:::trail-logs"}, ch.Resource)
			assert.Equal(t, Conditions{"ArnNotEquals": {"aws:PrincipalArn": {
				"arn:aws:iam::222222222222:role/BreakGlass", "arn:aws:iam::222222222222:role/Deployer", "arn:aws:iam::222222222222:root",
			}}}, ch.Condition)
		})
	}
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
