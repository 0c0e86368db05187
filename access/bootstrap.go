package access

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/config"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/policyeval"
)

// serviceRole finds a service role (by name, or the CloudWatch Logs
// delivery role by its name_prefix when name is "") in the stack first,
// then, with the bootstrap, in the bootstrap stacks, which create them
// (docs/bootstrap.md#service-roles); with the logical id of its inline
// policy.
func (c *checker) serviceRole(in Stack, name string) (Stack, string, string, bool) {
	stacks := []Stack{in}
	if c.cfg.BootstrapEnabled() {
		for _, s := range c.stacks {
			if strings.HasPrefix(s.Name, "bootstrap-") {
				stacks = append(stacks, s)
			}
		}
	}
	for _, s := range stacks {
		for logical, r := range s.resources("aws_iam_role") {
			if (name != "" && r["name"] == name) || (name == "" && r["name_prefix"] == policy.CloudWatchLogsRoleNamePrefix) ||
				(name == "" && c.cfg.BootstrapEnabled() && r["name"] == c.cfg.DeliveryRoleName()) {
				for pname, pb := range s.resources("aws_iam_role_policy") {
					if pb["role"] == "${aws_iam_role."+logical+".id}" || pb["role"] == "${aws_iam_role."+logical+".name}" {
						return s, logical, pname, true
					}
				}
				return s, logical, "", true
			}
		}
	}
	return Stack{}, "", "", false
}

// stackInAccount: the stack's providers are pinned to account
// (allowed_account_ids); a stack that pins none is not excluded.
func stackInAccount(s Stack, account string) bool {
	provs, _ := object(s.JSON, "provider")["aws"].([]any)
	for _, p := range provs {
		ids, ok := p.(map[string]any)["allowed_account_ids"].([]any)
		if !ok {
			continue
		}
		for _, id := range ids {
			if id == account {
				return true
			}
		}
		return false
	}
	return true
}

// stackAssumes: the stack's providers assume role (assume_role.role_arn):
// the role deploys it.
func stackAssumes(s Stack, role string) bool {
	provs, _ := object(s.JSON, "provider")["aws"].([]any)
	for _, p := range provs {
		ars, _ := p.(map[string]any)["assume_role"].([]any)
		for _, ar := range ars {
			if m, ok := ar.(map[string]any); ok && m["role_arn"] == role {
				return true
			}
		}
	}
	return false
}

// keyTag is the request context of a key carrying the bootstrap's tag
// (the stacks tag every key with it when the bootstrap is on); none
// without the bootstrap.
func (c *checker) keyTag(kv ...string) []string {
	if c.cfg.BootstrapEnabled() {
		return append(kv, "aws:ResourceTag/"+policy.GuardTagKey, c.cfg.Trail.Name)
	}
	return kv
}

// bootstrapRole is a role a bootstrap stack creates, with its synthesized
// trust and inline policies.
type bootstrapRole struct {
	arn, account string
	trust        located
	policies     []policy.Document
	where        string
}

// findBootstrapRole finds the role arn (name and path) in the stacks, with
// its trust policy and every inline policy attached to it.
func (c *checker) findBootstrapRole(arn string) (bootstrapRole, error) {
	acct := strings.Split(arn, ":")[4]
	res := arn[strings.Index(arn, ":role/")+len(":role"):]
	i := strings.LastIndex(res, "/")
	path, name := res[:i+1], res[i+1:]
	for _, s := range c.stacks {
		if !stackInAccount(s, acct) {
			continue
		}
		for logical, body := range s.resources("aws_iam_role") {
			if body["name"] != name || body["path"] != path {
				continue
			}
			trust, err := s.policyAt("aws_iam_role", logical, "assume_role_policy", c.resolve(s))
			if err != nil {
				return bootstrapRole{}, err
			}
			r := bootstrapRole{arn: arn, account: acct, trust: trust, where: fmt.Sprintf("%s/aws_iam_role.%s", s.Name, logical)}
			var names []string
			for pname, pb := range s.resources("aws_iam_role_policy") {
				if pb["role"] == "${aws_iam_role."+logical+".name}" || pb["role"] == "${aws_iam_role."+logical+".id}" {
					names = append(names, pname)
				}
			}
			sort.Strings(names)
			for _, pname := range names {
				l, err := s.policyAt("aws_iam_role_policy", pname, "policy", c.resolve(s))
				if err != nil {
					return bootstrapRole{}, err
				}
				r.policies = append(r.policies, l.doc)
			}
			if len(r.policies) == 0 {
				return bootstrapRole{}, fmt.Errorf("stack %s: role %s has no inline policy", s.Name, arn)
			}
			return r, nil
		}
	}
	return bootstrapRole{}, fmt.Errorf("no synthesized stack creates the role %s (bootstrap.trusted_principals is set)", arn)
}

// bootstrap: with bootstrap.trusted_principals, each deploying role, judged
// with its own synthesized inline policies and the synthesized bucket and key
// policies it meets, may change the log buckets' and the keys' policies
// (what deploying is) but may not read, write, delete or unlock a log
// object, nor use any key copy for data, nor grant on it, nor change its
// own role; only the trusted principals may assume it. The state role
// reaches the state objects only; the state bucket refuses requests without
// TLS (docs/bootstrap.md#what-the-access-check-proves).
func (c *checker) bootstrap() error {
	if !c.cfg.BootstrapEnabled() {
		return nil
	}
	copies, err := c.keyCopies()
	if err != nil {
		return err
	}
	archiveAcct := c.cfg.Accounts.LogArchive.ID
	prefix := policy.LogPathPrefix(c.cfg.Trail.S3KeyPrefix)
	for _, a := range c.cfg.BootstrapAccounts() {
		for _, arn := range a.Deployers {
			r, err := c.findBootstrapRole(arn)
			if err != nil {
				return err
			}
			dep := policyeval.Principal{ARN: arn}
			for _, name := range c.cfg.LogBuckets() {
				l, err := c.bucketPolicy(*c.archive, name)
				if err != nil {
					return err
				}
				c.use(l, policyeval.Policies{ResourceAccount: archiveAcct})
				bucketArn := fmt.Sprintf("arn:%s:s3:::%s", c.part, name)
				object := bucketArn + "/" + prefix + c.trail.Account + "/CloudTrail/" + c.cfg.HomeRegion + "/2026/11/29/f.json.gz"
				for _, act := range []string{"s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:BypassGovernanceRetention", "s3:PutObjectRetention"} {
					c.expect(false, "the deploying role "+arn+" (its bootstrap policies) "+act+" on an object of "+name, asIAM(dep, act, object), r.policies...)
				}
				if a.ID == archiveAcct && name == c.cfg.Bucket.Name {
					c.expect(true, "the deploying role "+arn+" (its bootstrap policies) s3:PutBucketPolicy on "+name, asIAM(dep, "s3:PutBucketPolicy", bucketArn), r.policies...)
				}
			}
			for _, k := range copies {
				l, err := c.archive.policyAt(k.typ, k.name, "policy", c.resolve(*c.archive))
				if err != nil {
					return err
				}
				c.use(l, policyeval.Policies{ResourceAccount: archiveAcct, KeyPolicy: true})
				reg := region(c.archive.resources(k.typ)[k.name], c.cfg.HomeRegion)
				keyArn := c.keyArn(k.name, reg)
				for _, act := range []string{"kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:CreateGrant"} {
					req := policyeval.Request{Principal: dep, Action: act, Resource: keyArn, Context: ctx("kms:EncryptionContext:aws:cloudtrail:arn", c.trail.ARN(), "kms:CallerAccount", r.account, "aws:PrincipalArn", arn)}
					c.expect(false, "the deploying role "+arn+" (its bootstrap policies) "+act+" with the key copy in "+reg, req, r.policies...)
				}
				if a.ID == archiveAcct {
					req := policyeval.Request{Principal: dep, Action: "kms:PutKeyPolicy", Resource: keyArn, Context: ctx(c.keyTag("kms:CallerAccount", r.account, "aws:PrincipalArn", arn)...)}
					c.expect(true, "the deploying role "+arn+" (its bootstrap policies) kms:PutKeyPolicy on the key copy in "+reg, req, r.policies...)
				}
			}
			self := located{where: r.where, doc: policy.Document{}}
			for _, d := range r.policies {
				self.doc.Statement = append(self.doc.Statement, d.Statement...)
			}
			self.doc.Version = policy.Version
			for _, act := range []string{"iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:AttachRolePolicy", "iam:DeleteRolePolicy"} {
				c.expectIdentity(self, r.account, false, "the deploying role "+arn+" "+act+" on itself", policyeval.Request{Principal: dep, Action: act, Resource: arn})
			}
			c.deployerLimits(r, a, self, dep)
			c.bootstrapTrust(r)
		}
	}
	return c.stateAccess()
}

// deployerLimits: no deploying role may create, rewrite or delete any
// role, the service roles included (docs/bootstrap.md#service-roles); it
// may manage only the keys and SCPs with the bootstrap's tag, create them
// only with it, and neither remove nor change it; it may attach SCPs only
// to the configured targets and register only CloudTrail's delegated
// administrator.
func (c *checker) deployerLimits(r bootstrapRole, a config.BootstrapAccount, self located, dep policyeval.Principal) {
	arn, acct := r.arn, r.account
	expect := func(want bool, name string, req policyeval.Request) {
		c.expectIdentity(self, acct, want, "the deploying role "+arn+" "+name, req)
	}
	role := func(name string) string { return fmt.Sprintf("arn:%s:iam::%s:role/%s", c.part, acct, name) }
	targets := append(c.cfg.ServiceRolesIn(acct), role(policy.CloudWatchLogsRoleNamePrefix+"backdoor"), role("AnyRole"), arn)
	for _, t := range targets {
		for _, act := range policy.DeployerIAMWriteActions {
			expect(false, act+" on "+t, policyeval.Request{Principal: dep, Action: act, Resource: t})
		}
	}
	// Review 3: a delivery-role-named role the deploying role did not make
	// cannot be passed to CloudTrail.
	expect(false, "iam:PassRole of "+role(policy.CloudWatchLogsRoleNamePrefix+"backdoor")+" to CloudTrail", policyeval.Request{Principal: dep, Action: "iam:PassRole", Resource: role(policy.CloudWatchLogsRoleNamePrefix + "backdoor"), Context: ctx("iam:PassedToService", policy.CloudTrailService)})
	for _, t := range c.cfg.ServiceRolesIn(acct) {
		expect(true, "iam:GetRole on the service role "+t, policyeval.Request{Principal: dep, Action: "iam:GetRole", Resource: t})
	}
	if a.ID == c.cfg.Accounts.LogArchive.ID && c.cfg.Replication.Enabled {
		repl := role(c.cfg.Replication.RoleName)
		expect(true, "iam:PassRole of the replication role to S3", policyeval.Request{Principal: dep, Action: "iam:PassRole", Resource: repl, Context: ctx("iam:PassedToService", policy.S3Service)})
		expect(false, "iam:PassRole of the replication role to another service", policyeval.Request{Principal: dep, Action: "iam:PassRole", Resource: repl, Context: ctx("iam:PassedToService", "ec2.amazonaws.com")})
	}
	d := c.cfg.DeployerProps(a)
	if len(d.Topics) > 0 {
		// Review 7, S3: no subscription of the account, ours or another
		// team's, may be removed or re-filtered by the deploying role.
		for _, t := range []string{d.Topics[0], "guardduty-findings"} {
			sub := fmt.Sprintf("arn:%s:sns:%s:%s:%s:0b4f5c1e-1111-2222-3333-444455556666", c.part, c.cfg.HomeRegion, acct, t)
			for _, act := range policy.DeployerDeniedSubscriptionActions {
				expect(false, act+" on the subscription "+sub, policyeval.Request{Principal: dep, Action: act, Resource: sub})
			}
			expect(true, "sns:GetSubscriptionAttributes on the subscription "+sub, policyeval.Request{Principal: dep, Action: "sns:GetSubscriptionAttributes", Resource: sub})
		}
	}
	if d.TrailARN != "" {
		// Review 7, B4: the provider stops logging only for
		// enable_logging = false, which the stacks never set.
		expect(false, "cloudtrail:StopLogging on the trail", policyeval.Request{Principal: dep, Action: "cloudtrail:StopLogging", Resource: d.TrailARN})
		expect(true, "cloudtrail:StartLogging on the trail", policyeval.Request{Principal: dep, Action: "cloudtrail:StartLogging", Resource: d.TrailARN})
	}
	c.deployerKeepsMonitoring(expect, dep, d)
	if d.Keys {
		c.deployerKeyLimits(r, d, self, dep)
	}
	if a.ID == c.cfg.Accounts.Management.ID && c.cfg.OrganizationID != "" {
		// Review 6, B2: no deploying role of the management account writes
		// an SCP or an attachment, tagged or not, to a target or not; the
		// guardrails are the bootstrap's (docs/bootstrap.md#guardrails-in-the-bootstrap).
		c.deployerWritesNoSCP(expect, dep, acct)
	}
	if d.Registration {
		other := policy.OrganizationTargetARN(c.part, acct, c.cfg.OrganizationID, "999999999999")
		deleg := policy.OrganizationTargetARN(c.part, acct, c.cfg.OrganizationID, d.DelegatedAdministrator)
		expect(true, "organizations:RegisterDelegatedAdministrator of "+d.DelegatedAdministrator+" for CloudTrail", policyeval.Request{Principal: dep, Action: "organizations:RegisterDelegatedAdministrator", Resource: deleg, Context: ctx("organizations:ServicePrincipal", policy.CloudTrailService)})
		expect(false, "organizations:RegisterDelegatedAdministrator of "+d.DelegatedAdministrator+" for another service", policyeval.Request{Principal: dep, Action: "organizations:RegisterDelegatedAdministrator", Resource: deleg, Context: ctx("organizations:ServicePrincipal", "iam.amazonaws.com")})
		expect(false, "organizations:RegisterDelegatedAdministrator of another account for CloudTrail", policyeval.Request{Principal: dep, Action: "organizations:RegisterDelegatedAdministrator", Resource: other, Context: ctx("organizations:ServicePrincipal", policy.CloudTrailService)})
	}
}

// deployerKeepsMonitoring (security review 9, B-2): the deploying role may
// not delete the trail, the log group, a metric filter, an alarm, a topic or
// a log bucket (unless allow_destroy), nor disable or set an alarm, drop the
// log group's retention or key, or delete a subscription filter, on ours or
// any other; creating them still works.
func (c *checker) deployerKeepsMonitoring(expect func(bool, string, policyeval.Request), dep policyeval.Principal, d policy.Deployer) {
	destroy := c.cfg.AllowDestroy
	if d.TrailARN != "" {
		expect(destroy, "cloudtrail:DeleteTrail on the trail", policyeval.Request{Principal: dep, Action: "cloudtrail:DeleteTrail", Resource: d.TrailARN})
	}
	for _, g := range d.LogGroups {
		group := fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", d.Partition, d.HomeRegion, d.Account, g)
		for _, res := range []string{group, group + ":*"} {
			for _, act := range []string{"logs:DeleteLogGroup", "logs:DeleteMetricFilter"} {
				expect(destroy, act+" on "+res, policyeval.Request{Principal: dep, Action: act, Resource: res})
			}
			for _, act := range []string{"logs:DeleteRetentionPolicy", "logs:DisassociateKmsKey", "logs:DeleteSubscriptionFilter"} {
				expect(false, act+" on "+res, policyeval.Request{Principal: dep, Action: act, Resource: res})
			}
			// aws_cloudwatch_log_group's Create: CreateLogGroup, then
			// PutRetentionPolicy.
			for _, act := range []string{"logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:PutMetricFilter", "logs:AssociateKmsKey"} {
				expect(true, act+" on "+res, policyeval.Request{Principal: dep, Action: act, Resource: res})
			}
		}
	}
	for _, pre := range d.AlarmPrefixes {
		for _, name := range []string{"monitoring-alarm-changes", "monitoring-alarm-changes-by-deployer", "trail-changes"} {
			alarm := fmt.Sprintf("arn:%s:cloudwatch:%s:%s:alarm:%s%s", d.Partition, d.HomeRegion, d.Account, pre, name)
			expect(destroy, "cloudwatch:DeleteAlarms on "+alarm, policyeval.Request{Principal: dep, Action: "cloudwatch:DeleteAlarms", Resource: alarm})
			for _, act := range []string{"cloudwatch:DisableAlarmActions", "cloudwatch:SetAlarmState"} {
				expect(false, act+" on "+alarm, policyeval.Request{Principal: dep, Action: act, Resource: alarm})
			}
			expect(true, "cloudwatch:PutMetricAlarm on "+alarm, policyeval.Request{Principal: dep, Action: "cloudwatch:PutMetricAlarm", Resource: alarm})
		}
	}
	for _, t := range d.Topics {
		region := d.HomeRegion
		if r, ok := d.TopicRegions[t]; ok {
			region = r
		}
		topic := fmt.Sprintf("arn:%s:sns:%s:%s:%s", d.Partition, region, d.Account, t)
		expect(destroy, "sns:DeleteTopic on "+topic, policyeval.Request{Principal: dep, Action: "sns:DeleteTopic", Resource: topic})
		expect(true, "sns:CreateTopic on "+topic, policyeval.Request{Principal: dep, Action: "sns:CreateTopic", Resource: topic})
	}
	for _, b := range d.Buckets {
		bucket := fmt.Sprintf("arn:%s:s3:::%s", d.Partition, b)
		expect(destroy, "s3:DeleteBucket on "+bucket, policyeval.Request{Principal: dep, Action: "s3:DeleteBucket", Resource: bucket})
		expect(true, "s3:CreateBucket on "+bucket, policyeval.Request{Principal: dep, Action: "s3:CreateBucket", Resource: bucket})
	}
}

// bootstrapTrust: each trusted principal may assume the role; an
// administrator of the role's own account whose policies allow everything,
// and another account's role, may not (a trust policy names its callers).
func (c *checker) bootstrapTrust(r bootstrapRole) {
	c.use(r.trust, policyeval.Policies{ResourceAccount: r.account})
	assume := func(p policyeval.Principal) policyeval.Request {
		return policyeval.Request{Principal: p, Action: "sts:AssumeRole", Resource: r.arn}
	}
	for _, p := range c.cfg.Bootstrap.TrustedPrincipals {
		c.expect(true, "trusted principal "+p+" assuming "+r.arn, assume(policyeval.Principal{ARN: p}), policyeval.AllowAll)
	}
	c.expect(false, "an administrator of "+r.account+" allowed everything by IAM assuming "+r.arn, assume(c.iamRole(r.account, "Administrator")), policyeval.AllowAll)
	c.expect(false, "another account's role assuming "+r.arn, assume(c.iamRole(Outsider, "Admin")), policyeval.AllowAll)
}

// stateAccess: backend.s3.role_arn reads and writes the state objects and
// deletes their lock files, and nothing else; the state bucket refuses
// requests without TLS.
func (c *checker) stateAccess() error {
	s := c.cfg.Backend.S3
	if s == nil {
		return nil
	}
	r, err := c.findBootstrapRole(s.RoleARN)
	if err != nil {
		return err
	}
	var stack *Stack
	for i := range c.stacks {
		if _, _, ok := c.stacks[i].find("aws_s3_bucket", "bucket", s.Bucket); ok {
			stack = &c.stacks[i]
		}
	}
	if stack == nil {
		return fmt.Errorf("no synthesized stack creates the state bucket %s (bootstrap.trusted_principals is set)", s.Bucket)
	}
	l, err := c.bucketPolicy(*stack, s.Bucket)
	if err != nil {
		return err
	}
	c.use(l, policyeval.Policies{ResourceAccount: r.account})
	p := policyeval.Principal{ARN: s.RoleARN}
	bucketArn := fmt.Sprintf("arn:%s:s3:::%s", c.part, s.Bucket)
	state := bucketArn + "/" + s.KeyPrefix + "/log-archive.tfstate"
	c.expect(true, "the state role s3:ListBucket on the state bucket", asIAM(p, "s3:ListBucket", bucketArn), r.policies...)
	c.expect(true, "the state role s3:GetObject on a state object", asIAM(p, "s3:GetObject", state), r.policies...)
	c.expect(true, "the state role s3:PutObject on a state object", asIAM(p, "s3:PutObject", state), r.policies...)
	c.expect(true, "the state role s3:DeleteObject on a lock file", asIAM(p, "s3:DeleteObject", state+".tflock"), r.policies...)
	c.expect(false, "the state role s3:DeleteObject on a state object", asIAM(p, "s3:DeleteObject", state), r.policies...)
	// docs/bootstrap.md#the-state-bucket: recovering a previous version.
	c.expect(true, "the state role s3:ListBucketVersions on the state bucket", asIAM(p, "s3:ListBucketVersions", bucketArn), r.policies...)
	c.expect(true, "the state role s3:GetObjectVersion on a state object", asIAM(p, "s3:GetObjectVersion", state), r.policies...)
	c.expect(false, "the state role s3:DeleteObjectVersion on a state object", asIAM(p, "s3:DeleteObjectVersion", state), r.policies...)
	c.expect(false, "the state role s3:GetObjectVersion on an object outside the key prefix", asIAM(p, "s3:GetObjectVersion", bucketArn+"/other/x.tfstate"), r.policies...)
	c.expect(false, "the state role s3:GetObject on an object outside the key prefix", asIAM(p, "s3:GetObject", bucketArn+"/other/x.tfstate"), r.policies...)
	c.expect(false, "an administrator of "+r.account+" allowed everything by IAM reading a state object without TLS",
		policyeval.Request{Principal: c.iamRole(r.account, "Administrator"), Action: "s3:GetObject", Resource: state, Context: ctx(noTLS...)}, policyeval.AllowAll)
	// docs/bootstrap.md#the-state-bucket: nobody else reads, writes or
	// deletes a state object, whatever their IAM policies allow; the
	// break-glass principals may; the bucket policy itself stays writable.
	admin := c.iamRole(r.account, "Administrator")
	tls := ctx("aws:SecureTransport", "true")
	for _, act := range []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:GetObjectVersion"} {
		c.expect(false, "an administrator of "+r.account+" allowed everything by IAM "+act+" on a state object",
			policyeval.Request{Principal: admin, Action: act, Resource: state, Context: tls}, policyeval.AllowAll)
	}
	var deployers []string
	for _, a := range c.cfg.BootstrapAccounts() {
		if a.ID == r.account {
			deployers = append(deployers, a.Deployers...)
		}
	}
	for _, d := range deployers {
		c.expect(false, "the deploying role "+d+" allowed everything by IAM s3:GetObject on a state object",
			policyeval.Request{Principal: policyeval.Principal{ARN: d}, Action: "s3:GetObject", Resource: state, Context: tls}, policyeval.AllowAll)
	}
	for _, b := range c.cfg.Bucket.BreakGlassPrincipals {
		c.expect(true, "break-glass principal "+b+" allowed everything by IAM s3:GetObjectVersion on a state object",
			policyeval.Request{Principal: policyeval.Principal{ARN: b}, Action: "s3:GetObjectVersion", Resource: state, Context: tls}, policyeval.AllowAll)
	}
	c.expect(true, "an administrator of "+r.account+" allowed everything by IAM s3:PutBucketPolicy on the state bucket",
		policyeval.Request{Principal: admin, Action: "s3:PutBucketPolicy", Resource: bucketArn, Context: tls}, policyeval.AllowAll)
	c.bootstrapTrust(r)
	// Nothing on the log buckets.
	lb, err := c.bucketPolicy(*c.archive, c.cfg.Bucket.Name)
	if err != nil {
		return err
	}
	c.use(lb, policyeval.Policies{ResourceAccount: c.cfg.Accounts.LogArchive.ID})
	object := fmt.Sprintf("arn:%s:s3:::%s/", c.part, c.cfg.Bucket.Name) + policy.LogPathPrefix(c.cfg.Trail.S3KeyPrefix) + c.trail.Account + "/CloudTrail/" + c.cfg.HomeRegion + "/2026/11/29/f.json.gz"
	c.expect(false, "the state role s3:GetObject on a log object", asIAM(p, "s3:GetObject", object), r.policies...)
	return nil
}

// outsideRegion is a region the configuration does not use.
func (c *checker) outsideRegion() string {
	used := append([]string{c.cfg.HomeRegion}, c.cfg.Key.ReplicaRegions...)
	if s := c.cfg.Backend.S3; s != nil {
		used = append(used, s.Region)
	}
	for _, r := range []string{"ap-south-1", "sa-east-1", "af-south-1"} {
		if !slices.Contains(used, r) {
			return r
		}
	}
	return "me-south-1"
}

// defaultKeyPolicy is AWS KMS's default key policy of account: its root,
// so that the account's IAM policies decide (KMS developer guide, "Default
// key policy"). An unrelated key of the account is assumed to have it.
func defaultKeyPolicy(part, account string) policy.Document {
	return policy.Document{Version: policy.Version, Statement: []policy.Statement{{
		Sid: "Enable IAM User Permissions", Effect: policy.Allow,
		Principal: policy.AWSPrincipals(fmt.Sprintf("arn:%s:iam::%s:root", part, account)),
		Action:    policy.Values{"kms:*"}, Resource: policy.Values{"*"},
	}}}
}

// expectWithKeyPolicy evaluates req against the key policy doc (at where)
// and the identity policies.
func (c *checker) expectWithKeyPolicy(where string, doc *policy.Document, account string, want bool, name string, req policyeval.Request, identity []policy.Document) {
	got, err := policyeval.Evaluate(req, policyeval.Policies{Resource: doc, KeyPolicy: true, ResourceAccount: account, Identity: identity})
	c.results = append(c.results, Result{Policy: where, Name: name, Want: want, Got: got, Err: err})
}

// deployerKeyLimits (docs/bootstrap.md#keys-by-key-policy): the deploying
// role manages the keys whose policies the stacks write, through those
// policies, and no other key of its account, whatever tag it carries: the
// tag it may add at creation (TagKeysAtCreation) gives it nothing on an
// unrelated key whose policy is AWS's default (review 6, B1). It creates
// primary keys only with the bootstrap's tag in the home region, replicas
// only in the configured replica regions.
func (c *checker) deployerKeyLimits(r bootstrapRole, d policy.Deployer, self located, dep policyeval.Principal) {
	arn, acct := r.arn, r.account
	expect := func(want bool, name string, req policyeval.Request) {
		c.expectIdentity(self, acct, want, "the deploying role "+arn+" "+name, req)
	}
	outside := c.outsideRegion()
	def := defaultKeyPolicy(c.part, acct)
	key := fmt.Sprintf("arn:%s:kms:%s:%s:key/unrelated", c.part, c.cfg.HomeRegion, acct)
	for _, tag := range []struct{ what, value string }{
		{"an unrelated key without the bootstrap's tag", ""},
		{"an unrelated key it tagged with the bootstrap's tag", c.cfg.Trail.Name},
		{"an unrelated key with another value of the bootstrap's tag", "another-trail"},
	} {
		var kv []string
		if tag.value != "" {
			kv = []string{"aws:ResourceTag/" + policy.GuardTagKey, tag.value}
		}
		for _, act := range []string{"kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:ReplicateKey", "kms:UpdateKeyDescription",
			"kms:CreateAlias", "kms:DescribeKey", "kms:EnableKeyRotation", "kms:UntagResource", "kms:Decrypt", "kms:CreateGrant"} {
			req := policyeval.Request{Principal: dep, Action: act, Resource: key, Context: ctx(append(kv, "kms:ReplicaRegion", outside)...)}
			c.expectWithKeyPolicy("AWS's default key policy of "+acct+" + "+self.where, &def, acct, false,
				"the deploying role "+arn+" "+act+" on "+tag.what+" (AWS's default key policy)", req, r.policies)
		}
	}
	// Tags at creation (docs/aws-rules.md#tags-at-key-creation): allowed on
	// any key of the account, only the bootstrap's tag with its value.
	expect(true, "kms:TagResource of a new key with the bootstrap's tag", policyeval.Request{Principal: dep, Action: "kms:TagResource", Resource: key, Context: ctx("aws:RequestTag/"+policy.GuardTagKey, c.cfg.Trail.Name, "aws:TagKeys", policy.GuardTagKey)})
	expect(false, "kms:TagResource giving the bootstrap's tag to a key with another value of it (another trail's)", policyeval.Request{Principal: dep, Action: "kms:TagResource", Resource: key, Context: ctx("aws:ResourceTag/"+policy.GuardTagKey, "another-trail", "aws:RequestTag/"+policy.GuardTagKey, c.cfg.Trail.Name, "aws:TagKeys", policy.GuardTagKey)})
	expect(false, "kms:TagResource of a key without the bootstrap's tag, other tags only", policyeval.Request{Principal: dep, Action: "kms:TagResource", Resource: key, Context: ctx("aws:RequestTag/Owner", "x", "aws:TagKeys", "Owner")})
	// Review 7, B3: the configured tags only, each with its configured
	// value; no other tag key rides along with the bootstrap's tag.
	all := []string{"aws:RequestTag/" + policy.GuardTagKey, c.cfg.Trail.Name, "aws:TagKeys", policy.GuardTagKey}
	for _, k := range slices.Sorted(maps.Keys(c.cfg.Tags)) {
		if k != policy.GuardTagKey {
			all = append(all, "aws:RequestTag/"+k, c.cfg.Tags[k], "aws:TagKeys", k)
		}
	}
	expect(true, "kms:TagResource of a new key with the tags the stacks give keys", policyeval.Request{Principal: dep, Action: "kms:TagResource", Resource: key, Context: ctx(all...)})
	expect(false, "kms:TagResource adding another tag key along with the bootstrap's tag", policyeval.Request{Principal: dep, Action: "kms:TagResource", Resource: key,
		Context: ctx("aws:RequestTag/"+policy.GuardTagKey, c.cfg.Trail.Name, "aws:RequestTag/team", "attacker", "aws:TagKeys", policy.GuardTagKey, "aws:TagKeys", "team")})
	for _, k := range slices.Sorted(maps.Keys(c.cfg.Tags)) {
		if k == policy.GuardTagKey {
			continue
		}
		expect(false, "kms:TagResource setting the configured tag "+k+" to another value", policyeval.Request{Principal: dep, Action: "kms:TagResource", Resource: key,
			Context: ctx("aws:RequestTag/"+policy.GuardTagKey, c.cfg.Trail.Name, "aws:RequestTag/"+k, "attacker", "aws:TagKeys", policy.GuardTagKey, "aws:TagKeys", k)})
	}
	// Review 9, S-1: a configured tag that a key already carries with
	// another value (another team's) is not overwritten, alone or with the
	// bootstrap's tag; a key carrying the configured value may be tagged.
	for _, k := range slices.Sorted(maps.Keys(c.cfg.Tags)) {
		if k == policy.GuardTagKey {
			continue
		}
		v := c.cfg.Tags[k]
		expect(false, "kms:TagResource overwriting "+k+"=another-team on an unrelated key with the configured value "+v, policyeval.Request{Principal: dep, Action: "kms:TagResource", Resource: key,
			Context: ctx("aws:ResourceTag/"+k, "another-team", "aws:RequestTag/"+k, v, "aws:TagKeys", k)})
		expect(false, "kms:TagResource overwriting "+k+"=another-team on an unrelated key along with the bootstrap's tag", policyeval.Request{Principal: dep, Action: "kms:TagResource", Resource: key,
			Context: ctx("aws:ResourceTag/"+k, "another-team", "aws:RequestTag/"+policy.GuardTagKey, c.cfg.Trail.Name, "aws:RequestTag/"+k, v, "aws:TagKeys", policy.GuardTagKey, "aws:TagKeys", k)})
		expect(true, "kms:TagResource of "+k+" on a key that already carries "+k+"="+v, policyeval.Request{Principal: dep, Action: "kms:TagResource", Resource: key,
			Context: ctx("aws:ResourceTag/"+k, v, "aws:RequestTag/"+k, v, "aws:TagKeys", k)})
	}
	// Review 7, B4: no key created with the lockout safety check bypassed.
	expect(false, "kms:CreateKey with the lockout safety check bypassed", policyeval.Request{Principal: dep, Action: "kms:CreateKey", Resource: "*",
		Context: ctx("aws:RequestTag/"+policy.GuardTagKey, c.cfg.Trail.Name, "aws:TagKeys", policy.GuardTagKey, "aws:RequestedRegion", c.cfg.HomeRegion, "kms:BypassPolicyLockoutSafetyCheck", "true")})
	// Creation: primaries with the tag in the home region; replicas in the
	// replica regions only.
	tagged := func(region string) map[string][]string {
		return ctx("aws:RequestTag/"+policy.GuardTagKey, c.cfg.Trail.Name, "aws:TagKeys", policy.GuardTagKey, "aws:RequestedRegion", region)
	}
	expect(true, "kms:CreateKey with the bootstrap's tag in "+c.cfg.HomeRegion, policyeval.Request{Principal: dep, Action: "kms:CreateKey", Resource: "*", Context: tagged(c.cfg.HomeRegion)})
	expect(false, "kms:CreateKey with the bootstrap's tag in "+outside+", a region the configuration does not use", policyeval.Request{Principal: dep, Action: "kms:CreateKey", Resource: "*", Context: tagged(outside)})
	expect(false, "kms:CreateKey without the bootstrap's tag", policyeval.Request{Principal: dep, Action: "kms:CreateKey", Resource: "*", Context: ctx("aws:RequestedRegion", c.cfg.HomeRegion)})
	expect(false, "kms:CreateKey of a primary without request tags", policyeval.Request{Principal: dep, Action: "kms:CreateKey", Resource: "*", Context: ctx("kms:MultiRegionKeyType", "PRIMARY", "aws:RequestedRegion", c.cfg.HomeRegion)})
	for _, region := range d.Regions {
		if region == d.HomeRegion {
			continue
		}
		// A replica's CreateKey check may not carry the request tags
		// (docs/aws-rules.md#replicatekey-authorization).
		expect(true, "kms:CreateKey of a replica in "+region+" without request tags", policyeval.Request{Principal: dep, Action: "kms:CreateKey", Resource: "*", Context: ctx("kms:MultiRegionKeyType", "REPLICA", "kms:MultiRegion", "true", "aws:RequestedRegion", region)})
		expect(false, "kms:CreateKey of a primary in "+region+" with the bootstrap's tag", policyeval.Request{Principal: dep, Action: "kms:CreateKey", Resource: "*", Context: tagged(region)})
	}
	expect(false, "kms:CreateKey of a replica in "+outside+", a region the configuration does not use", policyeval.Request{Principal: dep, Action: "kms:CreateKey", Resource: "*", Context: ctx("kms:MultiRegionKeyType", "REPLICA", "kms:MultiRegion", "true", "aws:RequestedRegion", outside)})
	expect(false, "kms:CreateKey of a replica with another value of the bootstrap's tag", policyeval.Request{Principal: dep, Action: "kms:CreateKey", Resource: "*", Context: ctx("kms:MultiRegionKeyType", "REPLICA", "aws:RequestedRegion", c.cfg.HomeRegion, "aws:RequestTag/"+policy.GuardTagKey, "another-trail")})
	slr := func(svc string) string {
		return fmt.Sprintf("arn:%s:iam::%s:role/aws-service-role/%s/x", c.part, acct, svc)
	}
	expect(true, "iam:CreateServiceLinkedRole for multi-Region keys", policyeval.Request{Principal: dep, Action: "iam:CreateServiceLinkedRole", Resource: slr(policy.KMSMultiRegionService), Context: ctx("iam:AWSServiceName", policy.KMSMultiRegionService)})
	expect(false, "iam:CreateServiceLinkedRole for another service", policyeval.Request{Principal: dep, Action: "iam:CreateServiceLinkedRole", Resource: slr("ec2.amazonaws.com"), Context: ctx("iam:AWSServiceName", "ec2.amazonaws.com")})
	c.deployerKeyPolicies(r, self, outside)
}

// deployerKeyPolicies: every key policy the stacks the role deploys
// (their providers assume it) write names the deploying role (policy.KeyManagerStatements): with that
// key policy and the role's own policies, it may read, rewrite and
// schedule the deletion of the key, not use it for data; it may replicate a
// primary into the configured replica regions only, and a replica not at
// all.
func (c *checker) deployerKeyPolicies(r bootstrapRole, self located, outside string) {
	dep := policyeval.Principal{ARN: r.arn}
	n := 0
	for _, s := range c.stacks {
		if strings.HasPrefix(s.Name, "bootstrap-") || !stackAssumes(s, r.arn) {
			continue
		}
		for _, typ := range []string{"aws_kms_key", "aws_kms_replica_key"} {
			names := make([]string, 0)
			for name := range s.resources(typ) {
				names = append(names, name)
			}
			sort.Strings(names)
			for _, name := range names {
				body := s.resources(typ)[name]
				l, err := s.policyAt(typ, name, "policy", c.resolve(s))
				if err != nil {
					c.results = append(c.results, Result{Policy: s.Name, Name: typ + "." + name + " key policy", Want: true, Err: err})
					continue
				}
				n++
				reg := region(body, c.cfg.HomeRegion)
				keyArn := fmt.Sprintf("arn:%s:kms:%s:%s:key/%s", c.part, reg, r.account, name)
				what := typ + "." + name + " in " + reg
				try := func(want bool, label string, kv ...string) {
					act, _, _ := strings.Cut(label, " ")
					req := policyeval.Request{Principal: dep, Action: act, Resource: keyArn, Context: ctx(kv...)}
					c.expectWithKeyPolicy(l.where, &l.doc, r.account, want, "the deploying role "+r.arn+" (its key policy statement and bootstrap policies) "+label+" on "+what, req, r.policies)
				}
				for _, act := range []string{"kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy", "kms:EnableKeyRotation", "kms:UpdateKeyDescription"} {
					try(true, act)
				}
				// Review 7, B4: scheduling the deletion only with allow_destroy.
				try(c.cfg.AllowDestroy, "kms:ScheduleKeyDeletion", "kms:ScheduleKeyDeletionPendingWindowInDays", "7")
				for _, act := range []string{"kms:Decrypt", "kms:GenerateDataKey", "kms:CreateGrant", "kms:DisableKey", "kms:UpdatePrimaryRegion", "kms:DisableKeyRotation", "kms:RevokeGrant", "kms:RetireGrant"} {
					try(false, act)
				}
				// Review 7, B4: the key policy itself no longer gives it the
				// deletion (without allow_destroy), whatever its IAM policies.
				c.expectWithKeyPolicy(l.where, &l.doc, r.account, c.cfg.AllowDestroy,
					"the deploying role "+r.arn+" (its key policy statement alone) kms:ScheduleKeyDeletion on "+what,
					policyeval.Request{Principal: dep, Action: "kms:ScheduleKeyDeletion", Resource: keyArn}, nil)
				// Review 7, B4: no policy that bypasses the lockout safety
				// check (then nobody could cancel a deletion); the same
				// policy with the check is the deployment's.
				try(false, "kms:PutKeyPolicy with the lockout safety check bypassed", "kms:BypassPolicyLockoutSafetyCheck", "true")
				try(true, "kms:PutKeyPolicy with the lockout safety check", "kms:BypassPolicyLockoutSafetyCheck", "false")
				// Review 7, B4: once it has rewritten the key policy to give
				// itself everything, its own IAM policy (the bootstrap's)
				// still denies destroying, disabling and using the key.
				rewritten := policy.Document{Version: policy.Version, Statement: []policy.Statement{{Sid: "Rewritten", Effect: policy.Allow,
					Principal: policy.AWSPrincipals(r.arn), Action: policy.Values{"kms:*"}, Resource: policy.Values{"*"}}}}
				denied := []string{"kms:DisableKey", "kms:UpdatePrimaryRegion", "kms:DisableKeyRotation", "kms:Decrypt", "kms:CreateGrant", "kms:RevokeGrant"}
				if !c.cfg.AllowDestroy {
					denied = append(denied, "kms:ScheduleKeyDeletion")
				}
				for _, act := range denied {
					req := policyeval.Request{Principal: dep, Action: act, Resource: keyArn}
					c.expectWithKeyPolicy(l.where+" (rewritten by the deploying role to allow it kms:*)", &rewritten, r.account, false,
						"the deploying role "+r.arn+" (its bootstrap policies, with a key policy it rewrote to allow it kms:*) "+act+" on "+what, req, r.policies)
				}
				// Review 9, B-1: CloudWatch Logs using the key on the role's
				// behalf for the trail's log group, when the role creates or
				// associates it: allowed on the monitoring key only; the
				// role's direct calls, another service's and another log
				// group's: denied, with this key policy and with one it
				// rewrote to allow itself kms:* (except via CloudWatch Logs
				// for our log group: docs/bootstrap.md#what-a-compromised-deploying-role-can-still-do).
				c.deployerKeyViaLogs(r, l, keyArn, what, try)
				primary := typ == "aws_kms_key" && body["multi_region"] == true
				if primary {
					for _, rr := range c.cfg.Key.ReplicaRegions {
						try(true, "kms:ReplicateKey", "kms:ReplicaRegion", rr)
					}
				}
				try(false, "kms:ReplicateKey", "kms:ReplicaRegion", outside)
				// The key policy lets it tag its keys; its own policies keep
				// the bootstrap's tag, which the service roles and the
				// guardrails match.
				tag := "aws:ResourceTag/" + policy.GuardTagKey
				try(false, "kms:UntagResource of the bootstrap's tag", tag, c.cfg.Trail.Name, "aws:TagKeys", policy.GuardTagKey)
				try(false, "kms:TagResource changing the bootstrap's tag", tag, c.cfg.Trail.Name, "aws:TagKeys", policy.GuardTagKey, "aws:RequestTag/"+policy.GuardTagKey, "another-trail")
			}
		}
	}
	c.results = append(c.results, Result{Policy: self.where, Fact: true, Want: true, Got: map[bool]policyeval.Decision{true: policyeval.Allow, false: policyeval.ImplicitDeny}[n > 0],
		Name: fmt.Sprintf("the stacks that %s deploys write %d key policies, each checked for it", r.arn, n)})
}

// deployerKeyViaLogs: the deploying role's data calls on the key through
// CloudWatch Logs (docs/aws-rules.md#log-group-key-via-logs).
func (c *checker) deployerKeyViaLogs(r bootstrapRole, l located, keyArn, what string, try func(bool, string, ...string)) {
	d := policy.Deployer{}
	for _, a := range c.cfg.BootstrapAccounts() {
		if a.ID == r.account {
			d = c.cfg.DeployerProps(a)
		}
	}
	via := policy.LogsViaService(c.part, c.cfg.HomeRegion)
	other := fmt.Sprintf("arn:%s:logs:%s:%s:log-group:another-team", c.part, c.cfg.HomeRegion, r.account)
	// The monitoring key (policy.MonitoringKeyPolicy's Id, with the
	// naming prefix) encrypts the log group; no other key may.
	monitoring := strings.HasSuffix(l.doc.ID, "monitoring-key-policy")
	for _, g := range d.LogGroups {
		group := fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", c.part, c.cfg.HomeRegion, r.account, g)
		for _, act := range []string{"kms:GenerateDataKey", "kms:Encrypt", "kms:Decrypt"} {
			try(monitoring, act+" via CloudWatch Logs for the log group "+g, "kms:ViaService", via, "kms:EncryptionContext:aws:logs:arn", group)
			try(false, act+" via CloudWatch Logs in another region for the log group "+g, "kms:ViaService", policy.LogsViaService(c.part, c.outsideRegion()), "kms:EncryptionContext:aws:logs:arn", group)
			try(false, act+" via S3 with the log group "+g+"'s context", "kms:ViaService", "s3."+c.cfg.HomeRegion+".amazonaws.com", "kms:EncryptionContext:aws:logs:arn", group)
			try(false, act+" via CloudWatch Logs for another log group", "kms:ViaService", via, "kms:EncryptionContext:aws:logs:arn", other)
			try(false, act+" directly with the log group "+g+"'s context", "kms:EncryptionContext:aws:logs:arn", group)
			// Its own IAM policies hold these even under a key policy it
			// rewrote to allow itself kms:*.
			rewritten := policy.Document{Version: policy.Version, Statement: []policy.Statement{{Sid: "Rewritten", Effect: policy.Allow,
				Principal: policy.AWSPrincipals(r.arn), Action: policy.Values{"kms:*"}, Resource: policy.Values{"*"}}}}
			for label, kv := range map[string][]string{
				"via CloudWatch Logs for another log group":       {"kms:ViaService", via, "kms:EncryptionContext:aws:logs:arn", other},
				"via S3 with the log group " + g + "'s context":   {"kms:ViaService", "s3." + c.cfg.HomeRegion + ".amazonaws.com", "kms:EncryptionContext:aws:logs:arn", group},
				"directly with the log group " + g + "'s context": {"kms:EncryptionContext:aws:logs:arn", group},
			} {
				req := policyeval.Request{Principal: policyeval.Principal{ARN: r.arn}, Action: act, Resource: keyArn, Context: ctx(kv...)}
				c.expectWithKeyPolicy(l.where+" (rewritten by the deploying role to allow it kms:*)", &rewritten, r.account, false,
					"the deploying role "+r.arn+" (its bootstrap policies, with a key policy it rewrote to allow it kms:*) "+act+" "+label+" on "+what, req, r.policies)
			}
		}
	}
}

// deployerWritesNoSCP: the management deploying role may create, change,
// delete, tag, attach and detach no service control policy, whatever its
// tags, on no target.
func (c *checker) deployerWritesNoSCP(expect func(bool, string, policyeval.Request), dep policyeval.Principal, acct string) {
	org := c.cfg.OrganizationID
	scp := func(id string) string {
		return fmt.Sprintf("arn:%s:organizations::%s:policy/%s/service_control_policy/%s", c.part, acct, org, id)
	}
	tags := [][]string{nil, {"aws:ResourceTag/" + policy.GuardTagKey, c.cfg.Trail.Name}}
	for _, res := range []string{"*", scp("p-newpolicy")} {
		for _, rt := range []string{"", c.cfg.Trail.Name} {
			kv := []string{"organizations:PolicyType", "SERVICE_CONTROL_POLICY"}
			what := "without tags"
			if rt != "" {
				kv = append(kv, "aws:RequestTag/"+policy.GuardTagKey, rt, "aws:TagKeys", policy.GuardTagKey)
				what = "with the bootstrap's tag"
			}
			expect(false, "organizations:CreatePolicy on "+res+" "+what, policyeval.Request{Principal: dep, Action: "organizations:CreatePolicy", Resource: res, Context: ctx(kv...)})
			expect(false, "organizations:TagResource on "+res+" "+what, policyeval.Request{Principal: dep, Action: "organizations:TagResource", Resource: res, Context: ctx(kv...)})
		}
	}
	for _, tag := range tags {
		what := "an SCP without the bootstrap's tag"
		if tag != nil {
			what = "an SCP with the bootstrap's tag"
		}
		for _, act := range []string{"organizations:UpdatePolicy", "organizations:DeletePolicy", "organizations:AttachPolicy", "organizations:DetachPolicy", "organizations:TagResource", "organizations:UntagResource"} {
			expect(false, act+" on "+what, policyeval.Request{Principal: dep, Action: act, Resource: scp("p-someotherteam"), Context: ctx(tag...)})
		}
	}
	for _, t := range append(append([]string{}, c.cfg.Guardrails.Targets...), "r-abcd", "999999999999") {
		for _, act := range []string{"organizations:AttachPolicy", "organizations:DetachPolicy"} {
			expect(false, act+" on the target "+t, policyeval.Request{Principal: dep, Action: act, Resource: policy.OrganizationTargetARN(c.part, acct, org, t)})
		}
	}
	if !c.cfg.GuardrailsInBootstrap() {
		return
	}
	// The SCPs and attachments are in the management account's bootstrap
	// stack, and in no stack a deploying role applies.
	for _, s := range c.stacks {
		n := len(s.resources("aws_organizations_policy")) + len(s.resources("aws_organizations_policy_attachment"))
		boot := s.Name == "bootstrap-management"
		if n == 0 && !boot {
			continue
		}
		got := policyeval.ImplicitDeny
		if boot == (n > 0) {
			got = policyeval.Allow
		}
		name := fmt.Sprintf("stack %s holds %d SCPs and attachments, which only the management account's bootstrap may hold", s.Name, n)
		c.results = append(c.results, Result{Policy: s.Name, Fact: true, Want: true, Got: got, Name: name})
	}
}
