package config

import (
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/alarms"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// WarningsAsErrorsEnvVar names the environment variable that turns the
// configuration's warnings into errors (for CI): "1" or "true" turns it on,
// "0", "false" or unset leaves warnings as warnings. cdktf runs the app
// without arguments, so the switch is an environment variable.
const WarningsAsErrorsEnvVar = "CLOUDTRAIL_MRK_WARNINGS_AS_ERRORS"

// Warning is a setting that is valid but weakens the trail or its
// protection: the app says so and synthesizes anyway (unless
// CLOUDTRAIL_MRK_WARNINGS_AS_ERRORS is set).
type Warning struct {
	// Field is the path of the setting, for example "trail.multi_region".
	Field string
	// Value is the setting's value.
	Value any
	// Reason says what the setting weakens and which guidance it departs
	// from.
	Reason string
}

// String returns the warning as `<field>: <reason> (got <value>)`, the form
// of a rules.Violation.
func (w Warning) String() string { return w.violation().Error() }

func (w Warning) violation() *rules.Violation {
	return &rules.Violation{Field: w.Field, Rule: w.Reason, Value: w.Value}
}

// WarningsError is the error of a configuration whose warnings are treated
// as errors. It unwraps to one *rules.Violation per warning, so that
// rules.Errors-style callers reach each field, reason and value with
// errors.As.
type WarningsError struct {
	Warnings []Warning
}

// Error lists each warning on its own line.
func (e *WarningsError) Error() string {
	lines := make([]string, len(e.Warnings))
	for i, w := range e.Warnings {
		lines[i] = w.String() + " [a warning, an error because " + WarningsAsErrorsEnvVar + " is set]"
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns each warning as a *rules.Violation.
func (e *WarningsError) Unwrap() []error {
	out := make([]error, len(e.Warnings))
	for i, w := range e.Warnings {
		out[i] = w.violation()
	}
	return out
}

// WarningsAsErrors reports whether CLOUDTRAIL_MRK_WARNINGS_AS_ERRORS asks for
// warnings to be errors; a value other than 1, true, 0, false or empty is an
// error, so that a typo cannot silently switch the check off.
func WarningsAsErrors() (bool, error) {
	switch v := os.Getenv(WarningsAsErrorsEnvVar); strings.ToLower(v) {
	case "1", "true":
		return true, nil
	case "", "0", "false":
		return false, nil
	default:
		return false, &rules.Violation{Field: WarningsAsErrorsEnvVar, Rule: "must be 1 or true (warnings are errors), or 0, false or unset (warnings are printed)", Value: v}
	}
}

// Warnings lists the valid settings of c that weaken the trail, in the order
// of the file's keys. The configuration must be valid. Each reason cites the
// control it departs from: CIS AWS Foundations Benchmark v3.0.0 sections 3
// and 4 (docs/aws-rules.md#cis-logging-controls, #cis-monitoring-controls)
// and AWS Config's cloudtrail-security-trail-enabled
// (docs/aws-rules.md#security-trail-rule).
func (c *Config) Warnings() []Warning {
	var out []Warning
	warn := func(field string, value any, reason string, args ...any) {
		out = append(out, Warning{Field: field, Value: value, Reason: fmt.Sprintf(reason, args...)})
	}
	t := c.Trail
	if !t.MultiRegion {
		warn("trail.multi_region", false, "a single-region trail records nothing that happens in the other regions (CIS AWS Foundations v3.0.0 3.1; AWS Config cloudtrail-security-trail-enabled)")
	}
	if !t.IncludeGlobalServiceEvents {
		warn("trail.include_global_service_events", false, "events of IAM, STS, CloudFront and the other global services are not recorded (AWS Config cloudtrail-security-trail-enabled)")
	}
	if !t.EnableLogFileValidation {
		warn("trail.enable_log_file_validation", false, "no digest files: a log file changed or deleted after delivery cannot be detected (CIS AWS Foundations v3.0.0 3.2; AWS Config cloudtrail-security-trail-enabled)")
		if len(c.Key.Verifiers) > 0 {
			warn("key.verifiers", c.Key.Verifiers, "the verifiers have no digest files to check, since trail.enable_log_file_validation is false: nothing signed by CloudTrail says which log files it delivered or what they held (docs/verify.md#permissions)")
		}
	}
	w := t.CloudWatchLogs
	switch {
	case !w.Enabled:
		warn("trail.cloudwatch_logs.enabled", false, "no log group: the CIS monitoring alarms cannot exist and nothing watches events as they arrive (CIS AWS Foundations v3.0.0 section 4 needs the trail's log group)")
	case !w.Alarms.Enabled:
		warn("trail.cloudwatch_logs.alarms.enabled", false, "no metric filters and alarms on the trail's log group (CIS AWS Foundations v3.0.0 4.1 to 4.15)")
	default:
		cis := map[string]alarms.Control{}
		for _, ctl := range alarms.CISControls {
			cis[ctl.Name] = ctl
		}
		for i, name := range w.Alarms.Disabled {
			if ctl, ok := cis[name]; ok {
				warn(fmt.Sprintf("trail.cloudwatch_logs.alarms.disabled[%d]", i), name, "leaves out the alarm of CIS AWS Foundations v3.0.0 %s (%s)", ctl.CIS, ctl.Title)
			} else if name == alarms.Heartbeat {
				warn(fmt.Sprintf("trail.cloudwatch_logs.alarms.disabled[%d]", i), name, "leaves out the heartbeat: every other alarm treats a period without data as OK, so if events stop reaching the log group (a broken delivery role, a deleted log group, a disabled monitoring key) they all stay OK and nothing says so")
			} else {
				warn(fmt.Sprintf("trail.cloudwatch_logs.alarms.disabled[%d]", i), name, "leaves out a tampering alarm on the trail, the key, the log buckets or the pipeline roles")
			}
		}
	}
	d := t.DataEvents
	if !d.S3Write {
		warn("trail.data_events.s3_write", false, "object-level writes to S3 buckets are not recorded (CIS AWS Foundations v3.0.0 3.8)")
	}
	if !d.S3Read {
		warn("trail.data_events.s3_read", false, "object-level reads of S3 buckets are not recorded (CIS AWS Foundations v3.0.0 3.9)")
	}
	if r := c.Replication; r.Enabled && !r.Alarms.Enabled {
		warn("replication.alarms.enabled", false, "failed replications to the recovery bucket alarm nobody, and S3 does not retry a failed replication: the recovery copy can stay incomplete unnoticed")
	}
	if !c.Bucket.AccessLogs.Enabled && !c.Bucket.Existing {
		warn("bucket.access_logs.enabled", false, "requests to the trail bucket are not logged (CIS AWS Foundations v3.0.0 3.4)")
	}
	if lc := c.Bucket.Lifecycle; lc != nil && lc.TransitionDays > 0 && len(c.Key.Verifiers) > 0 && (lc.TransitionStorageClass == "GLACIER" || lc.TransitionStorageClass == "DEEP_ARCHIVE") {
		// docs/aws-rules.md#archived-objects-need-a-restore
		warn("key.verifiers", c.Key.Verifiers, "bucket.lifecycle moves the log files to %s after %d days, where GetObject refuses them (InvalidObjectState) until someone restores a copy (s3:RestoreObject, which the verifiers are not granted): they cannot verify older files without that restore", lc.TransitionStorageClass, lc.TransitionDays)
	}
	if lc := c.Bucket.Lifecycle; lc != nil && lc.TransitionDays > 0 {
		// docs/aws-rules.md#lifecycle-minimum-object-size: S3's default keeps
		// every object under 128 KB where it is, and we set no other.
		warn("bucket.lifecycle.transition_storage_class", lc.TransitionStorageClass, "S3 does not transition objects smaller than 128 KB by default (TransitionDefaultMinimumObjectSize all_storage_classes_128K), and most CloudTrail log files are smaller: this transition leaves them in S3 Standard and saves little; those it moves to STANDARD_IA, ONEZONE_IA or GLACIER_IR are billed at least 128 KB each, plus a transition request per object")
	}
	for i, t := range c.Bucket.AdditionalDeliveringTrails {
		warn(fmt.Sprintf("bucket.additional_delivering_trails[%d].arn", i), t.ARN, "another trail may write log files into the trail bucket: keep it only for the overlap of a cutover, then stop that trail and remove it here (docs/adopting.md)")
		// docs/aws-rules.md#trail-owner: only the management account owns
		// organization trails.
		if a, err := arn.Parse(t.ARN); err == nil && c.OrganizationID != "" && a.AccountID != c.Accounts.Management.ID {
			warn(fmt.Sprintf("bucket.additional_delivering_trails[%d].arn", i), t.ARN, "a trail of account %s, not the management account %s, is no organization trail: it may deliver only to its own account's path [prefix/]AWSLogs/%s/, not the organization's (docs/adopting.md)", a.AccountID, c.Accounts.Management.ID, a.AccountID)
		}
	}
	if c.AllowDestroy {
		warn("allow_destroy", true, "prevent_destroy is off on the key, its replicas and the trail bucket: a cdktf destroy schedules the key for deletion, after which every log file encrypted with it is unreadable")
	}
	out = append(out, c.existingWarnings()...)
	out = append(out, c.importWarnings()...)
	out = append(out, c.guardrailMonitoringWarnings()...)
	out = append(out, c.guardrailTargetWarnings()...)
	out = append(out, c.policySizeWarnings()...)
	return out
}
