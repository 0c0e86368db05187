package config

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/alarms"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// SubscriptionProtocols are the SNS protocols the alarm topic accepts
// subscriptions for (SNS API reference, "Subscribe", Protocol). http is left
// out: alarm messages would cross the network unencrypted. application and
// firehose need more than an endpoint (a platform application, a delivery
// role) and are not supported here.
var SubscriptionProtocols = []string{"email", "email-json", "https", "lambda", "sms", "sqs"}

var (
	emailAddress = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	e164         = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)
	sqsQueueARN  = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov):sqs:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,80}$`)
	lambdaARN    = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov):lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]+)?$`)
)

// applyAlarmDefaults names the alarm and watchdog topics after the trail, and turns the
// alarms off when nothing delivers to CloudWatch Logs: they watch its log
// group.
func (c *Config) applyAlarmDefaults() {
	w := &c.Trail.CloudWatchLogs
	a := &w.Alarms
	if !w.Enabled {
		a.Enabled = a.Enabled && len(a.Subscriptions) > 0 // refused in validateAlarms
		return
	}
	if a.Enabled && a.TopicName == "" {
		a.TopicName = rules.DefaultAlarmTopicName(c.Trail.Name)
	}
	if a.Enabled && a.WatchdogTopicName == "" {
		a.WatchdogTopicName = rules.DefaultWatchdogTopicName(c.Trail.Name)
	}
}

// AlarmsEnabled reports whether the configuration creates the alarms.
func (c *Config) AlarmsEnabled() bool {
	return c.Trail.CloudWatchLogs.Enabled && c.Trail.CloudWatchLogs.Alarms.Enabled
}

func (c *Config) validateAlarms(l *rules.List) {
	const f = "trail.cloudwatch_logs.alarms"
	a := c.Trail.CloudWatchLogs.Alarms
	// The names are checked whether or not the alarms exist: a typo must
	// not wait until they are switched on.
	c.validateDisabledAlarms(l, f, a.Disabled)
	c.validateHeartbeat(l, f+".heartbeat", a.Heartbeat)
	if !c.Trail.CloudWatchLogs.Enabled {
		if a.Enabled && len(a.Subscriptions) > 0 {
			l.Addf(f+".subscriptions", len(a.Subscriptions), "needs trail.cloudwatch_logs.enabled: the alarms watch the CloudWatch Logs log group")
		}
		return
	}
	if !a.Enabled {
		if len(a.Subscriptions) > 0 {
			l.Addf(f+".subscriptions", len(a.Subscriptions), "needs %s.enabled: without alarms nothing is sent to the subscriptions", f)
		}
		return
	}
	if rules.DerivedName(c.Trail.Name, a.TopicName, rules.DefaultAlarmTopicName) {
		// Equal to the notification topic: see validateUniqueNames.
		l.Add(f+".topic_name", rules.TopicName(a.TopicName))
	}
	if rules.DerivedName(c.Trail.Name, a.WatchdogTopicName, rules.DefaultWatchdogTopicName) {
		// Equal to another topic: see validateUniqueNames.
		l.Add(f+".watchdog_topic_name", rules.TopicName(a.WatchdogTopicName))
	}
	c.validateSubscriptions(l, f+".subscriptions", a.Subscriptions)
}

// validateHeartbeat checks the heartbeat's window against CloudWatch's
// limits (docs/aws-rules.md#alarm-window-limits), whether or not the
// heartbeat exists: like a disabled alarm's name, a wrong window must not
// wait until it is switched on.
func (c *Config) validateHeartbeat(l *rules.List, f string, h Heartbeat) {
	if err := rules.AlarmPeriod(h.PeriodSeconds); err != nil {
		l.Add(f+".period_seconds", err)
		return
	}
	l.Add(f+".evaluation_periods", rules.AlarmWindow(h.PeriodSeconds, h.EvaluationPeriods))
}

// validateSubscriptions checks each subscription's protocol and endpoint
// (docs/aws-rules.md#sns-protocols), under field.
func (c *Config) validateSubscriptions(l *rules.List, f string, subs []Subscription) {
	for i, s := range subs {
		field := fmt.Sprintf("%s[%d]", f, i)
		switch s.Protocol {
		case "email", "email-json":
			if !emailAddress.MatchString(s.Endpoint) {
				l.Addf(field+".endpoint", s.Endpoint, "must be an email address for protocol %s", s.Protocol)
			}
		case "https":
			if u, err := url.Parse(s.Endpoint); err != nil || u.Scheme != "https" || u.Host == "" {
				l.Addf(field+".endpoint", s.Endpoint, "must be an https:// URL for protocol https")
			}
		case "sms":
			if !e164.MatchString(s.Endpoint) {
				l.Addf(field+".endpoint", s.Endpoint, "must be a phone number in E.164 form (+ and up to 15 digits) for protocol sms")
			}
		case "sqs":
			if m := sqsQueueARN.FindStringSubmatch(s.Endpoint); m == nil {
				l.Addf(field+".endpoint", s.Endpoint, "must be an SQS queue ARN (arn:<partition>:sqs:<region>:<account>:<queue>) for protocol sqs")
			} else {
				c.checkEndpointPartition(l, field+".endpoint", s.Endpoint, m[1])
			}
		case "lambda":
			if m := lambdaARN.FindStringSubmatch(s.Endpoint); m == nil {
				l.Addf(field+".endpoint", s.Endpoint, "must be a Lambda function ARN (arn:<partition>:lambda:<region>:<account>:function:<name>) for protocol lambda")
			} else {
				c.checkEndpointPartition(l, field+".endpoint", s.Endpoint, m[1])
			}
		default:
			l.Addf(field+".protocol", s.Protocol, "must be one of %s", strings.Join(SubscriptionProtocols, ", "))
		}
	}
}

func (c *Config) validateDisabledAlarms(l *rules.List, f string, disabled []string) {
	known := map[string]bool{}
	for _, n := range alarms.Names() {
		known[n] = true
	}
	seen := map[string]int{}
	for i, name := range disabled {
		field := fmt.Sprintf("%s.disabled[%d]", f, i)
		if j, dup := seen[name]; dup {
			l.Addf(field, name, "repeats %s.disabled[%d]", f, j)
			continue
		}
		seen[name] = i
		if !known[name] {
			l.Addf(field, name, "must be one of %s", strings.Join(alarms.Names(), ", "))
		}
	}
}

// checkEndpointPartition refuses a queue or function of another partition
// than the home region's: the topic cannot reach it
// (docs/aws-rules.md#subscriptions-stay-in-the-partition).
func (c *Config) checkEndpointPartition(l *rules.List, field, arn, partition string) {
	if part := c.Partition(); part != "" && partition != part {
		l.Addf(field, arn, "must be in partition %q, the partition of the home region: SNS does not deliver across partitions", part)
	}
}
