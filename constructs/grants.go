package constructs

import (
	"fmt"
	"maps"
	"slices"

	"github.com/aws/jsii-runtime-go"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// Grants add to a key's or a bucket's policy after the construct was made,
// in the spirit of the AWS CDK's grantDecrypt and addToResourcePolicy. They
// update the policy attribute of the resources at once, so whatever is
// granted before synthesis is rendered; a grant that would make a policy
// invalid (a repeated statement id, a bad reader) is an error and changes
// nothing. Constructs made from a policy earlier keep what they copied: a
// RecoveryBucket takes its readers from its Source when it is made, and
// NewTrail checks the key policy when it is called.

// AddToResourcePolicy adds statements to the key policy of the copy in
// region, or of every copy when region is "". Key policies of multi-region
// keys are not synchronized: each copy carries its own.
func (k *MultiRegionKey) AddToResourcePolicy(region string, statements ...policy.Statement) error {
	regions := k.Regions()
	if region != "" {
		if _, ok := k.PolicyIn(region); !ok {
			return &rules.Violation{Field: "MultiRegionKey.AddToResourcePolicy", Rule: fmt.Sprintf("must name a region of the key (%v) or \"\" for every copy", regions), Value: region}
		}
		regions = []string{region}
	}
	add := map[string][]policy.Statement{}
	for _, r := range regions {
		add[r] = statements
	}
	return k.addStatements(add)
}

// GrantDecrypt lets readers (account ids or IAM principal ARNs) decrypt the
// log files of bucket's trail: on every copy with CloudTrail's encryption
// context, and on the copy in bucket's region through S3 as well (see
// policy.ReaderGrant). Each grant's statements are numbered in call order
// ("GrantedReaders1Decrypt", ...). Pair it with TrailBucket.GrantRead: S3
// needs both the key and the bucket to allow a reader.
func (k *MultiRegionKey) GrantDecrypt(bucket ITrailBucket, readers ...string) error {
	if isNil(bucket) {
		return &rules.Violation{Field: "MultiRegionKey.GrantDecrypt", Rule: "needs the trail bucket whose logs the readers read", Value: "nil"}
	}
	g := policy.ReaderGrant{
		Sid: fmt.Sprintf("GrantedReaders%d", k.grants+1), Trail: bucket.Trail(), Bucket: bucket.BucketName(),
		BucketRegion: bucket.Region(), KeyPrefix: bucket.KeyPrefix(), Readers: readers,
	}
	add := map[string][]policy.Statement{}
	for _, r := range k.Regions() {
		s, err := g.KeyStatements(r)
		if err != nil {
			return rules.Rename(err, "ReaderGrant.", "MultiRegionKey.GrantDecrypt.")
		}
		add[r] = s
	}
	if err := k.addStatements(add); err != nil {
		return err
	}
	k.grants++
	return nil
}

// addStatements appends statements to the policies of the copies named, all
// or none: every new policy is rendered before any is set.
func (k *MultiRegionKey) addStatements(add map[string][]policy.Statement) error {
	next := map[string]policy.Document{}
	rendered := map[string]string{}
	for _, region := range slices.Sorted(maps.Keys(add)) {
		doc, _ := k.PolicyIn(region)
		doc.Statement = append(append([]policy.Statement(nil), doc.Statement...), add[region]...)
		j, err := doc.JSON()
		if err != nil {
			return rules.At(fmt.Sprintf("the key policy of the copy in %s", region), err)
		}
		next[region], rendered[region] = doc, j
	}
	for region, doc := range next {
		if region == k.primaryRegion {
			k.policy = doc
			k.primary.SetPolicy(jsii.String(rendered[region]))
			continue
		}
		k.replicaPolicy[region] = doc
		k.replicas[region].SetPolicy(jsii.String(rendered[region]))
	}
	return nil
}

// AddToResourcePolicy adds statements to the bucket policy.
func (b *TrailBucket) AddToResourcePolicy(statements ...policy.Statement) error {
	doc := b.policyDoc
	doc.Statement = append(append([]policy.Statement(nil), doc.Statement...), statements...)
	j, err := doc.JSON()
	if err != nil {
		return rules.At("the bucket policy of "+b.name, err)
	}
	b.policyDoc = doc
	b.locked.policy.SetPolicy(jsii.String(j))
	return nil
}

// GrantRead lets readers (account ids or IAM principal ARNs) list the bucket
// and read its log objects, as TrailBucketProps.Readers does, under statement
// ids numbered in call order ("GrantedReaders1ListBucket", ...). The bucket's
// protections still apply: a Deny in the policy outweighs any grant.
func (b *TrailBucket) GrantRead(readers ...string) error {
	g := policy.ReaderGrant{
		Sid: fmt.Sprintf("GrantedReaders%d", b.grants+1), Trail: b.trail, Bucket: b.name,
		BucketRegion: b.region, KeyPrefix: b.keyPrefix, Readers: readers,
	}
	s, err := g.BucketStatements()
	if err != nil {
		return rules.Rename(err, "ReaderGrant.", "TrailBucket.GrantRead.")
	}
	if err := b.AddToResourcePolicy(s...); err != nil {
		return err
	}
	b.grants++
	return nil
}
