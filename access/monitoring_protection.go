package access

import (
	"fmt"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/policyeval"
)

// Who may change the monitoring key and topics. Their resource policies
// bind every principal of the account that holds them, the management
// account's too (no service control policy binds it): an explicit deny in a
// resource policy overrides any allow (IAM User Guide, "Policy evaluation
// logic"). With a deploying role configured for that account, an
// administrator allowed everything by IAM must be refused every change that
// silences a topic (the topic-policy actions of the SNS Developer Guide,
// "Amazon SNS API permissions: Actions and resources reference") or
// destroys the key, while the deploying role keeps them (it applies the
// stack). The actions are listed here from those pages, not taken from the
// product's policy package.
var (
	topicChanges = []string{"sns:AddPermission", "sns:DeleteTopic", "sns:PutDataProtectionPolicy", "sns:RemovePermission", "sns:SetTopicAttributes"}
	keyChanges   = []string{"kms:CreateGrant", "kms:DisableKey", "kms:DisableKeyRotation", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"}
)

// monitoringDeployer is the role that applies the stack holding the
// monitoring: the log-archive account's when one stack holds both (one
// account, or the log-archive account as the delegated administrator),
// else the trail creator's.
func (c *checker) monitoringDeployer() string {
	if c.trailStack.Name == c.archive.Name {
		return c.cfg.Accounts.LogArchive.RoleARN
	}
	return c.cfg.TrailCreator().RoleARN
}

func (c *checker) monitoringProtection() error {
	w, n := c.cfg.Trail.CloudWatchLogs, c.cfg.Trail.Notifications
	if !w.Enabled && !n.Enabled {
		return nil
	}
	s := *c.trailStack
	acct := c.cfg.TrailCreator().ID
	admin := c.iamRole(acct, "Administrator")
	deployer := c.monitoringDeployer()
	dep := policyeval.Principal{ARN: deployer}
	req := func(p policyeval.Principal, action, resource string) policyeval.Request {
		return policyeval.Request{Principal: p, Action: action, Resource: resource, Context: ctx("aws:PrincipalArn", p.ARN, "kms:CallerAccount", p.Account())}
	}

	var topics []string
	if n.Enabled {
		topics = append(topics, n.TopicName)
	}
	if c.cfg.AlarmsEnabled() {
		topics = append(topics, w.Alarms.TopicName, w.Alarms.WatchdogTopicName)
	}
	for _, name := range topics {
		pname, err := s.topicPolicy(name)
		if err != nil {
			return err
		}
		l, err := s.policyAt("aws_sns_topic_policy", pname, "policy", c.resolve(s))
		if err != nil {
			return err
		}
		c.use(l, policyeval.Policies{ResourceAccount: acct})
		topic := fmt.Sprintf("arn:%s:sns:%s:%s:%s", c.part, c.cfg.HomeRegion, acct, name)
		if deployer == "" {
			c.expect(true, "without a deploying role, an administrator of the monitoring account SetTopicAttributes on "+name+" (left to IAM)", req(admin, "sns:SetTopicAttributes", topic), policyeval.AllowAll)
			continue
		}
		for _, a := range topicChanges {
			c.expect(false, "an administrator of the monitoring account allowed everything by IAM: "+a+" on "+name, req(admin, a, topic), policyeval.AllowAll)
			c.expect(true, "the deploying role "+a+" on "+name, req(dep, a, topic), policyeval.AllowAll)
		}
		for _, b := range c.cfg.Bucket.BreakGlassPrincipals {
			bp := policyeval.Principal{ARN: b}
			if bp.Account() == acct {
				c.expect(true, "break-glass "+b+" SetTopicAttributes on "+name, req(bp, "sns:SetTopicAttributes", topic), policyeval.AllowAll)
			}
		}
		// Subscribing, reading and publishing stay as they were.
		c.expect(true, "an administrator of the monitoring account Subscribe to "+name, req(admin, "sns:Subscribe", topic), policyeval.AllowAll)
	}

	// The monitoring key and, with the alarms, the watchdog key, each
	// found by reference from what it encrypts.
	keys := []struct{ what, name string }{{"the monitoring key", c.monitoringKey(s)}}
	if c.cfg.AlarmsEnabled() {
		keys = append(keys, struct{ what, name string }{"the watchdog key", c.watchdogKey(s)})
	}
	for _, k := range keys {
		if _, ok := s.resources("aws_kms_key")[k.name]; !ok {
			c.results = append(c.results, Result{Policy: s.Name + "/aws_kms_key.*", Name: k.what + " of the stack, found by reference from what it encrypts",
				Want: true, Got: policyeval.ImplicitDeny, Err: fmt.Errorf("stack %s has none", s.Name), Fact: true})
			continue
		}
		kl, err := s.policyAt("aws_kms_key", k.name, "policy", c.resolve(s))
		if err != nil {
			return err
		}
		c.use(kl, policyeval.Policies{ResourceAccount: acct, KeyPolicy: true})
		if deployer == "" {
			c.expect(true, "without a deploying role, an administrator of the monitoring account DisableKey on "+k.what+" (left to IAM)", req(admin, "kms:DisableKey", "*"), policyeval.AllowAll)
			continue
		}
		for _, a := range keyChanges {
			c.expect(false, "an administrator of the monitoring account allowed everything by IAM: "+a+" on "+k.what, req(admin, a, "*"), policyeval.AllowAll)
			c.expect(true, "the deploying role "+a+" on "+k.what, req(dep, a, "*"), policyeval.AllowAll)
		}
		c.expect(true, "an administrator of the monitoring account DescribeKey on "+k.what, req(admin, "kms:DescribeKey", "*"), policyeval.AllowAll)
	}
	return nil
}

// protectedByTheirPolicies: with a deploying role for acct, the topic's
// policy (tl) refuses every topic change and the key's policy (kl) every key
// change to an administrator allowed everything by IAM, and leaves both to
// the deploying role; without one, both are left to IAM.
func (c *checker) protectedByTheirPolicies(what, acct, deployer, topic string, tl, kl located) {
	admin := c.iamRole(acct, "Administrator")
	dep := policyeval.Principal{ARN: deployer}
	req := func(p policyeval.Principal, action, resource string) policyeval.Request {
		return policyeval.Request{Principal: p, Action: action, Resource: resource, Context: ctx("aws:PrincipalArn", p.ARN, "kms:CallerAccount", p.Account())}
	}
	c.use(tl, policyeval.Policies{ResourceAccount: acct})
	if deployer == "" {
		c.expect(true, "without a deploying role, an administrator SetTopicAttributes on "+what+" (left to IAM)", req(admin, "sns:SetTopicAttributes", topic), policyeval.AllowAll)
	}
	for _, a := range topicChanges {
		if deployer != "" {
			c.expect(false, "an administrator allowed everything by IAM: "+a+" on "+what, req(admin, a, topic), policyeval.AllowAll)
			c.expect(true, "the deploying role "+a+" on "+what, req(dep, a, topic), policyeval.AllowAll)
		}
	}
	c.use(kl, policyeval.Policies{ResourceAccount: acct, KeyPolicy: true})
	if deployer == "" {
		c.expect(true, "without a deploying role, an administrator DisableKey on the key of "+what+" (left to IAM)", req(admin, "kms:DisableKey", "*"), policyeval.AllowAll)
		return
	}
	for _, a := range keyChanges {
		c.expect(false, "an administrator allowed everything by IAM: "+a+" on the key of "+what, req(admin, a, "*"), policyeval.AllowAll)
		c.expect(true, "the deploying role "+a+" on the key of "+what, req(dep, a, "*"), policyeval.AllowAll)
	}
}
