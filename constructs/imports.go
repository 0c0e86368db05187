package constructs

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dataawskmskey"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dataawss3bucket"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// ImportExisting takes an existing bucket named BucketName over: it adds a
// Terraform import block (Terraform 1.5 or later) for three resources only,
// the bucket, its versioning and its Object Lock configuration, each with
// the bucket name as import id (the AWS provider's documentation of
// aws_s3_bucket, aws_s3_bucket_versioning and
// aws_s3_bucket_object_lock_configuration, "Import") and through the
// bucket's own provider. Those three exist on every bucket with Object Lock
// enabled, and an import block whose object does not exist fails the plan
// (docs/aws-rules.md#import-blocks). The bucket's other settings (policy,
// default encryption, public access block, ownership controls, and access
// logging, lifecycle and replication when the bucket has them here) are
// created, which replaces whatever the bucket has for each as a whole at
// the first apply (docs/aws-rules.md#whole-configuration-writes), and so
// does the bucket's tag set (docs/aws-rules.md#tags-on-import). A
// replication configuration the bucket has and this configuration does not
// write stays, and copies the new SSE-KMS log files only if its rule opts in
// (docs/aws-rules.md#replicate-sse-kms-objects). A bucket without Object
// Lock plans a replacement (object_lock_enabled forces one:
// docs/aws-rules.md#replacing-attributes), which prevent_destroy refuses
// unless the bucket was made with AllowDestroy.
//
// The plan reads the bucket (data source aws_s3_bucket) and a precondition
// on the bucket fails it unless the bucket is in the bucket's region. The
// ownership controls, the one write S3 refuses for a reason of the bucket's
// own (a bucket ACL granting others:
// docs/aws-rules.md#bucket-acl-before-owner-enforced), come first: the
// bucket policy, default encryption, public access block and Object Lock
// configuration depend on them, and so do the bucket's key, its replicas and
// aliases when the key is a MultiRegionKey taken over with ImportPrimary
// (call that first), so that a refusal stops the apply before any write
// that cuts another writer's delivery. Call it once.
func (b *TrailBucket) ImportExisting() {
	id := jsii.String(b.name)
	for _, r := range []cdktf.TerraformResource{b.locked.bucket, b.locked.versioning, b.locked.objectLock} {
		r.ImportFrom(id, r.Provider())
	}
	if b.region != "" {
		described := dataawss3bucket.NewDataAwsS3Bucket(b, jsii.String("ImportedBucket"), &dataawss3bucket.DataAwsS3BucketConfig{
			Provider: b.locked.bucket.Provider(),
			Bucket:   id,
		})
		address := "data." + *described.TerraformResourceType() + "." + *cdktf.TerraformStack_Of(described).GetLogicalId(described)
		addPreconditions(b.locked.bucket, &cdktf.Precondition{
			Condition:    jsii.String(fmt.Sprintf(`${%s.region == "%s"}`, address, b.region)),
			ErrorMessage: jsii.String(fmt.Sprintf("the bucket %s taken over is not in %s, the region of this trail bucket and of the key copy that encrypts it (docs/adopting.md)", b.name, b.region)),
		})
	}
	ownership := jsii.String(addressOf(b.locked.ownership))
	for _, d := range []dependent{b.locked.policy, b.locked.encryption, b.locked.publicAccess, b.locked.objectLock} {
		addDependsOn(d, ownership)
	}
	if k, ok := b.key.(*MultiRegionKey); ok && k.Node().TryFindChild(jsii.String("ImportedPrimary")) != nil {
		k.dependOn(ownership)
		for _, r := range k.Regions() {
			if a, ok := k.aliases[r]; ok {
				addDependsOn(a, ownership)
			}
		}
	}
}

// dependent is a resource whose depends_on can be read and set.
type dependent interface {
	DependsOn() *[]*string
	SetDependsOn(*[]*string)
}

// addDependsOn adds address to d's depends_on, once.
func addDependsOn(d dependent, address *string) {
	var deps []*string
	if cur := d.DependsOn(); cur != nil {
		for _, c := range *cur {
			if *c == *address {
				return
			}
		}
		deps = append(deps, *cur...)
	}
	deps = append(deps, address)
	d.SetDependsOn(&deps)
}

// addressOf is a resource's Terraform address, type.name.
func addressOf(r cdktf.TerraformResource) string {
	return *r.TerraformResourceType() + "." + *cdktf.TerraformStack_Of(r).GetLogicalId(r)
}

// addPreconditions adds pre to r's lifecycle, after those it has.
func addPreconditions(r cdktf.TerraformResource, pre ...*cdktf.Precondition) {
	var next cdktf.TerraformResourceLifecycle
	if lc := r.Lifecycle(); lc != nil {
		next = *lc
	}
	var all []*cdktf.Precondition
	if next.Precondition != nil {
		all = append(all, *next.Precondition...)
	}
	all = append(all, pre...)
	next.Precondition = &all
	r.SetLifecycle(&next)
}

// importedKeyPreconditions are what the imported primary key must be, each
// checked at every plan against the key as KMS describes it (the data
// source at dataAddress), so that a key of another kind fails the plan
// before anything changes (docs/aws-rules.md#imported-key-checks).
func importedKeyPreconditions(dataAddress, keyARN string) []*cdktf.Precondition {
	check := func(expr, message string) *cdktf.Precondition {
		return &cdktf.Precondition{
			Condition:    jsii.String("${" + fmt.Sprintf(expr, dataAddress) + "}"),
			ErrorMessage: jsii.String(fmt.Sprintf("the key %s taken over as the primary key %s (docs/adopting.md)", keyARN, message)),
		}
	}
	return []*cdktf.Precondition{
		check(`%s.multi_region == true`, "is not a multi-Region key: whether a key is multi-Region is fixed at its creation"),
		// multi_region_configuration is empty for a single-region key: try
		// keeps the condition false rather than an evaluation error.
		check(`try(%s.multi_region_configuration[0].multi_region_key_type, "") == "PRIMARY"`, "is not the PRIMARY key of its multi-Region key (a replica in this region has the same key id): import the primary, in the home region, or make this region's copy the primary first (UpdatePrimaryRegion)"),
		check(`%s.customer_master_key_spec == "SYMMETRIC_DEFAULT"`, "is not a symmetric encryption key (key spec SYMMETRIC_DEFAULT), the only kind CloudTrail and S3 use"),
		check(`%s.key_usage == "ENCRYPT_DECRYPT"`, "is not for encryption (key usage ENCRYPT_DECRYPT)"),
		check(`%s.origin == "AWS_KMS"`, "does not have key material generated by KMS (origin AWS_KMS): a key with imported key material is an aws_kms_external_key, which this configuration does not manage"),
		// A disabled key is accepted: the first apply enables it (is_enabled
		// true), which KeyImportReplacements lists. A key pending deletion is
		// deleted when its waiting period ends unless the deletion is
		// cancelled, and enabling it fails; other states (Creating,
		// Updating, Unavailable, PendingImport, PendingReplicaDeletion) are
		// no key to take over either (KMS API Reference, KeyMetadata,
		// KeyState).
		check(`contains(["Enabled", "Disabled"], %s.key_state)`, "is neither enabled nor disabled (key_state): a key pending deletion is deleted at the end of its waiting period, and every log file encrypted with it becomes unreadable; cancel the deletion first (aws kms cancel-key-deletion)"),
	}
}

// ImportPrimary takes an existing multi-region key over as the primary key:
// it adds a Terraform import block for it, with its key id (mrk-...) as
// import id (the AWS provider's documentation of aws_kms_key, "Import"),
// through the primary key's provider, and preconditions on the primary key
// that read the key (data source aws_kms_key, by keyARN) and fail the plan
// unless it is a multi-Region PRIMARY key, symmetric, for encryption, with
// key material from KMS: a replica in the primary region has the same key
// id, and would be imported as the primary. keyARN must be a key ARN in
// the primary region and, when the key knows it, in its account. The
// replicas and aliases are created as usual. Call it once.
func (k *MultiRegionKey) ImportPrimary(keyARN string) error {
	const field = "ImportPrimary.keyARN"
	a, err := arn.Parse(keyARN)
	if err != nil || a.Service != "kms" || !strings.HasPrefix(a.Resource, "key/") {
		return &rules.Violation{Field: field, Rule: "must be a KMS key ARN: arn:<partition>:kms:<region>:<account>:key/<key id> (not an alias)", Value: keyARN}
	}
	keyID := strings.TrimPrefix(a.Resource, "key/")
	var l rules.List
	if !strings.HasPrefix(keyID, "mrk-") || len(keyID) == len("mrk-") {
		// docs/aws-rules.md#multi-region-key-ids, #regionality-is-fixed.
		l.Addf(field, keyARN, "must be the ARN of a multi-region key (key id mrk-...): a single-region key cannot become multi-region")
	}
	if a.Region != k.primaryRegion {
		l.Addf(field, keyARN, "must be in the primary region %s: the imported key becomes the primary key", k.primaryRegion)
	}
	if k.account != "" && a.AccountID != k.account {
		l.Addf(field, keyARN, "must be in the key's account %s", k.account)
	}
	if k.Node().TryFindChild(jsii.String("ImportedPrimary")) != nil {
		l.Addf(field, keyARN, "the key is imported already: call ImportPrimary once")
	}
	if err := l.Err(); err != nil {
		return err
	}
	described := dataawskmskey.NewDataAwsKmsKey(k, jsii.String("ImportedPrimary"), &dataawskmskey.DataAwsKmsKeyConfig{
		Provider: k.primary.Provider(),
		KeyId:    jsii.String(keyARN),
	})
	address := *described.TerraformResourceType()
	address = "data." + address + "." + *cdktf.TerraformStack_Of(described).GetLogicalId(described)
	addPreconditions(k.primary, importedKeyPreconditions(address, keyARN)...)
	k.primary.ImportFrom(jsii.String(keyID), k.primary.Provider())
	return nil
}
