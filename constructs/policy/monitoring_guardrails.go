package policy

import (
	"fmt"
	"sort"
	"strings"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// Statement id prefixes of the monitoring guardrail service control policy;
// each statement's id ends in the account it protects.
const (
	// SidGuardMonitoringPrefix: the alarms, log groups and topics.
	SidGuardMonitoringPrefix = "DenyMonitoringChanges"
	// SidGuardMonitoringKeyPrefix: the tagged monitoring keys.
	SidGuardMonitoringKeyPrefix = "DenyMonitoringKeyChanges"
	// SidGuardAccountPoliciesPrefix: the account-wide CloudWatch Logs
	// policies.
	SidGuardAccountPoliciesPrefix = "DenyLogsAccountPolicies"
)

// GuardedAlarmActions are denied on the watched alarms: deleting one,
// rewriting it (PutMetricAlarm creates or replaces an alarm: a new threshold,
// metric or action list), switching off its actions, and setting its state
// by hand. Each takes the alarm resource type (Service Authorization
// Reference, "Actions, resources, and condition keys for Amazon
// CloudWatch"; docs/aws-rules.md#alarm-actions), and AWS's own example SCP
// that keeps alarms from being changed denies the same four, on every alarm
// (Organizations User Guide, "Example SCPs for Amazon CloudWatch").
var GuardedAlarmActions = Values{
	"cloudwatch:DeleteAlarms", "cloudwatch:DisableAlarmActions", "cloudwatch:PutAlarmMuteRule", "cloudwatch:PutMetricAlarm", "cloudwatch:SetAlarmState",
}

// GuardedLogGroupActions are denied on the watched log groups: deleting the
// group or its streams, shortening or removing its retention, rewriting or
// removing the metric filters the alarms count with and the subscription
// filters, changing its encryption key, and data protection (masking)
// policies. Each takes the log-group resource type, DeleteLogStream the
// log-stream type under the group (Service Authorization Reference,
// "Actions, resources, and condition keys for Amazon CloudWatch Logs";
// docs/aws-rules.md#log-group-actions, which marks the data protection
// actions' resource type UNCONFIRMED).
var GuardedLogGroupActions = Values{
	"logs:AssociateKmsKey", "logs:DeleteDataProtectionPolicy", "logs:DeleteLogGroup", "logs:DeleteLogStream",
	"logs:DeleteMetricFilter", "logs:DeleteRetentionPolicy", "logs:DeleteSubscriptionFilter", "logs:DisassociateKmsKey",
	"logs:PutDataProtectionPolicy", "logs:PutMetricFilter", "logs:PutRetentionPolicy", "logs:PutSubscriptionFilter",
}

// GuardedTopicActions are denied on the watched topics: deleting one,
// changing its attributes (its policy, its key, its delivery policy),
// adding or removing statements of its policy, and its message data
// protection policy. Each takes the topic resource type (Service
// Authorization Reference, "Actions, resources, and condition keys for
// Amazon SNS"; docs/aws-rules.md#topic-actions). sns:Unsubscribe and
// sns:SetSubscriptionAttributes take no resource type, so a deny of them
// cannot name our topics: they are not denied (docs/guardrails.md says so).
var GuardedTopicActions = Values{
	"sns:AddPermission", "sns:DeleteTopic", "sns:PutDataProtectionPolicy", "sns:RemovePermission", "sns:SetTopicAttributes",
}

// WatchedAccount is what the monitoring guardrails protect in one account
// and region, and whom they exempt there.
type WatchedAccount struct {
	// Account holds the resources. Required.
	Account string
	// Region holds the resources. Required.
	Region string
	// AlarmPrefix protects every alarm of the account and region whose name
	// starts with it (an ARN pattern ending in *), so that alarms added
	// later are covered. Default: no alarm.
	AlarmPrefix string
	// LogGroups are the names of the log groups to protect, with their
	// metric and subscription filters. Default: none.
	LogGroups []string
	// Topics are the names of the SNS topics to protect. Default: none.
	Topics []string
	// KeyTag protects every KMS key of the account and region tagged
	// GuardTagKey = KeyTag (the key's id is known only after apply).
	// Default: no key.
	KeyTag string
	// AccountPolicies denies logs:PutAccountPolicy to the account's
	// principals: an account-wide data protection policy masks what every
	// log group's metric filters see, its own record included
	// (docs/aws-rules.md#account-policies). It has no resource type, so the
	// deny names "*" and is limited to the account by aws:PrincipalAccount.
	// Default: false.
	AccountPolicies bool
	// Exempt are the principal ARNs that may still change these resources:
	// the account's deploying role and the break-glass principals. At least
	// one.
	Exempt []string
}

// MonitoringGuardrails describes the second guardrail service control
// policy: the monitoring of the trail in the accounts an SCP can bind.
type MonitoringGuardrails struct {
	// Partition of every ARN. Required.
	Partition string
	// Watched are the accounts whose monitoring the policy protects, one
	// entry per account. At least one.
	Watched []WatchedAccount
}

// Validate checks every part, reporting each problem under field.
func (m MonitoringGuardrails) Validate(field string) error {
	var l rules.List
	l.Add(field+".Partition", rules.PartitionName(m.Partition))
	if len(m.Watched) == 0 {
		l.Addf(field+".Watched", m.Watched, "must name at least one account")
	}
	seen := map[string]int{}
	for i, w := range m.Watched {
		f := fmt.Sprintf("%s.Watched[%d]", field, i)
		l.Add(f+".Account", rules.AccountID(w.Account))
		if j, dup := seen[w.Account]; dup {
			l.Addf(f+".Account", w.Account, "repeats %s.Watched[%d]: one entry per account (statement ids end in the account)", field, j)
		}
		seen[w.Account] = i
		l.Add(f+".Region", rules.Region(w.Region))
		if w.AlarmPrefix != "" && strings.ContainsAny(w.AlarmPrefix, "*?") {
			l.Addf(f+".AlarmPrefix", w.AlarmPrefix, "must not contain * or ?: they are wildcards in an ARN pattern")
		}
		for j, g := range w.LogGroups {
			l.Add(fmt.Sprintf("%s.LogGroups[%d]", f, j), rules.LogGroupName(g))
		}
		for j, t := range w.Topics {
			l.Add(fmt.Sprintf("%s.Topics[%d]", f, j), rules.TopicName(t))
		}
		if w.KeyTag != "" {
			l.Add(f+".KeyTag", rules.Tag(GuardTagKey, w.KeyTag))
		}
		if w.AlarmPrefix == "" && len(w.LogGroups) == 0 && len(w.Topics) == 0 && w.KeyTag == "" {
			l.Addf(f, w.Account, "protects nothing: name an alarm prefix, a log group, a topic or a key tag")
		}
		if len(w.Exempt) == 0 {
			l.Addf(f+".Exempt", w.Exempt, "must name at least one principal: the guardrails would otherwise deny the deployment itself")
		}
		for j, e := range w.Exempt {
			if _, err := rules.PrincipalARN(e, m.Partition); err != nil {
				l.Add(fmt.Sprintf("%s.Exempt[%d]", f, j), err)
			}
		}
	}
	return l.Err()
}

// MonitoringGuardrailPolicy returns the monitoring guardrail service control
// policy: per watched account, in account order, a statement denying
// GuardedAlarmActions, GuardedLogGroupActions and GuardedTopicActions on its
// alarms, log groups and topics, and one denying GuardedKeyActions on its
// tagged keys, each to every principal but the account's Exempt (compared
// on aws:PrincipalArn, as in GuardrailPolicy). The first statement pairs
// every action with every resource; a pair that is not a real request (a
// cloudwatch action on a log group) never matches, so it costs bytes of the
// 5,120, not meaning, and saves repeating the exemption per service
// (docs/aws-rules.md#scp-size).
//
// A log group is named in both ARN forms: without the trailing ":*" (the
// form of the log-group resource type) and with it, which also covers its
// log streams; AWS asks for the ":*" form in IAM policies for most actions
// on a log group (docs/aws-rules.md#log-group-arn-suffix).
func MonitoringGuardrailPolicy(m MonitoringGuardrails) (Document, error) {
	if err := m.Validate("MonitoringGuardrails"); err != nil {
		return Document{}, err
	}
	p := m.Partition
	watched := append([]WatchedAccount(nil), m.Watched...)
	sort.Slice(watched, func(i, j int) bool { return watched[i].Account < watched[j].Account })
	doc := Document{Version: Version}
	for _, w := range watched {
		exempt := sortedUnique(w.Exempt)
		var resources Values
		if w.AlarmPrefix != "" {
			resources = append(resources, fmt.Sprintf("arn:%s:cloudwatch:%s:%s:alarm:%s*", p, w.Region, w.Account, w.AlarmPrefix))
		}
		for _, g := range sortedUnique(w.LogGroups) {
			group := fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", p, w.Region, w.Account, g)
			resources = append(resources, group, group+":*")
		}
		for _, t := range sortedUnique(w.Topics) {
			resources = append(resources, fmt.Sprintf("arn:%s:sns:%s:%s:%s", p, w.Region, w.Account, t))
		}
		if len(resources) > 0 {
			var actions Values
			if w.AlarmPrefix != "" {
				actions = append(actions, GuardedAlarmActions...)
			}
			if len(w.LogGroups) > 0 {
				actions = append(actions, GuardedLogGroupActions...)
			}
			if len(w.Topics) > 0 {
				actions = append(actions, GuardedTopicActions...)
			}
			doc.Statement = append(doc.Statement, Statement{
				Sid: SidGuardMonitoringPrefix + w.Account, Effect: Deny, Action: actions, Resource: resources,
				Condition: Conditions{}.Add("ArnNotLike", principalArnKey, exempt...),
			})
		}
		if w.AccountPolicies {
			doc.Statement = append(doc.Statement, Statement{
				Sid: SidGuardAccountPoliciesPrefix + w.Account, Effect: Deny, Action: Values{"logs:PutAccountPolicy"}, Resource: Values{"*"},
				Condition: Conditions{}.Add("ArnNotLike", principalArnKey, exempt...).
					Add("StringEquals", "aws:PrincipalAccount", w.Account),
			})
		}
		if w.KeyTag != "" {
			doc.Statement = append(doc.Statement, Statement{
				Sid: SidGuardMonitoringKeyPrefix + w.Account, Effect: Deny, Action: GuardedKeyActions,
				Resource: Values{fmt.Sprintf("arn:%s:kms:%s:%s:key/*", p, w.Region, w.Account)},
				Condition: Conditions{}.Add("ArnNotLike", principalArnKey, exempt...).
					Add("StringEquals", "aws:ResourceTag/"+GuardTagKey, w.KeyTag),
			})
		}
	}
	return doc, nil
}

// MonitoringGuardrailPolicyJSON renders the policy compactly and refuses one
// over MaxSCPBytes.
func MonitoringGuardrailPolicyJSON(m MonitoringGuardrails) (string, error) {
	return scpJSON(MonitoringGuardrailPolicy(m))
}
