package rules

import "strings"

// Defaults shared by the constructs (package constructs) and the
// configuration file (package config): each value is written here once, and
// both resolve an unset value to it.
const (
	// DefaultRotationPeriodDays is the key's automatic rotation period.
	DefaultRotationPeriodDays = 365
	// DefaultDeletionWindowDays is the waiting period before a key is
	// deleted: the maximum KMS allows.
	DefaultDeletionWindowDays = MaxDeletionWindowDays
	// DefaultObjectLockMode is the default retention mode of a log bucket.
	DefaultObjectLockMode = "GOVERNANCE"
	// DefaultObjectLockDays is the default retention of a log bucket.
	DefaultObjectLockDays = 365
	// DefaultStorageClass is the transition storage class of a lifecycle
	// that sets TransitionDays without one.
	DefaultStorageClass = "GLACIER_IR"
	// DefaultAccessLogExpirationDays expires S3 server access logs.
	DefaultAccessLogExpirationDays = 365
	// DefaultLogRetentionDays is the retention of the trail's log group.
	DefaultLogRetentionDays = 365
	// DefaultLogGroupPrefix goes before the trail name in the default log
	// group name (DefaultLogGroupName).
	DefaultLogGroupPrefix = "cloudtrail/"
	// DefaultTopicSuffix goes after the trail name in the default
	// notification topic name (DefaultTopicName).
	DefaultTopicSuffix = "-notifications"
	// DefaultAlarmTopicSuffix goes after the trail name in the default alarm
	// topic name (DefaultAlarmTopicName).
	DefaultAlarmTopicSuffix = "-alarms"
	// DefaultWatchdogTopicSuffix goes after the trail name in the default
	// watchdog topic name (DefaultWatchdogTopicName).
	DefaultWatchdogTopicSuffix = "-watchdog"
	// DefaultReplicationAlarmTopicSuffix goes after the trail name in the
	// default name of the replication alarm topic
	// (DefaultReplicationAlarmTopicName).
	DefaultReplicationAlarmTopicSuffix = "-replication-alarms"
	// DefaultHeartbeatPeriodSeconds and DefaultHeartbeatEvaluationPeriods
	// are the heartbeat alarm's window: it fires after 24 consecutive hours
	// in which no event reached the trail's log group. A quiet night of a
	// single account must not page anyone (a heartbeat that cries wolf
	// every night gets switched off); a day is the longest silence we
	// accept by default. CloudTrail delivers to CloudWatch Logs within
	// minutes (docs/aws-rules.md#cloudtrail-delivery-delay), so the delay
	// adds little to a window of hours. Shorten it for an organization trail
	// (docs/alarms.md#the-heartbeat).
	DefaultHeartbeatPeriodSeconds     = 3600
	DefaultHeartbeatEvaluationPeriods = 24
)

// Defaults of the Athena query side: the configuration's athena block and
// AthenaQueryProps (package constructs).
const (
	// DefaultAthenaDatabase is the Glue database (Athena names: lowercase
	// letters, digits and underscores, docs/aws-rules.md#athena-names).
	DefaultAthenaDatabase = "cloudtrail_mrk"
	// DefaultAthenaTable is the Glue table over the log files.
	DefaultAthenaTable = "cloudtrail_logs"
	// DefaultAthenaWorkgroup is the Athena workgroup.
	DefaultAthenaWorkgroup = "cloudtrail-mrk"
	// DefaultAthenaResultsSuffix goes after the trail bucket's name in the
	// default name of the query results bucket
	// (DefaultAthenaResultsBucketName).
	DefaultAthenaResultsSuffix = "-athena-results"
	// DefaultAthenaResultsDays expires query results after 30 days.
	DefaultAthenaResultsDays = 30
	// DefaultAthenaQueryRoleName is the role the key's readers assume to
	// query.
	DefaultAthenaQueryRoleName = "cloudtrail-mrk-athena-query"
	// DefaultAthenaBytesScannedLimit cancels a query that scans more: 100
	// GiB per query (Athena's minimum is 10 MB,
	// docs/aws-rules.md#per-query-scan-limit).
	DefaultAthenaBytesScannedLimit = 100 * 1024 * 1024 * 1024
	// DefaultAthenaProjectionStart is the first day (yyyy/MM/dd, the format
	// of the log files' date path) of the table's date partition.
	DefaultAthenaProjectionStart = "2024/01/01"
)

// DefaultAthenaResultsBucketName is the query results bucket of a trail
// bucket that names none: "<bucket name>-athena-results", or "" when
// bucketName is empty or the name would exceed S3's 63 characters (then one
// must be given).
func DefaultAthenaResultsBucketName(bucketName string) string {
	if bucketName == "" || len(bucketName)+len(DefaultAthenaResultsSuffix) > 63 {
		return ""
	}
	return bucketName + DefaultAthenaResultsSuffix
}

// DefaultLogGroupName is the log group name of a trail that names none:
// "cloudtrail/<trail name>".
func DefaultLogGroupName(trailName string) string { return DefaultLogGroupPrefix + trailName }

// DefaultTopicName is the notification topic name of a trail that names
// none: "<trail name>-notifications", periods replaced by dashes (SNS topic
// names allow no periods, trail names do).
func DefaultTopicName(trailName string) string {
	return strings.ReplaceAll(trailName, ".", "-") + DefaultTopicSuffix
}

// DefaultAlarmTopicName is the alarm topic name of a trail that names none:
// "<trail name>-alarms", periods replaced by dashes.
func DefaultAlarmTopicName(trailName string) string {
	return strings.ReplaceAll(trailName, ".", "-") + DefaultAlarmTopicSuffix
}

// DefaultWatchdogTopicName is the watchdog topic name of a trail that names
// none: "<trail name>-watchdog", periods replaced by dashes.
func DefaultWatchdogTopicName(trailName string) string {
	return strings.ReplaceAll(trailName, ".", "-") + DefaultWatchdogTopicSuffix
}

// DefaultReplicationAlarmTopicName is the replication alarm topic name of a
// trail that names none: "<trail name>-replication-alarms", periods replaced
// by dashes.
func DefaultReplicationAlarmTopicName(trailName string) string {
	return strings.ReplaceAll(trailName, ".", "-") + DefaultReplicationAlarmTopicSuffix
}

// DerivedName reports whether a name derived from the trail name should be
// checked: always, unless the trail name is itself invalid and name is the
// one derived from it (that problem is reported once, at the trail name).
func DerivedName(trailName, name string, derive func(string) string) bool {
	return TrailName(trailName) == nil || name != derive(trailName)
}
