package stacks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/config"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/alarms"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
	st "github.com/cloudtrail-mrk/cloudtrail-mrk/internal/proof/synthtest"
)

// TestMain starts the jsii runtime on the fast path when it is primed.
func TestMain(m *testing.M) { st.Main(m) }

// synthApp builds the stacks for cfg in a fresh app, synthesizes them into a
// temporary directory (cross-stack references only resolve in a full app
// synth) and returns each stack's document by name.
func synthApp(t *testing.T, cfg *config.Config) (*Stacks, map[string]st.Doc) {
	t.Helper()
	out := t.TempDir()
	app := cdktf.NewApp(&cdktf.AppConfig{Outdir: jsii.String(out)})
	s, err := Build(app, cfg)
	require.NoError(t, err)
	app.Synth()
	docs := map[string]st.Doc{}
	for _, name := range s.Names() {
		data, err := os.ReadFile(filepath.Join(out, "stacks", name, "cdk.tf.json"))
		require.NoError(t, err)
		docs[name] = st.Parse(t, string(data))
	}
	return s, docs
}

func load(t *testing.T, path string) *config.Config {
	t.Helper()
	c, err := config.Load(path)
	require.NoError(t, err)
	return c
}

func sourceArns(t *testing.T, docs ...policy.Document) []string {
	t.Helper()
	var out []string
	for _, d := range docs {
		for _, s := range d.Statement {
			out = append(out, s.Condition["StringEquals"]["aws:SourceArn"]...)
		}
	}
	return out
}

func TestSingleAccountIsOneStack(t *testing.T) {
	s, docs := synthApp(t, config.Default())
	require.Equal(t, []string{CombinedStackName}, s.Names())
	doc := docs[CombinedStackName]

	providers := doc.Providers()
	require.Len(t, providers, 2)
	assert.Equal(t, map[string]any{"region": "us-east-1", "allowed_account_ids": []any{"111122223333"}}, providers[0])
	assert.Equal(t, map[string]any{"alias": "us-west-2", "region": "us-west-2", "allowed_account_ids": []any{"111122223333"}}, providers[1])

	want := map[string]int{
		// The multi-region key, the monitoring key and the watchdog key
		// (the watchdog topic's, which has no alias).
		"aws_kms_key": 3, "aws_kms_replica_key": 1, "aws_kms_alias": 2,
		// The trail bucket and its access-log bucket.
		"aws_s3_bucket": 2, "aws_s3_bucket_versioning": 2, "aws_s3_bucket_server_side_encryption_configuration": 2,
		"aws_s3_bucket_public_access_block": 2, "aws_s3_bucket_ownership_controls": 2, "aws_s3_bucket_policy": 2,
		"aws_s3_bucket_lifecycle_configuration": 1, "aws_s3_bucket_logging": 1,
		"aws_s3_bucket_object_lock_configuration": 1, "aws_cloudtrail": 1,
		// CloudWatch Logs delivery, on by default.
		"aws_cloudwatch_log_group": 1, "aws_iam_role": 1, "aws_iam_role_policy": 1,
		// Alarms on the log group, on by default with it: 15 CIS controls, 5
		// tampering and 4 monitoring alarms (no role_arn: no deployer twins;
		// the monitoring alarms' patterns are split by the fields their
		// events carry: 3+4+3+1 filters) and the heartbeat (which needs no
		// metric filter), their encrypted topic and its policy, and the
		// watchdog topic with its policy (its own key, counted above).
		"aws_cloudwatch_metric_alarm": 25, "aws_cloudwatch_log_metric_filter": 31,
		"aws_sns_topic": 2, "aws_sns_topic_policy": 2,
	}
	for typ, n := range want {
		assert.Equal(t, n, doc.Count(typ), typ)
	}
	assert.Len(t, doc.ResourceTypes(), len(want), "no resource types beyond those counted: %v", doc.ResourceTypes())

	_, trail := doc.Only(t, "aws_cloudtrail")
	assert.Equal(t, false, trail["is_organization_trail"], "the default is an account trail")
	var trailPolicy string
	for name, p := range doc.Resources("aws_s3_bucket_policy") {
		if _, ok := st.Policy(t, p).StatementBySid(policy.SidBucketWrite); ok {
			trailPolicy = name
		}
	}
	assert.Contains(t, trail["depends_on"], "aws_s3_bucket_policy."+trailPolicy)

	backend := st.Object(st.Object(doc, "terraform"), "backend")
	assert.Equal(t, map[string]any{"local": map[string]any{"path": "../../../terraform.cloudtrail-mrk.tfstate"}}, backend)
}

func TestOrganizationStacks(t *testing.T) {
	cfg := load(t, "../examples/organization.yaml")
	s, docs := synthApp(t, cfg)
	// The bootstrap stacks come first: they create the roles the others assume.
	require.Equal(t, []string{"bootstrap-log-archive", "bootstrap-management", LogArchiveStackName, ManagementStackName}, s.Names())
	archive, mgmt := docs[LogArchiveStackName], docs[ManagementStackName]

	// Log archive: key, two replicas on the right aliased providers, bucket; no trail.
	assert.Equal(t, 0, archive.Count("aws_cloudtrail"))
	assert.Equal(t, 0, archive.Count("aws_cloudwatch_log_group"), "monitoring lives with the trail")
	primaryName, primary := archive.OnlyWhere(t, "aws_kms_key", "multi_region", true)
	replicaProviders := map[string]bool{}
	for _, r := range archive.Resources("aws_kms_replica_key") {
		replicaProviders[r["provider"].(string)] = true
		assert.Equal(t, st.Ref("aws_kms_key", primaryName, "arn"), r["primary_key_arn"])
		// Every copy carries the same trail, administrator, reader and
		// deploying-role statements; only the replication grants, the
		// readers' and verifiers' grants through S3 for a bucket in the
		// copy's region, and the primary's ReplicateKey grant differ, by
		// region.
		assert.Equal(t, withoutReplication(st.Policy(t, primary)), withoutReplication(st.Policy(t, r)))
	}
	assert.Equal(t, map[string]bool{"aws.us-west-2": true, "aws.eu-west-1": true}, replicaProviders)
	aliases := map[string]bool{}
	wantTags := []any{map[string]any{"tags": map[string]any{"owner": "security-engineering", "purpose": "organization-audit-trail"}}}
	assert.Equal(t, wantTags, mgmt.Providers()[0]["default_tags"])
	for _, p := range archive.Providers() {
		assert.Equal(t, wantTags, p["default_tags"], "every provider tags what it creates")
		assert.Equal(t, []any{"444455556666"}, p["allowed_account_ids"], "log-archive providers are pinned to the log-archive account")
		assert.Equal(t, []any{map[string]any{"role_arn": "arn:aws:iam::444455556666:role/CloudTrailLogArchiveDeployer", "session_name": "cloudtrail-mrk"}}, p["assume_role"])
		alias, _ := p["alias"].(string)
		aliases[alias] = true
	}
	assert.Equal(t, map[string]bool{"": true, "us-west-2": true, "eu-west-1": true}, aliases)

	// Management: the trail and its monitoring, pinned to the management account.
	assert.Equal(t, []string{"aws_cloudtrail", "aws_cloudwatch_log_group", "aws_cloudwatch_log_metric_filter", "aws_cloudwatch_metric_alarm", "aws_kms_key", "aws_sns_topic", "aws_sns_topic_policy", "aws_sns_topic_subscription"}, mgmt.ResourceTypes(), "the delivery role and the SCPs are the bootstraps'")
	require.Len(t, mgmt.Providers(), 1)
	assert.Equal(t, []any{"111122223333"}, mgmt.Providers()[0]["allowed_account_ids"])
	assert.Equal(t, "us-east-1", mgmt.Providers()[0]["region"])
	_, trail := mgmt.Only(t, "aws_cloudtrail")
	for _, flag := range []string{"is_organization_trail", "is_multi_region_trail", "include_global_service_events", "enable_log_file_validation"} {
		assert.Equal(t, true, trail[flag], flag)
	}
	assert.Equal(t, "org", trail["s3_key_prefix"])
	assert.Equal(t, cfg.Bucket.Name, trail["s3_bucket_name"])
	assert.Len(t, trail["insight_selector"], 2)
	assert.Len(t, trail["advanced_event_selector"], 3, "management events, the log buckets' data events and S3 data events")
	assert.Equal(t, []any{
		"arn:aws:s3:::" + cfg.Bucket.Name + "/", "arn:aws:s3:::" + cfg.Bucket.AccessLogs.BucketName + "/",
		"arn:aws:s3:::" + cfg.Replication.BucketName + "/", "arn:aws:s3:::" + cfg.Replication.AccessLogBucketName + "/",
	}, trail["advanced_event_selector"].([]any)[1].(map[string]any)["field_selector"].([]any)[2].(map[string]any)["starts_with"],
		"the log buckets of both stacks, composed from their configured names")
	assert.NotEmpty(t, trail["cloud_watch_logs_group_arn"])
	topicName := topicNamed(t, mgmt, cfg.Trail.Notifications.TopicName)
	assert.Equal(t, st.Ref("aws_sns_topic", topicName, "name"), trail["sns_topic_name"],
		"the topic's name, not its ARN (hashicorp/terraform-provider-aws#41262)")
	assert.NotContains(t, trail, "lifecycle", "named by name: nothing to ignore")

	// The key ARN crosses stacks as an output and a remote state lookup.
	outputs := st.Object(archive, "output")
	require.Len(t, outputs, 1)
	for name, o := range outputs {
		assert.Equal(t, st.Ref("aws_kms_key", primaryName, "arn"), o.(map[string]any)["value"])
		assert.Equal(t, "${data.terraform_remote_state.cross-stack-reference-input-log-archive.outputs."+name+"}", trail["kms_key_id"])
	}
	remote := st.Object(st.Object(st.Object(mgmt, "data"), "terraform_remote_state"), "cross-stack-reference-input-log-archive")
	require.NotNil(t, remote)
	assert.Equal(t, "s3", remote["backend"])
	assert.Equal(t, "cloudtrail-mrk/log-archive.tfstate", st.Object(remote, "config")["key"])

	// One trail ARN, with the configured home region, in every policy.
	var bucketPolicy map[string]any
	for _, p := range archive.Resources("aws_s3_bucket_policy") {
		if _, ok := st.Policy(t, p).StatementBySid(policy.SidBucketWrite); ok {
			bucketPolicy = p
		}
	}
	require.NotNil(t, bucketPolicy)
	arns := sourceArns(t, st.Policy(t, primary), st.Policy(t, bucketPolicy))
	require.Len(t, arns, 6)
	for _, a := range arns {
		assert.Equal(t, "arn:aws:cloudtrail:us-east-1:111122223333:trail/organization-trail", a)
	}
	org, ok := st.Policy(t, bucketPolicy).StatementBySid(policy.SidBucketOrganizationWrite)
	require.True(t, ok)
	assert.Equal(t, policy.Values{"arn:aws:s3:::example-org-cloudtrail-444455556666/org/AWSLogs/o-exampleorg1/*"}, org.Resource)

	// Each stack keeps its own state object, locked (the bootstrap stacks
	// keep local state: bootstrap_test.go).
	for name, doc := range docs {
		if strings.HasPrefix(name, BootstrapStackPrefix) {
			continue
		}
		s3 := st.Object(st.Object(st.Object(doc, "terraform"), "backend"), "s3")
		assert.Equal(t, "cloudtrail-mrk/"+name+".tfstate", s3["key"])
		assert.Equal(t, true, s3["use_lockfile"], "the example locks with an S3 lock file")
		assert.NotContains(t, s3, "dynamodb_table", "DynamoDB locking is deprecated since Terraform 1.11")
		assert.Equal(t, true, s3["encrypt"])
		// A range that provider 5.100.0 (the machine's mirror) satisfies.
		aws := st.Object(st.Object(st.Object(doc, "terraform"), "required_providers"), "aws")
		assert.Equal(t, ">= 5.85.0, < 6.0.0", aws["version"], "stack %s", name)
		assert.NotContains(t, st.Object(doc, "terraform"), "required_version", "cdktf's HCL rendering breaks on it")
	}
}

func TestDynamoDBLockingStaysAvailable(t *testing.T) {
	cfg := config.Default()
	off := false
	cfg.Backend.S3 = &config.S3Backend{Bucket: "state-bucket-1", Region: "eu-west-1", KeyPrefix: "audit", DynamoDBTable: "terraform-locks", UseLockfile: &off}
	_, docs := synthApp(t, cfg)
	s3 := st.Object(st.Object(st.Object(docs[CombinedStackName], "terraform"), "backend"), "s3")
	assert.Equal(t, "terraform-locks", s3["dynamodb_table"])
	assert.NotContains(t, s3, "use_lockfile")
}

func TestManagementStackDependsOnLogArchive(t *testing.T) {
	cfg := load(t, "../examples/organization.yaml")
	out := t.TempDir()
	app := cdktf.NewApp(&cdktf.AppConfig{Outdir: jsii.String(out)})
	_, err := Build(app, cfg)
	require.NoError(t, err)
	app.Synth()
	manifest, err := os.ReadFile(filepath.Join(out, "manifest.json"))
	require.NoError(t, err)
	m := st.Parse(t, string(manifest))
	mgmt := st.Object(st.Object(m, "stacks"), ManagementStackName)
	assert.Equal(t, []any{LogArchiveStackName}, mgmt["dependencies"], "cdktn deploy must create the log archive first")
	archive := st.Object(st.Object(m, "stacks"), LogArchiveStackName)
	assert.Equal(t, []any{}, archive["dependencies"])
}

func TestUseLockfileAndAllowDestroy(t *testing.T) {
	cfg := config.Default()
	cfg.AllowDestroy = true
	// use_lockfile left unset: on by default.
	cfg.Backend.S3 = &config.S3Backend{Bucket: "state-bucket-1", Region: "eu-west-1", KeyPrefix: "audit"}
	_, docs := synthApp(t, cfg)
	doc := docs[CombinedStackName]
	s3 := st.Object(st.Object(st.Object(doc, "terraform"), "backend"), "s3")
	assert.Equal(t, true, s3["use_lockfile"])
	assert.Equal(t, "audit/cloudtrail-mrk.tfstate", s3["key"])
	assert.NotContains(t, s3, "dynamodb_table")
	for _, typ := range []string{"aws_kms_key", "aws_kms_replica_key", "aws_s3_bucket"} { // both buckets
		require.NotZero(t, doc.Count(typ), "the configuration makes %s", typ)
		for name, r := range doc.Resources(typ) {
			assert.NotContains(t, r, "lifecycle", "%s.%s keeps prevent_destroy although allow_destroy is set", typ, name)
		}
	}
	require.Equal(t, 2, doc.Count("aws_s3_bucket"), "the trail bucket and its access-log bucket")
	for _, bucket := range doc.Resources("aws_s3_bucket") {
		assert.Equal(t, false, bucket["force_destroy"])
	}
}

func TestAccessLogsOff(t *testing.T) {
	cfg := config.Default()
	cfg.Bucket.AccessLogs.Enabled = false
	_, docs := synthApp(t, cfg)
	doc := docs[CombinedStackName]
	assert.Equal(t, 1, doc.Count("aws_s3_bucket"))
	assert.Equal(t, 0, doc.Count("aws_s3_bucket_logging"))
}

func TestBuildRejectsInvalidConfig(t *testing.T) {
	cfg := config.Default()
	cfg.Key.ReplicaRegions = []string{"us-east-1"}
	cfg.Bucket.Name = "Not_A_Bucket"
	app := cdktf.NewApp(&cdktf.AppConfig{Outdir: jsii.String(t.TempDir())})
	s, err := Build(app, cfg)
	assert.Nil(t, s)
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "key.replica_regions[0]") && strings.Contains(err.Error(), "bucket.name"), err.Error())
	var violations rules.Errors
	assert.ErrorAs(t, err, &violations, "the caller gets every violation as a value")
	assert.Empty(t, *app.Node().Children(), "no stack was added")
}

func TestMonitoringSwitches(t *testing.T) {
	_, docs := synthApp(t, config.Default())
	on := docs[CombinedStackName]
	_, trail := on.Only(t, "aws_cloudtrail")
	assert.Equal(t, 1, on.Count("aws_cloudwatch_log_group"), "CloudWatch Logs is on by default")
	assert.NotContains(t, trail, "sns_topic_name", "notifications are off by default")
	assert.Equal(t, 2, on.Count("aws_sns_topic"), "the alarm topic and the watchdog topic only")
	assert.NotContains(t, trail, "insight_selector", "Insights are off by default")
	assert.Len(t, trail["advanced_event_selector"], 3, "S3 data events are on by default")

	cfg := config.Default()
	cfg.Trail.CloudWatchLogs.Enabled = false
	cfg.Trail.DataEvents = config.DataEvents{}
	cfg.Trail.Notifications = config.Notifications{Enabled: true, TopicName: "audit-notes"}
	_, docs = synthApp(t, cfg)
	off := docs[CombinedStackName]
	_, trail = off.Only(t, "aws_cloudtrail")
	for _, typ := range []string{"aws_cloudwatch_log_group", "aws_iam_role", "aws_iam_role_policy"} {
		assert.Equal(t, 0, off.Count(typ), typ)
	}
	assert.NotContains(t, trail, "cloud_watch_logs_group_arn")
	assert.Len(t, trail["advanced_event_selector"], 2, "management events and the log buckets' events, whatever data_events says")
	_, topic := off.Only(t, "aws_sns_topic")
	assert.Equal(t, "audit-notes", topic["name"], "no alarm topic without CloudWatch Logs")
	assert.Equal(t, 0, off.Count("aws_cloudwatch_metric_alarm"))
	assert.Equal(t, 2, off.Count("aws_kms_key"), "the monitoring key stays for the topic")

	cfg.Trail.Notifications.Enabled = false
	_, docs = synthApp(t, cfg)
	assert.Equal(t, 1, docs[CombinedStackName].Count("aws_kms_key"), "no monitoring key when nothing needs it")
}

func TestOrganizationRecoveryCopy(t *testing.T) {
	cfg := load(t, "../examples/organization.yaml")
	s, docs := synthApp(t, cfg)
	require.NotNil(t, s.LogArchive.Recovery)
	archive := docs[LogArchiveStackName]

	byName := map[string]string{}
	for n, b := range archive.Resources("aws_s3_bucket") {
		byName[b["bucket"].(string)] = n
	}
	for _, want := range []string{"example-org-cloudtrail-444455556666", "example-org-cloudtrail-444455556666-access-logs",
		"example-org-cloudtrail-444455556666-usw2", "example-org-cloudtrail-444455556666-usw2-access-logs"} {
		assert.Contains(t, byName, want)
	}
	recovery := archive.Resources("aws_s3_bucket")[byName["example-org-cloudtrail-444455556666-usw2"]]
	assert.Equal(t, "aws.us-west-2", recovery["provider"])
	assert.Equal(t, true, recovery["object_lock_enabled"])
	recoveryLogs := archive.Resources("aws_s3_bucket")[byName["example-org-cloudtrail-444455556666-usw2-access-logs"]]
	assert.Equal(t, "aws.us-west-2", recoveryLogs["provider"], "access logs stay in the recovery region")

	replicaUsw2, _ := archive.OnlyWhere(t, "aws_kms_replica_key", "provider", "aws.us-west-2")
	for _, r := range archive.Resources("aws_kms_replica_key") {
		if r["provider"] == "aws.us-west-2" {
			p := st.Policy(t, r)
			enc, ok := p.StatementBySid(policy.SidReplicationEncryptReplica)
			require.True(t, ok, "the replica key's own policy allows the replication role")
			assert.Equal(t, policy.AWSPrincipals("arn:aws:iam::444455556666:role/cloudtrail-mrk-replication"), enc.Principal)
			_, ok = p.StatementBySid(policy.SidLogReadersDecrypt)
			assert.True(t, ok, "and the configured readers")
			// S3 Bucket Keys and replication: Decrypt on the destination key.
			verify, ok := p.StatementBySid(policy.SidReplicationVerifyReplica)
			require.True(t, ok, "the replication role may verify the recovery bucket's Bucket Key")
			assert.Equal(t, policy.Values{"kms:Decrypt"}, verify.Action)
			_, ok = p.StatementBySid(policy.SidLogReadersDecryptRecovery)
			assert.True(t, ok, "readers may decrypt the recovery copies")
			for _, sid := range []string{policy.SidReplicationDecryptSource, policy.SidReplicationDecryptSourceTrailContext} {
				_, ok = p.StatementBySid(sid)
				assert.False(t, ok, "the recovery copy's key does not decrypt the source (%s)", sid)
			}
		} else {
			for _, sid := range []string{policy.SidReplicationDecryptSource, policy.SidReplicationDecryptSourceTrailContext, policy.SidReplicationEncryptReplica, policy.SidReplicationVerifyReplica, policy.SidLogReadersDecryptRecovery} {
				_, ok := st.Policy(t, r).StatementBySid(sid)
				assert.False(t, ok, "the copy in %s carries no %s", r["provider"], sid)
			}
		}
	}
	_, primaryKey := archive.OnlyWhere(t, "aws_kms_key", "multi_region", true)
	pp := st.Policy(t, primaryKey)
	for _, sid := range []string{policy.SidReplicationDecryptSource, policy.SidReplicationDecryptSourceTrailContext} {
		_, ok := pp.StatementBySid(sid)
		assert.True(t, ok, "the source copy lets the role decrypt source objects (%s), with S3's or CloudTrail's encryption context", sid)
	}
	for _, sid := range []string{policy.SidReplicationEncryptReplica, policy.SidReplicationVerifyReplica, policy.SidLogReadersDecryptRecovery} {
		_, ok := pp.StatementBySid(sid)
		assert.False(t, ok, "the source copy carries no %s: the role cannot encrypt with it", sid)
	}
	_, cfgRes := archive.Only(t, "aws_s3_bucket_replication_configuration")
	rule := cfgRes["rule"].([]any)[0].(map[string]any)
	dest := st.Object(rule, "destination")
	assert.Equal(t, st.Ref("aws_s3_bucket", byName["example-org-cloudtrail-444455556666-usw2"], "arn"), dest["bucket"])
	assert.Equal(t, st.Ref("aws_kms_replica_key", replicaUsw2, "arn"), st.Object(dest, "encryption_configuration")["replica_kms_key_id"],
		"replicas are encrypted with the key's replica in the destination region")
	assert.Equal(t, st.Ref("aws_s3_bucket", byName["example-org-cloudtrail-444455556666"], "id"), cfgRes["bucket"])
	// docs/aws-rules.md#replication-metrics: failures are visible only with
	// the rule's replication metrics on.
	assert.Equal(t, map[string]any{"status": "Enabled"}, dest["metrics"])
	assert.NotContains(t, dest, "replication_time", "no Replication Time Control")

	// The alarm on the rule's failed operations, in the log-archive account
	// and the home region, where S3 publishes OperationsFailedReplication,
	// with the real buckets and rule id; its topic is encrypted with a key of
	// its own, which carries the guardrails' tag.
	_, alarm := archive.Only(t, "aws_cloudwatch_metric_alarm")
	assert.Equal(t, "organization-trail-replication-failures", alarm["alarm_name"])
	assert.Equal(t, "AWS/S3", alarm["namespace"])
	assert.Equal(t, "OperationsFailedReplication", alarm["metric_name"])
	assert.Equal(t, map[string]any{"SourceBucket": "example-org-cloudtrail-444455556666", "DestinationBucket": "example-org-cloudtrail-444455556666-usw2", "RuleId": rule["id"]}, alarm["dimensions"])
	assert.Equal(t, "recovery-copy", rule["id"])
	assert.Equal(t, "Sum", alarm["statistic"])
	assert.Equal(t, "GreaterThanOrEqualToThreshold", alarm["comparison_operator"])
	assert.Equal(t, 1.0, alarm["threshold"])
	assert.Equal(t, "notBreaching", alarm["treat_missing_data"], "no data: no replication, so no failure")
	assert.NotContains(t, alarm, "provider", "the home region's provider")
	topic, topicBody := archive.OnlyWhere(t, "aws_sns_topic", "name", "organization-trail-replication-alarms")
	assert.Equal(t, []any{st.Ref("aws_sns_topic", topic, "arn")}, alarm["alarm_actions"])
	alarmKey, key := archive.OnlyWhere(t, "aws_kms_key", "description", "CloudTrail organization-trail: replication alarm topic (cloudtrail-mrk)")
	assert.Equal(t, st.Ref("aws_kms_key", alarmKey, "arn"), topicBody["kms_master_key_id"], "encrypted with the new key, not aws/sns")
	assert.Equal(t, map[string]any{policy.GuardTagKey: "organization-trail"}, key["tags"], "the guardrails' key statement covers it")
	_, sub := archive.Only(t, "aws_sns_topic_subscription")
	assert.Equal(t, st.Ref("aws_sns_topic", topic, "arn"), sub["topic_arn"])

	// The recovery bucket is encrypted with the same replica, and its lock matches the trail bucket's.
	rid := st.Ref("aws_s3_bucket", byName["example-org-cloudtrail-444455556666-usw2"], "id")
	_, sse := archive.OnlyWhere(t, "aws_s3_bucket_server_side_encryption_configuration", "bucket", rid)
	sseRule := sse["rule"].([]any)[0].(map[string]any)
	assert.Equal(t, st.Ref("aws_kms_replica_key", replicaUsw2, "arn"), st.Object(sseRule, "apply_server_side_encryption_by_default")["kms_master_key_id"])
	for _, lock := range archive.Resources("aws_s3_bucket_object_lock_configuration") {
		assert.Equal(t, map[string]any{"default_retention": map[string]any{"mode": "GOVERNANCE", "days": 400.0}}, lock["rule"])
	}
	assert.Equal(t, 2, archive.Count("aws_s3_bucket_object_lock_configuration"))
	assert.Equal(t, 0, docs[ManagementStackName].Count("aws_s3_bucket_replication_configuration"))
}

// withoutReplication drops the statements that depend on the copy's region.
func withoutReplication(d policy.Document) policy.Document {
	out := d
	out.Statement = nil
	for _, s := range d.Statement {
		switch s.Sid {
		case policy.SidReplicationDecryptSource, policy.SidReplicationDecryptSourceTrailContext, policy.SidReplicationEncryptReplica, policy.SidReplicationVerifyReplica,
			policy.SidLogReadersDecryptRecovery, policy.SidLogReadersDecryptTrailBucket,
			// The verifiers decrypt through S3 on the copy of each bucket's
			// region only.
			policy.SidVerifiersDecryptTrailBucket, policy.SidVerifiersDecryptTrailBucketTrailContext, policy.SidVerifiersDecryptRecovery,
			// Only the primary lets the deploying role replicate the key.
			policy.SidDeployerReplicatesKey:
			continue
		}
		out.Statement = append(out.Statement, s)
	}
	return out
}

// topicNamed returns the logical name of the SNS topic called name.
func topicNamed(t *testing.T, d st.Doc, name string) string {
	t.Helper()
	for n, body := range d.Resources("aws_sns_topic") {
		if body["name"] == name {
			return n
		}
	}
	require.Failf(t, "no topic", "no aws_sns_topic named %s", name)
	return ""
}

// TestAlarms: the alarms are on by default with CloudWatch Logs, one per
// CIS control, tampering and monitoring alarm, on the trail's log group, notifying an
// encrypted alarm topic; disabled ones are left out.
func TestAlarms(t *testing.T) {
	_, docs := synthApp(t, config.Default())
	d := docs[CombinedStackName]
	groupName, _ := d.Only(t, "aws_cloudwatch_log_group")
	assert.Equal(t, 25, d.Count("aws_cloudwatch_metric_alarm"), "15 CIS controls, 5 tampering and 4 monitoring alarms, and the heartbeat")
	assert.GreaterOrEqual(t, d.Count("aws_cloudwatch_log_metric_filter"), 24)
	topic := topicNamed(t, d, "cloudtrail-mrk-alarms")
	for _, f := range d.Resources("aws_cloudwatch_log_metric_filter") {
		assert.Equal(t, st.Ref("aws_cloudwatch_log_group", groupName, "name"), f["log_group_name"])
	}
	watchdog := topicNamed(t, d, "cloudtrail-mrk-watchdog")
	both := []any{st.Ref("aws_sns_topic", topic, "arn"), st.Ref("aws_sns_topic", watchdog, "arn")}
	for _, a := range d.Resources("aws_cloudwatch_metric_alarm") {
		name := strings.TrimPrefix(a["alarm_name"].(string), "cloudtrail-mrk-")
		if name == alarms.Heartbeat || alarms.IsMonitoring(name) {
			assert.Equal(t, both, a["alarm_actions"], "%s notifies the alarm topic and the watchdog topic", name)
			continue
		}
		assert.Equal(t, []any{st.Ref("aws_sns_topic", topic, "arn")}, a["alarm_actions"], name)
	}
	assert.Contains(t, d.Resources("aws_sns_topic")[topic]["kms_master_key_id"], "aws_kms_key.", "the alarm topic is encrypted with the monitoring key")
	assert.Contains(t, d.Resources("aws_sns_topic")[watchdog]["kms_master_key_id"], "aws_kms_key.", "the watchdog topic is encrypted")
	assert.NotEqual(t, d.Resources("aws_sns_topic")[topic]["kms_master_key_id"], d.Resources("aws_sns_topic")[watchdog]["kms_master_key_id"], "with another key than the alarm topic")
	assert.Equal(t, 0, d.Count("aws_sns_topic_subscription"))

	// The heartbeat: the events uploaded to the trail's log group
	// (docs/aws-rules.md#incoming-log-events), missing data breaching
	// (docs/aws-rules.md#treat-missing-data), fewer than 1 in each of 24
	// hourly periods, notifying the alarm topic both ways.
	_, hb := d.OnlyWhere(t, "aws_cloudwatch_metric_alarm", "alarm_name", "cloudtrail-mrk-heartbeat")
	assert.Equal(t, "AWS/Logs", hb["namespace"])
	assert.Equal(t, "IncomingLogEvents", hb["metric_name"])
	assert.Equal(t, map[string]any{"LogGroupName": st.Ref("aws_cloudwatch_log_group", groupName, "name")}, hb["dimensions"])
	assert.Equal(t, "breaching", hb["treat_missing_data"])
	assert.Equal(t, "Sum", hb["statistic"])
	assert.Equal(t, "LessThanThreshold", hb["comparison_operator"])
	assert.Equal(t, 1.0, hb["threshold"])
	assert.Equal(t, 3600.0, hb["period"])
	assert.Equal(t, 24.0, hb["evaluation_periods"])
	assert.Equal(t, 24.0, hb["datapoints_to_alarm"], "every period of the window without events")
	assert.Equal(t, both, hb["ok_actions"], "a heartbeat that comes back is news too, on both paths")

	cfg := config.Default()
	cfg.Trail.CloudWatchLogs.Alarms.Disabled = []string{"root-usage", "key-changes", "heartbeat"}
	cfg.Trail.CloudWatchLogs.Alarms.Subscriptions = []config.Subscription{{Protocol: "email", Endpoint: "security@example.com"}}
	_, docs = synthApp(t, cfg)
	d = docs[CombinedStackName]
	assert.Equal(t, 22, d.Count("aws_cloudwatch_metric_alarm"))
	for _, a := range d.Resources("aws_cloudwatch_metric_alarm") {
		assert.NotEqual(t, "IncomingLogEvents", a["metric_name"], "the heartbeat is left out by name")
	}
	// One subscription on each topic.
	require.Equal(t, 2, d.Count("aws_sns_topic_subscription"))
	subscribed := map[any]bool{}
	for _, sub := range d.Resources("aws_sns_topic_subscription") {
		assert.Equal(t, "email", sub["protocol"])
		assert.Equal(t, "security@example.com", sub["endpoint"])
		subscribed[sub["topic_arn"]] = true
	}
	assert.Equal(t, map[any]bool{st.Ref("aws_sns_topic", topicNamed(t, d, "cloudtrail-mrk-alarms"), "arn"): true, st.Ref("aws_sns_topic", topicNamed(t, d, "cloudtrail-mrk-watchdog"), "arn"): true}, subscribed)
}
