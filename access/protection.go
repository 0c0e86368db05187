package access

import (
	"fmt"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/policyeval"
)

// asIAM is a request by an IAM principal over TLS. It carries aws:PrincipalArn,
// which AWS adds to every request signed by an IAM principal and which, for
// a role, is the role's ARN (IAM User Guide, "AWS global condition context
// keys", aws:PrincipalArn,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn).
func asIAM(p policyeval.Principal, action, resource string) policyeval.Request {
	return policyeval.Request{Principal: p, Action: action, Resource: resource, Context: ctx(with(tls, "aws:PrincipalArn", p.ARN)...)}
}

// logBucketProtection: on the trail and recovery buckets, nobody but the
// break-glass principals deletes a log object or bypasses governance
// retention, even an administrator of the log-archive account whose own
// policies allow everything (IAM User Guide, "Policy evaluation logic": an
// explicit deny in any policy overrides every allow,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html);
// Object Lock alone would not stop the delete marker (S3 User Guide, "How S3
// Object Lock works"). With a deploying role, only it and the break-glass
// principals change the lifecycle, the lock, versioning or the policy.
// CloudTrail still delivers and the replication role still replicates.
func (c *checker) logBucketProtection() error {
	acct := c.cfg.Accounts.LogArchive.ID
	buckets := []string{c.cfg.Bucket.Name}
	if c.cfg.Replication.Enabled {
		buckets = append(buckets, c.cfg.Replication.BucketName)
	}
	deployer := c.cfg.Accounts.LogArchive.RoleARN
	admin := c.iamRole(acct, "Administrator")
	for _, name := range buckets {
		l, err := c.bucketPolicy(*c.archive, name)
		if err != nil {
			return err
		}
		c.use(l, policyeval.Policies{ResourceAccount: acct})
		bucketArn := fmt.Sprintf("arn:%s:s3:::%s", c.part, name)
		object := bucketArn + "/" + policy.LogPathPrefix(c.cfg.Trail.S3KeyPrefix) + c.trail.Account + "/CloudTrail/" + c.cfg.HomeRegion + "/2026/11/29/f.json.gz"
		for _, a := range policy.LogDeletionActions {
			c.expect(false, "a log-archive administrator allowed everything by IAM: "+a+" on a log object", asIAM(admin, a, object), policyeval.AllowAll)
		}
		if deployer != "" {
			dep := policyeval.Principal{ARN: deployer}
			for _, a := range policy.ProtectionChangeActions {
				c.expect(false, "a log-archive administrator allowed everything by IAM: "+a, asIAM(admin, a, bucketArn), policyeval.AllowAll)
				c.expect(true, "the deploying role "+a, asIAM(dep, a, bucketArn), policyeval.AllowAll)
			}
			c.expect(false, "the deploying role DeleteObject on a log object", asIAM(dep, "s3:DeleteObject", object), policyeval.AllowAll)
		} else {
			// Without a deploying role these changes are left to IAM:
			// docs/protections.md says so, and this shows it.
			c.expect(true, "without a deploying role, a log-archive administrator PutBucketPolicy (left to IAM)", asIAM(admin, "s3:PutBucketPolicy", bucketArn), policyeval.AllowAll)
		}
		for _, b := range c.cfg.Bucket.BreakGlassPrincipals {
			p := policyeval.Principal{ARN: b}
			if p.Account() != acct {
				// Our policies grant another account's principal nothing to
				// exempt it from.
				continue
			}
			c.expect(true, "break-glass "+b+" DeleteObjectVersion on a log object", asIAM(p, "s3:DeleteObjectVersion", object), policyeval.AllowAll)
			c.expect(true, "break-glass "+b+" BypassGovernanceRetention", asIAM(p, "s3:BypassGovernanceRetention", object), policyeval.AllowAll)
			if deployer != "" {
				c.expect(true, "break-glass "+b+" PutBucketPolicy", asIAM(p, "s3:PutBucketPolicy", bucketArn), policyeval.AllowAll)
			}
		}
	}
	// docs/aws-rules.md#requester-pays: CloudTrail cannot deliver to a
	// Requester Pays bucket; no log bucket's own policy lets anyone, the
	// deploying role and the break-glass principals included, turn it on.
	for _, name := range c.cfg.LogBuckets() {
		l, err := c.bucketPolicy(*c.archive, name)
		if err != nil {
			return err
		}
		c.use(l, policyeval.Policies{ResourceAccount: acct})
		bucketArn := fmt.Sprintf("arn:%s:s3:::%s", c.part, name)
		c.expect(false, "a log-archive administrator allowed everything by IAM: s3:PutBucketRequestPayment on "+name, asIAM(admin, "s3:PutBucketRequestPayment", bucketArn), policyeval.AllowAll)
		if deployer != "" {
			c.expect(false, "the deploying role s3:PutBucketRequestPayment on "+name, asIAM(policyeval.Principal{ARN: deployer}, "s3:PutBucketRequestPayment", bucketArn), policyeval.AllowAll)
		}
	}
	// CloudTrail's delivery carries no aws:PrincipalArn of ours; it must
	// still be allowed with every deny in place.
	l, err := c.bucketPolicy(*c.archive, c.cfg.Bucket.Name)
	if err != nil {
		return err
	}
	c.use(l, policyeval.Policies{ResourceAccount: acct})
	bucketArn := fmt.Sprintf("arn:%s:s3:::%s", c.part, c.cfg.Bucket.Name)
	c.expect(true, "CloudTrail delivering with the protection denies in place", policyeval.Request{
		Principal: policyeval.Principal{Service: policy.CloudTrailService}, Action: "s3:PutObject",
		Resource: bucketArn + "/" + policy.LogPathPrefix(c.cfg.Trail.S3KeyPrefix) + c.trail.Account + "/CloudTrail/" + c.cfg.HomeRegion + "/2026/11/29/f.json.gz",
		Context:  ctx(with(tls, "aws:SourceArn", c.trail.ARN(), "s3:x-amz-acl", "bucket-owner-full-control")...),
	})
	return c.replicationUnderProtection()
}

// accessLogProtection: every access-log bucket carries the trail bucket's
// denies (docs/aws-rules.md#access-log-bucket-protection). With
// BucketOwnerEnforced its policy is the only grant for server access log
// delivery (S3 API Reference, "PutBucketLogging",
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketLogging.html),
// so an administrator of the log-archive account whose IAM policies allow
// s3:* must neither delete the access logs nor change or delete the policy;
// the deploying role still changes the protections, the break-glass
// principals still delete, and the logging service still delivers each
// source bucket's logs with every deny in place.
func (c *checker) accessLogProtection() error {
	if !c.cfg.Bucket.AccessLogs.Enabled {
		return nil
	}
	acct := c.cfg.Accounts.LogArchive.ID
	deployer := c.cfg.Accounts.LogArchive.RoleARN
	admin := c.iamRole(acct, "Administrator")
	pairs := [][2]string{{c.cfg.Bucket.AccessLogs.BucketName, c.cfg.Bucket.Name}}
	if c.cfg.Replication.Enabled {
		pairs = append(pairs, [2]string{c.cfg.Replication.AccessLogBucketName, c.cfg.Replication.BucketName})
	}
	for _, p := range pairs {
		name, source := p[0], p[1]
		l, err := c.bucketPolicy(*c.archive, name)
		if err != nil {
			return err
		}
		c.use(l, policyeval.Policies{ResourceAccount: acct})
		bucketArn := fmt.Sprintf("arn:%s:s3:::%s", c.part, name)
		object := bucketArn + "/" + policy.AccessLogTargetPrefix(source) + "2026-11-29-00-00-00-0123456789ABCDEF"
		for _, a := range policy.LogDeletionActions {
			c.expect(false, "a log-archive administrator allowed s3:* by IAM: "+a+" on an access log in "+name, asIAM(admin, a, object), policyeval.AllowAll)
		}
		if deployer != "" {
			dep := policyeval.Principal{ARN: deployer}
			for _, a := range policy.ProtectionChangeActions {
				c.expect(false, "a log-archive administrator allowed s3:* by IAM: "+a+" on "+name, asIAM(admin, a, bucketArn), policyeval.AllowAll)
				c.expect(true, "the deploying role "+a+" on "+name, asIAM(dep, a, bucketArn), policyeval.AllowAll)
			}
			c.expect(false, "the deploying role DeleteObject on an access log in "+name, asIAM(dep, "s3:DeleteObject", object), policyeval.AllowAll)
		} else {
			c.expect(true, "without a deploying role, a log-archive administrator DeleteBucketPolicy on "+name+" (left to IAM)", asIAM(admin, "s3:DeleteBucketPolicy", bucketArn), policyeval.AllowAll)
		}
		for _, b := range c.cfg.Bucket.BreakGlassPrincipals {
			bg := policyeval.Principal{ARN: b}
			if bg.Account() != acct {
				continue
			}
			c.expect(true, "break-glass "+b+" DeleteObjectVersion on an access log in "+name, asIAM(bg, "s3:DeleteObjectVersion", object), policyeval.AllowAll)
			if deployer != "" {
				c.expect(true, "break-glass "+b+" PutBucketPolicy on "+name, asIAM(bg, "s3:PutBucketPolicy", bucketArn), policyeval.AllowAll)
			}
		}
		c.expect(true, "S3 logging delivering "+source+"'s access logs into "+name+" with the protection denies in place", policyeval.Request{
			Principal: policyeval.Principal{Service: policy.S3LoggingService}, Action: "s3:PutObject", Resource: object,
			Context: ctx(with(tls, "aws:SourceArn", fmt.Sprintf("arn:%s:s3:::%s", c.part, source), "aws:SourceAccount", acct)...),
		})
	}
	return nil
}

// replicationUnderProtection: the replication role, judged with its own
// policy and each bucket's policy together, still reads the source and
// writes the recovery bucket, and still cannot delete there.
func (c *checker) replicationUnderProtection() error {
	rp := c.cfg.Replication
	if !rp.Enabled {
		return nil
	}
	s := *c.archive
	acct := c.cfg.Accounts.LogArchive.ID
	perms, err := c.replicationRolePolicy()
	if err != nil {
		return err
	}
	role := c.iamRole(acct, rp.RoleName)
	path := "/" + policy.LogPathPrefix(c.cfg.Trail.S3KeyPrefix) + c.trail.Account + "/CloudTrail/" + c.cfg.HomeRegion + "/2026/11/29/f.json.gz"
	src, err := c.bucketPolicy(s, c.cfg.Bucket.Name)
	if err != nil {
		return err
	}
	c.use(src, policyeval.Policies{ResourceAccount: acct})
	srcArn := fmt.Sprintf("arn:%s:s3:::%s", c.part, c.cfg.Bucket.Name)
	c.expect(true, "the replication role reading a source version for replication", asIAM(role, "s3:GetObjectVersionForReplication", srcArn+path), perms.doc)
	dst, err := c.bucketPolicy(s, rp.BucketName)
	if err != nil {
		return err
	}
	c.use(dst, policyeval.Policies{ResourceAccount: acct})
	dstArn := fmt.Sprintf("arn:%s:s3:::%s", c.part, rp.BucketName)
	c.expect(true, "the replication role replicating into the recovery bucket", asIAM(role, "s3:ReplicateObject", dstArn+path), perms.doc)
	c.expect(true, "the replication role replicating tags into the recovery bucket", asIAM(role, "s3:ReplicateTags", dstArn+path), perms.doc)
	c.expect(false, "the replication role deleting a recovery copy", asIAM(role, "s3:DeleteObjectVersion", dstArn+path), perms.doc)
	return nil
}

// keyProtection: with a deploying role, an administrator of the log-archive
// account whose IAM policies allow everything cannot destroy, disable,
// rewrite, grant or replicate any copy of the key, although the key policy's
// account-root statement hands the key to IAM (KMS Developer Guide, "Default
// key policy",
// https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html):
// an explicit deny in the key policy overrides that allow (IAM User Guide,
// "Policy evaluation logic"). The deploying role, which creates the
// replicas and sets the policies, still can. On the home-region copy,
// readers also decrypt the trail bucket's objects through S3 with S3's own
// encryption context (the bucket ARN under an S3 Bucket Key: S3 User Guide,
// "Reducing the cost of SSE-KMS with Amazon S3 Bucket Keys",
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html),
// and not for another bucket.
func (c *checker) keyProtection() error {
	copies, err := c.keyCopies()
	if err != nil {
		return err
	}
	acct := c.cfg.Accounts.LogArchive.ID
	deployer := c.cfg.Accounts.LogArchive.RoleARN
	admin := c.iamRole(acct, "Administrator")
	bucketArn := fmt.Sprintf("arn:%s:s3:::%s", c.part, c.cfg.Bucket.Name)
	for _, k := range copies {
		l, err := c.archive.policyAt(k.typ, k.name, "policy", c.resolve(*c.archive))
		if err != nil {
			return err
		}
		c.use(l, policyeval.Policies{ResourceAccount: acct, KeyPolicy: true})
		kms := func(p policyeval.Principal, action string) policyeval.Request {
			return policyeval.Request{Principal: p, Action: action, Resource: "*", Context: ctx("aws:PrincipalArn", p.ARN, "kms:CallerAccount", p.Account())}
		}
		if deployer != "" {
			dep := policyeval.Principal{ARN: deployer}
			for _, a := range policy.KeyDestructionActions {
				c.expect(false, "a log-archive administrator allowed everything by IAM: "+a, kms(admin, a), policyeval.AllowAll)
			}
			for _, a := range []string{"kms:PutKeyPolicy", "kms:ReplicateKey", "kms:ScheduleKeyDeletion"} {
				c.expect(true, "the deploying role "+a, kms(dep, a), policyeval.AllowAll)
			}
		} else {
			c.expect(true, "without a deploying role, a log-archive administrator ScheduleKeyDeletion (left to IAM)", kms(admin, "kms:ScheduleKeyDeletion"), policyeval.AllowAll)
		}
		if region(c.archive.resources(k.typ)[k.name], c.cfg.HomeRegion) != c.cfg.HomeRegion {
			continue
		}
		for _, r := range c.readers() {
			via := func(context string) policyeval.Request {
				return policyeval.Request{Principal: r.p, Action: "kms:Decrypt", Resource: "*", Context: ctx(
					"kms:CallerAccount", r.p.Account(), "kms:ViaService", s3Via(c.part, c.cfg.HomeRegion),
					"kms:EncryptionContext:aws:s3:arn", context)}
			}
			c.expect(true, "reader "+r.p.ARN+" decrypting a trail-bucket object through S3 with S3's encryption context (Bucket Key)", via(bucketArn), r.allowID...)
			c.expect(false, "reader "+r.p.ARN+" decrypting another bucket's objects through S3", via(fmt.Sprintf("arn:%s:s3:::another-bucket", c.part)), r.denyID...)
		}
	}
	return nil
}

// forgedWrites: only the trail writes the trail bucket, and only the
// replication role writes the recovery bucket
// (docs/aws-rules.md#only-the-trail-writes,
// docs/aws-rules.md#only-replication-writes-the-copy). CloudTrail still
// delivers log files, digest files and Insights files on the account path
// and, for an organization trail, the organization path; an administrator
// of the log-archive account whose IAM policies allow everything (s3:*)
// writes nothing, neither with PutObject nor with a replication rule of its
// own; the replication role still replicates, and does nothing else there.
func (c *checker) forgedWrites() error {
	acct := c.cfg.Accounts.LogArchive.ID
	admin := c.iamRole(acct, "Administrator")
	l, err := c.bucketPolicy(*c.archive, c.cfg.Bucket.Name)
	if err != nil {
		return err
	}
	c.use(l, policyeval.Policies{ResourceAccount: acct})
	bucketArn := fmt.Sprintf("arn:%s:s3:::%s", c.part, c.cfg.Bucket.Name)
	logs := bucketArn + "/" + policy.LogPathPrefix(c.cfg.Trail.S3KeyPrefix)
	trailArn := c.trail.ARN()
	ct := policyeval.Principal{Service: policy.CloudTrailService}
	delivery := ctx(with(tls, "aws:SourceArn", trailArn, "s3:x-amz-acl", "bucket-owner-full-control")...)
	// CloudTrail User Guide, "Finding your CloudTrail log files": log files
	// under CloudTrail/, digest files under CloudTrail-Digest/, Insights
	// files under CloudTrail-Insight/ (docs/aws-rules.md#log-file-locations).
	owners := []string{c.trail.Account + "/"}
	if org := c.cfg.OrganizationID; org != "" {
		owners = append(owners, org+"/111111111111/")
	}
	for _, owner := range owners {
		for _, kind := range []string{"CloudTrail", "CloudTrail-Digest", "CloudTrail-Insight"} {
			object := logs + owner + kind + "/" + c.cfg.HomeRegion + "/2026/11/29/f.json.gz"
			c.expect(true, "CloudTrail delivering a "+kind+" file under AWSLogs/"+owner+" with the forged-writes deny in place",
				policyeval.Request{Principal: ct, Action: "s3:PutObject", Resource: object, Context: delivery})
		}
	}
	object := logs + c.trail.Account + "/CloudTrail/" + c.cfg.HomeRegion + "/2026/11/29/f.json.gz"
	for _, a := range []string{"s3:PutObject", "s3:ReplicateObject", "s3:ReplicateDelete"} {
		c.expect(false, "a log-archive administrator allowed s3:* by IAM: "+a+" of a forged log file into the trail bucket", asIAM(admin, a, object), policyeval.AllowAll)
	}
	for _, b := range c.cfg.Bucket.BreakGlassPrincipals {
		c.expect(false, "break-glass "+b+" s3:PutObject into the trail bucket (nobody but the trail writes)", asIAM(policyeval.Principal{ARN: b}, "s3:PutObject", object), policyeval.AllowAll)
	}
	c.expect(false, "CloudTrail PutObject for another trail of the same account, ACL and TLS as CloudTrail's", policyeval.Request{Principal: ct, Action: "s3:PutObject", Resource: object,
		Context: ctx(with(tls, "aws:SourceArn", c.otherTrail(c.trail.Account, "other-trail"), "s3:x-amz-acl", "bucket-owner-full-control")...)})

	rp := c.cfg.Replication
	if !rp.Enabled {
		return nil
	}
	dl, err := c.bucketPolicy(*c.archive, rp.BucketName)
	if err != nil {
		return err
	}
	c.use(dl, policyeval.Policies{ResourceAccount: acct})
	dst := fmt.Sprintf("arn:%s:s3:::%s", c.part, rp.BucketName) + "/" + policy.LogPathPrefix(c.cfg.Trail.S3KeyPrefix) + c.trail.Account + "/CloudTrail/" + c.cfg.HomeRegion + "/2026/11/29/f.json.gz"
	for _, a := range []string{"s3:PutObject", "s3:ReplicateObject", "s3:ReplicateTags", "s3:ReplicateDelete"} {
		c.expect(false, "a log-archive administrator allowed s3:* by IAM: "+a+" into the recovery bucket", asIAM(admin, a, dst), policyeval.AllowAll)
	}
	c.expect(false, "the replication role s3:ReplicateDelete into the recovery bucket (its own policy allowing everything; delete markers are not replicated)", asIAM(c.iamRole(acct, rp.RoleName), "s3:ReplicateDelete", dst), policyeval.AllowAll)
	other := c.iamRole(acct, "SomeOtherReplicationRole")
	c.expect(false, "another role of the log-archive account (another bucket's replication rule) s3:ReplicateObject into the recovery bucket", asIAM(other, "s3:ReplicateObject", dst), policyeval.AllowAll)
	role := c.iamRole(acct, rp.RoleName)
	c.expect(true, "the replication role s3:ReplicateObject into the recovery bucket (its own policy allowing everything)", asIAM(role, "s3:ReplicateObject", dst), policyeval.AllowAll)
	c.expect(false, "the replication role s3:PutObject into the recovery bucket (its own policy allowing everything)", asIAM(role, "s3:PutObject", dst), policyeval.AllowAll)
	return nil
}
