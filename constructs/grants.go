package constructs

import (
	"fmt"
	"maps"
	"slices"
	"strings"

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
	apply, err := k.planGrantDecrypt(bucket, readers)
	if err != nil {
		return err
	}
	apply()
	return nil
}

// planGrantDecrypt checks and renders GrantDecrypt; apply sets the policies
// and counts the grant.
func (k *MultiRegionKey) planGrantDecrypt(bucket ITrailBucket, readers []string) (apply func(), err error) {
	if isNil(bucket) {
		return nil, &rules.Violation{Field: "MultiRegionKey.GrantDecrypt", Rule: "needs the trail bucket whose logs the readers read", Value: "nil"}
	}
	if bucket.Trail() == (policy.Trail{}) {
		return nil, &rules.Violation{Field: "MultiRegionKey.GrantDecrypt", Value: bucket.BucketName(), Rule: "the bucket has no trail yet, and a reader's grant names the trail: call NewTrail with the bucket first"}
	}
	add, err := k.readerStatements(policy.ReaderGrant{
		Sid: fmt.Sprintf("GrantedReaders%d", k.grants+1), Trail: bucket.Trail(), Bucket: bucket.BucketName(),
		BucketRegion: bucket.Region(), KeyPrefix: bucket.KeyPrefix(), Readers: readers,
	}, "MultiRegionKey.GrantDecrypt.")
	if err != nil {
		return nil, err
	}
	set, err := k.planStatements(add)
	if err != nil {
		return nil, err
	}
	return func() { set(); k.grants++ }, nil
}

// addStatements appends statements to the policies of the copies named, all
// or none: every new policy is rendered before any is set.
func (k *MultiRegionKey) addStatements(add map[string][]policy.Statement) error {
	apply, err := k.planStatements(add)
	if err != nil {
		return err
	}
	apply()
	return nil
}

// planStatements renders the policies of the copies named with statements
// appended, and returns what sets them: a construct that adds to a key
// checks everything first and changes the key only once nothing can fail.
func (k *MultiRegionKey) planStatements(add map[string][]policy.Statement) (apply func(), err error) {
	next := map[string]policy.Document{}
	rendered := map[string]string{}
	for _, region := range slices.Sorted(maps.Keys(add)) {
		doc, _ := k.PolicyIn(region)
		doc.Statement = append(append([]policy.Statement(nil), doc.Statement...), add[region]...)
		j, err := doc.JSON()
		if err == nil {
			err = policySize(j, rules.MaxKeyPolicyBytes, "KMS")
		}
		if err != nil {
			return nil, rules.At(fmt.Sprintf("the key policy of the copy in %s", region), err)
		}
		next[region], rendered[region] = doc, j
	}
	return func() {
		for region, doc := range next {
			if region == k.primaryRegion {
				k.policy = doc
				k.primary.SetPolicy(jsii.String(rendered[region]))
				continue
			}
			k.replicaPolicy[region] = doc
			k.replicas[region].SetPolicy(jsii.String(rendered[region]))
		}
	}, nil
}

// missingStatements returns, per copy of k, the statements of want(region)
// its policy lacks (compared statement by statement, by id and content).
func (k *MultiRegionKey) missingStatements(want func(region string) []policy.Statement) map[string][]policy.Statement {
	out := map[string][]policy.Statement{}
	for _, region := range k.Regions() {
		doc, _ := k.PolicyIn(region)
		for _, w := range want(region) {
			if !keyPolicyHas(doc, []policy.Statement{w}) {
				out[region] = append(out[region], w)
			}
		}
	}
	return out
}

// planMissing plans, on a key made without a policy, the statements of
// want(region) each copy lacks; nothing when none is missing. A custom
// policy is never changed: its callers check it instead.
func (k *MultiRegionKey) planMissing(want func(region string) []policy.Statement) (apply func(), err error) {
	missing := k.missingStatements(want)
	if len(missing) == 0 || !k.derived {
		return func() {}, nil
	}
	return k.planStatements(missing)
}

// AddToResourcePolicy adds statements to the bucket policy. They stay when
// NewTrail later names the bucket's trail and the policy is generated again.
func (b *TrailBucket) AddToResourcePolicy(statements ...policy.Statement) error {
	if !b.bound() {
		for _, s := range statements {
			if s.Effect == policy.Allow && slices.Contains(s.Principal.Service, policy.CloudTrailService) {
				// The unbound policy denies every write, which outweighs
				// any Allow: such a grant would be deployed and refuse every
				// delivery.
				return &rules.Violation{Field: "TrailBucket.AddToResourcePolicy", Value: s.Sid, Rule: "grants CloudTrail on a bucket without a trail, whose policy denies every write: name the trail in TrailBucketProps.Trail, or call NewTrail with this bucket"}
			}
		}
	}
	doc := b.policyDoc
	doc.Statement = append(append([]policy.Statement(nil), doc.Statement...), statements...)
	j, err := doc.JSON()
	if err == nil {
		err = policySize(j, rules.MaxBucketPolicyBytes, "S3")
	}
	if err != nil {
		return rules.At("the bucket policy of "+b.name, err)
	}
	b.policyDoc = doc
	b.extra = append(b.extra, statements...)
	b.locked.policy.SetPolicy(jsii.String(j))
	return nil
}

// GrantRead lets readers (account ids or IAM principal ARNs) list the bucket
// and read its log objects, as TrailBucketProps.Readers does, under statement
// ids numbered in call order ("GrantedReaders1ListBucket", ...), and, when
// the bucket's key is a MultiRegionKey, decrypt them (GrantDecrypt on that
// key, numbered in the key's own call order): S3 needs both the bucket and the
// key to allow a reader, as the AWS CDK's bucket.grantRead grants both. The
// owner of a key made elsewhere (KeyFromArns) must add
// policy.ReaderGrant.KeyStatements itself. The bucket's protections still
// apply: a Deny in the policy outweighs any grant. The bucket must have its
// trail (TrailBucketProps.Trail, or NewTrail first): the grant names the
// trail's log path.
func (b *TrailBucket) GrantRead(readers ...string) error {
	if !b.bound() {
		return &rules.Violation{Field: "TrailBucket.GrantRead", Value: b.name, Rule: "the bucket has no trail yet, and a reader's grant names the trail's log path: call NewTrail with this bucket first, or name the trail in TrailBucketProps.Trail"}
	}
	g := policy.ReaderGrant{
		Sid: fmt.Sprintf("GrantedReaders%d", b.grants+1), Trail: b.trail, Bucket: b.name,
		BucketRegion: b.region, KeyPrefix: b.keyPrefix, Readers: readers,
	}
	s, err := g.BucketStatements()
	if err != nil {
		return rules.Rename(err, "ReaderGrant.", "TrailBucket.GrantRead.")
	}
	// The key's grant is planned before anything changes: all or nothing.
	grantKey := func() error { return nil }
	if k, ok := b.key.(*MultiRegionKey); ok {
		apply, err := k.planGrantDecrypt(b, readers)
		if err != nil {
			return err
		}
		grantKey = func() error { apply(); return nil }
	}
	if err := b.AddToResourcePolicy(s...); err != nil {
		return err
	}
	b.grants++
	b.grantedReaders = append(b.grantedReaders, readers...)
	return grantKey()
}

// policySize refuses a rendered policy longer than limit bytes, the limit of
// service (docs/aws-rules.md#key-policy-size, #bucket-policy-size), measured
// as the configuration measures it: the JSON as written.
func policySize(rendered string, limit int, service string) error {
	if n := len(rendered); n > limit {
		return fmt.Errorf("the policy would be %d bytes, more than the %d %s accepts", n, limit, service)
	}
	return nil
}

// servesOneTrail refuses to add a second trail to a key made without a
// policy: the trail's statements have fixed ids, and one key per trail keeps
// each policy one trail's.
func (k *MultiRegionKey) servesOneTrail(field string, t policy.Trail) error {
	for _, region := range k.Regions() {
		doc, _ := k.PolicyIn(region)
		if s, ok := doc.StatementBySid(policy.SidCloudTrailEncrypt); ok {
			if arns := s.Condition["StringEquals"]["aws:SourceArn"]; !slices.Contains(arns, t.ARN()) {
				return &rules.Violation{Field: field, Value: t.ARN(), Rule: fmt.Sprintf("the key %s already serves the trail %s: give each trail its own key, or the key a custom Policy", k.alias, strings.Join(arns, ", "))}
			}
		}
	}
	return nil
}

// readerStatements are g's statements for every copy of k; errors name
// their fields under field (for example "TrailBucketProps.").
func (k *MultiRegionKey) readerStatements(g policy.ReaderGrant, field string) (map[string][]policy.Statement, error) {
	add := map[string][]policy.Statement{}
	for _, r := range k.Regions() {
		s, err := g.KeyStatements(r)
		if err != nil {
			return nil, rules.Rename(err, "ReaderGrant.", field)
		}
		add[r] = s
	}
	return add, nil
}
