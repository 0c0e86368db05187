// Package alarms defines, in plain Go, the metric filters and alarms that
// watch a trail's CloudWatch Logs log group: the CIS AWS Foundations
// Benchmark v3.0.0 monitoring controls 4.1 to 4.15, and alerts on tampering
// with this deployment's own trail, key and log buckets. The constructs
// package turns them into aws_cloudwatch_log_metric_filter and
// aws_cloudwatch_metric_alarm resources; internal/proof/filterpattern evaluates
// them against CloudTrail records in tests.
package alarms
