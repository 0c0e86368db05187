package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// ImportsBucket reports whether bucket.import takes an existing bucket
// over: the stack creates the trail bucket as usual and adds Terraform
// import blocks for the bucket, its versioning and its Object Lock
// configuration.
func (c *Config) ImportsBucket() bool { return c.Bucket.Import }

// Replacement is a setting of an existing bucket or key that the first
// apply after an import replaces as a whole with this configuration's.
type Replacement struct {
	// Setting names it, for example "policy" (of the bucket).
	Setting string
	// API is the call that writes it whole, for example "PutBucketPolicy"
	// (docs/aws-rules.md#whole-configuration-writes).
	API string
	// Save is the AWS CLI command that prints what the bucket or key has
	// now, to keep before the first apply.
	Save string
}

// String returns "<setting> (<API>)".
func (r Replacement) String() string { return r.Setting + " (" + r.API + ")" }

// BucketImportReplacements are the settings of the bucket named by
// bucket.name that the first apply after bucket.import replaces as a
// whole, in the order the stack writes them: those this configuration
// writes (access logging, lifecycle and replication only when it has them).
// What is not listed is left as the bucket has it (docs/adopting.md).
func (c *Config) BucketImportReplacements() []Replacement {
	b := c.Bucket.Name
	s3 := func(setting, api, get string) Replacement {
		return Replacement{Setting: setting, API: api, Save: fmt.Sprintf("aws s3api %s --bucket %s", get, b)}
	}
	// docs/aws-rules.md#whole-configuration-writes.
	out := []Replacement{
		s3("policy", "PutBucketPolicy", "get-bucket-policy"),
		s3("default encryption", "PutBucketEncryption", "get-bucket-encryption"),
		s3("public access block", "PutPublicAccessBlock", "get-public-access-block"),
		s3("ownership controls", "PutBucketOwnershipControls", "get-bucket-ownership-controls"),
		s3("Object Lock default retention", "PutObjectLockConfiguration", "get-object-lock-configuration"),
	}
	if c.Bucket.AccessLogs.Enabled {
		out = append(out, s3("server access logging", "PutBucketLogging", "get-bucket-logging"))
	}
	if c.Bucket.Lifecycle != nil {
		out = append(out, s3("lifecycle configuration", "PutBucketLifecycleConfiguration", "get-bucket-lifecycle-configuration"))
	}
	if c.Replication.Enabled {
		out = append(out, s3("replication configuration", "PutBucketReplication", "get-bucket-replication"))
	}
	// docs/aws-rules.md#tags-on-import: the provider's tags are
	// authoritative; tags the bucket has and the configuration lacks go.
	return append(out, s3("tags", "PutBucketTagging", "get-bucket-tagging"))
}

// KeyImportReplacements are the settings of the key named by
// key.import_arn that the first apply replaces as a whole.
func (c *Config) KeyImportReplacements() []Replacement {
	k := c.Key.ImportARN
	kms := func(setting, api, get string) Replacement {
		return Replacement{Setting: setting, API: api, Save: fmt.Sprintf("aws kms %s --key-id %s", get, k)}
	}
	// docs/aws-rules.md#whole-configuration-writes, #tags-on-import.
	return []Replacement{
		kms("policy", "PutKeyPolicy", "get-key-policy --policy-name default"),
		kms("description", "UpdateKeyDescription", "describe-key"),
		kms("automatic rotation and its period", "EnableKeyRotation", "get-key-rotation-status"),
		// A disabled key is enabled (is_enabled defaults to true).
		kms("enabled state", "EnableKey", "describe-key"),
		kms("tags", "TagResource, UntagResource", "list-resource-tags"),
	}
}

// listed joins the replacements as "a (A), b (B) and c (C)".
func listed(rs []Replacement) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.String()
	}
	if len(parts) < 2 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// saves lists the replacements' commands, one after the other, each once.
func saves(rs []Replacement) string {
	var parts []string
	for _, r := range rs {
		if !slices.Contains(parts, r.Save) {
			parts = append(parts, r.Save)
		}
	}
	return strings.Join(parts, "; ")
}

// validateImport checks bucket.import and key.import_arn (docs/adopting.md,
// "Importing with Terraform import blocks"). What can be known offline is
// refused here; whether the bucket has Object Lock Terraform finds out at
// plan (a replacement that prevent_destroy refuses), and what the key is a
// precondition checks there (MultiRegionKey.ImportPrimary).
func (c *Config) validateImport(l *rules.List, part string) {
	bucket, key := c.Bucket.Import, c.Key.ImportARN != ""
	if c.Bucket.ImportReplacesPolicyAndSettings && !bucket {
		l.Addf("bucket.import_replaces_policy_and_settings", true, "is only for bucket.import: it acknowledges what taking the bucket over replaces")
	}
	if c.Key.ImportReplacesPolicyAndSettings && !key {
		l.Addf("key.import_replaces_policy_and_settings", true, "is only for key.import_arn: it acknowledges what taking the key over replaces")
	}
	if !bucket && !key {
		return
	}
	if c.AllowDestroy {
		var set []string
		if bucket {
			set = append(set, "bucket.import")
		}
		if key {
			set = append(set, "key.import_arn")
		}
		fields, verb := strings.Join(set, " and "), "is"
		if len(set) > 1 {
			verb = "are"
		}
		l.Addf("allow_destroy", true, "must be false while %s %s set: prevent_destroy is what refuses, at plan, an import that Terraform would have to replace (a bucket without Object Lock) and any later destroy of what was taken over, which holds or encrypts log files older than this configuration; keep %s set after the import (docs/adopting.md)", fields, verb, fields)
	}
	if bucket {
		if c.Bucket.Existing {
			l.Addf("bucket.import", true, "must not be set with bucket.existing: bucket.existing delivers to a bucket managed elsewhere, bucket.import takes the bucket over and manages it; choose one (docs/adopting.md)")
		} else if !c.Bucket.ImportReplacesPolicyAndSettings {
			// docs/adopting.md#what-the-first-apply-replaces.
			l.Addf("bucket.import_replaces_policy_and_settings", false, "must be true with bucket.import: the first apply replaces, each as a whole, the bucket's %s, with this configuration's. Every statement of the bucket policy that is not this configuration's is gone, and its deny of writes not from this trail stops every other writer (AWS Config, a landing zone's own trail, flow logs, access logs). Save each first and review the plan; to keep the owner's policy and settings, deliver to the bucket with bucket.existing and add the statements cmd/required-policy writes instead (docs/adopting.md)", listed(c.BucketImportReplacements()))
		}
	}
	if !key {
		return
	}
	if c.ExistingKey() {
		l.Addf("key.import_arn", c.Key.ImportARN, "must not be set with key.existing_arns: key.existing_arns uses a key managed elsewhere, key.import_arn takes a key over as this configuration's primary key; choose one (docs/adopting.md)")
		return
	}
	if n := len(c.Bucket.AdditionalDeliveringTrails); n > 0 {
		// The key policy this configuration writes lets CloudTrail encrypt
		// for this trail's aws:SourceArn only: a listed trail that encrypts
		// with the imported key would stop at the first apply, though the
		// bucket policy lets it write (docs/adopting.md#a-cutover-with-no-gap).
		l.Addf("key.import_arn", c.Key.ImportARN, "must not be set with bucket.additional_delivering_trails (%d listed): the key policy the first apply writes lets CloudTrail encrypt for this trail only, so a listed trail that encrypts with this key stops delivering. Cut over first with key.existing_arns (the key's owner adds the statements cmd/required-policy writes), stop the old trail, remove it from bucket.additional_delivering_trails, then import the key (docs/adopting.md)", n)
	}
	if !c.Key.ImportReplacesPolicyAndSettings {
		l.Addf("key.import_replaces_policy_and_settings", false, "must be true with key.import_arn: the first apply replaces, each as a whole, the key's %s, with this configuration's. Every principal the old key policy allowed and this configuration's does not (another trail, AWS Config, another account) loses its access to the key. Save each first and review the plan; to keep the owner's key policy, use the key with key.existing_arns instead (docs/adopting.md)", listed(c.KeyImportReplacements()))
	}
	c.validateImportARN(l, part)
}

// validateImportARN: a KMS key ARN (not an alias), in the home region (the
// primary key's), the log-archive account and the home region's partition,
// whose key id begins with mrk-: a single-region key cannot become
// multi-region (docs/aws-rules.md#regionality-is-fixed,
// #multi-region-key-ids), and importing one would plan a replacement. A
// replica in the home region has such an ARN too: the precondition that
// MultiRegionKey.ImportPrimary adds refuses it at plan.
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
		l.Addf(f, s, "must be the ARN of the primary key, in the home region %s: the imported key becomes this configuration's primary key, which lives there (a replica's ARN names its own region; docs/aws-rules.md#multi-region-key-ids)", c.HomeRegion)
	case a.AccountID != c.Accounts.LogArchive.ID:
		l.Addf(f, s, "must be a key of the log-archive account %s (accounts.log_archive.id), which holds the trail's key", c.Accounts.LogArchive.ID)
	}
	if id := strings.TrimPrefix(a.Resource, "key/"); !strings.HasPrefix(id, "mrk-") {
		l.Addf(f, s, "must name a multi-region key (key id beginning mrk-): whether a key is multi-region is fixed at its creation, and importing a single-region key as this configuration's multi-region primary would plan its replacement (docs/aws-rules.md#regionality-is-fixed)")
	}
}

// importWarnings say what taking a bucket or key over changes, what only
// the real account can tell, and what keeps the protection after the
// import.
func (c *Config) importWarnings() []Warning {
	var out []Warning
	if c.Bucket.Import {
		b := c.Bucket.Name
		rs := c.BucketImportReplacements()
		out = append(out,
			Warning{Field: "bucket.import", Value: true, Reason: fmt.Sprintf("the bucket must have Object Lock enabled (check: aws s3api get-object-lock-configuration --bucket %s shows ObjectLockEnabled Enabled); without it, the import plans a replacement of the bucket, which prevent_destroy refuses. Turning Object Lock on for an existing bucket needs versioning first, cannot be undone, and protects only objects written afterwards (docs/aws-rules.md#object-lock-on-existing-buckets); do it outside this project, before the import", b)},
			// docs/aws-rules.md#bucket-acl-before-owner-enforced.
			Warning{Field: "bucket.import", Value: true, Reason: fmt.Sprintf("the bucket ACL must give full control to the bucket owner only (check: aws s3api get-bucket-acl --bucket %s lists one grant, the owner's FULL_CONTROL): S3 refuses BucketOwnerEnforced on a bucket whose ACL grants anyone else (InvalidBucketAclWithObjectOwnership), and the first apply then stops. The stack writes the ownership controls before the bucket policy, default encryption, public access block, Object Lock retention and, with key.import_arn, the key, its replicas and aliases, so such a refusal comes before those writes; move the ACL's grants to the bucket policy and reset the ACL (aws s3api put-bucket-acl --bucket %s --acl private) before the import (docs/adopting.md)", b, b)},
			Warning{Field: "bucket.import", Value: true, Reason: fmt.Sprintf("the first apply replaces, each as a whole, the bucket's %s (acknowledged by bucket.import_replaces_policy_and_settings): other writers' statements in the bucket policy (AWS Config, a landing zone's own trail) are gone unless the writer is a trail listed in bucket.additional_delivering_trails (which key.import_arn refuses: the imported key's new policy lets no other trail encrypt), the policy's DenyLogObjectDeletion covers every object of the bucket (bucket/*), so from then no one but bucket.break_glass_principals can delete any object of it, other writers' files included, until the policy changes, and a longer or COMPLIANCE default retention becomes %s %d days for objects written afterwards. Save each first: %s (docs/adopting.md)", listed(rs), c.Bucket.ObjectLock.Mode, c.Bucket.ObjectLock.Days, saves(rs))},
			Warning{Field: "bucket.import", Value: true, Reason: fmt.Sprintf("the bucket's own tags are removed at the first apply unless tags (applied to every resource of the stacks) has them: the AWS provider's tags are authoritative (docs/aws-rules.md#tags-on-import); cost allocation, automation and any access condition that select the bucket by those tags stop matching. List them with aws s3api get-bucket-tagging --bucket %s", b)},
			Warning{Field: "bucket.import", Value: true, Reason: "keep bucket.import set after the first apply: once the bucket is in the state its import blocks do nothing (docs/aws-rules.md#import-blocks), and while it is set allow_destroy stays refused. prevent_destroy does not protect what is removed from the configuration: to hand the bucket back, remove it and its settings from the state first (docs/adopting.md)"},
		)
		out = append(out, c.importLifecycleWarning())
		if !c.Replication.Enabled {
			out = append(out, c.importReplicationWarning())
		}
	}
	if s := c.Key.ImportARN; s != "" {
		rs := c.KeyImportReplacements()
		out = append(out,
			Warning{Field: "key.import_arn", Value: s, Reason: fmt.Sprintf("the first apply replaces, each as a whole, the key's %s (acknowledged by key.import_replaces_policy_and_settings): every principal the old policy allowed and this configuration's does not loses its access, and a trail still encrypting with the key stops delivering; its own tags are removed unless tags has them (docs/aws-rules.md#tags-on-import). Save each first: %s (docs/adopting.md)", listed(rs), saves(rs))},
			Warning{Field: "key.import_arn", Value: s, Reason: fmt.Sprintf("grants on the key are not part of its policy and stay in force after the import, each still allowing its grantee what it names (docs/aws-rules.md#grants-outlive-the-key-policy): list them with aws kms list-grants --key-id %s and revoke those this trail's key must not carry (aws kms revoke-grant)", s)},
			Warning{Field: "key.import_arn", Value: s, Reason: fmt.Sprintf("only the primary key is imported: a replica in each of key.replica_regions and the alias %s in every region are created, and one that already exists fails the apply halfway; check with aws kms describe-key --key-id %s (MultiRegionConfiguration.ReplicaKeys), and that aws kms list-aliases lists no %s in any of those regions. Replicas elsewhere stay unmanaged, with their own policies", c.Key.Alias, s, c.Key.Alias)},
			Warning{Field: "key.import_arn", Value: s, Reason: "keep key.import_arn set after the first apply: once the key is in the state its import block does nothing, its precondition (a symmetric multi-Region PRIMARY key with key material from KMS) is checked at every plan, and while it is set allow_destroy stays refused. prevent_destroy does not protect what is removed from the configuration, and destroying the key schedules its deletion: to hand it back, remove it from the state first (docs/adopting.md)"},
		)
		if w, ok := c.importUnderBootstrapWarning(); ok {
			out = append(out, w)
		}
	}
	return out
}

// importUnderBootstrapWarning: with the bootstrap, the log-archive
// account's deploying role has no IAM grant on keys and manages a key only
// through a key policy statement naming it (DeployingRoleManagesKey,
// docs/bootstrap.md#keys-by-key-policy). An existing key's policy does not
// name it, so the first plan (the import's read, the key's data source and
// its precondition) stops with AccessDeniedException until a principal
// that may change the key's policy puts the synthesized one on it (security
// review 10, X-1). A warning, not a refusal: that policy comes from the
// synthesis of this very configuration, which a refusal would prevent.
func (c *Config) importUnderBootstrapWarning() (Warning, bool) {
	var deployers []string
	for _, a := range c.BootstrapAccounts() {
		if a.ID == c.Accounts.LogArchive.ID {
			deployers = a.Deployers
		}
	}
	if len(deployers) == 0 {
		return Warning{}, false
	}
	s := c.Key.ImportARN
	return Warning{Field: "key.import_arn", Value: s, Reason: fmt.Sprintf("with bootstrap.trusted_principals the deploying role %s has no IAM grant on keys: it reads and changes a key only when the key policy names it (docs/bootstrap.md#keys-by-key-policy), and this key's policy does not yet, so the first plan stops with AccessDeniedException (kms:DescribeKey or kms:GetKeyPolicy) and changes nothing. Before it, after the bootstrap of account %s, a principal that may change the key's policy (a key administrator, or the account's administrator where the policy delegates to IAM) puts on the key the policy this configuration synthesizes for it (the policy of the aws_kms_key that the import block names, in cdktf.out/stacks/<the log-archive account's stack>/cdk.tf.json: aws kms put-key-policy --key-id %s --policy-name default --policy file://<that policy>.json), tags it (aws kms tag-resource --key-id %s --tags TagKey=%s,TagValue=%s) and waits five minutes; the import then runs as the deploying role (docs/adopting.md#importing-under-the-bootstrap). The policy put replaces the key's own at once, with what the first apply would write", strings.Join(deployers, ", "), c.Accounts.LogArchive.ID, s, s, policy.GuardTagKey, c.Trail.Name)}, true
}

// encryptionKey names the key the trail bucket's default encryption uses
// from the first apply: the imported key, the home region's existing key,
// or the key this configuration creates.
func (c *Config) encryptionKey() string {
	switch {
	case c.Key.ImportARN != "":
		return c.Key.ImportARN
	case c.ExistingKey():
		if a := c.ExistingKeyARNs()[c.HomeRegion]; a != "" {
			return a
		}
	}
	return fmt.Sprintf("the multi-region key this configuration creates (%s in %s)", c.Key.Alias, c.HomeRegion)
}

// importReplicationWarning: without replication.enabled, a replication
// configuration the bucket has stays, unmanaged, and stops copying the log
// files written from the first apply, which are SSE-KMS under this
// configuration's key, unless its rule opts in to SSE-KMS objects
// (docs/aws-rules.md#replicate-sse-kms-objects).
func (c *Config) importReplicationWarning() Warning {
	b := c.Bucket.Name
	policy := "the key policy this configuration writes, as a whole, allows no replication role but its own, so only replication.enabled keeps new log files replicated"
	if c.ExistingKey() {
		policy = "the key's owner must allow the rule's role in the key policy"
	}
	return Warning{Field: "replication.enabled", Value: false, Reason: fmt.Sprintf("with bucket.import, a replication configuration the bucket already has stays in place, unmanaged (check: aws s3api get-bucket-replication --bucket %s). From the first apply new log files are SSE-KMS under %s, and S3 replicates SSE-KMS objects only when the rule opts in (SourceSelectionCriteria SseKmsEncryptedObjects Enabled) and names a replica key (ReplicaKmsKeyID), and its role may decrypt with this key (%s): otherwise new log files silently stop being replicated while older ones stay copied (docs/aws-rules.md#replicate-sse-kms-objects). Change the rule before the import, or set replication.enabled, which replaces the rule with this configuration's as a whole", b, c.encryptionKey(), policy)}
}

// importLifecycleWarning says what happens to the bucket's own lifecycle
// configuration: left alone without bucket.lifecycle, replaced with it.
func (c *Config) importLifecycleWarning() Warning {
	b := c.Bucket.Name
	lc := c.Bucket.Lifecycle
	if lc == nil {
		return Warning{Field: "bucket.lifecycle", Value: "unset", Reason: fmt.Sprintf("with bucket.import, a lifecycle configuration the bucket already has stays in place, unmanaged, and may expire log files; check with aws s3api get-bucket-lifecycle-configuration --bucket %s, and remove it or set bucket.lifecycle (which replaces it)", b)}
	}
	days := func(n int, what string) string {
		if n == 0 {
			return "never " + what
		}
		return fmt.Sprintf("%s after %d days", what, n)
	}
	move := "moves nothing to another storage class"
	if lc.TransitionDays > 0 {
		move = fmt.Sprintf("moves objects to %s after %d days", lc.TransitionStorageClass, lc.TransitionDays)
	}
	value := fmt.Sprintf("expiration_days %d, noncurrent_expiration_days %d, transition_days %d", lc.ExpirationDays, lc.NoncurrentExpirationDays, lc.TransitionDays)
	return Warning{Field: "bucket.lifecycle", Value: value, Reason: fmt.Sprintf("with bucket.import, this lifecycle replaces the bucket's lifecycle configuration as a whole (PutBucketLifecycleConfiguration): every rule it has is gone, and its one rule, over every object of the bucket (other writers' files included), %s, %s and %s. Check that no retention the owner relies on needs longer, and what its rules did: aws s3api get-bucket-lifecycle-configuration --bucket %s", days(lc.ExpirationDays, "expires current objects (a delete marker: each version becomes noncurrent, docs/aws-rules.md#lifecycle-and-retention)"), days(lc.NoncurrentExpirationDays, "deletes noncurrent versions"), move, b)}
}
