package stacks

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/config"
)

const existingKeyID = "mrk-1234abcd12ab34cd56ef1234567890ab"

// An existing bucket and key (bucket.existing, key.existing_arns): no bucket
// or key resource anywhere, the trail names both literally, and the
// tampering alarm watches the existing key's id.
func TestExistingBucketAndKeyCreateNothing(t *testing.T) {
	cfg := load(t, "../testdata/warn/existing-bucket-and-key.yaml")
	s, docs := synthApp(t, cfg)
	require.Nil(t, s.LogArchive.Key)
	require.Nil(t, s.LogArchive.Bucket)
	require.NotNil(t, s.LogArchive.ExistingKey)
	require.NotNil(t, s.LogArchive.ExistingBucket)
	for name, d := range docs {
		for _, typ := range []string{"aws_s3_bucket", "aws_s3_bucket_policy", "aws_kms_replica_key", "aws_kms_alias"} {
			assert.Zero(t, d.Count(typ), "stack %s: %s", name, typ)
		}
		for _, k := range d.Resources("aws_kms_key") {
			assert.NotEqual(t, true, k["multi_region"], "stack %s creates a multi-region key", name)
		}
	}
	_, trail := docs[ManagementStackName].Only(t, "aws_cloudtrail")
	assert.Equal(t, cfg.Key.ExistingARNs[0], trail["kms_key_id"])
	assert.Equal(t, cfg.Bucket.Name, trail["s3_bucket_name"])
	var watched bool
	for _, f := range docs[ManagementStackName].Resources("aws_cloudwatch_log_metric_filter") {
		p, _ := f["pattern"].(string)
		// The key id is split out of the literal ARN by Terraform.
		if strings.Contains(p, "ScheduleKeyDeletion") && strings.Contains(p, "111111111111") {
			watched = true
		}
	}
	assert.True(t, watched, "no key-changes filter on the log-archive account's key")
}

// An existing key with a bucket of ours: the bucket is encrypted with the
// key's home-region copy; no key is created.
func TestExistingKeyWithOwnBucket(t *testing.T) {
	cfg := load(t, "../testdata/warn/existing-bucket-and-key.yaml")
	cfg.Bucket.Existing = false
	cfg.Bucket.AccessLogs.Enabled = true
	cfg.Bucket.AccessLogs.BucketName = cfg.Bucket.Name + config.DefaultAccessLogSuffix
	_, docs := synthApp(t, cfg)
	d := docs[LogArchiveStackName]
	assert.Equal(t, 2, d.Count("aws_s3_bucket"))
	assert.Zero(t, d.Count("aws_kms_key"))
	data, err := json.Marshal(d.Resources("aws_s3_bucket_server_side_encryption_configuration"))
	require.NoError(t, err)
	assert.Contains(t, string(data), cfg.Key.ExistingARNs[0])
}

// An existing bucket with a key of ours: the key and its policy (the
// trail's statements) are created, the bucket is not.
func TestExistingBucketWithOwnKey(t *testing.T) {
	cfg := load(t, "../testdata/warn/existing-bucket-and-key.yaml")
	cfg.Key.ExistingARNs = nil
	_, docs := synthApp(t, cfg)
	d := docs[LogArchiveStackName]
	assert.Zero(t, d.Count("aws_s3_bucket"))
	_, key := d.OnlyWhere(t, "aws_kms_key", "multi_region", true)
	assert.Contains(t, key["policy"], "cloudtrail.amazonaws.com")
}
