package config

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/alarms"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// TestDerivedNamesFitTheirLimits: the names and texts the stacks derive from
// the configuration's longest accepted values fit the limits of the APIs they
// land in, so the configuration needs no rule of its own for them
// (docs/config-checks.md, "Every field and its limits"). The construction
// mirrors constructs/alarms.go and constructs/policy/athena.go.
func TestDerivedNamesFitTheirLimits(t *testing.T) {
	trail := strings.Repeat("t", 128) // trail.name: at most 128
	require.NoError(t, rules.TrailName(trail))
	alias := "alias/" + strings.Repeat("a", 250)
	require.NoError(t, rules.KeyAlias(alias))
	bucket := func(c byte) string { return strings.Repeat(string(c), 63) }
	buckets := []string{bucket('a'), bucket('b'), bucket('c'), bucket('d')}

	all := alarms.CIS(nil)
	tampering, err := alarms.TamperingAlarms(alarms.Tampering{
		Partition: "aws-us-gov", TrailName: trail, TrailARN: "arn:aws-us-gov:cloudtrail:us-gov-west-1:111111111111:trail/" + trail,
		KeyAccount: "222222222222", KeyID: alarms.KeyIDPlaceholder, KeyRegions: []string{"us-gov-west-1", "us-gov-east-1"},
		KeyAlias: alias, Buckets: buckets,
		// replication.role_name: at most 64 (rules.RoleName).
		PipelineRoles: []string{"arn:aws-us-gov:iam::222222222222:role/" + strings.Repeat("r", 64), "arn:aws-us-gov:iam::111111111111:role/" + policy.CloudWatchLogsRoleNamePrefix + "*"},
	}, nil)
	require.NoError(t, err)
	all = append(all, tampering...)
	// The monitoring alarms and their deployer twins, with the longest log
	// group and topic names and a deploying role of the longest name.
	monitoring, err := alarms.MonitoringAlarms(alarms.Monitoring{
		Partition: "aws-us-gov", Account: "111111111111", Region: "us-gov-west-1", TrailName: trail,
		LogGroupName: strings.Repeat("g", 512), Topics: []string{strings.Repeat("a", 256), strings.Repeat("w", 256), strings.Repeat("n", 256)},
		KeyIDs: []string{alarms.MonitoringKeyIDPlaceholder, alarms.WatchdogKeyIDPlaceholder}, Deployer: "arn:aws-us-gov:iam::111111111111:role/" + strings.Repeat("r", 64),
	}, nil)
	require.NoError(t, err)
	require.Len(t, monitoring, 8)
	all = append(all, monitoring...)
	require.NotEmpty(t, all)
	// CloudWatch PutMetricAlarm: AlarmName, Namespace and MetricName 1 to
	// 255; AlarmDescription at most 1024 (the provider's validation; an
	// older API page said 255). PutMetricFilter: filterName 1 to 512.
	namespace := "CloudTrailMrk/" + trail
	assert.LessOrEqual(t, len(namespace), 255, "namespace")
	for _, a := range all {
		name := fmt.Sprintf("%s-%s", trail, a.Name)
		assert.LessOrEqual(t, len(name), 255, "alarm name %s", name)
		assert.LessOrEqual(t, len(a.Name), 255, "metric name")
		assert.LessOrEqual(t, len(name)+len(fmt.Sprintf("-%d", len(a.Patterns))), 512, "metric filter name")
		assert.LessOrEqual(t, len(a.Description), 1024, "alarm description of %s", a.Name)
	}
	// The heartbeat and the replication alarm: their names, and their
	// descriptions with the longest log group (512) and bucket names.
	for _, name := range []string{alarms.Heartbeat, alarms.ReplicationFailures} {
		assert.LessOrEqual(t, len(trail+"-"+name), 255, "alarm name %s", name)
	}
	assert.LessOrEqual(t, len(alarms.HeartbeatDescription(strings.Repeat("g", 512), 3540*24)), 1024, "heartbeat description")
	assert.LessOrEqual(t, len(alarms.ReplicationFailuresDescription(bucket('a'), bucket('b'), "recovery-copy")), 1024, "replication alarm description")
	// Default names derived from the trail name.
	assert.NoError(t, rules.LogGroupName(rules.DefaultLogGroupName(trail)))
	assert.NoError(t, rules.TopicName(rules.DefaultTopicName(trail)))
	assert.NoError(t, rules.TopicName(rules.DefaultAlarmTopicName(trail)))
	assert.NoError(t, rules.TopicName(rules.DefaultWatchdogTopicName(trail)))
	assert.NoError(t, rules.TopicName(rules.DefaultReplicationAlarmTopicName(trail)))
	// Athena CreateNamedQuery: Name 1 to 128, QueryString at most 262144.
	for _, q := range policy.NamedQueries(policy.NamedQueriesProps{
		Database: strings.Repeat("d", 255), Table: strings.Repeat("t", 255), TrailName: trail,
		KeyID: alarms.KeyIDPlaceholder, Buckets: buckets,
	}) {
		assert.LessOrEqual(t, len(q.Name), 128, q.Name)
		assert.LessOrEqual(t, len(q.SQL), 262144, q.Name)
		assert.LessOrEqual(t, len(q.Description), 1024, q.Name)
	}
}

// TestSelectorValuesStayWithinCloudTrailsLimit: trail.data_events.s3_buckets
// is capped at 249 (CloudTrail's 250 data resources of basic selectors,
// docs/aws-rules.md#basic-selector-limit); the trail uses advanced
// selectors, whose limit is 500 values (#selector-value-limit), which the
// cap keeps the selectors well within.
func TestSelectorValuesStayWithinCloudTrailsLimit(t *testing.T) {
	var named []string
	for i := 0; i < 249; i++ {
		named = append(named, fmt.Sprintf("data-bucket-%03d", i))
	}
	n := policy.CountSelectorValues(policy.DataEventSelection{
		Partition: "aws", LogBuckets: []string{"a-bucket", "b-bucket", "c-bucket", "d-bucket"},
		S3Read: true, S3Write: false, S3Buckets: named, Lambda: true,
	}.Selectors())
	assert.LessOrEqual(t, n, policy.MaxSelectorValues)
}
