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

// Expectations on the monitoring guardrail policy (guardrails.enabled with a
// delegated administrator that holds the trail's monitoring). The policy is
// read from the synthesized management stack and evaluated, with the first
// guardrail policy, as if both governed the delegated administrator's
// account (a target is that account, or an OU or root above it: the check
// cannot see the organization's tree). What must be denied is named by the
// issue and the Service Authorization Reference (docs/aws-rules.md#alarm-actions,
// #log-group-actions, #topic-actions); that an explicit deny in an SCP wins
// over every allow, and that aws:PrincipalArn of a role session is the
// role's ARN, are docs/aws-rules.md#scp-evaluation and #principal-arn.

// maxSCPsPerTarget is AWS Organizations' quota of service control policies
// attached to one root, OU or account, FullAWSAccess included
// (docs/aws-rules.md#scps-per-target).
const maxSCPsPerTarget = 5

// monitoringSCP finds the monitoring guardrail policy when the
// configuration asks for one.
func (c *checker) monitoringSCP() (located, bool, error) {
	if _, ok := c.cfg.MonitoringGuardrailProps(); !ok {
		return located{}, false, nil
	}
	return c.serviceControlPolicy(c.cfg.Guardrails.MonitoringPolicyName)
}

// guardrailSCPs are the service control policies at each level above a
// governed account: FullAWSAccess at the root, at the targets' level
// FullAWSAccess, the guardrail policy and (when there is one) the
// monitoring guardrail policy, FullAWSAccess at the account.
func (c *checker) guardrailSCPs(scp located) (*policyeval.ServiceControlPolicies, error) {
	target := []policy.Document{policyeval.FullAWSAccess, scp.doc}
	mon, ok, err := c.monitoringSCP()
	if err != nil {
		return nil, err
	}
	if ok {
		target = append(target, mon.doc)
	}
	return &policyeval.ServiceControlPolicies{
		ManagementAccount: c.cfg.Accounts.Management.ID,
		Levels:            [][]policy.Document{{policyeval.FullAWSAccess}, target, {policyeval.FullAWSAccess}},
	}, nil
}

// monitoringGuardrails: with the monitoring guardrail policy, an
// administrator of the delegated administrator's account whose IAM policies
// allow everything cannot delete, rewrite or silence the trail's alarms,
// its log group (either ARN form), metric and subscription filters, its
// topics and its monitoring key, nor take over the delivery role; that
// account's deploying role and the break-glass principals still can;
// another account's deploying role gets no exemption there; the account's
// other alarms, log groups and topics stay its own.
func (c *checker) monitoringGuardrails() error {
	mon, ok, err := c.monitoringSCP()
	if err != nil || !ok {
		return err
	}
	scp, _, err := c.guardrailPolicy()
	if err != nil {
		return err
	}
	scps, err := c.guardrailSCPs(scp)
	if err != nil {
		return err
	}
	c.scpsPerTarget()
	if err := c.replicationAlarmGuardrails(mon, scps); err != nil {
		return err
	}
	admin, isDA := c.cfg.DelegatedAdmin()
	if !isDA || !c.cfg.HoldsMonitoring() {
		return nil
	}
	acct, home := admin.ID, c.cfg.HomeRegion
	s := *c.trailStack
	record := func(want bool, name, where string, req policyeval.Request, ps policyeval.Policies) {
		ps.SCPs = scps
		got, err := policyeval.Evaluate(req, ps)
		c.results = append(c.results, Result{Policy: where, Name: name, Want: want, Got: got, Err: err})
	}
	// A session's aws:PrincipalArn is its role's ARN (docs/aws-rules.md#principal-arn).
	asSession := func(role, action, resource string, kv ...string) policyeval.Request {
		p, _ := session(policyeval.Principal{ARN: role})
		r := asIAM(p, action, resource)
		r.Context["aws:PrincipalArn"] = []string{role}
		for i := 0; i+1 < len(kv); i += 2 {
			r.Context[kv[i]] = append(r.Context[kv[i]], kv[i+1])
		}
		return r
	}
	withTags := func(r policyeval.Request, kv []string) policyeval.Request {
		for i := 0; i+1 < len(kv); i += 2 {
			r.Context[kv[i]] = append(r.Context[kv[i]], kv[i+1])
		}
		return r
	}
	administrator := c.iamRole(acct, "Administrator")
	sameAccount := policyeval.Policies{ResourceAccount: acct, Identity: []policy.Document{policyeval.AllowAll}}
	// A principal of another account is judged with a stand-in resource
	// policy that allows it (the worst case), so that what is shown is the
	// service control policy's own decision.
	allowing := func(principal string) policyeval.Policies {
		doc := policy.Document{Version: policy.Version, Statement: []policy.Statement{{
			Sid: "StandInAllowsTheCaller", Effect: policy.Allow, Principal: policy.AWSPrincipals(principal),
			Action: policy.Values{"*"}, Resource: policy.Values{"*"},
		}}}
		return policyeval.Policies{Resource: &doc, ResourceAccount: acct, Identity: []policy.Document{policyeval.AllowAll}}
	}
	otherDeployer := c.cfg.Accounts.LogArchive.RoleARN
	if otherDeployer == admin.RoleARN {
		otherDeployer = ""
	}

	// What the delegated administrator's stack holds.
	type target struct {
		what, arn string
		actions   []string
		tags      []string
		keyPolicy *located
	}
	var targets []target
	for _, n := range s.sortedNames("aws_cloudwatch_metric_alarm", "alarm_name") {
		targets = append(targets, target{"alarm " + n, fmt.Sprintf("arn:%s:cloudwatch:%s:%s:alarm:%s", c.part, home, acct, n), policy.GuardedAlarmActions, nil, nil})
	}
	if c.cfg.AlarmsEnabled() {
		// An alarm added later under the trail's prefix (the heartbeat).
		n := c.trail.Name + "-heartbeat"
		targets = append(targets, target{"alarm " + n + " (added later)", fmt.Sprintf("arn:%s:cloudwatch:%s:%s:alarm:%s", c.part, home, acct, n), policy.GuardedAlarmActions, nil, nil})
	}
	for _, body := range s.resources("aws_cloudwatch_log_group") {
		n, _ := body["name"].(string)
		group := fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", c.part, home, acct, n)
		// docs/aws-rules.md#log-group-arn-suffix: AWS authorizes most
		// actions on the ":*" form, the tagging actions on the bare form;
		// the deny must hold whichever a request carries.
		targets = append(targets,
			target{"log group " + n, group, policy.GuardedLogGroupActions, nil, nil},
			target{"log group " + n + " (the :* form)", group + ":*", policy.GuardedLogGroupActions, nil, nil},
			target{"a log stream of " + n, group + ":log-stream:" + acct + "_CloudTrail_" + home, []string{"logs:DeleteLogStream"}, nil, nil})
	}
	for _, n := range s.sortedNames("aws_sns_topic", "name") {
		targets = append(targets, target{"topic " + n, fmt.Sprintf("arn:%s:sns:%s:%s:%s", c.part, home, acct, n), policy.GuardedTopicActions, nil, nil})
	}
	for name, body := range s.resources("aws_kms_key") {
		if body["multi_region"] == true || isAthenaResultsKey(body) {
			continue
		}
		kl, err := s.policyAt("aws_kms_key", name, "policy", c.resolve(s))
		if err != nil {
			return err
		}
		var tags []string
		tm, _ := body["tags"].(map[string]any)
		for _, k := range slices.Sorted(maps.Keys(tm)) {
			if v, ok := tm[k].(string); ok {
				tags = append(tags, "aws:ResourceTag/"+k, v)
			}
		}
		what := "the monitoring key"
		if name == c.watchdogKey(s) {
			what = "the watchdog key"
		}
		targets = append(targets, target{what, fmt.Sprintf("arn:%s:kms:%s:%s:key/%s", c.part, home, acct, name), policy.GuardedKeyActions, tags, &kl})
	}
	if len(targets) == 0 {
		return fmt.Errorf("stack %s holds no alarm, log group, topic or monitoring key, yet the configuration asks the guardrails to protect them", s.Name)
	}

	for _, t := range targets {
		ps, where := sameAccount, mon.where
		if t.keyPolicy != nil {
			// The administrator is judged against the key's own policy,
			// whose root statement lets the account's IAM policies decide:
			// what is shown is the guardrails' own work.
			ps = policyeval.Policies{Resource: &t.keyPolicy.doc, ResourceAccount: acct, KeyPolicy: true, Identity: []policy.Document{policyeval.AllowAll}}
			where += " + " + t.keyPolicy.where
		}
		for _, a := range t.actions {
			req := withTags(asIAM(administrator, a, t.arn), t.tags)
			if t.keyPolicy != nil {
				req.Context["kms:CallerAccount"] = []string{acct}
			}
			record(false, "a delegated-administrator administrator allowed everything by IAM: "+a+" on "+t.what, where, req, ps)
			record(true, "the delegated administrator's deploying role (a session) "+a+" on "+t.what, where, withTags(asSession(admin.RoleARN, a, t.arn, "kms:CallerAccount", acct), t.tags), ps)
		}
		a := t.actions[0]
		for _, bg := range c.cfg.Bucket.BreakGlassPrincipals {
			if strings.HasSuffix(bg, ":root") {
				continue
			}
			p := policyeval.Principal{ARN: bg}
			bps := ps
			if p.Account() != acct {
				bps = allowing(bg)
			}
			record(true, "break-glass "+bg+" "+a+" on "+t.what+" (the SCP's decision)", mon.where, withTags(asIAM(p, a, t.arn), t.tags), bps)
		}
		if otherDeployer != "" {
			record(false, "another account's deploying role "+otherDeployer+" (a session, no exemption here) "+a+" on "+t.what+" (the SCP's decision)", mon.where,
				withTags(asSession(otherDeployer, a, t.arn), t.tags), allowing(otherDeployer))
		}
	}

	// docs/aws-rules.md#account-policies: an account-wide data protection
	// policy masks what every metric filter of the account sees.
	if c.cfg.Trail.CloudWatchLogs.Enabled {
		inAccount := func(r policyeval.Request, account string) policyeval.Request {
			r.Context["aws:PrincipalAccount"] = []string{account}
			return r
		}
		record(false, "a delegated-administrator administrator allowed everything by IAM: logs:PutAccountPolicy", mon.where, inAccount(asIAM(administrator, "logs:PutAccountPolicy", "*"), acct), sameAccount)
		record(true, "the delegated administrator's deploying role (a session) logs:PutAccountPolicy", mon.where, inAccount(asSession(admin.RoleARN, "logs:PutAccountPolicy", "*"), acct), sameAccount)
		other := c.cfg.Accounts.LogArchive.ID
		if other == acct {
			other = c.cfg.Accounts.Management.ID
		}
		record(true, "an administrator of another account ("+other+") logs:PutAccountPolicy in its own account (the SCP's decision)", mon.where,
			inAccount(asIAM(c.iamRole(other, "Administrator"), "logs:PutAccountPolicy", "*"), other),
			policyeval.Policies{ResourceAccount: other, Identity: []policy.Document{policyeval.AllowAll}})
	}

	// The delivery role, a pipeline role of the first guardrail policy.
	deliveryRole := fmt.Sprintf("arn:%s:iam::%s:role/%sEXAMPLE", c.part, acct, policy.CloudWatchLogsRoleNamePrefix)
	if c.cfg.Trail.CloudWatchLogs.Enabled {
		for _, a := range append([]string{"iam:CreateRole", "iam:PassRole"}, guardrailActionsRole...) {
			record(false, "a delegated-administrator administrator allowed everything by IAM: "+a+" on the delivery role", scp.where, asIAM(administrator, a, deliveryRole), sameAccount)
		}
		for _, a := range []string{"iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:PassRole"} {
			record(true, "the delegated administrator's deploying role (a session) "+a+" on the delivery role", scp.where, asSession(admin.RoleARN, a, deliveryRole), sameAccount)
		}
	}

	// The account's own other resources stay its own.
	for _, r := range []struct{ action, arn string }{
		{"cloudwatch:DeleteAlarms", fmt.Sprintf("arn:%s:cloudwatch:%s:%s:alarm:some-application-alarm", c.part, home, acct)},
		{"logs:DeleteLogGroup", fmt.Sprintf("arn:%s:logs:%s:%s:log-group:some-application:*", c.part, home, acct)},
		{"sns:DeleteTopic", fmt.Sprintf("arn:%s:sns:%s:%s:some-application-topic", c.part, home, acct)},
	} {
		record(true, "a delegated-administrator administrator allowed everything by IAM: "+r.action+" on "+r.arn+" (not ours)", mon.where, asIAM(administrator, r.action, r.arn), sameAccount)
	}
	return nil
}

// replicationAlarmGuardrails: with the replication alarm on, an
// administrator of the log-archive account allowed everything by IAM cannot
// delete, disable, rewrite, mute or force the state of the replication alarm
// nor change or delete its topic; the log-archive deploying role still can
// (the SCP's decision, the topic judged with a resource policy that allows
// the caller). What must be denied: docs/aws-rules.md#alarm-actions,
// #alarm-mute-rules, #topic-actions.
func (c *checker) replicationAlarmGuardrails(mon located, scps *policyeval.ServiceControlPolicies) error {
	if !c.cfg.ReplicationAlarmsEnabled() {
		return nil
	}
	acct, home := c.cfg.Accounts.LogArchive.ID, c.cfg.HomeRegion
	deployer := c.cfg.Accounts.LogArchive.RoleARN
	alarm := fmt.Sprintf("arn:%s:cloudwatch:%s:%s:alarm:%s-replication-failures", c.part, home, acct, c.trail.Name)
	topic := fmt.Sprintf("arn:%s:sns:%s:%s:%s", c.part, home, acct, c.cfg.Replication.Alarms.TopicName)
	admin := c.iamRole(acct, "Administrator")
	record := func(want bool, name string, req policyeval.Request) {
		ps := policyeval.Policies{ResourceAccount: acct, Identity: []policy.Document{policyeval.AllowAll}, SCPs: scps}
		got, err := policyeval.Evaluate(req, ps)
		c.results = append(c.results, Result{Policy: mon.where, Name: name, Want: want, Got: got, Err: err})
	}
	for _, t := range []struct {
		what, arn string
		actions   []string
	}{
		{"the replication alarm", alarm, []string{"cloudwatch:DeleteAlarms", "cloudwatch:DisableAlarmActions", "cloudwatch:PutMetricAlarm", "cloudwatch:SetAlarmState", "cloudwatch:PutAlarmMuteRule"}},
		{"the replication alarm topic", topic, []string{"sns:SetTopicAttributes", "sns:DeleteTopic", "sns:AddPermission", "sns:RemovePermission", "sns:PutDataProtectionPolicy"}},
	} {
		for _, a := range t.actions {
			record(false, "a log-archive administrator allowed everything by IAM: "+a+" on "+t.what+" (the SCP's decision)", asIAM(admin, a, t.arn))
			if deployer != "" {
				p, _ := session(policyeval.Principal{ARN: deployer})
				r := asIAM(p, a, t.arn)
				r.Context["aws:PrincipalArn"] = []string{deployer}
				record(true, "the log-archive deploying role (a session) "+a+" on "+t.what+" (the SCP's decision)", r)
			}
		}
	}
	return nil
}

// scpsPerTarget: each target holds our service control policies and
// FullAWSAccess, at most maxSCPsPerTarget in all.
func (c *checker) scpsPerTarget() {
	for _, t := range c.cfg.Guardrails.Targets {
		n := 0
		for _, s := range c.stacks {
			for _, a := range s.resources("aws_organizations_policy_attachment") {
				if a["target_id"] == t {
					n++
				}
			}
		}
		holds := policyeval.ImplicitDeny
		if n+1 <= maxSCPsPerTarget {
			holds = policyeval.Allow
		}
		c.results = append(c.results, Result{Policy: "guardrails", Fact: true, Want: true, Got: holds,
			Name: fmt.Sprintf("target %s holds %d service control policies of ours and FullAWSAccess, at most %d in all", t, n, maxSCPsPerTarget)})
	}
}

// sortedNames are the values of attribute attr of the stack's resources of
// type typ, sorted, those without one left out.
func (s Stack) sortedNames(typ, attr string) []string {
	var out []string
	for _, body := range s.resources(typ) {
		if n, _ := body[attr].(string); n != "" {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}
