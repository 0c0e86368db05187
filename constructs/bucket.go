package constructs

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucket"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketlifecycleconfiguration"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketlogging"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketobjectlockconfiguration"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketownershipcontrols"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketpolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketpublicaccessblock"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketserversideencryptionconfiguration"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketversioning"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// Defaults of TrailBucketProps and RecoveryBucketProps (package rules'
// values, shared with the configuration file).
const (
	// DefaultObjectLockMode is the default retention mode: GOVERNANCE.
	DefaultObjectLockMode = rules.DefaultObjectLockMode
	// DefaultObjectLockDays is the default retention: 365 days.
	DefaultObjectLockDays = rules.DefaultObjectLockDays
	// DefaultStorageClass is the transition storage class of a Lifecycle
	// that sets TransitionDays without one: GLACIER_IR.
	DefaultStorageClass = rules.DefaultStorageClass
)

// LifecycleProps is the optional lifecycle of the log objects; see
// rules.Lifecycle for each field and its default.
type LifecycleProps = rules.Lifecycle

// TrailBucketProps configures NewTrailBucket.
type TrailBucketProps struct {
	// BucketName is the globally unique bucket name. Required.
	BucketName string
	// Region is the bucket's region. Default: the region of Provider, or of
	// the stack's default AWS provider; refused when it contradicts that
	// region, required when that region is not known at synthesis.
	Region string
	// Provider creates the bucket and its settings.
	// Default: the stack's default AWS provider.
	Provider cdktf.TerraformProvider
	// Key encrypts every object by default, with its copy in Region: a
	// MultiRegionKey, or a key made elsewhere (KeyFromArns). A
	// MultiRegionKey made without a policy gets the trail's statements and
	// the Readers' decrypt grants once the bucket has its trail (at once with
	// Trail: the trail may be created by another app). It must be the key
	// the trail is given (NewTrail refuses another). Required.
	Key IKey
	// Trail is the one trail allowed to deliver to the bucket. Default: none
	// yet: NewTrail names it when it is given this bucket, and until then
	// the policy denies every write and grants nothing
	// (policy.UnboundTrailBucketPolicy).
	Trail policy.Trail
	// OrganizationID adds the organization log path to the bucket policy.
	// Default: none (an account trail), or TrailProps.OrganizationID when
	// NewTrail names the trail.
	OrganizationID string
	// KeyPrefix is the trail's S3 key prefix. Default: none.
	KeyPrefix string
	// Readers are account ids or IAM principal ARNs that may list the bucket
	// and read the log objects. Default: none.
	Readers []string
	// Verifiers are IAM role or user ARNs (not accounts, not root) that may
	// list and read the trail's write paths, objects and object versions,
	// and, on a MultiRegionKey made without a policy, decrypt them through
	// S3 in the bucket's region (policy.Verification); a RecoveryBucket made
	// from this bucket grants them on the copies too. Their own accounts'
	// identity policy: policy.VerifierIdentityPolicy. Default: none.
	Verifiers []string
	// ObjectLockMode is GOVERNANCE or COMPLIANCE.
	// Default: DefaultObjectLockMode.
	ObjectLockMode string
	// ObjectLockDays is the default retention, 1 to 36500.
	// Default: DefaultObjectLockDays.
	ObjectLockDays int
	// Lifecycle of the log objects. Default: none (kept forever).
	Lifecycle *LifecycleProps
	// AccessLogs receives the bucket's S3 server access logs (CIS 3.4); it
	// must have been created for this bucket (AccessLogBucketProps.SourceBuckets).
	// Default: none.
	AccessLogs *AccessLogBucket
	// AllowDestroy drops prevent_destroy from the bucket. force_destroy
	// stays false regardless: it would delete locked log objects too.
	// Default: false.
	AllowDestroy bool
	// Protection denies deleting log objects to every principal but its
	// break-glass ones and, when it names the deploying role, changing the
	// bucket's lifecycle, Object Lock, versioning and policy to every
	// principal but that role and them (see policy.Protection).
	// Default: deletion denied to everyone; protection changes not denied.
	Protection *policy.Protection
	// Naming labels the bucket policy's Id (Naming.Label).
	// Default: Naming{} (no label, DefaultAlarmNamespacePrefix).
	Naming Naming
	// AdditionalTrails may deliver to the bucket too, each under its own
	// aws:SourceArn and key prefix: the trail being replaced, during the
	// overlap of a cutover (policy.BucketPolicyProps.AdditionalTrails).
	// Their keys are not this bucket's concern: each encrypts with its own.
	// Default: none (only Trail delivers).
	AdditionalTrails []policy.DeliveringTrail
}

// TrailBucket is the S3 bucket CloudTrail delivers to, with the split
// resources for every setting (docs/aws-rules.md#split-resources: the inline arguments of aws_s3_bucket
// are deprecated and cause drift). It is a construct; those resources are its
// children.
type TrailBucket struct {
	constructs.Construct
	name           string
	region         string
	key            IKey
	keyPrefix      string
	organizationID string
	trail          policy.Trail
	policyDoc      policy.Document
	// naming labels the policy when it is generated again (planBind).
	naming Naming
	// extra holds what AddToResourcePolicy and GrantRead added, rendered
	// after the generated statements whenever the policy is rendered again.
	extra  []policy.Statement
	locked lockedBucket
	// What a recovery bucket copies (RecoveryBucketProps.Source).
	lockMode   string
	lockDays   int
	lifecycle  *LifecycleProps
	readers    []string
	verifiers  []string
	protection *policy.Protection
	// additional are the other trails that may deliver (AdditionalTrails).
	additional []policy.DeliveringTrail
	// accessLogBucket receives this bucket's access logs, or "".
	accessLogBucket string
	// grants counts GrantRead calls, for statement ids.
	grants int
	// grantedReaders are the readers GrantRead added: a RecoveryBucket made
	// later grants them on the copies too.
	grantedReaders []string
}

// withDefaults returns a copy of p with every unset optional value at its
// default; p itself, and what it points to, are not changed.
func (p TrailBucketProps) withDefaults() TrailBucketProps {
	p.ObjectLockMode, p.ObjectLockDays, p.Lifecycle = lockedDefaults(p.ObjectLockMode, p.ObjectLockDays, p.Lifecycle)
	p.Readers = append([]string(nil), p.Readers...)
	p.Verifiers = append([]string(nil), p.Verifiers...)
	p.AdditionalTrails = append([]policy.DeliveringTrail(nil), p.AdditionalTrails...)
	if p.Protection != nil {
		c := *p.Protection
		p.Protection = &c
	}
	return p
}

// validate checks props whose defaults are resolved (withDefaults), with
// what synthesis knows of their provider, and resolves Region.
func (p *TrailBucketProps) validate(f providerFacts) (policy.Document, error) {
	var l rules.List
	p.Naming.validate(&l, "TrailBucketProps.Naming", "")
	p.Region = resolveRegion(&l, "TrailBucketProps.Region", p.Region, f)
	validateLocked(&l, "TrailBucketProps", p.BucketName, p.Region, p.Key, p.ObjectLockMode, p.ObjectLockDays, p.Lifecycle, p.AccessLogs)
	bp := p.policyProps()
	if p.Trail == (policy.Trail{}) {
		// No trail yet: what TrailBucketPolicy checks besides the trail is
		// checked now, with a stand-in trail whose own checks are dropped,
		// so that a bad reader is refused here and not when NewTrail binds.
		bp.Trail = policy.Trail{Partition: partitionOf(p.Region), Region: p.Region, Account: "000000000000", Name: "unbound"}
		if bp.Trail.Region == "" {
			bp.Trail.Region = "us-east-1"
		}
		_, err := policy.TrailBucketPolicy(bp)
		l.Add("", rules.Rename(err, "BucketPolicyProps.", "TrailBucketProps."))
		doc, err := policy.UnboundTrailBucketPolicy(bp.Trail.Partition, p.BucketName, bp.Protection)
		if err == nil || l.Len() > 0 {
			return doc, l.Err()
		}
		return doc, rules.Rename(err, "BucketPolicyProps.", "TrailBucketProps.")
	}
	doc, err := policy.TrailBucketPolicy(bp)
	l.Add("", rules.Rename(err, "BucketPolicyProps.", "TrailBucketProps."))
	return doc, l.Err()
}

// policyProps are what the bucket policy is generated from.
func (p *TrailBucketProps) policyProps() policy.BucketPolicyProps {
	return policy.BucketPolicyProps{
		BucketName:       p.BucketName,
		KeyPrefix:        p.KeyPrefix,
		Trail:            p.Trail,
		OrganizationID:   p.OrganizationID,
		Readers:          p.Readers,
		Protection:       protectionOrDefault(p.Protection),
		AdditionalTrails: p.AdditionalTrails,
		Verifiers:        p.Verifiers,
	}
}

// partitionOf is region's partition, or "aws" for a region in none (whose
// violation is reported apart).
func partitionOf(region string) string {
	if p := rules.Partition(region); p != "" {
		return p
	}
	return "aws"
}

// NewTrailBucket creates the trail bucket: Object Lock on at creation,
// force_destroy off, versioning, SSE-KMS with Bucket Keys, default retention,
// all four public access blocks, BucketOwnerEnforced, the generated bucket
// policy and an optional lifecycle.
func NewTrailBucket(scope constructs.Construct, id string, props TrailBucketProps) (*TrailBucket, error) {
	if err := checkScope(scope, id, "NewTrailBucket"); err != nil {
		return nil, err
	}
	props = props.withDefaults()
	facts := readProvider(scope, props.Provider)
	doc, err := props.validate(facts)
	if err != nil {
		return nil, err
	}
	doc = props.Naming.document(doc)
	policyJSON, err := doc.JSON()
	if err == nil {
		err = policySize(policyJSON, rules.MaxBucketPolicyBytes, "S3")
	}
	if err != nil {
		return nil, rules.At("TrailBucketProps", err)
	}
	b := &TrailBucket{
		name:           props.BucketName,
		region:         props.Region,
		key:            props.Key,
		keyPrefix:      props.KeyPrefix,
		organizationID: props.OrganizationID,
		trail:          props.Trail,
		policyDoc:      doc,
		lockMode:       props.ObjectLockMode,
		lockDays:       props.ObjectLockDays,
		lifecycle:      props.Lifecycle,
		readers:        props.Readers,
		verifiers:      props.Verifiers,
		protection:     props.Protection,
		additional:     props.AdditionalTrails,
		naming:         props.Naming,
	}
	// A key made without a policy gets the trail's statements and the
	// readers' decrypt grants.
	grantKey, err := b.planKeyGrants()
	if err != nil {
		return nil, err
	}
	keyArn, _ := props.Key.KeyArnIn(props.Region)
	b.accessLogBucket = accessLogName(props.AccessLogs)
	requireProviderConstraint(scope)
	constructs.NewConstruct_Override(b, scope, jsii.String(id))
	b.locked = newLockedBucket(b, lockedBucketSpec{
		name: props.BucketName, provider: props.Provider, keyArn: keyArn, policyJSON: policyJSON,
		lockMode: props.ObjectLockMode, lockDays: props.ObjectLockDays, lifecycle: props.Lifecycle,
		accessLogs: props.AccessLogs, allowDestroy: props.AllowDestroy,
		regionCheck: regionCheck(facts, bucketRegionCondition, props.Region, "the bucket "+props.BucketName),
	})
	grantKey()
	if !b.bound() {
		// A bucket still without its trail at synthesis would be deployed
		// denying every delivery: synthesis fails instead.
		b.Node().AddValidation(&unboundValidation{check: func() string {
			if b.bound() {
				return ""
			}
			return fmt.Sprintf("the trail bucket %s has no trail: its policy denies every write. Name it in TrailBucketProps.Trail (a trail created by another app), or call NewTrail with this bucket", b.name)
		}})
	}
	return b, nil
}

// unboundValidation fails synthesis while check returns a message: a bucket
// without its trail, a recovery bucket without its replication role.
type unboundValidation struct{ check func() string }

// Validate implements constructs.IValidation.
func (v *unboundValidation) Validate() *[]*string {
	if m := v.check(); m != "" {
		return &[]*string{jsii.String(m)}
	}
	return &[]*string{}
}

// bound reports whether the bucket has its trail.
func (b *TrailBucket) bound() bool { return b.trail != (policy.Trail{}) }

// Key is the key that encrypts the bucket's objects (TrailBucketProps.Key).
func (b *TrailBucket) Key() IKey { return b.key }

// readerKeyStatements are the decrypt grants of the bucket's Readers on its
// key, per copy, when the key is a MultiRegionKey made without a policy and
// the bucket has its trail (a reader's grant names the trail's encryption
// context); none otherwise. A custom key policy carries its readers itself
// (policy.KeyPolicyProps.Readers).
func (b *TrailBucket) readerKeyStatements() (map[string][]policy.Statement, error) {
	k, ok := b.key.(*MultiRegionKey)
	if !ok || !k.derived || !b.bound() || len(b.readers) == 0 {
		return nil, nil
	}
	return k.readerStatements(policy.ReaderGrant{Sid: "TrailBucketReaders", Trail: b.trail, Bucket: b.name,
		BucketRegion: b.region, KeyPrefix: b.keyPrefix, Readers: b.readers}, "TrailBucketProps.")
}

// verification is what the bucket's Verifiers verify: its trail's write
// paths here, and, with recovery, the copies in that bucket; nil without
// verifiers or before the bucket has its trail.
func (b *TrailBucket) verification(recovery *RecoveryBucket) *policy.Verification {
	if len(b.verifiers) == 0 || !b.bound() {
		return nil
	}
	v := &policy.Verification{Verifiers: b.verifiers, Trail: b.trail, OrganizationID: b.organizationID,
		KeyPrefix: b.keyPrefix, Bucket: b.name, BucketRegion: b.region}
	if recovery != nil {
		v.RecoveryBucket, v.RecoveryRegion = recovery.name, recovery.region
	}
	return v
}

// verifierKeyStatements are the decrypt grants of the bucket's Verifiers
// on its key, per copy, when the key is a MultiRegionKey made without a
// policy and the bucket has its trail; none otherwise. A custom key policy
// carries them itself (policy.KeyPolicyProps.Verifiers).
func (b *TrailBucket) verifierKeyStatements() (map[string][]policy.Statement, error) {
	k, ok := b.key.(*MultiRegionKey)
	v := b.verification(nil)
	if !ok || !k.derived || v == nil {
		return nil, nil
	}
	out := map[string][]policy.Statement{}
	for _, r := range k.Regions() {
		s, err := v.KeyStatements(r)
		if err != nil {
			return nil, rules.Rename(err, "Verification.", "TrailBucketProps.")
		}
		out[r] = s
	}
	return out, nil
}

// planKeyGrants plans, on a key made without a policy, what a bucket made
// with its trail needs there: the trail's statements (the trail may be
// created by another app, for example in the management account, which
// cannot add them) and readerKeyStatements.
func (b *TrailBucket) planKeyGrants() (apply func(), err error) {
	k, ok := b.key.(*MultiRegionKey)
	if !ok || !k.derived || !b.bound() {
		return func() {}, nil
	}
	if err := k.servesOneTrail("TrailBucketProps.Trail", b.trail); err != nil {
		return nil, err
	}
	trail, err := policy.TrailKeyStatements(b.trail)
	if err != nil {
		return nil, err
	}
	readers, err := b.readerKeyStatements()
	if err != nil {
		return nil, err
	}
	verifiers, err := b.verifierKeyStatements()
	if err != nil {
		return nil, err
	}
	return k.planMissing(func(region string) []policy.Statement {
		return append(append(append([]policy.Statement(nil), trail...), readers[region]...), verifiers[region]...)
	})
}

// planBind names the bucket's trail (NewTrail, for a bucket made without
// one): the policy is generated again for it, with what was added since. A
// bucket that has its trail accepts only that one. Nothing changes until
// apply is called; keyAdds are the readers' grants its key (made without a
// policy) must get, which the caller adds with its own statements.
func (b *TrailBucket) planBind(field string, trail policy.Trail, organizationID string) (apply func(), keyAdds map[string][]policy.Statement, err error) {
	if b.bound() {
		if b.trail != trail || b.organizationID != organizationID {
			return nil, nil, &rules.Violation{Field: field, Value: trail.ARN(), Rule: fmt.Sprintf("the bucket %s accepts the logs of %s (organization %q) only: a trail bucket serves one trail", b.name, b.trail.ARN(), b.organizationID)}
		}
		return func() {}, nil, nil
	}
	next := *b
	next.trail, next.organizationID = trail, organizationID
	doc, err := policy.TrailBucketPolicy(policy.BucketPolicyProps{
		BucketName: b.name, KeyPrefix: b.keyPrefix, Trail: trail, OrganizationID: organizationID,
		Readers: b.readers, Protection: protectionOrDefault(b.protection), AdditionalTrails: b.additional,
		Verifiers: b.verifiers,
	})
	if err != nil {
		return nil, nil, rules.At(field, err)
	}
	doc = b.naming.document(doc)
	doc.Statement = append(doc.Statement, b.extra...)
	j, err := doc.JSON()
	if err == nil {
		err = policySize(j, rules.MaxBucketPolicyBytes, "S3")
	}
	if err != nil {
		return nil, nil, rules.At("the bucket policy of "+b.name, err)
	}
	if keyAdds, err = next.readerKeyStatements(); err != nil {
		return nil, nil, rules.At(field, err)
	}
	verifierAdds, err := next.verifierKeyStatements()
	if err != nil {
		return nil, nil, rules.At(field, err)
	}
	for region, s := range verifierAdds {
		if keyAdds == nil {
			keyAdds = map[string][]policy.Statement{}
		}
		keyAdds[region] = append(keyAdds[region], s...)
	}
	return func() {
		b.trail, b.organizationID, b.policyDoc = trail, organizationID, doc
		b.locked.policy.SetPolicy(jsii.String(j))
	}, keyAdds, nil
}

// lockedBucketSpec is what the trail bucket and the recovery bucket share.
type lockedBucketSpec struct {
	name         string
	provider     cdktf.TerraformProvider
	keyArn       *string
	policyJSON   string
	lockMode     string
	lockDays     int
	lifecycle    *LifecycleProps
	accessLogs   *AccessLogBucket
	allowDestroy bool
	// regionCheck holds the bucket to its region when its provider's
	// region is not known at synthesis, or nil.
	regionCheck *cdktf.Postcondition
}

// lockedBucket holds the resources other constructs refer to.
type lockedBucket struct {
	bucket     s3bucket.S3Bucket
	policy     s3bucketpolicy.S3BucketPolicy
	versioning s3bucketversioning.S3BucketVersioningA
	objectLock s3bucketobjectlockconfiguration.S3BucketObjectLockConfigurationA
	// ownership, encryption and publicAccess are ordered after the
	// ownership controls when the bucket is imported (ImportExisting).
	ownership    s3bucketownershipcontrols.S3BucketOwnershipControls
	encryption   s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationA
	publicAccess s3bucketpublicaccessblock.S3BucketPublicAccessBlock
}

// newLockedBucket creates a log bucket: Object Lock on at creation,
// force_destroy off, versioning, SSE-KMS with Bucket Keys, default retention,
// all four public access blocks, BucketOwnerEnforced, the policy, access
// logging and a lifecycle when asked.
func newLockedBucket(node constructs.Construct, spec lockedBucketSpec) lockedBucket {
	var b lockedBucket
	// docs/aws-rules.md#object-lock-at-creation, #force_destroy: Object Lock must be enabled at creation; force_destroy stays
	// false on an audit bucket (it deletes locked objects too).
	b.bucket = s3bucket.NewS3Bucket(node, jsii.String("Bucket"), &s3bucket.S3BucketConfig{
		Provider:          spec.provider,
		Bucket:            jsii.String(spec.name),
		ObjectLockEnabled: jsii.Bool(true),
		ForceDestroy:      jsii.Bool(false),
		Lifecycle:         withPostcondition(protect(spec.allowDestroy), spec.regionCheck),
	})
	bucketID := b.bucket.Id()
	common := newBucketCommon(node, spec.provider, bucketID, spec.policyJSON)
	b.policy, b.versioning = common.policy, common.versioning
	b.ownership, b.publicAccess = common.ownership, common.publicAccess
	// docs/aws-rules.md#key-in-the-buckets-region, #bucket-keys: SSE-KMS with the key copy in the bucket's region and Bucket
	// Keys on (up to 99% fewer KMS calls).
	b.encryption = s3bucketserversideencryptionconfiguration.NewS3BucketServerSideEncryptionConfigurationA(node, jsii.String("Encryption"), &s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationAConfig{
		Provider: spec.provider,
		Bucket:   bucketID,
		Rule: &[]*s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationRuleA{{
			ApplyServerSideEncryptionByDefault: &s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA{
				SseAlgorithm:   jsii.String("aws:kms"),
				KmsMasterKeyId: spec.keyArn,
			},
			BucketKeyEnabled: jsii.Bool(true),
		}},
	})
	// docs/aws-rules.md#object-lock-needs-versioning: Object Lock needs versioning.
	b.objectLock = s3bucketobjectlockconfiguration.NewS3BucketObjectLockConfigurationA(node, jsii.String("ObjectLock"), &s3bucketobjectlockconfiguration.S3BucketObjectLockConfigurationAConfig{
		Provider:          spec.provider,
		Bucket:            bucketID,
		ObjectLockEnabled: jsii.String("Enabled"),
		Rule: &s3bucketobjectlockconfiguration.S3BucketObjectLockConfigurationRuleA{
			DefaultRetention: &s3bucketobjectlockconfiguration.S3BucketObjectLockConfigurationRuleDefaultRetentionA{
				Mode: jsii.String(spec.lockMode),
				Days: jsii.Number(float64(spec.lockDays)),
			},
		},
		DependsOn: &[]cdktf.ITerraformDependable{common.versioning},
	})
	if spec.accessLogs != nil {
		// CIS 3.4: access logging, into a bucket without Object Lock
		// (docs/aws-rules.md#access-log-bucket: a locked bucket cannot receive access logs).
		s3bucketlogging.NewS3BucketLoggingA(node, jsii.String("AccessLogging"), &s3bucketlogging.S3BucketLoggingAConfig{
			Provider:     spec.provider,
			Bucket:       bucketID,
			TargetBucket: spec.accessLogs.bucket.Id(),
			TargetPrefix: jsii.String(policy.AccessLogTargetPrefix(spec.name)),
			DependsOn:    &[]cdktf.ITerraformDependable{spec.accessLogs.bucketPolicy},
		})
	}
	if lc := spec.lifecycle; lc != nil {
		newLifecycle(node, spec.provider, bucketID, *lc, common.versioning)
	}
	return b
}

// lockedDefaults resolves the Object Lock and lifecycle defaults the trail
// and recovery buckets share. The lifecycle returned is a copy.
func lockedDefaults(mode string, days int, lc *LifecycleProps) (string, int, *LifecycleProps) {
	if mode == "" {
		mode = DefaultObjectLockMode
	}
	if days == 0 {
		days = DefaultObjectLockDays
	}
	if lc != nil {
		c := *lc
		if c.TransitionDays > 0 && c.TransitionStorageClass == "" {
			c.TransitionStorageClass = DefaultStorageClass
		}
		lc = &c
	}
	return mode, days, lc
}

// validateLocked checks the props the trail and recovery buckets share, with
// their defaults resolved (lockedDefaults).
// The region is resolved and checked by the caller (resolveRegion).
func validateLocked(l *rules.List, props, bucketName, region string, key IKey, mode string, days int, lc *LifecycleProps, accessLogs *AccessLogBucket) {
	if isNil(key) {
		l.Addf(props+".Key", "nil", "is required")
	} else if _, err := key.KeyArnIn(region); err != nil && region != "" {
		l.Add(props+".Key", err)
	}
	if accessLogs != nil && !accessLogs.accepts(bucketName) {
		l.Addf(props+".AccessLogs", accessLogs.name, "the access-log bucket does not accept logs from %q: list it in AccessLogBucketProps.SourceBuckets", bucketName)
	}
	l.Add(props+".ObjectLockMode", rules.ObjectLockMode(mode))
	l.Add(props+".ObjectLockDays", rules.Range(days, rules.MinRetentionDays, rules.MaxRetentionDays, "days"))
	if lc != nil {
		lc.Check(l, func(name string) string {
			if name == "" {
				return props + ".Lifecycle"
			}
			return props + ".Lifecycle." + goName(name)
		}, days)
	}
}

func newLifecycle(node constructs.Construct, provider cdktf.TerraformProvider, bucketID *string, lc LifecycleProps, versioning cdktf.ITerraformDependable) {
	rule := &s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRule{
		Id:     jsii.String("cloudtrail-logs"),
		Status: jsii.String("Enabled"),
		// An explicit empty prefix: the rule covers every object (the bucket
		// holds only the trail's logs and digests).
		Filter: &s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleFilter{Prefix: jsii.String("")},
	}
	if lc.TransitionDays > 0 {
		rule.Transition = &[]*s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleTransition{{
			Days:         jsii.Number(float64(lc.TransitionDays)),
			StorageClass: jsii.String(lc.TransitionStorageClass),
		}}
	}
	if lc.ExpirationDays > 0 {
		rule.Expiration = &s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleExpiration{
			Days: jsii.Number(float64(lc.ExpirationDays)),
		}
	}
	if lc.NoncurrentExpirationDays > 0 {
		rule.NoncurrentVersionExpiration = &s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration{
			NoncurrentDays: jsii.Number(float64(lc.NoncurrentExpirationDays)),
		}
	}
	// The provider documents depends_on versioning for lifecycle rules on
	// versioned buckets.
	s3bucketlifecycleconfiguration.NewS3BucketLifecycleConfiguration(node, jsii.String("Lifecycle"), &s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationConfig{
		Provider:  provider,
		Bucket:    bucketID,
		Rule:      &[]*s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRule{rule},
		DependsOn: &[]cdktf.ITerraformDependable{versioning},
	})
}

// BucketName is the bucket's name.
func (b *TrailBucket) BucketName() string { return b.name }

// AccessLogBucketName is the bucket that receives this bucket's access logs,
// or "" when there is none.
func (b *TrailBucket) AccessLogBucketName() string { return b.accessLogBucket }

// accessLogName is a's name, or "" for none.
func accessLogName(a *AccessLogBucket) string {
	if a == nil {
		return ""
	}
	return a.name
}

// BucketArn is the bucket's ARN as a Terraform reference.
func (b *TrailBucket) BucketArn() *string { return b.locked.bucket.Arn() }

// Region is the bucket's region.
func (b *TrailBucket) Region() string { return b.region }

// KeyPrefix is the trail's S3 key prefix the policy was written for.
func (b *TrailBucket) KeyPrefix() string { return b.keyPrefix }

// OrganizationID is the organization the policy accepts logs for, or "".
func (b *TrailBucket) OrganizationID() string { return b.organizationID }

// Trail is the one trail the bucket policy lets deliver: TrailBucketProps.Trail,
// or the trail NewTrail named; the zero Trail before that.
func (b *TrailBucket) Trail() policy.Trail { return b.trail }

// Policy is the bucket policy: the generated one, with what
// AddToResourcePolicy and GrantRead added.
func (b *TrailBucket) Policy() policy.Document { return b.policyDoc }

// PolicyResource is the aws_s3_bucket_policy, for depends_on.
func (b *TrailBucket) PolicyResource() s3bucketpolicy.S3BucketPolicy { return b.locked.policy }

// bucketCommon is what every bucket of this package has: versioning, all four
// public access blocks, BucketOwnerEnforced and a policy.
type bucketCommon struct {
	versioning   s3bucketversioning.S3BucketVersioningA
	policy       s3bucketpolicy.S3BucketPolicy
	ownership    s3bucketownershipcontrols.S3BucketOwnershipControls
	publicAccess s3bucketpublicaccessblock.S3BucketPublicAccessBlock
}

func newBucketCommon(node constructs.Construct, provider cdktf.TerraformProvider, bucketID *string, policyJSON string) bucketCommon {
	versioning := s3bucketversioning.NewS3BucketVersioningA(node, jsii.String("Versioning"), &s3bucketversioning.S3BucketVersioningAConfig{
		Provider:                provider,
		Bucket:                  bucketID,
		VersioningConfiguration: &s3bucketversioning.S3BucketVersioningVersioningConfiguration{Status: jsii.String("Enabled")},
	})
	publicAccess := s3bucketpublicaccessblock.NewS3BucketPublicAccessBlock(node, jsii.String("PublicAccessBlock"), &s3bucketpublicaccessblock.S3BucketPublicAccessBlockConfig{
		Provider:              provider,
		Bucket:                bucketID,
		BlockPublicAcls:       jsii.Bool(true),
		BlockPublicPolicy:     jsii.Bool(true),
		IgnorePublicAcls:      jsii.Bool(true),
		RestrictPublicBuckets: jsii.Bool(true),
	})
	// docs/aws-rules.md#bucket-owner-enforced: BucketOwnerEnforced accepts CloudTrail's
	// bucket-owner-full-control PUTs; S3 access logging is granted by policy.
	ownership := s3bucketownershipcontrols.NewS3BucketOwnershipControls(node, jsii.String("OwnershipControls"), &s3bucketownershipcontrols.S3BucketOwnershipControlsConfig{
		Provider: provider,
		Bucket:   bucketID,
		Rule:     &s3bucketownershipcontrols.S3BucketOwnershipControlsRule{ObjectOwnership: jsii.String("BucketOwnerEnforced")},
	})
	// S3 rejects concurrent changes to one bucket's policy and its public
	// access block ("OperationAborted"), so the policy waits for both.
	bucketPolicy := s3bucketpolicy.NewS3BucketPolicy(node, jsii.String("Policy"), &s3bucketpolicy.S3BucketPolicyConfig{
		Provider:  provider,
		Bucket:    bucketID,
		Policy:    jsii.String(policyJSON),
		DependsOn: &[]cdktf.ITerraformDependable{publicAccess, ownership},
	})
	return bucketCommon{versioning: versioning, policy: bucketPolicy, ownership: ownership, publicAccess: publicAccess}
}

// protectionOrDefault returns p, or the default protection of a log bucket:
// deleting log objects denied to everyone.
func protectionOrDefault(p *policy.Protection) *policy.Protection {
	if p == nil {
		return &policy.Protection{}
	}
	return p
}

// allReaders are the Readers and those GrantRead added: what a recovery
// bucket made from this bucket grants on its copies.
func (b *TrailBucket) allReaders() []string {
	return append(append([]string(nil), b.readers...), b.grantedReaders...)
}
