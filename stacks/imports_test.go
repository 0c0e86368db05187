package stacks

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/config"
	st "github.com/cloudtrail-mrk/cloudtrail-mrk/internal/proof/synthtest"
)

// importBlocks returns a stack's top-level import blocks by their `to`.
func importBlocks(t *testing.T, d st.Doc) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	blocks, _ := d["import"].([]any)
	for _, b := range blocks {
		m, ok := b.(map[string]any)
		require.True(t, ok, "an import block is an object: %v", b)
		to, _ := m["to"].(string)
		require.NotContains(t, out, to, "two import blocks for %s", to)
		out[to] = m
	}
	return out
}

// bucket.import and key.import_arn: the log-archive stack creates the bucket
// and the key as usual and imports exactly the bucket, its versioning, its
// Object Lock configuration (by the bucket name) and the primary key (by its
// mrk- key id), each through the provider of the resource it imports; no
// replica, alias or other setting is imported, and the management stack
// imports nothing.
func TestImportBlocks(t *testing.T) {
	cfg := load(t, "../testdata/warn/import-bucket-and-key.yaml")
	_, docs := synthApp(t, cfg)
	assert.Empty(t, importBlocks(t, docs[ManagementStackName]), "the management stack imports nothing")

	d := docs[LogArchiveStackName]
	blocks := importBlocks(t, d)
	keyName, _ := d.OnlyWhere(t, "aws_kms_key", "multi_region", true)
	bucketName, _ := d.OnlyWhere(t, "aws_s3_bucket", "bucket", cfg.Bucket.Name)
	// The trail bucket's settings (the access-log bucket has versioning too).
	ref := "${aws_s3_bucket." + bucketName + ".id}"
	versioning, _ := d.OnlyWhere(t, "aws_s3_bucket_versioning", "bucket", ref)
	lock, _ := d.OnlyWhere(t, "aws_s3_bucket_object_lock_configuration", "bucket", ref)
	want := map[string]string{
		"aws_kms_key." + keyName:                          "mrk-1234abcd12ab34cd56ef1234567890ab",
		"aws_s3_bucket." + bucketName:                     cfg.Bucket.Name,
		"aws_s3_bucket_versioning." + versioning:          cfg.Bucket.Name,
		"aws_s3_bucket_object_lock_configuration." + lock: cfg.Bucket.Name,
	}
	js, _ := json.MarshalIndent(d["import"], "", "  ")
	require.Len(t, blocks, len(want), "import blocks:\n%s", js)
	for to, id := range want {
		b, ok := blocks[to]
		require.True(t, ok, "no import block for %s:\n%s", to, js)
		assert.Equal(t, id, b["id"], "import id of %s", to)
		typ, name := splitAddress(t, to)
		r := d.Resources(typ)[name]
		require.NotNil(t, r, "%s is not a resource of the stack", to)
		// The import goes through the resource's own provider: both name
		// none here, the stack's default provider of the home region.
		assert.Equal(t, r["provider"], b["provider"], "provider of the import of %s", to)
		if typ == "aws_kms_key" || typ == "aws_s3_bucket" {
			// What refuses a replacement the import would plan.
			assert.Equal(t, map[string]any{"prevent_destroy": true}, pick(r["lifecycle"], "prevent_destroy"), "%s keeps prevent_destroy", to)
		}
	}
	for _, p := range d.Providers() {
		if p["alias"] == nil {
			assert.Equal(t, cfg.HomeRegion, p["region"], "the default provider is the home region's")
		}
	}
	// Replicas and aliases are created, not imported.
	assert.Equal(t, 1, d.Count("aws_kms_replica_key"))
	assert.Equal(t, 2, d.Count("aws_kms_alias"))
	// Tags stay managed (docs/aws-rules.md#tags-on-import): nothing ignores
	// changes on what is taken over, so the warning that the owner's tags
	// are removed is true.
	for _, to := range []string{"aws_kms_key." + keyName, "aws_s3_bucket." + bucketName} {
		typ, name := splitAddress(t, to)
		lc, _ := d.Resources(typ)[name]["lifecycle"].(map[string]any)
		assert.NotContains(t, lc, "ignore_changes", "%s", to)
	}
	checkImportedKeyPreconditions(t, cfg, d)
	checkImportedBucketRegion(t, cfg, d, bucketName)
	checkOwnershipFirst(t, d, ref)
}

// bucket.import: the plan reads the imported bucket (data source
// aws_s3_bucket, through the bucket's provider) and a precondition on the
// bucket fails it unless the bucket is in the home region, where its key
// copy and this configuration's settings are. (Part of TestImportBlocks.)
func checkImportedBucketRegion(t *testing.T, cfg *config.Config, d st.Doc, bucketName string) {
	t.Helper()
	data := st.Object(st.Object(d, "data"), "aws_s3_bucket")
	require.Len(t, data, 1, "one aws_s3_bucket data source: %v", data)
	var dataName string
	for name, v := range data {
		dataName = name
		ds, _ := v.(map[string]any)
		assert.Equal(t, cfg.Bucket.Name, ds["bucket"], "the data source reads the imported bucket")
		assert.Nil(t, ds["provider"], "through the home region's default provider, the bucket's")
	}
	lc, ok := d.Resources("aws_s3_bucket")[bucketName]["lifecycle"].(map[string]any)
	require.True(t, ok, "aws_s3_bucket.%s has a lifecycle", bucketName)
	pre, _ := lc["precondition"].([]any)
	require.Len(t, pre, 1, "preconditions of aws_s3_bucket.%s: %v", bucketName, pre)
	m, _ := pre[0].(map[string]any)
	assert.Equal(t, `${data.aws_s3_bucket.`+dataName+`.region == "`+cfg.HomeRegion+`"}`, m["condition"])
	assert.Contains(t, m["error_message"], cfg.Bucket.Name)
}

// bucket.import: the ownership controls (which S3 refuses on a bucket whose
// ACL grants others: docs/aws-rules.md#bucket-acl-before-owner-enforced)
// come before every write that cuts another writer's delivery: the bucket
// policy, default encryption, public access block and Object Lock
// configuration of the trail bucket, and, with key.import_arn, the key (its
// policy), its replicas and aliases. (Part of TestImportBlocks.)
func checkOwnershipFirst(t *testing.T, d st.Doc, bucketRef string) {
	t.Helper()
	ownership, _ := d.OnlyWhere(t, "aws_s3_bucket_ownership_controls", "bucket", bucketRef)
	want := "aws_s3_bucket_ownership_controls." + ownership
	dependsOn := func(typ, name string) []any {
		deps, _ := d.Resources(typ)[name]["depends_on"].([]any)
		return deps
	}
	for _, typ := range []string{"aws_s3_bucket_policy", "aws_s3_bucket_server_side_encryption_configuration", "aws_s3_bucket_public_access_block", "aws_s3_bucket_object_lock_configuration"} {
		name, _ := d.OnlyWhere(t, typ, "bucket", bucketRef)
		assert.Contains(t, dependsOn(typ, name), want, "%s.%s waits for the ownership controls", typ, name)
	}
	n := 0
	for _, typ := range []string{"aws_kms_key", "aws_kms_replica_key", "aws_kms_alias"} {
		for name := range d.Resources(typ) {
			n++
			assert.Contains(t, dependsOn(typ, name), want, "%s.%s waits for the ownership controls", typ, name)
		}
	}
	assert.Equal(t, 4, n, "the key, its replica and two aliases")
}

// key.import_arn: the plan reads the imported key (data source aws_kms_key,
// by its ARN, through the primary key's provider) and fails, before
// anything changes, unless it is a symmetric encryption multi-Region
// PRIMARY key with key material from KMS: a replica in the home region has
// the same ARN shape and key id (docs/aws-rules.md#imported-key-checks).
// The conditions are Terraform expressions; the measurement that they hold
// and fail as meant is recorded there.
// (Part of TestImportBlocks, which synthesizes the stack once.)
func checkImportedKeyPreconditions(t *testing.T, cfg *config.Config, d st.Doc) {
	t.Helper()
	data := st.Object(st.Object(d, "data"), "aws_kms_key")
	require.Len(t, data, 1, "one aws_kms_key data source: %v", data)
	var dataName string
	for name, v := range data {
		dataName = name
		ds, _ := v.(map[string]any)
		assert.Equal(t, cfg.Key.ImportARN, ds["key_id"], "the data source reads the imported key by its ARN")
		assert.Nil(t, ds["provider"], "through the home region's default provider, the primary key's")
	}
	keyName, key := d.OnlyWhere(t, "aws_kms_key", "multi_region", true)
	assert.Nil(t, key["provider"])
	ref := "data.aws_kms_key." + dataName
	want := []string{
		"${" + ref + ".multi_region == true}",
		"${try(" + ref + `.multi_region_configuration[0].multi_region_key_type, "") == "PRIMARY"}`,
		"${" + ref + `.customer_master_key_spec == "SYMMETRIC_DEFAULT"}`,
		"${" + ref + `.key_usage == "ENCRYPT_DECRYPT"}`,
		"${" + ref + `.origin == "AWS_KMS"}`,
		`${contains(["Enabled", "Disabled"], ` + ref + `.key_state)}`,
	}
	lc, ok := key["lifecycle"].(map[string]any)
	require.True(t, ok, "aws_kms_key.%s has a lifecycle: %v", keyName, key)
	pre, _ := lc["precondition"].([]any)
	var got []string
	for _, p := range pre {
		m, ok := p.(map[string]any)
		require.True(t, ok, "a precondition is an object: %v", p)
		got = append(got, m["condition"].(string))
		assert.Contains(t, m["error_message"], cfg.Key.ImportARN, "the message names the key")
	}
	assert.Equal(t, want, got, "preconditions of aws_kms_key.%s", keyName)
	assert.Equal(t, true, lc["prevent_destroy"], "prevent_destroy stays")
}

// Without bucket.import and key.import_arn no stack has an import block
// (the goldens hold every shipped configuration too).
func TestNoImportBlocksByDefault(t *testing.T) {
	cfg := load(t, "../testdata/warn/import-bucket-and-key.yaml")
	cfg.Bucket.Import, cfg.Key.ImportARN = false, ""
	cfg.Bucket.ImportReplacesPolicyAndSettings, cfg.Key.ImportReplacesPolicyAndSettings = false, false
	_, docs := synthApp(t, cfg)
	for name, d := range docs {
		assert.NotContains(t, d, "import", "stack %s", name)
	}
	// Nor the imported key's data source and preconditions.
	d := docs[LogArchiveStackName]
	assert.Empty(t, st.Object(st.Object(d, "data"), "aws_kms_key"))
	_, key := d.OnlyWhere(t, "aws_kms_key", "multi_region", true)
	lc, _ := key["lifecycle"].(map[string]any)
	assert.NotContains(t, lc, "precondition")
	// Nor the bucket's data source, or the ownership controls first.
	assert.Empty(t, st.Object(st.Object(d, "data"), "aws_s3_bucket"))
	enc, _ := d.OnlyWhere(t, "aws_s3_bucket_server_side_encryption_configuration", "bucket", "${aws_s3_bucket."+mustBucket(t, d, cfg.Bucket.Name)+".id}")
	assert.NotContains(t, d.Resources("aws_s3_bucket_server_side_encryption_configuration")[enc], "depends_on")
}

func mustBucket(t *testing.T, d st.Doc, name string) string {
	t.Helper()
	n, _ := d.OnlyWhere(t, "aws_s3_bucket", "bucket", name)
	return n
}

func splitAddress(t *testing.T, to string) (string, string) {
	t.Helper()
	for i := 0; i < len(to); i++ {
		if to[i] == '.' {
			return to[:i], to[i+1:]
		}
	}
	require.Fail(t, "not a resource address", to)
	return "", ""
}

// pick returns the named keys of v, an object, or nil.
func pick(v any, keys ...string) map[string]any {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	out := map[string]any{}
	for _, k := range keys {
		if x, ok := m[k]; ok {
			out[k] = x
		}
	}
	return out
}
