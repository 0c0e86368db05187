package access

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWatchdogChecksPass: the watchdog topic and key meet every expectation
// in each configuration with alarms, and the checks run.
func TestWatchdogChecksPass(t *testing.T) {
	for _, name := range []string{"default", "organization", "delegated-admin"} {
		t.Run(name, func(t *testing.T) {
			cfg, stacks := golden(t, name)
			results, err := Check(cfg, stacks)
			require.NoError(t, err)
			var watchdog []Result
			for _, r := range results {
				if strings.Contains(r.Name, "watchdog") {
					watchdog = append(watchdog, r)
				}
			}
			assert.Empty(t, failures(watchdog))
			// The heartbeat (2), the topic and its key (5), the topic's
			// and the key's policies (8 + 4 + 2x6), and the four
			// monitoring alarms at least.
			assert.GreaterOrEqual(t, len(watchdog), 2+5+8+4+12+4, "every watchdog expectation")
		})
	}
}

// TestWatchdogDefectsAreCaught seeds the defects that would send the
// heartbeat or the monitoring alarms through the monitoring key alone, leave
// a change to the watchdog path unreported, or open the watchdog topic or
// key.
func TestWatchdogDefectsAreCaught(t *testing.T) {
	const (
		watchdogRef = "${aws_sns_topic.Trail_WatchdogTopic_27C28544.arn}"
		alarmRef    = "${aws_sns_topic.Trail_AlarmTopic_0859C110.arn}"
		twoActions  = "\"" + alarmRef + "\",\n          \"" + watchdogRef + "\""
		oneAction   = "\"" + alarmRef + "\""
		keyPolicy   = `"Trail_WatchdogKey_878FCA5F": {`
		topicPolicy = `"Trail_WatchdogTopicPolicy_76226E03": {`
	)
	requireEachCaught(t, []seededDefect{
		{"heartbeat notifying the alarm topic only", "organization", "management",
			func(s string) string {
				return after(s, `"Trail_AlarmHeartbeat_C8B6BD04": {`, twoActions, oneAction)
			}, "the heartbeat notifies the watchdog topic, the path that does not depend on the monitoring key must hold"},
		{"heartbeat back to normal told through the alarm topic only", "organization", "management",
			func(s string) string {
				return after(s, `"Trail_AlarmHeartbeat_C8B6BD04": {`, "\"ok_actions\": [\n          "+twoActions, "\"ok_actions\": [\n          "+oneAction)
			}, "the heartbeat notifies the watchdog topic when events come back must hold"},
		{"monitoring-key-changes notifying the alarm topic only", "organization", "management",
			func(s string) string {
				return after(s, `"Trail_AlarmMonitoringKeyChanges_B6CD0F31": {`, twoActions, oneAction)
			}, "monitoring-key-changes notifies the watchdog topic must hold"},
		{"watchdog topic encrypted with the monitoring key", "organization", "management",
			func(s string) string {
				return strings.Replace(s, `"kms_master_key_id": "${aws_kms_key.Trail_WatchdogKey_878FCA5F.arn}"`, `"kms_master_key_id": "${aws_kms_key.Trail_MonitoringKey_707AC834.arn}"`, 1)
			}, "the watchdog topic and the alarm topic are encrypted with two different keys must hold"},
		{"monitoring-key-changes blind to the watchdog key", "organization", "management",
			func(s string) string {
				return strings.ReplaceAll(s, `aws_kms_key.Trail_WatchdogKey_878FCA5F.arn), 1)`, `aws_kms_key.Trail_MonitoringKey_707AC834.arn), 1)`)
			}, "monitoring-key-changes counts DisableKey by an administrator's role on the watchdog key must hold"},
		{"watchdog topic open to another account's alarms", "organization", "management",
			func(s string) string {
				return after(after(s, topicPolicy, `arn:aws:cloudwatch:us-east-1:111122223333:alarm:*`, `arn:aws:cloudwatch:*:*:alarm:*`), topicPolicy, `\"aws:SourceAccount\": \"111122223333\"`, `\"aws:SourceAccount\": [\"111122223333\", \"999999999999\"]`)
			}, "CloudWatch publishing for another account's alarm (the watchdog topic) must be denied"},
		{"watchdog topic without its TLS deny", "organization", "management",
			func(s string) string {
				return after(s, topicPolicy, `\"aws:SecureTransport\": \"false\"`, `\"aws:SecureTransport\": \"maybe\"`)
			}, "CloudWatch publishing for an alarm of this account without TLS (the watchdog topic) must be denied"},
		{"watchdog key open to this account's alarms in every region", "organization", "management",
			func(s string) string {
				return after(s, keyPolicy, `arn:aws:cloudwatch:us-east-1:111122223333:alarm:*`, `arn:aws:cloudwatch:*:111122223333:alarm:*`)
			}, "CloudWatch kms:GenerateDataKey for this account's alarm in another region (the watchdog topic) must be denied"},
		{"watchdog key without its destruction deny", "organization", "management",
			func(s string) string {
				return after(s, keyPolicy, `\"Sid\": \"DenyKeyDestruction\",\n      \"Effect\": \"Deny\"`, `\"Sid\": \"DenyKeyDestruction\",\n      \"Effect\": \"Allow\"`)
			}, "an administrator of the monitoring account allowed everything by IAM: kms:DisableKey on the watchdog key must be denied"},
		{"watchdog topic without its subscription", "organization", "management",
			func(s string) string {
				return after(s, `"Trail_WatchdogSubscription0_0B11633D": {`, watchdogRef, alarmRef)
			}, "the watchdog topic has one email subscription to security-alerts@example.com must hold"},
		{"watchdog key without the guardrails' tag", "delegated-admin", "delegated-admin",
			func(s string) string {
				return after(s, keyPolicy, `"cloudtrail-mrk-guardrail": "organization-trail"`, `"cloudtrail-mrk-guardrail-old": "organization-trail"`)
			}, "on the watchdog key must be denied"},
	})
}
