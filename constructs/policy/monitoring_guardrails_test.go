package policy

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func exampleMonitoringGuardrails() MonitoringGuardrails {
	return MonitoringGuardrails{Partition: "aws", Watched: []WatchedAccount{{
		Account:     "222233334444",
		Region:      "us-east-1",
		AlarmPrefix: "organization-trail-",
		LogGroups:   []string{"cloudtrail/organization-trail"},
		Topics:      []string{"organization-trail-notifications", "organization-trail-alarms"},
		KeyTag:      "organization-trail",
		Exempt:      []string{"arn:aws:iam::444455556666:role/LogArchiveBreakGlass", "arn:aws:iam::222233334444:role/CloudTrailDeployer"},
	}}}
}

// One statement on the alarms, log group and topics and one on the tagged
// monitoring key, both exempting the account's deployer and the break-glass
// principals, named after the account.
func TestMonitoringGuardrailPolicy(t *testing.T) {
	doc, err := MonitoringGuardrailPolicy(exampleMonitoringGuardrails())
	require.NoError(t, err)
	assert.Equal(t, []string{"DenyMonitoringChanges222233334444", "DenyMonitoringKeyChanges222233334444"}, doc.Sids())
	exempt := Conditions{}.Add("ArnNotLike", "aws:PrincipalArn",
		"arn:aws:iam::222233334444:role/CloudTrailDeployer", "arn:aws:iam::444455556666:role/LogArchiveBreakGlass")

	s, ok := doc.StatementBySid("DenyMonitoringChanges222233334444")
	require.True(t, ok)
	assert.Equal(t, Deny, s.Effect)
	assert.Equal(t, Values{
		"arn:aws:cloudwatch:us-east-1:222233334444:alarm:organization-trail-*",
		// Both forms of the log group's ARN (docs/aws-rules.md#log-group-arn-suffix).
		"arn:aws:logs:us-east-1:222233334444:log-group:cloudtrail/organization-trail",
		"arn:aws:logs:us-east-1:222233334444:log-group:cloudtrail/organization-trail:*",
		"arn:aws:sns:us-east-1:222233334444:organization-trail-alarms",
		"arn:aws:sns:us-east-1:222233334444:organization-trail-notifications",
	}, s.Resource)
	for _, a := range append(append(append(Values{}, GuardedAlarmActions...), GuardedLogGroupActions...), GuardedTopicActions...) {
		assert.Contains(t, s.Action, a)
	}
	assert.Equal(t, exempt, s.Condition)

	k, ok := doc.StatementBySid("DenyMonitoringKeyChanges222233334444")
	require.True(t, ok)
	assert.Equal(t, GuardedKeyActions, k.Action)
	assert.Equal(t, Values{"arn:aws:kms:us-east-1:222233334444:key/*"}, k.Resource)
	assert.Equal(t, exempt.Add("StringEquals", "aws:ResourceTag/"+GuardTagKey, "organization-trail"), k.Condition)
}

// Only what an account has is named: a watched account with topics alone
// gets no alarm, log group or key.
func TestMonitoringGuardrailPolicyNamesOnlyWhatExists(t *testing.T) {
	m := exampleMonitoringGuardrails()
	w := &m.Watched[0]
	w.AlarmPrefix, w.LogGroups, w.KeyTag = "", nil, ""
	doc, err := MonitoringGuardrailPolicy(m)
	require.NoError(t, err)
	require.Equal(t, []string{"DenyMonitoringChanges222233334444"}, doc.Sids())
	assert.Equal(t, GuardedTopicActions, doc.Statement[0].Action)
	assert.Len(t, doc.Statement[0].Resource, 2)
}

// Further accounts add statements of their own, in account order, each with
// its own exemption: the lead's log-archive entry (a replication alarm and
// topic) will be one.
func TestMonitoringGuardrailPolicyWatchesSeveralAccounts(t *testing.T) {
	m := exampleMonitoringGuardrails()
	m.Watched = append(m.Watched, WatchedAccount{
		Account: "111111111111", Region: "eu-west-1", AlarmPrefix: "x-", Topics: []string{"x-replication"},
		Exempt: []string{"arn:aws:iam::111111111111:role/Deployer"},
	})
	doc, err := MonitoringGuardrailPolicy(m)
	require.NoError(t, err)
	assert.Equal(t, []string{"DenyMonitoringChanges111111111111", "DenyMonitoringChanges222233334444", "DenyMonitoringKeyChanges222233334444"}, doc.Sids())
	assert.Equal(t, Conditions{}.Add("ArnNotLike", "aws:PrincipalArn", "arn:aws:iam::111111111111:role/Deployer"), doc.Statement[0].Condition)
}

func TestMonitoringGuardrailPolicyRefusesBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*MonitoringGuardrails)
		want string
	}{
		{"no account", func(m *MonitoringGuardrails) { m.Watched = nil }, "MonitoringGuardrails.Watched: must name at least one account"},
		{"bad partition", func(m *MonitoringGuardrails) { m.Partition = "aws-xx" }, "MonitoringGuardrails.Partition"},
		{"bad account", func(m *MonitoringGuardrails) { m.Watched[0].Account = "12345" }, "MonitoringGuardrails.Watched[0].Account"},
		{"repeated account", func(m *MonitoringGuardrails) { m.Watched = append(m.Watched, m.Watched[0]) }, "MonitoringGuardrails.Watched[1].Account: repeats MonitoringGuardrails.Watched[0]"},
		{"bad region", func(m *MonitoringGuardrails) { m.Watched[0].Region = "mars-1" }, "MonitoringGuardrails.Watched[0].Region"},
		{"wildcard in the alarm prefix", func(m *MonitoringGuardrails) { m.Watched[0].AlarmPrefix = "a*" }, "MonitoringGuardrails.Watched[0].AlarmPrefix: must not contain * or ?"},
		{"bad log group", func(m *MonitoringGuardrails) { m.Watched[0].LogGroups = []string{"a b"} }, "MonitoringGuardrails.Watched[0].LogGroups[0]"},
		{"bad topic", func(m *MonitoringGuardrails) { m.Watched[0].Topics = []string{"t.fifo"} }, "MonitoringGuardrails.Watched[0].Topics[0]"},
		{"nothing to protect", func(m *MonitoringGuardrails) {
			w := &m.Watched[0]
			w.AlarmPrefix, w.LogGroups, w.Topics, w.KeyTag = "", nil, nil, ""
		}, "MonitoringGuardrails.Watched[0]: protects nothing"},
		{"nobody exempt", func(m *MonitoringGuardrails) { m.Watched[0].Exempt = nil }, "MonitoringGuardrails.Watched[0].Exempt: must name at least one principal"},
		{"bad exempt principal", func(m *MonitoringGuardrails) { m.Watched[0].Exempt = []string{"*"} }, "MonitoringGuardrails.Watched[0].Exempt[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := exampleMonitoringGuardrails()
			m.Watched = append([]WatchedAccount(nil), m.Watched...)
			tc.edit(&m)
			_, err := MonitoringGuardrailPolicy(m)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// largestWatched is the largest delegated administrator's monitoring: the
// longest trail name (128) as the alarm prefix and key tag, the longest log
// group name (512), two topics of the longest name (256), its deploying
// role and n break-glass roles with the longest role names (64).
func largestWatched(n int) MonitoringGuardrails {
	role := func(acct, prefix string) string {
		return "arn:aws-us-gov:iam::" + acct + ":role/" + prefix + strings.Repeat("r", 64-len(prefix))
	}
	w := WatchedAccount{
		Account: "777788889999", Region: "us-gov-west-1",
		AlarmPrefix: strings.Repeat("t", 128) + "-",
		LogGroups:   []string{strings.Repeat("g", 512)},
		Topics:      []string{strings.Repeat("a", 256), strings.Repeat("n", 256)},
		KeyTag:      strings.Repeat("t", 128),
		Exempt:      []string{role("777788889999", "d")},
	}
	for i := 0; i < n; i++ {
		w.Exempt = append(w.Exempt, role("444455556666", fmt.Sprintf("g%d", i)))
	}
	return MonitoringGuardrails{Partition: "aws-us-gov", Watched: []WatchedAccount{w}}
}

// The largest monitoring of a delegated administrator fits with seven
// break-glass roles (3,448 bytes with none, 210 more per break-glass role at
// these lengths: 4,922 with seven), and a larger one is refused, not
// truncated. The first guardrail policy allows two at these lengths
// (TestGuardrailPolicySize), so it is the tighter of the two.
func TestMonitoringGuardrailPolicySize(t *testing.T) {
	s, err := MonitoringGuardrailPolicyJSON(largestWatched(7))
	require.NoError(t, err)
	assert.LessOrEqual(t, len(s), MaxSCPBytes)
	assert.NotContains(t, s, " ", "rendered without white space")
	assert.NotContains(t, s, "\n")

	_, err = MonitoringGuardrailPolicyJSON(largestWatched(8))
	var tooLarge *SCPTooLargeError
	require.True(t, errors.As(err, &tooLarge), "got %v", err)
	assert.Greater(t, tooLarge.Bytes, MaxSCPBytes)
}
