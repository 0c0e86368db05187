package constructs

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucket"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketlifecycleconfiguration"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketpolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketserversideencryptionconfiguration"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// Defaults of AccessLogBucketProps.
const (
	// DefaultAccessLogExpirationDays expires access logs: 365 days
	// (package rules' value, shared with the configuration file).
	DefaultAccessLogExpirationDays = rules.DefaultAccessLogExpirationDays
	// NoncurrentAccessLogDays keeps an overwritten or deleted access log
	// version this long before it expires.
	NoncurrentAccessLogDays = 30
)

// AccessLogBucketProps configures NewAccessLogBucket.
type AccessLogBucketProps struct {
	// BucketName is the access-log bucket's name. Required.
	BucketName string
	// Partition of the bucket ("aws", "aws-cn", "aws-us-gov"). Required.
	Partition string
	// Account owns this bucket and every source bucket. Required.
	Account string
	// Provider creates the bucket; it must be in the source buckets' region
	// (S3 delivers access logs within a region). Default: the stack's
	// default AWS provider.
	Provider cdktf.TerraformProvider
	// SourceBuckets may deliver access logs here, each under the prefix
	// "<source bucket>/". Required.
	SourceBuckets []string
	// ExpirationDays expires access logs after this many days, 1 to 36500.
	// Default: DefaultAccessLogExpirationDays.
	ExpirationDays int
	// AllowDestroy drops prevent_destroy from the bucket. Default: false.
	AllowDestroy bool
	// Protection denies deleting access logs to every principal but its
	// break-glass ones and, when it names the deploying role, changing the
	// bucket's lifecycle, versioning, logging, encryption and policy to every
	// principal but that role and them, as on the trail bucket (see
	// policy.Protection). Default: deletion denied to everyone; protection
	// changes not denied.
	Protection *policy.Protection
	// Naming labels the bucket policy's Id (Naming.Label).
	// Default: Naming{} (no label, DefaultAlarmNamespacePrefix).
	Naming Naming
}

// AccessLogBucket receives S3 server access logs. It has no Object Lock and
// uses SSE-S3: S3 server access logging supports neither as a target
// (docs/aws-rules.md#access-log-bucket). It is a construct; the bucket and
// its settings are its children.
type AccessLogBucket struct {
	constructs.Construct
	name         string
	sources      map[string]bool
	policyDoc    policy.Document
	bucket       s3bucket.S3Bucket
	bucketPolicy s3bucketpolicy.S3BucketPolicy
}

// NewAccessLogBucket creates the access-log bucket: versioning, SSE-S3, all
// four public access blocks, BucketOwnerEnforced, a policy that lets only the
// S3 logging service write, only for the source buckets, and denies what
// Protection denies, and a lifecycle.
func NewAccessLogBucket(scope constructs.Construct, id string, props AccessLogBucketProps) (*AccessLogBucket, error) {
	if err := checkScope(scope, id, "NewAccessLogBucket"); err != nil {
		return nil, err
	}
	if props.ExpirationDays == 0 {
		props.ExpirationDays = DefaultAccessLogExpirationDays
	}
	if props.Protection != nil {
		c := *props.Protection
		props.Protection = &c
	}
	var l rules.List
	props.Naming.validate(&l, "AccessLogBucketProps.Naming", "")
	l.Add("AccessLogBucketProps.ExpirationDays", rules.Range(props.ExpirationDays, 1, rules.MaxRetentionDays, "days"))
	doc, err := policy.AccessLogBucketPolicy(policy.AccessLogBucketPolicyProps{
		Partition:     props.Partition,
		BucketName:    props.BucketName,
		Account:       props.Account,
		SourceBuckets: props.SourceBuckets,
		Protection:    protectionOrDefault(props.Protection),
	})
	l.Add("", rules.Rename(err, "AccessLogBucketPolicyProps.", "AccessLogBucketProps."))
	if err := l.Err(); err != nil {
		return nil, err
	}
	doc = props.Naming.document(doc)
	policyJSON, err := doc.JSON()
	if err != nil {
		return nil, err
	}
	a := &AccessLogBucket{name: props.BucketName, sources: map[string]bool{}, policyDoc: doc}
	requireProviderConstraint(scope)
	constructs.NewConstruct_Override(a, scope, jsii.String(id))
	for _, s := range props.SourceBuckets {
		a.sources[s] = true
	}
	a.bucket = s3bucket.NewS3Bucket(a, jsii.String("Bucket"), &s3bucket.S3BucketConfig{
		Provider:     props.Provider,
		Bucket:       jsii.String(props.BucketName),
		ForceDestroy: jsii.Bool(false),
		Lifecycle:    protect(props.AllowDestroy),
	})
	bucketID := a.bucket.Id()
	common := newBucketCommon(a, props.Provider, bucketID, policyJSON)
	a.bucketPolicy = common.policy
	s3bucketserversideencryptionconfiguration.NewS3BucketServerSideEncryptionConfigurationA(a, jsii.String("Encryption"), &s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationAConfig{
		Provider: props.Provider,
		Bucket:   bucketID,
		Rule: &[]*s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationRuleA{{
			ApplyServerSideEncryptionByDefault: &s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA{
				SseAlgorithm: jsii.String("AES256"),
			},
		}},
	})
	s3bucketlifecycleconfiguration.NewS3BucketLifecycleConfiguration(a, jsii.String("Lifecycle"), &s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationConfig{
		Provider: props.Provider,
		Bucket:   bucketID,
		Rule: &[]*s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRule{{
			Id:     jsii.String("access-logs"),
			Status: jsii.String("Enabled"),
			Filter: &s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleFilter{Prefix: jsii.String("")},
			Expiration: &s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleExpiration{
				Days: jsii.Number(float64(props.ExpirationDays)),
			},
			NoncurrentVersionExpiration: &s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration{
				NoncurrentDays: jsii.Number(NoncurrentAccessLogDays),
			},
		}},
		DependsOn: &[]cdktf.ITerraformDependable{common.versioning},
	})
	return a, nil
}

func (a *AccessLogBucket) accepts(source string) bool { return a.sources[source] }

// BucketName is the access-log bucket's name.
func (a *AccessLogBucket) BucketName() string { return a.name }

// BucketArn is the access-log bucket's ARN as a Terraform reference.
func (a *AccessLogBucket) BucketArn() *string { return a.bucket.Arn() }

// Policy is the generated bucket policy.
func (a *AccessLogBucket) Policy() policy.Document { return a.policyDoc }
