package tfcheck

import (
	"slices"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/config"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/alarms"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
)

// Expectations derives from the configuration alone (never from the
// synthesized stacks it is compared with) what the log-archive account's
// stack and the trail owner's stack must create.
func Expectations(cfg *config.Config) (archive, trail Expect) {
	b2i := func(b bool) int {
		if b {
			return 1
		}
		return 0
	}
	accessLogs := cfg.Bucket.AccessLogs.Enabled
	replication := cfg.Replication.Enabled
	replicationAlarm := cfg.ReplicationAlarmsEnabled()
	// A key or bucket made elsewhere (key.existing_arns, bucket.existing)
	// is not created: no key copies, no trail bucket.
	ownKey, ownBucket := !cfg.ExistingKey(), !cfg.Bucket.Existing
	archive = Expect{
		HomeRegion:     cfg.HomeRegion,
		ReplicaRegions: cfg.Key.ReplicaRegions,
		Counts: map[string]int{
			// The multi-region key, and the key of the replication alarm
			// topic.
			"aws_kms_key":         b2i(ownKey) + b2i(replicationAlarm),
			"aws_kms_replica_key": len(cfg.Key.ReplicaRegions),
			// The trail bucket, its access-log bucket, and in the recovery
			// region the recovery bucket and its access-log bucket.
			"aws_s3_bucket": b2i(ownBucket) + b2i(accessLogs) + b2i(replication)*(1+b2i(accessLogs)),
			"aws_s3_bucket_replication_configuration": b2i(replication),
			// The alarm on failed replications and its topic.
			"aws_cloudwatch_metric_alarm": b2i(replicationAlarm),
			"aws_sns_topic":               b2i(replicationAlarm),
			"aws_sns_topic_subscription":  b2i(replicationAlarm) * len(cfg.Replication.Alarms.Subscriptions),
		},
	}
	if ownBucket {
		archive.KMSBuckets = []string{cfg.Bucket.Name}
	}
	if accessLogs {
		archive.SSES3Buckets = append(archive.SSES3Buckets, cfg.Bucket.AccessLogs.BucketName)
	}
	if replication {
		archive.KMSBuckets = append(archive.KMSBuckets, cfg.Replication.BucketName)
		if accessLogs {
			archive.SSES3Buckets = append(archive.SSES3Buckets, cfg.Replication.AccessLogBucketName)
		}
	}
	cw, topic := cfg.Trail.CloudWatchLogs.Enabled, cfg.Trail.Notifications.Enabled
	trail = Expect{
		HomeRegion:  cfg.HomeRegion,
		TrailBucket: cfg.Bucket.Name,
		TrailKeyARN: cfg.ExistingKeyARNs()[cfg.HomeRegion],
		Counts: map[string]int{
			"aws_cloudtrail":           1,
			"aws_cloudwatch_log_group": b2i(cw),
			"aws_sns_topic":            b2i(topic),
			// One single-region key encrypts the log group and the topic.
			"aws_kms_key": b2i(cw || topic),
		},
	}
	if _, delegated := cfg.DelegatedAdmin(); !delegated && !cfg.GuardrailsInBootstrap() {
		// The guardrail service control policy, attached to each target;
		// none unless guardrails.enabled. With a delegated administrator
		// the management account's own stack holds them (Registration);
		// with the bootstrap, the management account's bootstrap stack
		// (config.Config.GuardrailsInBootstrap).
		// A second, the monitoring guardrail policy, when it has something
		// to protect (the replication alarm in the log-archive account).
		policies := b2i(cfg.Guardrails.Enabled)
		if _, ok := cfg.MonitoringGuardrailProps(); ok {
			policies = 2
		}
		trail.Counts["aws_organizations_policy"] = policies
		trail.Counts["aws_organizations_policy_attachment"] = policies * len(cfg.Guardrails.Targets)
	} else {
		trail.Counts["aws_organizations_policy"] = 0
		trail.Counts["aws_organizations_policy_attachment"] = 0
	}
	if cfg.AlarmsEnabled() {
		nAlarms, nFilters := alarmCounts(cfg)
		trail.Counts["aws_cloudwatch_metric_alarm"] = nAlarms
		trail.Counts["aws_cloudwatch_log_metric_filter"] = nFilters
		// The alarm topic and the watchdog topic, beside the notification
		// topic; the watchdog key, beside the monitoring key; each
		// subscription on both topics.
		trail.Counts["aws_sns_topic"] += 2
		trail.Counts["aws_kms_key"]++
		trail.Counts["aws_sns_topic_subscription"] = 2 * len(cfg.Trail.CloudWatchLogs.Alarms.Subscriptions)
	}
	return archive, trail
}

// alarmCounts: one alarm per CIS control and tampering alarm the
// configuration leaves on, and the heartbeat unless it is left out (the key and log-bucket alarms only when the
// trail logs the log-archive account: an organization trail or one
// account; the pipeline-role alarm on the roles of the accounts it logs;
// the guardrail tag alarm with the guardrails),
// the monitoring alarms (and their deployer twins when the trail creator has
// a role_arn), and one metric filter per pattern, as long patterns are split
// into several (alarms.TamperingAlarms and alarms.MonitoringAlarms, measured
// with the longest key ids).
func alarmCounts(cfg *config.Config) (nAlarms, nFilters int) {
	a := cfg.Trail.CloudWatchLogs.Alarms
	t := cfg.TrailIdentity()
	tamper := alarms.Tampering{Partition: t.Partition, TrailName: t.Name, TrailARN: t.ARN(), Organization: cfg.OrganizationID != ""}
	if cfg.OrganizationID != "" || cfg.SingleAccount() {
		tamper.KeyAccount, tamper.KeyID, tamper.KeyAlias = cfg.Accounts.LogArchive.ID, alarms.KeyIDPlaceholder, cfg.Key.Alias
		replicas := slices.Sorted(slices.Values(cfg.Key.ReplicaRegions))
		tamper.KeyRegions = append([]string{cfg.HomeRegion}, replicas...)
		tamper.Buckets = cfg.LogBuckets()
	}
	tamper.PipelineRoles = cfg.AlarmedPipelineRoles()
	// The guardrail tag alarm, with the guardrails only.
	if cfg.Guardrails.Enabled {
		tamper.GuardTagKey = policy.GuardTagKey
	}
	tampering, err := alarms.TamperingAlarms(tamper, a.Disabled)
	if err != nil {
		// The app refuses the configuration too; expect what it makes: nothing.
		return 0, 0
	}
	// The monitoring path, in the trail creator's account and home region,
	// with deployer twins when that account has a role_arn.
	mon := alarms.Monitoring{
		Partition: t.Partition, Account: cfg.TrailCreator().ID, Region: cfg.HomeRegion,
		TrailName: t.Name, LogGroupName: cfg.Trail.CloudWatchLogs.LogGroupName,
		Topics: []string{a.TopicName, a.WatchdogTopicName}, KeyIDs: []string{alarms.MonitoringKeyIDPlaceholder, alarms.WatchdogKeyIDPlaceholder},
		Deployer: cfg.MonitoringDeployer(),
	}
	if cfg.Trail.Notifications.Enabled {
		mon.Topics = append(mon.Topics, cfg.Trail.Notifications.TopicName)
	}
	monitoring, err := alarms.MonitoringAlarms(mon, a.Disabled)
	if err != nil {
		return 0, 0
	}
	for _, al := range append(append(alarms.CIS(a.Disabled), tampering...), monitoring...) {
		nAlarms++
		nFilters += len(al.Patterns)
	}
	// The heartbeat, which needs no filter.
	if !slices.Contains(a.Disabled, alarms.Heartbeat) {
		nAlarms++
	}
	return nAlarms, nFilters
}

// Combine is what one stack holding both accounts' parts must create.
func Combine(archive, trail Expect) Expect {
	out := archive
	out.TrailBucket = trail.TrailBucket
	out.TrailKeyARN = trail.TrailKeyARN
	out.Counts = map[string]int{}
	for _, part := range []map[string]int{archive.Counts, trail.Counts} {
		for typ, n := range part {
			out.Counts[typ] += n
		}
	}
	return out
}

// Registration is what the management account's stack must create when a
// delegated administrator creates the trail: the registration and, with
// guardrails.enabled, the guardrail policy and (when it protects the
// delegated administrator's monitoring) the monitoring guardrail policy,
// each attached to every target; no trail, bucket or key of its own.
func Registration(cfg *config.Config) Expect {
	policies := 0
	if cfg.Guardrails.Enabled && !cfg.GuardrailsInBootstrap() {
		policies = 1
		if _, ok := cfg.MonitoringGuardrailProps(); ok {
			policies = 2
		}
	}
	return Expect{Counts: map[string]int{
		"aws_cloudtrail_organization_delegated_admin_account": 1,
		"aws_organizations_policy":                            policies,
		"aws_organizations_policy_attachment":                 policies * len(cfg.Guardrails.Targets),
		"aws_cloudtrail":                                      0,
		"aws_s3_bucket":                                       0,
		"aws_kms_key":                                         0,
		"aws_kms_replica_key":                                 0,
		"aws_sns_topic":                                       0,
		"aws_cloudwatch_log_group":                            0,
	}}
}

// Registered adds to e (a trail's stack) that it registers no delegated
// administrator itself: only the management account's stack does.
func Registered(e Expect) Expect {
	out := e
	out.Counts = map[string]int{"aws_cloudtrail_organization_delegated_admin_account": 0}
	for typ, n := range e.Counts {
		out.Counts[typ] = n
	}
	return out
}

// WithAthena adds to the log-archive account's expectation what athena.enabled
// creates there: the Glue database and table, the workgroup, one named query
// per question, the results bucket (SSE-KMS with its own key, not the trail
// key) and that key.
func WithAthena(cfg *config.Config, archive Expect) Expect {
	if !cfg.Athena.Enabled {
		return archive
	}
	out := archive
	out.Counts = map[string]int{}
	for typ, n := range archive.Counts {
		out.Counts[typ] = n
	}
	out.Counts["aws_glue_catalog_database"] = 1
	out.Counts["aws_glue_catalog_table"] = 1
	out.Counts["aws_athena_workgroup"] = 1
	out.Counts["aws_athena_named_query"] = 4
	out.Counts["aws_s3_bucket"]++
	out.Counts["aws_kms_key"]++
	out.OwnKeyBuckets = append(append([]string(nil), archive.OwnKeyBuckets...), cfg.Athena.ResultsBucketName)
	return out
}

// Bootstrap is what the bootstrap stack of account a must create: one role
// per deploying role with its inline policies, one per service role with
// its policy, and where the state lives
// the state bucket (SSE-S3), its settings and policy, the lock table when
// backend.s3.dynamodb_table is set, and the state role with its policy;
// in the management account with the guardrails, the guardrail SCPs and
// their attachments; nothing of the trail, keys or log buckets.
func Bootstrap(cfg *config.Config, a config.BootstrapAccount) Expect {
	b2i := func(b bool) int {
		if b {
			return 1
		}
		return 0
	}
	perRole := len(policy.DeployerPolicies(cfg.DeployerProps(a)))
	state := b2i(a.State)
	// The service roles, one inline policy each (docs/bootstrap.md#service-roles).
	services := len(cfg.ServiceRolesIn(a.ID))
	e := Expect{HomeRegion: cfg.HomeRegion, Counts: map[string]int{
		"aws_iam_role":                      len(a.Deployers) + state + services,
		"aws_iam_role_policy":               len(a.Deployers)*perRole + state + services,
		"aws_s3_bucket":                     state,
		"aws_s3_bucket_versioning":          state,
		"aws_s3_bucket_policy":              state,
		"aws_s3_bucket_public_access_block": state,
		"aws_s3_bucket_ownership_controls":  state,
		"aws_dynamodb_table":                b2i(a.State && cfg.Backend.S3.DynamoDBTable != ""),
		"aws_kms_key":                       0,
		"aws_cloudtrail":                    0,
	}}
	// The guardrail SCPs, each attached to every target, in the management
	// account's bootstrap (docs/bootstrap.md#guardrails-in-the-bootstrap);
	// none elsewhere.
	policies := 0
	if cfg.GuardrailsInBootstrap() && a.ID == cfg.Accounts.Management.ID {
		policies = 1
		if _, ok := cfg.MonitoringGuardrailProps(); ok {
			policies = 2
		}
	}
	e.Counts["aws_organizations_policy"] = policies
	e.Counts["aws_organizations_policy_attachment"] = policies * len(cfg.Guardrails.Targets)
	if a.State {
		e.SSES3Buckets = []string{cfg.Backend.S3.Bucket}
	}
	return e
}
