package alarms

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/internal/proof/filterpattern"
)

// testMonitoring is the monitoring path of testDeployment: the management
// account holds the log group, topics and monitoring key in us-east-1, and
// Terraform deploys it with CloudTrailDeployer.
var testMonitoring = Monitoring{
	Partition: "aws", Account: "111122223333", Region: "us-east-1",
	TrailName:    "organization-trail",
	LogGroupName: "cloudtrail/organization-trail",
	Topics:       []string{"organization-trail-alarms", "organization-trail-notifications"},
	KeyIDs:       []string{"1234abcd-12ab-34cd-56ef-1234567890ab", "5678abcd-12ab-34cd-56ef-1234567890ab"},
	Deployer:     "arn:aws:iam::111122223333:role/CloudTrailDeployer",
}

// monitoringWant is, for each monitoring alarm of testMonitoring, the
// records of records.json it counts: each event on each watched resource,
// by an assumed role, the root user or an IAM user (the alarm) or by the
// deploying role (its twin only). The near misses (the same event on
// another alarm, log group, topic or key, our names in a member account or
// another region, EnableAlarmActions, Subscribe, reads) are in no list.
var monitoringWant = map[string][]string{
	MonitoringAlarmChanges:                    {"cw-delete-alarms-our-alarm-at-index-2", "cw-disable-alarm-actions-heartbeat-by-root", "cw-put-alarm-mute-rule-our-alarms", "cw-set-alarm-state-our-alarm-by-iam-user"},
	MonitoringAlarmChanges + ByDeployerSuffix: {"cw-put-metric-alarm-our-alarm-by-deployer"},
	MonitoringLogGroupChanges: {"logs-associate-kms-key-our-group-by-resource-identifier", "logs-delete-log-group-our-group", "logs-delete-metric-filter-our-group",
		"logs-delete-subscription-filter-our-group", "logs-put-account-policy-transformer", "logs-put-data-protection-policy-our-group-by-name",
		"logs-put-retention-policy-our-group-by-root", "logs-put-transformer-our-group-by-arn"},
	MonitoringLogGroupChanges + ByDeployerSuffix: {"logs-put-metric-filter-our-group-by-deployer"},
	MonitoringTopicChanges: {"sns-put-data-protection-policy-alarm-topic", "sns-remove-permission-alarm-topic", "sns-set-subscription-attributes-filter-policy",
		"sns-set-topic-attributes-alarm-topic", "sns-unsubscribe-alarm-topic-subscription"},
	MonitoringTopicChanges + ByDeployerSuffix: {"sns-delete-topic-notification-topic-by-deployer"},
	MonitoringKeyChanges:                      {"kms-mon-disable-key-rotation-monitoring-key", "kms-mon-schedule-key-deletion-monitoring-key", "kms-mon-update-alias-to-monitoring-key"},
	MonitoringKeyChanges + ByDeployerSuffix:   {"kms-mon-create-grant-monitoring-key-by-deployer"},
}

// nearMisses are the monitoring records that no tampering or monitoring
// alarm counts.
var nearMisses = []string{
	"cw-delete-alarms-other-alarms", "cw-put-metric-alarm-our-name-member-account", "cw-put-metric-alarm-our-name-other-region",
	"cw-enable-alarm-actions-our-alarm", "cw-describe-alarms-our-alarms", "cw-put-alarm-mute-rule-member-account",
	"logs-delete-metric-filter-other-group", "logs-delete-log-group-same-name-member-account", "logs-put-account-policy-subscription-filter",
	"logs-put-retention-policy-longer-group-name",
	"sns-unsubscribe-longer-topic-name", "sns-set-topic-attributes-same-name-member-account", "sns-subscribe-alarm-topic",
	"kms-mon-put-key-policy-other-key",
}

// TestEachMonitoringEventMatchesExactlyOneFilter: every record of a
// monitoring event on our resources is counted by exactly one metric filter
// (one pattern of one alarm) among the tampering and monitoring alarms, so
// it pages once; a near miss by none.
func TestEachMonitoringEventMatchesExactlyOneFilter(t *testing.T) {
	recs := records(t)
	tampering, err := TamperingAlarms(testDeployment, nil)
	require.NoError(t, err)
	monitoring, err := MonitoringAlarms(testMonitoring, nil)
	require.NoError(t, err)
	filters := map[string]string{}
	for _, a := range append(tampering, monitoring...) {
		for i, p := range a.Patterns {
			filters[fmt.Sprintf("%s#%d", a.Name, i+1)] = p
		}
	}
	count := func(id string) []string {
		var hits []string
		for name, p := range filters {
			ok, err := filterpattern.MustParse(p).Match(recs[id])
			require.NoError(t, err, "%s on %s", name, id)
			if ok {
				hits = append(hits, name)
			}
		}
		sort.Strings(hits)
		return hits
	}
	for alarm, ids := range monitoringWant {
		for _, id := range ids {
			require.Contains(t, recs, id)
			hits := count(id)
			if assert.Len(t, hits, 1, "%s: %v", id, hits) {
				assert.True(t, strings.HasPrefix(hits[0], alarm+"#"), "%s counted by %s, not %s", id, hits[0], alarm)
			}
		}
	}
	for _, id := range nearMisses {
		require.Contains(t, recs, id)
		assert.Empty(t, count(id), id)
	}
}

// TestDeployerIsToldApartByIssuerOnly: without a deployer there is one
// alarm per set, counting the deploying role's changes with everyone
// else's; with one, a record whose sessionIssuer is another role, or that
// has none (root, IAM user, an AWS service), goes to the alarm, and only
// the deploying role's to its twin.
func TestDeployerIsToldApartByIssuerOnly(t *testing.T) {
	recs := records(t)
	m := testMonitoring
	m.Deployer = ""
	plain, err := MonitoringAlarms(m, nil)
	require.NoError(t, err)
	require.Len(t, plain, 4)
	for _, a := range plain {
		want := append(append([]string(nil), monitoringWant[a.Name]...), monitoringWant[a.Name+ByDeployerSuffix]...)
		sort.Strings(want)
		assert.Equal(t, want, matches(t, a, recs), a.Name)
	}

	twins, err := MonitoringAlarms(testMonitoring, nil)
	require.NoError(t, err)
	require.Len(t, twins, 8)
	var tmpl map[string]any
	require.NoError(t, json.Unmarshal(recs["logs-delete-metric-filter-our-group"], &tmpl))
	withIdentity := func(identity map[string]any) []byte {
		r := map[string]any{}
		for k, v := range tmpl {
			r[k] = v
		}
		r["userIdentity"] = identity
		b, err := json.Marshal(r)
		require.NoError(t, err)
		return b
	}
	issuer := func(arn string) map[string]any {
		return map[string]any{"type": "AssumedRole", "accountId": "111122223333", "arn": "arn:aws:sts::111122223333:assumed-role/x/s",
			"sessionContext": map[string]any{"sessionIssuer": map[string]any{"type": "Role", "arn": arn, "accountId": "111122223333"}}}
	}
	var alarm, twin Alarm
	for _, a := range twins {
		switch a.Name {
		case MonitoringLogGroupChanges:
			alarm = a
		case MonitoringLogGroupChanges + ByDeployerSuffix:
			twin = a
		}
	}
	require.NotEmpty(t, alarm.Patterns)
	require.NotEmpty(t, twin.Patterns)
	counts := func(a Alarm, rec []byte) bool {
		for _, p := range a.Patterns {
			ok, err := filterpattern.MustParse(p).Match(rec)
			require.NoError(t, err, "a record without a sessionIssuer must be decided, whatever != does on a missing field")
			if ok {
				return true
			}
		}
		return false
	}
	for _, tc := range []struct {
		who      string
		identity map[string]any
		deployer bool
	}{
		{"the deploying role", issuer(testMonitoring.Deployer), true},
		{"another role", issuer("arn:aws:iam::111122223333:role/Admin"), false},
		{"a role whose name extends the deployer's", issuer(testMonitoring.Deployer + "2"), false},
		{"a role of the deployer's name under a path", issuer("arn:aws:iam::111122223333:role/x/CloudTrailDeployer"), false},
		{"the root user", map[string]any{"type": "Root", "accountId": "111122223333", "arn": "arn:aws:iam::111122223333:root"}, false},
		{"an IAM user", map[string]any{"type": "IAMUser", "accountId": "111122223333", "arn": "arn:aws:iam::111122223333:user/Alice"}, false},
		{"an IAM user's session without an issuer", map[string]any{"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/Alice", "sessionContext": map[string]any{"attributes": map[string]any{"mfaAuthenticated": "true"}}}, false},
		{"an AWS service", map[string]any{"type": "AWSService", "invokedBy": "logs.amazonaws.com"}, false},
	} {
		rec := withIdentity(tc.identity)
		assert.Equal(t, !tc.deployer, counts(alarm, rec), "%s: the alarm", tc.who)
		assert.Equal(t, tc.deployer, counts(twin, rec), "%s: the deployer twin", tc.who)
	}
}

// TestAlarmNamesAreWatched: every alarm this deployment names, the
// monitoring alarms' twins and the heartbeat (added beside these) included,
// is matched in DeleteAlarms at any index and in PutMetricAlarm; another
// alarm is not.
func TestAlarmNamesAreWatched(t *testing.T) {
	alarms, err := MonitoringAlarms(testMonitoring, nil)
	require.NoError(t, err)
	watch := named(alarms, MonitoringAlarmChanges)
	require.Len(t, watch.Patterns, 3, "one for alarmName, one for alarmNames[*], one for mute rules")
	names := append(Names(), "heartbeat")
	for _, n := range MonitoringNames {
		names = append(names, n+ByDeployerSuffix)
	}
	rec := func(event string, params map[string]any) []byte {
		b, err := json.Marshal(map[string]any{"eventSource": "monitoring.amazonaws.com", "eventName": event, "recipientAccountId": "111122223333", "awsRegion": "us-east-1",
			"userIdentity": map[string]any{"type": "Root"}, "requestParameters": params})
		require.NoError(t, err)
		return b
	}
	counts := func(r []byte) bool {
		return len(matches(t, watch, map[string][]byte{"r": r})) == 1
	}
	for _, n := range names {
		name := AlarmName(testMonitoring.TrailName, n)
		var others []any
		for i := 0; i < 99; i++ {
			others = append(others, fmt.Sprintf("app-%d", i))
		}
		assert.True(t, counts(rec("DeleteAlarms", map[string]any{"alarmNames": append(others, name)})), "%s last of 100", name)
		assert.True(t, counts(rec("DisableAlarmActions", map[string]any{"alarmNames": []any{name}})), name)
		assert.True(t, counts(rec("PutMetricAlarm", map[string]any{"alarmName": name})), name)
		assert.True(t, counts(rec("SetAlarmState", map[string]any{"alarmName": name, "stateValue": "ALARM"})), name)
	}
	assert.False(t, counts(rec("DeleteAlarms", map[string]any{"alarmNames": []any{"organization-trailx-root-usage", "root-usage"}})))
	assert.False(t, counts(rec("EnableAlarmActions", map[string]any{"alarmNames": []any{AlarmName(testMonitoring.TrailName, "root-usage")}})))
}

// TestMonitoringPatternsFitAndFilterCount: with the longest names AWS allows
// (trail 128, log group 512, topics 256, a role ARN with a long path), every
// pattern fits in 1,024 characters, no pattern has more than one wildcard
// selector, and all the filters of every alarm together stay within the 100
// a log group can have. A deploying role with a long path on top of the
// longest log group name is refused with the names to shorten.
func TestMonitoringPatternsFitAndFilterCount(t *testing.T) {
	long := Monitoring{
		Partition: "aws-us-gov", Account: "111122223333", Region: "us-gov-west-1",
		TrailName:    strings.Repeat("t", 128),
		LogGroupName: strings.Repeat("g", 512),
		Topics:       []string{strings.Repeat("a", 256), strings.Repeat("w", 256), strings.Repeat("n", 256)},
		KeyIDs:       []string{MonitoringKeyIDPlaceholder, WatchdogKeyIDPlaceholder},
		Deployer:     "arn:aws-us-gov:iam::111122223333:role/" + strings.Repeat("r", 64),
	}
	tooLong := long
	tooLong.Deployer = "arn:aws-us-gov:iam::111122223333:role/" + strings.Repeat("p", 100) + "/" + strings.Repeat("r", 64)
	_, err := MonitoringAlarms(tooLong, nil)
	assert.ErrorContains(t, err, "shorten the log group name, the topic names or the deploying role's path")
	monitoring, err := MonitoringAlarms(long, nil)
	require.NoError(t, err)
	require.Len(t, monitoring, 8)
	longTampering := Tampering{
		Partition: "aws-us-gov",
		TrailName: long.TrailName, TrailARN: "arn:aws-us-gov:cloudtrail:us-gov-west-1:111122223333:trail/" + long.TrailName,
		KeyAccount: "444455556666", KeyID: KeyIDPlaceholder, KeyAlias: "alias/" + strings.Repeat("a", 250),
		KeyRegions:    []string{"us-gov-west-1", "us-gov-east-1"},
		Buckets:       []string{strings.Repeat("a", 63), strings.Repeat("b", 63), strings.Repeat("c", 63), strings.Repeat("d", 63)},
		PipelineRoles: []string{"arn:aws-us-gov:iam::444455556666:role/" + strings.Repeat("r", 64), "arn:aws-us-gov:iam::111122223333:role/CloudTrailToCloudWatchLogs-*"},
	}
	tampering, err := TamperingAlarms(longTampering, nil)
	require.NoError(t, err)
	filters := 0
	for _, a := range append(append(CIS(nil), tampering...), monitoring...) {
		filters += len(a.Patterns)
		for _, p := range a.Patterns {
			assert.LessOrEqual(t, len(p), rules.FilterPatternMaxLength, a.Name)
			assert.LessOrEqual(t, strings.Count(p, "[*]"), 1, a.Name)
			_, err := filterpattern.Parse(p)
			assert.NoError(t, err, a.Name)
		}
	}
	t.Logf("%d metric filters with the longest names", filters)
	assert.LessOrEqual(t, filters, rules.MaxMetricFiltersPerLogGroup)
	// Split log-group patterns still count each event on each form of the
	// group's name exactly once.
	group := named(monitoring, MonitoringLogGroupChanges)
	require.Greater(t, len(group.Patterns), 1)
	arn := "arn:aws-us-gov:logs:us-gov-west-1:111122223333:log-group:" + long.LogGroupName
	// Each event with each field its request carries (CloudWatch Logs API
	// Reference, each action's request parameters).
	forms := map[string][]map[string]any{}
	for _, e := range LogGroupEvents {
		forms[e] = []map[string]any{{"logGroupName": long.LogGroupName}}
	}
	for _, e := range []string{"PutDataProtectionPolicy", "PutTransformer"} {
		forms[e] = []map[string]any{{"logGroupIdentifier": long.LogGroupName}, {"logGroupIdentifier": arn}, {"logGroupIdentifier": arn + ":*"}}
	}
	for _, e := range []string{"AssociateKmsKey", "DisassociateKmsKey"} {
		forms[e] = append(forms[e], map[string]any{"resourceIdentifier": arn}, map[string]any{"resourceIdentifier": arn + ":*"})
	}
	forms["PutAccountPolicy"] = []map[string]any{{"policyType": "TRANSFORMER_POLICY"}, {"policyType": "DATA_PROTECTION_POLICY"}}
	for _, e := range LogGroupEvents {
		for _, params := range forms[e] {
			b, err := json.Marshal(map[string]any{"eventSource": "logs.amazonaws.com", "eventName": e, "recipientAccountId": "111122223333", "awsRegion": "us-gov-west-1",
				"userIdentity": map[string]any{"type": "Root"}, "requestParameters": params})
			require.NoError(t, err)
			n := 0
			for _, p := range group.Patterns {
				ok, err := filterpattern.MustParse(p).Match(b)
				require.NoError(t, err)
				if ok {
					n++
				}
			}
			assert.Equal(t, 1, n, "%s with %v", e, params)
		}
	}
}

// TestKeyChangesWatchEveryKey: monitoring-key-changes counts a change to
// each key of the monitoring path, the watchdog key's too, at either
// resources index, and not to another key of the account.
func TestKeyChangesWatchEveryKey(t *testing.T) {
	m := testMonitoring
	m.Deployer = ""
	all, err := MonitoringAlarms(m, nil)
	require.NoError(t, err)
	keyAlarm := named(all, MonitoringKeyChanges)
	require.NotEmpty(t, keyAlarm.Patterns)
	counts := func(id string, at int) bool {
		res := []any{map[string]any{"ARN": "arn:aws:kms:us-east-1:111122223333:alias/x"}}
		key := map[string]any{"ARN": "arn:aws:kms:us-east-1:111122223333:key/" + id}
		if at == 0 {
			res = []any{key}
		} else {
			res = append(res, key)
		}
		b, err := json.Marshal(map[string]any{"eventSource": "kms.amazonaws.com", "eventName": "DisableKey", "recipientAccountId": "111122223333",
			"awsRegion": "us-east-1", "userIdentity": map[string]any{"type": "Root"}, "resources": res})
		require.NoError(t, err)
		for _, p := range keyAlarm.Patterns {
			if ok, err := filterpattern.MustParse(p).Match(b); err == nil && ok {
				return true
			}
		}
		return false
	}
	for _, id := range m.KeyIDs {
		assert.True(t, counts(id, 0), id)
		assert.True(t, counts(id, 1), id)
	}
	assert.False(t, counts("ffffffff-ffff-ffff-ffff-ffffffffffff", 0))
}

// TestMonitoringAlarmsSwitchOffWithTheirTwins: a disabled monitoring alarm
// takes its deployer twin along; a set with nothing to watch has no alarm.
func TestMonitoringAlarmsSwitchOffWithTheirTwins(t *testing.T) {
	a, err := MonitoringAlarms(testMonitoring, []string{MonitoringAlarmChanges, MonitoringKeyChanges})
	require.NoError(t, err)
	var names []string
	for _, x := range a {
		names = append(names, x.Name)
	}
	assert.Equal(t, []string{MonitoringLogGroupChanges, MonitoringLogGroupChanges + ByDeployerSuffix, MonitoringTopicChanges, MonitoringTopicChanges + ByDeployerSuffix}, names)
	m := testMonitoring
	m.Topics, m.KeyIDs, m.Deployer = nil, nil, ""
	a, err = MonitoringAlarms(m, nil)
	require.NoError(t, err)
	require.Len(t, a, 2, "no topics and no key: the alarm and log group alarms only")
	_, err = MonitoringAlarms(Monitoring{TrailName: "t"}, nil)
	assert.ErrorContains(t, err, "account and region")
}

// TestMonitoringDefectsAreCaught seeds the mistakes a careless edit would
// make into the patterns; the record test must then see a difference.
func TestMonitoringDefectsAreCaught(t *testing.T) {
	recs := records(t)
	good, err := MonitoringAlarms(testMonitoring, nil)
	require.NoError(t, err)
	for _, tc := range []struct{ name, from, to string }{
		{"a wrong field name for the log group", "$.requestParameters.logGroupName =", "$.requestParameters.logGroup ="},
		{"a wrong field name for the subscription", "$.requestParameters.subscriptionArn =", "$.requestParameters.subscriptionARN ="},
		{"the alarm names at a fixed index", "$.requestParameters.alarmNames[*]", "$.requestParameters.alarmNames[0]"},
		{"the topic subscription matched exactly", `:organization-trail-alarms:*"`, `:organization-trail-alarms"`},
		{"no account scope", `($.recipientAccountId = "111122223333")`, `($.recipientAccountId = "*")`},
		{"no region scope", `($.awsRegion = "us-east-1")`, `($.awsRegion = "*")`},
		{"the deployer told apart by the caller's ARN", "$.userIdentity.sessionContext.sessionIssuer.arn =", "$.userIdentity.arn ="},
		{"the key matched on its first resource only", `($.resources[1].ARN`, `($.resources[0].ARN`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			changed := false
			differs := false
			for _, a := range good {
				bad := Alarm{Name: a.Name}
				for _, p := range a.Patterns {
					q := strings.ReplaceAll(p, tc.from, tc.to)
					changed = changed || q != p
					bad.Patterns = append(bad.Patterns, q)
				}
				if !assert.NotPanics(t, func() { matches(t, bad, recs) }) {
					continue
				}
				differs = differs || !assert.ObjectsAreEqual(matches(t, a, recs), matches(t, bad, recs))
			}
			require.True(t, changed, "the defect %q is not in any pattern", tc.from)
			assert.True(t, differs, "the seeded defect went unnoticed by the records")
		})
	}
}

// TestEventListsAreTheWatchedEvents: the exported event lists are exactly
// the events the monitoring alarms watch.
func TestEventListsAreTheWatchedEvents(t *testing.T) {
	alarms, err := MonitoringAlarms(testMonitoring, nil)
	require.NoError(t, err)
	seen := map[string]map[string]bool{}
	for _, a := range alarms {
		if strings.HasSuffix(a.Name, ByDeployerSuffix) {
			continue
		}
		seen[a.Name] = map[string]bool{}
		for _, p := range a.Patterns {
			for _, part := range strings.Split(p, `$.eventName = "`)[1:] {
				seen[a.Name][part[:strings.IndexByte(part, '"')]] = true
			}
		}
	}
	keys := func(m map[string]bool) []string {
		var out []string
		for k := range m {
			out = append(out, k)
		}
		return out
	}
	assert.ElementsMatch(t, AlarmEvents, keys(seen[MonitoringAlarmChanges]))
	assert.ElementsMatch(t, LogGroupEvents, keys(seen[MonitoringLogGroupChanges]))
	assert.ElementsMatch(t, TopicEvents, keys(seen[MonitoringTopicChanges]))
	assert.ElementsMatch(t, KeyEvents, keys(seen[MonitoringKeyChanges]))
}
