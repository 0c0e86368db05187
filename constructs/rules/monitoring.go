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
