package constructs

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
	st "github.com/cloudtrail-mrk/cloudtrail-mrk/internal/proof/synthtest"
)

// TestAthenaQueryDefaults: the props that have a default in package rules
// may be left out; they resolve on a copy, to the values the configuration
// file uses, and the caller's props and slices stay as they were.
func TestAthenaQueryDefaults(t *testing.T) {
	f := newFixture(t)
	k := f.key(t, nil)
	b := f.bucket(t, k, nil)
	accounts, readers := []string{"111111111111"}, []string{"333333333333"}
	props := AthenaQueryProps{Bucket: b, Key: k, Account: "222222222222", Accounts: accounts, Readers: readers}
	before := props
	q, err := NewAthenaQuery(f.stack, "Athena", props)
	require.NoError(t, err)
	assert.Equal(t, before, props)
	accounts[0] = "444444444444"
	assert.Equal(t, []string{"111111111111"}, q.Table().Accounts, "the construct keeps its own copy")

	assert.Equal(t, rules.DefaultAthenaWorkgroup, q.WorkgroupName())
	assert.Equal(t, "trail-logs-test-athena-results", q.ResultsBucketName())
	assert.Equal(t, rules.DefaultAthenaProjectionStart, q.Table().ProjectionStart)
	assert.Equal(t, regionsOf("aws"), q.Table().Regions)
	doc := f.synth(t)
	_, db := doc.Only(t, "aws_glue_catalog_database")
	assert.Equal(t, "cloudtrail_mrk", db["name"])
	_, table := doc.Only(t, "aws_glue_catalog_table")
	assert.Equal(t, "cloudtrail_logs", table["name"])
	_, wg := doc.Only(t, "aws_athena_workgroup")
	assert.Equal(t, "cloudtrail-mrk", wg["name"])
	assert.Equal(t, float64(100*1024*1024*1024), wg["configuration"].(map[string]any)["bytes_scanned_cutoff_per_query"])
	_, role := doc.OnlyWhere(t, "aws_iam_role", "name", "cloudtrail-mrk-athena-query")
	assert.NotNil(t, role)
	var expiration []any
	for _, lc := range doc.Resources("aws_s3_bucket_lifecycle_configuration") {
		if rule := lc["rule"].([]any)[0].(map[string]any); rule["id"] == "query-results" {
			expiration = append(expiration, st.Object(rule, "expiration")["days"])
		}
	}
	assert.Equal(t, []any{float64(rules.DefaultAthenaResultsDays)}, expiration)
}

// TestAthenaResultsBucketNameTooLong: with a bucket name too long to derive
// the results bucket's name, ResultsBucketName is required.
func TestAthenaResultsBucketNameTooLong(t *testing.T) {
	f := newFixture(t)
	k := f.key(t, nil)
	b, err := TrailBucketFromName(ExistingTrailBucketProps{BucketName: strings.Repeat("a", 50), Region: "us-east-1", Trail: testTrail, KeyPrefix: "trail"})
	require.NoError(t, err)
	props := AthenaQueryProps{Bucket: b, Key: k, Account: "222222222222", Accounts: []string{"111111111111"}, Readers: []string{"333333333333"}}
	_, err = NewAthenaQuery(f.stack, "Athena", props)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "AthenaQueryProps.ResultsBucketName")
	assert.Contains(t, err.Error(), "is required when the default")
	props.ResultsBucketName = "athena-results-test"
	_, err = NewAthenaQuery(f.stack, "Athena", props)
	require.NoError(t, err)
}
