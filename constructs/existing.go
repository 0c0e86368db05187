package constructs

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/jsii-runtime-go"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// IKey is what the constructs need from a KMS key: the ARN of its copy in a
// region. *MultiRegionKey implements it, and so does a key made elsewhere
// (KeyFromArns).
type IKey interface {
	// KeyArnIn returns the ARN of the key's copy in region, or an error when
	// the key has none there.
	KeyArnIn(region string) (*string, error)
	// Regions lists the regions where the key has a copy.
	Regions() []string
}

// IBucket is what the constructs need from an S3 bucket: its name, its ARN
// and its region.
type IBucket interface {
	// BucketName is the bucket's name.
	BucketName() string
	// BucketArn is the bucket's ARN (a Terraform reference for a bucket this
	// app creates).
	BucketArn() *string
	// Region is the bucket's region.
	Region() string
}

// ITrailBucket is a bucket that accepts the logs of exactly one trail: what
// NewTrail needs from it. *TrailBucket implements it, and so does a bucket
// made elsewhere (TrailBucketFromName).
type ITrailBucket interface {
	IBucket
	// Trail is the one trail the bucket accepts logs from.
	Trail() policy.Trail
	// KeyPrefix is the trail's S3 key prefix, or "".
	KeyPrefix() string
	// OrganizationID is the organization whose logs the bucket accepts, or
	// "" for an account trail.
	OrganizationID() string
	// AccessLogBucketName receives the bucket's access logs, or "".
	AccessLogBucketName() string
}

var (
	_ IKey         = (*MultiRegionKey)(nil)
	_ IKey         = (*ExistingKey)(nil)
	_ ITrailBucket = (*TrailBucket)(nil)
	_ ITrailBucket = (*ExistingTrailBucket)(nil)
	_ IBucket      = (*RecoveryBucket)(nil)
)

// ExistingKey is a KMS key made elsewhere (by a landing zone, another stack,
// another tool): its copies' ARNs by region. Nothing is created for it, and
// its policy is not ours: its owner must add the statements the constructs
// using it need (Trail.RequiredKeyStatements).
type ExistingKey struct {
	arns    map[string]string
	account string
}

// KeyFromArns names an existing key by the ARNs of its copies, one per
// region ("arn:<partition>:kms:<region>:<account>:key/<id>"): a
// single-region key, or a multi-region key's primary and replicas. The
// region of each copy is the one its ARN names. Aliases are refused: the
// trail needs a key ARN (an alias gives a permanent diff). At least one ARN
// is required; all must be in one account and partition.
func KeyFromArns(arns ...string) (*ExistingKey, error) {
	var l rules.List
	k := &ExistingKey{arns: map[string]string{}}
	if len(arns) == 0 {
		l.Addf("KeyFromArns", "[]", "needs the ARN of at least one key copy")
	}
	partition := ""
	for i, keyArn := range arns {
		f := fmt.Sprintf("KeyFromArns[%d]", i)
		// A key id has no colon: one in the resource is not a key ARN.
		a, err := arn.Parse(keyArn)
		if err != nil || a.Service != "kms" || !strings.HasPrefix(a.Resource, "key/") || len(a.Resource) == len("key/") || strings.Contains(a.Resource, ":") {
			l.Addf(f, keyArn, "must be a KMS key ARN: arn:<partition>:kms:<region>:<account>:key/<key id>")
			continue
		}
		region, account := a.Region, a.AccountID
		if err := rules.Region(region); err != nil {
			l.Add(f, err)
			continue
		}
		l.Add(f, rules.AccountID(account))
		switch {
		case a.Partition != rules.Partition(region):
			l.Addf(f, keyArn, "names partition %q, but region %s is in %q", a.Partition, region, rules.Partition(region))
		case partition != "" && a.Partition != partition:
			l.Addf(f, keyArn, "must be in the partition of the other copies (%s)", partition)
		case k.account != "" && account != k.account:
			l.Addf(f, keyArn, "must be in the account of the other copies (%s): copies of a key share its account", k.account)
		case k.arns[region] != "":
			l.Addf(f, keyArn, "names a second copy in %s", region)
		}
		partition, k.account = a.Partition, account
		k.arns[region] = keyArn
	}
	if err := l.Err(); err != nil {
		return nil, err
	}
	return k, nil
}

// KeyArnIn returns the ARN of the copy in region.
func (k *ExistingKey) KeyArnIn(region string) (*string, error) {
	if arn, ok := k.arns[region]; ok {
		return jsii.String(arn), nil
	}
	return nil, fmt.Errorf("the key has no copy in %q; its regions are %s", region, strings.Join(k.Regions(), ", "))
}

// Regions lists the regions of the copies, sorted.
func (k *ExistingKey) Regions() []string { return slices.Sorted(maps.Keys(k.arns)) }

// Account is the account that owns the key.
func (k *ExistingKey) Account() string { return k.account }

// ExistingTrailBucketProps names a trail bucket made elsewhere.
type ExistingTrailBucketProps struct {
	// BucketName is the bucket's name. Required.
	BucketName string
	// Region is the bucket's region. Required.
	Region string
	// Trail is the one trail that delivers to the bucket. Required.
	Trail policy.Trail
	// OrganizationID: the trail is an organization trail of this
	// organization. Default: none (an account trail).
	OrganizationID string
	// KeyPrefix is the trail's S3 key prefix. Required: a bucket made
	// elsewhere may hold other logs under a bare AWSLogs/ (AWS Config's, VPC
	// Flow Logs), which RequiredPolicy's deny must not cover.
	KeyPrefix string
	// Readers are account ids or IAM principal ARNs that must be able to
	// list and read this trail's log objects (its write paths only).
	// Default: none.
	Readers []string
	// Verifiers are IAM role or user ARNs that must be able to list and
	// read this trail's write paths, objects and object versions
	// (policy.Verification). Default: none.
	Verifiers []string
	// AccessLogBucketName receives the bucket's access logs; the trail logs
	// its data events apart (TrailProps.LogBuckets). Default: none.
	AccessLogBucketName string
	// AdditionalTrails already deliver to the bucket and must go on doing so
	// (the trail being replaced): RequiredPolicy lets them deliver and
	// exempts them from its deny of forged writes, which would otherwise
	// stop their deliveries (policy.BucketPolicyProps.AdditionalTrails).
	// Default: none.
	AdditionalTrails []policy.DeliveringTrail
}

// ExistingTrailBucket is a trail bucket made elsewhere (a landing zone's
// log-archive bucket). Nothing is created for it; its owner must add the
// statements of RequiredPolicy to its bucket policy, and should give it
// Object Lock, versioning and SSE-KMS as TrailBucket does.
type ExistingTrailBucket struct {
	props    ExistingTrailBucketProps
	required policy.Document
}

// TrailBucketFromName names an existing trail bucket, with its region and the
// trail it accepts logs from.
func TrailBucketFromName(props ExistingTrailBucketProps) (*ExistingTrailBucket, error) {
	props.Readers = append([]string(nil), props.Readers...)
	props.Verifiers = append([]string(nil), props.Verifiers...)
	props.AdditionalTrails = append([]policy.DeliveringTrail(nil), props.AdditionalTrails...)
	var l rules.List
	if props.Region == "" {
		l.Addf("ExistingTrailBucketProps.Region", "", "is required")
	} else {
		l.Add("ExistingTrailBucketProps.Region", rules.Region(props.Region))
	}
	if props.AccessLogBucketName != "" {
		l.Add("ExistingTrailBucketProps.AccessLogBucketName", rules.BucketName(props.AccessLogBucketName))
	}
	doc, err := policy.TrailBucketPolicy(policy.BucketPolicyProps{
		BucketName: props.BucketName, KeyPrefix: props.KeyPrefix, Trail: props.Trail,
		OrganizationID: props.OrganizationID, Readers: props.Readers, AdditionalTrails: props.AdditionalTrails,
		// docs/adopting.md#what-the-deny-of-forged-writes-stops: a bucket
		// made elsewhere may hold other logs (a landing zone's).
		SharedBucket: true, Verifiers: props.Verifiers,
	})
	l.Add("", rules.Rename(err, "BucketPolicyProps.", "ExistingTrailBucketProps."))
	if err := l.Err(); err != nil {
		return nil, err
	}
	return &ExistingTrailBucket{props: props, required: doc}, nil
}

// BucketName is the bucket's name.
func (b *ExistingTrailBucket) BucketName() string { return b.props.BucketName }

// BucketArn is the bucket's ARN.
func (b *ExistingTrailBucket) BucketArn() *string {
	return jsii.String(fmt.Sprintf("arn:%s:s3:::%s", b.props.Trail.Partition, b.props.BucketName))
}

// Region is the bucket's region.
func (b *ExistingTrailBucket) Region() string { return b.props.Region }

// Trail is the one trail the bucket accepts logs from.
func (b *ExistingTrailBucket) Trail() policy.Trail { return b.props.Trail }

// KeyPrefix is the trail's S3 key prefix, or "".
func (b *ExistingTrailBucket) KeyPrefix() string { return b.props.KeyPrefix }

// OrganizationID is the organization whose logs the bucket accepts, or "".
func (b *ExistingTrailBucket) OrganizationID() string { return b.props.OrganizationID }

// AccessLogBucketName receives the bucket's access logs, or "".
func (b *ExistingTrailBucket) AccessLogBucketName() string { return b.props.AccessLogBucketName }

// RequiredPolicy is what the bucket's owner must add for this trail:
// CloudTrail's ACL check and writes for this one trail (CloudTrail user
// guide, "Amazon S3 bucket policy for CloudTrail",
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html),
// the readers' and verifiers' grants on this trail's write paths only, the TLS-only and
// Requester Pays denies, and the deny of writes into this trail's tree
// ([prefix/]AWSLogs/*; each AdditionalTrails' into its own) by anyone but
// that trail (docs/aws-rules.md#only-the-trail-writes): unlike TrailBucket's,
// no deny covers the whole bucket, which may hold other services' logs
// (policy.BucketPolicyProps.SharedBucket). KeyPrefix is required. Nothing
// here prevents the deletion of this trail's log files. The bucket's owner
// must add these statements; nothing here can.
func (b *ExistingTrailBucket) RequiredPolicy() policy.Document { return b.required }

// isNil reports whether v is nil or an interface holding a nil pointer (a
// nil *TrailBucket passed as an ITrailBucket).
func isNil(v any) bool {
	if v == nil {
		return true
	}
	r := reflect.ValueOf(v)
	return r.Kind() == reflect.Pointer && r.IsNil()
}

// TrailIdentity names a trail by the parts of its ARN: partition, home
// region, owner account and name (policy.Trail, under a name of this package
// so that an app need not import package policy to name a trail).
type TrailIdentity = policy.Trail
