package access

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/alarms"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/policyeval"
)

// Our checks of the alarms on the pipeline itself: the heartbeat on the
// trail's log group, and the alarm on failed replications with its topic and
// key in the log-archive account. Like the alarm checks, they read the
// synthesized Terraform and derive every expectation from the configuration
// and from the AWS rules the alarms rely on (docs/aws-rules.md#incoming-log-events,
// #treat-missing-data, #alarm-window-limits, #replication-metrics).

// fact records a statement about the stacks that must (want) or must not
// hold, under "our alarm check".
func (c *checker) fact(loc, name string, want, got bool) {
	d := policyeval.ImplicitDeny
	if got {
		d = policyeval.Allow
	}
	c.results = append(c.results, Result{Policy: loc, Name: "our alarm check: " + name, Want: want, Got: d, Fact: true})
}

// missing records a statement that cannot hold: what it needs is absent.
func (c *checker) missing(loc, name string, err error) {
	c.results = append(c.results, Result{Policy: loc, Name: "our alarm check: " + name, Want: true, Got: policyeval.ImplicitDeny, Err: err, Fact: true})
}

// heartbeatCheck: unless the configuration leaves it out, the trail's stack
// holds an alarm on the events uploaded to the trail's log group that fires
// when none arrive for the configured window, counting a period without data
// as one without events, and notifies the alarm topic and the watchdog topic
// both ways.
func (c *checker) heartbeatCheck(s Stack, groupRef, topicRef, watchdogRef string) {
	where := func(name string) string { return fmt.Sprintf("%s/aws_cloudwatch_metric_alarm.%s", s.Name, name) }
	var names []string
	for n, body := range s.resources("aws_cloudwatch_metric_alarm") {
		if str(body["namespace"]) == alarms.HeartbeatNamespace && str(body["metric_name"]) == alarms.HeartbeatMetric {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	if !slices.Contains(c.cfg.LogGroupAlarms(), alarms.Heartbeat) {
		c.fact(where("*"), fmt.Sprintf("no heartbeat when trail.cloudwatch_logs.alarms.disabled names it (found %d)", len(names)), false, len(names) > 0)
		return
	}
	if len(names) != 1 {
		c.missing(where("*"), "one heartbeat: an alarm on AWS/Logs IncomingLogEvents of the trail's log group", fmt.Errorf("stack %s has %d", s.Name, len(names)))
		return
	}
	body := s.resources("aws_cloudwatch_metric_alarm")[names[0]]
	loc := where(names[0])
	h := c.cfg.Trail.CloudWatchLogs.Alarms.Heartbeat
	dims, _ := body["dimensions"].(map[string]any)
	c.fact(loc, "the heartbeat counts the events of the trail's log group (dimension LogGroupName, and no other)", true,
		len(dims) == 1 && str(dims[alarms.HeartbeatDimension]) == groupRef)
	c.fact(loc, "the heartbeat counts a period without data as one without events (treat_missing_data breaching)", true, str(body["treat_missing_data"]) == "breaching")
	// Sum < t, with 0 < t <= 1, holds exactly when no event arrived;
	// Sum <= 0 says the same.
	threshold := num(body["threshold"])
	noEvent := str(body["statistic"]) == "Sum" &&
		(str(body["comparison_operator"]) == "LessThanThreshold" && threshold > 0 && threshold <= 1 ||
			str(body["comparison_operator"]) == "LessThanOrEqualToThreshold" && threshold >= 0 && threshold < 1)
	c.fact(loc, "the heartbeat fires on a period without any event (Sum below 1)", true, noEvent)
	period, periods := int(num(body["period"])), int(num(body["evaluation_periods"]))
	dp, hasDP := body["datapoints_to_alarm"]
	c.fact(loc, fmt.Sprintf("the heartbeat fires after %s without events (%d periods of %d seconds, every one of them)", alarms.Window(h.PeriodSeconds*h.EvaluationPeriods), h.EvaluationPeriods, h.PeriodSeconds), true,
		period == h.PeriodSeconds && periods == h.EvaluationPeriods && (!hasDP || int(num(dp)) == periods))
	c.fact(loc, "the heartbeat's window is one CloudWatch evaluates (docs/aws-rules.md#alarm-window-limits)", true,
		rules.AlarmPeriod(period) == nil && rules.AlarmWindow(period, periods) == nil)
	c.fact(loc, "the heartbeat notifies the alarm topic (actions enabled)", true, contains(body["alarm_actions"], topicRef) && body["actions_enabled"] != false)
	c.fact(loc, "the heartbeat notifies the alarm topic when events come back", true, contains(body["ok_actions"], topicRef))
	c.fact(loc, "the heartbeat notifies the watchdog topic, the path that does not depend on the monitoring key", true, contains(body["alarm_actions"], watchdogRef))
	c.fact(loc, "the heartbeat notifies the watchdog topic when events come back", true, contains(body["ok_actions"], watchdogRef))
	// docs/aws-rules.md#alarm-actions-per-state: at most five per state.
	c.fact(loc, "the heartbeat has at most five actions per state", true, len(list(body["alarm_actions"])) <= 5 && len(list(body["ok_actions"])) <= 5)
}

// list is v as a decoded list, or nil.
func list(v any) []any { l, _ := v.([]any); return l }

// contains reports whether v, a list of strings as decoded, holds s.
func contains(v any, s string) bool {
	l, _ := v.([]any)
	return slices.Contains(l, any(s))
}

// block returns a nested block, which the synthesized JSON writes as an
// object or as a list of one.
func block(v any) map[string]any {
	switch b := v.(type) {
	case map[string]any:
		return b
	case []any:
		if len(b) == 1 {
			m, _ := b[0].(map[string]any)
			return m
		}
	}
	return nil
}

// replicationAlarm: with replication on, the rule enables replication
// metrics, and, unless replication.alarms.enabled is false, the log-archive
// stack holds, in the home region (the source bucket's, where S3 publishes
// OperationsFailedReplication), an alarm on that metric of this rule and
// these buckets that fires on one failed operation and notifies the
// replication alarm topic; the topic is encrypted with a customer managed
// key of the stack; only this account's CloudWatch alarms in the home region
// may use the key and publish to the topic, over TLS; with guardrails on,
// the key carries the guardrails' tag and their policy protects it.
func (c *checker) replicationAlarm() error {
	rp := c.cfg.Replication
	if !rp.Enabled {
		return nil
	}
	s := *c.archive
	where := func(typ, name string) string { return fmt.Sprintf("%s/%s.%s", s.Name, typ, name) }
	configurations := s.resources("aws_s3_bucket_replication_configuration")
	if len(configurations) != 1 {
		return fmt.Errorf("stack %s has %d replication configurations, the configuration asks for one", s.Name, len(configurations))
	}
	var cfgName string
	for n := range configurations {
		cfgName = n
	}
	cfgBody := configurations[cfgName]
	rule := block(cfgBody["rule"])
	dest := block(rule["destination"])
	c.fact(where("aws_s3_bucket_replication_configuration", cfgName), "the replication rule enables replication metrics, without which S3 reports no failure (docs/aws-rules.md#replication-metrics)", true,
		str(block(dest["metrics"])["status"]) == "Enabled")

	var found []string
	for n, body := range s.resources("aws_cloudwatch_metric_alarm") {
		if str(body["namespace"]) == alarms.ReplicationNamespace && str(body["metric_name"]) == alarms.ReplicationMetric {
			found = append(found, n)
		}
	}
	slices.Sort(found)
	if !c.cfg.ReplicationAlarmsEnabled() {
		c.fact(where("aws_cloudwatch_metric_alarm", "*"), fmt.Sprintf("no replication alarm when replication.alarms.enabled is false (found %d)", len(found)), false, len(found) > 0)
		return nil
	}
	if len(found) != 1 {
		c.missing(where("aws_cloudwatch_metric_alarm", "*"), "one alarm on AWS/S3 OperationsFailedReplication", fmt.Errorf("stack %s has %d", s.Name, len(found)))
		return nil
	}
	alarm := s.resources("aws_cloudwatch_metric_alarm")[found[0]]
	loc := where("aws_cloudwatch_metric_alarm", found[0])
	dims, _ := alarm["dimensions"].(map[string]any)
	c.fact(loc, fmt.Sprintf("the replication alarm watches rule %v from %s to %s (dimensions SourceBucket, DestinationBucket, RuleId)", rule["id"], c.cfg.Bucket.Name, rp.BucketName), true,
		len(dims) == 3 && str(dims[alarms.ReplicationSourceDimension]) == c.cfg.Bucket.Name &&
			str(dims[alarms.ReplicationDestinationDimension]) == rp.BucketName &&
			str(rule["id"]) != "" && str(dims[alarms.ReplicationRuleDimension]) == str(rule["id"]))
	c.fact(loc, "the replication alarm is in the home region, the source bucket's, where S3 publishes the metric", true, region(alarm, c.cfg.HomeRegion) == c.cfg.HomeRegion)
	threshold := num(alarm["threshold"])
	c.fact(loc, "the replication alarm fires on one failed operation (Sum >= 1 over one period, actions enabled)", true,
		str(alarm["statistic"]) == "Sum" && str(alarm["comparison_operator"]) == "GreaterThanOrEqualToThreshold" && threshold > 0 && threshold <= 1 &&
			num(alarm["evaluation_periods"]) == 1 && alarm["actions_enabled"] != false)
	// docs/aws-rules.md#replication-alarm-missing-data: "ignore" could hold
	// the alarm in ALARM and swallow later failures; "breaching" would fire
	// whenever nothing is replicated.
	c.fact(loc, "the replication alarm counts a period without data as one without failures (treat_missing_data notBreaching)", true, str(alarm["treat_missing_data"]) == "notBreaching")

	topic, topicBody, ok := s.find("aws_sns_topic", "name", rp.Alarms.TopicName)
	if !ok {
		c.missing(where("aws_sns_topic", "*"), "a replication alarm topic named "+rp.Alarms.TopicName, fmt.Errorf("stack %s has none", s.Name))
		return nil
	}
	topicRef := "${aws_sns_topic." + topic + ".arn}"
	c.fact(loc, "the replication alarm notifies the replication alarm topic", true, contains(alarm["alarm_actions"], topicRef))
	c.fact(where("aws_sns_topic", topic), "the replication alarm topic is in the home region", true, region(topicBody, c.cfg.HomeRegion) == c.cfg.HomeRegion)
	keyName := s.topicKey(rp.Alarms.TopicName)
	key, ok := s.resources("aws_kms_key")[keyName]
	if !ok || key["multi_region"] == true {
		c.missing(where("aws_sns_topic", topic), "the replication alarm topic is encrypted with a single-region customer managed key of the stack", fmt.Errorf("kms_master_key_id is %v", topicBody["kms_master_key_id"]))
		return nil
	}
	c.fact(where("aws_kms_key", keyName), "the replication alarm topic's key is in the home region", true, region(key, c.cfg.HomeRegion) == c.cfg.HomeRegion)

	acct := c.cfg.Accounts.LogArchive.ID
	holder := policy.Trail{Partition: c.part, Region: c.cfg.HomeRegion, Account: acct}
	cw := policyeval.Principal{Service: policy.CloudWatchService}
	ours := fmt.Sprintf("arn:%s:cloudwatch:%s:%s:alarm:%s-%s", c.part, c.cfg.HomeRegion, acct, c.trail.Name, alarms.ReplicationFailures)
	theirs := fmt.Sprintf("arn:%s:cloudwatch:%s:%s:alarm:x", c.part, c.cfg.HomeRegion, Outsider)
	otherRegion := "eu-central-1"
	if c.cfg.HomeRegion == otherRegion {
		otherRegion = "eu-west-3"
	}
	elsewhere := fmt.Sprintf("arn:%s:cloudwatch:%s:%s:alarm:x", c.part, otherRegion, acct)

	kl, err := s.policyAt("aws_kms_key", keyName, "policy", c.resolve(s))
	if err != nil {
		return err
	}
	c.use(kl, policyeval.Policies{ResourceAccount: acct, KeyPolicy: true})
	for _, action := range []string{"kms:GenerateDataKey", "kms:Decrypt"} {
		req := func(p policyeval.Principal, kv ...string) policyeval.Request {
			return policyeval.Request{Principal: p, Action: action, Resource: "*", Context: ctx(kv...)}
		}
		c.expect(true, "CloudWatch "+action+" for the replication alarm (encrypted replication alarm topic)", req(cw, "aws:SourceAccount", acct, "aws:SourceArn", ours))
		// docs/aws-rules.md#alarm-topic-key: no AWS page says SNS's KMS
		// request for an alarm carries the source keys.
		c.expect(true, "CloudWatch "+action+" for an alarm, the request carrying no source keys (replication alarm topic's key)", req(cw))
		c.expect(false, "CloudWatch "+action+" for another account's alarm (replication alarm topic's key)", req(cw, "aws:SourceAccount", Outsider, "aws:SourceArn", theirs))
		c.expect(false, "CloudWatch "+action+" for this account's alarm in another region (replication alarm topic's key)", req(cw, "aws:SourceAccount", acct, "aws:SourceArn", elsewhere))
		c.expect(false, "another service "+action+" (replication alarm topic's key)", req(policyeval.Principal{Service: "ec2.amazonaws.com"}))
		c.expect(false, "another account "+action+" (replication alarm topic's key)", req(c.iamRole(Outsider, "Admin"), "kms:CallerAccount", Outsider), policyeval.AllowAll)
	}

	pname, err := s.topicPolicy(rp.Alarms.TopicName)
	if err != nil {
		c.missing(where("aws_sns_topic_policy", "*"), "a policy on the replication alarm topic", err)
		return nil
	}
	tl, err := s.policyAt("aws_sns_topic_policy", pname, "policy", c.resolve(s))
	if err != nil {
		return err
	}
	topicArn := policy.TopicARN(holder, rp.Alarms.TopicName)
	pub := func(p policyeval.Principal, kv ...string) policyeval.Request {
		return policyeval.Request{Principal: p, Action: "sns:Publish", Resource: topicArn, Context: ctx(kv...)}
	}
	c.use(tl, policyeval.Policies{ResourceAccount: acct})
	c.expect(true, "CloudWatch publishing for the replication alarm", pub(cw, with(tls, "aws:SourceAccount", acct, "aws:SourceArn", ours)...))
	c.expect(false, "CloudWatch publishing for the replication alarm without TLS", pub(cw, with(noTLS, "aws:SourceAccount", acct, "aws:SourceArn", ours)...))
	c.expect(false, "CloudWatch publishing to the replication alarm topic for another account's alarm", pub(cw, with(tls, "aws:SourceAccount", Outsider, "aws:SourceArn", theirs)...))
	c.expect(false, "CloudWatch publishing to the replication alarm topic for this account's alarm in another region", pub(cw, with(tls, "aws:SourceAccount", acct, "aws:SourceArn", elsewhere)...))
	c.expect(false, "CloudWatch publishing to the replication alarm topic with no source", pub(cw, tls...))
	c.expect(false, "S3 publishing to the replication alarm topic", pub(policyeval.Principal{Service: policy.S3Service}, with(tls, "aws:SourceAccount", acct)...))
	c.expect(false, "another account publishing to the replication alarm topic", pub(c.iamRole(Outsider, "Admin"), tls...), policyeval.AllowAll)
	c.expect(false, "anonymous publishing to the replication alarm topic", pub(policyeval.Anonymous, tls...))
	c.protectedByTheirPolicies("the replication alarm topic", acct, c.cfg.Accounts.LogArchive.RoleARN, topicArn, tl, kl)

	return c.replicationAlarmKeyGuardrails(s, keyName, key, kl)
}

// replicationAlarmKeyGuardrails: with guardrails on, the replication alarm
// topic's key carries the guardrails' tag, and their statement on the tagged
// keys of the log-archive account denies an administrator of that account,
// allowed everything by IAM and by AWS's default key policy, what would
// disable, delete or take over the key; the deploying role, which the
// guardrails exempt, keeps managing it.
func (c *checker) replicationAlarmKeyGuardrails(s Stack, keyName string, key map[string]any, kl located) error {
	if !c.cfg.Guardrails.Enabled {
		return nil
	}
	tags, _ := key["tags"].(map[string]any)
	loc := fmt.Sprintf("%s/aws_kms_key.%s", s.Name, keyName)
	c.fact(loc, "the replication alarm topic's key carries the guardrails' tag "+policy.GuardTagKey+" = "+c.trail.Name, true, str(tags[policy.GuardTagKey]) == c.trail.Name)
	scp, on, err := c.guardrailPolicy()
	if err != nil || !on {
		return err
	}
	acct := c.cfg.Accounts.LogArchive.ID
	scps := &policyeval.ServiceControlPolicies{
		ManagementAccount: c.cfg.Accounts.Management.ID,
		Levels:            [][]policy.Document{{policyeval.FullAWSAccess}, {policyeval.FullAWSAccess, scp.doc}, {policyeval.FullAWSAccess}},
	}
	keyArn := c.keyArn(keyName, c.cfg.HomeRegion)
	defaultKeyPolicy := policy.Document{Version: policy.Version, Statement: []policy.Statement{{
		Sid: "EnableIAMUserPermissions", Effect: policy.Allow, Principal: policy.AWSPrincipals(fmt.Sprintf("arn:%s:iam::%s:root", c.part, acct)),
		Action: policy.Values{"kms:*"}, Resource: policy.Values{"*"},
	}}}
	request := func(p policyeval.Principal, roleArn, action string) policyeval.Request {
		r := asIAM(p, action, keyArn)
		r.Context["aws:PrincipalArn"] = []string{roleArn}
		r.Context["kms:CallerAccount"] = []string{acct}
		for k, v := range tags {
			r.Context["aws:ResourceTag/"+k] = []string{str(v)}
		}
		return r
	}
	record := func(want bool, name string, req policyeval.Request, doc *policy.Document, where string) {
		got, err := policyeval.Evaluate(req, policyeval.Policies{Resource: doc, ResourceAccount: acct, KeyPolicy: true, Identity: []policy.Document{policyeval.AllowAll}, SCPs: scps})
		c.results = append(c.results, Result{Policy: scp.where + " + " + where, Name: name, Want: want, Got: got, Err: err})
	}
	admin := c.iamRole(acct, "Administrator")
	for _, a := range []string{"kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy", "kms:CreateGrant", "kms:UntagResource"} {
		record(false, "a log-archive administrator allowed everything by IAM: "+a+" on the replication alarm topic's key (guardrails with AWS's default key policy)", request(admin, admin.ARN, a), &defaultKeyPolicy, "default key policy of "+loc)
	}
	if role := c.cfg.Accounts.LogArchive.RoleARN; role != "" {
		deployer, _ := session(policyeval.Principal{ARN: role})
		record(true, "the deploying role (a session) kms:PutKeyPolicy on the replication alarm topic's key", request(deployer, role, "kms:PutKeyPolicy"), &kl.doc, kl.where)
	}
	return nil
}

// topicKey is the logical name of the aws_kms_key that encrypts the topic
// named topicName in s, or "".
func (s Stack) topicKey(topicName string) string {
	_, body, ok := s.find("aws_sns_topic", "name", topicName)
	if !ok {
		return ""
	}
	return keyOf(str(body["kms_master_key_id"]))
}

// keyOf is the logical name of the aws_kms_key a reference to its ARN
// names, or "".
func keyOf(ref string) string {
	if !strings.HasPrefix(ref, "${aws_kms_key.") || !strings.HasSuffix(ref, ".arn}") {
		return ""
	}
	return strings.TrimSuffix(strings.TrimPrefix(ref, "${aws_kms_key."), ".arn}")
}

// monitoringKey is the logical name of the monitoring key in s: the key
// that encrypts the trail's log group or, without one, the notification
// topic, found by their references (the stack may hold the watchdog key,
// the replication alarm topic's key and the Athena results key beside it);
// "" when there is none.
func (c *checker) monitoringKey(s Stack) string {
	if w := c.cfg.Trail.CloudWatchLogs; w.Enabled {
		if _, body, ok := s.find("aws_cloudwatch_log_group", "name", w.LogGroupName); ok {
			return keyOf(str(body["kms_key_id"]))
		}
		return ""
	}
	if n := c.cfg.Trail.Notifications; n.Enabled {
		return s.topicKey(n.TopicName)
	}
	return ""
}

// watchdogKey is the logical name of the key of the watchdog topic in s, or
// "" when there is none.
func (c *checker) watchdogKey(s Stack) string {
	if !c.cfg.AlarmsEnabled() {
		return ""
	}
	return s.topicKey(c.cfg.Trail.CloudWatchLogs.Alarms.WatchdogTopicName)
}

// replicationAlarmKey is the logical name of the key of the replication
// alarm topic in s, or "" when there is none: a key beside the monitoring
// key when one account holds both.
func (c *checker) replicationAlarmKey(s Stack) string {
	if !c.cfg.ReplicationAlarmsEnabled() {
		return ""
	}
	return s.topicKey(c.cfg.Replication.Alarms.TopicName)
}
