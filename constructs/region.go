package constructs

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/provider"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// A construct's region is its provider's: every resource is created by the
// provider it is given, or by the stack's default AWS provider (the one
// without an alias), in that provider's region. The props that name a
// region (MultiRegionKeyProps.PrimaryRegion, ReplicaRegion.Region,
// TrailBucketProps.Region, RecoveryBucketProps.Region) may be left empty, in
// which case the provider's region is used, and are refused when they
// contradict it: a bucket named in eu-west-1 but created by an eu-central-1
// provider would be encrypted with the eu-west-1 key copy's ARN and fail
// only at apply (S3 needs the key in the bucket's region,
// docs/aws-rules.md#key-in-the-buckets-region). A provider whose region is
// not a literal (a variable, or set by the environment: AWS_REGION) is not
// known at synthesis; the region prop is then required and trusted.

// providerFacts is what synthesis can know of an AWS provider: its region
// and, when it names exactly one, its allowed account. Empty when unknown.
type providerFacts struct {
	region, account string
	// found is false when there is no AWS provider to read (p was nil and
	// the stack has no default AWS provider, or p is not an AWS provider).
	found bool
}

// readProvider reads p, or the default AWS provider of scope's stack when p
// is nil. Every read is a round trip to Node.js: a handful per construct.
func readProvider(scope constructs.Construct, p cdktf.TerraformProvider) providerFacts {
	aws, ok := p.(provider.AwsProvider)
	if isNil(p) {
		aws, ok = defaultAwsProvider(scope)
	}
	if !ok || aws == nil {
		return providerFacts{}
	}
	f := providerFacts{found: true}
	if r := aws.Region(); r != nil && !*cdktf.Token_IsUnresolved(r) && rules.Region(*r) == nil {
		f.region = *r
	}
	if ids := aws.AllowedAccountIds(); ids != nil && len(*ids) == 1 && (*ids)[0] != nil && !*cdktf.Token_IsUnresolved((*ids)[0]) {
		f.account = *(*ids)[0]
	}
	return f
}

// defaultAwsProvider is the AWS provider without an alias among the
// children of scope's stack.
func defaultAwsProvider(scope constructs.Construct) (provider.AwsProvider, bool) {
	stack := cdktf.TerraformStack_Of(scope)
	for _, c := range *stack.Node().Children() {
		if p, ok := c.(provider.AwsProvider); ok && (p.Alias() == nil || *p.Alias() == "") {
			return p, true
		}
	}
	return nil, false
}

// resolveRegion returns the region of a construct: given, when its provider's
// region is unknown; the provider's otherwise, with a violation under field
// when given contradicts it; and a violation when neither is known.
func resolveRegion(l *rules.List, field, given string, f providerFacts) string {
	switch {
	case f.region == "" && given == "":
		l.Addf(field, "", "is required: the region of the provider is not known at synthesis (no AWS provider, or its region is not a literal)")
	case f.region == "" || given != "" && rules.Region(given) != nil:
		l.Add(field, rules.Region(given))
		return given
	case given != "" && given != f.region:
		// Reported once: later checks see the region the resources would
		// really be created in.
		l.Addf(field, given, "contradicts the region %q of the AWS provider that creates the resources: leave it empty, or use a provider configured for %s", f.region, given)
		return f.region
	default:
		return f.region
	}
	return given
}

// Region postconditions: a region that synthesis could not check (its
// provider's region is not a literal) is checked at plan or apply instead,
// from what AWS reports of the resource, so that a bucket and the key copy
// that encrypts it cannot end up in two regions unnoticed.
const (
	keyRegionCondition    = `${split(":", self.arn)[3] == "%s"}`
	bucketRegionCondition = `${self.region == "%s"}`
	trailRegionCondition  = `${self.home_region == "%s"}`
)

// regionCheck is the postcondition holding a resource to region when f,
// its provider, has no region synthesis could read; nil otherwise.
func regionCheck(f providerFacts, condition, region, what string) *cdktf.Postcondition {
	if f.region != "" || region == "" {
		return nil
	}
	return &cdktf.Postcondition{
		Condition:    jsii.String(fmt.Sprintf(condition, region)),
		ErrorMessage: jsii.String(fmt.Sprintf("%s is not in %s, the region its props name: its provider's region (not known at synthesis) is another", what, region)),
	}
}

// withPostcondition returns lc (which may be nil) with pc added; lc itself
// is not changed. A nil pc returns lc.
func withPostcondition(lc *cdktf.TerraformResourceLifecycle, pc *cdktf.Postcondition) *cdktf.TerraformResourceLifecycle {
	if pc == nil {
		return lc
	}
	var out cdktf.TerraformResourceLifecycle
	if lc != nil {
		out = *lc
	}
	var all []*cdktf.Postcondition
	if out.Postcondition != nil {
		all = append(all, *out.Postcondition...)
	}
	all = append(all, pc)
	out.Postcondition = &all
	return &out
}
