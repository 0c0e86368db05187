package policy

import (
	"fmt"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// Statement ids of the monitoring policies (CloudWatch Logs delivery and
// SNS notifications, both in the trail owner's account and home region).
const (
	SidLogsUseKey            = "AllowCloudWatchLogsUseOfTheKey"
	SidCloudTrailTopicKey    = "AllowCloudTrailEncryptNotifications"
	SidAssumeForCloudTrail   = "AllowCloudTrailAssumeRole"
	SidDeliverToLogGroup     = "AWSCloudTrailCreateLogStreamAndPutLogEvents"
	SidTopicPublish          = "AWSCloudTrailSNSPolicy"
	SidTopicDenyInsecure     = "DenyInsecurePublish"
	logsEncryptionContextKey = "kms:EncryptionContext:aws:logs:arn"
)

// SidDenyTopicChanges guards a monitoring topic's settings (see
// TopicChangeActions).
const SidDenyTopicChanges = "DenyTopicChanges"

// CloudWatchLogsRoleNamePrefix names the CloudWatch Logs delivery role; AWS
// appends a unique suffix, so policies name the role by this prefix.
const CloudWatchLogsRoleNamePrefix = "CloudTrailToCloudWatchLogs-"

// LogGroupARN is arn:<p>:logs:<region>:<account>:log-group:<name>, the ARN
// CloudWatch Logs puts in its encryption context (no ":*" suffix).
func LogGroupARN(t Trail, name string) string {
	return fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", t.Partition, t.Region, t.Account, name)
}

// TopicARN is arn:<p>:sns:<region>:<account>:<name>.
func TopicARN(t Trail, name string) string {
	return fmt.Sprintf("arn:%s:sns:%s:%s:%s", t.Partition, t.Region, t.Account, name)
}

// logsServicePrincipal is CloudWatch Logs' regional service principal.
func logsServicePrincipal(t Trail) string {
	if t.Partition == "aws-cn" {
		return "logs." + t.Region + ".amazonaws.com.cn"
	}
	return "logs." + t.Region + ".amazonaws.com"
}

// MonitoringKeyPolicyProps configures MonitoringKeyPolicy.
type MonitoringKeyPolicyProps struct {
	// Trail owns the key's account and region. Required.
	Trail Trail
	// LogGroupName is the only log group the key may encrypt. Default: none
	// (no CloudWatch Logs statement).
	LogGroupName string
	// Notifications lets CloudTrail encrypt messages for an encrypted SNS
	// topic. Default: false.
	Notifications bool
	// Alarms lets this account's CloudWatch alarms in the home region publish
	// to a topic encrypted with the key (alarms watch the log group, so
	// LogGroupName is set too). Default: false.
	Alarms bool
	// Account holds the key, the log group and the topic: the account that
	// creates the trail (a delegated administrator's, see MonitoringHolder).
	// Default: Trail.Account.
	Account string
	// Protection, when its Deployer is set, denies KeyDestructionActions on
	// the key to everyone but the Deployer (the role that applies the
	// monitoring account's stack) and the BreakGlass principals
	// (MonitoringProtection). Default: none.
	Protection *Protection
}

// MonitoringKeyPolicy is the policy of the key that encrypts the trail's log
// group and notification topic, in the trail owner's account and home region.
func MonitoringKeyPolicy(p MonitoringKeyPolicyProps) (Document, error) {
	if err := p.Trail.Validate("MonitoringKeyPolicyProps.Trail"); err != nil {
		return Document{}, err
	}
	home := MonitoringHolder(p.Trail, p.Account)
	if p.LogGroupName == "" && !p.Notifications {
		return Document{}, &rules.Violation{Field: "MonitoringKeyPolicyProps", Rule: "must allow a log group, notifications or both", Value: "neither"}
	}
	doc := Document{Version: Version, ID: "monitoring-key-policy", Statement: []Statement{{
		Sid:       SidKeyRootAdministration,
		Effect:    Allow,
		Principal: AWSPrincipals(fmt.Sprintf("arn:%s:iam::%s:root", home.Partition, home.Account)),
		Action:    Values{"kms:*"},
		Resource:  Values{"*"},
	}}}
	if p.LogGroupName != "" {
		// docs/aws-rules.md#log-group-encryption: a KMS-encrypted log group needs the key to allow
		// logs.<region>.amazonaws.com for that log group's ARN only.
		doc.Statement = append(doc.Statement, Statement{
			Sid:       SidLogsUseKey,
			Effect:    Allow,
			Principal: ServicePrincipal(logsServicePrincipal(p.Trail)),
			Action:    Values{"kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*"},
			Resource:  Values{"*"},
			Condition: Conditions{}.Add("ArnEquals", logsEncryptionContextKey, LogGroupARN(home, p.LogGroupName)),
		})
	}
	if p.Notifications {
		// CloudTrail user guide, "Configure SNS topic policy for CloudTrail":
		// publishing to an encrypted topic needs GenerateDataKey* and Decrypt.
		// docs/aws-rules.md#cloudtrail-topic-key: no AWS page says SNS's KMS
		// request on CloudTrail's behalf carries aws:SourceArn, and a plain
		// StringEquals on an absent key would deny every notification
		// (visible only in LatestNotificationError); so the condition holds
		// where the key is present, and the topic policy, which conditions
		// sns:Publish on this trail's ARN, decides who publishes.
		doc.Statement = append(doc.Statement, Statement{
			Sid:       SidCloudTrailTopicKey,
			Effect:    Allow,
			Principal: ServicePrincipal(CloudTrailService),
			Action:    Values{"kms:Decrypt", "kms:GenerateDataKey*"},
			Resource:  Values{"*"},
			Condition: Conditions{}.Add("StringEqualsIfExists", sourceArnKey, p.Trail.ARN()),
		})
	}
	if p.Alarms {
		doc.Statement = append(doc.Statement, alarmKeyStatement(home))
	}
	// docs/aws-rules.md#monitoring-resource-denies: a key policy binds every
	// principal of the key's account, the management account's too, which no
	// service control policy binds. No key administrators are exempt: the
	// monitoring key has none of its own.
	if s := p.Protection.keyStatement(nil); s != nil {
		doc.Statement = append(doc.Statement, *s)
	}
	doc.Statement = append(doc.Statement, p.Protection.keyManagerStatements(nil)...)
	if p.LogGroupName != "" && p.Protection != nil && p.Protection.Deployer != "" && p.Protection.ManagesKeys {
		// Security review 9, B-1 (docs/aws-rules.md#log-group-key-via-logs):
		// CloudWatch Logs calls KMS on behalf of the role that creates the
		// log group with this key (kms:ViaService); only through CloudWatch
		// Logs in the home region, only for this log group.
		doc.Statement = append(doc.Statement, Statement{
			Sid:       SidDeployerUsesKeyViaLogs,
			Effect:    Allow,
			Principal: AWSPrincipals(p.Protection.Deployer),
			Action:    Values(DeployerKeyDataActions),
			Resource:  Values{"*"},
			Condition: Conditions{}.Add("StringEquals", "kms:ViaService", logsServicePrincipal(home)).
				Add("ArnEquals", logsEncryptionContextKey, LogGroupARN(home, p.LogGroupName)),
		})
	}
	return doc, nil
}

// SidDeployerUsesKeyViaLogs lets the deploying role use the monitoring key
// through CloudWatch Logs for the trail's log group (MonitoringKeyPolicy).
const SidDeployerUsesKeyViaLogs = "DeployingRoleUsesKeyViaLogs"

// CloudWatchLogsRoleTrust lets CloudTrail assume the role that delivers to
// CloudWatch Logs, with the trust AWS documents for it and no condition
// (CloudTrail user guide, "Sending events to CloudWatch Logs",
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/send-cloudtrail-events-to-cloudwatch-logs.html).
// We found no AWS document saying that CloudTrail sends aws:SourceArn when it
// assumes this role; if it does not, a condition on it makes CreateTrail fail
// with InvalidCloudWatchLogsRoleArnException and no trail exists at all. What
// bounds the confused deputy instead: a trail gets this role only from a
// principal allowed iam:PassRole on it (IAM user guide, "Grant a user
// permissions to pass a role to an AWS service"), which identity policies of
// the role's account grant and these stacks grant to nobody. t is unused; it
// stays so that callers need not change if AWS documents a condition.
func CloudWatchLogsRoleTrust(t Trail) Document {
	return Document{Version: Version, Statement: []Statement{{
		Sid:       SidAssumeForCloudTrail,
		Effect:    Allow,
		Principal: ServicePrincipal(CloudTrailService),
		Action:    Values{"sts:AssumeRole"},
	}}}
}

// CloudWatchLogsRolePolicy lets the delivery role create streams and put
// events in the trail's streams of one log group and nothing else
// (docs/aws-rules.md#log-stream-names: "<acct>_CloudTrail_<region>*" and, for organization trails,
// "<org-id>_*").
func CloudWatchLogsRolePolicy(t Trail, logGroupName, organizationID string) Document {
	return CloudWatchLogsRolePolicyIn(t, t.Account, logGroupName, organizationID)
}

// CloudWatchLogsRolePolicyIn is CloudWatchLogsRolePolicy for a log group in
// account, the trail's creator (see MonitoringHolder).
func CloudWatchLogsRolePolicyIn(t Trail, account, logGroupName, organizationID string) Document {
	group := LogGroupARN(MonitoringHolder(t, account), logGroupName)
	resources := Values{fmt.Sprintf("%s:log-stream:%s_CloudTrail_%s*", group, t.Account, t.Region)}
	resources = append(resources, creatorStreams(t, group, account)...)
	if organizationID != "" {
		resources = append(resources, fmt.Sprintf("%s:log-stream:%s_*", group, organizationID))
	}
	return Document{Version: Version, Statement: []Statement{{
		Sid:      SidDeliverToLogGroup,
		Effect:   Allow,
		Action:   Values{"logs:CreateLogStream", "logs:PutLogEvents"},
		Resource: resources,
	}}}
}

// TopicChangeActions are denied on a monitoring topic (the notification and
// alarm topics), when a deploying role is configured, to every principal but
// that role and the break-glass ones: each can silence the topic without
// deleting what publishes to it. SetTopicAttributes replaces the topic
// policy, the key, the delivery policy; DeleteTopic removes it;
// AddPermission and RemovePermission rewrite its policy; a data protection
// policy can deny the delivery of messages that match an identifier of the
// writer's choosing. They are the topic-policy actions of the SNS Developer
// Guide that change the topic ("Amazon SNS API permissions: Actions and
// resources reference",
// https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-language-api-permissions-reference.html);
// Unsubscribe and SetSubscriptionAttributes are not among them, so a topic
// policy cannot deny them (docs/aws-rules.md#monitoring-resource-denies).
var TopicChangeActions = Values{
	"sns:AddPermission", "sns:DeleteTopic", "sns:PutDataProtectionPolicy", "sns:RemovePermission", "sns:SetTopicAttributes",
}

// TopicProtectionStatement denies TopicChangeActions on topic to everyone but
// the deploying role and the break-glass principals of p; nil without a
// deploying role (the principal that deploys cannot be named offline, and a
// deny it is not exempt from would stop Terraform managing the topic).
func TopicProtectionStatement(topic string, p *Protection) *Statement {
	if p == nil || p.Deployer == "" {
		return nil
	}
	return &Statement{
		Sid:       SidDenyTopicChanges,
		Effect:    Deny,
		Principal: AnyPrincipal,
		Action:    TopicChangeActions,
		Resource:  Values{topic},
		Condition: Conditions{}.Add("ArnNotEquals", principalArnKey, sortedUnique(append([]string{p.Deployer}, p.BreakGlass...))...),
	}
}

// withTopicProtection appends TopicProtectionStatement to doc, if any.
func withTopicProtection(doc Document, topic string, p *Protection) Document {
	if s := TopicProtectionStatement(topic, p); s != nil {
		doc.Statement = append(doc.Statement, *s)
	}
	return doc
}

// TopicPolicy lets only this trail publish to the topic, only over TLS.
func TopicPolicy(t Trail, topicName string) Document {
	return TopicPolicyIn(t, t.Account, topicName)
}

// TopicPolicyIn is TopicPolicy for a topic in account, the trail's creator
// (see MonitoringHolder); the publisher stays this trail, by its ARN.
func TopicPolicyIn(t Trail, account, topicName string) Document {
	return ProtectedTopicPolicyIn(t, account, topicName, nil)
}

// ProtectedTopicPolicyIn is TopicPolicyIn with the topic's settings guarded
// by protection (TopicProtectionStatement).
func ProtectedTopicPolicyIn(t Trail, account, topicName string, protection *Protection) Document {
	topic := TopicARN(MonitoringHolder(t, account), topicName)
	return withTopicProtection(Document{Version: Version, ID: "topic-policy", Statement: []Statement{
		{
			Sid:       SidTopicPublish,
			Effect:    Allow,
			Principal: ServicePrincipal(CloudTrailService),
			Action:    Values{"sns:Publish"},
			Resource:  Values{topic},
			Condition: Conditions{}.Add("StringEquals", sourceArnKey, t.ARN()),
		},
		{
			Sid:       SidTopicDenyInsecure,
			Effect:    Deny,
			Principal: AnyPrincipal,
			Action:    Values{"sns:Publish"},
			Resource:  Values{topic},
			Condition: Conditions{}.Add("Bool", "aws:SecureTransport", "false"),
		},
	}}, topic, protection)
}
