package constructs

import (
	"testing"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
)

// treeGrants are the replication grants of allConstructs: a role name the
// test chose.
var treeGrants = policy.Replication{
	Partition: "aws", Account: "222222222222", RoleName: "audit-replication",
	SourceRegion: "us-east-1", SourceBucket: "trail-logs-test",
	DestinationRegion: "us-west-2", DestinationBucket: "trail-logs-recovery",
	TrailAccount: testTrail.Account,
}

// builtConstructs is every construct type of the package, built once in one
// stack by allConstructs.
type builtConstructs struct {
	key        *MultiRegionKey
	accessLogs *AccessLogBucket
	bucket     *TrailBucket
	recovery   *RecoveryBucket
	replicate  *Replication
	trail      *Trail
	athena     *AthenaQuery
}

// allConstructs builds, in f's stack, every construct of the package with
// every optional part that adds resources (replicas, access logs, the
// replication alarm, CloudWatch Logs with the alarms, notifications,
// Athena), under the ids Key, AccessLogs, Bucket, Recovery, Replication,
// Trail and Athena, each with naming. Every name is the test's own.
func allConstructs(t *testing.T, f *fixture, naming Naming) builtConstructs {
	t.Helper()
	keyPolicyIn := func(region string) policy.Document {
		doc, err := policy.KeyPolicy(policy.KeyPolicyProps{KeyAccount: "222222222222", Trail: testTrail, Replication: &treeGrants, Region: region})
		require.NoError(t, err)
		return doc
	}
	var c builtConstructs
	var err error
	c.key, err = NewMultiRegionKey(f.stack, "Key", MultiRegionKeyProps{
		PrimaryRegion: "us-east-1", Replicas: f.replicas("us-west-2", "eu-west-1"), Alias: "alias/audit-trail",
		Policy:          keyPolicyIn("us-east-1"),
		ReplicaPolicies: map[string]policy.Document{"us-west-2": keyPolicyIn("us-west-2"), "eu-west-1": keyPolicyIn("eu-west-1")},
		Naming:          naming,
	})
	require.NoError(t, err)
	c.accessLogs, err = NewAccessLogBucket(f.stack, "AccessLogs", AccessLogBucketProps{
		BucketName: "trail-logs-test-access", Partition: "aws", Account: "222222222222",
		SourceBuckets: []string{"trail-logs-test", "athena-results-test"}, Naming: naming,
	})
	require.NoError(t, err)
	c.bucket = f.bucket(t, c.key, func(p *TrailBucketProps) { p.AccessLogs, p.Naming = c.accessLogs, naming })
	c.recovery, err = NewRecoveryBucket(f.stack, "Recovery", RecoveryBucketProps{
		Source: c.bucket, BucketName: "trail-logs-recovery", Region: "us-west-2", Provider: f.providers["us-west-2"], Key: c.key,
		ReplicationRoleARN: treeGrants.RoleARN(), Naming: naming,
	})
	require.NoError(t, err)
	c.replicate, err = NewReplication(f.stack, "Replication", ReplicationProps{
		Source: c.bucket, Destination: c.recovery, Key: c.key, Grants: treeGrants,
		Alarms: &ReplicationAlarmsProps{}, Naming: naming,
	})
	require.NoError(t, err)
	c.trail, err = NewTrail(f.stack, "Trail", TrailProps{
		Bucket: c.bucket, Key: c.key,
		CloudWatchLogs: &CloudWatchLogsProps{Alarms: &AlarmsProps{}}, Notifications: &NotificationProps{},
		LogBuckets: c.recovery.LogBuckets(), ReplicationRoleARN: c.recovery.ReplicationRoleARN(),
		Naming: naming,
	})
	require.NoError(t, err)
	athena := athenaProps(c.bucket, c.key)
	athena.AccessLogs, athena.Naming = c.accessLogs, naming
	c.athena, err = NewAthenaQuery(f.stack, "Athena", athena)
	require.NoError(t, err)
	return c
}

// TestConstructsAreConstructs: each construct is itself the construct that
// holds its resources. The stack finds it by its id and returns the Go value
// (not a proxy of another construct); its resources are its children, at
// paths under its own; and it can be the scope of what a caller adds.
func TestConstructsAreConstructs(t *testing.T) {
	f := newFixture(t)
	c := allConstructs(t, f, Naming{})
	cases := []struct {
		id        string
		construct constructs.Construct
		// children are some of its resources' ids.
		children []string
	}{
		{"Key", c.key, []string{"PrimaryKey", "PrimaryAlias", "ReplicaUsWest2", "ReplicaAliasUsWest2", "ReplicaEuWest1", "ReplicaAliasEuWest1"}},
		{"AccessLogs", c.accessLogs, []string{"Bucket", "Versioning", "Policy", "Encryption", "Lifecycle"}},
		{"Bucket", c.bucket, []string{"Bucket", "Versioning", "Policy", "Encryption", "ObjectLock", "AccessLogging"}},
		{"Recovery", c.recovery, []string{"Bucket", "Versioning", "Policy", "Encryption", "ObjectLock"}},
		{"Replication", c.replicate, []string{"Role", "RolePolicy", "Configuration", "AlarmKey", "AlarmTopic", "FailureAlarm"}},
		{"Trail", c.trail, []string{"Trail", "MonitoringKey", "LogGroup", "CloudWatchLogsRole", "Topic", "AlarmTopic", "WatchdogKey", "WatchdogTopic", "AlarmHeartbeat"}},
		{"Athena", c.athena, []string{"ResultsKey", "ResultsBucket", "Database", "Table", "Workgroup", "QueryRole"}},
	}
	for _, tc := range cases {
		t.Run(tc.id, func(t *testing.T) {
			found := f.stack.Node().FindChild(jsii.String(tc.id))
			assert.Same(t, tc.construct, found, "the stack's child %q is the Go value the constructor returned", tc.id)
			node := tc.construct.Node()
			assert.Equal(t, "test/"+tc.id, *node.Path())
			assert.Same(t, f.stack, cdktf.TerraformStack_Of(tc.construct))
			var ids []string
			for _, child := range *node.Children() {
				ids = append(ids, *child.Node().Id())
			}
			assert.Subset(t, ids, tc.children)
			first := node.FindChild(jsii.String(tc.children[0]))
			assert.Equal(t, "test/"+tc.id+"/"+tc.children[0], *first.Node().Path())
			assert.Same(t, tc.construct, first.Node().Scope(), "a resource's scope is the construct")
		})
	}

	// The type assertion a caller writes on what the stack finds.
	key, ok := f.stack.Node().FindChild(jsii.String("Key")).(*MultiRegionKey)
	require.True(t, ok)
	assert.Equal(t, "alias/audit-trail", key.Alias())

	// A construct is a scope for the caller's own additions.
	cdktf.NewTerraformOutput(c.key, jsii.String("PrimaryArn"), &cdktf.TerraformOutputConfig{Value: c.key.PrimaryKeyArn()})
	assert.Equal(t, "test/Key/PrimaryArn", *c.key.Node().FindChild(jsii.String("PrimaryArn")).Node().Path())
}
