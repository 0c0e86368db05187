package stacks

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
}

// Without bucket.import and key.import_arn no stack has an import block
// (the goldens hold every shipped configuration too).
func TestNoImportBlocksByDefault(t *testing.T) {
	cfg := load(t, "../testdata/warn/import-bucket-and-key.yaml")
	cfg.Bucket.Import, cfg.Key.ImportARN = false, ""
	_, docs := synthApp(t, cfg)
	for name, d := range docs {
		assert.NotContains(t, d, "import", "stack %s", name)
	}
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
