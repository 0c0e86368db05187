package access

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/policyeval"
)

// Expectations on the organization guardrails (guardrails.enabled). The
// service control policy is read from the synthesized management stack and
// evaluated as AWS does (see policyeval.ServiceControlPolicies) as if it
// governed the log-archive account, which holds when a target is the root,
// that account or an OU on its path: the check cannot see the
// organization's tree, and docs/guardrails.md asks for such a target. Every request
// by an IAM principal is judged with the worst case for its own policies
// (allow everything).

// guardrailActionsKey are what the issue asks the guardrails to stop on the
// key copies (schedule deletion, disable, key policy, grants), what would
// weaken them (rotation off, the primary moved, a replica of the caller's
// choosing) and what would lift the guard (changing the tag it depends on).
var guardrailActionsKey = []string{
	"kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy", "kms:CreateGrant", "kms:ReplicateKey",
	"kms:DisableKeyRotation", "kms:UpdatePrimaryRegion", "kms:TagResource", "kms:UntagResource",
}

// guardrailActionsBucket are the bucket changes the issue names: policy,
// lifecycle, Object Lock, versioning, replication, encryption, public access
// block, and deletion (the Delete* configuration calls are authorized by
// these Put* actions: S3 API Reference, e.g. DeleteBucketPolicy,
// DeleteBucketReplication, DeleteBucketEncryption).
var guardrailActionsBucket = []string{
	"s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutLifecycleConfiguration",
	"s3:PutBucketObjectLockConfiguration", "s3:PutBucketVersioning", "s3:PutReplicationConfiguration",
	"s3:PutEncryptionConfiguration", "s3:PutBucketPublicAccessBlock", "s3:DeleteBucket",
	// Re-enabling ACLs and switching off access logging.
	"s3:PutBucketOwnershipControls", "s3:PutBucketLogging",
	// Requester Pays, which stops every delivery (docs/aws-rules.md#requester-pays).
	"s3:PutBucketRequestPayment",
}

// guardrailActionsObject delete log objects or lift their retention and
// legal holds.
var guardrailActionsObject = []string{"s3:DeleteObject", "s3:DeleteObjectVersion", "s3:BypassGovernanceRetention", "s3:PutObjectRetention", "s3:PutObjectLegalHold"}

// guardrailActionsRole rewrite a role's trust, permissions or boundary, or
// remove it.
var guardrailActionsRole = []string{
	"iam:UpdateAssumeRolePolicy", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy",
	"iam:DeleteRolePolicy", "iam:DeleteRole", "iam:UpdateRole", "iam:PutRolePermissionsBoundary",
	"iam:DeleteRolePermissionsBoundary",
}

// guardrailActionsTrail stop the trail or narrow what it logs.
var guardrailActionsTrail = []string{"cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail", "cloudtrail:PutEventSelectors", "cloudtrail:PutInsightSelectors"}

// deployerKeyActions and deployerBucketActions are the calls Terraform's
// AWS provider makes to create, update and (with allow_destroy) destroy
// our key copies and buckets: aws_kms_key and aws_kms_replica_key
// (CreateKey, ReplicateKey, PutKeyPolicy, TagResource, UntagResource,
// ScheduleKeyDeletion), and the split S3 bucket resources, one Put* each.
var deployerKeyActions = []string{"kms:PutKeyPolicy", "kms:TagResource", "kms:UntagResource", "kms:ReplicateKey", "kms:EnableKeyRotation", "kms:ScheduleKeyDeletion"}
var deployerBucketActions = []string{
	"s3:PutBucketPolicy", "s3:PutLifecycleConfiguration", "s3:PutBucketVersioning",
	"s3:PutBucketObjectLockConfiguration", "s3:PutReplicationConfiguration", "s3:PutEncryptionConfiguration",
	"s3:PutBucketPublicAccessBlock", "s3:PutBucketLogging", "s3:PutBucketOwnershipControls", "s3:DeleteBucket",
}

// guardrailPolicy finds the service control policy and checks that it is
// attached to every target.
func (c *checker) guardrailPolicy() (located, bool, error) {
	return c.serviceControlPolicy(c.cfg.Guardrails.PolicyName)
}

// serviceControlPolicy finds the service control policy named policyName in
// any stack and checks that it is attached to every target; with
// guardrails off, any service control policy is an error.
func (c *checker) serviceControlPolicy(policyName string) (located, bool, error) {
	g := c.cfg.Guardrails
	var found []located
	for i := range c.stacks {
		s := &c.stacks[i]
		for name, body := range s.resources("aws_organizations_policy") {
			if body["type"] != "SERVICE_CONTROL_POLICY" {
				continue
			}
			if !g.Enabled {
				return located{}, false, fmt.Errorf("guardrails are off, yet stack %s holds service control policy %s: cdktf deploy must never attach one unasked", s.Name, name)
			}
			if body["name"] != policyName {
				continue
			}
			l, err := s.policyAt("aws_organizations_policy", name, "content", c.resolve(*s))
			if err != nil {
				return located{}, false, err
			}
			ref := "${aws_organizations_policy." + name + ".id}"
			for _, t := range g.Targets {
				attached := false
				for _, a := range s.resources("aws_organizations_policy_attachment") {
					if a["policy_id"] == ref && a["target_id"] == t {
						attached = true
					}
				}
				if !attached {
					return located{}, false, fmt.Errorf("stack %s: service control policy %s is not attached to guardrails target %s", s.Name, policyName, t)
				}
			}
			found = append(found, l)
		}
	}
	if !g.Enabled {
		return located{}, false, nil
	}
	if len(found) != 1 {
		return located{}, false, fmt.Errorf("guardrails are on, and the stacks hold %d service control policies named %s, not one", len(found), policyName)
	}
	return found[0], true, nil
}

// guardrails: with guardrails on, an administrator of the log-archive
// account whose IAM policies allow everything cannot delete, disable or
// weaken the key copies, change or delete the log buckets and their
// objects, rewrite an exempt role, stop or narrow the trail, or leave the
// organization; the deploying role can still apply, the break-glass
// principals can still act, CloudTrail still delivers and the replication
// role still replicates.
func (c *checker) guardrails() error {
	scp, on, err := c.guardrailPolicy()
	if err != nil || !on {
		return err
	}
	acct := c.cfg.Accounts.LogArchive.ID
	scps, err := c.guardrailSCPs(scp)
	if err != nil {
		return err
	}
	where := scp.where
	record := func(want bool, name string, req policyeval.Request, ps policyeval.Policies, extra string) {
		ps.SCPs = scps
		got, err := policyeval.Evaluate(req, ps)
		c.results = append(c.results, Result{Policy: where + extra, Name: name, Want: want, Got: got, Err: err})
	}
	admin := c.iamRole(acct, "Administrator")
	deployer, _ := session(policyeval.Principal{ARN: c.cfg.Accounts.LogArchive.RoleARN})
	// A session's aws:PrincipalArn is its role's ARN (IAM User Guide, "AWS
	// global condition context keys", aws:PrincipalArn).
	asSession := func(s policyeval.Principal, role, action, resource string, kv ...string) policyeval.Request {
		r := asIAM(s, action, resource)
		r.Context["aws:PrincipalArn"] = []string{role}
		for i := 0; i+1 < len(kv); i += 2 {
			r.Context[kv[i]] = append(r.Context[kv[i]], kv[i+1])
		}
		return r
	}
	identityOnly := policyeval.Policies{ResourceAccount: acct, Identity: []policy.Document{policyeval.AllowAll}}

	// The key copies, each with its own key policy and its own tags.
	copies, err := c.guardedKeyCopies()
	if err != nil {
		return err
	}
	// AWS's default key policy lets the account's IAM policies decide (KMS
	// Developer Guide, "Default key policy",
	// https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html).
	// The administrator's requests are judged against it, so that what is
	// shown is the guardrails' own work, whatever our key policy also denies.
	defaultKeyPolicy := policy.Document{Version: policy.Version, Statement: []policy.Statement{{
		Sid: "EnableIAMUserPermissions", Effect: policy.Allow, Principal: policy.AWSPrincipals(fmt.Sprintf("arn:%s:iam::%s:root", c.part, acct)),
		Action: policy.Values{"kms:*"}, Resource: policy.Values{"*"},
	}}}
	for _, k := range copies {
		kp := policyeval.Policies{Resource: &k.policy.doc, ResourceAccount: acct, KeyPolicy: true, Identity: []policy.Document{policyeval.AllowAll}}
		dp := policyeval.Policies{Resource: &defaultKeyPolicy, ResourceAccount: acct, KeyPolicy: true, Identity: []policy.Document{policyeval.AllowAll}}
		extra := " + " + k.policy.where
		tagged := func(p policyeval.Principal, role, action string) policyeval.Request {
			kv := append([]string{"kms:CallerAccount", p.Account()}, k.tags...)
			return asSession(p, role, action, k.arn, kv...)
		}
		// Without the guardrails, the default key policy would let the
		// administrator: the guardrails are what stops it.
		got, err := policyeval.Evaluate(tagged(admin, admin.ARN, "kms:ScheduleKeyDeletion"), dp)
		c.results = append(c.results, Result{Policy: "default key policy of " + k.policy.where, Name: "without the guardrails, a log-archive administrator allowed everything by IAM: kms:ScheduleKeyDeletion on " + k.region, Want: true, Got: got, Err: err})
		for _, a := range guardrailActionsKey {
			record(false, "a log-archive administrator allowed everything by IAM: "+a+" on the key copy in "+k.region+" (guardrails with AWS's default key policy)", tagged(admin, admin.ARN, a), dp, " + default key policy of "+k.policy.where)
		}
		for _, a := range deployerKeyActions {
			record(true, "the deploying role (a session) "+a+" on the key copy in "+k.region, tagged(deployer, c.cfg.Accounts.LogArchive.RoleARN, a), kp, extra)
		}
		for _, adm := range c.cfg.Key.Administrators {
			p := policyeval.Principal{ARN: adm}
			if p.Account() != acct || slices.Contains(c.cfg.Bucket.BreakGlassPrincipals, adm) || strings.HasSuffix(adm, ":root") {
				continue
			}
			record(false, "key administrator "+adm+" kms:ScheduleKeyDeletion on the key copy in "+k.region+" (the key policy allows it; the guardrails do not)", tagged(p, adm, "kms:ScheduleKeyDeletion"), policyeval.Policies{Resource: &k.policy.doc, ResourceAccount: acct, KeyPolicy: true}, extra)
		}
		for _, b := range c.cfg.Bucket.BreakGlassPrincipals {
			p := policyeval.Principal{ARN: b}
			if p.Account() != acct || strings.HasSuffix(b, ":root") {
				continue
			}
			record(true, "break-glass "+b+" kms:ScheduleKeyDeletion on the key copy in "+k.region, tagged(p, b, "kms:ScheduleKeyDeletion"), kp, extra)
		}
		if k.region == c.cfg.HomeRegion {
			ct := policyeval.Request{Principal: policyeval.Principal{Service: policy.CloudTrailService}, Action: "kms:GenerateDataKey", Resource: k.arn,
				Context: ctx("kms:EncryptionContext:aws:cloudtrail:arn", c.trail.ARN(), "aws:SourceArn", c.trail.ARN())}
			record(true, "CloudTrail GenerateDataKey for this trail (service principals are not governed)", ct, policyeval.Policies{Resource: &k.policy.doc, ResourceAccount: acct, KeyPolicy: true}, extra)
		}
	}

	// The log buckets, judged on the guardrails alone: even were a bucket
	// policy gone, the guardrails would hold.
	for _, b := range c.cfg.LogBuckets() {
		bucketArn := fmt.Sprintf("arn:%s:s3:::%s", c.part, b)
		object := bucketArn + "/" + policy.LogPathPrefix(c.cfg.Trail.S3KeyPrefix) + c.trail.Account + "/CloudTrail/" + c.cfg.HomeRegion + "/2026/11/29/f.json.gz"
		for _, a := range guardrailActionsBucket {
			record(false, "a log-archive administrator allowed everything by IAM: "+a+" on "+b+" (guardrails alone)", asIAM(admin, a, bucketArn), identityOnly, "")
		}
		for _, a := range guardrailActionsObject {
			record(false, "a log-archive administrator allowed everything by IAM: "+a+" on a log object of "+b+" (guardrails alone)", asIAM(admin, a, object), identityOnly, "")
		}
		for _, a := range deployerBucketActions {
			record(true, "the deploying role (a session) "+a+" on "+b, asSession(deployer, c.cfg.Accounts.LogArchive.RoleARN, a, bucketArn), identityOnly, "")
		}
		for _, bg := range c.cfg.Bucket.BreakGlassPrincipals {
			p := policyeval.Principal{ARN: bg}
			if p.Account() != acct || strings.HasSuffix(bg, ":root") {
				continue
			}
			record(true, "break-glass "+bg+" s3:DeleteObjectVersion on a log object of "+b, asIAM(p, "s3:DeleteObjectVersion", object), identityOnly, "")
		}
	}

	// The exempt roles of the log-archive account cannot be taken over.
	for _, r := range c.exemptRolesIn(acct) {
		for _, a := range guardrailActionsRole {
			record(false, "a log-archive administrator allowed everything by IAM: "+a+" on exempt role "+r, asIAM(admin, a, r), identityOnly, "")
		}
	}
	// The pipeline's roles in the log-archive account (the replication
	// role): an administrator can neither re-trust, bound, strip, delete
	// nor re-create it (a re-created role is another principal:
	// docs/aws-rules.md#recreated-roles); the deploying role still can.
	if rp := c.cfg.Replication; rp.Enabled {
		r := c.iamRole(acct, rp.RoleName).ARN
		for _, a := range append([]string{"iam:CreateRole"}, guardrailActionsRole...) {
			record(false, "a log-archive administrator allowed everything by IAM: "+a+" on the replication role "+r, asIAM(admin, a, r), identityOnly, "")
		}
		for _, a := range []string{"iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:DeleteRole", "iam:CreateRole"} {
			record(true, "the deploying role (a session) "+a+" on the replication role", asSession(deployer, c.cfg.Accounts.LogArchive.RoleARN, a, r), identityOnly, "")
		}
		// Passing the role to a replication rule of one's own bucket would
		// replicate into the recovery bucket (docs/aws-rules.md#pass-role);
		// the deploying role passes it to ours.
		record(false, "a log-archive administrator allowed everything by IAM: iam:PassRole of the replication role "+r+" (to a replication rule of its own bucket)", asIAM(admin, "iam:PassRole", r), identityOnly, "")
		record(true, "the deploying role (a session) iam:PassRole of the replication role", asSession(deployer, c.cfg.Accounts.LogArchive.RoleARN, "iam:PassRole", r), identityOnly, "")
	}
	for _, a := range []string{"iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy"} {
		other := c.iamRole(acct, "SomeApplicationRole").ARN
		record(true, "a log-archive administrator allowed everything by IAM: "+a+" on a role the guardrails do not exempt", asIAM(admin, a, other), identityOnly, "")
	}

	// Leaving the organization: nobody in a governed account.
	record(false, "a log-archive administrator allowed everything by IAM: organizations:LeaveOrganization", asIAM(admin, "organizations:LeaveOrganization", "*"), identityOnly, "")
	record(false, "the deploying role (a session) organizations:LeaveOrganization", asSession(deployer, c.cfg.Accounts.LogArchive.RoleARN, "organizations:LeaveOrganization", "*"), identityOnly, "")

	// The trail, as a member account that CloudTrail lets manage it would
	// call it (a delegated administrator): its own account's policies decide
	// apart from the guardrails.
	for _, a := range guardrailActionsTrail {
		record(false, "a log-archive administrator allowed everything by IAM, as a delegated administrator would be: "+a+" on the trail", asIAM(admin, a, c.trail.ARN()), identityOnly, "")
	}
	// The management account is not governed: what docs/guardrails.md says.
	mgmtAdmin := c.iamRole(c.cfg.Accounts.Management.ID, "Administrator")
	record(true, "a management-account administrator allowed everything by IAM: cloudtrail:StopLogging on the trail (SCPs do not govern the management account)", asIAM(mgmtAdmin, "cloudtrail:StopLogging", c.trail.ARN()), policyeval.Policies{ResourceAccount: c.cfg.Accounts.Management.ID, Identity: []policy.Document{policyeval.AllowAll}}, "")

	// CloudTrail still delivers, with the bucket policy in place.
	l, err := c.bucketPolicy(*c.archive, c.cfg.Bucket.Name)
	if err != nil {
		return err
	}
	bucketArn := fmt.Sprintf("arn:%s:s3:::%s", c.part, c.cfg.Bucket.Name)
	record(true, "CloudTrail delivering a log file (service principals are not governed)", policyeval.Request{
		Principal: policyeval.Principal{Service: policy.CloudTrailService}, Action: "s3:PutObject",
		Resource: bucketArn + "/" + policy.LogPathPrefix(c.cfg.Trail.S3KeyPrefix) + c.trail.Account + "/CloudTrail/" + c.cfg.HomeRegion + "/2026/11/29/f.json.gz",
		Context:  ctx(with(tls, "aws:SourceArn", c.trail.ARN(), "s3:x-amz-acl", "bucket-owner-full-control")...),
	}, policyeval.Policies{Resource: &l.doc, ResourceAccount: acct}, " + "+l.where)
	return c.replicationUnderGuardrails(scps)
}

// replicationUnderGuardrails: the replication role is an ordinary role that
// S3 assumes, not a service-linked role, so the guardrails govern it; with
// its own policy and every bucket and key policy, it still replicates.
func (c *checker) replicationUnderGuardrails(scps *policyeval.ServiceControlPolicies) error {
	rp := c.cfg.Replication
	if !rp.Enabled {
		return nil
	}
	perms, err := c.replicationRolePolicy()
	if err != nil {
		return err
	}
	acct := c.cfg.Accounts.LogArchive.ID
	roleArn := c.iamRole(acct, rp.RoleName).ARN
	role, _ := session(policyeval.Principal{ARN: roleArn})
	copies, err := c.guardedKeyCopies()
	if err != nil {
		return err
	}
	var primary, replica guardedKey
	for _, k := range copies {
		switch k.region {
		case c.cfg.HomeRegion:
			primary = k
		case rp.Region:
			replica = k
		}
	}
	resources, err := c.replicationResources(primary.arn, replica.arn)
	if err != nil {
		return err
	}
	src := fmt.Sprintf("arn:%s:s3:::%s", c.part, c.cfg.Bucket.Name)
	dst := fmt.Sprintf("arn:%s:s3:::%s", c.part, rp.BucketName)
	path := "/" + policy.LogPathPrefix(c.cfg.Trail.S3KeyPrefix) + c.trail.Account + "/CloudTrail/" + c.cfg.HomeRegion + "/2026/11/29/f.json.gz"
	expect := func(name, action, resource string, tags []string, kv ...string) {
		ps, where := resources.of(resource, acct)
		ps.Identity = []policy.Document{perms.doc}
		ps.SCPs = scps
		req := asIAM(role, action, resource)
		req.Context["aws:PrincipalArn"] = []string{roleArn}
		for _, p := range [][]string{tags, kv} {
			for i := 0; i+1 < len(p); i += 2 {
				req.Context[p[i]] = append(req.Context[p[i]], p[i+1])
			}
		}
		got, err := policyeval.Evaluate(req, ps)
		c.results = append(c.results, Result{Policy: perms.where + where + " + guardrails", Name: "the replication role (a session, governed by the guardrails) " + name, Want: true, Got: got, Err: err})
	}
	expect("reading a source version for replication", "s3:GetObjectVersionForReplication", src+path, nil)
	expect("replicating into the recovery bucket", "s3:ReplicateObject", dst+path, nil)
	expect("replicating tags into the recovery bucket", "s3:ReplicateTags", dst+path, nil)
	expect("decrypting with the source key copy through S3", "kms:Decrypt", primary.arn, primary.tags, "kms:ViaService", s3Via(c.part, c.cfg.HomeRegion), "kms:EncryptionContext:aws:s3:arn", src)
	expect("encrypting with the replica key copy through S3", "kms:Encrypt", replica.arn, replica.tags, "kms:ViaService", s3Via(c.part, rp.Region), "kms:EncryptionContext:aws:s3:arn", dst)
	return nil
}

// guardedKey is one copy of the multi-region key as the checks see it.
type guardedKey struct {
	arn, region string
	policy      located
	// tags as request context: aws:ResourceTag/<key>, value, ...
	tags []string
}

func (c *checker) guardedKeyCopies() ([]guardedKey, error) {
	s := *c.archive
	var out []guardedKey
	for _, typ := range []string{"aws_kms_key", "aws_kms_replica_key"} {
		for name, body := range s.resources(typ) {
			if typ == "aws_kms_key" && body["multi_region"] != true {
				continue
			}
			l, err := s.policyAt(typ, name, "policy", c.resolve(s))
			if err != nil {
				return nil, err
			}
			r := region(body, c.cfg.HomeRegion)
			k := guardedKey{arn: c.keyArn(name, r), region: r, policy: l}
			tags, _ := body["tags"].(map[string]any)
			for _, tk := range slices.Sorted(maps.Keys(tags)) {
				if v, ok := tags[tk].(string); ok {
					k.tags = append(k.tags, "aws:ResourceTag/"+tk, v)
				}
			}
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].region < out[j].region })
	return out, nil
}

// exemptRolesIn lists the deploying and break-glass roles of account.
func (c *checker) exemptRolesIn(account string) []string {
	var out []string
	for _, a := range append([]string{c.cfg.Accounts.Management.RoleARN, c.cfg.Accounts.LogArchive.RoleARN}, c.cfg.Bucket.BreakGlassPrincipals...) {
		if p := (policyeval.Principal{ARN: a}); strings.Contains(a, ":role/") && p.Account() == account {
			out = append(out, a)
		}
	}
	return out
}
