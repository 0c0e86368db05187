package alarms

import "fmt"

// The alarms on the pipeline itself, which no metric filter can raise: the
// heartbeat, on the events reaching the trail's log group, and the alarm on
// replication failures to the recovery bucket. Both use metrics that AWS
// services publish, not metrics of ours.

// Heartbeat names the alarm that fires when no event reaches the trail's log
// group for a whole window. The configuration may switch it off by this name
// (trail.cloudwatch_logs.alarms.disabled), with a warning.
const Heartbeat = "heartbeat"

// The heartbeat's metric: the number of log events uploaded to the log
// group, which CloudWatch Logs publishes in the AWS/Logs namespace with the
// dimension LogGroupName (docs/aws-rules.md#incoming-log-events).
const (
	HeartbeatNamespace = "AWS/Logs"
	HeartbeatMetric    = "IncomingLogEvents"
	HeartbeatDimension = "LogGroupName"
)

// HeartbeatDescription says what a heartbeat alarm means, for its
// alarm_description.
func HeartbeatDescription(logGroup string, windowSeconds int) string {
	return fmt.Sprintf("No event reached the log group %s for %s: CloudTrail's delivery to CloudWatch Logs may be broken "+
		"(delivery role, log group or the key that encrypts it), and the other alarms on the log group see nothing. "+
		"Check the trail's LatestCloudWatchLogsDeliveryError (aws cloudtrail get-trail-status).", logGroup, Window(windowSeconds))
}

// Window writes an alarm's evaluation range in hours, or minutes when it is
// not a whole number of hours.
func Window(seconds int) string {
	switch {
	case seconds == 3600:
		return "1 hour"
	case seconds%3600 == 0:
		return fmt.Sprintf("%d hours", seconds/3600)
	case seconds == 60:
		return "1 minute"
	default:
		return fmt.Sprintf("%d minutes", seconds/60)
	}
}

// ReplicationFailures names the alarm on failed replication to the recovery
// bucket. It is not on the log group, and trail.cloudwatch_logs.alarms.disabled
// does not know it: replication.alarms.enabled switches it off.
const ReplicationFailures = "replication-failures"

// The replication alarm's metric: the operations of a replication rule that
// failed, which S3 publishes in the AWS/S3 namespace, in the source bucket's
// region, when the rule enables replication metrics, with the dimensions
// SourceBucket, DestinationBucket and RuleId
// (docs/aws-rules.md#replication-metrics).
const (
	ReplicationNamespace            = "AWS/S3"
	ReplicationMetric               = "OperationsFailedReplication"
	ReplicationSourceDimension      = "SourceBucket"
	ReplicationDestinationDimension = "DestinationBucket"
	ReplicationRuleDimension        = "RuleId"
)

// ReplicationFailuresDescription says what a replication alarm means, for
// its alarm_description.
func ReplicationFailuresDescription(source, destination, rule string) string {
	return "Log files of " + source + " failed to replicate to the recovery bucket " + destination + " (rule " + rule + "): " +
		"the recovery copy is incomplete. A failed replication is not retried; find the objects and the reason with S3 Event Notifications " +
		"(s3:Replication:OperationFailedReplication) or the objects' replication status (FAILED), and copy them again with S3 Batch Replication."
}
