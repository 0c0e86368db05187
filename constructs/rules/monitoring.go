package rules

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

var (
	logGroupChars = regexp.MustCompile(`^[.\-_/#A-Za-z0-9]+$`)
	topicChars    = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
)

// LogGroupName checks a CloudWatch Logs log group name (CloudWatch Logs API
// reference, CreateLogGroup: 1 to 512 of a-z A-Z 0-9 _ - / . #).
func LogGroupName(name string) error {
	if n := len(name); n < 1 || n > 512 || !logGroupChars.MatchString(name) {
		return violation(name, "log group names must be 1 to 512 letters, digits and _ - / . #")
	}
	if strings.HasPrefix(name, "aws/") {
		return violation(name, `log group names must not start with the reserved prefix "aws/"`)
	}
	return nil
}

// logRetentionDays are the values CloudWatch Logs accepts for retention
// (PutRetentionPolicy).
var logRetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// LogRetentionDays checks a CloudWatch Logs retention period.
func LogRetentionDays(days int) error {
	if slices.Contains(logRetentionDays, days) {
		return nil
	}
	return violation(days, "must be one of the retention periods CloudWatch Logs accepts: %v", logRetentionDays)
}

// FilterPatternMaxLength is the longest metric filter pattern CloudWatch Logs
// accepts (docs/aws-rules.md#filter-pattern-length); a longer one is split
// into several filters feeding one metric.
const FilterPatternMaxLength = 1024

// TopicName checks a standard SNS topic name (1 to 256 letters, digits, _
// and -; CloudTrail cannot publish to FIFO topics).
func TopicName(name string) error {
	if n := len(name); n < 1 || n > 256 || !topicChars.MatchString(name) {
		return violation(name, "SNS topic names must be 1 to 256 letters, digits, '_' or '-' (standard topics only)")
	}
	return nil
}

// Limits of a CloudWatch alarm's window (CloudWatch API Reference,
// PutMetricAlarm, Period and EvaluationPeriods;
// docs/aws-rules.md#alarm-window-limits): the period is 10, 20, 30 or a
// multiple of 60 seconds, and period times evaluation periods is at most
// seven days, or one day when the period is shorter than an hour.
const (
	// MaxAlarmWindowSeconds is the longest evaluation range of an alarm
	// whose period is an hour or longer: seven days.
	MaxAlarmWindowSeconds = 604800
	// MaxShortPeriodWindowSeconds is the longest evaluation range of an
	// alarm whose period is shorter than an hour: one day.
	MaxShortPeriodWindowSeconds = 86400
	// ShortPeriodSeconds: a period shorter than this is a short period.
	ShortPeriodSeconds = 3600
)

// AlarmPeriod checks the period of an alarm on a metric published every
// minute: a whole number of minutes. CloudWatch also accepts 10, 20 and 30
// seconds, but only for high-resolution metrics; an alarm with such a period
// on a metric sent every minute (CloudWatch Logs sends its metrics every
// minute: docs/aws-rules.md#incoming-log-events) misses most data points and
// lapses into INSUFFICIENT_DATA.
func AlarmPeriod(seconds int) error {
	if seconds < 60 || seconds%60 != 0 {
		return violation(seconds, "must be a whole number of minutes in seconds (60, 120, ..., 3600, ...): the metric is sent every minute, and CloudWatch accepts no other period for it")
	}
	if seconds > MaxAlarmWindowSeconds {
		return violation(seconds, "must be at most %d seconds (seven days, CloudWatch's longest evaluation range)", MaxAlarmWindowSeconds)
	}
	return nil
}

// AlarmWindow checks an alarm's evaluation range, period times evaluation
// periods, against CloudWatch's limit for that period (docs/aws-rules.md#alarm-window-limits).
// The period is checked on its own by AlarmPeriod.
func AlarmWindow(periodSeconds, evaluationPeriods int) error {
	if evaluationPeriods < 1 {
		return violation(evaluationPeriods, "must be at least 1")
	}
	max, limit := MaxAlarmWindowSeconds, "seven days (604,800 seconds), CloudWatch's longest evaluation range"
	if periodSeconds < ShortPeriodSeconds {
		max, limit = MaxShortPeriodWindowSeconds, "one day (86,400 seconds), CloudWatch's longest evaluation range for a period shorter than an hour"
	}
	if periodSeconds > 0 && evaluationPeriods > max/periodSeconds {
		return violation(evaluationPeriods, "must be at most %d: times the period of %d seconds it must be at most %s", max/periodSeconds, periodSeconds, limit)
	}
	return nil
}

// DataEvents is a selection of CloudTrail data events.
type DataEvents struct {
	S3Read, S3Write bool
	S3Buckets       []string
	Lambda          bool
}

// Check records the selection's violations in l; field maps a snake_case
// name ("s3_buckets", "s3_read", ...) to the caller's field path.
func (d DataEvents) Check(l *List, field func(string) string) {
	if len(d.S3Buckets) > 0 && !d.S3Read && !d.S3Write {
		l.Addf(field("s3_buckets"), d.S3Buckets, "lists buckets, but neither %s nor %s is set", field("s3_read"), field("s3_write"))
	}
	// Stricter than the 500 values of advanced selectors
	// (docs/aws-rules.md#selector-value-limit): the 250 data resources of
	// basic selectors (docs/aws-rules.md#basic-selector-limit), which keeps
	// the selectors, our log buckets' included, under 500 values.
	if len(d.S3Buckets) > 249 {
		l.Addf(field("s3_buckets"), len(d.S3Buckets), "must name at most 249 buckets (within CloudTrail's 250 data resources of basic selectors, which keeps the trail's advanced selectors under their 500 values)")
	}
	for i, b := range d.S3Buckets {
		l.Add(fmt.Sprintf("%s[%d]", field("s3_buckets"), i), BucketName(b))
	}
}

// MaxMetricFiltersPerLogGroup is the most metric filters CloudWatch Logs
// associates with one log group (docs/aws-rules.md#metric-filters-per-log-group):
// every pattern of every alarm is one filter, and filters added to the
// trail's log group by hand count too.
const MaxMetricFiltersPerLogGroup = 100
