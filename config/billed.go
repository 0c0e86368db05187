package config

import (
	"fmt"
	"strings"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/alarms"
)

// CostsPage is the documentation page that prices each billed feature.
const CostsPage = "docs/costs.md"

// BilledFeatures names, in a few words each, the features of the
// configuration that AWS bills by use or by the month, beyond the trail's
// first copy of management events (free) and the storage of the log files:
// data events, Insights, CloudWatch Logs delivery, the alarms and their
// custom metrics, the KMS keys and replicas, log-file notifications,
// replication, Athena and the access logs. Each is priced in docs/costs.md.
// The configuration must be valid (defaults applied).
func (c *Config) BilledFeatures() []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	t := c.Trail
	d := t.DataEvents
	// The log buckets' own data events are logged whatever data_events
	// says (all but the log deliveries: docs/aws-rules.md#log-deliveries).
	switch kinds := s3EventKinds(d); {
	case kinds == "":
		add("S3 data events on the log buckets only")
	case len(d.S3Buckets) == 0:
		add("S3 data events (%s) on every bucket", kinds)
	default:
		add("S3 data events (%s) on %s and the log buckets", kinds, plural(len(d.S3Buckets), "named bucket"))
	}
	if d.Lambda {
		add("Lambda data events on every function")
	}
	if t.Insights {
		add("Insights (API call rate, API error rate)")
	}
	if w := t.CloudWatchLogs; w.Enabled {
		add("CloudWatch Logs delivery kept %s", plural(w.RetentionDays, "day"))
	}
	if n := len(c.AlarmNames()); n > 0 {
		add("%s and %s", plural(n, "CloudWatch alarm"), plural(c.AlarmMetrics(), "custom metric"))
	}
	keys, replicas := c.KMSKeys()
	if replicas > 0 {
		add("%s + %s", plural(keys, "KMS key"), plural(replicas, "replica"))
	} else {
		add("%s", plural(keys, "KMS key"))
	}
	if t.Notifications.Enabled {
		add("an SNS notification of every log file")
	}
	if r := c.Replication; r.Enabled {
		if c.ReplicationAlarmsEnabled() {
			add("replication to %s with replication metrics", r.Region)
		} else {
			add("replication to %s", r.Region)
		}
	}
	if a := c.Athena; a.Enabled {
		add("Athena queries (cut off at %s scanned each)", bytesText(a.BytesScannedCutoff))
	}
	if c.Bucket.AccessLogs.Enabled {
		add("S3 server access logs")
	}
	return out
}

// BilledFeaturesLine is the one information line the app prints at
// synthesis (not a warning): the billed features and where they are priced.
func (c *Config) BilledFeaturesLine() string {
	return "cloudtrail-mrk: billed features turned on: " + strings.Join(c.BilledFeatures(), ", ") + "; see " + CostsPage
}

// AlarmMetrics counts the custom metrics the metric filters on the trail's
// log group publish: one per alarm on the log group but the heartbeat,
// which reads CloudWatch Logs' own IncomingLogEvents.
func (c *Config) AlarmMetrics() int {
	n := 0
	for _, a := range c.LogGroupAlarms() {
		if a != alarms.Heartbeat {
			n++
		}
	}
	return n
}

// KMSKeys counts the KMS keys the configuration creates, each billed by the
// month: the multi-region primary, the monitoring key (with CloudWatch Logs
// or notifications), the watchdog key (with the alarms), the replication
// alarm topic's key and the Athena results key; and, apart, the replicas of
// the primary, billed like keys (docs/costs.md#kms).
func (c *Config) KMSKeys() (keys, replicas int) {
	if !c.ExistingKey() {
		keys = 1
	}
	if c.Trail.CloudWatchLogs.Enabled || c.Trail.Notifications.Enabled {
		keys++
	}
	if c.AlarmsEnabled() {
		keys++
	}
	if c.ReplicationAlarmsEnabled() {
		keys++
	}
	if c.Athena.Enabled {
		keys++
	}
	return keys, len(c.Key.ReplicaRegions)
}

func s3EventKinds(d DataEvents) string {
	switch {
	case d.S3Read && d.S3Write:
		return "read, write"
	case d.S3Read:
		return "read"
	case d.S3Write:
		return "write"
	}
	return ""
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// bytesText writes a byte count in the largest binary unit that divides it.
func bytesText(n int64) string {
	for _, u := range []struct {
		size int64
		name string
	}{{1 << 40, "TiB"}, {1 << 30, "GiB"}, {1 << 20, "MiB"}} {
		if n >= u.size && n%u.size == 0 {
			return fmt.Sprintf("%d %s", n/u.size, u.name)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}
