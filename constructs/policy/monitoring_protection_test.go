package policy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMonitoringResourceDenies(t *testing.T) {
	deployer := "arn:aws:iam::111111111111:role/Deployer"
	p := &Protection{Deployer: deployer, BreakGlass: []string{"arn:aws:iam::111111111111:role/BreakGlass"}}

	for name, doc := range map[string]Document{
		"notification topic": ProtectedTopicPolicyIn(testTrail, "", "org-trail-notifications", p),
		"alarm topic":        ProtectedAlarmTopicPolicy(testTrail, "org-trail-alarms", p),
	} {
		s := statement(t, doc, SidDenyTopicChanges)
		assert.Equal(t, Deny, s.Effect, name)
		assert.Equal(t, TopicChangeActions, s.Action, name)
		require.Len(t, s.Resource, 1, name)
		assert.Equal(t, "arn:aws:sns:eu-west-1:111111111111:"+map[string]string{"notification topic": "org-trail-notifications", "alarm topic": "org-trail-alarms"}[name], s.Resource[0], name)
		assert.Equal(t, Values{"arn:aws:iam::111111111111:role/BreakGlass", deployer}, s.Condition["ArnNotEquals"]["aws:PrincipalArn"], name)
	}

	key, err := MonitoringKeyPolicy(MonitoringKeyPolicyProps{Trail: testTrail, LogGroupName: "g", Alarms: true, Protection: p})
	require.NoError(t, err)
	s := statement(t, key, SidDenyKeyDestruction)
	assert.Equal(t, KeyDestructionActions, s.Action)
	assert.Equal(t, Values{"arn:aws:iam::111111111111:role/BreakGlass", deployer}, s.Condition["ArnNotEquals"]["aws:PrincipalArn"])

	// The watchdog key: the alarm key's policy (root and this account's
	// alarms) with the same deny as the monitoring key.
	watchdog := ProtectedAlarmKeyPolicy(testTrail, p)
	assert.Equal(t, AlarmKeyPolicyID, watchdog.ID)
	statement(t, watchdog, SidKeyRootAdministration)
	statement(t, watchdog, SidAlarmsUseKey)
	assert.Equal(t, s, statement(t, watchdog, SidDenyKeyDestruction))
	assert.Len(t, watchdog.Statement, 3)

	// Without a deploying role nothing is denied: the principal that
	// deploys cannot be named, and a deny it is not exempt from would stop
	// Terraform managing the topic and key.
	for _, none := range []*Protection{nil, {BreakGlass: p.BreakGlass}} {
		_, ok := ProtectedAlarmTopicPolicy(testTrail, "org-trail-alarms", none).StatementBySid(SidDenyTopicChanges)
		assert.False(t, ok)
		_, ok = ProtectedTopicPolicyIn(testTrail, "", "n", none).StatementBySid(SidDenyTopicChanges)
		assert.False(t, ok)
		key, err := MonitoringKeyPolicy(MonitoringKeyPolicyProps{Trail: testTrail, LogGroupName: "g", Protection: none})
		require.NoError(t, err)
		_, ok = key.StatementBySid(SidDenyKeyDestruction)
		assert.False(t, ok)
		assert.Equal(t, AlarmKeyPolicy(testTrail), ProtectedAlarmKeyPolicy(testTrail, none))
	}
}

func TestMonitoringGuardrailsDenyAccountPolicies(t *testing.T) {
	m := MonitoringGuardrails{Partition: "aws", Watched: []WatchedAccount{{
		Account: "222233334444", Region: "us-east-1", LogGroups: []string{"cloudtrail/t"}, AccountPolicies: true,
		Exempt: []string{"arn:aws:iam::222233334444:role/Deployer"},
	}}}
	doc, err := MonitoringGuardrailPolicy(m)
	require.NoError(t, err)
	s := statement(t, doc, SidGuardAccountPoliciesPrefix+"222233334444")
	assert.Equal(t, Values{"logs:PutAccountPolicy"}, s.Action)
	assert.Equal(t, Values{"*"}, s.Resource)
	assert.Equal(t, Values{"222233334444"}, s.Condition["StringEquals"]["aws:PrincipalAccount"], "only that account's principals")
	assert.Equal(t, Values{"arn:aws:iam::222233334444:role/Deployer"}, s.Condition["ArnNotLike"]["aws:PrincipalArn"])
	m.Watched[0].AccountPolicies = false
	doc, err = MonitoringGuardrailPolicy(m)
	require.NoError(t, err)
	_, ok := doc.StatementBySid(SidGuardAccountPoliciesPrefix + "222233334444")
	assert.False(t, ok)
}
