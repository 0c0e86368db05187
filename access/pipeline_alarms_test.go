package access

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// after replaces the first old after the first anchor in s, so that a
// seeded defect lands in one resource of a stack.
func after(s, anchor, old, new string) string {
	i := strings.Index(s, anchor)
	if i < 0 {
		return s
	}
	return s[:i] + strings.Replace(s[i:], old, new, 1)
}

// TestPipelineAlarmChecksPass: the heartbeat and, with replication, the
// replication alarm, its topic and its key meet every expectation, and the
// checks run (a check that finds nothing to check proves nothing).
func TestPipelineAlarmChecksPass(t *testing.T) {
	for _, tc := range []struct {
		name        string
		replication bool
	}{{"default", false}, {"organization", true}} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, stacks := golden(t, tc.name)
			results, err := Check(cfg, stacks)
			require.NoError(t, err)
			var heartbeat, replication []Result
			for _, r := range results {
				switch {
				case strings.Contains(r.Name, "heartbeat"):
					heartbeat = append(heartbeat, r)
				case strings.Contains(r.Name, "replication alarm"), strings.Contains(r.Name, "replication rule enables replication metrics"):
					replication = append(replication, r)
				}
			}
			assert.Empty(t, failures(heartbeat))
			// Seven, and the watchdog topic both ways and the five-action
			// limit (3).
			assert.Len(t, heartbeat, 7+3, "every heartbeat expectation")
			assert.Empty(t, failures(replication))
			if tc.replication {
				// The rule's metrics, the alarm (5), topic and key in the
				// home region (2), the key policy (12), the topic policy
				// (8), and with the guardrails the tag, five denied key
				// changes and the deploying role's (7); the topic's and the
				// key's own denies, each action refused to an administrator
				// and left to the deploying role (2x5 + 2x5).
				// With the guardrails, the monitoring guardrail policy on the
				// replication alarm and its topic: five actions each, refused
				// to an administrator and left to the deploying role (20).
				assert.Len(t, replication, 1+5+2+12+8+7+20+20)
			} else {
				assert.Empty(t, replication)
			}
		})
	}
}

// TestPipelineAlarmDefectsAreCaught seeds the defects that would blind the
// heartbeat or the replication alarm, or open their topic or key.
func TestPipelineAlarmDefectsAreCaught(t *testing.T) {
	const keyPolicy, topicPolicy = "cloudtrail-mrk-alarm-key-policy", "cloudtrail-mrk-alarm-topic-policy"
	requireEachCaught(t, []seededDefect{
		{"heartbeat treating missing data as not breaching, like every other alarm", "organization", "management",
			func(s string) string {
				return strings.Replace(s, `"treat_missing_data": "breaching"`, `"treat_missing_data": "notBreaching"`, 1)
			}, "the heartbeat counts a period without data as one without events (treat_missing_data breaching) must hold"},
		{"heartbeat on another log group", "organization", "management",
			func(s string) string {
				return after(s, `"Trail_AlarmHeartbeat_C8B6BD04": {`, `"LogGroupName": "${aws_cloudwatch_log_group.Trail_LogGroup_7D672DC9.name}"`, `"LogGroupName": "cloudtrail/some-other-group"`)
			}, "the heartbeat counts the events of the trail's log group"},
		{"heartbeat that fires only when events arrive", "organization", "management",
			func(s string) string {
				return strings.Replace(s, `"comparison_operator": "LessThanThreshold"`, `"comparison_operator": "GreaterThanOrEqualToThreshold"`, 1)
			}, "the heartbeat fires on a period without any event (Sum below 1) must hold"},
		{"heartbeat window beyond what CloudWatch evaluates", "organization", "management",
			func(s string) string {
				return strings.Replace(strings.Replace(s, `"evaluation_periods": 12,`, `"evaluation_periods": 300,`, 1), `"datapoints_to_alarm": 12,`, `"datapoints_to_alarm": 300,`, 1)
			}, "the heartbeat's window is one CloudWatch evaluates"},
		{"heartbeat that tells nobody it came back", "organization", "management",
			func(s string) string {
				return strings.Replace(s, `"ok_actions": [`, `"insufficient_data_actions": [`, 1)
			},
			"the heartbeat notifies the alarm topic when events come back must hold"},
		{"replication metrics off", "organization", "log-archive",
			func(s string) string {
				return strings.Replace(s, "\"metrics\": {\n                \"status\": \"Enabled\"", "\"metrics\": {\n                \"status\": \"Disabled\"", 1)
			}, "the replication rule enables replication metrics"},
		{"replication alarm on another rule", "organization", "log-archive",
			func(s string) string {
				return strings.Replace(s, `"RuleId": "recovery-copy"`, `"RuleId": "other-rule"`, 1)
			}, "the replication alarm watches rule recovery-copy"},
		{"replication alarm in the destination region", "organization", "log-archive",
			func(s string) string {
				return strings.Replace(s, `"alarm_name": "organization-trail-replication-failures",`, `"alarm_name": "organization-trail-replication-failures", "provider": "aws.us-west-2",`, 1)
			}, "the replication alarm is in the home region"},
		{"replication alarm keeping its state without data", "organization", "log-archive",
			func(s string) string {
				return strings.Replace(s, `"treat_missing_data": "notBreaching"`, `"treat_missing_data": "ignore"`, 1)
			}, "treat_missing_data notBreaching) must hold"},
		{"replication alarm topic's key open to another account's alarms", "organization", "log-archive",
			func(s string) string {
				return after(after(s, keyPolicy, `arn:aws:cloudwatch:us-east-1:444455556666:alarm:*`, `arn:aws:cloudwatch:*:*:alarm:*`), keyPolicy, `\"aws:SourceAccount\": \"444455556666\"`, `\"aws:SourceAccount\": [\"444455556666\", \"999999999999\"]`)
			}, "CloudWatch kms:GenerateDataKey for another account's alarm (replication alarm topic's key) must be denied"},
		{"replication alarm topic without its TLS deny", "organization", "log-archive",
			func(s string) string {
				return after(s, topicPolicy, `\"aws:SecureTransport\": \"false\"`, `\"aws:SecureTransport\": \"maybe\"`)
			}, "CloudWatch publishing for the replication alarm without TLS must be denied"},
		{"replication alarm topic open to every account's alarms", "organization", "log-archive",
			func(s string) string {
				return after(after(s, topicPolicy, `arn:aws:cloudwatch:us-east-1:444455556666:alarm:*`, `arn:aws:cloudwatch:*:*:alarm:*`), topicPolicy, `\"aws:SourceAccount\": \"444455556666\"`, `\"aws:SourceAccount\": [\"444455556666\", \"999999999999\"]`)
			}, "CloudWatch publishing to the replication alarm topic for another account's alarm must be denied"},
		{"replication alarm topic's key without the guardrails' tag", "organization", "log-archive",
			func(s string) string {
				return after(s, `"Replication_AlarmKey_3531FF19": {`, `"cloudtrail-mrk-guardrail": "organization-trail"`, `"cloudtrail-mrk-guardrail-old": "organization-trail"`)
			}, "kms:ScheduleKeyDeletion on the replication alarm topic's key (guardrails with AWS's default key policy) must be denied"},
	})
}
