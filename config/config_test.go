package config

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/alarms"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// valid is a minimal valid file; cases below break one thing at a time.
const valid = `
home_region: us-east-1
accounts:
  management: {id: "111111111111"}
  log_archive: {id: "222222222222"}
bucket:
  name: trail-logs-222222222222
`

func TestDefaultIsValid(t *testing.T) {
	c := Default()
	require.NoError(t, c.Validate())
	assert.True(t, c.SingleAccount())
	assert.Equal(t, "arn:aws:cloudtrail:us-east-1:111122223333:trail/cloudtrail-mrk", c.TrailIdentity().ARN())
	assert.True(t, c.Trail.MultiRegion)
	assert.True(t, c.Trail.IncludeGlobalServiceEvents)
	assert.True(t, c.Trail.EnableLogFileValidation)
	assert.False(t, c.AllowDestroy)
	assert.Equal(t, 30, c.Key.DeletionWindowDays)
	assert.Equal(t, "cloudtrail-mrk-logs-111122223333-access-logs", c.Bucket.AccessLogs.BucketName)
}

func TestNotificationDefaults(t *testing.T) {
	c, err := Parse([]byte(valid + "trail: {name: org.trail, notifications: {enabled: true}, cloudwatch_logs: {enabled: false}}\n"))
	require.NoError(t, err)
	assert.Equal(t, "org-trail-notifications", c.Trail.Notifications.TopicName, "periods are not allowed in topic names")
	assert.Equal(t, CloudWatchLogs{RetentionDays: 365, Alarms: Alarms{Heartbeat: Heartbeat{PeriodSeconds: 3600, EvaluationPeriods: 24}}}, c.Trail.CloudWatchLogs)
}

func TestAccessLogsCanBeSwitchedOff(t *testing.T) {
	c, err := Parse([]byte(valid + "  access_logs: {enabled: false}\n"))
	require.NoError(t, err)
	assert.False(t, c.Bucket.AccessLogs.Enabled)
	assert.Empty(t, c.Bucket.AccessLogs.BucketName)
}

func TestParseAppliesDefaults(t *testing.T) {
	c, err := Parse([]byte(valid))
	require.NoError(t, err)
	assert.Equal(t, "cloudtrail-mrk", c.Trail.Name)
	assert.True(t, c.Trail.MultiRegion)
	assert.True(t, c.Trail.EnableLogFileValidation)
	assert.Equal(t, "alias/cloudtrail-mrk", c.Key.Alias)
	assert.Equal(t, 365, c.Key.RotationPeriodDays)
	assert.Equal(t, 30, c.Key.DeletionWindowDays)
	assert.Equal(t, ObjectLock{Mode: "GOVERNANCE", Days: 365}, c.Bucket.ObjectLock)
	assert.Nil(t, c.Bucket.Lifecycle)
	assert.Equal(t, AccessLogs{Enabled: true, BucketName: "trail-logs-222222222222-access-logs", ExpirationDays: 365}, c.Bucket.AccessLogs)
	assert.Equal(t, CloudWatchLogs{Enabled: true, LogGroupName: "cloudtrail/cloudtrail-mrk", RetentionDays: 365, Alarms: Alarms{Enabled: true, TopicName: "cloudtrail-mrk-alarms", WatchdogTopicName: "cloudtrail-mrk-watchdog", Heartbeat: Heartbeat{PeriodSeconds: 3600, EvaluationPeriods: 24}}}, c.Trail.CloudWatchLogs)
	assert.True(t, c.AlarmsEnabled(), "alarms are on by default with CloudWatch Logs")
	assert.Equal(t, Notifications{}, c.Trail.Notifications)
	assert.Equal(t, DataEvents{S3Read: true, S3Write: true}, c.Trail.DataEvents)
	assert.False(t, c.Trail.Insights)
	assert.Nil(t, c.Backend.S3)
	assert.False(t, c.SingleAccount())
	assert.Equal(t, "111111111111", c.TrailIdentity().Account, "the management account owns the trail")
}

func TestParseKeepsExplicitFalse(t *testing.T) {
	c, err := Parse([]byte(valid + "trail:\n  multi_region: false\n  include_global_service_events: false\n"))
	require.NoError(t, err)
	assert.False(t, c.Trail.MultiRegion)
	assert.False(t, c.Trail.IncludeGlobalServiceEvents)
	assert.True(t, c.Trail.EnableLogFileValidation)
}

func TestLateDefaults(t *testing.T) {
	c, err := Parse([]byte(strings.Replace(valid, "name: trail-logs-222222222222", "name: trail-logs-222222222222\n  lifecycle: {transition_days: 10}", 1) + `
backend:
  s3: {bucket: state-bucket-1, region: us-east-1, use_lockfile: true}
`))
	require.NoError(t, err)
	assert.Equal(t, "GLACIER_IR", c.Bucket.Lifecycle.TransitionStorageClass)
	assert.Equal(t, "cloudtrail-mrk", c.Backend.S3.KeyPrefix)
}

func TestExamplesAreValid(t *testing.T) {
	files, err := filepath.Glob("../examples/*.yaml")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 2)
	for _, f := range files {
		c, err := Load(f)
		require.NoError(t, err, f)
		require.NotNil(t, c)
	}
	org, err := Load("../examples/organization.yaml")
	require.NoError(t, err)
	assert.False(t, org.SingleAccount())
	assert.Equal(t, "o-exampleorg1", org.OrganizationID)
	assert.Len(t, org.Key.ReplicaRegions, 2)
}

var update = flag.Bool("update", false, "rewrite testdata/invalid/*.err and testdata/warn/*.warn from what the code reports")

// TestInvalidConfigurations holds one case per rule: every
// testdata/invalid/<case>.yaml must be refused with exactly the problems
// listed in <case>.err, one per line. main_test.go runs the same files through
// the app and checks that nothing is written.
func TestInvalidConfigurations(t *testing.T) {
	files, err := filepath.Glob("../testdata/invalid/*.yaml")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 50)
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".yaml"), func(t *testing.T) {
			c, err := Load(f)
			assert.Nil(t, c)
			var le *LoadError
			require.ErrorAs(t, err, &le)
			if *update {
				require.NoError(t, os.WriteFile(strings.TrimSuffix(f, ".yaml")+".err", []byte(le.Err.Error()+"\n"), 0o644))
			}
			want, err := os.ReadFile(strings.TrimSuffix(f, ".yaml") + ".err")
			require.NoError(t, err, "every invalid configuration needs its .err file")
			assert.Equal(t, f, le.Path)
			assert.Equal(t, strings.TrimSuffix(string(want), "\n"), le.Err.Error())
		})
	}
	errs, err := filepath.Glob("../testdata/invalid/*.err")
	require.NoError(t, err)
	assert.Len(t, errs, len(files), "every .err file needs its .yaml file")
}

func TestLoadFileErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := Load(filepath.Join(dir, "missing.yaml"))
	assert.EqualError(t, err, `config file "`+filepath.Join(dir, "missing.yaml")+`": does not exist (set CLOUDTRAIL_MRK_CONFIG to an existing YAML file, or unset it for the built-in default)`)

	_, err = Load(dir)
	assert.EqualError(t, err, `config file "`+dir+`": is a directory, not a YAML file`)

	empty := filepath.Join(dir, "empty.yaml")
	require.NoError(t, os.WriteFile(empty, nil, 0o600))
	_, err = Load(empty)
	assert.EqualError(t, err, `config file "`+empty+`": the file is empty: it must hold a YAML mapping with at least home_region, accounts and bucket`)

	unreadable := filepath.Join(dir, "unreadable.yaml")
	require.NoError(t, os.WriteFile(unreadable, []byte(valid), 0o000))
	if os.Geteuid() == 0 {
		// Root reads any file; /proc/self/mem is a regular file whose read
		// at offset 0 fails for everyone.
		unreadable = "/proc/self/mem"
	}
	_, err = Load(unreadable)
	assert.ErrorContains(t, err, `config file "`+unreadable+`": cannot be read: `)

	ok := filepath.Join(dir, "ok.yaml")
	require.NoError(t, os.WriteFile(ok, []byte(valid), 0o600))
	c, err := Load(ok)
	require.NoError(t, err)
	assert.Equal(t, "trail-logs-222222222222", c.Bucket.Name)
}

func TestFromEnv(t *testing.T) {
	t.Setenv(EnvVar, "")
	c, src, err := FromEnv()
	require.NoError(t, err)
	assert.Equal(t, Default(), c)
	assert.Equal(t, "built-in default configuration", src)

	t.Setenv(EnvVar, "../examples/organization.yaml")
	c, src, err = FromEnv()
	require.NoError(t, err)
	assert.Equal(t, "444455556666", c.Accounts.LogArchive.ID)
	assert.Equal(t, `config file "../examples/organization.yaml"`, src)
}

func TestUnquotedAccountIDsKeepLeadingZeros(t *testing.T) {
	c, err := Parse([]byte("home_region: us-east-1\naccounts:\n  management: {id: 012345678901}\n  log_archive: {id: 000000000042}\nbucket: {name: trail-logs-1}\n"))
	require.NoError(t, err)
	assert.Equal(t, "012345678901", c.Accounts.Management.ID)
	assert.Equal(t, "000000000042", c.Accounts.LogArchive.ID)
}

func TestReplicationDefaults(t *testing.T) {
	c, err := Parse([]byte(valid + "key: {replica_regions: [us-west-2, eu-west-1]}\nreplication: {enabled: true, region: eu-west-1}\n"))
	require.NoError(t, err)
	assert.Equal(t, Replication{
		Enabled: true, Region: "eu-west-1",
		BucketName:          "trail-logs-222222222222-recovery",
		AccessLogBucketName: "trail-logs-222222222222-recovery-access-logs",
		RoleName:            "cloudtrail-mrk-replication",
		Alarms:              ReplicationAlarms{Enabled: true, TopicName: "cloudtrail-mrk-replication-alarms"},
	}, c.Replication)
	assert.True(t, c.ReplicationAlarmsEnabled(), "the replication alarm is on by default with replication")
	off, err := Parse([]byte(valid))
	require.NoError(t, err)
	assert.Equal(t, Replication{Alarms: ReplicationAlarms{Enabled: true}}, off.Replication, "no topic name without replication")
	assert.False(t, off.ReplicationAlarmsEnabled(), "no replication, no replication alarm")
}

func TestAlarmDefaults(t *testing.T) {
	c, err := Parse([]byte(valid + "trail: {name: org.trail, cloudwatch_logs: {alarms: {disabled: [root-usage], subscriptions: [{protocol: email, endpoint: security@example.com}]}}}\n"))
	require.NoError(t, err)
	assert.Equal(t, Alarms{Enabled: true, TopicName: "org-trail-alarms", WatchdogTopicName: "org-trail-watchdog", Disabled: []string{"root-usage"},
		Subscriptions: []Subscription{{Protocol: "email", Endpoint: "security@example.com"}},
		Heartbeat:     Heartbeat{PeriodSeconds: 3600, EvaluationPeriods: 24}}, c.Trail.CloudWatchLogs.Alarms)

	c, err = Parse([]byte(valid + "trail: {cloudwatch_logs: {enabled: false}}\n"))
	require.NoError(t, err)
	assert.False(t, c.AlarmsEnabled(), "no log group, no alarms")

	c, err = Parse([]byte(valid + "trail: {cloudwatch_logs: {alarms: {enabled: false}}}\n"))
	require.NoError(t, err)
	assert.False(t, c.AlarmsEnabled())
}

// TestValidationErrorsAreReachable: a caller of Validate reaches each
// violation with errors.As and reads its field path, rule and value.
func TestValidationErrorsAreReachable(t *testing.T) {
	c := Default()
	c.Key.RotationPeriodDays = 10
	c.Bucket.ObjectLock.Mode = "LEGAL"
	var errs rules.Errors
	require.ErrorAs(t, c.Validate(), &errs)
	byField := map[string]any{}
	for _, v := range errs.Violations() {
		assert.NotEmpty(t, v.Rule)
		byField[v.Field] = v.Value
	}
	assert.Equal(t, 10, byField["key.rotation_period_days"])
	assert.Equal(t, "LEGAL", byField["bucket.object_lock.mode"])
}

// TestTypeErrorsAreReachable: a value of the wrong type is a *LineError whose
// violation names the field path, the schema's expectation and the whole
// value as written, never a Go type.
func TestTypeErrorsAreReachable(t *testing.T) {
	_, err := Parse([]byte(valid + "tags: {team: [a, b]}\nathena: {bytes_scanned_cutoff: 99999999999999999999}\n"))
	var errs rules.Errors
	require.ErrorAs(t, err, &errs)
	require.Len(t, errs, 2, err.Error())
	var le *LineError
	require.ErrorAs(t, errs[0], &le)
	assert.Equal(t, 8, le.Line)
	assert.Equal(t, `tags["team"]`, le.Violation.Field)
	assert.Equal(t, YAMLValue("[a, b]"), le.Violation.Value)
	vs := errs.Violations()
	require.Len(t, vs, 2)
	assert.Equal(t, "athena.bytes_scanned_cutoff", vs[1].Field)
	assert.Equal(t, YAMLValue("99999999999999999999"), vs[1].Value)
	for _, v := range vs {
		assert.NotRegexp(t, `\b(int|string|bool|map\[|\[\]|!!)`, v.Rule, "no Go or YAML type names")
	}
}

// TestWarnings holds one case per warning: every testdata/warn/<case>.yaml
// is valid and warns exactly the lines of <case>.warn, as the app prints
// them. main_test.go runs the same files through the app.
func TestWarnings(t *testing.T) {
	files, err := filepath.Glob("../testdata/warn/*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".yaml"), func(t *testing.T) {
			c, err := Load(f)
			require.NoError(t, err)
			var got strings.Builder
			for _, w := range c.Warnings() {
				got.WriteString("warning: " + w.String() + "\n")
			}
			require.NotEmpty(t, got.String(), "every configuration of testdata/warn warns")
			wantFile := strings.TrimSuffix(f, ".yaml") + ".warn"
			if *update {
				require.NoError(t, os.WriteFile(wantFile, []byte(got.String()), 0o644))
			}
			want, err := os.ReadFile(wantFile)
			require.NoError(t, err, "every configuration of testdata/warn needs its .warn file")
			assert.Equal(t, string(want), got.String())
		})
	}
	warns, err := filepath.Glob("../testdata/warn/*.warn")
	require.NoError(t, err)
	assert.Len(t, warns, len(files), "every .warn file needs its .yaml file")
}

func TestDefaultHasNoWarnings(t *testing.T) {
	assert.Empty(t, Default().Warnings(), "the built-in default is the secure choice")
}

// TestWarningsAsErrors: the switch refuses a configuration with warnings
// with a *WarningsError that lists each one and unwraps to its violation;
// a value of the switch that is neither on nor off is itself an error.
func TestWarningsAsErrors(t *testing.T) {
	f := "../testdata/warn/single-region.yaml"
	t.Setenv(EnvVar, f)
	for _, v := range []string{"", "0", "false"} {
		t.Setenv(WarningsAsErrorsEnvVar, v)
		_, _, err := FromEnv()
		require.NoError(t, err, v)
	}
	for _, v := range []string{"1", "true", "TRUE"} {
		t.Setenv(WarningsAsErrorsEnvVar, v)
		c, _, err := FromEnv()
		assert.Nil(t, c)
		var we *WarningsError
		require.ErrorAs(t, err, &we, v)
		assert.Len(t, we.Warnings, 2)
		var le *LoadError
		require.ErrorAs(t, err, &le)
		assert.Equal(t, f, le.Path)
		var v1 *rules.Violation
		require.ErrorAs(t, err, &v1)
		assert.Equal(t, "trail.multi_region", v1.Field)
		assert.Equal(t, false, v1.Value)
	}
	t.Setenv(WarningsAsErrorsEnvVar, "yes")
	_, _, err := FromEnv()
	assert.EqualError(t, err, `CLOUDTRAIL_MRK_WARNINGS_AS_ERRORS: must be 1 or true (warnings are errors), or 0, false or unset (warnings are printed) (got "yes")`)

	// Without warnings the switch changes nothing.
	t.Setenv(EnvVar, "")
	t.Setenv(WarningsAsErrorsEnvVar, "1")
	c, _, err := FromEnv()
	require.NoError(t, err)
	assert.Equal(t, Default(), c)
}

// AcceptedWarningsFile lists the warnings the project's own configurations
// cause on purpose; main_test.go and cmd/validate hold them to it too.
const acceptedWarningsFile = "../testdata/accepted-config-warnings.yaml"

// TestProjectConfigurationsWarnOnlyAsAccepted: the examples and the test
// variants (which cmd/validate plans) may warn only as the accepted list
// says, with its reason; and every entry of the list still warns, so that
// it cannot go stale.
func TestProjectConfigurationsWarnOnlyAsAccepted(t *testing.T) {
	accepted, err := LoadAcceptedWarnings(acceptedWarningsFile)
	require.NoError(t, err)
	var files []string
	for _, pattern := range []string{"../examples/*.yaml", "../testdata/variants/*.yaml"} {
		found, err := filepath.Glob(pattern)
		require.NoError(t, err)
		require.NotEmpty(t, found, pattern)
		files = append(files, found...)
	}
	produced := map[[2]string]bool{}
	for _, f := range files {
		rel := strings.TrimPrefix(f, "../")
		c, err := Load(f)
		require.NoError(t, err, f)
		for _, w := range accepted.Unaccepted(rel, c.Warnings()) {
			t.Errorf("%s warns and %s does not accept it:\n  warning: %s", rel, acceptedWarningsFile, w)
		}
		for _, w := range c.Warnings() {
			produced[[2]string{rel, w.Field}] = true
		}
	}
	for _, a := range accepted {
		assert.True(t, produced[[2]string{a.Config, a.Field}], "%s accepts %s in %s, which no longer warns there", acceptedWarningsFile, a.Field, a.Config)
	}
}

// TestAlarmNames: the one list of the CloudWatch alarms a configuration
// creates, in each topology.
func TestAlarmNames(t *testing.T) {
	cis := func(trail string, except ...string) []string {
		var out []string
		for _, c := range alarms.CISControls {
			if !slices.Contains(except, c.Name) {
				out = append(out, trail+"-"+c.Name)
			}
		}
		return out
	}
	sorted := func(v ...[]string) []string {
		out := slices.Concat(v...)
		slices.Sort(out)
		return out
	}
	tampering := func(trail string, names ...string) []string {
		var out []string
		for _, n := range names {
			out = append(out, trail+"-"+n)
		}
		return out
	}
	all := []string{alarms.TrailChanges, alarms.KeyChanges, alarms.LogBucketChanges, alarms.LogObjectDeletions, alarms.PipelineRoleChanges, alarms.Heartbeat}
	monitoring := alarms.MonitoringNames
	var twins []string
	for _, n := range monitoring {
		twins = append(twins, n+alarms.ByDeployerSuffix)
	}
	for _, tc := range []struct {
		name string
		cfg  func(t *testing.T) *Config
		want []string
	}{
		{"default: one account, no replication", func(*testing.T) *Config { return Default() }, sorted(cis("cloudtrail-mrk"), tampering("cloudtrail-mrk", append(all, monitoring...)...))},
		{"organization: replication on", func(t *testing.T) *Config { return mustLoad(t, "../examples/organization.yaml") },
			// The management account's role_arn: the deployer twins; the
			// guardrails: the guardrail tag alarm.
			sorted(cis("organization-trail"), tampering("organization-trail", slices.Concat(all, monitoring, twins, []string{alarms.OrganizationTrustChanges, alarms.GuardrailTagChanges, alarms.ReplicationFailures})...))},
		{"an account trail apart from the log archive, two CIS alarms off", func(t *testing.T) *Config { return mustLoad(t, "../testdata/variants/alarms-account-trail.yaml") },
			sorted(cis("cloudtrail-mrk", "console-sign-in-without-mfa", "unauthorized-api-calls"), tampering("cloudtrail-mrk", append([]string{alarms.TrailChanges, alarms.PipelineRoleChanges, alarms.Heartbeat}, monitoring...)...))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg(t)
			assert.Equal(t, tc.want, cfg.AlarmNames())
		})
	}

	c, err := Parse([]byte(valid + "trail: {cloudwatch_logs: {alarms: {disabled: [heartbeat]}}}\nkey: {replica_regions: [us-west-2]}\nreplication: {enabled: true, region: us-west-2, alarms: {enabled: false}}\n"))
	require.NoError(t, err)
	assert.NotContains(t, c.AlarmNames(), "cloudtrail-mrk-heartbeat")
	assert.NotContains(t, c.AlarmNames(), "cloudtrail-mrk-replication-failures")
	c, err = Parse([]byte(valid + "trail: {cloudwatch_logs: {enabled: false}}\nkey: {replica_regions: [us-west-2]}\nreplication: {enabled: true, region: us-west-2}\n"))
	require.NoError(t, err)
	assert.Equal(t, []string{"cloudtrail-mrk-replication-failures"}, c.AlarmNames(), "without a log group only the replication alarm")
}

func mustLoad(t *testing.T, path string) *Config {
	t.Helper()
	c, err := Load(path)
	require.NoError(t, err)
	return c
}
