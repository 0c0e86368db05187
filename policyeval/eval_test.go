package policyeval

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
)

const (
	acctA = "111122223333"
	acctB = "444455556666"
)

var (
	alice   = Principal{ARN: "arn:aws:iam::" + acctA + ":user/alice"}
	roleA   = Principal{ARN: "arn:aws:iam::" + acctA + ":role/Reader"}
	foreign = Principal{ARN: "arn:aws:iam::" + acctB + ":role/Intruder"}
	trail   = Principal{Service: "cloudtrail.amazonaws.com"}
)

func doc(stmts ...policy.Statement) *policy.Document {
	return &policy.Document{Version: policy.Version, Statement: stmts}
}

func allow(p policy.Principal, action, resource string) policy.Statement {
	return policy.Statement{Sid: "S" + action, Effect: policy.Allow, Principal: p, Action: policy.Values{action}, Resource: policy.Values{resource}}
}

func decide(t *testing.T, req Request, ps Policies) Decision {
	t.Helper()
	d, err := Evaluate(req, ps)
	require.NoError(t, err)
	return d
}

// The cases follow the IAM user guide, "Policy evaluation logic" and
// "Cross-account policy evaluation logic", and the KMS developer guide,
// "Key policies": explicit deny wins, then an allow, else implicit deny.
func TestEvaluationOrder(t *testing.T) {
	get := Request{Principal: alice, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}
	bucketAllowsAlice := doc(allow(policy.AWSPrincipals(alice.ARN), "s3:GetObject", "arn:aws:s3:::b/*"))
	identityAllows := policy.Document{Version: policy.Version, Statement: []policy.Statement{{Sid: "I", Effect: policy.Allow, Action: policy.Values{"s3:*"}, Resource: policy.Values{"*"}}}}
	identityDenies := policy.Document{Version: policy.Version, Statement: []policy.Statement{{Sid: "D", Effect: policy.Deny, Action: policy.Values{"s3:GetObject"}, Resource: policy.Values{"*"}}}}

	assert.Equal(t, ImplicitDeny, decide(t, get, Policies{ResourceAccount: acctA}), "nothing allows")
	assert.Equal(t, Allow, decide(t, get, Policies{Resource: bucketAllowsAlice, ResourceAccount: acctA}), "same account: the resource policy alone")
	assert.Equal(t, Allow, decide(t, get, Policies{ResourceAccount: acctA, Identity: []policy.Document{identityAllows}}), "same account: the identity policy alone")
	assert.Equal(t, ExplicitDeny, decide(t, get, Policies{Resource: bucketAllowsAlice, ResourceAccount: acctA, Identity: []policy.Document{identityDenies}}), "an explicit deny wins")

	denyAll := doc(policy.Statement{Sid: "Deny", Effect: policy.Deny, Principal: policy.AnyPrincipal, Action: policy.Values{"s3:*"}, Resource: policy.Values{"*"}})
	assert.Equal(t, ExplicitDeny, decide(t, get, Policies{Resource: denyAll, ResourceAccount: acctA, Identity: []policy.Document{identityAllows}}))

	// Cross-account: both sides.
	fget := get
	fget.Principal = foreign
	bucketAllowsB := doc(allow(policy.AWSPrincipals("arn:aws:iam::"+acctB+":root"), "s3:GetObject", "arn:aws:s3:::b/*"))
	assert.Equal(t, ImplicitDeny, decide(t, fget, Policies{Resource: bucketAllowsB, ResourceAccount: acctA}), "resource policy alone is not enough across accounts")
	assert.Equal(t, ImplicitDeny, decide(t, fget, Policies{ResourceAccount: acctA, Identity: []policy.Document{identityAllows}}), "identity policy alone is not enough across accounts")
	assert.Equal(t, Allow, decide(t, fget, Policies{Resource: bucketAllowsB, ResourceAccount: acctA, Identity: []policy.Document{identityAllows}}))
	bareAccount := doc(allow(policy.AWSPrincipals(acctB), "s3:GetObject", "arn:aws:s3:::b/*"))
	assert.Equal(t, Allow, decide(t, fget, Policies{Resource: bareAccount, ResourceAccount: acctA, Identity: []policy.Document{AllowAll}}), "a bare account id means the account")

	// Anonymous and services have no identity policies.
	anon := get
	anon.Principal = Anonymous
	public := doc(allow(policy.AnyPrincipal, "s3:GetObject", "arn:aws:s3:::b/*"))
	assert.Equal(t, Allow, decide(t, anon, Policies{Resource: public, ResourceAccount: acctA}))
	assert.Equal(t, ImplicitDeny, decide(t, anon, Policies{Resource: bucketAllowsAlice, ResourceAccount: acctA}))
	awsStar := doc(allow(policy.AWSPrincipals("*"), "s3:GetObject", "arn:aws:s3:::b/*"))
	assert.Equal(t, Allow, decide(t, anon, Policies{Resource: awsStar, ResourceAccount: acctA}), `{"AWS": "*"} is everyone`)
	put := Request{Principal: trail, Action: "s3:PutObject", Resource: "arn:aws:s3:::b/AWSLogs/1/x"}
	assert.Equal(t, Allow, decide(t, put, Policies{Resource: doc(allow(policy.ServicePrincipal("cloudtrail.amazonaws.com"), "s3:PutObject", "arn:aws:s3:::b/AWSLogs/*")), ResourceAccount: acctA}))
	assert.Equal(t, ImplicitDeny, decide(t, put, Policies{Resource: doc(allow(policy.ServicePrincipal("config.amazonaws.com"), "s3:PutObject", "*")), ResourceAccount: acctA}))
}

func TestKMSKeyPolicyDelegation(t *testing.T) {
	decrypt := Request{Principal: roleA, Action: "kms:Decrypt", Resource: "*"}
	rootOnly := doc(allow(policy.AWSPrincipals("arn:aws:iam::"+acctA+":root"), "kms:*", "*"))
	iam := policy.Document{Version: policy.Version, Statement: []policy.Statement{{Sid: "I", Effect: policy.Allow, Action: policy.Values{"kms:Decrypt"}, Resource: policy.Values{"*"}}}}
	assert.Equal(t, ImplicitDeny, decide(t, decrypt, Policies{Resource: rootOnly, ResourceAccount: acctA, KeyPolicy: true}), "the root statement only delegates to IAM")
	assert.Equal(t, Allow, decide(t, decrypt, Policies{Resource: rootOnly, ResourceAccount: acctA, KeyPolicy: true, Identity: []policy.Document{iam}}))
	assert.Equal(t, ImplicitDeny, decide(t, decrypt, Policies{ResourceAccount: acctA, KeyPolicy: true, Identity: []policy.Document{iam}}), "IAM alone never grants a KMS key")
	direct := doc(allow(policy.AWSPrincipals(roleA.ARN), "kms:Decrypt", "*"))
	assert.Equal(t, Allow, decide(t, decrypt, Policies{Resource: direct, ResourceAccount: acctA, KeyPolicy: true}), "a key policy naming the role grants it")
	fdec := decrypt
	fdec.Principal = foreign
	assert.Equal(t, ImplicitDeny, decide(t, fdec, Policies{Resource: doc(allow(policy.AWSPrincipals(foreign.ARN), "kms:Decrypt", "*")), ResourceAccount: acctA, KeyPolicy: true}), "cross-account also needs the caller's IAM policy")
	assert.Equal(t, Allow, decide(t, fdec, Policies{Resource: doc(allow(policy.AWSPrincipals(foreign.ARN), "kms:Decrypt", "*")), ResourceAccount: acctA, KeyPolicy: true, Identity: []policy.Document{AllowAll}}))
}

func TestActionAndResourceMatching(t *testing.T) {
	p := doc(allow(policy.AWSPrincipals(alice.ARN), "s3:Get*", "arn:aws:s3:::logs/AWSLogs/?/*"))
	ps := Policies{Resource: p, ResourceAccount: acctA}
	assert.Equal(t, Allow, decide(t, Request{Principal: alice, Action: "S3:GETOBJECT", Resource: "arn:aws:s3:::logs/AWSLogs/1/x"}, ps), "actions are case-insensitive")
	assert.Equal(t, ImplicitDeny, decide(t, Request{Principal: alice, Action: "s3:GetObject", Resource: "arn:aws:s3:::LOGS/AWSLogs/1/x"}, ps), "resources are case-sensitive")
	assert.Equal(t, ImplicitDeny, decide(t, Request{Principal: alice, Action: "s3:GetObject", Resource: "arn:aws:s3:::logs/AWSLogs/12/x"}, ps), "? is one character")
	assert.Equal(t, ImplicitDeny, decide(t, Request{Principal: alice, Action: "s3:PutObject", Resource: "arn:aws:s3:::logs/AWSLogs/1/x"}, ps))
}

func cond(c policy.Conditions) *policy.Document {
	s := allow(policy.AnyPrincipal, "s3:GetObject", "*")
	s.Condition = c
	return doc(s)
}

func TestConditionOperators(t *testing.T) {
	req := func(ctx map[string][]string) Request {
		return Request{Principal: Anonymous, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: ctx}
	}
	cases := []struct {
		name string
		c    policy.Conditions
		ctx  map[string][]string
		want Decision
	}{
		{"StringEquals match", policy.Conditions{}.Add("StringEquals", "aws:SourceAccount", acctA, acctB), map[string][]string{"aws:SourceAccount": {acctB}}, Allow},
		{"StringEquals is case-sensitive", policy.Conditions{}.Add("StringEquals", "s3:x-amz-acl", "bucket-owner-full-control"), map[string][]string{"s3:x-amz-acl": {"BUCKET-owner-full-control"}}, ImplicitDeny},
		{"key names are case-insensitive", policy.Conditions{}.Add("StringEquals", "aws:SourceAccount", acctA), map[string][]string{"AWS:SOURCEACCOUNT": {acctA}}, Allow},
		{"missing key", policy.Conditions{}.Add("StringEquals", "aws:SourceAccount", acctA), nil, ImplicitDeny},
		{"StringEqualsIgnoreCase", policy.Conditions{}.Add("StringEqualsIgnoreCase", "k", "ABC"), map[string][]string{"k": {"abc"}}, Allow},
		{"StringNotEquals", policy.Conditions{}.Add("StringNotEquals", "k", "a"), map[string][]string{"k": {"b"}}, Allow},
		{"StringNotEquals missing key", policy.Conditions{}.Add("StringNotEquals", "k", "a"), nil, Allow},
		{"StringLike wildcard", policy.Conditions{}.Add("StringLike", "kms:EncryptionContext:aws:cloudtrail:arn", "arn:aws:cloudtrail:*:"+acctA+":trail/*"), map[string][]string{"kms:EncryptionContext:aws:cloudtrail:arn": {"arn:aws:cloudtrail:eu-west-1:" + acctA + ":trail/t"}}, Allow},
		{"StringLike other account", policy.Conditions{}.Add("StringLike", "kms:EncryptionContext:aws:cloudtrail:arn", "arn:aws:cloudtrail:*:"+acctA+":trail/*"), map[string][]string{"kms:EncryptionContext:aws:cloudtrail:arn": {"arn:aws:cloudtrail:eu-west-1:" + acctB + ":trail/t"}}, ImplicitDeny},
		{"StringNotLike", policy.Conditions{}.Add("StringNotLike", "k", "a*"), map[string][]string{"k": {"ab"}}, ImplicitDeny},
		{"ArnLike per component", policy.Conditions{}.Add("ArnLike", "aws:SourceArn", "arn:aws:s3:::trail-*"), map[string][]string{"aws:SourceArn": {"arn:aws:s3:::trail-logs"}}, Allow},
		{"ArnEquals exact", policy.Conditions{}.Add("ArnEquals", "aws:SourceArn", "arn:aws:logs:us-east-1:"+acctA+":log-group:g"), map[string][]string{"aws:SourceArn": {"arn:aws:logs:us-east-1:" + acctA + ":log-group:g2"}}, ImplicitDeny},
		{"ArnNotLike", policy.Conditions{}.Add("ArnNotLike", "aws:SourceArn", "arn:aws:s3:::x"), map[string][]string{"aws:SourceArn": {"arn:aws:s3:::y"}}, Allow},
		{"Bool", policy.Conditions{}.Add("Bool", "aws:SecureTransport", "true"), map[string][]string{"aws:SecureTransport": {"true"}}, Allow},
		{"Bool false", policy.Conditions{}.Add("Bool", "aws:SecureTransport", "true"), map[string][]string{"aws:SecureTransport": {"false"}}, ImplicitDeny},
		{"BoolIfExists missing", policy.Conditions{}.Add("BoolIfExists", "aws:MultiFactorAuthPresent", "true"), nil, Allow},
		{"StringEqualsIfExists present", policy.Conditions{}.Add("StringEqualsIfExists", "k", "a"), map[string][]string{"k": {"b"}}, ImplicitDeny},
		{"Null true on missing key", policy.Conditions{}.Add("Null", "k", "true"), nil, Allow},
		{"Null false on present key", policy.Conditions{}.Add("Null", "k", "false"), map[string][]string{"k": {"x"}}, Allow},
		{"Null false on missing key", policy.Conditions{}.Add("Null", "k", "false"), nil, ImplicitDeny},
		{"NumericLessThan", policy.Conditions{}.Add("NumericLessThan", "s3:max-keys", "10"), map[string][]string{"s3:max-keys": {"5"}}, Allow},
		{"NumericGreaterThanEquals", policy.Conditions{}.Add("NumericGreaterThanEquals", "n", "10"), map[string][]string{"n": {"5"}}, ImplicitDeny},
		{"NumericNotEquals", policy.Conditions{}.Add("NumericNotEquals", "n", "10"), map[string][]string{"n": {"5"}}, Allow},
		{"ForAnyValue", policy.Conditions{}.Add("ForAnyValue:StringEquals", "aws:TagKeys", "team"), map[string][]string{"aws:TagKeys": {"owner", "team"}}, Allow},
		{"ForAnyValue missing", policy.Conditions{}.Add("ForAnyValue:StringEquals", "aws:TagKeys", "team"), nil, ImplicitDeny},
		{"ForAllValues", policy.Conditions{}.Add("ForAllValues:StringEquals", "aws:TagKeys", "team", "owner"), map[string][]string{"aws:TagKeys": {"owner", "team"}}, Allow},
		{"ForAllValues one outside", policy.Conditions{}.Add("ForAllValues:StringEquals", "aws:TagKeys", "team"), map[string][]string{"aws:TagKeys": {"owner", "team"}}, ImplicitDeny},
		{"ForAllValues missing is true", policy.Conditions{}.Add("ForAllValues:StringEquals", "aws:TagKeys", "team"), nil, Allow},
		{"operators AND", policy.Conditions{}.Add("StringEquals", "a", "1").Add("StringLike", "b", "2*"), map[string][]string{"a": {"1"}, "b": {"3"}}, ImplicitDeny},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, decide(t, req(tc.ctx), Policies{Resource: cond(tc.c), ResourceAccount: acctA}))
		})
	}
}

func TestUnsupportedIsAnError(t *testing.T) {
	req := Request{Principal: Anonymous, Action: "s3:GetObject", Resource: "*", Context: map[string][]string{"k": {"v"}}}
	for name, c := range map[string]policy.Conditions{
		"unknown operator":  policy.Conditions{}.Add("DateLessThan", "aws:CurrentTime", "2020-01-01T00:00:00Z"),
		"policy variable":   policy.Conditions{}.Add("StringEquals", "k", "${aws:username}"),
		"bad Bool":          policy.Conditions{}.Add("Bool", "k", "yes"),
		"multi-valued key":  policy.Conditions{}.Add("StringEquals", "m", "a"),
		"Null with IfExist": policy.Conditions{}.Add("NullIfExists", "k", "true"),
	} {
		t.Run(name, func(t *testing.T) {
			r := req
			r.Context = map[string][]string{"k": {"v"}, "m": {"a", "b"}}
			_, err := Evaluate(r, Policies{Resource: cond(c), ResourceAccount: acctA})
			assert.Error(t, err)
		})
	}
	_, err := Evaluate(req, Policies{Resource: doc(policy.Statement{Sid: "NoAction", Effect: policy.Allow, Principal: policy.AnyPrincipal, Resource: policy.Values{"*"}})})
	assert.ErrorContains(t, err, "no Action")
	_, err = Evaluate(req, Policies{Resource: doc(policy.Statement{Sid: "NoResource", Effect: policy.Allow, Principal: policy.AnyPrincipal, Action: policy.Values{"s3:*"}})})
	assert.ErrorContains(t, err, "no Resource")
	_, err = Evaluate(Request{Principal: alice, Action: "s3:GetObject", Resource: "*"}, Policies{Identity: []policy.Document{*doc(allow(policy.AnyPrincipal, "s3:*", "*"))}})
	assert.ErrorContains(t, err, "must not name a principal")
}

// IAM user guide, "How AWS enforcement code logic evaluates requests to allow
// or deny access": role trust policies, like KMS key policies, must
// explicitly allow the caller, also in the same account.
func TestRoleTrustPolicyMustNameTheCaller(t *testing.T) {
	assume := Request{Principal: roleA, Action: "sts:AssumeRole", Resource: "arn:aws:iam::" + acctA + ":role/Target"}
	identity := policy.Document{Version: policy.Version, Statement: []policy.Statement{{Sid: "I", Effect: policy.Allow, Action: policy.Values{"sts:AssumeRole"}, Resource: policy.Values{"*"}}}}
	s3Only := doc(policy.Statement{Sid: "S3", Effect: policy.Allow, Principal: policy.ServicePrincipal("s3.amazonaws.com"), Action: policy.Values{"sts:AssumeRole"}})
	assert.Equal(t, ImplicitDeny, decide(t, assume, Policies{Resource: s3Only, ResourceAccount: acctA, Identity: []policy.Document{identity}}),
		"a same-account identity policy alone does not let anyone assume a role")
	trustsAccount := doc(policy.Statement{Sid: "Acct", Effect: policy.Allow, Principal: policy.AWSPrincipals("arn:aws:iam::" + acctA + ":root"), Action: policy.Values{"sts:AssumeRole"}})
	assert.Equal(t, ImplicitDeny, decide(t, assume, Policies{Resource: trustsAccount, ResourceAccount: acctA}), "a trust naming the account delegates to IAM")
	assert.Equal(t, Allow, decide(t, assume, Policies{Resource: trustsAccount, ResourceAccount: acctA, Identity: []policy.Document{identity}}))
	trustsRole := doc(policy.Statement{Sid: "Role", Effect: policy.Allow, Principal: policy.AWSPrincipals(roleA.ARN), Action: policy.Values{"sts:AssumeRole"}})
	assert.Equal(t, Allow, decide(t, assume, Policies{Resource: trustsRole, ResourceAccount: acctA}), "a trust naming the caller is enough in its account")
}

// IAM user guide, "AWS JSON policy elements: Principal" (IAM role
// principals): a role named in a resource policy matches its sessions.
func TestRolePrincipalMatchesItsSessions(t *testing.T) {
	bucket := doc(allow(policy.AWSPrincipals("arn:aws:iam::"+acctA+":role/team/Reader"), "s3:GetObject", "arn:aws:s3:::b/*"))
	get := func(arn string) Request {
		return Request{Principal: Principal{ARN: arn}, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}
	}
	ps := Policies{Resource: bucket, ResourceAccount: acctA}
	assert.Equal(t, Allow, decide(t, get("arn:aws:sts::"+acctA+":assumed-role/Reader/alice"), ps), "a session of the role (its ARN drops the path)")
	assert.Equal(t, ImplicitDeny, decide(t, get("arn:aws:sts::"+acctA+":assumed-role/Writer/alice"), ps), "a session of another role")
	assert.Equal(t, ImplicitDeny, decide(t, get("arn:aws:sts::"+acctB+":assumed-role/Reader/alice"), Policies{Resource: bucket, ResourceAccount: acctA, Identity: []policy.Document{AllowAll}}), "a role of the same name in another account")
	deny := doc(policy.Statement{Sid: "D", Effect: policy.Deny, Principal: policy.AWSPrincipals(roleA.ARN), Action: policy.Values{"s3:*"}, Resource: policy.Values{"*"}})
	assert.Equal(t, ExplicitDeny, decide(t, get("arn:aws:sts::"+acctA+":assumed-role/Reader/s"), Policies{Resource: deny, ResourceAccount: acctA, Identity: []policy.Document{AllowAll}}), "a deny naming the role binds its sessions")
}

func TestRootUserIsRefused(t *testing.T) {
	_, err := Evaluate(Request{Principal: Principal{ARN: "arn:aws:iam::" + acctA + ":root"}, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}, Policies{ResourceAccount: acctA, Identity: []policy.Document{AllowAll}})
	assert.ErrorContains(t, err, "root user")
}

// AWS adds aws:PrincipalArn to every request an IAM principal signs; for a
// role session it is the role's ARN.
func TestPrincipalArnIsInEveryIAMRequest(t *testing.T) {
	deny := policy.Document{Version: policy.Version, Statement: []policy.Statement{
		{Sid: "Allow", Effect: policy.Allow, Principal: policy.AnyPrincipal, Action: policy.Values{"s3:GetObject"}, Resource: policy.Values{"*"}},
		{Sid: "Deny", Effect: policy.Deny, Principal: policy.AnyPrincipal, Action: policy.Values{"s3:GetObject"}, Resource: policy.Values{"*"},
			Condition: policy.Conditions{}.Add("ArnNotEquals", "aws:PrincipalArn", "arn:aws:iam::111122223333:role/Exempt")},
	}}
	for arn, want := range map[string]Decision{
		"arn:aws:iam::111122223333:role/Exempt":                 Allow,
		"arn:aws:sts::111122223333:assumed-role/Exempt/session": Allow,
		"arn:aws:iam::111122223333:role/Other":                  ExplicitDeny,
		"arn:aws:sts::111122223333:assumed-role/Other/session":  ExplicitDeny,
	} {
		got, err := Evaluate(Request{Principal: Principal{ARN: arn}, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"},
			Policies{Resource: &deny, ResourceAccount: "111122223333"})
		require.NoError(t, err)
		assert.Equal(t, want, got, arn)
	}
}
