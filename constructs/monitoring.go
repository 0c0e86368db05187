package constructs

import (
	"fmt"
	"maps"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudtrail"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchloggroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrole"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kmskey"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/snstopic"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/snstopicpolicy"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// Defaults of the trail's monitoring props (package rules' values, shared
// with the configuration file; rules.DefaultLogGroupName and
// rules.DefaultTopicName derive the names).
const (
	// DefaultLogRetentionDays is the log group's retention: 365 days.
	DefaultLogRetentionDays = rules.DefaultLogRetentionDays
	// DefaultLogGroupPrefix goes before the trail name in the default log
	// group name.
	DefaultLogGroupPrefix = rules.DefaultLogGroupPrefix
	// DefaultTopicSuffix goes after the trail name in the default topic name.
	DefaultTopicSuffix = rules.DefaultTopicSuffix
	// cloudWatchRoleNamePrefix names the delivery role; AWS appends a unique
	// suffix (IAM role names are at most 64 characters, trail names 128).
	cloudWatchRoleNamePrefix = policy.CloudWatchLogsRoleNamePrefix
)

// CloudWatchLogsProps configures delivery of the trail's events to a
// KMS-encrypted CloudWatch Logs log group in the trail's account and home
// region (Trivy AWS-0162).
type CloudWatchLogsProps struct {
	// LogGroupName of the log group. Default: rules.DefaultLogGroupName of
	// the trail's name.
	LogGroupName string
	// RetentionDays is one of the periods CloudWatch Logs accepts.
	// Default: DefaultLogRetentionDays.
	RetentionDays int
	// Alarms creates metric filters and alarms on the log group (see
	// AlarmsProps). Default: none; the app's configuration turns them on
	// unless told otherwise.
	Alarms *AlarmsProps
	// RoleArn is an existing delivery role, trusted by CloudTrail for this
	// trail (policy.CloudWatchLogsRoleTrust) with a policy no wider than
	// policy.CloudWatchLogsRolePolicyIn (the app's bootstrap makes it, so
	// that the deploying role needs no IAM write action: docs/bootstrap.md).
	// When set, no role and no role policy are created. Default: "" (a role
	// named with the prefix policy.CloudWatchLogsRoleNamePrefix is created).
	RoleArn string
}

// NotificationProps configures an SNS topic that receives a message for
// every log file delivered.
type NotificationProps struct {
	// TopicName of the standard topic. Default: rules.DefaultTopicName of
	// the trail's name.
	TopicName string
}

// DataEventsProps selects data events beyond those of the trail's own log
// buckets (which are always logged, see TrailProps.LogBuckets), written as
// advanced event selectors. Management events are always logged, read and
// write.
type DataEventsProps struct {
	// S3Read logs object-level read events (CIS 3.9). Default: false.
	S3Read bool
	// S3Write logs object-level write events (CIS 3.8). Default: false.
	S3Write bool
	// S3Buckets limits S3 data events to these buckets; none may be one of
	// the trail's log buckets. Default: every bucket, in every account the
	// trail covers, but the log buckets (whose events are logged apart).
	S3Buckets []string
	// Lambda logs Invoke events of every function. Default: false.
	Lambda bool
}

func (d *DataEventsProps) validate(l *rules.List) {
	if d == nil {
		return
	}
	rules.DataEvents{S3Read: d.S3Read, S3Write: d.S3Write, S3Buckets: d.S3Buckets, Lambda: d.Lambda}.
		Check(l, func(name string) string { return "TrailProps.DataEvents." + goName(name) })
	if !d.S3Read && !d.S3Write && !d.Lambda {
		l.Addf("TrailProps.DataEvents", "{}", "selects nothing: set S3Read, S3Write or Lambda, or leave DataEvents nil")
	}
}

// withDefaults returns a copy of p with every unset optional value at its
// default; p itself, and what it points to, are not changed. The default
// names follow the name of the bucket's trail.
func (p TrailProps) withDefaults() TrailProps {
	var name string
	if !isNil(p.Bucket) {
		name = p.Bucket.Trail().Name
	}
	if c := p.CloudWatchLogs; c != nil {
		cc := *c
		if cc.LogGroupName == "" {
			cc.LogGroupName = rules.DefaultLogGroupName(name)
		}
		if cc.RetentionDays == 0 {
			cc.RetentionDays = DefaultLogRetentionDays
		}
		if a := cc.Alarms; a != nil {
			ac := *a
			if ac.TopicName == "" {
				ac.TopicName = rules.DefaultAlarmTopicName(name)
			}
			if ac.WatchdogTopicName == "" {
				ac.WatchdogTopicName = rules.DefaultWatchdogTopicName(name)
			}
			ac.Disabled = append([]string(nil), a.Disabled...)
			ac.Subscriptions = append([]SubscriptionProps(nil), a.Subscriptions...)
			ac.Heartbeat = a.Heartbeat.withDefaults()
			cc.Alarms = &ac
		}
		p.CloudWatchLogs = &cc
	}
	if n := p.Notifications; n != nil {
		nc := *n
		if nc.TopicName == "" {
			nc.TopicName = rules.DefaultTopicName(name)
		}
		p.Notifications = &nc
	}
	if d := p.DataEvents; d != nil {
		dc := *d
		dc.S3Buckets = append([]string(nil), d.S3Buckets...)
		p.DataEvents = &dc
	}
	p.LogBuckets = append([]string(nil), p.LogBuckets...)
	p.MonitoringKeyTags = maps.Clone(p.MonitoringKeyTags)
	return p
}

// validateMonitoring checks the monitoring props, with their defaults
// resolved (withDefaults).
func (p *TrailProps) validateMonitoring(l *rules.List, t policy.Trail) {
	if c := p.CloudWatchLogs; c != nil {
		l.Add("TrailProps.CloudWatchLogs.LogGroupName", rules.LogGroupName(c.LogGroupName))
		l.Add("TrailProps.CloudWatchLogs.RetentionDays", rules.LogRetentionDays(c.RetentionDays))
		if c.RoleArn != "" {
			if _, err := rules.RoleARN(c.RoleArn, t.Partition); err != nil {
				l.Add("TrailProps.CloudWatchLogs.RoleArn", err)
			} else if acct := policy.MonitoringHolder(t, p.MonitoringAccount).Account; !strings.HasPrefix(c.RoleArn, fmt.Sprintf("arn:%s:iam::%s:role/", t.Partition, acct)) {
				l.Addf("TrailProps.CloudWatchLogs.RoleArn", c.RoleArn, "must be a role of the account that creates the trail and its log group (%s)", acct)
			}
		}
		c.Alarms.validate(l, t)
	}
	if n := p.Notifications; n != nil {
		l.Add("TrailProps.Notifications.TopicName", rules.TopicName(n.TopicName))
		if c := p.CloudWatchLogs; c != nil && c.Alarms != nil && c.Alarms.WatchdogTopicName == n.TopicName {
			l.Addf("TrailProps.CloudWatchLogs.Alarms.WatchdogTopicName", n.TopicName, "must differ from TrailProps.Notifications.TopicName: SNS topic names are unique in an account and region")
		}
	}
	p.DataEvents.validate(l)
}

// monitoring holds what addMonitoring created for the trail's config.
type monitoring struct {
	logGroupArn, roleArn, topicName *string
	// topicByArn: topicName is the topic's ARN, which the provider reads
	// back as the bare name (docs/aws-rules.md#sns-topic-name).
	topicByArn        bool
	dependsOn         []cdktf.ITerraformDependable
	key               kmskey.KmsKey
	group             cloudwatchloggroup.CloudwatchLogGroup
	role              iamrole.IamRole
	topic, alarmTopic snstopic.SnsTopic
}

// monitoringPlan is every policy and alarm the monitoring resources need,
// computed (and every error found) before the first construct is added.
type monitoringPlan struct {
	keyJSON, trustJSON, permsJSON, topicJSON string
	alarms                                   *alarmsPlan
}

// planMonitoring computes the policies of the monitoring resources the props
// ask for; nil when they ask for none.
func planMonitoring(p *TrailProps, t policy.Trail, organizationID string, targets alarmTargets) (*monitoringPlan, error) {
	if p.CloudWatchLogs == nil && p.Notifications == nil {
		return nil, nil
	}
	var m monitoringPlan
	keyProps := policy.MonitoringKeyPolicyProps{Trail: t, Notifications: p.Notifications != nil, Account: p.MonitoringAccount, Protection: p.MonitoringProtection}
	if p.CloudWatchLogs != nil {
		keyProps.LogGroupName = p.CloudWatchLogs.LogGroupName
		keyProps.Alarms = p.CloudWatchLogs.Alarms != nil
	}
	keyDoc, err := policy.MonitoringKeyPolicy(keyProps)
	if err != nil {
		return nil, err
	}
	if m.keyJSON, err = p.Naming.document(keyDoc).JSON(); err != nil {
		return nil, err
	}
	if c := p.CloudWatchLogs; c != nil {
		if m.trustJSON, err = policy.CloudWatchLogsRoleTrust(t).JSON(); err != nil {
			return nil, err
		}
		if m.permsJSON, err = policy.CloudWatchLogsRolePolicyIn(t, p.MonitoringAccount, c.LogGroupName, organizationID).JSON(); err != nil {
			return nil, err
		}
		if c.Alarms != nil {
			if m.alarms, err = planAlarms(p, t, targets); err != nil {
				return nil, err
			}
		}
	}
	if n := p.Notifications; n != nil {
		if m.topicJSON, err = p.Naming.document(policy.ProtectedTopicPolicyIn(t, p.MonitoringAccount, n.TopicName, p.MonitoringProtection)).JSON(); err != nil {
			return nil, err
		}
	}
	return &m, nil
}

// addMonitoring creates the key, log group, delivery role and topic of plan,
// in the trail's account and home region.
func addMonitoring(node constructs.Construct, p *TrailProps, t policy.Trail, plan *monitoringPlan) monitoring {
	var m monitoring
	if plan == nil {
		return m
	}
	// A single-region key in the trail owner's account: CloudWatch Logs and
	// SNS need a key in their own region.
	key := kmskey.NewKmsKey(node, jsii.String("MonitoringKey"), &kmskey.KmsKeyConfig{
		Provider:              p.Provider,
		Description:           jsii.String(p.Naming.describe(fmt.Sprintf("CloudTrail %s: CloudWatch Logs and notifications", t.Name))),
		KeyUsage:              jsii.String("ENCRYPT_DECRYPT"),
		CustomerMasterKeySpec: jsii.String("SYMMETRIC_DEFAULT"),
		EnableKeyRotation:     jsii.Bool(true),
		DeletionWindowInDays:  jsii.Number(DefaultDeletionWindowDays),
		Policy:                jsii.String(plan.keyJSON),
		Lifecycle:             protect(p.AllowDestroy),
		Tags:                  keyTags(p.MonitoringKeyTags),
	})
	m.key = key

	if c := p.CloudWatchLogs; c != nil {
		group := cloudwatchloggroup.NewCloudwatchLogGroup(node, jsii.String("LogGroup"), &cloudwatchloggroup.CloudwatchLogGroupConfig{
			Provider:        p.Provider,
			Name:            jsii.String(c.LogGroupName),
			RetentionInDays: jsii.Number(float64(c.RetentionDays)),
			KmsKeyId:        key.Arn(),
			Lifecycle:       protect(p.AllowDestroy),
		})
		// docs/aws-rules.md#log-group-arn-suffix: the trail's group ARN carries the ":*" suffix.
		m.logGroupArn = jsii.String(*group.Arn() + ":*")
		m.group = group
		if c.RoleArn != "" {
			m.roleArn = jsii.String(c.RoleArn)
			m.dependsOn = append(m.dependsOn, group)
		} else {
			role := iamrole.NewIamRole(node, jsii.String("CloudWatchLogsRole"), &iamrole.IamRoleConfig{
				Provider:         p.Provider,
				NamePrefix:       jsii.String(cloudWatchRoleNamePrefix),
				Description:      jsii.String(fmt.Sprintf("CloudTrail %s delivers events to CloudWatch Logs %s", t.Name, c.LogGroupName)),
				AssumeRolePolicy: jsii.String(plan.trustJSON),
			})
			rolePolicy := iamrolepolicy.NewIamRolePolicy(node, jsii.String("CloudWatchLogsRolePolicy"), &iamrolepolicy.IamRolePolicyConfig{
				Provider: p.Provider,
				Name:     jsii.String("cloudtrail-to-cloudwatch-logs"),
				Role:     role.Id(),
				Policy:   jsii.String(plan.permsJSON),
			})
			m.roleArn = role.Arn()
			m.role = role
			m.dependsOn = append(m.dependsOn, group, rolePolicy)
		}
		if plan.alarms != nil {
			m.alarmTopic = addAlarms(node, p, t, group, key, plan.alarms)
		}
	}

	if n := p.Notifications; n != nil {
		topic := snstopic.NewSnsTopic(node, jsii.String("Topic"), &snstopic.SnsTopicConfig{
			Provider:       p.Provider,
			Name:           jsii.String(n.TopicName),
			KmsMasterKeyId: key.Arn(),
		})
		topicPolicy := snstopicpolicy.NewSnsTopicPolicy(node, jsii.String("TopicPolicy"), &snstopicpolicy.SnsTopicPolicyConfig{
			Provider: p.Provider,
			Arn:      topic.Arn(),
			Policy:   jsii.String(plan.topicJSON),
		})
		// docs/aws-rules.md#sns-topic-name: the topic's NAME when it is in the
		// trail owner's account; its ARN when a delegated administrator holds
		// it, in another account than the owner: an ARN names the topic
		// whichever account CloudTrail resolves a bare name in (UNCONFIRMED
		// which). The provider reads the name back for a topic of the
		// caller's account and home region, so the trail then ignores later
		// differences of sns_topic_name and checks sns_topic_arn instead (see
		// Trail).
		if p.MonitoringAccount != "" && p.MonitoringAccount != t.Account {
			m.topicName = topic.Arn()
			m.topicByArn = true
		} else {
			m.topicName = topic.Name()
		}
		m.topic = topic
		m.dependsOn = append(m.dependsOn, topicPolicy, key)
	}
	return m
}

// advancedEventSelectors renders the trail's selectors (policy.DataEventSelection)
// for the provider.
func advancedEventSelectors(sel policy.DataEventSelection) *[]*cloudtrail.CloudtrailAdvancedEventSelector {
	strs := func(v []string) *[]*string {
		if len(v) == 0 {
			return nil
		}
		return jsii.Strings(v...)
	}
	var out []*cloudtrail.CloudtrailAdvancedEventSelector
	for _, s := range sel.Selectors() {
		var fields []*cloudtrail.CloudtrailAdvancedEventSelectorFieldSelector
		for _, f := range s.Fields {
			fields = append(fields, &cloudtrail.CloudtrailAdvancedEventSelectorFieldSelector{
				Field:         jsii.String(f.Field),
				EqualTo:       strs(f.Equals),
				NotEquals:     strs(f.NotEquals),
				StartsWith:    strs(f.StartsWith),
				NotStartsWith: strs(f.NotStartsWith),
			})
		}
		out = append(out, &cloudtrail.CloudtrailAdvancedEventSelector{Name: jsii.String(s.Name), FieldSelector: &fields})
	}
	return &out
}

// insightSelectors returns both insight types, or nil.
func insightSelectors(on bool) *[]*cloudtrail.CloudtrailInsightSelector {
	if !on {
		return nil
	}
	return &[]*cloudtrail.CloudtrailInsightSelector{
		{InsightType: jsii.String("ApiCallRateInsight")},
		{InsightType: jsii.String("ApiErrorRateInsight")},
	}
}
