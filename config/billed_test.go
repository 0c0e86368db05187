package config

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBilledFeaturesOfTheDefault(t *testing.T) {
	c := Default()
	assert.Equal(t, []string{
		"S3 data events (read, write) on every bucket",
		"CloudWatch Logs delivery kept 365 days",
		"25 CloudWatch alarms and 24 custom metrics",
		"3 KMS keys + 1 replica",
		"S3 server access logs",
	}, c.BilledFeatures())
	assert.Equal(t, "cloudtrail-mrk: billed features turned on: S3 data events (read, write) on every bucket, "+
		"CloudWatch Logs delivery kept 365 days, 25 CloudWatch alarms and 24 custom metrics, 3 KMS keys + 1 replica, "+
		"S3 server access logs; see docs/costs.md", c.BilledFeaturesLine())
	assert.NotContains(t, c.BilledFeaturesLine(), "warning", "an information line, not a warning")
}

func TestBilledFeaturesOfTheOrganizationExample(t *testing.T) {
	c, err := Load("../examples/organization.yaml")
	require.NoError(t, err)
	assert.Equal(t, "cloudtrail-mrk: billed features turned on: S3 data events (read, write) on every bucket, "+
		"Insights (API call rate, API error rate), CloudWatch Logs delivery kept 400 days, "+
		"32 CloudWatch alarms and 30 custom metrics, 4 KMS keys + 2 replicas, an SNS notification of every log file, "+
		"replication to us-west-2 with replication metrics, S3 server access logs; see docs/costs.md", c.BilledFeaturesLine())
}

// TestBilledFeatures changes one setting of the default at a time and
// checks the feature it turns on or off, and nothing else.
func TestBilledFeatures(t *testing.T) {
	def := Default().BilledFeatures()
	without := func(drop ...string) []string {
		var out []string
		for _, f := range def {
			keep := true
			for _, d := range drop {
				keep = keep && f != d
			}
			if keep {
				out = append(out, f)
			}
		}
		return out
	}
	replace := func(old, new string) []string {
		out := append([]string(nil), def...)
		for i, f := range out {
			if f == old {
				out[i] = new
			}
		}
		return out
	}
	const (
		s3     = "S3 data events (read, write) on every bucket"
		logs   = "CloudWatch Logs delivery kept 365 days"
		alarm  = "25 CloudWatch alarms and 24 custom metrics"
		keys   = "3 KMS keys + 1 replica"
		access = "S3 server access logs"
	)
	cases := []struct {
		name   string
		change func(*Config)
		want   []string
	}{
		{"S3 reads only", func(c *Config) { c.Trail.DataEvents.S3Write = false }, replace(s3, "S3 data events (read) on every bucket")},
		{"S3 writes only", func(c *Config) { c.Trail.DataEvents.S3Read = false }, replace(s3, "S3 data events (write) on every bucket")},
		{"S3 data events off", func(c *Config) { c.Trail.DataEvents.S3Read, c.Trail.DataEvents.S3Write = false, false },
			replace(s3, "S3 data events on the log buckets only")},
		{"named buckets", func(c *Config) { c.Trail.DataEvents.S3Buckets = []string{"a-bucket", "b-bucket"} },
			replace(s3, "S3 data events (read, write) on 2 named buckets and the log buckets")},
		{"one named bucket", func(c *Config) { c.Trail.DataEvents.S3Buckets = []string{"a-bucket"} },
			replace(s3, "S3 data events (read, write) on 1 named bucket and the log buckets")},
		{"Lambda", func(c *Config) { c.Trail.DataEvents.Lambda = true },
			append([]string{s3, "Lambda data events on every function"}, def[1:]...)},
		{"Insights", func(c *Config) { c.Trail.Insights = true },
			append([]string{s3, "Insights (API call rate, API error rate)"}, def[1:]...)},
		{"retention", func(c *Config) { c.Trail.CloudWatchLogs.RetentionDays = 1 }, replace(logs, "CloudWatch Logs delivery kept 1 day")},
		{"CloudWatch Logs off", func(c *Config) { c.Trail.CloudWatchLogs.Enabled = false },
			// No log group: no alarms, no monitoring key, no watchdog key.
			[]string{s3, "1 KMS key + 1 replica", access}},
		{"alarms off", func(c *Config) { c.Trail.CloudWatchLogs.Alarms.Enabled = false },
			[]string{s3, logs, "2 KMS keys + 1 replica", access}},
		{"heartbeat off", func(c *Config) { c.Trail.CloudWatchLogs.Alarms.Disabled = []string{"heartbeat"} },
			replace(alarm, "24 CloudWatch alarms and 24 custom metrics")},
		{"a CIS alarm off", func(c *Config) { c.Trail.CloudWatchLogs.Alarms.Disabled = []string{"root-usage"} },
			replace(alarm, "24 CloudWatch alarms and 23 custom metrics")},
		{"no replica", func(c *Config) { c.Key.ReplicaRegions = nil }, replace(keys, "3 KMS keys")},
		{"notifications", func(c *Config) { c.Trail.Notifications.Enabled = true },
			[]string{s3, logs, alarm, keys, "an SNS notification of every log file", access}},
		{"notifications without CloudWatch Logs", func(c *Config) {
			c.Trail.CloudWatchLogs.Enabled = false
			c.Trail.Notifications.Enabled = true
		}, []string{s3, "2 KMS keys + 1 replica", "an SNS notification of every log file", access}},
		{"replication", func(c *Config) { c.Replication.Enabled, c.Replication.Region = true, "us-west-2" },
			[]string{s3, logs, "26 CloudWatch alarms and 24 custom metrics", "4 KMS keys + 1 replica", "replication to us-west-2 with replication metrics", access}},
		{"replication without its alarm", func(c *Config) {
			c.Replication.Enabled, c.Replication.Region = true, "us-west-2"
			c.Replication.Alarms.Enabled = false
		}, []string{s3, logs, alarm, keys, "replication to us-west-2", access}},
		{"Athena", func(c *Config) {
			c.Athena.Enabled = true
			c.Key.Readers = []string{"arn:aws:iam::111122223333:role/LogReader"}
		},
			[]string{s3, logs, alarm, "4 KMS keys + 1 replica", "Athena queries (cut off at 100 GiB scanned each)", access}},
		{"access logs off", func(c *Config) { c.Bucket.AccessLogs.Enabled = false }, without(access)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			tc.change(c)
			c.applyLateDefaults()
			require.NoError(t, c.Validate())
			assert.Equal(t, tc.want, c.BilledFeatures())
		})
	}
}

func TestBytesText(t *testing.T) {
	for n, want := range map[int64]string{
		10 << 20: "10 MiB", 100 << 30: "100 GiB", 2 << 40: "2 TiB", (1 << 30) + (1 << 20): "1025 MiB", 12345: "12345 bytes",
	} {
		assert.Equal(t, want, bytesText(n))
	}
}

// TestBilledCountsMatchTheGoldens holds the counts of the information line
// to what is synthesized: the KMS keys and replicas, the alarms, the
// distinct custom metrics of the metric filters and the Insights selectors
// of every configuration with golden files (../testdata/<name>/).
func TestBilledCountsMatchTheGoldens(t *testing.T) {
	configs := map[string]*Config{"default": Default()}
	for _, name := range []string{"organization", "single-account", "delegated-admin"} {
		c, err := Load("../examples/" + name + ".yaml")
		require.NoError(t, err)
		configs[name] = c
	}
	for name, c := range configs {
		t.Run(name, func(t *testing.T) {
			files, err := filepath.Glob(filepath.Join("..", "testdata", name, "*.tf.json"))
			require.NoError(t, err)
			require.NotEmpty(t, files)
			counts := map[string]int{}
			metrics := map[string]bool{}
			insights := false
			for _, f := range files {
				data, err := os.ReadFile(f)
				require.NoError(t, err)
				var doc struct {
					Resource map[string]map[string]map[string]any `json:"resource"`
				}
				require.NoError(t, json.Unmarshal(data, &doc), f)
				for typ, rs := range doc.Resource {
					counts[typ] += len(rs)
				}
				for _, mf := range doc.Resource["aws_cloudwatch_log_metric_filter"] {
					ts, ok := mf["metric_transformation"].([]any)
					if !ok {
						ts = []any{mf["metric_transformation"]}
					}
					for _, tr := range ts {
						m := tr.(map[string]any)
						metrics[m["namespace"].(string)+"/"+m["name"].(string)] = true
					}
				}
				for _, trail := range doc.Resource["aws_cloudtrail"] {
					insights = insights || trail["insight_selector"] != nil
				}
			}
			keys, replicas := c.KMSKeys()
			assert.Equal(t, counts["aws_kms_key"], keys, "KMS keys")
			assert.Equal(t, counts["aws_kms_replica_key"], replicas, "replicas")
			assert.Equal(t, counts["aws_cloudwatch_metric_alarm"], len(c.AlarmNames()), "alarms")
			assert.Equal(t, len(metrics), c.AlarmMetrics(), "custom metrics")
			assert.Equal(t, insights, c.Trail.Insights, "Insights")
		})
	}
}
