package config

import (
	"fmt"
	"sort"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// AppLabel is this app's label, which the stacks give every construct
// (constructs.Naming.Label) and put on the key policies they build: the Id
// of every policy the app writes starts with it ("cloudtrail-mrk-key-policy"),
// so the policies rendered here, to be measured, carry it too
// (policy.Document.Labeled). The library's own Ids name no app.
const AppLabel = "cloudtrail-mrk"

// The policies whose size grows with the configuration's lists (readers,
// administrators, break-glass principals) are rendered here, in plain Go,
// exactly as the stacks render them (TestPoliciesMatchTheSynthesizedStacks
// compares them with the golden stacks), and measured against the limits of
// the services they land in.

// ReplicationGrants are the replication role's grants on the key and the
// buckets, or nil when replication is off.
func (c *Config) ReplicationGrants() *policy.Replication {
	r := c.Replication
	if !r.Enabled {
		return nil
	}
	return &policy.Replication{
		Partition: c.Partition(), Account: c.Accounts.LogArchive.ID, RoleName: r.RoleName,
		SourceRegion: c.HomeRegion, SourceBucket: c.Bucket.Name,
		DestinationRegion: r.Region, DestinationBucket: r.BucketName,
		TrailAccount: c.TrailIdentity().Account,
	}
}

// LogBucketProtection is what the trail and recovery bucket policies, their
// access-log buckets' policies, and the key policy, deny to everyone but the deploying role and the
// break-glass principals.
func (c *Config) LogBucketProtection() *policy.Protection {
	return &policy.Protection{BreakGlass: c.Bucket.BreakGlassPrincipals, Deployer: c.Accounts.LogArchive.RoleARN, ManagesKeys: c.BootstrapEnabled(), AllowKeyDeletion: c.AllowDestroy}
}

// MonitoringDeployer is the role that applies the stack holding the trail's
// monitoring (log group, topics, their key): the log-archive account's when
// one stack holds the log archive and the trail (one account in both roles,
// or the log-archive account as the delegated administrator), otherwise the
// trail creator's. "" when that account has no role_arn.
func (c *Config) MonitoringDeployer() string {
	if c.SingleAccount() || c.TrailCreatorIsLogArchive() {
		return c.Accounts.LogArchive.RoleARN
	}
	return c.TrailCreator().RoleARN
}

// MonitoringProtection is what the monitoring key's policy and the topics'
// policies deny to everyone but MonitoringDeployer and the break-glass
// principals (policy.KeyDestructionActions, policy.TopicChangeActions);
// nothing without a deploying role.
func (c *Config) MonitoringProtection() *policy.Protection {
	return &policy.Protection{BreakGlass: c.Bucket.BreakGlassPrincipals, Deployer: c.MonitoringDeployer(), ManagesKeys: c.BootstrapEnabled(), AllowKeyDeletion: c.AllowDestroy}
}

// KeyPolicyProps are the props of the key policy of the key's copy in
// region: every copy carries the trail, administrator and reader statements,
// and only the replication grants it uses. With the bootstrap, every copy
// names the log-archive deploying role as its manager (LogBucketProtection's
// ManagesKeys), and the primary (region is the home region) lets it
// replicate the key into key.replica_regions only
// (docs/bootstrap.md#keys-by-key-policy).
func (c *Config) KeyPolicyProps(region string) policy.KeyPolicyProps {
	var replicaRegions []string
	if c.BootstrapEnabled() && region == c.HomeRegion {
		replicaRegions = c.Key.ReplicaRegions
	}
	return policy.KeyPolicyProps{
		ReplicaRegions: replicaRegions,
		KeyAccount:     c.Accounts.LogArchive.ID,
		Trail:          c.TrailIdentity(),
		Administrators: c.Key.Administrators,
		Readers:        c.Key.Readers,
		TrailBucket:    c.Bucket.Name,
		Protection:     c.LogBucketProtection(),
		Replication:    c.ReplicationGrants(),
		Region:         region,
		Verifiers:      c.Key.Verifiers,
	}
}

// trailBucketPolicyProps are the props of the trail bucket's policy.
func (c *Config) trailBucketPolicyProps() policy.BucketPolicyProps {
	return policy.BucketPolicyProps{
		BucketName:       c.Bucket.Name,
		KeyPrefix:        c.Trail.S3KeyPrefix,
		Trail:            c.TrailIdentity(),
		OrganizationID:   c.OrganizationID,
		Readers:          c.Key.Readers,
		Protection:       c.LogBucketProtection(),
		AdditionalTrails: c.AdditionalTrails(),
		Verifiers:        c.Key.Verifiers,
	}
}

// recoveryBucketPolicyProps are the props of the recovery bucket's policy.
func (c *Config) recoveryBucketPolicyProps() policy.RecoveryBucketPolicyProps {
	return policy.RecoveryBucketPolicyProps{
		Partition:          c.Partition(),
		BucketName:         c.Replication.BucketName,
		KeyPrefix:          c.Trail.S3KeyPrefix,
		Readers:            c.Key.Readers,
		Protection:         c.LogBucketProtection(),
		ReplicationRoleARN: c.ReplicationGrants().RoleARN(),
		Verifiers:          c.Key.Verifiers,
		TrailAccount:       c.TrailIdentity().Account,
		OrganizationID:     c.OrganizationID,
	}
}

// accessLogBucketPolicyProps are the props of the access-log buckets'
// policies, keyed by bucket name: the trail bucket's (which also takes the
// Athena results bucket's logs) and, with replication, the recovery
// bucket's. None when access logging is off.
func (c *Config) accessLogBucketPolicyProps() map[string]policy.AccessLogBucketPolicyProps {
	if !c.Bucket.AccessLogs.Enabled {
		return nil
	}
	props := func(bucket string, sources ...string) policy.AccessLogBucketPolicyProps {
		return policy.AccessLogBucketPolicyProps{
			Partition: c.Partition(), BucketName: bucket, Account: c.Accounts.LogArchive.ID,
			SourceBuckets: sources, Protection: c.LogBucketProtection(),
		}
	}
	sources := []string{c.Bucket.Name}
	if c.Athena.Enabled {
		sources = append(sources, c.Athena.ResultsBucketName)
	}
	out := map[string]policy.AccessLogBucketPolicyProps{c.Bucket.AccessLogs.BucketName: props(c.Bucket.AccessLogs.BucketName, sources...)}
	if r := c.Replication; r.Enabled {
		out[r.AccessLogBucketName] = props(r.AccessLogBucketName, r.BucketName)
	}
	return out
}

// queryRoleTrust is the Athena query role's trust policy: every reader may
// assume the role.
func (c *Config) queryRoleTrust() (policy.Document, error) {
	return policy.QueryRoleTrust(policy.QueryRoleProps{Partition: c.Partition(), Readers: c.Key.Readers})
}

// renderedPolicies are the size-limited policies of the configuration, each
// as the stacks write it; a policy that cannot be rendered (because of a
// field reported on its own) is left out.
type renderedPolicies struct {
	// keyRegion and key are the largest key policy among the key's copies,
	// and the region of that copy.
	keyRegion, key string
	// trailBucket and recoveryBucket are the bucket policies ("" when
	// there is no recovery bucket).
	trailBucket, recoveryBucket string
	// accessLogBuckets are the access-log buckets' policies, by bucket
	// name: they carry the break-glass principals too.
	accessLogBuckets map[string]string
	// queryTrust is the Athena query role's trust policy as IAM counts it,
	// without white space ("" without Athena).
	queryTrust string
}

func (c *Config) renderPolicies() renderedPolicies {
	var out renderedPolicies
	regions := append([]string{c.HomeRegion}, c.Key.ReplicaRegions...)
	for _, region := range regions {
		if doc, err := policy.KeyPolicy(c.KeyPolicyProps(region)); err == nil {
			if j, err := doc.Labeled(AppLabel).JSON(); err == nil && len(j) > len(out.key) {
				out.key, out.keyRegion = j, region
			}
		}
	}
	if doc, err := policy.TrailBucketPolicy(c.trailBucketPolicyProps()); err == nil {
		out.trailBucket, _ = doc.Labeled(AppLabel).JSON()
	}
	if c.Replication.Enabled {
		if doc, err := policy.RecoveryBucketPolicy(c.recoveryBucketPolicyProps()); err == nil {
			out.recoveryBucket, _ = doc.Labeled(AppLabel).JSON()
		}
	}
	for name, props := range c.accessLogBucketPolicyProps() {
		if doc, err := policy.AccessLogBucketPolicy(props); err == nil {
			if out.accessLogBuckets == nil {
				out.accessLogBuckets = map[string]string{}
			}
			out.accessLogBuckets[name], _ = doc.Labeled(AppLabel).JSON()
		}
	}
	if c.Athena.Enabled {
		if doc, err := c.queryRoleTrust(); err == nil {
			out.queryTrust, _ = doc.CompactJSON()
		}
	}
	return out
}

// validatePolicySizes refuses a configuration whose policies would be
// larger than the services accept: the key policy (KMS, 32 KB), the trail,
// recovery and access-log bucket policies (S3, 20 KB) and the Athena query role's trust
// policy (IAM's largest quota). Only the size is reported here: any other
// problem of a policy comes from a field reported on its own. The limits are
// measured on the policies as synthesized, white space included, so that
// whether Terraform's provider compacts them or not, AWS receives no more.
func (c *Config) validatePolicySizes(l *rules.List) {
	p := c.renderPolicies()
	const lists = "name fewer, or shorter, key.readers, key.verifiers, key.administrators or bucket.break_glass_principals"
	if n := len(p.key); n > rules.MaxKeyPolicyBytes {
		l.Addf("key", n, "must render a key policy of at most %d bytes (KMS's limit), and this configuration's for the copy in %s is longer: %s", rules.MaxKeyPolicyBytes, p.keyRegion, lists)
	}
	const bucketLists = "name fewer, or shorter, key.readers, key.verifiers or bucket.break_glass_principals"
	if n := len(p.trailBucket); n > rules.MaxBucketPolicyBytes {
		l.Addf("bucket", n, "must render a bucket policy of at most %d bytes (S3's 20 KB limit), and this configuration's is longer: %s", rules.MaxBucketPolicyBytes, bucketLists)
	}
	if n := len(p.recoveryBucket); n > rules.MaxBucketPolicyBytes {
		l.Addf("replication", n, "must render a recovery bucket policy of at most %d bytes (S3's 20 KB limit), and this configuration's is longer: %s", rules.MaxBucketPolicyBytes, bucketLists)
	}
	for _, name := range sortedKeys(p.accessLogBuckets) {
		if n := len(p.accessLogBuckets[name]); n > rules.MaxBucketPolicyBytes {
			l.Addf("bucket.access_logs", n, "must render a bucket policy of at most %d bytes (S3's 20 KB limit) for the access-log bucket %s, and this configuration's is longer: name fewer, or shorter, bucket.break_glass_principals", rules.MaxBucketPolicyBytes, name)
		}
	}
	if n := len(p.queryTrust); n > rules.MaxRoleTrustPolicyChars {
		l.Addf("athena", n, "must render a query role trust policy of at most %d characters (the largest quota IAM grants), and this configuration's, which lists every key.readers, is longer: name fewer or shorter key.readers", rules.MaxRoleTrustPolicyChars)
	}
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// policySizeWarnings: a trust policy over IAM's default quota is created
// only in an account whose quota was raised, which cannot be checked
// offline.
func (c *Config) policySizeWarnings() []Warning {
	if !c.Athena.Enabled {
		return nil
	}
	p := c.renderPolicies()
	n := len(p.queryTrust)
	if n <= rules.DefaultRoleTrustPolicyChars || n > rules.MaxRoleTrustPolicyChars {
		return nil
	}
	return []Warning{{Field: "key.readers", Value: len(c.Key.Readers), Reason: fmt.Sprintf(
		"the Athena query role's trust policy lists every reader and is %d characters, over IAM's default quota of %d: creating the role fails unless the log-archive account's \"Role trust policy length\" quota was raised to at least %d",
		n, rules.DefaultRoleTrustPolicyChars, n)}}
}
