package config

import (
	"fmt"
	"maps"
	"regexp"
	"slices"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

var (
	stateKeyPrefix = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]*[A-Za-z0-9]$|^[A-Za-z0-9]$`)
	dynamoDBTable  = regexp.MustCompile(`^[A-Za-z0-9_.-]{3,255}$`)
)

// Validate checks every rule and reports every violation at once, each with
// its field path, the rule and the value.
func (c *Config) Validate() error {
	var l rules.List
	part := ""
	if c.HomeRegion == "" {
		l.Addf("home_region", c.HomeRegion, "is required")
	} else if err := rules.Region(c.HomeRegion); err != nil {
		l.Add("home_region", err)
	} else {
		part = rules.Partition(c.HomeRegion)
	}

	c.validateAccount(&l, "accounts.management", c.Accounts.Management, part)
	c.validateAccount(&l, "accounts.log_archive", c.Accounts.LogArchive, part)
	if c.OrganizationID != "" {
		l.Add("organization_id", rules.OrganizationID(c.OrganizationID))
	}

	l.Add("trail.name", rules.TrailName(c.Trail.Name))
	l.Add("trail.s3_key_prefix", rules.KeyPrefix(c.Trail.S3KeyPrefix))
	if c.Trail.MultiRegion && !c.Trail.IncludeGlobalServiceEvents {
		// docs/aws-rules.md#global-service-events: is_multi_region_trail needs include_global_service_events
		// (InvalidParameterCombinationException).
		l.Addf("trail.include_global_service_events", false, "must be true when trail.multi_region is true (CloudTrail rejects the combination)")
	}

	for _, k := range slices.Sorted(maps.Keys(c.Tags)) {
		if err := rules.Tag(k, c.Tags[k]); err != nil {
			l.Add(fmt.Sprintf("tags[%q]", k), err)
		}
	}
	c.validateTagCount(&l)
	c.validateMonitoring(&l)
	c.validateAlarms(&l)
	c.validateKey(&l, part)
	c.validateBucket(&l)
	c.validateBreakGlass(&l, part)
	c.validateDeliveringTrails(&l, part)
	c.validateDataEventBuckets(&l)
	c.validateReplication(&l)
	c.validateReplicationAlarms(&l)
	c.validateBackend(&l, part)
	c.validateGuardrails(&l)
	c.validateDelegatedAdministrator(&l, part)
	c.validateAthena(&l)
	c.validateExisting(&l, part)
	c.validateBootstrap(&l, part)
	c.validateImport(&l, part)
	c.validatePolicySizes(&l)
	c.validateUniqueNames(&l)
	c.validateVerifierRoles(&l)
	return l.Err()
}

func (c *Config) validateAccount(l *rules.List, field string, a Account, part string) {
	if a.ID == "" {
		l.Addf(field+".id", a.ID, "is required")
	} else {
		l.Add(field+".id", rules.AccountID(a.ID))
	}
	if a.RoleARN == "" {
		return
	}
	acct, err := rules.RoleARN(a.RoleARN, part)
	if err != nil {
		l.Add(field+".role_arn", err)
	} else if a.ID != "" && acct != a.ID {
		l.Addf(field+".role_arn", a.RoleARN, "must be a role in account %s (%s.id)", a.ID, field)
	}
}

func (c *Config) validateKey(l *rules.List, part string) {
	k := c.Key
	l.Add("key.alias", rules.KeyAlias(k.Alias))
	seen := map[string]int{}
	for i, r := range k.ReplicaRegions {
		f := fmt.Sprintf("key.replica_regions[%d]", i)
		switch {
		case rules.Region(r) != nil:
			l.Add(f, rules.Region(r))
		case r == c.HomeRegion:
			l.Addf(f, r, "must not be the home region: the primary key already lives there")
		case part != "" && rules.Partition(r) != part:
			l.Addf(f, r, "must be in partition %q like the home region %q (multi-region keys do not cross partitions)", part, c.HomeRegion)
		default:
			if j, dup := seen[r]; dup {
				l.Addf(f, r, "repeats key.replica_regions[%d]", j)
			}
		}
		if _, dup := seen[r]; !dup {
			seen[r] = i
		}
	}
	l.Add("key.rotation_period_days", rules.Range(k.RotationPeriodDays, rules.MinRotationDays, rules.MaxRotationDays, "days"))
	l.Add("key.deletion_window_days", rules.Range(k.DeletionWindowDays, rules.MinDeletionWindowDays, rules.MaxDeletionWindowDays, "days"))
	for i, a := range k.Administrators {
		if _, err := rules.PrincipalARN(a, part); err != nil {
			l.Add(fmt.Sprintf("key.administrators[%d]", i), err)
		}
	}
	for i, r := range k.Readers {
		if _, _, err := rules.PrincipalOrAccount(r, part); err != nil {
			l.Add(fmt.Sprintf("key.readers[%d]", i), err)
		}
	}
	for i, v := range k.Verifiers {
		f := fmt.Sprintf("key.verifiers[%d]", i)
		if _, err := rules.RoleOrUserARN(v, part); err != nil {
			l.Add(f, err)
		}
		if j := slices.Index(k.Verifiers, v); j < i {
			l.Addf(f, v, "repeats key.verifiers[%d]", j)
		}
	}
}

func (c *Config) validateBucket(l *rules.List) {
	b := c.Bucket
	if b.Name == "" {
		l.Addf("bucket.name", b.Name, "is required")
	} else {
		l.Add("bucket.name", rules.BucketName(b.Name))
	}
	if a := b.AccessLogs; a.Enabled {
		switch {
		case a.BucketName == "" && b.Name != "":
			l.Addf("bucket.access_logs.bucket_name", a.BucketName, "is required: the default %q is longer than 63 characters", b.Name+DefaultAccessLogSuffix)
		case a.BucketName == b.Name+DefaultAccessLogSuffix && rules.BucketName(b.Name) != nil:
			// Derived from an invalid bucket.name, which is reported already.
		case a.BucketName != "":
			// Equal to bucket.name: see validateUniqueNames.
			l.Add("bucket.access_logs.bucket_name", rules.BucketName(a.BucketName))
		}
		l.Add("bucket.access_logs.expiration_days", rules.Range(a.ExpirationDays, 1, rules.MaxRetentionDays, "days"))
	}
	l.Add("bucket.object_lock.mode", rules.ObjectLockMode(b.ObjectLock.Mode))
	l.Add("bucket.object_lock.days", rules.Range(b.ObjectLock.Days, rules.MinRetentionDays, rules.MaxRetentionDays, "days"))
	if b.Lifecycle != nil {
		rules.Lifecycle(*b.Lifecycle).Check(l, func(name string) string {
			if name == "" {
				return "bucket.lifecycle"
			}
			return "bucket.lifecycle." + name
		}, b.ObjectLock.Days)
	}
}

func (c *Config) validateBackend(l *rules.List, part string) {
	s := c.Backend.S3
	if s == nil {
		return
	}
	if s.Bucket == "" {
		l.Addf("backend.s3.bucket", s.Bucket, "is required")
	} else {
		// Equal to another bucket: see validateUniqueNames.
		l.Add("backend.s3.bucket", rules.BucketName(s.Bucket))
	}
	if s.Region == "" {
		l.Addf("backend.s3.region", s.Region, "is required")
	} else {
		l.Add("backend.s3.region", rules.Region(s.Region))
	}
	if !stateKeyPrefix.MatchString(s.KeyPrefix) || len(s.KeyPrefix) > 512 {
		l.Addf("backend.s3.key_prefix", s.KeyPrefix, "must be letters, digits, '.', '_', '-' and '/', beginning and ending with a letter or digit")
	}
	if s.DynamoDBTable == "" && !s.LocksWithLockfile() {
		l.Addf("backend.s3.use_lockfile", false, "must be true unless dynamodb_table is set: state must be locked")
	}
	if s.DynamoDBTable != "" && !dynamoDBTable.MatchString(s.DynamoDBTable) {
		l.Addf("backend.s3.dynamodb_table", s.DynamoDBTable, "must be a DynamoDB table name: 3 to 255 letters, digits, '_', '-' or '.'")
	}
	if s.RoleARN != "" {
		if _, err := rules.RoleARN(s.RoleARN, part); err != nil {
			l.Add("backend.s3.role_arn", err)
		}
	}
}

func (c *Config) validateMonitoring(l *rules.List) {
	if w := c.Trail.CloudWatchLogs; w.Enabled {
		// A name derived from an invalid trail name is reported there.
		if rules.DerivedName(c.Trail.Name, w.LogGroupName, rules.DefaultLogGroupName) {
			l.Add("trail.cloudwatch_logs.log_group_name", rules.LogGroupName(w.LogGroupName))
		}
		l.Add("trail.cloudwatch_logs.retention_days", rules.LogRetentionDays(w.RetentionDays))
	}
	if n := c.Trail.Notifications; n.Enabled && rules.DerivedName(c.Trail.Name, n.TopicName, rules.DefaultTopicName) {
		l.Add("trail.notifications.topic_name", rules.TopicName(n.TopicName))
	}
	d := c.Trail.DataEvents
	rules.DataEvents{S3Read: d.S3Read, S3Write: d.S3Write, S3Buckets: d.S3Buckets, Lambda: d.Lambda}.
		Check(l, func(name string) string { return "trail.data_events." + name })
}

func (c *Config) validateReplication(l *rules.List) {
	r := c.Replication
	if !r.Enabled {
		return
	}
	switch {
	case r.Region == "":
		l.Addf("replication.region", r.Region, "is required: one of key.replica_regions %q", c.Key.ReplicaRegions)
	case !slices.Contains(c.Key.ReplicaRegions, r.Region):
		l.Addf("replication.region", r.Region, "must be one of key.replica_regions %q: the copy is encrypted with the key's replica there", c.Key.ReplicaRegions)
	}
	l.Add("replication.role_name", rules.RoleName(r.RoleName))
	// checkName reports whether name is acceptable; a name equal to another
	// bucket is refused by validateUniqueNames.
	checkName := func(field, name, derivedFrom string) bool {
		switch {
		case name == "":
			l.Addf(field, name, "is required: the default derived from %s is longer than 63 characters", derivedFrom)
		case rules.BucketName(name) != nil:
			l.Add(field, rules.BucketName(name))
		default:
			return true
		}
		return false
	}
	// A name derived from an invalid bucket.name is reported there.
	if rules.BucketName(c.Bucket.Name) != nil && r.BucketName == c.Bucket.Name+DefaultRecoverySuffix {
		return
	}
	if checkName("replication.bucket_name", r.BucketName, "bucket.name") && c.Bucket.AccessLogs.Enabled {
		checkName("replication.access_log_bucket_name", r.AccessLogBucketName, "replication.bucket_name")
	}
}

func (c *Config) validateBreakGlass(l *rules.List, part string) {
	for i, a := range c.Bucket.BreakGlassPrincipals {
		if _, err := rules.PrincipalARN(a, part); err != nil {
			l.Add(fmt.Sprintf("bucket.break_glass_principals[%d]", i), err)
		}
	}
}

func (c *Config) validateDeliveringTrails(l *rules.List, part string) {
	own := c.TrailIdentity().ARN()
	seen := map[string]int{}
	for i, t := range c.Bucket.AdditionalDeliveringTrails {
		f := fmt.Sprintf("bucket.additional_delivering_trails[%d]", i)
		if t.ARN == "" {
			l.Addf(f+".arn", t.ARN, "is required")
		} else if _, err := rules.TrailARN(t.ARN, part); err != nil {
			l.Add(f+".arn", err)
		} else if t.ARN == own {
			l.Addf(f+".arn", t.ARN, "is this configuration's own trail, which delivers already")
		} else if j, dup := seen[t.ARN]; dup {
			l.Addf(f+".arn", t.ARN, "repeats bucket.additional_delivering_trails[%d]", j)
		} else {
			seen[t.ARN] = i
		}
		l.Add(f+".s3_key_prefix", rules.KeyPrefix(t.S3KeyPrefix))
		// Apart trees: the two trails' files would mix otherwise, and the
		// listed trail could write into this trail's path.
		l.Add(f+".s3_key_prefix", policy.LogPathOverlap(t.S3KeyPrefix, c.Trail.S3KeyPrefix, "this trail (trail.s3_key_prefix)"))
		for j := range i {
			l.Add(f+".s3_key_prefix", policy.LogPathOverlap(t.S3KeyPrefix, c.Bucket.AdditionalDeliveringTrails[j].S3KeyPrefix, fmt.Sprintf("bucket.additional_delivering_trails[%d]", j)))
		}
	}
}

// LogBuckets are the buckets that hold the trail's logs, their copies and
// their access logs: the trail logs their data events apart, whatever
// trail.data_events says, except the writes that deliver logs.
func (c *Config) LogBuckets() []string {
	out := []string{c.Bucket.Name}
	if c.Bucket.AccessLogs.Enabled {
		out = append(out, c.Bucket.AccessLogs.BucketName)
	}
	if r := c.Replication; r.Enabled {
		out = append(out, r.BucketName)
		if c.Bucket.AccessLogs.Enabled {
			out = append(out, r.AccessLogBucketName)
		}
	}
	return out
}

func (c *Config) validateDataEventBuckets(l *rules.List) {
	own := map[string]bool{}
	for _, b := range c.LogBuckets() {
		if b != "" {
			own[b] = true
		}
	}
	for i, b := range c.Trail.DataEvents.S3Buckets {
		if own[b] {
			l.Addf(fmt.Sprintf("trail.data_events.s3_buckets[%d]", i), b, "is one of this configuration's log buckets, whose data events are always logged but for log deliveries; naming it here would log every delivery, recursively")
		}
	}
}

// maxTagsPerResource is the most user tags a resource holds
// (docs/aws-rules.md#tag-count).
const maxTagsPerResource = 50

// validateTagCount counts tags as the resources get them: the providers'
// default_tags (tags) on every resource, plus the guardrail tag on every
// copy of the key. The guardrail tag's key is the policy's, so tags must
// not set it.
func (c *Config) validateTagCount(l *rules.List) {
	own := 0
	if c.Guardrails.Enabled {
		own = 1
		if v, ok := c.Tags[policy.GuardTagKey]; ok {
			l.Addf(fmt.Sprintf("tags[%q]", policy.GuardTagKey), v, "must not be set when guardrails.enabled is true: the guardrails tag every copy of the key with that key themselves")
		}
	}
	if n := len(c.Tags) + own; n > maxTagsPerResource {
		reason := ""
		if own > 0 {
			reason = " (the key also gets the guardrail tag)"
		}
		l.Addf("tags", len(c.Tags), "must hold at most %d tags%s: every resource gets them through the providers' default_tags, and AWS allows %d user tags per resource", maxTagsPerResource-own, reason, maxTagsPerResource)
	}
}
