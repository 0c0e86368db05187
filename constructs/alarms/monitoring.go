package alarms

import (
	"fmt"
	"slices"
	"strings"
)

// Names of the alarms on the monitoring path: this deployment's own alarms,
// the trail's log group, the alarm and notification topics and the
// monitoring key, all in the account that holds the log group (the
// management account's, or a delegated administrator's) and the trail's home
// region. Whoever administers that account could otherwise silence every
// other alarm without a trace in our alerting.
const (
	MonitoringAlarmChanges    = "monitoring-alarm-changes"
	MonitoringLogGroupChanges = "monitoring-log-group-changes"
	MonitoringTopicChanges    = "monitoring-topic-changes"
	MonitoringKeyChanges      = "monitoring-key-changes"
	// ByDeployerSuffix names the twin of a monitoring alarm that counts the
	// deploying role's changes (Monitoring.Deployer); it is switched off
	// with the alarm it twins, never alone, so that a change made with the
	// deploying role always notifies.
	ByDeployerSuffix = "-by-deployer"
)

// MonitoringNames lists the monitoring alarms' names (without their
// deployer twins).
var MonitoringNames = []string{MonitoringAlarmChanges, MonitoringLogGroupChanges, MonitoringTopicChanges, MonitoringKeyChanges}

// IsMonitoring reports whether name is a monitoring alarm's or its deployer
// twin's.
func IsMonitoring(name string) bool {
	return slices.Contains(MonitoringNames, strings.TrimSuffix(name, ByDeployerSuffix))
}

// AlarmName is the name of the CloudWatch alarm called name of the trail
// called trail: the one place alarm names are made, so that the
// monitoring-alarm-changes patterns, which match the prefix AlarmName(trail,
// ""), cover every alarm the deployment creates, the heartbeat included.
func AlarmName(trail, name string) string { return trail + "-" + name }

// Event names watched on the monitoring path (docs/aws-rules.md#monitoring-path-events).
var (
	// AlarmEvents delete, silence, rewrite or force the state of an alarm.
	// SetAlarmState is watched: an alarm forced into ALARM with a reason of
	// the caller's choosing notifies once and then stays in ALARM, so the
	// real matching events that follow change no state and send nothing.
	// EnableAlarmActions is not: it can only turn notifications back on.
	// PutAlarmMuteRule mutes the actions of up to 100 alarms, named in the
	// rule, for a window of the caller's choosing, while they keep changing
	// state (docs/aws-rules.md#alarm-mute-rules). Which request field names
	// the muted alarms is not documented for CloudTrail records, so every
	// mute rule created or changed in the monitoring account and region
	// counts.
	AlarmEvents = []string{"DeleteAlarms", "DisableAlarmActions", "PutMetricAlarm", "SetAlarmState", "PutAlarmMuteRule"}
	// LogGroupEvents change what reaches the metric filters or how long the
	// events stay: retention, deletion, the metric filters themselves,
	// subscription filters (a SIEM fed by one is blinded by its deletion or
	// by a new pattern that matches nothing), the group's KMS key (a key the
	// caller can later disable stops ingestion), data protection policies
	// (masking applies to metric filters too) and transformers (a metric
	// filter created to read transformed events sees them; ours are not,
	// but a rewritten one could be), for the group or, through
	// PutAccountPolicy, for every group of the account.
	LogGroupEvents = []string{
		"PutRetentionPolicy", "DeleteRetentionPolicy", "DeleteLogGroup",
		"PutMetricFilter", "DeleteMetricFilter", "PutSubscriptionFilter", "DeleteSubscriptionFilter",
		"AssociateKmsKey", "DisassociateKmsKey", "PutDataProtectionPolicy", "PutTransformer", "PutAccountPolicy",
	}
	// TopicEvents change who may publish to or receive from a topic, delete
	// it, drop a subscription or filter its messages away (a subscription
	// filter policy that matches nothing blinds its subscriber; a topic data
	// protection policy can deny messages). Subscribe is not watched: it
	// adds a reader, it does not silence one.
	TopicEvents = []string{
		"SetTopicAttributes", "DeleteTopic", "AddPermission", "RemovePermission", "PutDataProtectionPolicy",
		"Unsubscribe", "SetSubscriptionAttributes",
	}
)

// The CloudTrail record fields that name who made a change
// (docs/aws-rules.md#session-issuer).
const sessionIssuerARN = "$.userIdentity.sessionContext.sessionIssuer.arn"

// MonitoringKeyIDPlaceholder stands for the monitoring key's id while
// patterns are built and measured: a single-region key id is a UUID, 36
// characters (docs/aws-rules.md#kms-resources-in-records), and the id is
// known only after apply, when Terraform fills in the reference put in its
// place at synthesis.
const MonitoringKeyIDPlaceholder = "mmmmmmmm-mmmm-mmmm-mmmm-mmmmmmmmmmmm"

// WatchdogKeyIDPlaceholder stands for the watchdog key's id (the key of the
// watchdog topic, the second notification path of the heartbeat and of
// these alarms) as MonitoringKeyIDPlaceholder stands for the monitoring
// key's: same length, replaced at synthesis by a reference to the key's id.
const WatchdogKeyIDPlaceholder = "wwwwwwww-wwww-wwww-wwww-wwwwwwwwwwww"

// Monitoring names the monitoring path's resources: all of them live in
// Account and Region.
type Monitoring struct {
	// Partition, Account and Region of the log group, alarms, topics and
	// monitoring key. Every pattern matches only records whose
	// recipientAccountId and awsRegion are these: an organization trail's
	// log group receives every member account's events
	// (docs/aws-rules.md#organization-log-group), where an alarm, log group
	// or topic of the same name may exist.
	Partition, Account, Region string
	// TrailName prefixes every alarm name (AlarmName).
	TrailName string
	// LogGroupName is the trail's log group.
	LogGroupName string
	// Topics are the names of the alarm topic, the watchdog topic and the
	// notification topic. None: no topic alarm.
	Topics []string
	// KeyIDs are the ids of the keys of the monitoring path: the monitoring
	// key's (MonitoringKeyIDPlaceholder) and the watchdog key's
	// (WatchdogKeyIDPlaceholder), or the ids themselves. None: no key alarm.
	KeyIDs []string
	// Deployer is the ARN of the role Terraform deploys the monitoring
	// account with. Set, every alarm has a twin (ByDeployerSuffix) that
	// counts that role's sessions, and the alarm itself counts everyone
	// else. Empty: one alarm counts everyone.
	Deployer string
}

// MonitoringAlarms returns the alarms on changes to the monitoring path that
// m names, less those in disabled (a deployer twin goes with its alarm).
// The record fields matched (docs/aws-rules.md#monitoring-path-fields):
//
//   - alarms: requestParameters.alarmName (PutMetricAlarm, SetAlarmState) or
//     any element of requestParameters.alarmNames (DeleteAlarms,
//     DisableAlarmActions, up to 100 names), through the wildcard selector
//     [*] (docs/aws-rules.md#filter-pattern-wildcard-selector), against the
//     prefix every alarm of this deployment has, AlarmName(trail, "") and
//     a trailing wildcard: a name at any index is seen;
//   - the log group: requestParameters.logGroupName (the name),
//     requestParameters.logGroupIdentifier (name or ARN: transformers and
//     data protection policies) or requestParameters.resourceIdentifier (the
//     ARN: KMS key association); an account-wide data protection or
//     transformer policy, requestParameters.policyType, applies to every
//     group of the account;
//   - topics: requestParameters.topicArn or requestParameters.resourceArn
//     (the topic's ARN) or requestParameters.subscriptionArn (the topic's
//     ARN, a colon and the subscription's id: matched as a prefix);
//   - the monitoring and watchdog keys: resources[0].ARN or
//     resources[1].ARN, as the trail key's alarm.
//
// Who made the change is told apart by
// userIdentity.sessionContext.sessionIssuer.arn, with positive matches
// only: the deployer twin counts records where it equals Deployer; the
// alarm counts records where it does not exist (root, IAM users, AWS
// services) or exists and differs. CloudWatch Logs does not document what
// != does on a missing field, so NOT EXISTS decides those records.
func MonitoringAlarms(m Monitoring, disabled []string) ([]Alarm, error) {
	if m.Account == "" || m.Region == "" || m.Partition == "" {
		return nil, fmt.Errorf("Monitoring: the partition, account and region of the monitoring path are needed")
	}
	off := set(disabled)
	scope := func(more ...string) []string {
		return append([]string{eq("$.recipientAccountId", m.Account), eq("$.awsRegion", m.Region)}, more...)
	}
	var out []Alarm
	// Each watch pairs events with the record fields that name our resource
	// in them, so that a pattern never spends characters on a field its
	// events do not carry.
	type watch struct{ events, targets []string }
	add := func(name, description, source string, watches ...watch) (err error) {
		if off[name] {
			return nil
		}
		defer func() {
			if err != nil {
				err = fmt.Errorf("%w: shorten the log group name, the topic names or the deploying role's path", err)
			}
		}()
		patterns := func(alarm string, extra []string) ([]string, error) {
			var out []string
			for _, w := range watches {
				if len(w.targets) == 0 {
					continue
				}
				ps, err := split(source, w.events, w.targets, extra)
				if err != nil {
					return nil, fmt.Errorf("alarm %s: %w", alarm, err)
				}
				out = append(out, ps...)
			}
			return out, nil
		}
		if m.Deployer == "" {
			ps, err := patterns(name, scope())
			if err != nil || len(ps) == 0 {
				return err
			}
			out = append(out, Alarm{Name: name, Description: description, Patterns: ps})
			return nil
		}
		others := fmt.Sprintf("%s NOT EXISTS || %s", sessionIssuerARN, ne(sessionIssuerARN, m.Deployer))
		ps, err := patterns(name, scope(others))
		if err != nil || len(ps) == 0 {
			return err
		}
		out = append(out, Alarm{Name: name, Description: description + " Not by the deploying role: not expected.", Patterns: ps})
		if ps, err = patterns(name+ByDeployerSuffix, scope(eq(sessionIssuerARN, m.Deployer))); err != nil {
			return err
		}
		out = append(out, Alarm{Name: name + ByDeployerSuffix, Description: description + " By the deploying role: expected during a deployment, else investigate.", Patterns: ps})
		return nil
	}
	prefix := AlarmName(m.TrailName, "*")
	if err := add(MonitoringAlarmChanges, "An alarm of this deployment was deleted, had its actions disabled, was changed or had its state set, or an alarm mute rule was created or changed.",
		"monitoring.amazonaws.com",
		watch{[]string{"PutMetricAlarm", "SetAlarmState"}, []string{eq("$.requestParameters.alarmName", prefix)}},
		watch{[]string{"DeleteAlarms", "DisableAlarmActions"}, []string{eq("$.requestParameters.alarmNames[*]", prefix)}},
		watch{[]string{"PutAlarmMuteRule"}, []string{eq("$.eventSource", "monitoring.amazonaws.com")}},
	); err != nil {
		return nil, err
	}
	var byName, byIdentifier, byResource, accountWide []string
	if m.LogGroupName != "" {
		groupARN := fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", m.Partition, m.Region, m.Account, m.LogGroupName)
		byName = []string{eq("$.requestParameters.logGroupName", m.LogGroupName)}
		byIdentifier = []string{eq("$.requestParameters.logGroupIdentifier", m.LogGroupName),
			eq("$.requestParameters.logGroupIdentifier", groupARN), eq("$.requestParameters.logGroupIdentifier", groupARN+":*")}
		byResource = []string{eq("$.requestParameters.resourceIdentifier", groupARN), eq("$.requestParameters.resourceIdentifier", groupARN+":*")}
		accountWide = []string{eq("$.requestParameters.policyType", "DATA_PROTECTION_POLICY"), eq("$.requestParameters.policyType", "TRANSFORMER_POLICY")}
	}
	if err := add(MonitoringLogGroupChanges, "The trail's log group had its retention, metric or subscription filters, KMS key, data protection policy or transformer changed, or was deleted; or an account-wide data protection or transformer policy was set.",
		"logs.amazonaws.com",
		watch{[]string{"PutRetentionPolicy", "DeleteRetentionPolicy", "DeleteLogGroup", "PutMetricFilter", "DeleteMetricFilter",
			"PutSubscriptionFilter", "DeleteSubscriptionFilter", "AssociateKmsKey", "DisassociateKmsKey"}, byName},
		watch{[]string{"PutDataProtectionPolicy", "PutTransformer"}, byIdentifier},
		watch{[]string{"AssociateKmsKey", "DisassociateKmsKey"}, byResource},
		watch{[]string{"PutAccountPolicy"}, accountWide},
	); err != nil {
		return nil, err
	}
	var topicArns, resourceArns, subscriptionArns []string
	for _, name := range m.Topics {
		arn := fmt.Sprintf("arn:%s:sns:%s:%s:%s", m.Partition, m.Region, m.Account, name)
		topicArns = append(topicArns, eq("$.requestParameters.topicArn", arn))
		resourceArns = append(resourceArns, eq("$.requestParameters.resourceArn", arn))
		subscriptionArns = append(subscriptionArns, eq("$.requestParameters.subscriptionArn", arn+":*"))
	}
	if err := add(MonitoringTopicChanges, "The alarm topic, the watchdog topic or the notification topic had its attributes, policy or data protection policy changed, lost a subscription or had one's attributes changed, or was deleted.",
		"sns.amazonaws.com",
		watch{[]string{"SetTopicAttributes", "DeleteTopic", "AddPermission", "RemovePermission"}, topicArns},
		watch{[]string{"PutDataProtectionPolicy"}, resourceArns},
		watch{[]string{"Unsubscribe", "SetSubscriptionAttributes"}, subscriptionArns},
	); err != nil {
		return nil, err
	}
	var keyTargets []string
	for _, id := range m.KeyIDs {
		keyARN := fmt.Sprintf("arn:%s:kms:%s:%s:key/%s", m.Partition, m.Region, m.Account, id)
		keyTargets = append(keyTargets, eq("$.resources[0].ARN", keyARN), eq("$.resources[1].ARN", keyARN))
	}
	if err := add(MonitoringKeyChanges, "The monitoring key (log group and topics) or the watchdog key (watchdog topic) was disabled, scheduled for deletion, granted or had its policy or rotation changed.",
		"kms.amazonaws.com", watch{KeyEvents, keyTargets}); err != nil {
		return nil, err
	}
	return out, nil
}

func ne(selector, value string) string {
	return fmt.Sprintf(`%s != "%s"`, selector, strings.ReplaceAll(value, `"`, `\"`))
}
