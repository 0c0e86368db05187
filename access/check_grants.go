package access

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/policyeval"
)

// Expectations on who may use the key copies, who may assume our roles and
// how role sessions are judged. Each cites the AWS document it comes from.

// session returns a session of the role p, as AWS names the caller when the
// role is used (IAM user guide, "AWS JSON policy elements: Principal", role
// session principals: arn:<p>:sts::<acct>:assumed-role/<role name>/<session>).
func session(p policyeval.Principal) (policyeval.Principal, bool) {
	role, err := arn.Parse(p.ARN)
	if err != nil || role.Service != "iam" || !strings.HasPrefix(role.Resource, "role/") {
		return policyeval.Principal{}, false
	}
	path := strings.Split(strings.TrimPrefix(role.Resource, "role/"), "/")
	return policyeval.Principal{ARN: arn.ARN{
		Partition: role.Partition, Service: "sts", AccountID: role.AccountID,
		Resource: "assumed-role/" + path[len(path)-1] + "/check-access",
	}.String()}, true
}

// readerSessions: a reader named as a role in the bucket policy reads as a
// session of that role, which the policy must match (IAM user guide, "AWS
// JSON policy elements: Principal": a role principal matches its sessions).
func (c *checker) readerSessions(bucketArn, logPath string) {
	object := bucketArn + "/" + logPath + c.trail.Account + "/CloudTrail/" + c.cfg.HomeRegion + "/2026/11/29/file.json.gz"
	for _, r := range c.readers() {
		s, ok := session(r.p)
		if !ok {
			continue
		}
		c.expect(true, "a session of reader "+r.p.ARN+" GetObject over TLS", policyeval.Request{Principal: s, Action: "s3:GetObject", Resource: object, Context: ctx(tls...)}, r.allowID...)
		c.expect(false, "a session of reader "+r.p.ARN+" DeleteObject", policyeval.Request{Principal: s, Action: "s3:DeleteObject", Resource: object, Context: ctx(tls...)}, r.denyID...)
	}
}

// trustNamesItsCallers runs against the current role trust policy. IAM user
// guide, "How AWS enforcement code logic evaluates requests to allow or deny
// access": a role trust policy must explicitly allow the principal, also in
// the role's own account; an identity policy that allows sts:AssumeRole is
// not enough.
func (c *checker) trustNamesItsCallers(account string) {
	admin := c.iamRole(account, "Admin")
	c.expect(false, "a role of the same account whose own policy allows sts:AssumeRole on everything", policyeval.Request{Principal: admin, Action: "sts:AssumeRole", Resource: "*"}, policyeval.AllowAll)
	if s, ok := session(admin); ok {
		c.expect(false, "a session of that role", policyeval.Request{Principal: s, Action: "sts:AssumeRole", Resource: "*"}, policyeval.AllowAll)
	}
	c.expect(false, "another account's role assuming it", policyeval.Request{Principal: c.iamRole(Outsider, "Admin"), Action: "sts:AssumeRole", Resource: "*"}, policyeval.AllowAll)
}

// isReader reports whether p is a configured reader, or a principal of a
// reader account (which the readers' statements name as a whole).
func (c *checker) isReader(p policyeval.Principal) bool {
	for _, r := range c.cfg.Key.Readers {
		if r == p.ARN || r == p.Account() {
			return true
		}
	}
	return false
}

// keyAdministrators runs against the current key copy's policy.
// docs/what-it-builds.md promises that administrators manage but do not use
// the key: by the key policy alone (no IAM policy of their own in the key
// account; the worst case, allow-all, in another account, where the key
// policy must grant it too) an administrator can schedule deletion and
// change the key policy, but cannot decrypt, encrypt, create a grant (which
// would give itself Decrypt) or replicate the key (a replica with a policy
// of its choosing). KMS developer guide, "AWS KMS permissions"; "Default key
// policy" ("Allows key administrators to administer the KMS key").
func (c *checker) keyAdministrators() {
	trailArn := c.trail.ARN()
	for _, a := range c.cfg.Key.Administrators {
		p := policyeval.Principal{ARN: a}
		if strings.HasSuffix(a, ":root") {
			// An account named as administrator: one of its roles.
			p = c.iamRole(p.Account(), "KeyAdministrator")
		}
		var id []policy.Document
		if p.Account() != c.cfg.Accounts.LogArchive.ID {
			id = []policy.Document{policyeval.AllowAll}
		}
		callers := []policyeval.Principal{p}
		if s, ok := session(p); ok {
			callers = append(callers, s)
		}
		for _, who := range callers {
			name := "administrator " + who.ARN
			req := func(action string, kv ...string) policyeval.Request {
				return policyeval.Request{Principal: who, Action: action, Resource: "*", Context: ctx(append([]string{"kms:CallerAccount", who.Account()}, kv...)...)}
			}
			c.expect(true, name+" scheduling key deletion", req("kms:ScheduleKeyDeletion"), id...)
			c.expect(true, name+" changing the key policy", req("kms:PutKeyPolicy"), id...)
			c.expect(true, name+" disabling the key", req("kms:DisableKey"), id...)
			if c.isReader(who) {
				// Also a reader: the readers' grants apply; nothing to prove here.
				continue
			}
			c.expect(false, name+" decrypting log files", req("kms:Decrypt", "kms:EncryptionContext:aws:cloudtrail:arn", trailArn), id...)
			c.expect(false, name+" encrypting", req("kms:Encrypt"), id...)
			c.expect(false, name+" generating a data key", req("kms:GenerateDataKey"), id...)
			c.expect(false, name+" re-encrypting log files", req("kms:ReEncryptFrom", "kms:EncryptionContext:aws:cloudtrail:arn", trailArn), id...)
			c.expect(false, name+" creating a grant (kms:Create* would allow it)", req("kms:CreateGrant"), id...)
			c.expect(false, name+" replicating the key", req("kms:ReplicateKey"), id...)
		}
	}
}

// replicationRolePolicy is the replication role's own policy.
func (c *checker) replicationRolePolicy() (located, error) {
	s, _, pname, ok := c.serviceRole(*c.archive, c.cfg.Replication.RoleName)
	if !ok {
		return located{}, fmt.Errorf("stack %s has no replication role %s", c.archive.Name, c.cfg.Replication.RoleName)
	}
	if pname == "" {
		return located{}, fmt.Errorf("stack %s: the replication role has no policy", s.Name)
	}
	return s.policyAt("aws_iam_role_policy", pname, "policy", c.resolve(s))
}

// keyReplication runs against the current key copy's policy, in copyRegion,
// with the replication role's own policy: every policy AWS evaluates for the
// request (IAM user guide, "Policy evaluation logic"). The role's grants sit
// only on the copies that use them, so it cannot encrypt with the source
// copy. On the copy that encrypts the recovery bucket, the readers decrypt
// the recovery copies through S3 there, whatever CloudTrail's encryption
// context became on replication (no AWS document says it is kept).
func (c *checker) keyReplication(copyRegion string) error {
	rp := c.cfg.Replication
	if !rp.Enabled {
		return nil
	}
	perms, err := c.replicationRolePolicy()
	if err != nil {
		return err
	}
	acct := c.cfg.Accounts.LogArchive.ID
	role := c.iamRole(acct, rp.RoleName)
	keyArn := ""
	for name, body := range c.archive.resources("aws_kms_key") {
		if body["multi_region"] == true && copyRegion == c.cfg.HomeRegion {
			keyArn = c.keyArn(name, copyRegion)
		}
	}
	for name, body := range c.archive.resources("aws_kms_replica_key") {
		if region(body, c.cfg.HomeRegion) == copyRegion {
			keyArn = c.keyArn(name, copyRegion)
		}
	}
	src := fmt.Sprintf("arn:%s:s3:::%s", c.part, c.cfg.Bucket.Name)
	dst := fmt.Sprintf("arn:%s:s3:::%s", c.part, rp.BucketName)
	home, recovery := s3Via(c.part, c.cfg.HomeRegion), s3Via(c.part, rp.Region)
	s3ctx := "kms:EncryptionContext:aws:s3:arn"
	use := func(action string, kv ...string) policyeval.Request {
		return policyeval.Request{Principal: role, Action: action, Resource: keyArn, Context: ctx(kv...)}
	}
	id := perms.doc
	switch copyRegion {
	case c.cfg.HomeRegion:
		c.expect(true, "replication role decrypting source objects through S3 in the home region", use("kms:Decrypt", "kms:ViaService", home, s3ctx, src), id)
		c.expect(false, "replication role decrypting outside S3", use("kms:Decrypt", s3ctx, src), id)
		// docs/aws-rules.md#readers-through-s3: a log file may carry
		// CloudTrail's context instead of S3's; this copy's own policy must
		// allow that too (key policies are not synchronized), and only for
		// the trail owner's trails, through S3 here.
		ct := "kms:EncryptionContext:aws:cloudtrail:arn"
		c.expect(true, "replication role decrypting source log files under CloudTrail's encryption context through S3 in the home region", use("kms:Decrypt", "kms:ViaService", home, ct, c.trail.ARN()), id)
		c.expect(false, "replication role decrypting under CloudTrail's encryption context outside S3", use("kms:Decrypt", ct, c.trail.ARN()), id)
		c.expect(false, "replication role decrypting under another account's trail's encryption context", use("kms:Decrypt", "kms:ViaService", home, ct, c.otherTrail(Outsider, "t")), id)
		c.expect(false, "replication role encrypting with the source key copy", use("kms:Encrypt", "kms:ViaService", recovery, s3ctx, dst), id)
		c.expect(false, "replication role generating data keys with the source key copy", use("kms:GenerateDataKey", "kms:ViaService", recovery, s3ctx, dst), id)
	case rp.Region:
		c.expect(true, "replication role encrypting replicas through S3 in the recovery region", use("kms:Encrypt", "kms:ViaService", recovery, s3ctx, dst), id)
		c.expect(true, "replication role generating data keys through S3 in the recovery region", use("kms:GenerateDataKey", "kms:ViaService", recovery, s3ctx, dst), id)
		// S3 User Guide, "Replicating encrypted objects", section "Amazon S3
		// Bucket Keys and replication": the destination key must allow
		// kms:Decrypt for the replicating principal (Bucket Key check).
		c.expect(true, "replication role decrypting through S3 in the recovery region (S3 verifies the recovery bucket's Bucket Key)", use("kms:Decrypt", "kms:ViaService", recovery, s3ctx, dst), id)
		c.expect(false, "replication role encrypting for another bucket", use("kms:Encrypt", "kms:ViaService", recovery, s3ctx, src), id)
		c.expect(false, "replication role decrypting recovery copies outside S3", use("kms:Decrypt", s3ctx, dst), id)
		c.expect(false, "replication role decrypting source objects with the recovery key copy", use("kms:Decrypt", "kms:ViaService", home, s3ctx, src), id)
		object := dst + "/" + policy.LogPathPrefix(c.cfg.Trail.S3KeyPrefix) + c.trail.Account + "/CloudTrail/" + c.cfg.HomeRegion + "/2026/11/29/file.json.gz"
		for _, r := range c.readers() {
			read := func(kv ...string) policyeval.Request {
				return policyeval.Request{Principal: r.p, Action: "kms:Decrypt", Resource: keyArn, Context: ctx(append([]string{"kms:CallerAccount", r.p.Account()}, kv...)...)}
			}
			c.expect(true, "reader "+r.p.ARN+" decrypting recovery copies through S3 in the recovery region, without CloudTrail's encryption context", read("kms:ViaService", recovery, s3ctx, object), r.allowID...)
			c.expect(true, "reader "+r.p.ARN+" decrypting recovery copies (Bucket Key context) through S3 in the recovery region", read("kms:ViaService", recovery, s3ctx, dst), r.allowID...)
			c.expect(false, "reader "+r.p.ARN+" decrypting another bucket's objects through S3", read("kms:ViaService", recovery, s3ctx, "arn:"+c.part+":s3:::someone-elses-bucket/x"), r.denyID...)
			c.expect(false, "reader "+r.p.ARN+" decrypting with the recovery bucket's context outside S3", read(s3ctx, dst), r.denyID...)
		}
	default:
		c.expect(false, "replication role encrypting with a key copy replication does not use", use("kms:Encrypt", "kms:ViaService", recovery, s3ctx, dst), id)
		c.expect(false, "replication role decrypting with a key copy replication does not use", use("kms:Decrypt", "kms:ViaService", home, s3ctx, src), id)
	}
	return nil
}

// replicationResources are the resource policies the replication role's
// requests meet: the two bucket policies and the two key copies' policies.
type replicationResources map[string]resourcePolicy

// resourcePolicy is a resource's policy with where it was found.
type resourcePolicy struct {
	ps    policyeval.Policies
	where string
}

func (c *checker) replicationResources(primary, replica string) (replicationResources, error) {
	s := *c.archive
	acct := c.cfg.Accounts.LogArchive.ID
	out := replicationResources{}
	for _, b := range []string{c.cfg.Bucket.Name, c.cfg.Replication.BucketName} {
		l, err := c.bucketPolicy(s, b)
		if err != nil {
			return nil, err
		}
		doc := l.doc
		out[fmt.Sprintf("arn:%s:s3:::%s", c.part, b)] = resourcePolicy{policyeval.Policies{Resource: &doc, ResourceAccount: acct}, l.where}
	}
	for name, body := range s.resources("aws_kms_key") {
		if body["multi_region"] == true {
			l, err := s.policyAt("aws_kms_key", name, "policy", c.resolve(s))
			if err != nil {
				return nil, err
			}
			doc := l.doc
			out[primary] = resourcePolicy{policyeval.Policies{Resource: &doc, ResourceAccount: acct, KeyPolicy: true}, l.where}
		}
	}
	for name, body := range s.resources("aws_kms_replica_key") {
		if c.keyArn(name, region(body, c.cfg.HomeRegion)) == replica {
			l, err := s.policyAt("aws_kms_replica_key", name, "policy", c.resolve(s))
			if err != nil {
				return nil, err
			}
			doc := l.doc
			out[replica] = resourcePolicy{policyeval.Policies{Resource: &doc, ResourceAccount: acct, KeyPolicy: true}, l.where}
		}
	}
	return out, nil
}

// of returns the policies of the bucket or key that resource belongs to; a
// resource of none of them has no resource policy (an unnamed bucket of the
// account: its identity policy alone decides, the worst case).
func (r replicationResources) of(resource, account string) (policyeval.Policies, string) {
	for prefix, v := range r {
		if resource == prefix || strings.HasPrefix(resource, prefix+"/") {
			return v.ps, " + " + v.where
		}
	}
	return policyeval.Policies{ResourceAccount: account}, ""
}

// replicationAdditions are the replication role's expectations added with
// the Bucket Key and delete-marker fixes, judged like the others.
func (c *checker) replicationAdditions(expect func(want bool, name, action, resource string, kv ...string), dst, primary, replica string) {
	via := s3Via(c.part, c.cfg.Replication.Region)
	s3ctx := "kms:EncryptionContext:aws:s3:arn"
	// Delete markers are not replicated (the replication rule disables it),
	// so the role holds no s3:ReplicateDelete.
	expect(false, "replicating a delete marker into the recovery bucket", "s3:ReplicateDelete", dst+"/AWSLogs/x")
	// S3 User Guide, "Replicating encrypted objects", "Amazon S3 Bucket Keys
	// and replication": Decrypt on the destination key.
	expect(true, "decrypting with the replica key through S3 in the recovery region (Bucket Key check)", "kms:Decrypt", replica, "kms:ViaService", via, s3ctx, dst)
	expect(true, "generating data keys with the replica key through S3 in the recovery region", "kms:GenerateDataKey", replica, "kms:ViaService", via, s3ctx, dst)
	expect(false, "decrypting with the replica key outside S3", "kms:Decrypt", replica, s3ctx, dst)
	expect(false, "decrypting with the source key for the recovery bucket", "kms:Decrypt", primary, "kms:ViaService", via, s3ctx, dst)
}
