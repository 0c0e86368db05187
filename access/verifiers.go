package access

import (
	"fmt"
	"strings"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/policyeval"
)

// The verifiers' proofs (docs/verify.md#permissions). Each of key.verifiers
// is judged with every policy AWS evaluates for its request (IAM User
// Guide, "Policy evaluation logic",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
// the resource's policy from the synthesized stacks, and as its identity
// policy the one cmd/required-policy writes (config.Config.VerifierPolicy).
//
//   - What the verify command calls must be allowed with that identity
//     policy; for a verifier of the log-archive account, by the resource
//     policies alone too (same-account access: either policy may grant,
//     "Cross-account policy evaluation logic" for the other case).
//   - Everything else must be denied with that identity policy, and by the
//     resource policy alone: with an identity policy that allows everything
//     for a verifier of another account (its account is not ours, and the
//     resource policy must still refuse), with none for one of the
//     log-archive account (whose administrators may grant it anything).
//   - Writes, deletes and the changes the log buckets' denies stop are also
//     judged by the bucket policy's grants alone (its denies set aside): a
//     verifier that is also a break-glass principal, exempt from the denies,
//     must still get nothing of them from the verifiers' grants.

// verifierIdentity is the verifiers' identity policy the check judges with:
// the configuration's, unless a test seeds a defect into it.
func (c *checker) verifierIdentity() (located, error) {
	if c.opts.verifierPolicy != nil {
		return located{where: "verifier-policy.json (seeded)", doc: *c.opts.verifierPolicy}, nil
	}
	doc, err := c.cfg.VerifierPolicy()
	if err != nil {
		return located{}, err
	}
	return located{where: "required-policy/verifier-policy.json", doc: *doc}, nil
}

// verifierResources are the policies a verifier's requests meet.
type verifierResources struct {
	trailBucket, recoveryBucket *located
	// keys are the key copies' policies by region, with their stand-in ARNs.
	keys    map[string]*located
	keyArns map[string]string
	// state is the state bucket's policy, when a stack creates it.
	state *located
}

func (c *checker) verifierResources() (verifierResources, error) {
	out := verifierResources{keys: map[string]*located{}, keyArns: map[string]string{}}
	l, err := c.bucketPolicy(*c.archive, c.cfg.Bucket.Name)
	if err != nil {
		return out, err
	}
	out.trailBucket = &l
	if r := c.cfg.Replication; r.Enabled {
		l, err := c.bucketPolicy(*c.archive, r.BucketName)
		if err != nil {
			return out, err
		}
		out.recoveryBucket = &l
	}
	copies, err := c.keyCopies()
	if err != nil {
		return out, err
	}
	for _, k := range copies {
		l, err := c.archive.policyAt(k.typ, k.name, "policy", c.resolve(*c.archive))
		if err != nil {
			return out, err
		}
		r := region(c.archive.resources(k.typ)[k.name], c.cfg.HomeRegion)
		out.keys[r], out.keyArns[r] = &l, c.keyArn(k.name, r)
	}
	if s := c.cfg.Backend.S3; s != nil {
		for _, st := range c.stacks {
			if _, _, ok := st.find("aws_s3_bucket", "bucket", s.Bucket); ok {
				l, err := c.bucketPolicy(st, s.Bucket)
				if err != nil {
					return out, err
				}
				out.state = &l
			}
		}
	}
	return out, nil
}

// verifiers runs the proofs for every verifier and each session of a role.
func (c *checker) verifiers() error {
	if len(c.cfg.Key.Verifiers) == 0 {
		return nil
	}
	id, err := c.verifierIdentity()
	if err != nil {
		return err
	}
	res, err := c.verifierResources()
	if err != nil {
		return err
	}
	trailCalls, recoveryCalls, err := c.verifierCommandCalls()
	if err != nil {
		return err
	}
	for _, v := range c.cfg.Key.Verifiers {
		p := policyeval.Principal{ARN: v}
		callers := []policyeval.Principal{p}
		if s, ok := session(p); ok {
			callers = append(callers, s)
		}
		for _, who := range callers {
			j := c.verifier(who, p, id, res)
			c.verifierCommand(j, res, trailCalls, recoveryCalls)
		}
	}
	return nil
}

// verifierJudge evaluates one verifier's requests.
type verifierJudge struct {
	c       *checker
	who     policyeval.Principal
	name    string
	id      located
	sameAcc bool
	// reader: the verifier is also one of key.readers, whose grants reach
	// farther than its own; the proofs of "nothing outside the paths" do
	// not apply to it.
	reader bool
}

func (j verifierJudge) record(where, name string, want bool, req policyeval.Request, ps policyeval.Policies) {
	got, err := policyeval.Evaluate(req, ps)
	j.c.results = append(j.c.results, Result{Policy: where, Name: j.name + " " + name, Want: want, Got: got, Err: err})
}

// loose is the identity the resource policy alone is judged with: allow-all
// for a verifier of another account, none for one of the log-archive
// account.
func (j verifierJudge) loose() []policy.Document {
	if j.sameAcc {
		return nil
	}
	return []policy.Document{policyeval.AllowAll}
}

func (j verifierJudge) policies(l *located, account string, key bool, identity []policy.Document) policyeval.Policies {
	ps := policyeval.Policies{ResourceAccount: account, KeyPolicy: key, Identity: identity}
	if l != nil {
		doc := l.doc
		ps.Resource = &doc
	}
	return ps
}

// can: allowed with the identity policy and, for a verifier of the
// log-archive account, by the resource policy alone.
func (j verifierJudge) can(l *located, key bool, name string, req policyeval.Request) {
	acct := j.c.cfg.Accounts.LogArchive.ID
	j.record(l.where+" + "+j.id.where, name, true, req, j.policies(l, acct, key, []policy.Document{j.id.doc}))
	if j.sameAcc {
		j.record(l.where, name+", by the resource policy alone", true, req, j.policies(l, acct, key, nil))
	}
}

// cannot: denied with the identity policy, and by the resource policy
// alone (loose).
func (j verifierJudge) cannot(l *located, key bool, name string, req policyeval.Request) {
	acct := j.c.cfg.Accounts.LogArchive.ID
	j.record(l.where+" + "+j.id.where, name, false, req, j.policies(l, acct, key, []policy.Document{j.id.doc}))
	j.record(l.where, name+", by the resource policy alone", false, req, j.policies(l, acct, key, j.loose()))
}

// cannotByGrants: cannot, and denied by the bucket policy's grants with its
// denies set aside, and by the identity policy alone (whose grants the
// bucket's denies would hide as well).
func (j verifierJudge) cannotByGrants(l *located, name string, req policyeval.Request) {
	j.cannot(l, false, name, req)
	j.identityOnly(false, name+", by the identity policy alone", req)
	grants := located{where: l.where + " (its grants alone)"}
	grants.doc = l.doc
	grants.doc.Statement = nil
	for _, s := range l.doc.Statement {
		if s.Effect == policy.Allow {
			grants.doc.Statement = append(grants.doc.Statement, s)
		}
	}
	j.record(grants.where, name+", by the bucket policy's grants alone (its denies set aside)", false, req, j.policies(&grants, j.c.cfg.Accounts.LogArchive.ID, false, j.loose()))
}

// identityOnly: judged by the identity policy alone, for a call on no
// resource policy of ours.
func (j verifierJudge) identityOnly(want bool, name string, req policyeval.Request) {
	j.record(j.id.where, name, want, req, policyeval.Policies{ResourceAccount: j.who.Account(), Identity: []policy.Document{j.id.doc}})
}

// verifier is the proofs for one caller: principal or one of its sessions
// (of the verifier p).
func (c *checker) verifier(who, p policyeval.Principal, id located, res verifierResources) verifierJudge {
	j := verifierJudge{c: c, who: who, name: "verifier " + who.ARN, id: id, sameAcc: p.Account() == c.cfg.Accounts.LogArchive.ID, reader: c.isReader(p)}
	prefix := policy.LogPathPrefix(c.cfg.Trail.S3KeyPrefix)
	paths := policy.TrailLogPaths(c.cfg.Trail.S3KeyPrefix, c.trail.Account, c.cfg.OrganizationID)
	home := c.cfg.HomeRegion
	s3req := func(action, resource string, kv ...string) policyeval.Request {
		return policyeval.Request{Principal: who, Action: action, Resource: resource, Context: ctx(with(tls, kv...)...)}
	}
	type bucket struct {
		l           *located
		arn, region string
	}
	buckets := []bucket{{res.trailBucket, fmt.Sprintf("arn:%s:s3:::%s", c.part, c.cfg.Bucket.Name), home}}
	if res.recoveryBucket != nil {
		buckets = append(buckets, bucket{res.recoveryBucket, fmt.Sprintf("arn:%s:s3:::%s", c.part, c.cfg.Replication.BucketName), c.cfg.Replication.Region})
	}
	// Log and digest files as CloudTrail names them, in each path
	// (docs/aws-rules.md#log-file-locations): the owner's account path and,
	// for an organization trail, a member account under the organization's.
	var files []string
	for _, path := range paths {
		member := ""
		if path != paths[0] {
			member = "222233334444/"
		}
		files = append(files,
			path+member+"CloudTrail/"+home+"/2026/11/29/x_CloudTrail_"+home+"_20261129T0000Z_a.json.gz",
			path+member+"CloudTrail-Digest/"+home+"/2026/11/29/x_CloudTrail-Digest_"+home+"_t_"+home+"_20261129T0000Z.json.gz")
	}
	outside := []string{prefix + Outsider + "/CloudTrail/" + home + "/2026/11/29/f.json.gz", "other/AWSLogs/" + c.trail.Account + "/f.json.gz", "report.csv"}
	for _, b := range buckets {
		in := " in " + b.arn
		for _, path := range paths {
			j.can(b.l, false, "listing objects under "+path+in, s3req("s3:ListBucket", b.arn, "s3:prefix", path))
			j.can(b.l, false, "listing object versions under "+path+in, s3req("s3:ListBucketVersions", b.arn, "s3:prefix", path))
			j.can(b.l, false, "listing digest files under "+path+in, s3req("s3:ListBucket", b.arn, "s3:prefix", path+"CloudTrail-Digest/"))
		}
		for _, f := range files {
			j.can(b.l, false, "reading "+f+in+" (GetObject; HeadObject needs the same)", s3req("s3:GetObject", b.arn+"/"+f))
			j.can(b.l, false, "reading an earlier version of "+f+in, s3req("s3:GetObjectVersion", b.arn+"/"+f, "s3:versionid", "v1"))
		}
		object := b.arn + "/" + files[0]
		j.cannot(b.l, false, "reading a log file without TLS"+in, policyeval.Request{Principal: who, Action: "s3:GetObject", Resource: object, Context: ctx(noTLS...)})
		if !j.reader {
			j.cannot(b.l, false, "listing the whole bucket (no s3:prefix)"+in, s3req("s3:ListBucket", b.arn))
			j.cannot(b.l, false, "listing object versions of the whole bucket"+in, s3req("s3:ListBucketVersions", b.arn))
			j.cannot(b.l, false, "listing "+prefix+" above the log paths"+in, s3req("s3:ListBucket", b.arn, "s3:prefix", prefix))
			j.cannot(b.l, false, "listing versions under another account's path"+in, s3req("s3:ListBucketVersions", b.arn, "s3:prefix", prefix+Outsider+"/"))
			for _, o := range outside {
				j.cannot(b.l, false, "reading "+o+", outside the log paths"+in, s3req("s3:GetObject", b.arn+"/"+o))
				j.cannot(b.l, false, "reading a version of "+o+", outside the log paths"+in, s3req("s3:GetObjectVersion", b.arn+"/"+o))
			}
		}
		for _, a := range []string{"s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObjectRetention", "s3:PutObjectLegalHold", "s3:BypassGovernanceRetention", "s3:PutObjectAcl", "s3:RestoreObject"} {
			j.cannotByGrants(b.l, a+" on a log file"+in, s3req(a, object))
		}
		for _, a := range []string{"s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketObjectLockConfiguration", "s3:PutReplicationConfiguration",
			"s3:PutLifecycleConfiguration", "s3:PutBucketVersioning", "s3:PutEncryptionConfiguration", "s3:DeleteBucket"} {
			j.cannotByGrants(b.l, a+in, s3req(a, b.arn))
		}
	}
	c.verifierKeys(j, res, buckets[0].arn, buckets[len(buckets)-1].arn, files)

	// CloudTrail's public keys: ListPublicKeys has no resource type
	// (docs/aws-rules.md#listpublickeys-resource); nothing else of
	// CloudTrail.
	j.identityOnly(true, "listing CloudTrail's public keys (ListPublicKeys, on *)", policyeval.Request{Principal: who, Action: "cloudtrail:ListPublicKeys", Resource: "*"})
	for _, a := range []string{"cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail", "cloudtrail:PutEventSelectors"} {
		j.identityOnly(false, a+" on the trail", policyeval.Request{Principal: who, Action: a, Resource: c.trail.ARN()})
	}
	j.identityOnly(false, "cloudtrail:LookupEvents", policyeval.Request{Principal: who, Action: "cloudtrail:LookupEvents", Resource: "*"})

	// The Terraform state: nothing.
	if s := c.cfg.Backend.S3; s != nil {
		state := fmt.Sprintf("arn:%s:s3:::%s", c.part, s.Bucket)
		object := state + "/" + s.KeyPrefix + "/log-archive.tfstate"
		if res.state != nil {
			acct := strings.Split(s.RoleARN, ":")[4]
			for _, r := range []policyeval.Request{s3req("s3:GetObject", object), s3req("s3:GetObjectVersion", object), s3req("s3:ListBucket", state, "s3:prefix", s.KeyPrefix+"/"), s3req("s3:PutObject", object)} {
				j.record(res.state.where+" + "+id.where, r.Action+" on the Terraform state bucket", false, r, j.policies(res.state, acct, false, []policy.Document{id.doc}))
			}
		} else {
			j.identityOnly(false, "s3:GetObject on the Terraform state bucket", s3req("s3:GetObject", object))
		}
	}
	return j
}

// verifierKeys: on the copy of each bucket's region, kms:Decrypt through S3
// there with that bucket's context (S3's: the bucket ARN under a Bucket Key,
// the object ARN otherwise; on the trail bucket's copy CloudTrail's too),
// and nothing else, on any copy.
func (c *checker) verifierKeys(j verifierJudge, res verifierResources, trailBucket, recoveryBucket string, files []string) {
	who := j.who
	home := c.cfg.HomeRegion
	s3ctx, ct := "kms:EncryptionContext:aws:s3:arn", "kms:EncryptionContext:aws:cloudtrail:arn"
	acct := who.Account()
	for region, l := range res.keys {
		keyArn := res.keyArns[region]
		in := " with the key copy in " + region
		kms := func(action string, kv ...string) policyeval.Request {
			return policyeval.Request{Principal: who, Action: action, Resource: keyArn, Context: ctx(append([]string{"kms:CallerAccount", acct}, kv...)...)}
		}
		via := func(r string) string { return s3Via(c.part, r) }
		switch {
		case region == home:
			j.can(l, true, "decrypting a trail bucket object (Bucket Key context) through S3 in "+home+in, kms("kms:Decrypt", "kms:ViaService", via(home), s3ctx, trailBucket))
			j.can(l, true, "decrypting a trail bucket object (object ARN context) through S3 in "+home+in, kms("kms:Decrypt", "kms:ViaService", via(home), s3ctx, trailBucket+"/"+files[0]))
			j.can(l, true, "decrypting a log file under CloudTrail's encryption context through S3 in "+home+in, kms("kms:Decrypt", "kms:ViaService", via(home), ct, c.trail.ARN()))
			j.cannot(l, true, "decrypting with the trail bucket's context outside S3"+in, kms("kms:Decrypt", s3ctx, trailBucket))
			j.cannot(l, true, "decrypting under CloudTrail's encryption context outside S3"+in, kms("kms:Decrypt", ct, c.trail.ARN()))
			j.cannot(l, true, "decrypting under another account's trail's encryption context through S3"+in, kms("kms:Decrypt", "kms:ViaService", via(home), ct, c.otherTrail(Outsider, "t")))
			j.cannot(l, true, "decrypting another bucket's objects through S3"+in, kms("kms:Decrypt", "kms:ViaService", via(home), s3ctx, "arn:"+c.part+":s3:::someone-elses-bucket"))
			j.cannot(l, true, "decrypting through S3 without an encryption context"+in, kms("kms:Decrypt", "kms:ViaService", via(home)))
			if c.cfg.Replication.Enabled {
				j.cannot(l, true, "decrypting the recovery copies"+in, kms("kms:Decrypt", "kms:ViaService", via(c.cfg.Replication.Region), s3ctx, recoveryBucket))
			}
		case c.cfg.Replication.Enabled && region == c.cfg.Replication.Region:
			j.can(l, true, "decrypting a recovery copy (Bucket Key context) through S3 in "+region+in, kms("kms:Decrypt", "kms:ViaService", via(region), s3ctx, recoveryBucket))
			j.can(l, true, "decrypting a recovery copy (object ARN context) through S3 in "+region+in, kms("kms:Decrypt", "kms:ViaService", via(region), s3ctx, recoveryBucket+"/"+files[0]))
			j.cannot(l, true, "decrypting with the recovery bucket's context outside S3"+in, kms("kms:Decrypt", s3ctx, recoveryBucket))
			j.cannot(l, true, "decrypting the trail bucket's objects through S3"+in, kms("kms:Decrypt", "kms:ViaService", via(region), s3ctx, trailBucket))
			j.cannot(l, true, "decrypting under CloudTrail's encryption context"+in, kms("kms:Decrypt", "kms:ViaService", via(region), ct, c.trail.ARN()))
		default:
			j.cannot(l, true, "decrypting through S3 in "+region+in, kms("kms:Decrypt", "kms:ViaService", via(region), s3ctx, trailBucket))
			j.cannot(l, true, "decrypting the trail bucket's objects through S3 in "+home+in, kms("kms:Decrypt", "kms:ViaService", via(home), s3ctx, trailBucket))
		}
		for _, a := range []string{"kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:CreateGrant", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DisableKey"} {
			j.cannot(l, true, a+" through S3"+in, kms(a, "kms:ViaService", via(region), s3ctx, trailBucket))
		}
	}
}
