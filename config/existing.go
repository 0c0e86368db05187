package config

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// ExistingKey reports whether key.existing_arns names a key made elsewhere.
func (c *Config) ExistingKey() bool { return len(c.Key.ExistingARNs) > 0 }

// ExistingKeyARNs returns key.existing_arns by region. The configuration
// must be valid.
func (c *Config) ExistingKeyARNs() map[string]string {
	out := map[string]string{}
	for _, s := range c.Key.ExistingARNs {
		if a, err := arn.Parse(s); err == nil {
			out[a.Region] = s
		}
	}
	return out
}

// KeyRegions lists the regions of the trail key's copies: the home region
// first, then the replica regions, or the other regions of
// key.existing_arns (sorted).
func (c *Config) KeyRegions() []string {
	if !c.ExistingKey() {
		return append([]string{c.HomeRegion}, c.Key.ReplicaRegions...)
	}
	out := []string{c.HomeRegion}
	for _, r := range slices.Sorted(maps.Keys(c.ExistingKeyARNs())) {
		if r != c.HomeRegion {
			out = append(out, r)
		}
	}
	return out
}

// validateExisting checks bucket.existing and key.existing_arns, and
// refuses every setting of a bucket or key this configuration would not
// manage (docs/adopting.md): a setting that would be silently ignored is a
// protection the user believes in and does not have. Plain Go, before any
// construct is made.
func (c *Config) validateExisting(l *rules.List, part string) {
	if c.Bucket.Existing {
		why := "a setting of the existing bucket, which this configuration does not manage (bucket.existing)"
		if c.Replication.Enabled {
			l.Addf("replication.enabled", true, "must be false with bucket.existing: the replication configuration is %s", why)
		}
		if c.Bucket.AccessLogs.Enabled {
			l.Addf("bucket.access_logs.enabled", true, "must be false with bucket.existing: server access logging is %s; turn it on where the bucket is managed", why)
		}
		if o := c.Bucket.ObjectLock; o.Mode != DefaultObjectLockMode || o.Days != DefaultObjectLockDays {
			l.Addf("bucket.object_lock", fmt.Sprintf("%s %d", o.Mode, o.Days), "must be left at its default with bucket.existing: Object Lock is %s", why)
		}
		if c.Bucket.Lifecycle != nil {
			l.Addf("bucket.lifecycle", "set", "must not be set with bucket.existing: the lifecycle is %s", why)
		}
		if c.Athena.Enabled {
			l.Addf("athena.enabled", true, "must be false with bucket.existing: the query side has not been checked against a log bucket this configuration does not manage")
		}
		// docs/adopting.md#what-the-deny-of-forged-writes-stops: the
		// required deny covers [prefix/]AWSLogs/*; a bare AWSLogs/ is where
		// AWS Config, VPC Flow Logs and load balancers deliver.
		if c.Trail.S3KeyPrefix == "" {
			l.Addf("trail.s3_key_prefix", "", "is required with bucket.existing: the required bucket statements deny writes into this trail's tree [prefix/]AWSLogs/* by anyone but this trail, and without a prefix that tree is the bucket's whole AWSLogs/, where AWS Config and VPC Flow Logs deliver (docs/adopting.md)")
		} else if first, _, _ := strings.Cut(c.Trail.S3KeyPrefix, "/"); first == c.OrganizationID || organizationIDLike.MatchString(first) {
			// A landing zone's own organization trail and AWS Config may
			// deliver under <organization id>/AWSLogs/ (UNCONFIRMED for any
			// given landing zone): a prefix there would put their
			// deliveries inside this trail's denied tree.
			l.Addf("trail.s3_key_prefix", c.Trail.S3KeyPrefix, "must not begin with an organization id with bucket.existing: a landing zone's own trail and AWS Config may deliver under <organization id>/AWSLogs/, and the required deny would stop them; choose a prefix of this trail's own (docs/adopting.md)")
		}
		for i, t := range c.Bucket.AdditionalDeliveringTrails {
			if t.S3KeyPrefix == "" {
				l.Addf(fmt.Sprintf("bucket.additional_delivering_trails[%d].s3_key_prefix", i), "", "is required with bucket.existing: the required bucket statements keep others out of that trail's tree [prefix/]AWSLogs/*, and without a prefix that tree is the bucket's whole AWSLogs/, where AWS Config, VPC Flow Logs and load balancers deliver (docs/adopting.md)")
			}
		}
	}
	if !c.ExistingKey() {
		return
	}
	why := "a setting of the existing key, which this configuration does not manage (key.existing_arns)"
	k := c.Key
	if k.Alias != DefaultKeyAlias {
		l.Addf("key.alias", k.Alias, "must be left at its default with key.existing_arns: the alias is %s", why)
	}
	if len(k.ReplicaRegions) > 0 {
		l.Addf("key.replica_regions", k.ReplicaRegions, "must not be set with key.existing_arns: the key's copies are the ARNs listed there")
	}
	if k.RotationPeriodDays != DefaultRotationPeriodDays {
		l.Addf("key.rotation_period_days", k.RotationPeriodDays, "must be left at its default with key.existing_arns: rotation is %s", why)
	}
	if k.DeletionWindowDays != DefaultDeletionWindowDays {
		l.Addf("key.deletion_window_days", k.DeletionWindowDays, "must be left at its default with key.existing_arns: the deletion window is %s", why)
	}
	if len(k.Administrators) > 0 {
		l.Addf("key.administrators", k.Administrators, "must not be set with key.existing_arns: the key policy is %s", why)
	}
	if c.Replication.Enabled && !c.Bucket.Existing {
		l.Addf("replication.enabled", true, "must be false with key.existing_arns: the replication role needs grants in the key policy, which is %s", why)
	}
	if c.Athena.Enabled && !c.Bucket.Existing {
		l.Addf("athena.enabled", true, "must be false with key.existing_arns: the query side has not been checked against a key this configuration does not manage")
	}
	c.validateExistingARNs(l, part)
}

// validateExistingARNs: KMS key ARNs (never aliases: the trail needs a key
// ARN, docs/aws-rules.md#full-key-arn), in the log-archive account (the
// alarms, the guardrails and the access check watch that account's keys),
// one per region, one of them in the home region (the bucket's: S3 and
// CloudTrail need the key there, docs/aws-rules.md#key-in-the-buckets-region);
// more than one are copies of one multi-region key, with one mrk- id
// (docs/aws-rules.md#multi-region-key-ids).
func (c *Config) validateExistingARNs(l *rules.List, part string) {
	seen := map[string]int{}
	ids := map[string]bool{}
	for i, s := range c.Key.ExistingARNs {
		f := fmt.Sprintf("key.existing_arns[%d]", i)
		a, err := arn.Parse(s)
		if err != nil || a.Service != "kms" || !strings.HasPrefix(a.Resource, "key/") || len(a.Resource) == len("key/") || strings.Contains(a.Resource, ":") {
			l.Addf(f, s, "must be a KMS key ARN: arn:<partition>:kms:<region>:<account>:key/<key id> (not an alias)")
			continue
		}
		if err := rules.Region(a.Region); err != nil {
			l.Add(f, err)
			continue
		}
		switch {
		case part != "" && a.Partition != part:
			l.Addf(f, s, "must be in partition %q like the home region %q", part, c.HomeRegion)
		case a.AccountID != c.Accounts.LogArchive.ID:
			l.Addf(f, s, "must be a key of the log-archive account %s (accounts.log_archive.id), which holds the trail's key", c.Accounts.LogArchive.ID)
		}
		if j, dup := seen[a.Region]; dup {
			l.Addf(f, s, "names a second copy in %s (key.existing_arns[%d])", a.Region, j)
		} else {
			seen[a.Region] = i
		}
		ids[strings.TrimPrefix(a.Resource, "key/")] = true
	}
	if len(seen) > 0 && c.HomeRegion != "" {
		if _, ok := seen[c.HomeRegion]; !ok {
			l.Addf("key.existing_arns", c.Key.ExistingARNs, "must name the key's copy in the home region %s: CloudTrail encrypts with the copy in the bucket's region", c.HomeRegion)
		}
	}
	if len(c.Key.ExistingARNs) > 1 {
		for id := range ids {
			if len(ids) > 1 || !strings.HasPrefix(id, "mrk-") {
				l.Addf("key.existing_arns", c.Key.ExistingARNs, "must be copies of one multi-region key (one key id beginning mrk-, the same in every region)")
				break
			}
		}
	}
}

// organizationIDLike matches an AWS Organizations id (o- and 10 to 32
// lowercase letters or digits).
var organizationIDLike = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)

// existingWarnings say what a bucket or key made elsewhere leaves to its
// owner: nothing here sets or checks it.
func (c *Config) existingWarnings() []Warning {
	var out []Warning
	if c.Bucket.Existing {
		out = append(out, Warning{Field: "bucket.existing", Value: true, Reason: "the bucket's policy, Object Lock, versioning, default encryption, access logging and lifecycle are its owner's: this configuration neither sets nor checks them; its owner must add the statements cmd/required-policy writes before the trail is created (docs/adopting.md)"})
		exempt := "exempting bucket.break_glass_principals"
		if len(c.Bucket.BreakGlassPrincipals) == 0 {
			exempt = "exempting nobody, as no bucket.break_glass_principals are named: removing it takes a bucket-policy change by the bucket's owner"
		}
		out = append(out, Warning{Field: "bucket.existing", Value: true, Reason: fmt.Sprintf("nothing generated prevents the deletion of this trail's log files in the existing bucket: the required statements deny no deletion, and an owner's lifecycle rule can still expire them; cmd/required-policy writes an optional bucket-protection.recommended.json (a deletion deny on %s, %s) for the bucket's owner to consider (docs/adopting.md)", policy.LogPathPrefix(c.Trail.S3KeyPrefix)+"*", exempt)})
		out = append(out, Warning{Field: "trail.s3_key_prefix", Value: c.Trail.S3KeyPrefix, Reason: fmt.Sprintf("before adding the required statements, check that nothing else writes under %s in the existing bucket (no AWS Config delivery channel, flow log or other trail uses that prefix; for example, aws s3api list-objects-v2 --bucket %s --prefix %s --max-items 1 returns nothing): the required deny would stop it (docs/adopting.md)", policy.LogPathPrefix(c.Trail.S3KeyPrefix), c.Bucket.Name, policy.LogPathPrefix(c.Trail.S3KeyPrefix))})
		out = append(out, Warning{Field: "bucket.existing", Value: true, Reason: fmt.Sprintf("the required deny of forged writes covers only this trail's tree %s (and each listed trail's own tree): it stops anyone but this trail writing there, and nothing else; every other delivery to the bucket (AWS Config, the landing zone's own trail, access logs, flow logs, replication) is left to the bucket's own policy (docs/adopting.md)", policy.LogPathPrefix(c.Trail.S3KeyPrefix)+"*")})
	}
	if c.ExistingKey() {
		out = append(out, Warning{Field: "key.existing_arns", Value: c.Key.ExistingARNs, Reason: "the key's policy, rotation and deletion protection are its owner's: this configuration neither sets nor checks them; its owner must add the statements cmd/required-policy writes to every copy before the trail is created (docs/adopting.md)"})
		if c.Guardrails.Enabled {
			out = append(out, Warning{Field: "guardrails.enabled", Value: true, Reason: fmt.Sprintf("the guardrail policy protects only keys tagged %s=%s: tag every copy of the existing key, and know that the guardrails then deny its policy and deletion changes to the key owner's tooling too, unless exempt", policy.GuardTagKey, c.Trail.Name)})
		}
	}
	return out
}
