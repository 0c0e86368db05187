package policy

import (
	"fmt"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// ReaderGrant describes readers added to a trail's key and bucket after they
// were made (MultiRegionKey.GrantDecrypt, TrailBucket.GrantRead in package
// constructs): the same grants KeyPolicy and TrailBucketPolicy give their
// Readers, under statement ids of their own.
type ReaderGrant struct {
	// Sid prefixes the statement ids; it must be unique in the policy.
	// Required.
	Sid string
	// Trail is the trail whose log files the readers may read. Required.
	Trail Trail
	// Bucket is the trail bucket's name. Required.
	Bucket string
	// BucketRegion is the trail bucket's region. Default: the trail's home
	// region.
	BucketRegion string
	// KeyPrefix is the trail's S3 key prefix. Default: none.
	KeyPrefix string
	// Readers are account ids or IAM principal ARNs. Required.
	Readers []string
	// SharedKey: the key is made elsewhere and may encrypt other trails' and
	// services' data (a landing zone's key: its own trail's, AWS Config's).
	// The readers then decrypt only this trail's log files
	// (docs/adopting.md#what-the-readers-get): CloudTrail's context must be
	// this trail's ARN (StringEquals, not the owner's trails pattern),
	// kms:ReEncryptFrom is left out (reading a log file through S3 needs
	// kms:Decrypt only, docs/aws-rules.md#readers-decrypt-on-a-shared-key),
	// and through S3 only objects under this trail's write paths (S3's
	// object-ARN context; the bucket-ARN context of S3 Bucket Keys names
	// every object of the bucket and is not granted). Default: false, a
	// key of this trail's own.
	SharedKey bool
	// OrganizationID: with SharedKey, the trail is an organization trail of
	// this organization, whose path the S3 grant covers too. Default: none.
	OrganizationID string
}

func (g ReaderGrant) check() (principals, accounts []string, err error) {
	var l rules.List
	if g.Sid == "" {
		l.Addf("ReaderGrant.Sid", "", "is required")
	}
	l.Add("", g.Trail.Validate("ReaderGrant.Trail"))
	l.Add("ReaderGrant.Bucket", rules.BucketName(g.Bucket))
	if g.BucketRegion != "" {
		l.Add("ReaderGrant.BucketRegion", rules.Region(g.BucketRegion))
	}
	l.Add("ReaderGrant.KeyPrefix", rules.KeyPrefix(g.KeyPrefix))
	if g.OrganizationID != "" {
		l.Add("ReaderGrant.OrganizationID", rules.OrganizationID(g.OrganizationID))
	}
	principals, accounts = checkReaders(&l, "ReaderGrant.Readers", g.Readers, g.Trail.Partition)
	if len(g.Readers) == 0 {
		l.Addf("ReaderGrant.Readers", "[]", "is required")
	}
	return principals, accounts, l.Err()
}

// KeyStatements are the key policy statements of the grant for the key copy
// in region: decrypting the trail's log files with CloudTrail's encryption
// context on every copy and, on the copy in the bucket's region, through S3
// with the bucket's context, as KeyPolicy grants its
// Readers (CloudTrail user guide, "Configure AWS KMS key policies for
// CloudTrail", section "Granting decrypt permissions for trails",
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html).
func (g ReaderGrant) KeyStatements(region string) ([]Statement, error) {
	readers, accounts, err := g.check()
	if err != nil {
		return nil, err
	}
	bucketRegion := g.BucketRegion
	if bucketRegion == "" {
		bucketRegion = g.Trail.Region
	}
	if g.SharedKey {
		out := []Statement{readersDecryptThisTrail(g.Sid+"Decrypt", g.Trail, readers, accounts)}
		if region == bucketRegion {
			bucketArn := fmt.Sprintf("arn:%s:s3:::%s", g.Trail.Partition, g.Bucket)
			logs := bucketArn + "/" + LogPathPrefix(g.KeyPrefix)
			objects := []string{logs + g.Trail.Account + "/*"}
			if g.OrganizationID != "" {
				objects = append(objects, logs+g.OrganizationID+"/*")
			}
			s := readersDecryptViaS3(g.Sid+"DecryptViaS3", g.Trail.Partition, bucketRegion, g.Bucket, readers, accounts)
			s.Condition = Conditions{}.
				Add("StringEquals", "kms:CallerAccount", accounts...).
				Add("StringEquals", "kms:ViaService", s3ViaService(g.Trail.Partition, bucketRegion)).
				Add("StringLike", s3ContextKey, objects...)
			out = append(out, s)
		}
		return out, nil
	}
	out := []Statement{readersDecrypt(g.Sid+"Decrypt", g.Trail, readers, accounts)}
	if region == bucketRegion {
		out = append(out, readersDecryptViaS3(g.Sid+"DecryptViaS3", g.Trail.Partition, bucketRegion, g.Bucket, readers, accounts))
	}
	return out, nil
}

// readersDecryptThisTrail lets readers decrypt only this one trail's log
// files (CloudTrail's encryption context names the trail that wrote the
// file: docs/aws-rules.md#readers-decrypt-on-a-shared-key), as callers from
// their own accounts, with kms:Decrypt alone.
func readersDecryptThisTrail(sid string, t Trail, readers, accounts []string) Statement {
	return Statement{
		Sid:       sid,
		Effect:    Allow,
		Principal: AWSPrincipals(readers...),
		Action:    Values{"kms:Decrypt"},
		Resource:  Values{"*"},
		Condition: Conditions{}.
			Add("StringEquals", "kms:CallerAccount", accounts...).
			Add("StringEquals", cloudTrailContextKey, t.ARN()),
	}
}

// BucketStatements are the bucket policy statements of the grant: listing the
// bucket and reading the log path, as TrailBucketPolicy grants its Readers.
func (g ReaderGrant) BucketStatements() ([]Statement, error) {
	readers, _, err := g.check()
	if err != nil {
		return nil, err
	}
	bucketArn := fmt.Sprintf("arn:%s:s3:::%s", g.Trail.Partition, g.Bucket)
	out := readerStatements(bucketArn, bucketArn+"/"+LogPathPrefix(g.KeyPrefix), readers)
	out[0].Sid, out[1].Sid = g.Sid+"ListBucket", g.Sid+"GetObject"
	return out, nil
}

// readersDecrypt lets readers decrypt only the trail's log files, and only
// as callers from their own accounts.
func readersDecrypt(sid string, t Trail, readers, accounts []string) Statement {
	return Statement{
		Sid:       sid,
		Effect:    Allow,
		Principal: AWSPrincipals(readers...),
		Action:    Values{"kms:Decrypt", "kms:ReEncryptFrom"},
		Resource:  Values{"*"},
		Condition: Conditions{}.
			Add("StringEquals", "kms:CallerAccount", accounts...).
			Add("StringLike", cloudTrailContextKey, t.OwnerTrailsPattern()),
	}
}

// readersDecryptViaS3 lets readers decrypt the bucket's objects through S3 in
// the bucket's region, with S3's encryption context.
func readersDecryptViaS3(sid, partition, region, bucket string, readers, accounts []string) Statement {
	bucketArn := fmt.Sprintf("arn:%s:s3:::%s", partition, bucket)
	return Statement{
		Sid:       sid,
		Effect:    Allow,
		Principal: AWSPrincipals(readers...),
		Action:    Values{"kms:Decrypt"},
		Resource:  Values{"*"},
		Condition: Conditions{}.
			Add("StringEquals", "kms:CallerAccount", accounts...).
			Add("StringEquals", "kms:ViaService", s3ViaService(partition, region)).
			Add("StringLike", s3ContextKey, bucketArn, bucketArn+"/*"),
	}
}

// TrailKeyStatements are the statements a key policy needs so that trail can
// encrypt its log files with the key (CloudTrail user guide, "Configure AWS
// KMS key policies for CloudTrail",
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html):
// what the owner of a key made elsewhere must add to the policy of its copy
// in the trail bucket's region.
func TrailKeyStatements(trail Trail) ([]Statement, error) {
	doc, err := KeyPolicy(KeyPolicyProps{KeyAccount: trail.Account, Trail: trail})
	if err != nil {
		return nil, rules.Rename(err, "KeyPolicyProps.", "TrailKeyStatements.")
	}
	var out []Statement
	for _, sid := range []string{SidCloudTrailEncrypt, SidCloudTrailDescribeKey, SidCloudTrailDecrypt} {
		s, _ := doc.StatementBySid(sid)
		out = append(out, s)
	}
	return out, nil
}
