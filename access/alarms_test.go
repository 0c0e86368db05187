package access

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/alarms"
)

// alarmResults are the results of our alarm checks and of the alarm topic's
// policies.
func alarmResults(results []Result) []Result {
	var out []Result
	for _, r := range results {
		if strings.HasPrefix(r.Name, "our alarm check: ") || strings.Contains(r.Policy, "AlarmTopicPolicy") ||
			strings.Contains(r.Name, "for an alarm of this account") || strings.Contains(r.Name, "another account's alarm") {
			out = append(out, r)
		}
	}
	return out
}

// trailStackOf returns the stack that holds the trail.
func trailStackOf(t *testing.T, stacks []Stack) *Stack {
	t.Helper()
	for i := range stacks {
		if len(stacks[i].resources("aws_cloudtrail")) > 0 {
			return &stacks[i]
		}
	}
	require.Fail(t, "no trail stack")
	return nil
}

func TestAlarmChecksPassOnOurStacks(t *testing.T) {
	for _, name := range []string{"default", "organization"} {
		t.Run(name, func(t *testing.T) {
			cfg, stacks := golden(t, name)
			results, err := Check(cfg, stacks)
			require.NoError(t, err)
			ours := alarmResults(results)
			assert.Empty(t, failures(ours))
			// Every CIS control, tampering and monitoring alarm: two structure
			// checks and at least one matching and one unrelated record each.
			assert.GreaterOrEqual(t, len(ours), alarmCount[name]*4)
			for _, n := range append(append([]string{"unauthorized-api-calls", "organizations-changes"}, alarms.TamperingNames...), alarms.MonitoringNames...) {
				if n == alarms.OrganizationTrustChanges && cfg.OrganizationID == "" {
					continue // an organization trail's alarm
				}
				if n == alarms.GuardrailTagChanges && !cfg.Guardrails.Enabled {
					continue // the guardrails' alarm
				}
				found := false
				for _, r := range ours {
					found = found || strings.Contains(r.Name, n+" counts")
				}
				assert.True(t, found, "no record check for %s", n)
			}
		})
	}
}

// alarmCount is the number of alarms with metric filters of each golden
// (the heartbeat, which has none, comes on top): 15 CIS, 5 tampering and 4
// monitoring alarms, and in the organization example the
// organization-trust alarm, the guardrail tag alarm (guardrails on) and, as
// its management account has a role_arn,
// the 4 monitoring alarms' deployer twins.
var alarmCount = map[string]int{"default": 24, "organization": 30}

// TestAlarmChecksFailWithoutAlarms: a stack without the alarms, without one
// alarm, or without its metric filters fails our checks for exactly those.
func TestAlarmChecksFailWithoutAlarms(t *testing.T) {
	remove := func(stacks []Stack, typ string, keep func(body map[string]any) bool) {
		s := trailStackOf(t, stacks)
		res := object(s.JSON, "resource")
		all := object(res, typ)
		require.NotEmpty(t, all)
		for n, b := range all {
			if body, _ := b.(map[string]any); !keep(body) {
				delete(all, n)
			}
		}
	}
	for _, name := range []string{"default", "organization"} {
		t.Run(name+"/no alarms", func(t *testing.T) {
			cfg, stacks := golden(t, name)
			remove(stacks, "aws_cloudwatch_metric_alarm", func(map[string]any) bool { return false })
			results, err := Check(cfg, stacks)
			require.NoError(t, err)
			f := failures(results)
			assert.Len(t, f, alarmCount[name]+1, "one failure per alarm, the heartbeat's included:\n%s", strings.Join(f, "\n"))
		})
		t.Run(name+"/no metric filters", func(t *testing.T) {
			cfg, stacks := golden(t, name)
			remove(stacks, "aws_cloudwatch_log_metric_filter", func(map[string]any) bool { return false })
			results, err := Check(cfg, stacks)
			require.NoError(t, err)
			assert.Len(t, failures(results), alarmCount[name], "one per alarm with filters; the heartbeat needs none")
		})
	}
	names := alarms.Names()
	for _, n := range alarms.MonitoringNames {
		names = append(names, n+alarms.ByDeployerSuffix)
	}
	for _, name := range names {
		// The heartbeat's metric is CloudWatch Logs' own.
		metric, want := name, "an alarm on metric "+name
		if name == alarms.Heartbeat {
			metric, want = alarms.HeartbeatMetric, "one heartbeat: an alarm on AWS/Logs IncomingLogEvents of the trail's log group"
		}
		t.Run("organization/without "+name, func(t *testing.T) {
			cfg, stacks := golden(t, "organization")
			remove(stacks, "aws_cloudwatch_metric_alarm", func(b map[string]any) bool { return b["metric_name"] != metric })
			results, err := Check(cfg, stacks)
			require.NoError(t, err)
			f := failures(results)
			require.Len(t, f, 1)
			assert.Contains(t, f[0], want)
		})
	}
}

// TestAlarmDefectsAreCaught seeds the defects a careless edit would make.
func TestAlarmDefectsAreCaught(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(string) string
		want string
	}{
		{"key filter matching any key", func(s string) string {
			return strings.Replace(s, `($.resources[0].ARN = \"arn:aws:kms:us-east-1:444455556666:key/`, `($.resources[0].ARN = \"arn:aws:kms:us-east-1:444455556666:key/*\") || ($.resources[0].ARN = \"arn:aws:kms:us-east-1:444455556666:key/`, 1)
		}, "key-changes counts ScheduleKeyDeletion on another key must not hold"},
		{"bucket filter on another bucket", func(s string) string {
			return strings.ReplaceAll(s, `$.requestParameters.bucketName = \"example-org-cloudtrail-444455556666\"`, `$.requestParameters.bucketName = \"example-org-cloudtrail-444455556666-old\"`)
		}, "counts PutBucketPolicy on example-org-cloudtrail-444455556666 must hold"},
		{"alarm topic and key open to another account's alarms", func(s string) string {
			s = strings.ReplaceAll(s, `arn:aws:cloudwatch:us-east-1:111122223333:alarm:*`, `arn:aws:cloudwatch:*:*:alarm:*`)
			return strings.ReplaceAll(s, `\"aws:SourceAccount\": \"111122223333\"`, `\"aws:SourceAccount\": [\"111122223333\", \"999999999999\"]`)
		}, "CloudWatch publishing for another account's alarm must be denied"},
		{"alarm that never fires", func(s string) string {
			return strings.Replace(s, `"threshold": 1,`, `"threshold": 100,`, 1)
		}, "fires on one event"},
		{"alarm without the topic", func(s string) string {
			return strings.Replace(s, `"alarm_actions": [`, `"ok_actions": [`, 1)
		}, "notifies the alarm topic"},
		{"a regular expression the evaluator does not implement", func(s string) string {
			return strings.Replace(s, `$.eventName = DeleteGroupPolicy`, `$.eventName = %DeleteGroupPolicy%`, 1)
		}, "regular expressions"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, stacks := mutate(t, "organization", "management", tc.edit)
			results, err := Check(cfg, stacks)
			require.NoError(t, err)
			f := failures(results)
			require.NotEmpty(t, f)
			assert.Contains(t, strings.Join(f, "\n"), tc.want)
		})
	}
}

// TestMonitoringAlarmDefectsAreCaught seeds the defects a careless edit of
// the monitoring alarms would make into the organization golden.
func TestMonitoringAlarmDefectsAreCaught(t *testing.T) {
	requireEachCaught(t, []seededDefect{
		{"trusted access matched on a wrong field name", "organization", "management", func(s string) string {
			return strings.ReplaceAll(s, `$.requestParameters.servicePrincipal = \"cloudtrail.amazonaws.com\"`, `$.requestParameters.servicePrincipalName = \"cloudtrail.amazonaws.com\"`)
		}, "organization-trust-changes counts DisableAWSServiceAccess for cloudtrail.amazonaws.com must hold"},
		{"log group matched on a wrong field name", "organization", "management", func(s string) string {
			return strings.ReplaceAll(s, `$.requestParameters.logGroupName = \"cloudtrail/organization-trail\"`, `$.requestParameters.logGroup = \"cloudtrail/organization-trail\"`)
		}, "monitoring-log-group-changes counts DeleteLogGroup by an administrator's role must hold"},
		{"alarm names matched at index 0 only", "organization", "management", func(s string) string {
			return strings.ReplaceAll(s, `$.requestParameters.alarmNames[*]`, `$.requestParameters.alarmNames[0]`)
		}, "monitoring-alarm-changes counts DeleteAlarms by an administrator's role must hold"},
		{"subscriptions matched as the topic's exact ARN", "organization", "management", func(s string) string {
			return strings.ReplaceAll(s, `:organization-trail-alarms:*\"`, `:organization-trail-alarms\"`)
		}, "counts Unsubscribe by an administrator's role on organization-trail-alarms must hold"},
		{"the deployer exclusion dropping records without an issuer", "organization", "management", func(s string) string {
			return strings.ReplaceAll(s, `$.userIdentity.sessionContext.sessionIssuer.arn NOT EXISTS || `, ``)
		}, "the documentation does not say whether != matches a missing field"},
		{"the deployer twin counting everyone", "organization", "management", func(s string) string {
			return strings.ReplaceAll(s, `($.userIdentity.sessionContext.sessionIssuer.arn = \"arn:aws:iam::111122223333:role/CloudTrailDeployer\")`, `($.awsRegion = \"us-east-1\")`)
		}, "monitoring-log-group-changes-by-deployer counts DeleteLogGroup by the root user must not hold"},
		{"a filter alarm summing, which published negative values can hide", "organization", "management", func(s string) string {
			return strings.Replace(s, `"statistic": "Maximum"`, `"statistic": "Sum"`, 1)
		}, "fires on one event (Maximum >= 1 over one period, which no published value can lower; actions enabled) must hold"},
		{"the monitoring key matched by any key", "organization", "management", func(s string) string {
			return strings.ReplaceAll(s, `($.resources[0].ARN = \"arn:aws:kms:us-east-1:111122223333:key/`, `($.resources[0].ARN = \"arn:aws:kms:us-east-1:111122223333:key/*\") || ($.resources[0].ARN = \"arn:aws:kms:us-east-1:111122223333:key/`)
		}, "monitoring-key-changes counts ScheduleKeyDeletion by an administrator's role on another key must not hold"},
	})
}
