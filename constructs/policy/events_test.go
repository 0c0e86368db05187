package policy

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSelectorsLogTheLogBucketsApartFromEveryOtherBucket(t *testing.T) {
	sels := DataEventSelection{
		Partition: "aws", LogBuckets: []string{"logs", "logs-access"}, S3Read: true, S3Write: true,
	}.Selectors()
	require.Len(t, sels, 3)
	assert.Equal(t, EventSelector{Name: "Management events", Fields: []FieldSelector{{Field: "eventCategory", Equals: []string{"Management"}}}}, sels[0])
	own := []string{"arn:aws:s3:::logs/", "arn:aws:s3:::logs-access/"}
	assert.Equal(t, []FieldSelector{
		{Field: "eventCategory", Equals: []string{"Data"}},
		{Field: "resources.type", Equals: []string{"AWS::S3::Object"}},
		{Field: "resources.ARN", StartsWith: own},
		{Field: "eventName", NotEquals: []string{"PutObject", "ReplicateObject", "ReplicateTags"}},
	}, sels[1].Fields)
	assert.Equal(t, []FieldSelector{
		{Field: "eventCategory", Equals: []string{"Data"}},
		{Field: "resources.type", Equals: []string{"AWS::S3::Object"}},
		{Field: "resources.ARN", NotStartsWith: own},
	}, sels[2].Fields, "reads and writes of every other bucket, no readOnly condition")
}

func TestSelectorsReadOrWriteOnly(t *testing.T) {
	read := DataEventSelection{Partition: "aws-cn", LogBuckets: []string{"logs"}, S3Read: true}.Selectors()
	require.Len(t, read, 3)
	assert.Contains(t, read[2].Fields, FieldSelector{Field: "readOnly", Equals: []string{"true"}})
	assert.Contains(t, read[2].Fields, FieldSelector{Field: "resources.ARN", NotStartsWith: []string{"arn:aws-cn:s3:::logs/"}})
	write := DataEventSelection{Partition: "aws", LogBuckets: []string{"logs"}, S3Write: true, Lambda: true}.Selectors()
	require.Len(t, write, 4)
	assert.Contains(t, write[2].Fields, FieldSelector{Field: "readOnly", Equals: []string{"false"}})
	assert.Equal(t, "Lambda invokes", write[3].Name)
	none := DataEventSelection{Partition: "aws", LogBuckets: []string{"logs"}}.Selectors()
	assert.Len(t, none, 2, "management events and the log buckets, whatever the switches say")
}

func TestSelectorsStayWithinCloudTrailsValueLimit(t *testing.T) {
	// The most a configuration can ask for: 249 named buckets (config
	// rule), four log buckets, read-only and Lambda.
	var named []string
	for i := range 249 {
		named = append(named, fmt.Sprintf("bucket-%03d", i))
	}
	sels := DataEventSelection{
		Partition: "aws", LogBuckets: []string{"a", "b", "c", "d"}, S3Read: true, S3Buckets: named, Lambda: true,
	}.Selectors()
	n := CountSelectorValues(sels)
	assert.Equal(t, 1+(2+4+3)+(2+1+249)+2, n)
	assert.LessOrEqual(t, n, MaxSelectorValues)
	assert.Len(t, sels, 4, "within even the five selectors of basic event selectors")
}
