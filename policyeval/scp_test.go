package policyeval

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
)

// ctx builds a request context from key, value pairs.
func ctx(kv ...string) map[string][]string {
	m := map[string][]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = append(m[kv[i]], kv[i+1])
	}
	return m
}

// The cases follow the IAM User Guide, "Policy evaluation logic", and the
// Organizations User Guide, "SCP evaluation" and "Service control policies
// (SCPs)": an SCP allow is needed at every level, an SCP deny wins, and SCPs
// govern neither the management account, nor service principals, nor
// service-linked roles.
func TestServiceControlPolicies(t *testing.T) {
	const mgmt = "999988887777"
	member := Principal{ARN: "arn:aws:iam::" + acctA + ":role/Admin"}
	put := Request{Principal: member, Action: "s3:PutBucketPolicy", Resource: "arn:aws:s3:::b", Context: ctx("aws:PrincipalArn", member.ARN)}
	denyPut := policy.Document{Version: policy.Version, Statement: []policy.Statement{{
		Sid: "DenyPut", Effect: policy.Deny, Action: policy.Values{"s3:PutBucketPolicy"}, Resource: policy.Values{"arn:aws:s3:::b"},
		Condition: policy.Conditions{}.Add("ArnNotLike", "aws:PrincipalArn", "arn:aws:iam::"+acctA+":role/Deployer"),
	}}}
	onlyGet := policy.Document{Version: policy.Version, Statement: []policy.Statement{{
		Sid: "OnlyGet", Effect: policy.Allow, Action: policy.Values{"s3:GetObject"}, Resource: policy.Values{"*"},
	}}}
	scps := func(levels ...[]policy.Document) *ServiceControlPolicies {
		return &ServiceControlPolicies{ManagementAccount: mgmt, Levels: levels}
	}
	full := []policy.Document{FullAWSAccess}
	guarded := []policy.Document{FullAWSAccess, denyPut}
	base := Policies{ResourceAccount: acctA, Identity: []policy.Document{AllowAll}}
	with := func(s *ServiceControlPolicies) Policies { p := base; p.SCPs = s; return p }

	assert.Equal(t, Allow, decide(t, put, base), "no SCP: the identity policy decides")
	assert.Equal(t, Allow, decide(t, put, with(scps(full, full))), "FullAWSAccess at every level")
	assert.Equal(t, ExplicitDeny, decide(t, put, with(scps(full, guarded))), "an SCP deny wins over the identity allow")
	assert.Equal(t, ImplicitDeny, decide(t, put, with(scps(full, []policy.Document{onlyGet}))), "an SCP that does not allow the action at one level")
	assert.Equal(t, ImplicitDeny, decide(t, put, with(scps([]policy.Document{onlyGet}, full))), "the root level too")
	assert.Equal(t, ImplicitDeny, decide(t, put, Policies{ResourceAccount: acctA, SCPs: scps(full)}), "an SCP allow grants nothing by itself")

	deployer := Principal{ARN: "arn:aws:sts::" + acctA + ":assumed-role/Deployer/s"}
	dput := Request{Principal: deployer, Action: "s3:PutBucketPolicy", Resource: "arn:aws:s3:::b", Context: ctx("aws:PrincipalArn", "arn:aws:iam::"+acctA+":role/Deployer")}
	assert.Equal(t, Allow, decide(t, dput, with(scps(full, guarded))), "a session of the exempt role")

	mgmtAdmin := Principal{ARN: "arn:aws:iam::" + mgmt + ":role/Admin"}
	mput := Request{Principal: mgmtAdmin, Action: "s3:PutBucketPolicy", Resource: "arn:aws:s3:::b", Context: ctx("aws:PrincipalArn", mgmtAdmin.ARN)}
	assert.Equal(t, Allow, decide(t, mput, Policies{ResourceAccount: mgmt, Identity: []policy.Document{AllowAll}, SCPs: scps(full, guarded)}), "the management account is not governed")

	slr := Principal{ARN: "arn:aws:iam::" + acctA + ":role/aws-service-role/s3.amazonaws.com/AWSServiceRoleForX"}
	sput := Request{Principal: slr, Action: "s3:PutBucketPolicy", Resource: "arn:aws:s3:::b", Context: ctx("aws:PrincipalArn", slr.ARN)}
	assert.Equal(t, Allow, decide(t, sput, with(scps(full, guarded))), "service-linked roles are not governed")

	bucketAllowsCT := doc(allow(policy.ServicePrincipal("cloudtrail.amazonaws.com"), "s3:PutBucketPolicy", "arn:aws:s3:::b"))
	cput := Request{Principal: trail, Action: "s3:PutBucketPolicy", Resource: "arn:aws:s3:::b"}
	assert.Equal(t, Allow, decide(t, cput, Policies{Resource: bucketAllowsCT, ResourceAccount: acctA, SCPs: scps(full, guarded)}), "service principals are not governed")

	bare := Request{Principal: deployer, Action: "s3:PutBucketPolicy", Resource: "arn:aws:s3:::b"}
	assert.Equal(t, Allow, decide(t, bare, with(scps(full, guarded))), "a session without aws:PrincipalArn in the request gets its role's, as AWS adds it")

	denyingBucket := doc(policy.Statement{Sid: "D", Effect: policy.Deny, Principal: policy.AnyPrincipal, Action: policy.Values{"s3:*"}, Resource: policy.Values{"*"}})
	p := with(scps(full, []policy.Document{onlyGet}))
	p.Resource = denyingBucket
	assert.Equal(t, ExplicitDeny, decide(t, put, p), "an explicit deny elsewhere is reported as such")
}
