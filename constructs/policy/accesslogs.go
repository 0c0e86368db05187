package policy

import (
	"fmt"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// S3LoggingService is the service principal of S3 server access logging.
const S3LoggingService = "logging.s3.amazonaws.com"

// SidAccessLogsWrite is the access-log bucket's statement for S3 logging.
const SidAccessLogsWrite = "S3ServerAccessLogsPolicy"

// AccessLogBucketPolicyProps configures AccessLogBucketPolicy.
type AccessLogBucketPolicyProps struct {
	// Partition of the buckets. Required.
	Partition string
	// BucketName is the access-log bucket. Required.
	BucketName string
	// Account owns the access-log bucket and every source bucket. Required.
	Account string
	// SourceBuckets are the buckets whose access logs may be written, each
	// under the prefix "<source bucket>/". Required.
	SourceBuckets []string
	// Protection denies deleting access logs and, with a deploying role,
	// changing the bucket's protections, as on the trail bucket (the same
	// statements). Default: none (no denies).
	Protection *Protection
}

// AccessLogTargetPrefix is where a source bucket's access logs go.
func AccessLogTargetPrefix(sourceBucket string) string { return sourceBucket + "/" }

// AccessLogBucketPolicy returns the access-log bucket's policy: the S3
// logging service may write each source bucket's logs under its own prefix,
// only for those buckets and only in this account (S3 user guide, "Enabling
// Amazon S3 server access logging": bucket policy for the logging service
// principal); every non-TLS request is denied, and so is Requester Pays, as
// on every log bucket. With a Protection, the bucket carries the trail
// bucket's deletion and protection-change denies: the access logs record who
// wrote what into the trail bucket, and with BucketOwnerEnforced this policy
// is the only grant for their delivery (docs/aws-rules.md#access-log-bucket-protection),
// so deleting it would stop them. Neither deny touches the logging
// service's s3:PutObject, and lifecycle expiration is not a request a bucket
// policy evaluates (docs/aws-rules.md#lifecycle-runs-inside-s3).
func AccessLogBucketPolicy(p AccessLogBucketPolicyProps) (Document, error) {
	var l rules.List
	l.Add("AccessLogBucketPolicyProps.Partition", rules.PartitionName(p.Partition))
	l.Add("AccessLogBucketPolicyProps.BucketName", rules.BucketName(p.BucketName))
	l.Add("AccessLogBucketPolicyProps.Account", rules.AccountID(p.Account))
	if len(p.SourceBuckets) == 0 {
		l.Addf("AccessLogBucketPolicyProps.SourceBuckets", "[]", "must name at least one bucket")
	}
	for i, b := range p.SourceBuckets {
		l.Add(fmt.Sprintf("AccessLogBucketPolicyProps.SourceBuckets[%d]", i), rules.BucketName(b))
		if b == p.BucketName {
			l.Addf(fmt.Sprintf("AccessLogBucketPolicyProps.SourceBuckets[%d]", i), b, "must not be the access-log bucket itself (its logs would log themselves)")
		}
	}
	l.Add("", p.Protection.Validate("AccessLogBucketPolicyProps.Protection", p.Partition))
	if err := l.Err(); err != nil {
		return Document{}, err
	}
	bucketArn := fmt.Sprintf("arn:%s:s3:::%s", p.Partition, p.BucketName)
	sources := sortedUnique(p.SourceBuckets)
	var resources, sourceArns Values
	for _, b := range sources {
		resources = append(resources, bucketArn+"/"+AccessLogTargetPrefix(b)+"*")
		sourceArns = append(sourceArns, fmt.Sprintf("arn:%s:s3:::%s", p.Partition, b))
	}
	doc := Document{
		Version: Version,
		ID:      "access-log-bucket-policy",
		Statement: []Statement{
			{
				Sid:       SidAccessLogsWrite,
				Effect:    Allow,
				Principal: ServicePrincipal(S3LoggingService),
				Action:    Values{"s3:PutObject"},
				Resource:  resources,
				Condition: Conditions{}.
					Add("ArnLike", "aws:SourceArn", sourceArns...).
					Add("StringEquals", "aws:SourceAccount", p.Account),
			},
			DenyInsecureTransport(bucketArn),
			DenyRequesterPays(bucketArn),
		},
	}
	doc.Statement = append(doc.Statement, p.Protection.statements(bucketArn)...)
	return doc, nil
}
