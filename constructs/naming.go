package constructs

import (
	"regexp"
	"strings"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// DefaultAlarmNamespacePrefix goes before the trail's name in the namespace
// of the alarms' metrics when Naming.AlarmNamespacePrefix is empty:
// "CloudTrail/<trail name>". It cannot collide with AWS's own metrics:
// every AWS service publishes in a namespace beginning with "AWS/" (CloudTrail's
// is AWS/CloudTrail, the heartbeat's AWS/Logs), and custom namespaces must
// not begin with it (CloudWatch API Reference, "PutMetricData", Namespace:
// "To avoid conflicts with AWS service namespaces, you should not specify
// a namespace that begins with AWS/";
// docs/aws-rules.md#alarm-and-metric-names). The trail's name keeps two
// trails' metrics apart.
const DefaultAlarmNamespacePrefix = "CloudTrail/"

// maxMetricNamespaceLength is the longest metric namespace CloudWatch
// accepts (docs/aws-rules.md#alarm-and-metric-names).
const maxMetricNamespaceLength = 255

// maxLabelLength bounds Naming.Label so that every Id and description it
// goes into stays far within its service's limit.
const maxLabelLength = 64

var labelPattern = regexp.MustCompile(`^[A-Za-z0-9._-]*$`)

// Naming is how the app that composes the constructs labels what they
// create. The zero value is the library's own neutral naming: policy
// documents with Ids such as "bucket-policy", descriptions that name the
// trail and what the resource is for, and the alarms' metrics in
// DefaultAlarmNamespacePrefix. An app passes one Naming to every construct
// it creates (every props struct has a Naming field), so that its
// resources say where they come from.
type Naming struct {
	// Label names the app. The Id of every policy document a construct
	// writes (the bucket policies, the monitoring, alarm and Athena results
	// keys' policies, the topics' policies) starts with Label and a hyphen
	// (policy.Document.Labeled: "cloudtrail-mrk" gives
	// "cloudtrail-mrk-bucket-policy"), and every key description a
	// construct writes, and the descriptions of the Athena database,
	// workgroup and query role, end with Label in parentheses. What the
	// caller writes itself (MultiRegionKeyProps.Policy and Description) is
	// used as written. At most 64 letters, digits, '.', '_' or '-'.
	// Default: none.
	Label string
	// AlarmNamespacePrefix goes before the trail's name in the namespace of
	// the metrics of the alarms on the trail's log group
	// (TrailProps.CloudWatchLogs.Alarms; only NewTrail reads it). It must
	// not begin with "AWS/" nor hold ':', '*' or '$', and with the trail's
	// name it is at most 255 characters.
	// Default: DefaultAlarmNamespacePrefix.
	AlarmNamespacePrefix string
}

// validate adds to l what is wrong with n, at field (for example
// "TrailProps.Naming"); trailName is the name the namespace is made from,
// or "" when there is no namespace to check.
func (n Naming) validate(l *rules.List, field, trailName string) {
	if len(n.Label) > maxLabelLength || !labelPattern.MatchString(n.Label) {
		l.Addf(field+".Label", n.Label, "must be at most %d letters, digits, '.', '_' or '-'", maxLabelLength)
	}
	prefix := n.AlarmNamespacePrefix
	switch {
	case prefix == "":
	case strings.HasPrefix(prefix, "AWS/"):
		// docs/aws-rules.md#alarm-and-metric-names: AWS's own namespaces.
		l.Addf(field+".AlarmNamespacePrefix", prefix, `must not begin with "AWS/": AWS services publish their metrics there`)
	case strings.ContainsAny(prefix, ":*$"):
		// docs/aws-rules.md#alarm-and-metric-names: PutMetricFilter's pattern.
		l.Addf(field+".AlarmNamespacePrefix", prefix, "must not hold ':', '*' or '$' (CloudWatch Logs refuses them in a metric namespace)")
	case trailName != "" && len(n.namespace(trailName)) > maxMetricNamespaceLength:
		l.Addf(field+".AlarmNamespacePrefix", prefix, "with the trail's name %q must be at most %d characters (the namespace of the alarms' metrics)", trailName, maxMetricNamespaceLength)
	}
}

// describe returns description with the label in parentheses, or as it is
// without a label.
func (n Naming) describe(description string) string {
	if n.Label == "" {
		return description
	}
	return description + " (" + n.Label + ")"
}

// document returns doc labeled (policy.Document.Labeled).
func (n Naming) document(doc policy.Document) policy.Document {
	return doc.Labeled(n.Label)
}

// namespace is the namespace of the alarms' metrics of trailName.
func (n Naming) namespace(trailName string) string {
	prefix := n.AlarmNamespacePrefix
	if prefix == "" {
		prefix = DefaultAlarmNamespacePrefix
	}
	return prefix + trailName
}
