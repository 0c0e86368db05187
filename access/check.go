package access

import (
	"fmt"
	"sort"
	"strings"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/config"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/policyeval"
)

// Result is one expectation and what the evaluator decided.
type Result struct {
	// Policy locates the policy: <stack>/<resource type>.<name>.
	Policy string
	// Name describes the request and the expected outcome.
	Name string
	// Want is true when the request must be allowed.
	Want bool
	Got  policyeval.Decision
	Err  error
	// Fact marks a statement about the synthesized stacks rather than a
	// request: Want says whether it must hold, Got Allow that it does.
	Fact bool
}

// OK reports whether the evaluator decided as expected.
func (r Result) OK() bool { return r.Err == nil && r.Got.Allowed() == r.Want }

func (r Result) String() string {
	want := "denied"
	if r.Want {
		want = "allowed"
	}
	status := "ok  "
	if !r.OK() {
		status = "FAIL"
	}
	got := string(r.Got)
	if r.Err != nil {
		got = "error: " + r.Err.Error()
	}
	if r.Fact {
		holds := map[bool]string{true: "must hold", false: "must not hold"}[r.Want]
		if r.Err == nil {
			got = map[bool]string{true: "holds", false: "does not hold"}[r.Got.Allowed()]
		}
		return fmt.Sprintf("%s %s: %s %s (%s)", status, r.Policy, r.Name, holds, got)
	}
	return fmt.Sprintf("%s %s: %s must be %s (got %s)", status, r.Policy, r.Name, want, got)
}

// Outsider is an account that no configuration of ours names: its principals
// stand for everyone else.
const Outsider = "999999999999"

// Check evaluates, over the synthesized stacks of cfg, every expectation
// derived from cfg, step by step (see steps). A policy the expectations need
// but the stacks lack is an error.
func Check(cfg *config.Config, stacks []Stack) ([]Result, error) {
	return check(cfg, stacks, checkOptions{})
}

// checkOptions are the seams of the tests: what a seeded defect replaces
// that is not in the stacks.
type checkOptions struct {
	// verifierPolicy replaces the verifiers' identity policy
	// (config.Config.VerifierPolicy). Default: the configuration's.
	verifierPolicy *policy.Document
}

func check(cfg *config.Config, stacks []Stack, opts checkOptions) ([]Result, error) {
	if cfg.Bucket.Existing || cfg.ExistingKey() {
		// Their policies are not in the stacks: nothing here may pass for
		// a proof of them (docs/adopting.md).
		return nil, fmt.Errorf("cannot prove a configuration with bucket.existing or key.existing_arns yet: the bucket's and key's policies are their owners', not in the synthesized stacks; what they must add is proven by cmd/required-policy's tests only")
	}
	c := &checker{cfg: cfg, trail: cfg.TrailIdentity(), part: cfg.Partition(), stacks: stacks, opts: opts}
	for _, s := range stacks {
		if len(s.resources("aws_cloudtrail")) > 0 {
			st := s
			c.trailStack = &st
		}
		for _, k := range s.resources("aws_kms_key") {
			if k["multi_region"] == true {
				st := s
				c.archive = &st
			}
		}
	}
	if c.trailStack == nil || c.archive == nil {
		return nil, fmt.Errorf("the synthesized stacks hold no trail or no multi-region key; are they of this configuration?")
	}
	for _, step := range c.steps() {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return c.results, nil
}

// steps are the checks of Check, in the order their results are printed.
func (c *checker) steps() []func() error {
	return []func() error{
		// Who may use the trail's bucket, its key copies and the resources
		// beside them.
		c.trailBucket, c.keys, c.accessLogs, c.monitoring, c.replication, c.delegatedAdmin, c.athena, c.athenaProjection,
		// What the verifiers may read, and nothing else.
		c.verifiers,
		// What the log buckets' and the key's policies deny, which events
		// the trail logs, which alarms fire.
		c.logBucketProtection, c.accessLogProtection, c.forgedWrites, c.keyProtection, c.monitoringProtection, c.dataEvents, c.alarmChecks, c.replicationAlarm,
		// What the organization's guardrails deny.
		c.guardrails, c.monitoringGuardrails,
		// What the bootstrap's deploying and state roles may and may not do.
		c.bootstrap,
	}
}

type checker struct {
	cfg        *config.Config
	trail      policy.Trail
	part       string
	trailStack *Stack
	archive    *Stack
	// stacks are all of them: the management stack of a delegated
	// administrator's configuration (the registration, and the guardrails)
	// is neither trailStack nor archive.
	stacks          []Stack
	results         []Result
	current         located
	currentPolicies policyeval.Policies
	opts            checkOptions
}

// resolve gives references stand-in ARNs: keys by their logical name in the
// log-archive account and their region.
func (c *checker) resolve(s Stack) resolver {
	return func(typ, name, attr string) (string, error) {
		body, ok := s.resources(typ)[name]
		if !ok || attr != "arn" {
			return "", fmt.Errorf("stack %s: cannot resolve ${%s.%s.%s}", s.Name, typ, name, attr)
		}
		switch typ {
		case "aws_kms_key", "aws_kms_replica_key":
			return c.keyArn(name, region(body, c.cfg.HomeRegion)), nil
		}
		return "", fmt.Errorf("stack %s: cannot resolve ${%s.%s.%s}", s.Name, typ, name, attr)
	}
}

func (c *checker) keyArn(name, region string) string {
	return fmt.Sprintf("arn:%s:kms:%s:%s:key/%s", c.part, region, c.cfg.Accounts.LogArchive.ID, name)
}

// use makes l the resource policy the following expectations run against.
func (c *checker) use(l located, ps policyeval.Policies) {
	c.current = l
	ps.Resource = &c.current.doc
	c.currentPolicies = ps
}

// expect evaluates req against the current resource policy.
func (c *checker) expect(want bool, name string, req policyeval.Request, identity ...policy.Document) {
	ps := c.currentPolicies
	ps.Identity = identity
	got, err := policyeval.Evaluate(req, ps)
	c.results = append(c.results, Result{Policy: c.current.where, Name: name, Want: want, Got: got, Err: err})
}

// expectIdentity evaluates req against an identity policy alone.
func (c *checker) expectIdentity(l located, account string, want bool, name string, req policyeval.Request) {
	got, err := policyeval.Evaluate(req, policyeval.Policies{ResourceAccount: account, Identity: []policy.Document{l.doc}})
	c.results = append(c.results, Result{Policy: l.where, Name: name, Want: want, Got: got, Err: err})
}

func ctx(kv ...string) map[string][]string {
	m := map[string][]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = append(m[kv[i]], kv[i+1])
	}
	return m
}

func (c *checker) iamRole(account, name string) policyeval.Principal {
	return policyeval.Principal{ARN: fmt.Sprintf("arn:%s:iam::%s:role/%s", c.part, account, name)}
}

func (c *checker) otherTrail(account, name string) string {
	t := c.trail
	t.Account, t.Name = account, name
	return t.ARN()
}

// reader is a configured reader as the checks see it.
type reader struct {
	p policyeval.Principal
	// allowID and denyID are the reader's own IAM policies in the checks
	// that must allow and must deny: allow-all for another account's
	// principal (it must grant itself; ours must still allow it), none for a
	// role or user of the log-archive account (our policies must grant it
	// themselves). A reader given as the log-archive account's own id is
	// granted through that account's IAM policies: allow-all where it must
	// be allowed, none where our policies alone must not grant it.
	allowID, denyID []policy.Document
}

func (c *checker) readers() []reader {
	var out []reader
	for _, r := range c.cfg.Key.Readers {
		p := policyeval.Principal{ARN: r}
		byAccount := rules.AccountID(r) == nil
		if byAccount {
			p = c.iamRole(r, "LogReader")
		}
		switch {
		case p.Account() != c.cfg.Accounts.LogArchive.ID:
			out = append(out, reader{p, []policy.Document{policyeval.AllowAll}, []policy.Document{policyeval.AllowAll}})
		case byAccount:
			out = append(out, reader{p, []policy.Document{policyeval.AllowAll}, nil})
		default:
			out = append(out, reader{p, nil, nil})
		}
	}
	return out
}

func (c *checker) bucketPolicy(s Stack, bucket string) (located, error) {
	name, _, ok := s.find("aws_s3_bucket", "bucket", bucket)
	if !ok {
		return located{}, fmt.Errorf("stack %s has no bucket %s", s.Name, bucket)
	}
	pname, _, ok := s.find("aws_s3_bucket_policy", "bucket", "${aws_s3_bucket."+name+".id}")
	if !ok {
		return located{}, fmt.Errorf("stack %s: bucket %s has no policy", s.Name, bucket)
	}
	return s.policyAt("aws_s3_bucket_policy", pname, "policy", c.resolve(s))
}

var tls = []string{"aws:SecureTransport", "true"}
var noTLS = []string{"aws:SecureTransport", "false"}

func with(kv []string, more ...string) []string { return append(append([]string{}, kv...), more...) }

// logBucketReads: readers read over TLS only; nobody else reads or deletes.
func (c *checker) logBucketReads(bucketArn, logPath string) {
	object := bucketArn + "/" + logPath + c.trail.Account + "/CloudTrail/" + c.cfg.HomeRegion + "/2026/11/29/file.json.gz"
	outsider := c.iamRole(Outsider, "Admin")
	c.expect(false, "anonymous GetObject", policyeval.Request{Principal: policyeval.Anonymous, Action: "s3:GetObject", Resource: object, Context: ctx(tls...)})
	c.expect(false, "another account's GetObject", policyeval.Request{Principal: outsider, Action: "s3:GetObject", Resource: object, Context: ctx(tls...)}, policyeval.AllowAll)
	c.expect(false, "another account's DeleteObject", policyeval.Request{Principal: outsider, Action: "s3:DeleteObject", Resource: object, Context: ctx(tls...)}, policyeval.AllowAll)
	c.expect(false, "another account's PutBucketPolicy", policyeval.Request{Principal: outsider, Action: "s3:PutBucketPolicy", Resource: bucketArn, Context: ctx(tls...)}, policyeval.AllowAll)
	for _, r := range c.readers() {
		c.expect(true, "reader "+r.p.ARN+" GetObject over TLS", policyeval.Request{Principal: r.p, Action: "s3:GetObject", Resource: object, Context: ctx(tls...)}, r.allowID...)
		c.expect(false, "reader "+r.p.ARN+" GetObject without TLS", policyeval.Request{Principal: r.p, Action: "s3:GetObject", Resource: object, Context: ctx(noTLS...)}, r.allowID...)
		c.expect(false, "reader "+r.p.ARN+" DeleteObject", policyeval.Request{Principal: r.p, Action: "s3:DeleteObject", Resource: object, Context: ctx(tls...)}, r.denyID...)
	}
}

func (c *checker) trailBucket() error {
	l, err := c.bucketPolicy(*c.archive, c.cfg.Bucket.Name)
	if err != nil {
		return err
	}
	c.use(l, policyeval.Policies{ResourceAccount: c.cfg.Accounts.LogArchive.ID})
	bucketArn := fmt.Sprintf("arn:%s:s3:::%s", c.part, c.cfg.Bucket.Name)
	logPath := policy.LogPathPrefix(c.cfg.Trail.S3KeyPrefix)
	trailArn := c.trail.ARN()
	ct := policyeval.Principal{Service: policy.CloudTrailService}
	put := func(path string, kv ...string) policyeval.Request {
		return policyeval.Request{Principal: ct, Action: "s3:PutObject", Resource: bucketArn + "/" + path, Context: ctx(kv...)}
	}
	delivery := with(tls, "aws:SourceArn", trailArn, "s3:x-amz-acl", "bucket-owner-full-control")
	accountPath := logPath + c.trail.Account + "/CloudTrail/us-east-1/2026/11/29/f.json.gz"
	c.expect(true, "CloudTrail GetBucketAcl for this trail", policyeval.Request{Principal: ct, Action: "s3:GetBucketAcl", Resource: bucketArn, Context: ctx(with(tls, "aws:SourceArn", trailArn)...)})
	c.expect(true, "CloudTrail PutObject into the account path for this trail", put(accountPath, delivery...))
	if org := c.cfg.OrganizationID; org != "" {
		c.expect(true, "CloudTrail PutObject into the organization path for this trail", put(logPath+org+"/111111111111/CloudTrail/us-east-1/f.json.gz", delivery...))
	} else {
		c.expect(false, "CloudTrail PutObject into an organization path of an account trail", put(logPath+"o-exampleother/111111111111/CloudTrail/us-east-1/f.json.gz", delivery...))
	}
	c.expect(false, "CloudTrail PutObject for another trail of the same account", put(accountPath, with(tls, "aws:SourceArn", c.otherTrail(c.trail.Account, "other-trail"), "s3:x-amz-acl", "bucket-owner-full-control")...))
	c.expect(false, "CloudTrail PutObject for another account's trail", put(logPath+Outsider+"/CloudTrail/us-east-1/f.json.gz", with(tls, "aws:SourceArn", c.otherTrail(Outsider, c.trail.Name), "s3:x-amz-acl", "bucket-owner-full-control")...))
	c.expect(false, "CloudTrail PutObject without the bucket-owner-full-control ACL", put(accountPath, with(tls, "aws:SourceArn", trailArn)...))
	c.expect(false, "CloudTrail PutObject outside the key prefix", put("elsewhere/AWSLogs/"+c.trail.Account+"/f.json.gz", delivery...))
	c.expect(false, "CloudTrail PutObject without TLS", put(accountPath, with(noTLS, "aws:SourceArn", trailArn, "s3:x-amz-acl", "bucket-owner-full-control")...))
	c.additionalTrails(bucketArn, put, logPath)
	c.logBucketReads(bucketArn, logPath)
	c.readerSessions(bucketArn, logPath)
	return nil
}

// additionalTrails: each of bucket.additional_delivering_trails (the old
// trail of a cutover) delivers under its own key prefix and source, and
// only there; a trail on no list still delivers nothing.
func (c *checker) additionalTrails(bucketArn string, put func(string, ...string) policyeval.Request, ownPath string) {
	ct := policyeval.Principal{Service: policy.CloudTrailService}
	for _, t := range c.cfg.Bucket.AdditionalDeliveringTrails {
		owner, err := rules.TrailARN(t.ARN, c.part)
		if err != nil {
			continue // refused by the configuration's validation
		}
		path := policy.LogPathPrefix(t.S3KeyPrefix)
		delivery := with(tls, "aws:SourceArn", t.ARN, "s3:x-amz-acl", "bucket-owner-full-control")
		own := path + owner + "/CloudTrail/us-east-1/2026/11/29/f.json.gz"
		c.expect(true, "CloudTrail GetBucketAcl for the additional trail "+t.ARN, policyeval.Request{Principal: ct, Action: "s3:GetBucketAcl", Resource: bucketArn, Context: ctx(with(tls, "aws:SourceArn", t.ARN)...)})
		c.expect(true, "CloudTrail PutObject into its owner's path for the additional trail "+t.ARN, put(own, delivery...))
		if org := c.cfg.OrganizationID; org != "" {
			c.expect(true, "CloudTrail PutObject into the organization path for the additional trail "+t.ARN, put(path+org+"/111111111111/CloudTrail/us-east-1/f.json.gz", delivery...))
		}
		c.expect(false, "CloudTrail PutObject without the bucket-owner-full-control ACL for the additional trail "+t.ARN, put(own, with(tls, "aws:SourceArn", t.ARN)...))
		c.expect(false, "CloudTrail PutObject outside its key prefix for the additional trail "+t.ARN, put("elsewhere/AWSLogs/"+owner+"/f.json.gz", delivery...))
		c.expect(false, "CloudTrail PutObject into another account's path for the additional trail "+t.ARN, put(path+Outsider+"/CloudTrail/us-east-1/f.json.gz", delivery...))
		c.expect(false, "CloudTrail PutObject under the additional trail's prefix for a trail on no list", put(own, with(tls, "aws:SourceArn", c.otherTrail(owner, "third-trail"), "s3:x-amz-acl", "bucket-owner-full-control")...))
		// docs/aws-rules.md#log-file-names: this trail's tree is its own.
		c.expect(false, "CloudTrail PutObject into this trail's account path for the additional trail "+t.ARN, put(ownPath+c.trail.Account+"/CloudTrail/us-east-1/2026/11/29/f.json.gz", delivery...))
		if org := c.cfg.OrganizationID; org != "" {
			c.expect(false, "CloudTrail PutObject into this trail's organization path for the additional trail "+t.ARN, put(ownPath+org+"/111111111111/CloudTrail/us-east-1/f.json.gz", delivery...))
		}
	}
}

// copyOf is one copy of the multi-region key: the primary or a replica.
type copyOf struct{ typ, name string }

// keyCopies lists the copies of the multi-region key, checking there are as
// many as the configuration asks for.
func (c *checker) keyCopies() ([]copyOf, error) {
	var copies []copyOf
	for name, k := range c.archive.resources("aws_kms_key") {
		if k["multi_region"] == true {
			copies = append(copies, copyOf{"aws_kms_key", name})
		}
	}
	for name := range c.archive.resources("aws_kms_replica_key") {
		copies = append(copies, copyOf{"aws_kms_replica_key", name})
	}
	sort.Slice(copies, func(i, j int) bool { return copies[i].name < copies[j].name })
	if want := 1 + len(c.cfg.Key.ReplicaRegions); len(copies) != want {
		return nil, fmt.Errorf("stack %s has %d copies of the multi-region key, the configuration asks for %d", c.archive.Name, len(copies), want)
	}
	return copies, nil
}

func (c *checker) keys() error {
	copies, err := c.keyCopies()
	if err != nil {
		return err
	}
	trailArn := c.trail.ARN()
	ct := policyeval.Principal{Service: policy.CloudTrailService}
	ctxKey := "kms:EncryptionContext:aws:cloudtrail:arn"
	for _, k := range copies {
		l, err := c.archive.policyAt(k.typ, k.name, "policy", c.resolve(*c.archive))
		if err != nil {
			return err
		}
		c.use(l, policyeval.Policies{ResourceAccount: c.cfg.Accounts.LogArchive.ID, KeyPolicy: true})
		gen := func(kv ...string) policyeval.Request {
			return policyeval.Request{Principal: ct, Action: "kms:GenerateDataKey", Resource: "*", Context: ctx(kv...)}
		}
		c.expect(true, "CloudTrail GenerateDataKey for this trail", gen(ctxKey, trailArn, "aws:SourceArn", trailArn))
		c.expect(false, "CloudTrail GenerateDataKey for another account's trail", gen(ctxKey, c.otherTrail(Outsider, "t"), "aws:SourceArn", c.otherTrail(Outsider, "t")))
		c.expect(false, "CloudTrail GenerateDataKey on behalf of another trail", gen(ctxKey, trailArn, "aws:SourceArn", c.otherTrail(c.trail.Account, "other-trail")))
		c.expect(false, "CloudTrail GenerateDataKey with another account's encryption context", gen(ctxKey, c.otherTrail(Outsider, "t"), "aws:SourceArn", trailArn))
		c.expect(true, "CloudTrail DescribeKey for this trail", policyeval.Request{Principal: ct, Action: "kms:DescribeKey", Resource: "*", Context: ctx("aws:SourceArn", trailArn)})
		outsider := c.iamRole(Outsider, "Admin")
		c.expect(false, "another account decrypting log files", policyeval.Request{Principal: outsider, Action: "kms:Decrypt", Resource: "*", Context: ctx(ctxKey, trailArn, "kms:CallerAccount", Outsider)}, policyeval.AllowAll)
		c.expect(false, "another account scheduling deletion", policyeval.Request{Principal: outsider, Action: "kms:ScheduleKeyDeletion", Resource: "*", Context: ctx("kms:CallerAccount", Outsider)}, policyeval.AllowAll)
		for _, r := range c.readers() {
			acct := r.p.Account()
			c.expect(true, "reader "+r.p.ARN+" decrypting log files", policyeval.Request{Principal: r.p, Action: "kms:Decrypt", Resource: "*", Context: ctx(ctxKey, trailArn, "kms:CallerAccount", acct)}, r.allowID...)
			c.expect(false, "reader "+r.p.ARN+" decrypting without the CloudTrail encryption context", policyeval.Request{Principal: r.p, Action: "kms:Decrypt", Resource: "*", Context: ctx("kms:CallerAccount", acct)}, r.denyID...)
			c.expect(false, "reader "+r.p.ARN+" encrypting", policyeval.Request{Principal: r.p, Action: "kms:Encrypt", Resource: "*", Context: ctx(ctxKey, trailArn, "kms:CallerAccount", acct)}, r.denyID...)
		}
		c.keyAdministrators()
		if err := c.keyReplication(region(c.archive.resources(k.typ)[k.name], c.cfg.HomeRegion)); err != nil {
			return err
		}
	}
	return nil
}

func s3Via(partition, region string) string {
	if partition == "aws-cn" {
		return "s3." + region + ".amazonaws.com.cn"
	}
	return "s3." + region + ".amazonaws.com"
}

func (c *checker) accessLogs() error {
	if !c.cfg.Bucket.AccessLogs.Enabled {
		return nil
	}
	pairs := [][2]string{{c.cfg.Bucket.AccessLogs.BucketName, c.cfg.Bucket.Name}}
	if c.cfg.Replication.Enabled {
		pairs = append(pairs, [2]string{c.cfg.Replication.AccessLogBucketName, c.cfg.Replication.BucketName})
	}
	for _, p := range pairs {
		l, err := c.bucketPolicy(*c.archive, p[0])
		if err != nil {
			return err
		}
		c.use(l, policyeval.Policies{ResourceAccount: c.cfg.Accounts.LogArchive.ID})
		logBucket := fmt.Sprintf("arn:%s:s3:::%s", c.part, p[0])
		source := fmt.Sprintf("arn:%s:s3:::%s", c.part, p[1])
		svc := policyeval.Principal{Service: policy.S3LoggingService}
		put := func(kv ...string) policyeval.Request {
			return policyeval.Request{Principal: svc, Action: "s3:PutObject", Resource: logBucket + "/" + policy.AccessLogTargetPrefix(p[1]) + "2026-11-29-log", Context: ctx(kv...)}
		}
		acct := c.cfg.Accounts.LogArchive.ID
		c.expect(true, "S3 logging delivering "+p[1]+"'s access logs", put(with(tls, "aws:SourceArn", source, "aws:SourceAccount", acct)...))
		c.expect(false, "S3 logging delivering another bucket's access logs", put(with(tls, "aws:SourceArn", "arn:"+c.part+":s3:::someone-elses-bucket", "aws:SourceAccount", acct)...))
		c.expect(false, "S3 logging delivering for another account", put(with(tls, "aws:SourceArn", source, "aws:SourceAccount", Outsider)...))
		c.expect(false, "anonymous GetObject", policyeval.Request{Principal: policyeval.Anonymous, Action: "s3:GetObject", Resource: logBucket + "/x", Context: ctx(tls...)})
		c.expect(false, "another account's GetObject", policyeval.Request{Principal: c.iamRole(Outsider, "Admin"), Action: "s3:GetObject", Resource: logBucket + "/x", Context: ctx(tls...)}, policyeval.AllowAll)
	}
	return nil
}

func (c *checker) monitoring() error {
	s := *c.trailStack
	trailArn := c.trail.ARN()
	// The trail's ARN names its owner, the management account; its log
	// group, role, topic and their key live in the account that creates it
	// (a delegated administrator's; CloudTrail user guide, "Organization
	// delegated administrator"). Built here from the configuration, not with
	// the product's policy.MonitoringHolder.
	mon := c.trail
	mon.Account = c.cfg.TrailCreator().ID
	ct := policyeval.Principal{Service: policy.CloudTrailService}
	// Found by reference from the log group or the notification topic: the
	// stack may hold other single-region keys (the watchdog key's,
	// the replication alarm topic's, the Athena results key).
	monitoringKey := c.monitoringKey(s)
	if _, ok := s.resources("aws_kms_key")[monitoringKey]; !ok {
		monitoringKey = ""
	}
	if w := c.cfg.Trail.CloudWatchLogs; w.Enabled || c.cfg.Trail.Notifications.Enabled {
		if monitoringKey == "" {
			// A log group or topic of another name, or not encrypted with a
			// key of the stack: a failed expectation, not a broken check.
			c.results = append(c.results, Result{Policy: s.Name + "/aws_kms_key.*", Name: "a monitoring key of the stack encrypting the trail's log group (or, without one, its notification topic)",
				Want: true, Got: policyeval.ImplicitDeny, Err: fmt.Errorf("stack %s has none", s.Name), Fact: true})
		}
	}
	if w := c.cfg.Trail.CloudWatchLogs; monitoringKey != "" && (w.Enabled || c.cfg.Trail.Notifications.Enabled) {
		l, err := s.policyAt("aws_kms_key", monitoringKey, "policy", c.resolve(s))
		if err != nil {
			return err
		}
		c.use(l, policyeval.Policies{ResourceAccount: mon.Account, KeyPolicy: true})
		if w.Enabled {
			logs := policyeval.Principal{Service: "logs." + c.cfg.HomeRegion + ".amazonaws.com"}
			if c.part == "aws-cn" {
				logs.Service += ".cn"
			}
			group := policy.LogGroupARN(mon, w.LogGroupName)
			c.expect(true, "CloudWatch Logs encrypting the trail's log group", policyeval.Request{Principal: logs, Action: "kms:GenerateDataKey", Resource: "*", Context: ctx("kms:EncryptionContext:aws:logs:arn", group)})
			c.expect(false, "CloudWatch Logs encrypting another log group", policyeval.Request{Principal: logs, Action: "kms:GenerateDataKey", Resource: "*", Context: ctx("kms:EncryptionContext:aws:logs:arn", group+"-other")})
		}
		c.expect(false, "another service using the key", policyeval.Request{Principal: policyeval.Principal{Service: "ec2.amazonaws.com"}, Action: "kms:Decrypt", Resource: "*"})
		if c.cfg.Trail.Notifications.Enabled {
			c.expect(true, "CloudTrail encrypting notifications for this trail", policyeval.Request{Principal: ct, Action: "kms:GenerateDataKey", Resource: "*", Context: ctx("aws:SourceArn", trailArn)})
			c.expect(false, "CloudTrail encrypting notifications for another trail", policyeval.Request{Principal: ct, Action: "kms:GenerateDataKey", Resource: "*", Context: ctx("aws:SourceArn", c.otherTrail(c.trail.Account, "other-trail"))})
			// docs/aws-rules.md#cloudtrail-topic-key: no AWS page says SNS's KMS
			// request carries aws:SourceArn; the grant must work without it.
			c.expect(true, "CloudTrail encrypting notifications, the request carrying no aws:SourceArn", policyeval.Request{Principal: ct, Action: "kms:GenerateDataKey", Resource: "*"})
		}
	}
	if w := c.cfg.Trail.CloudWatchLogs; w.Enabled {
		rs, roleName, pname, ok := c.serviceRole(s, "")
		if !ok {
			return fmt.Errorf("stack %s has no CloudWatch Logs delivery role", s.Name)
		}
		trust, err := rs.policyAt("aws_iam_role", roleName, "assume_role_policy", c.resolve(rs))
		if err != nil {
			return err
		}
		c.use(trust, policyeval.Policies{ResourceAccount: mon.Account})
		assume := func(p policyeval.Principal, kv ...string) policyeval.Request {
			return policyeval.Request{Principal: p, Action: "sts:AssumeRole", Resource: "*", Context: ctx(kv...)}
		}
		// CloudTrail user guide, "Sending events to CloudWatch Logs": the
		// documented trust has no condition, and no AWS document says
		// CloudTrail sends aws:SourceArn here, so it must work without one.
		c.expect(true, "CloudTrail assuming the role (no aws:SourceArn in the request)", assume(ct))
		c.expect(false, "another service assuming the role", assume(policyeval.Principal{Service: "ec2.amazonaws.com"}))
		c.trustNamesItsCallers(mon.Account)
		if pname == "" {
			return fmt.Errorf("stack %s: the CloudWatch Logs role has no policy", rs.Name)
		}
		perms, err := rs.policyAt("aws_iam_role_policy", pname, "policy", c.resolve(rs))
		if err != nil {
			return err
		}
		role := c.iamRole(mon.Account, "CloudTrailToCloudWatchLogs-x")
		group := policy.LogGroupARN(mon, w.LogGroupName)
		stream := func(name string) string { return group + ":log-stream:" + name }
		c.expectIdentity(perms, mon.Account, true, "role putting events into the trail's stream", policyeval.Request{Principal: role, Action: "logs:PutLogEvents", Resource: stream(c.trail.Account + "_CloudTrail_" + c.cfg.HomeRegion + "_1")})
		c.expectIdentity(perms, mon.Account, true, "role creating the trail's stream", policyeval.Request{Principal: role, Action: "logs:CreateLogStream", Resource: stream(c.trail.Account + "_CloudTrail_" + c.cfg.HomeRegion + "_1")})
		c.creatorStream(perms, role, stream)
		if org := c.cfg.OrganizationID; org != "" {
			c.expectIdentity(perms, mon.Account, true, "role putting events into an organization stream", policyeval.Request{Principal: role, Action: "logs:PutLogEvents", Resource: stream(org + "_111111111111_CloudTrail_" + c.cfg.HomeRegion)})
		}
		c.expectIdentity(perms, mon.Account, false, "role putting events into another log group", policyeval.Request{Principal: role, Action: "logs:PutLogEvents", Resource: policy.LogGroupARN(mon, "other") + ":log-stream:x"})
		c.expectIdentity(perms, mon.Account, false, "role deleting the log group", policyeval.Request{Principal: role, Action: "logs:DeleteLogGroup", Resource: group})
	}
	if n := c.cfg.Trail.Notifications; n.Enabled {
		pname, err := s.topicPolicy(n.TopicName)
		if err != nil {
			return err
		}
		l, err := s.policyAt("aws_sns_topic_policy", pname, "policy", c.resolve(s))
		if err != nil {
			return err
		}
		c.use(l, policyeval.Policies{ResourceAccount: mon.Account})
		topic := policy.TopicARN(mon, n.TopicName)
		pub := func(p policyeval.Principal, kv ...string) policyeval.Request {
			return policyeval.Request{Principal: p, Action: "sns:Publish", Resource: topic, Context: ctx(kv...)}
		}
		c.expect(true, "CloudTrail publishing for this trail", pub(ct, with(tls, "aws:SourceArn", trailArn)...))
		c.expect(false, "CloudTrail publishing for another trail", pub(ct, with(tls, "aws:SourceArn", c.otherTrail(Outsider, "t"))...))
		c.expect(false, "CloudTrail publishing without TLS", pub(ct, with(noTLS, "aws:SourceArn", trailArn)...))
		c.expect(false, "anonymous publishing", pub(policyeval.Anonymous, tls...))
		c.expect(false, "another account publishing", pub(c.iamRole(Outsider, "Admin"), tls...), policyeval.AllowAll)
	}
	return nil
}

func (c *checker) replication() error {
	rp := c.cfg.Replication
	if !rp.Enabled {
		return nil
	}
	s := *c.archive
	acct := c.cfg.Accounts.LogArchive.ID
	l, err := c.bucketPolicy(s, rp.BucketName)
	if err != nil {
		return err
	}
	c.use(l, policyeval.Policies{ResourceAccount: acct})
	c.logBucketReads(fmt.Sprintf("arn:%s:s3:::%s", c.part, rp.BucketName), policy.LogPathPrefix(c.cfg.Trail.S3KeyPrefix))
	c.readerSessions(fmt.Sprintf("arn:%s:s3:::%s", c.part, rp.BucketName), policy.LogPathPrefix(c.cfg.Trail.S3KeyPrefix))

	rs, roleName, _, ok := c.serviceRole(s, rp.RoleName)
	if !ok {
		return fmt.Errorf("stack %s has no replication role %s", s.Name, rp.RoleName)
	}
	trust, err := rs.policyAt("aws_iam_role", roleName, "assume_role_policy", c.resolve(rs))
	if err != nil {
		return err
	}
	c.use(trust, policyeval.Policies{ResourceAccount: acct})
	c.expect(true, "S3 assuming the replication role", policyeval.Request{Principal: policyeval.Principal{Service: policy.S3Service}, Action: "sts:AssumeRole", Resource: "*"})
	c.expect(false, "CloudTrail assuming the replication role", policyeval.Request{Principal: policyeval.Principal{Service: policy.CloudTrailService}, Action: "sts:AssumeRole", Resource: "*"})
	c.trustNamesItsCallers(acct)
	perms, err := c.replicationRolePolicy()
	if err != nil {
		return err
	}
	role := c.iamRole(acct, rp.RoleName)
	src := fmt.Sprintf("arn:%s:s3:::%s", c.part, c.cfg.Bucket.Name)
	dst := fmt.Sprintf("arn:%s:s3:::%s", c.part, rp.BucketName)
	var primary, replica string
	for name := range s.resources("aws_kms_key") {
		if s.resources("aws_kms_key")[name]["multi_region"] == true {
			primary = c.keyArn(name, c.cfg.HomeRegion)
		}
	}
	for name, r := range s.resources("aws_kms_replica_key") {
		if region(r, c.cfg.HomeRegion) == rp.Region {
			replica = c.keyArn(name, rp.Region)
		}
	}
	// Every request is judged with every policy AWS evaluates for it: the
	// role's policy and the policy of the bucket or key copy it touches.
	resources, err := c.replicationResources(primary, replica)
	if err != nil {
		return err
	}
	expect := func(want bool, name string, action, resource string, kv ...string) {
		ps, where := resources.of(resource, acct)
		if strings.HasPrefix(action, "kms:") && !strings.HasSuffix(resource, ":key/untagged") {
			kv = c.keyTag(kv...)
		}
		got, err := policyeval.Evaluate(policyeval.Request{Principal: role, Action: action, Resource: resource, Context: ctx(kv...)}, policyeval.Policies{
			Resource: ps.Resource, ResourceAccount: ps.ResourceAccount, KeyPolicy: ps.KeyPolicy, Identity: []policy.Document{perms.doc},
		})
		c.results = append(c.results, Result{Policy: perms.where + where, Name: name, Want: want, Got: got, Err: err})
	}
	expect(true, "reading the source's replication configuration", "s3:GetReplicationConfiguration", src)
	expect(true, "reading source object versions", "s3:GetObjectVersionForReplication", src+"/AWSLogs/x")
	expect(true, "reading source object retention", "s3:GetObjectRetention", src+"/AWSLogs/x")
	expect(true, "replicating into the recovery bucket", "s3:ReplicateObject", dst+"/AWSLogs/x")
	expect(false, "replicating into another bucket", "s3:ReplicateObject", "arn:"+c.part+":s3:::someone-elses-bucket/x")
	expect(false, "deleting source objects", "s3:DeleteObject", src+"/AWSLogs/x")
	expect(false, "writing the recovery bucket directly", "s3:PutObject", dst+"/AWSLogs/x")
	expect(false, "deleting recovery copies", "s3:DeleteObject", dst+"/AWSLogs/x")
	expect(false, "changing the source bucket policy", "s3:PutBucketPolicy", src)
	expect(true, "decrypting with the source key through S3 in the home region", "kms:Decrypt", primary, "kms:ViaService", s3Via(c.part, c.cfg.HomeRegion), "kms:EncryptionContext:aws:s3:arn", src)
	expect(false, "decrypting with the source key outside S3", "kms:Decrypt", primary, "kms:EncryptionContext:aws:s3:arn", src)
	// The source object may carry S3's context (the bucket ARN under a
	// Bucket Key, else the object ARN) or CloudTrail's
	// (docs/aws-rules.md#readers-through-s3): the role decrypts under either,
	// and nothing else.
	ct := "kms:EncryptionContext:aws:cloudtrail:arn"
	expect(true, "decrypting a source object (object ARN context) with the source key through S3 in the home region", "kms:Decrypt", primary, "kms:ViaService", s3Via(c.part, c.cfg.HomeRegion), "kms:EncryptionContext:aws:s3:arn", src+"/AWSLogs/x")
	expect(true, "decrypting a source log file under CloudTrail's encryption context with the source key through S3 in the home region", "kms:Decrypt", primary, "kms:ViaService", s3Via(c.part, c.cfg.HomeRegion), ct, c.trail.ARN())
	expect(false, "decrypting under CloudTrail's encryption context outside S3", "kms:Decrypt", primary, ct, c.trail.ARN())
	expect(false, "decrypting under CloudTrail's encryption context through S3 in the recovery region", "kms:Decrypt", primary, "kms:ViaService", s3Via(c.part, rp.Region), ct, c.trail.ARN())
	expect(false, "decrypting under another account's trail's encryption context", "kms:Decrypt", primary, "kms:ViaService", s3Via(c.part, c.cfg.HomeRegion), ct, c.otherTrail(Outsider, "t"))
	expect(false, "decrypting another bucket's objects with the source key through S3", "kms:Decrypt", primary, "kms:ViaService", s3Via(c.part, c.cfg.HomeRegion), "kms:EncryptionContext:aws:s3:arn", "arn:"+c.part+":s3:::someone-elses-bucket")
	expect(false, "decrypting with the source key through S3 without an encryption context", "kms:Decrypt", primary, "kms:ViaService", s3Via(c.part, c.cfg.HomeRegion))
	expect(false, "re-encrypting source log files under CloudTrail's encryption context", "kms:ReEncryptFrom", primary, "kms:ViaService", s3Via(c.part, c.cfg.HomeRegion), ct, c.trail.ARN())
	expect(false, "generating data keys with the source key under CloudTrail's encryption context", "kms:GenerateDataKey", primary, "kms:ViaService", s3Via(c.part, c.cfg.HomeRegion), ct, c.trail.ARN())
	expect(true, "encrypting with the replica key through S3 in the recovery region", "kms:Encrypt", replica, "kms:ViaService", s3Via(c.part, rp.Region), "kms:EncryptionContext:aws:s3:arn", dst)
	expect(false, "encrypting with the source key", "kms:Encrypt", primary, "kms:ViaService", s3Via(c.part, rp.Region), "kms:EncryptionContext:aws:s3:arn", dst)
	c.replicationAdditions(expect, dst, primary, replica)
	if c.cfg.BootstrapEnabled() {
		// The bootstrap's role names the keys by tag: a key without it,
		// however the other conditions match, is out of reach.
		untaggedIn := func(region string) string { return fmt.Sprintf("arn:%s:kms:%s:%s:key/untagged", c.part, region, acct) }
		expect(false, "encrypting with a key without the bootstrap's tag through S3 in the recovery region", "kms:Encrypt", untaggedIn(rp.Region), "kms:ViaService", s3Via(c.part, rp.Region), "kms:EncryptionContext:aws:s3:arn", dst)
		expect(false, "decrypting with a key without the bootstrap's tag through S3 in the home region", "kms:Decrypt", untaggedIn(c.cfg.HomeRegion), "kms:ViaService", s3Via(c.part, c.cfg.HomeRegion), "kms:EncryptionContext:aws:s3:arn", src)
		expect(false, "replicating deletes into another bucket", "s3:ReplicateDelete", "arn:"+c.part+":s3:::someone-elses-bucket/x")
		expect(false, "replicating tags into another bucket", "s3:ReplicateTags", "arn:"+c.part+":s3:::someone-elses-bucket/x")
	}
	return nil
}
