package policy

import "fmt"

// Statement ids of the alarm topic's policies.
const (
	SidAlarmsUseKey       = "AllowCloudWatchAlarmsEncryptNotifications"
	SidAlarmsPublish      = "AllowCloudWatchAlarmsPublish"
	SidAlarmsDenyInsecure = "DenyInsecurePublish"
	// CloudWatchService is the service principal of CloudWatch alarms.
	CloudWatchService = "cloudwatch.amazonaws.com"
)

// AlarmARNPattern matches every CloudWatch alarm of the trail owner's account
// in the trail's home region: arn:<p>:cloudwatch:<region>:<account>:alarm:*.
func AlarmARNPattern(t Trail) string {
	return fmt.Sprintf("arn:%s:cloudwatch:%s:%s:alarm:*", t.Partition, t.Region, t.Account)
}

// alarmSource limits a grant to CloudWatch acting for this account's alarms
// in the home region (the confused-deputy conditions of the SNS developer
// guide, "Enable compatibility between event sources from AWS services and
// encrypted topics",
// https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services).
func alarmSource(t Trail) Conditions {
	return Conditions{}.
		Add("StringEquals", "aws:SourceAccount", t.Account).
		Add("ArnLike", sourceArnKey, AlarmARNPattern(t))
}

// alarmKeyStatement lets CloudWatch alarms publish to a topic encrypted with
// the monitoring key: SNS asks the key for GenerateDataKey and Decrypt on
// the publisher's behalf (same SNS developer guide section, whose example
// key policy has no condition). No AWS page says whether that KMS request
// carries aws:SourceAccount and aws:SourceArn (for EventBridge, AWS says it
// does not), and a condition on a key that is absent would drop every alarm
// notification silently; so the conditions hold only where the keys are
// present (...IfExists). Who may publish at all is decided by the topic
// policy, whose conditions are the documented ones.
func alarmKeyStatement(t Trail) Statement {
	return Statement{
		Sid:       SidAlarmsUseKey,
		Effect:    Allow,
		Principal: ServicePrincipal(CloudWatchService),
		Action:    Values{"kms:Decrypt", "kms:GenerateDataKey*"},
		Resource:  Values{"*"},
		Condition: Conditions{}.
			Add("StringEqualsIfExists", "aws:SourceAccount", t.Account).
			Add("ArnLikeIfExists", sourceArnKey, AlarmARNPattern(t)),
	}
}

// AlarmTopicPolicy lets only this account's CloudWatch alarms in the home
// region publish to the alarm topic, and nobody publish without TLS. A
// request that carries no aws:SecureTransport key is not denied by the
// second statement (a Bool condition on a missing key does not match), so
// CloudWatch's own requests pass whether or not it sends the key.
func AlarmTopicPolicy(t Trail, topicName string) Document {
	return ProtectedAlarmTopicPolicy(t, topicName, nil)
}

// ProtectedAlarmTopicPolicy is AlarmTopicPolicy with the topic's settings
// guarded by protection (TopicProtectionStatement).
func ProtectedAlarmTopicPolicy(t Trail, topicName string, protection *Protection) Document {
	topic := TopicARN(t, topicName)
	return withTopicProtection(Document{Version: Version, ID: "alarm-topic-policy", Statement: []Statement{
		{
			Sid:       SidAlarmsPublish,
			Effect:    Allow,
			Principal: ServicePrincipal(CloudWatchService),
			Action:    Values{"sns:Publish"},
			Resource:  Values{topic},
			Condition: alarmSource(t),
		},
		{
			Sid:       SidAlarmsDenyInsecure,
			Effect:    Deny,
			Principal: AnyPrincipal,
			Action:    Values{"sns:Publish"},
			Resource:  Values{topic},
			Condition: Conditions{}.Add("Bool", "aws:SecureTransport", "false"),
		},
	}}, topic, protection)
}

// AlarmKeyPolicyID is the Id of AlarmKeyPolicy's documents.
const AlarmKeyPolicyID = "alarm-key-policy"

// AlarmKeyPolicy is the policy of a key that encrypts nothing but an alarm
// topic of holder's account in holder's region, in the discipline of
// MonitoringKeyPolicy: the account root administers it (so that the key can
// never become unmanageable, docs/aws-rules.md#account-root-statement), and
// CloudWatch may use it only for that account's alarms in that region
// (alarmKeyStatement). No other principal is named.
func AlarmKeyPolicy(holder Trail) Document {
	return Document{Version: Version, ID: AlarmKeyPolicyID, Statement: []Statement{
		{
			Sid:       SidKeyRootAdministration,
			Effect:    Allow,
			Principal: AWSPrincipals(fmt.Sprintf("arn:%s:iam::%s:root", holder.Partition, holder.Account)),
			Action:    Values{"kms:*"},
			Resource:  Values{"*"},
		},
		alarmKeyStatement(holder),
	}}
}

// ProtectedAlarmKeyPolicy is AlarmKeyPolicy with the key's destruction
// denied to all but the deploying role and break-glass principals of
// protection (docs/aws-rules.md#monitoring-resource-denies), as the
// monitoring key's is: the policy of the replication alarm topic's key and
// of the watchdog key.
func ProtectedAlarmKeyPolicy(holder Trail, protection *Protection) Document {
	doc := AlarmKeyPolicy(holder)
	if s := protection.keyStatement(nil); s != nil {
		doc.Statement = append(doc.Statement, *s)
	}
	doc.Statement = append(doc.Statement, protection.keyManagerStatements(nil)...)
	return doc
}
