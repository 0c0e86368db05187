package stacks

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	st "github.com/cloudtrail-mrk/cloudtrail-mrk/internal/proof/synthtest"
)

// CloudTrail user guide, "Organization delegated administrator": the
// management account remains the owner of the trails a delegated
// administrator creates, so every policy names the management-owned ARN.
const delegatedTrailArn = "arn:aws:cloudtrail:us-east-1:111122223333:trail/organization-trail"

func TestDelegatedAdministratorIsThreeStacks(t *testing.T) {
	cfg := load(t, "../examples/delegated-admin.yaml")
	s, docs := synthApp(t, cfg)
	names := s.Names()
	// The example's bootstrap stacks come first (docs/bootstrap.md).
	require.Equal(t, []string{"bootstrap-log-archive", "bootstrap-management", "bootstrap-delegated-admin"}, names[:3])
	names = names[3:]
	require.Len(t, names, 3)
	assert.Equal(t, DelegatedAdminStackName, names[2], "the trail's stack is deployed last: %v", names)
	assert.ElementsMatch(t, []string{LogArchiveStackName, ManagementStackName}, names[:2])
	mgmt, admin, archive := docs[ManagementStackName], docs[DelegatedAdminStackName], docs[LogArchiveStackName]

	// The management stack registers the delegated administrator; as the
	// example asks for guardrails with the bootstrap, the management
	// account's bootstrap holds both service control policies, each
	// attached to both targets (review 6, B2).
	assert.ElementsMatch(t, []string{"aws_cloudtrail_organization_delegated_admin_account"}, mgmt.ResourceTypes())
	require.True(t, cfg.Guardrails.Enabled)
	require.True(t, cfg.GuardrailsInBootstrap())
	require.Nil(t, s.Registration.Guardrails)
	var boot *Bootstrap
	for _, b := range s.Bootstraps {
		if b.Guardrails != nil {
			require.Nil(t, boot, "one bootstrap holds the guardrails")
			boot = b
		}
	}
	require.NotNil(t, boot)
	require.Equal(t, cfg.Accounts.Management.ID, boot.Account.ID)
	require.NotNil(t, boot.Guardrails.MonitoringPolicy)
	scpStack := docs["bootstrap-management"]
	policies := scpStack.Resources("aws_organizations_policy")
	require.Len(t, policies, 2)
	for id, name := range map[string]string{"GuardrailPolicy": "organization-trail-guardrails", "GuardrailMonitoringPolicy": "organization-trail-guardrails-monitoring"} {
		p := policies[id]
		require.NotNil(t, p, id)
		assert.Equal(t, name, p["name"])
		assert.Equal(t, "SERVICE_CONTROL_POLICY", p["type"])
		content, _ := p["content"].(string)
		assert.LessOrEqual(t, len(content), policy.MaxSCPBytes, id)
		attached := map[string]bool{}
		for _, a := range scpStack.Resources("aws_organizations_policy_attachment") {
			if a["policy_id"] == st.Ref("aws_organizations_policy", id, "id") {
				attached[a["target_id"].(string)] = true
			}
		}
		assert.Equal(t, map[string]bool{"444455556666": true, "222233334444": true}, attached, id)
	}
	monitoring, err := policy.Parse(policies["GuardrailMonitoringPolicy"]["content"].(string))
	require.NoError(t, err)
	assert.Equal(t, []string{policy.SidGuardMonitoringPrefix + "222233334444", policy.SidGuardAccountPoliciesPrefix + "222233334444", policy.SidGuardMonitoringKeyPrefix + "222233334444"}, monitoring.Sids())
	// The monitoring key and the watchdog key carry the guard tag the
	// monitoring policy names.
	var monitoringKeys int
	for _, k := range admin.Resources("aws_kms_key") {
		monitoringKeys++
		assert.Equal(t, map[string]any{policy.GuardTagKey: "organization-trail"}, k["tags"])
	}
	assert.Equal(t, 2, monitoringKeys, "the monitoring key and the watchdog key")
	_, reg := mgmt.Only(t, "aws_cloudtrail_organization_delegated_admin_account")
	assert.Equal(t, "222233334444", reg["account_id"])
	assert.Equal(t, []any{"111122223333"}, mgmt.Providers()[0]["allowed_account_ids"])

	// The delegated administrator's stack creates the trail with its own
	// pinned, assumed provider, and waits for the registration.
	assert.Equal(t, 1, admin.Count("aws_cloudtrail"))
	assert.Equal(t, 0, archive.Count("aws_cloudtrail"))
	p := admin.Providers()[0]
	assert.Equal(t, []any{"222233334444"}, p["allowed_account_ids"])
	assert.Equal(t, []any{map[string]any{"role_arn": "arn:aws:iam::222233334444:role/CloudTrailDeployer", "session_name": "cloudtrail-mrk"}}, p["assume_role"])
	deps := map[string]bool{}
	for _, d := range *s.TrailCreator.Stack.Dependencies() {
		deps[*d.Node().Id()] = true
	}
	assert.Equal(t, map[string]bool{LogArchiveStackName: true, ManagementStackName: true}, deps)

	// The trail ARN in the bucket and key policies and the topic and
	// monitoring key policies names the management account.
	var docsWithArn []policy.Document
	for _, b := range archive.Resources("aws_s3_bucket_policy") {
		docsWithArn = append(docsWithArn, st.Policy(t, b))
	}
	var primary map[string]any
	for _, k := range archive.Resources("aws_kms_key") {
		if k["multi_region"] == true {
			primary = k
		}
	}
	require.NotNil(t, primary, "the multi-region key")
	docsWithArn = append(docsWithArn, st.Policy(t, primary))
	// Three topics: the trail's notifications, the alarms' and the watchdog
	// topic (an alarm topic, like the alarms').
	var topicPolicy, alarmTopicPolicy map[string]any
	for _, tp := range admin.Resources("aws_sns_topic_policy") {
		if _, ok := st.Policy(t, tp).StatementBySid(policy.SidTopicPublish); ok {
			topicPolicy = tp
		}
		// The alarm topic's, not the watchdog topic's (both let alarms
		// publish): chosen by the topic it names, as map order is random.
		if s, ok := st.Policy(t, tp).StatementBySid(policy.SidAlarmsPublish); ok && strings.HasSuffix(s.Resource[0], ":organization-trail-alarms") {
			alarmTopicPolicy = tp
		}
	}
	require.NotNil(t, topicPolicy, "the notification topic's policy")
	require.NotNil(t, alarmTopicPolicy, "the alarm topic's policy")
	// The monitoring key, beside the watchdog key (whose policy names no
	// trail).
	_, monKey := admin.OnlyWhere(t, "aws_kms_key", "description", "CloudTrail organization-trail: CloudWatch Logs and notifications (cloudtrail-mrk)")
	docsWithArn = append(docsWithArn, st.Policy(t, topicPolicy), st.Policy(t, monKey))
	arns := sourceArns(t, docsWithArn...)
	require.NotEmpty(t, arns)
	for _, a := range arns {
		assert.Equal(t, delegatedTrailArn, a)
	}

	// The log group, the role's streams, the topic and the monitoring key's
	// administrator name the delegated administrator, which holds them.
	mon := st.Policy(t, monKey)
	root, ok := mon.StatementBySid(policy.SidKeyRootAdministration)
	require.True(t, ok)
	assert.Equal(t, policy.Values{"arn:aws:iam::222233334444:root"}, root.Principal.AWS)
	logs, ok := mon.StatementBySid(policy.SidLogsUseKey)
	require.True(t, ok)
	assert.Equal(t, []string{"arn:aws:logs:us-east-1:222233334444:log-group:cloudtrail/organization-trail"}, []string(logs.Condition["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"]))
	pub, ok := st.Policy(t, topicPolicy).StatementBySid(policy.SidTopicPublish)
	require.True(t, ok)
	assert.Equal(t, policy.Values{"arn:aws:sns:us-east-1:222233334444:organization-trail-notifications"}, pub.Resource)
	// The alarms live beside the log group, in the delegated administrator's
	// account: their topic and the key grant name that account's alarms.
	alarmPub, ok := st.Policy(t, alarmTopicPolicy).StatementBySid(policy.SidAlarmsPublish)
	require.True(t, ok)
	assert.Equal(t, policy.Values{"arn:aws:sns:us-east-1:222233334444:organization-trail-alarms"}, alarmPub.Resource)
	assert.Equal(t, policy.Values{"222233334444"}, alarmPub.Condition["StringEquals"]["aws:SourceAccount"])
	alarmKey, ok := mon.StatementBySid(policy.SidAlarmsUseKey)
	require.True(t, ok)
	assert.Equal(t, policy.Values{"arn:aws:cloudwatch:us-east-1:222233334444:alarm:*"}, alarmKey.Condition["ArnLikeIfExists"]["aws:SourceArn"])
	_, trail := admin.Only(t, "aws_cloudtrail")
	assert.Equal(t, true, trail["is_organization_trail"])
	// docs/aws-rules.md#sns-topic-name: the topic is in another account than
	// the trail's owner (the management account), so the trail names it by ARN.
	topicName := topicNamed(t, admin, cfg.Trail.Notifications.TopicName)
	assert.Equal(t, st.Ref("aws_sns_topic", topicName, "arn"), trail["sns_topic_name"])
	// The provider reads a topic of the caller's account back by name: the
	// ARN is kept from showing a change at every plan, and the topic is
	// checked through sns_topic_arn instead.
	assertTopicByArnLifecycle(t, trail, topicName)
}

// assertTopicByArnLifecycle: a trail that names its topic by ARN ignores
// later differences of sns_topic_name and checks sns_topic_arn in a
// postcondition (docs/aws-rules.md#sns-topic-name).
func assertTopicByArnLifecycle(t *testing.T, trail map[string]any, topicName string) {
	t.Helper()
	lifecycle, ok := trail["lifecycle"].(map[string]any)
	require.True(t, ok, "the trail has a lifecycle block: %v", trail)
	assert.Equal(t, []any{"sns_topic_name"}, lifecycle["ignore_changes"])
	post, ok := lifecycle["postcondition"].([]any)
	require.True(t, ok)
	require.Len(t, post, 1)
	assert.Equal(t, "${self.sns_topic_arn == aws_sns_topic."+topicName+".arn}", post[0].(map[string]any)["condition"])
}

func TestDelegatedAdministratorIsLogArchive(t *testing.T) {
	cfg := load(t, "../testdata/variants/delegated-admin-log-archive.yaml")
	s, docs := synthApp(t, cfg)
	require.Equal(t, []string{ManagementStackName, LogArchiveStackName}, s.Names(), "the registration first")
	assert.Equal(t, []string{"aws_cloudtrail_organization_delegated_admin_account"}, docs[ManagementStackName].ResourceTypes())
	archive := docs[LogArchiveStackName]
	// Guardrails off: no key carries the guard tag, the monitoring key
	// included.
	require.False(t, cfg.Guardrails.Enabled)
	for name, k := range archive.Resources("aws_kms_key") {
		assert.Nil(t, k["tags"], name)
	}
	assert.Equal(t, 1, archive.Count("aws_cloudtrail"))
	_, trail := archive.Only(t, "aws_cloudtrail")
	// The log-archive account creates the trail, the management account owns
	// it: the topic is named by ARN (docs/aws-rules.md#sns-topic-name).
	assert.Equal(t, st.Ref("aws_sns_topic", topicNamed(t, archive, cfg.Trail.Notifications.TopicName), "arn"), trail["sns_topic_name"])
	assertTopicByArnLifecycle(t, trail, topicNamed(t, archive, cfg.Trail.Notifications.TopicName))
	assert.Contains(t, trail["depends_on"], "aws_s3_bucket_policy."+func() string {
		for name, p := range archive.Resources("aws_s3_bucket_policy") {
			if _, ok := st.Policy(t, p).StatementBySid(policy.SidBucketWrite); ok {
				return name
			}
		}
		return "none"
	}())
	for _, a := range sourceArns(t, st.Policy(t, func() map[string]any {
		for _, k := range archive.Resources("aws_kms_key") {
			if k["multi_region"] == true {
				return k
			}
		}
		return nil
	}())) {
		assert.Equal(t, "arn:aws:cloudtrail:eu-west-1:111111111111:trail/cloudtrail-mrk", a)
	}
}
