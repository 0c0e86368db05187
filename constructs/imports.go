package constructs

import (
	"strings"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// ImportExisting takes an existing bucket named BucketName over: it adds a
// Terraform import block (Terraform 1.5 or later) for the bucket, its
// versioning and its Object Lock configuration, each with the bucket name as
// import id (the AWS provider's documentation of aws_s3_bucket,
// aws_s3_bucket_versioning and aws_s3_bucket_object_lock_configuration,
// "Import") and through the bucket's own provider. Only those three exist
// on every bucket with Object Lock enabled; the bucket's other settings
// (policy, encryption, public access block, ownership, logging, lifecycle)
// are written over at apply, as for a new bucket. A bucket without Object
// Lock plans a replacement (object_lock_enabled forces one), which
// prevent_destroy refuses. Call it once.
func (b *TrailBucket) ImportExisting() {
	id := jsii.String(b.name)
	for _, r := range []cdktf.TerraformResource{b.locked.bucket, b.locked.versioning, b.locked.objectLock} {
		r.ImportFrom(id, r.Provider())
	}
}

// ImportPrimary takes an existing multi-region key over as the primary key:
// it adds a Terraform import block for it with keyID, its key id (mrk-...),
// as import id (the AWS provider's documentation of aws_kms_key, "Import"),
// through the primary key's provider. The replicas and aliases are created
// as usual. A key that is not multi-region, symmetric and for encryption
// plans a replacement (multi_region, customer_master_key_spec and key_usage
// force one), which prevent_destroy refuses.
func (k *MultiRegionKey) ImportPrimary(keyID string) error {
	if !strings.HasPrefix(keyID, "mrk-") || len(keyID) == len("mrk-") {
		// docs/aws-rules.md#multi-region-key-ids, #regionality-is-fixed.
		return &rules.Violation{Field: "ImportPrimary.keyID", Rule: "must be the key id of a multi-region key (mrk-...): a single-region key cannot become multi-region", Value: keyID}
	}
	k.primary.ImportFrom(jsii.String(keyID), k.primary.Provider())
	return nil
}
