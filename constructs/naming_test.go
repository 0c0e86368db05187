package constructs

import (
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
	"github.com/stretchr/testify/assert"

	st "github.com/cloudtrail-mrk/cloudtrail-mrk/internal/proof/synthtest"
)

// policyResources are the resource types whose "policy" is a document with
// an Id.
var policyResources = []string{"aws_kms_key", "aws_kms_replica_key", "aws_s3_bucket_policy", "aws_sns_topic_policy"}

// policyIDs maps the Id of every policy document of doc's policyResources
// (those that have one) to how many documents carry it.
func policyIDs(t *testing.T, doc st.Doc) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, typ := range policyResources {
		for _, r := range doc.Resources(typ) {
			if id := st.Policy(t, r).ID; id != "" {
				out[id]++
			}
		}
	}
	return out
}

// keyDescriptions are the descriptions of the single-region keys.
func keyDescriptions(doc st.Doc) []string {
	var out []string
	for _, k := range doc.Resources("aws_kms_key") {
		if k["multi_region"] != true {
			out = append(out, k["description"].(string))
		}
	}
	return out
}

// metricNamespaces are the namespaces of the metric filters and of the
// alarms on their metrics.
func metricNamespaces(doc st.Doc) map[string]bool {
	out := map[string]bool{}
	for _, f := range doc.Resources("aws_cloudwatch_log_metric_filter") {
		out[f["metric_transformation"].(map[string]any)["namespace"].(string)] = true
	}
	for _, a := range doc.Resources("aws_cloudwatch_metric_alarm") {
		if ns := a["namespace"].(string); !strings.HasPrefix(ns, "AWS/") {
			out[ns] = true
		}
	}
	return out
}

// TestDefaultNamingNamesNoApp: built with every default naming, the
// library's output names no app: not this project's name in any spelling
// (no name the test chose contains it), the policies' Ids are neutral, the
// descriptions carry no label, and the alarms' metrics are in
// DefaultAlarmNamespacePrefix and the trail's name.
func TestDefaultNamingNamesNoApp(t *testing.T) {
	f := newFixture(t)
	allConstructs(t, f, Naming{})
	out := *cdktf.Testing_Synth(f.stack, jsii.Bool(false))
	for _, name := range []string{"cloudtrail-mrk", "cloudtrailmrk", "cloudtrail_mrk"} {
		assert.NotContains(t, strings.ToLower(out), name)
	}
	doc := st.Parse(t, out)
	assert.Equal(t, map[string]int{
		"key-policy": 3, "bucket-policy": 1, "access-log-bucket-policy": 1, "recovery-bucket-policy": 1,
		"monitoring-key-policy": 1, "alarm-key-policy": 2, "athena-results-key-policy": 1,
		"topic-policy": 1, "alarm-topic-policy": 3,
	}, policyIDs(t, doc))
	descriptions := keyDescriptions(doc)
	assert.Len(t, descriptions, 4, "the monitoring, watchdog, replication alarm and Athena results keys")
	for _, d := range descriptions {
		assert.NotContains(t, d, "(", "no label: %s", d)
	}
	_, primary := doc.OnlyWhere(t, "aws_kms_key", "multi_region", true)
	assert.Equal(t, DefaultKeyDescription, primary["description"])
	assert.Equal(t, map[string]bool{"CloudTrail/org-trail": true}, metricNamespaces(doc))
}

// TestNamingLabels: an app's Naming labels every policy Id and description
// the constructs write, and prefixes the alarms' namespace; what the caller
// wrote (the multi-region key's policy) stays as written.
func TestNamingLabels(t *testing.T) {
	f := newFixture(t)
	allConstructs(t, f, Naming{Label: "acme-audit", AlarmNamespacePrefix: "AcmeAudit/"})
	doc := f.synth(t)
	ids := policyIDs(t, doc)
	assert.Equal(t, 3, ids["key-policy"], "the caller's key policies, as written")
	delete(ids, "key-policy")
	assert.Len(t, ids, 8)
	for id := range ids {
		assert.True(t, strings.HasPrefix(id, "acme-audit-"), "labeled: %s", id)
	}
	for _, d := range keyDescriptions(doc) {
		assert.True(t, strings.HasSuffix(d, " (acme-audit)"), "labeled: %s", d)
	}
	_, primary := doc.OnlyWhere(t, "aws_kms_key", "multi_region", true)
	assert.Equal(t, DefaultKeyDescription+" (acme-audit)", primary["description"])
	_, db := doc.Only(t, "aws_glue_catalog_database")
	_, workgroup := doc.Only(t, "aws_athena_workgroup")
	_, role := doc.OnlyWhere(t, "aws_iam_role", "name", "query")
	for _, r := range []map[string]any{db, workgroup, role} {
		assert.True(t, strings.HasSuffix(r["description"].(string), " (acme-audit)"), "labeled: %s", r["description"])
	}
	assert.Equal(t, map[string]bool{"AcmeAudit/org-trail": true}, metricNamespaces(doc))
}

// TestNamingIsValidated: a bad label or namespace prefix is an error of the
// props, before anything is created.
func TestNamingIsValidated(t *testing.T) {
	f := newFixture(t)
	k := f.key(t, nil)
	b := f.bucket(t, k, nil)
	long := strings.Repeat("n", 250) + "/"
	for _, tc := range []struct {
		naming Naming
		want   string
	}{
		{Naming{Label: "acme audit"}, `TrailProps.Naming.Label: must be at most 64 letters, digits, '.', '_' or '-' (got "acme audit")`},
		{Naming{Label: strings.Repeat("a", 65)}, `TrailProps.Naming.Label: must be at most 64`},
		{Naming{AlarmNamespacePrefix: "AWS/Trails/"}, `TrailProps.Naming.AlarmNamespacePrefix: must not begin with "AWS/": AWS services publish their metrics there (got "AWS/Trails/")`},
		{Naming{AlarmNamespacePrefix: "Audit:"}, `TrailProps.Naming.AlarmNamespacePrefix: must not hold ':', '*' or '$'`},
		{Naming{AlarmNamespacePrefix: long}, `TrailProps.Naming.AlarmNamespacePrefix: with the trail's name "org-trail" must be at most 255 characters`},
	} {
		_, err := NewTrail(f.stack, "Trail", TrailProps{Bucket: b, Key: k, CloudWatchLogs: &CloudWatchLogsProps{Alarms: &AlarmsProps{}}, Naming: tc.naming})
		assert.ErrorContains(t, err, tc.want)
		assert.Nil(t, f.stack.Node().TryFindChild(jsii.String("Trail")), "nothing added")
	}
	_, err := NewAccessLogBucket(f.stack, "Logs", AccessLogBucketProps{BucketName: "access-logs-test", Partition: "aws", Account: "222222222222", SourceBuckets: []string{"trail-logs-test"},
		Naming: Naming{Label: "ü"}})
	assert.ErrorContains(t, err, `AccessLogBucketProps.Naming.Label: must be at most 64`)
}
