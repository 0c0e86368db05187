package constructs

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchloggroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchlogmetricfilter"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchmetricalarm"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kmskey"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/snstopic"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/alarms"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// Defaults of the alarm props.
const (
	// DefaultAlarmTopicSuffix goes after the trail name in the default alarm
	// topic name (rules.DefaultAlarmTopicName).
	DefaultAlarmTopicSuffix = rules.DefaultAlarmTopicSuffix
	// DefaultWatchdogTopicSuffix goes after the trail name in the default
	// watchdog topic name (rules.DefaultWatchdogTopicName).
	DefaultWatchdogTopicSuffix = rules.DefaultWatchdogTopicSuffix
	// alarmPeriodSeconds: an alarm fires when at least one matching event
	// arrives within five minutes.
	alarmPeriodSeconds = 300
)

// AlarmsProps configures metric filters and alarms on the trail's log group:
// the CIS AWS Foundations Benchmark v3.0.0 monitoring controls 4.1 to 4.15
// and alerts on tampering with this trail, its key and its log buckets
// (package alarms), notifying an SNS topic encrypted with the monitoring key
// that only this account's CloudWatch alarms may publish to.
//
// The heartbeat and the monitoring-path alarms (alarms.MonitoringNames and
// their deployer twins) notify a second topic too, the watchdog topic,
// encrypted with a key of its own (the watchdog key): a disabled or
// re-policied monitoring key, or a broken alarm topic, stops SNS delivering
// through the alarm topic (docs/aws-rules.md#alarm-topic-key), and the
// alarms that report it would otherwise fire into it.
type AlarmsProps struct {
	// TopicName of the alarm topic. Default: rules.DefaultAlarmTopicName of
	// the trail's name.
	TopicName string
	// WatchdogTopicName of the watchdog topic, in the same account and
	// region as the alarm topic. Default: rules.DefaultWatchdogTopicName of
	// the trail's name.
	WatchdogTopicName string
	// Disabled names alarms to leave out (alarms.Names). Default: none.
	Disabled []string
	// Subscriptions receive every alarm notification, on the alarm topic
	// and on the watchdog topic alike. Default: none.
	Subscriptions []SubscriptionProps
	// DeployerRoleARN is the role Terraform deploys the monitoring account
	// (MonitoringAccount) with. Its changes to the monitoring path (the
	// alarms, the log group, the topics, the monitoring key) are counted by
	// a second alarm of each monitoring alarm, named with
	// alarms.ByDeployerSuffix and described as expected during a deployment,
	// so that subscribers can route them apart while they still notify.
	// Default: none (one alarm counts everyone's changes).
	DeployerRoleARN string
	// GuardTagKey is the tag key by which guardrail service control
	// policies find the keys they protect (policy.GuardTagKey). When set,
	// the alarm alarms.GuardrailTagChanges counts every KMS TagResource or
	// UntagResource naming it, on any key in any account the trail logs
	// (docs/aws-rules.md#kms-tag-events). Default: none (no such alarm).
	GuardTagKey string
	// Heartbeat sets the window of the heartbeat alarm (alarms.Heartbeat),
	// which fires when no event reaches the log group for that long; it
	// exists unless Disabled names it. Default: HeartbeatProps' defaults.
	Heartbeat *HeartbeatProps
}

// HeartbeatProps is the window of the heartbeat alarm: it fires when every
// one of EvaluationPeriods consecutive periods of PeriodSeconds saw no event
// arrive in the log group. CloudWatch evaluates at most seven days, and at
// most one day when the period is shorter than an hour
// (docs/aws-rules.md#alarm-window-limits).
type HeartbeatProps struct {
	// PeriodSeconds is a whole number of minutes, in seconds.
	// Default: rules.DefaultHeartbeatPeriodSeconds (3600).
	PeriodSeconds int
	// EvaluationPeriods is how many periods in a row must see no event.
	// Default: rules.DefaultHeartbeatEvaluationPeriods (24).
	EvaluationPeriods int
}

// withDefaults returns h with every unset value at its default; nil stands
// for every default.
func (h *HeartbeatProps) withDefaults() *HeartbeatProps {
	out := HeartbeatProps{}
	if h != nil {
		out = *h
	}
	if out.PeriodSeconds == 0 {
		out.PeriodSeconds = rules.DefaultHeartbeatPeriodSeconds
	}
	if out.EvaluationPeriods == 0 {
		out.EvaluationPeriods = rules.DefaultHeartbeatEvaluationPeriods
	}
	return &out
}

// SubscriptionProps is one subscription of the alarm topic.
type SubscriptionProps struct {
	// Protocol is an SNS protocol: email, email-json, https, lambda, sms, sqs.
	Protocol string
	// Endpoint receives the notifications.
	Endpoint string
}

func (a *AlarmsProps) validate(l *rules.List, t policy.Trail) {
	if a == nil {
		return
	}
	l.Add("TrailProps.CloudWatchLogs.Alarms.TopicName", rules.TopicName(a.TopicName))
	l.Add("TrailProps.CloudWatchLogs.Alarms.WatchdogTopicName", rules.TopicName(a.WatchdogTopicName))
	if a.WatchdogTopicName == a.TopicName {
		l.Addf("TrailProps.CloudWatchLogs.Alarms.WatchdogTopicName", a.WatchdogTopicName, "must differ from TrailProps.CloudWatchLogs.Alarms.TopicName: the watchdog topic is the second path, apart from the alarm topic")
	}
	known := map[string]bool{}
	for _, n := range alarms.Names() {
		known[n] = true
	}
	for i, d := range a.Disabled {
		if !known[d] {
			l.Addf(fmt.Sprintf("TrailProps.CloudWatchLogs.Alarms.Disabled[%d]", i), d, "must be one of %s", strings.Join(alarms.Names(), ", "))
		}
	}
	if a.GuardTagKey != "" {
		l.Add("TrailProps.CloudWatchLogs.Alarms.GuardTagKey", rules.Tag(a.GuardTagKey, ""))
	}
	for i, s := range a.Subscriptions {
		if s.Protocol == "" || s.Endpoint == "" {
			l.Addf(fmt.Sprintf("TrailProps.CloudWatchLogs.Alarms.Subscriptions[%d]", i), s, "needs a protocol and an endpoint")
		}
	}
	if a.DeployerRoleARN != "" {
		if _, err := rules.RoleARN(a.DeployerRoleARN, t.Partition); err != nil {
			l.Add("TrailProps.CloudWatchLogs.Alarms.DeployerRoleARN", err)
		}
	}
	if h := a.Heartbeat; h != nil {
		if err := rules.AlarmPeriod(h.PeriodSeconds); err != nil {
			l.Add("TrailProps.CloudWatchLogs.Alarms.Heartbeat.PeriodSeconds", err)
		} else {
			l.Add("TrailProps.CloudWatchLogs.Alarms.Heartbeat.EvaluationPeriods", rules.AlarmWindow(h.PeriodSeconds, h.EvaluationPeriods))
		}
	}
}

// keyAccount is the account of the key policy's root administration
// statement: the account that owns the key (policy.KeyPolicy).
func keyAccount(doc policy.Document) string {
	for _, s := range doc.Statement {
		if s.Sid != policy.SidKeyRootAdministration {
			continue
		}
		for _, p := range s.Principal.AWS {
			if a, err := arn.Parse(p); err == nil && a.Resource == "root" {
				return a.AccountID
			}
		}
	}
	return ""
}

// alarmTargets is what the tampering alarms watch.
type alarmTargets struct {
	// keyArn is the trail's key copy; its id is every copy's id.
	keyArn *string
	// keyAccount owns the key and the log buckets; keyAlias names the key.
	keyAccount, keyAlias string
	// keyRegions are the regions of the key's copies.
	keyRegions []string
	buckets    []string
	// covered: the trail logs the key's account (an organization trail, or
	// the same account), so its events reach the log group.
	covered bool
	// pipelineRoles are the replication and delivery roles in accounts the
	// trail logs (alarms.Tampering.PipelineRoles).
	pipelineRoles []string
}

// alarmsPlan is the alarms and the policies of the alarm topic, the
// watchdog topic and the watchdog key, computed before the first construct
// is added.
type alarmsPlan struct {
	all                                           []alarms.Alarm
	topicJSON, watchdogTopicJSON, watchdogKeyJSON string
	targets                                       alarmTargets
}

// planAlarms lists the enabled alarms and writes the alarm topic's policy.
func planAlarms(p *TrailProps, t policy.Trail, targets alarmTargets) (*alarmsPlan, error) {
	a := p.CloudWatchLogs.Alarms
	tamper := alarms.Tampering{Partition: t.Partition, TrailName: t.Name, TrailARN: t.ARN(), Organization: p.Bucket.OrganizationID() != ""}
	if targets.covered {
		tamper.KeyAccount, tamper.KeyID, tamper.KeyAlias = targets.keyAccount, alarms.KeyIDPlaceholder, targets.keyAlias
		tamper.KeyRegions = targets.keyRegions
		tamper.Buckets = targets.buckets
	}
	tamper.PipelineRoles = targets.pipelineRoles
	tamper.GuardTagKey = a.GuardTagKey
	tampering, err := alarms.TamperingAlarms(tamper, a.Disabled)
	if err != nil {
		return nil, err
	}
	// The monitoring path: the alarms, the log group, the topics and the
	// monitoring key, in the account that holds them and the home region.
	holder := policy.MonitoringHolder(t, p.MonitoringAccount)
	mon := alarms.Monitoring{
		Partition: t.Partition, Account: holder.Account, Region: t.Region,
		TrailName: t.Name, LogGroupName: p.CloudWatchLogs.LogGroupName,
		Topics: []string{a.TopicName, a.WatchdogTopicName}, KeyIDs: []string{alarms.MonitoringKeyIDPlaceholder, alarms.WatchdogKeyIDPlaceholder},
		Deployer: a.DeployerRoleARN,
	}
	if n := p.Notifications; n != nil {
		mon.Topics = append(mon.Topics, n.TopicName)
	}
	monitoring, err := alarms.MonitoringAlarms(mon, a.Disabled)
	if err != nil {
		return nil, err
	}
	all := append(append(alarms.CIS(a.Disabled), tampering...), monitoring...)
	// docs/aws-rules.md#metric-filters-per-log-group: one filter per pattern.
	filters := 0
	for _, al := range all {
		filters += len(al.Patterns)
	}
	if filters > rules.MaxMetricFiltersPerLogGroup {
		return nil, fmt.Errorf("the alarms need %d metric filters on the log group, more than the %d CloudWatch Logs allows: shorten the names or disable alarms (TrailProps.CloudWatchLogs.Alarms.Disabled)", filters, rules.MaxMetricFiltersPerLogGroup)
	}
	if targets.keyArn == nil {
		for _, al := range all {
			for _, pattern := range al.Patterns {
				if strings.Contains(pattern, alarms.KeyIDPlaceholder) {
					return nil, fmt.Errorf("alarm %s needs the key's ARN", al.Name)
				}
			}
		}
	}
	// The alarms and their topic live in the account that holds the log
	// group (a delegated administrator's, see policy.MonitoringHolder).
	plan := &alarmsPlan{all: all, targets: targets}
	if plan.topicJSON, err = p.Naming.document(policy.ProtectedAlarmTopicPolicy(holder, a.TopicName, p.MonitoringProtection)).JSON(); err != nil {
		return nil, err
	}
	// The watchdog topic and key: only this account's alarms publish and use
	// the key, and their silencing is denied like the alarm topic's and the
	// monitoring key's.
	if plan.watchdogTopicJSON, err = p.Naming.document(policy.ProtectedAlarmTopicPolicy(holder, a.WatchdogTopicName, p.MonitoringProtection)).JSON(); err != nil {
		return nil, err
	}
	if plan.watchdogKeyJSON, err = p.Naming.document(policy.ProtectedAlarmKeyPolicy(holder, p.MonitoringProtection)).JSON(); err != nil {
		return nil, err
	}
	return plan, nil
}

// addAlarms creates the alarm topic, its policy and subscriptions, and one
// alarm with its metric filters per enabled control, on group.
func addAlarms(node constructs.Construct, p *TrailProps, t policy.Trail, group cloudwatchloggroup.CloudwatchLogGroup, key kmskey.KmsKey, plan *alarmsPlan) snstopic.SnsTopic {
	a := p.CloudWatchLogs.Alarms
	all, targets := plan.all, plan.targets

	topic, topicArn := newEncryptedTopic(node, p.Provider, "Alarm", a.TopicName, key.Arn(), plan.topicJSON, a.Subscriptions)
	groupName := group.Name()
	watchdogKey, watchdogArn := addWatchdog(node, p, t, plan)

	// Every copy of a multi-region key has the same key id: the last part
	// of the ARN of the copy the trail uses.
	var keyID, monitoringKeyID, watchdogKeyID string
	if targets.keyArn != nil {
		keyID = *cdktf.Token_AsString(cdktf.Fn_Element(cdktf.Fn_Split(jsii.String("/"), targets.keyArn), jsii.Number(1)), nil)
	}
	// The monitoring key's id is known after apply: the last part of its ARN.
	for _, al := range all {
		for _, pattern := range al.Patterns {
			if monitoringKeyID == "" && strings.Contains(pattern, alarms.MonitoringKeyIDPlaceholder) {
				monitoringKeyID = *cdktf.Token_AsString(cdktf.Fn_Element(cdktf.Fn_Split(jsii.String("/"), key.Arn()), jsii.Number(1)), nil)
			}
			if watchdogKeyID == "" && strings.Contains(pattern, alarms.WatchdogKeyIDPlaceholder) {
				watchdogKeyID = *cdktf.Token_AsString(cdktf.Fn_Element(cdktf.Fn_Split(jsii.String("/"), watchdogKey.Arn()), jsii.Number(1)), nil)
			}
		}
	}
	namespace := p.Naming.namespace(t.Name)
	for _, al := range all {
		id := goName(strings.ReplaceAll(al.Name, "-", "_")) // "key-changes" becomes "KeyChanges"
		for j, pattern := range al.Patterns {
			name := alarms.AlarmName(t.Name, al.Name)
			fid := "AlarmFilter" + id
			if len(al.Patterns) > 1 {
				name = fmt.Sprintf("%s-%d", name, j+1)
				fid = fmt.Sprintf("%s%d", fid, j+1)
			}
			if strings.Contains(pattern, alarms.KeyIDPlaceholder) {
				pattern = strings.ReplaceAll(pattern, alarms.KeyIDPlaceholder, keyID)
			}
			pattern = strings.ReplaceAll(pattern, alarms.MonitoringKeyIDPlaceholder, monitoringKeyID)
			pattern = strings.ReplaceAll(pattern, alarms.WatchdogKeyIDPlaceholder, watchdogKeyID)
			cloudwatchlogmetricfilter.NewCloudwatchLogMetricFilter(node, jsii.String(fid), &cloudwatchlogmetricfilter.CloudwatchLogMetricFilterConfig{
				Provider:     p.Provider,
				Name:         jsii.String(name),
				LogGroupName: groupName,
				Pattern:      jsii.String(pattern),
				MetricTransformation: &cloudwatchlogmetricfilter.CloudwatchLogMetricFilterMetricTransformation{
					Name:      jsii.String(al.Name),
					Namespace: jsii.String(namespace),
					Value:     jsii.String("1"),
				},
			})
		}
		// The monitoring-path alarms report a broken alarm topic or
		// monitoring key: they notify through the watchdog topic too.
		actions := jsii.Strings(*topicArn)
		if alarms.IsMonitoring(al.Name) {
			actions = jsii.Strings(*topicArn, *watchdogArn)
		}
		cloudwatchmetricalarm.NewCloudwatchMetricAlarm(node, jsii.String("Alarm"+id), &cloudwatchmetricalarm.CloudwatchMetricAlarmConfig{
			Provider:         p.Provider,
			AlarmName:        jsii.String(alarms.AlarmName(t.Name, al.Name)),
			AlarmDescription: jsii.String(al.Description),
			Namespace:        jsii.String(namespace),
			MetricName:       jsii.String(al.Name),
			// docs/aws-rules.md#metric-values: anyone allowed
			// cloudwatch:PutMetricData may publish into this namespace, and
			// values may be negative, which would pull a Sum below 1 and
			// hide every match. The filter publishes 1 per match, and no
			// value can lower a Maximum: Maximum >= 1 fires exactly when a
			// Sum >= 1 of the filter's own data would.
			Statistic:          jsii.String("Maximum"),
			Period:             jsii.Number(alarmPeriodSeconds),
			EvaluationPeriods:  jsii.Number(1),
			Threshold:          jsii.Number(1),
			ComparisonOperator: jsii.String("GreaterThanOrEqualToThreshold"),
			// No matching event in a period publishes no data point: that is
			// no alarm, not an unknown state.
			TreatMissingData: jsii.String("notBreaching"),
			AlarmActions:     actions,
		})
	}
	if !slices.Contains(a.Disabled, alarms.Heartbeat) {
		addHeartbeat(node, p, t, a.Heartbeat, groupName, topicArn, watchdogArn)
	}
	return topic
}

// addHeartbeat creates the alarm that fires when no event reached the log
// group for the whole window: every metric-filter alarm treats missing data
// as not breaching (docs/aws-rules.md#treat-missing-data), so a broken
// delivery would leave them all OK for ever. IncomingLogEvents counts the
// events uploaded to the group (docs/aws-rules.md#incoming-log-events); a
// period in which none arrived has no data point, or a 0, and both count as
// breaching here. It notifies both ways: a heartbeat that comes back is news
// too. It notifies the alarm topic and the watchdog topic: a silence caused
// by a broken monitoring key (the log group's) must not go through a topic
// encrypted with that key alone.
func addHeartbeat(node constructs.Construct, p *TrailProps, t policy.Trail, h *HeartbeatProps, groupName, topicArn, watchdogArn *string) {
	h = h.withDefaults()
	group := p.CloudWatchLogs.LogGroupName
	cloudwatchmetricalarm.NewCloudwatchMetricAlarm(node, jsii.String("AlarmHeartbeat"), &cloudwatchmetricalarm.CloudwatchMetricAlarmConfig{
		Provider:           p.Provider,
		AlarmName:          jsii.String(fmt.Sprintf("%s-%s", t.Name, alarms.Heartbeat)),
		AlarmDescription:   jsii.String(alarms.HeartbeatDescription(group, h.PeriodSeconds*h.EvaluationPeriods)),
		Namespace:          jsii.String(alarms.HeartbeatNamespace),
		MetricName:         jsii.String(alarms.HeartbeatMetric),
		Dimensions:         &map[string]*string{alarms.HeartbeatDimension: groupName},
		Statistic:          jsii.String("Sum"),
		Period:             jsii.Number(float64(h.PeriodSeconds)),
		EvaluationPeriods:  jsii.Number(float64(h.EvaluationPeriods)),
		DatapointsToAlarm:  jsii.Number(float64(h.EvaluationPeriods)),
		Threshold:          jsii.Number(1),
		ComparisonOperator: jsii.String("LessThanThreshold"),
		// docs/aws-rules.md#treat-missing-data: a period without data is
		// a period without events, which is what this alarm is about.
		TreatMissingData: jsii.String("breaching"),
		// docs/aws-rules.md#alarm-actions-per-state: up to five actions.
		AlarmActions: jsii.Strings(*topicArn, *watchdogArn),
		OkActions:    jsii.Strings(*topicArn, *watchdogArn),
	})
}

// addWatchdog creates the watchdog key, the watchdog topic encrypted with
// it, the topic's policy and its subscriptions (the alarm topic's), and
// returns the key and the topic's ARN. The key is the monitoring key's
// twin in all but its policy, which names no service but CloudWatch
// alarms: rotation on, the same deletion window and tags (so that the
// guardrails' statement on tagged keys protects it), kept from destruction
// unless AllowDestroy.
func addWatchdog(node constructs.Construct, p *TrailProps, t policy.Trail, plan *alarmsPlan) (kmskey.KmsKey, *string) {
	a := p.CloudWatchLogs.Alarms
	key := newAlarmTopicKey(node, p.Provider, "WatchdogKey",
		p.Naming.describe(fmt.Sprintf("CloudTrail %s: watchdog topic, the second path of the heartbeat and monitoring alarms", t.Name)),
		plan.watchdogKeyJSON, p.MonitoringKeyTags, p.AllowDestroy)
	_, topicArn := newEncryptedTopic(node, p.Provider, "Watchdog", a.WatchdogTopicName, key.Arn(), plan.watchdogTopicJSON, a.Subscriptions)
	return key, topicArn
}
