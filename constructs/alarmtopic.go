package constructs

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kmskey"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/snstopic"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/snstopicpolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/snstopicsubscription"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// newAlarmTopicKey creates a single-region key for an alarm topic (the
// watchdog topic's, the replication alarm topic's): rotation on, the
// default deletion window, the given policy and tags, kept from destruction
// unless allowDestroy.
func newAlarmTopicKey(node constructs.Construct, provider cdktf.TerraformProvider, id, description, policyJSON string, tags map[string]string, allowDestroy bool) kmskey.KmsKey {
	return kmskey.NewKmsKey(node, jsii.String(id), &kmskey.KmsKeyConfig{
		Provider:              provider,
		Description:           jsii.String(description),
		KeyUsage:              jsii.String("ENCRYPT_DECRYPT"),
		CustomerMasterKeySpec: jsii.String("SYMMETRIC_DEFAULT"),
		EnableKeyRotation:     jsii.Bool(true),
		DeletionWindowInDays:  jsii.Number(DefaultDeletionWindowDays),
		Policy:                jsii.String(policyJSON),
		Tags:                  keyTags(tags),
		Lifecycle:             protect(allowDestroy),
	})
}

// newEncryptedTopic creates a standard topic encrypted with keyArn, its
// policy and one subscription each, with the construct ids <prefix>Topic,
// <prefix>TopicPolicy and <prefix>Subscription<i>, and returns the topic
// and its ARN (read once: every read of a token is a round trip to
// Node.js).
func newEncryptedTopic(node constructs.Construct, provider cdktf.TerraformProvider, prefix, name string, keyArn *string, policyJSON string, subscriptions []SubscriptionProps) (snstopic.SnsTopic, *string) {
	topic := snstopic.NewSnsTopic(node, jsii.String(prefix+"Topic"), &snstopic.SnsTopicConfig{
		Provider:       provider,
		Name:           jsii.String(name),
		KmsMasterKeyId: keyArn,
	})
	topicArn := topic.Arn()
	snstopicpolicy.NewSnsTopicPolicy(node, jsii.String(prefix+"TopicPolicy"), &snstopicpolicy.SnsTopicPolicyConfig{
		Provider: provider,
		Arn:      topicArn,
		Policy:   jsii.String(policyJSON),
	})
	for i, s := range subscriptions {
		snstopicsubscription.NewSnsTopicSubscription(node, jsii.String(fmt.Sprintf("%sSubscription%d", prefix, i)), &snstopicsubscription.SnsTopicSubscriptionConfig{
			Provider: provider,
			TopicArn: topicArn,
			Protocol: jsii.String(s.Protocol),
			Endpoint: jsii.String(s.Endpoint),
		})
	}
	return topic, topicArn
}
