package config

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// ImportsBucket reports whether bucket.import takes an existing bucket
// over: the stack creates the trail bucket as usual and adds Terraform
// import blocks for it.
func (c *Config) ImportsBucket() bool { return c.Bucket.Import }

// ImportedKeyID is the key id of key.import_arn (mrk-...), the import id of
// the primary key, or "" when the primary key is created. The configuration
// must be valid.
func (c *Config) ImportedKeyID() string {
	if c.Key.ImportARN == "" {
		return ""
	}
	a, err := arn.Parse(c.Key.ImportARN)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(a.Resource, "key/")
}

// HasImports reports whether the stacks hold Terraform import blocks, whose
// plan reads the real account (docs/adopting.md).
func (c *Config) HasImports() bool { return c.ImportsBucket() || c.Key.ImportARN != "" }

// validateImport checks bucket.import and key.import_arn (docs/adopting.md,
// "Importing with Terraform import blocks"). What can be known offline is
// refused here; whether the bucket has Object Lock and whether the key is a
// symmetric encryption key, Terraform finds out at plan, where a mismatch
// forces a replacement that prevent_destroy refuses.
func (c *Config) validateImport(l *rules.List, part string) {
	bucket, key := c.Bucket.Import, c.Key.ImportARN != ""
	if !bucket && !key {
		return
	}
	if c.AllowDestroy {
		field := "bucket.import"
		if !bucket {
			field = "key.import_arn"
		}
		l.Addf("allow_destroy", true, "must be false with %s: prevent_destroy is what refuses, at plan, an import that Terraform would have to replace (a bucket without Object Lock, a key that is not a symmetric multi-region encryption key); without it the plan would delete the existing resource and create another (docs/adopting.md)", field)
	}
	if bucket && c.Bucket.Existing {
		l.Addf("bucket.import", true, "must not be set with bucket.existing: bucket.existing delivers to a bucket managed elsewhere, bucket.import takes the bucket over and manages it; choose one (docs/adopting.md)")
	}
	if !key {
		return
	}
	if c.ExistingKey() {
		l.Addf("key.import_arn", c.Key.ImportARN, "must not be set with key.existing_arns: key.existing_arns uses a key managed elsewhere, key.import_arn takes a key over as this configuration's primary key; choose one (docs/adopting.md)")
		return
	}
	c.validateImportARN(l, part)
}

// validateImportARN: a KMS key ARN (not an alias), in the home region (the
// primary key's), the log-archive account and the home region's partition,
// whose key id begins with mrk-: a single-region key cannot become
// multi-region (docs/aws-rules.md#regionality-is-fixed,
// #multi-region-key-ids), and importing one would plan a replacement.
func (c *Config) validateImportARN(l *rules.List, part string) {
	const f = "key.import_arn"
	s := c.Key.ImportARN
	a, err := arn.Parse(s)
	if err != nil || a.Service != "kms" || !strings.HasPrefix(a.Resource, "key/") || len(a.Resource) == len("key/") || strings.Contains(a.Resource, ":") {
		l.Addf(f, s, "must be a KMS key ARN: arn:<partition>:kms:<region>:<account>:key/<key id> (not an alias)")
		return
	}
	switch {
	case rules.Region(a.Region) != nil:
		l.Add(f, rules.Region(a.Region))
	case part != "" && a.Partition != part:
		l.Addf(f, s, "must be in partition %q like the home region %q", part, c.HomeRegion)
	case c.HomeRegion != "" && a.Region != c.HomeRegion:
		l.Addf(f, s, "must be the key's copy in the home region %s: it becomes the primary key, which lives there", c.HomeRegion)
	case a.AccountID != c.Accounts.LogArchive.ID:
		l.Addf(f, s, "must be a key of the log-archive account %s (accounts.log_archive.id), which holds the trail's key", c.Accounts.LogArchive.ID)
	}
	if id := strings.TrimPrefix(a.Resource, "key/"); !strings.HasPrefix(id, "mrk-") {
		l.Addf(f, s, "must name a multi-region key (key id beginning mrk-): whether a key is multi-region is fixed at its creation, and importing a single-region key as this configuration's multi-region primary would plan its replacement (docs/aws-rules.md#regionality-is-fixed)")
	}
}

// importWarnings say what taking a bucket or key over changes, and what
// only the real account can tell.
func (c *Config) importWarnings() []Warning {
	var out []Warning
	if c.Bucket.Import {
		b := c.Bucket.Name
		out = append(out,
			Warning{Field: "bucket.import", Value: true, Reason: fmt.Sprintf("the bucket must have Object Lock enabled (check: aws s3api get-object-lock-configuration --bucket %s shows ObjectLockEnabled Enabled); without it, the import plans a replacement of the bucket, which prevent_destroy refuses. Turning Object Lock on for an existing bucket needs versioning first, cannot be undone, and locks only objects written afterwards (docs/aws-rules.md#object-lock-on-existing-buckets); do it outside this project, before the import", b)},
			Warning{Field: "bucket.import", Value: true, Reason: fmt.Sprintf("the first apply replaces the bucket's policy with this configuration's: every statement not in it is gone, and its deny of writes not from this trail stops every other writer (a landing zone's own trail, AWS Config, flow logs, access logs) unless it is a trail listed in bucket.additional_delivering_trails; save the old policy first (aws s3api get-bucket-policy --bucket %s) and review the plan (docs/adopting.md)", b)},
			Warning{Field: "bucket.import", Value: true, Reason: fmt.Sprintf("the first apply also replaces the bucket's default encryption, public access block, object ownership, access logging and Object Lock default retention (%s %d days) with this configuration's: a longer or COMPLIANCE default retention becomes this one for objects written afterwards; objects keep their own retention", c.Bucket.ObjectLock.Mode, c.Bucket.ObjectLock.Days)},
			Warning{Field: "bucket.import", Value: true, Reason: "once imported, prevent_destroy refuses cdktn destroy and any replacement of the bucket, but not its deletion after it is removed from the configuration: to hand it back, remove it from the state first (terraform state rm)"},
		)
		if c.Bucket.Lifecycle == nil {
			out = append(out, Warning{Field: "bucket.lifecycle", Value: "unset", Reason: fmt.Sprintf("with bucket.import, a lifecycle configuration the bucket already has stays in place, unmanaged, and may expire log files; check with aws s3api get-bucket-lifecycle-configuration --bucket %s, and remove it or set bucket.lifecycle (which replaces it)", b)})
		}
	}
	if s := c.Key.ImportARN; s != "" {
		out = append(out,
			Warning{Field: "key.import_arn", Value: s, Reason: fmt.Sprintf("the first apply replaces the key's policy, description and rotation period with this configuration's: every principal the old policy allowed and ours does not (another trail, another service or account) loses its access, and a trail still encrypting with the key stops delivering; save the old policy first (aws kms get-key-policy --key-id %s --policy-name default) and review the plan (docs/adopting.md)", s)},
			Warning{Field: "key.import_arn", Value: s, Reason: fmt.Sprintf("only the primary key is imported: a replica in each of key.replica_regions and the alias %s in every region are created, and one that already exists fails the apply halfway; check with aws kms describe-key --key-id %s (MultiRegionConfiguration.ReplicaKeys), and that aws kms list-aliases lists no %s in any of those regions. Replicas elsewhere stay unmanaged, with their own policies", c.Key.Alias, s, c.Key.Alias)},
			Warning{Field: "key.import_arn", Value: s, Reason: "the key must be a symmetric encryption key (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT): another key spec or usage plans a replacement, which prevent_destroy refuses; once imported, prevent_destroy refuses cdktn destroy and any replacement, but not scheduling the key's deletion after it is removed from the configuration: to hand it back, remove it from the state first (terraform state rm)"},
		)
	}
	return out
}
