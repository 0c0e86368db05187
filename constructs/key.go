package constructs

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kmsalias"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kmskey"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kmsreplicakey"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// Defaults of MultiRegionKeyProps. The numbers are package rules' (shared
// with the configuration file).
const (
	// DefaultKeyDescription describes the key, followed by
	// MultiRegionKeyProps.Naming's label in parentheses when it has one.
	DefaultKeyDescription = "Multi-region key for CloudTrail log files"
	// DefaultRotationPeriodDays is the automatic rotation period: 365.
	DefaultRotationPeriodDays = rules.DefaultRotationPeriodDays
	// DefaultDeletionWindowDays is the deletion waiting period: 30, the
	// maximum.
	DefaultDeletionWindowDays = rules.DefaultDeletionWindowDays
)

// ReplicaRegion pairs a replica region with the AWS provider aliased to it.
type ReplicaRegion struct {
	// Region of the replica, for example "us-west-2". Default: the region
	// of Provider; refused when it contradicts that region, required when
	// the provider's region is not known at synthesis (see region.go).
	Region string
	// Provider is an AWS provider configured for the replica's region in
	// the key's account (replicas must be in the same account as the
	// primary). Required.
	Provider cdktf.TerraformProvider
}

// MultiRegionKeyProps configures NewMultiRegionKey.
type MultiRegionKeyProps struct {
	// PrimaryRegion is the region of the primary key. Default: the region of
	// Provider, or of the stack's default AWS provider; refused when it
	// contradicts that region, required when that region is not known at
	// synthesis.
	PrimaryRegion string
	// Provider creates the primary key and its alias.
	// Default: the stack's default AWS provider.
	Provider cdktf.TerraformProvider
	// Replicas get an aws_kms_replica_key each, created through their own
	// provider. Default: none.
	Replicas []ReplicaRegion
	// Alias is created for the primary and for every replica. Required.
	Alias string
	// Description of the key, as written. Default: DefaultKeyDescription
	// with Naming's label.
	Description string
	// Policy is attached to the primary and to every replica that
	// ReplicaPolicies does not name: key policies of multi-region keys are not
	// synchronized. A custom policy is checked by the constructs that use the
	// key (NewTrail, NewReplication) and never changed by them; build it with
	// policy.KeyPolicy for a trail.
	// Default: policy.KeyBasePolicy of Account, Administrators and
	// Protection, to which the constructs using the key add what they need,
	// on every copy: NewTrail (or a TrailBucket made with its Trail) the
	// trail's statements, TrailBucket's Readers and GrantRead the readers',
	// NewReplication the replication role's (the
	// AWS CDK's trail does so for the bucket it is given; here for the key
	// too).
	Policy policy.Document
	// Account owns the key: the account root's statement manages it.
	// Only without Policy. Default: the account of Provider (or of the
	// stack's default AWS provider) when it allows exactly one
	// (allowed_account_ids); required otherwise.
	Account string
	// Administrators are IAM principal ARNs that may administer but not use
	// the key (policy.KeyAdministratorActions). Only without Policy.
	// Default: none; the account root's statement alone manages the key.
	Administrators []string
	// Protection, when its Deployer is set, denies the key's destruction
	// (policy.KeyDestructionActions) to everyone but that role, the
	// Administrators and the BreakGlass principals. Only without Policy.
	// Default: none.
	Protection *policy.Protection
	// ReplicaPolicies are the policies of particular replicas, by region, in
	// place of Policy: build each with policy.KeyPolicy and that Region, so a
	// copy grants only what is used on it (the replication role's destination
	// grants on the copy that encrypts the recovery bucket).
	// Default: Policy for every replica.
	ReplicaPolicies map[string]policy.Document
	// RotationPeriodDays is the automatic rotation period, 90 to 2560. It is
	// set on the primary only; replicas share its key material.
	// Default: DefaultRotationPeriodDays.
	RotationPeriodDays int
	// DeletionWindowDays is the waiting period before deletion, 7 to 30.
	// Default: DefaultDeletionWindowDays.
	DeletionWindowDays int
	// AllowDestroy drops prevent_destroy from the keys so that terraform
	// destroy can schedule their deletion. Default: false.
	AllowDestroy bool
	// Tags are set on the primary and on every replica: tags are an
	// independent property, not shared or synchronized between related
	// multi-Region keys (KMS Developer Guide, "How multi-Region keys work",
	// https://docs.aws.amazon.com/kms/latest/developerguide/mrk-how-it-works.html).
	// Default: none.
	Tags map[string]string
	// Naming labels the default Description (Naming.Label); Policy is used
	// as written (label it with policy.Document.Labeled).
	// Default: Naming{} (no label, DefaultAlarmNamespacePrefix).
	Naming Naming
}

// MultiRegionKey is a symmetric multi-region KMS key, its replicas and an
// alias in every region. It is a construct; they are its children.
type MultiRegionKey struct {
	constructs.Construct
	primaryRegion string
	// account owns the key.
	account string
	// derived is true when the policy was not given (MultiRegionKeyProps.Policy):
	// the constructs that use the key add their statements to it.
	derived       bool
	alias         string
	policy        policy.Document
	replicaPolicy map[string]policy.Document
	primary       kmskey.KmsKey
	replicas      map[string]kmsreplicakey.KmsReplicaKey
	aliases       map[string]kmsalias.KmsAlias
	// arns holds the ARN of a copy once read (every read of a token is a
	// round trip to Node.js); see arn.
	arns map[string]*string
	// grants counts GrantDecrypt calls, for statement ids.
	grants int
}

// withDefaults returns a copy of p with every unset optional value at its
// default; p itself is not changed.
func (p MultiRegionKeyProps) withDefaults() MultiRegionKeyProps {
	if p.RotationPeriodDays == 0 {
		p.RotationPeriodDays = DefaultRotationPeriodDays
	}
	if p.DeletionWindowDays == 0 {
		p.DeletionWindowDays = DefaultDeletionWindowDays
	}
	if p.Description == "" {
		p.Description = p.Naming.describe(DefaultKeyDescription)
	}
	p.Replicas = slices.Clone(p.Replicas)
	p.Administrators = slices.Clone(p.Administrators)
	return p
}

// validate checks props whose defaults are resolved (withDefaults), with
// what synthesis knows of their providers (primary, and replicas by index),
// and resolves the regions and the account from them.
func (p *MultiRegionKeyProps) validate(primary providerFacts, replicas []providerFacts) (derived bool, policyJSON string, replicaJSON map[string]string, err error) {
	var l rules.List
	p.Naming.validate(&l, "MultiRegionKeyProps.Naming", "")
	p.PrimaryRegion = resolveRegion(&l, "MultiRegionKeyProps.PrimaryRegion", p.PrimaryRegion, primary)
	seen := map[string]bool{p.PrimaryRegion: true}
	for i := range p.Replicas {
		r := &p.Replicas[i]
		f := fmt.Sprintf("MultiRegionKeyProps.Replicas[%d]", i)
		if isNil(r.Provider) {
			l.Addf(f+".Provider", "nil", "is required: a provider aliased to the replica's region")
			if r.Region == "" {
				continue
			}
		}
		var errs rules.List
		r.Region = resolveRegion(&errs, f+".Region", r.Region, replicas[i])

		switch {
		case errs.Len() > 0:
			l.Add("", errs.Err())
		case seen[r.Region]:
			l.Addf(f+".Region", r.Region, "must differ from the primary region and from every other replica region")
		case rules.Partition(r.Region) != rules.Partition(p.PrimaryRegion):
			l.Addf(f+".Region", r.Region, "must be in the partition of the primary region %q", p.PrimaryRegion)
		}
		seen[r.Region] = true
	}
	for k, v := range p.Tags {
		l.Add(fmt.Sprintf("MultiRegionKeyProps.Tags[%q]", k), rules.Tag(k, v))
	}
	l.Add("MultiRegionKeyProps.Alias", rules.KeyAlias(p.Alias))
	l.Add("MultiRegionKeyProps.RotationPeriodDays", rules.Range(p.RotationPeriodDays, rules.MinRotationDays, rules.MaxRotationDays, "days"))
	l.Add("MultiRegionKeyProps.DeletionWindowDays", rules.Range(p.DeletionWindowDays, rules.MinDeletionWindowDays, rules.MaxDeletionWindowDays, "days"))
	derived = len(p.Policy.Statement) == 0
	if derived && p.validateDerived(&l, primary) {
		partition := rules.Partition(p.PrimaryRegion)
		if partition == "" {
			partition = "aws" // the region's violation is reported already
		}
		doc, err := policy.KeyBasePolicy(policy.KeyBaseProps{KeyAccount: p.Account, Partition: partition, Administrators: p.Administrators, Protection: p.Protection})
		l.Add("", rules.Rename(rules.Rename(err, "KeyBaseProps.KeyAccount", "MultiRegionKeyProps.Account"), "KeyBaseProps.", "MultiRegionKeyProps."))
		// A policy the key writes itself carries the label.
		p.Policy = p.Naming.document(doc)
	} else if !derived {
		for field, set := range map[string]bool{"Account": p.Account != "", "Administrators": len(p.Administrators) > 0, "Protection": p.Protection != nil} {
			if set {
				l.Addf("MultiRegionKeyProps."+field, "set", "is only for a key made without Policy: a custom policy names its own account, administrators and denies")
			}
		}
		p.Account = keyAccount(p.Policy)
	}
	// docs/aws-rules.md#replica-provider: a replica is in the primary's
	// account (ReplicateKey is not cross-account).
	for i := range p.Replicas {
		if a := replicas[i].account; a != "" && p.Account != "" && a != p.Account {
			l.Addf(fmt.Sprintf("MultiRegionKeyProps.Replicas[%d].Provider", i), a, "allows only account %s, but the key is in account %s: replicas stay in the primary's account", a, p.Account)
		}
	}
	if len(p.Policy.Statement) > 0 {
		if policyJSON, err = p.Policy.JSON(); err == nil {
			err = policySize(policyJSON, rules.MaxKeyPolicyBytes, "KMS")
		}
		if err != nil {
			l.Add("MultiRegionKeyProps.Policy", err)
		}
	}
	replicaJSON = map[string]string{}
	for _, r := range p.Replicas {
		replicaJSON[r.Region] = policyJSON
	}
	for _, region := range slices.Sorted(maps.Keys(p.ReplicaPolicies)) {
		f := "MultiRegionKeyProps.ReplicaPolicies[" + region + "]"
		doc := p.ReplicaPolicies[region]
		switch _, ok := replicaJSON[region]; {
		case derived:
			l.Addf(f, region, "is only for a key made with Policy: without it, the constructs add to each copy what it needs")
		case !ok:
			l.Addf(f, region, "must name a region of Replicas")
		case len(doc.Statement) == 0:
			l.Addf(f, "no statements", "is required: build it with policy.KeyPolicy")
		default:
			j, err := doc.JSON()
			if err == nil {
				err = policySize(j, rules.MaxKeyPolicyBytes, "KMS")
			}
			l.Add(f, err)
			replicaJSON[region] = j
		}
	}
	return derived, policyJSON, replicaJSON, l.Err()
}

// validateDerived resolves and checks the account of a key made without a
// policy; false when there is none to build the policy for.
func (p *MultiRegionKeyProps) validateDerived(l *rules.List, primary providerFacts) bool {
	switch {
	case p.Account == "" && primary.account == "":
		l.Addf("MultiRegionKeyProps.Account", "", "is required without Policy when the provider does not allow exactly one account (allowed_account_ids)")
		return false
	case p.Account == "":
		p.Account = primary.account
	case primary.account != "" && p.Account != primary.account:
		l.Addf("MultiRegionKeyProps.Account", p.Account, "contradicts the account %s that the AWS provider creating the key allows", primary.account)
	}
	return true
}

// NewMultiRegionKey creates the primary key (aws_kms_key with multi_region,
// rotation on), one aws_kms_replica_key per replica region and an
// aws_kms_alias in every region, as children of the key, a construct with
// the given id.
func NewMultiRegionKey(scope constructs.Construct, id string, props MultiRegionKeyProps) (*MultiRegionKey, error) {
	if err := checkScope(scope, id, "NewMultiRegionKey"); err != nil {
		return nil, err
	}
	props = props.withDefaults()
	primary := readProvider(scope, props.Provider)
	replicas := make([]providerFacts, len(props.Replicas))
	for i, r := range props.Replicas {
		if !isNil(r.Provider) {
			replicas[i] = readProvider(scope, r.Provider)
		}
	}
	derived, policyJSON, replicaJSON, err := props.validate(primary, replicas)
	if err != nil {
		return nil, err
	}
	requireProviderConstraint(scope)
	k := &MultiRegionKey{
		primaryRegion: props.PrimaryRegion,
		account:       props.Account,
		derived:       derived,
		alias:         props.Alias,
		policy:        props.Policy,
		replicaPolicy: map[string]policy.Document{},
		replicas:      map[string]kmsreplicakey.KmsReplicaKey{},
		aliases:       map[string]kmsalias.KmsAlias{},
		arns:          map[string]*string{},
	}
	constructs.NewConstruct_Override(k, scope, jsii.String(id))
	lifecycle := protect(props.AllowDestroy)

	// docs/aws-rules.md#symmetric-keys-only, #rotation-is-shared, #lockout-safety-check: only symmetric keys work with CloudTrail and S3; rotation is
	// set on the primary only (replicas follow); never bypass the lockout check.
	k.primary = kmskey.NewKmsKey(k, jsii.String("PrimaryKey"), &kmskey.KmsKeyConfig{
		Provider:              props.Provider,
		Description:           jsii.String(props.Description),
		MultiRegion:           jsii.Bool(true),
		KeyUsage:              jsii.String("ENCRYPT_DECRYPT"),
		CustomerMasterKeySpec: jsii.String("SYMMETRIC_DEFAULT"),
		EnableKeyRotation:     jsii.Bool(true),
		RotationPeriodInDays:  jsii.Number(float64(props.RotationPeriodDays)),
		DeletionWindowInDays:  jsii.Number(float64(props.DeletionWindowDays)),
		Policy:                jsii.String(policyJSON),
		Lifecycle:             withPostcondition(lifecycle, regionCheck(primary, keyRegionCondition, props.PrimaryRegion, "the primary key")),
		Tags:                  keyTags(props.Tags),
	})
	k.aliases[props.PrimaryRegion] = kmsalias.NewKmsAlias(k, jsii.String("PrimaryAlias"), &kmsalias.KmsAliasConfig{
		Provider:    props.Provider,
		Name:        jsii.String(props.Alias),
		TargetKeyId: k.primary.KeyId(),
	})
	for i, r := range props.Replicas {
		suffix := RegionID(r.Region)
		// docs/aws-rules.md#replica-provider, #policies-are-not-synchronized: replicas are created with a provider for their region and
		// carry a full policy of their own (policies are not synchronized).
		k.replicaPolicy[r.Region] = props.Policy
		if doc, ok := props.ReplicaPolicies[r.Region]; ok {
			k.replicaPolicy[r.Region] = doc
		}
		replica := kmsreplicakey.NewKmsReplicaKey(k, jsii.String("Replica"+suffix), &kmsreplicakey.KmsReplicaKeyConfig{
			Provider:             r.Provider,
			PrimaryKeyArn:        k.PrimaryKeyArn(),
			Description:          jsii.String(props.Description),
			DeletionWindowInDays: jsii.Number(float64(props.DeletionWindowDays)),
			Policy:               jsii.String(replicaJSON[r.Region]),
			Enabled:              jsii.Bool(true),
			Lifecycle:            withPostcondition(lifecycle, regionCheck(replicas[i], keyRegionCondition, r.Region, "the replica key")),
			Tags:                 keyTags(props.Tags),
		})
		k.replicas[r.Region] = replica
		k.aliases[r.Region] = kmsalias.NewKmsAlias(k, jsii.String("ReplicaAlias"+suffix), &kmsalias.KmsAliasConfig{
			Provider:    r.Provider,
			Name:        jsii.String(props.Alias),
			TargetKeyId: replica.KeyId(),
		})
	}
	return k, nil
}

// PrimaryKeyArn is the ARN of the primary key.
func (k *MultiRegionKey) PrimaryKeyArn() *string {
	arn, _ := k.arn(k.primaryRegion)
	return arn
}

// arn returns the ARN of the copy in region, read from Node.js the first
// time only, and whether there is a copy there.
func (k *MultiRegionKey) arn(region string) (*string, bool) {
	if arn, ok := k.arns[region]; ok {
		return arn, true
	}
	var arn *string
	if region == k.primaryRegion {
		arn = k.primary.Arn()
	} else if r, ok := k.replicas[region]; ok {
		arn = r.Arn()
	} else {
		return nil, false
	}
	k.arns[region] = arn
	return arn, true
}

// Alias is the key's alias name ("alias/..."), the same in every region.
func (k *MultiRegionKey) Alias() string { return k.alias }

// Account is the account that owns the key.
func (k *MultiRegionKey) Account() string { return k.account }

// PrimaryRegion is the region of the primary key.
func (k *MultiRegionKey) PrimaryRegion() string { return k.primaryRegion }

// KeyArnIn returns the ARN of the key's copy in region: the primary's or a
// replica's. CloudTrail and S3 need the copy in the bucket's region
// (docs/aws-rules.md#key-in-the-buckets-region).
func (k *MultiRegionKey) KeyArnIn(region string) (*string, error) {
	if arn, ok := k.arn(region); ok {
		return arn, nil
	}
	return nil, fmt.Errorf("the multi-region key has no copy in %q; its regions are %s", region, strings.Join(k.Regions(), ", "))
}

// Regions lists the primary region first, then the replica regions sorted.
func (k *MultiRegionKey) Regions() []string {
	return append([]string{k.primaryRegion}, slices.Sorted(maps.Keys(k.replicas))...)
}

// Policy is the key policy of the primary (PolicyIn gives each copy's), with
// what AddToResourcePolicy and GrantDecrypt added.
func (k *MultiRegionKey) Policy() policy.Document { return k.policy }

// PolicyIn is the key policy of the copy in region; ok is false when the key
// has no copy there.
func (k *MultiRegionKey) PolicyIn(region string) (doc policy.Document, ok bool) {
	if region == k.primaryRegion {
		return k.policy, true
	}
	doc, ok = k.replicaPolicy[region]
	return doc, ok
}

// dependablesIn returns the key copy and alias in region, for depends_on.
func (k *MultiRegionKey) dependablesIn(region string) []cdktf.ITerraformDependable {
	var out []cdktf.ITerraformDependable
	if region == k.primaryRegion {
		out = append(out, k.primary)
	} else if r, ok := k.replicas[region]; ok {
		out = append(out, r)
	}
	if a, ok := k.aliases[region]; ok {
		out = append(out, a)
	}
	return out
}

// dependOn makes the primary and every replica wait for the resource at
// address (for example "aws_iam_role.X", a role their policy names).
func (k *MultiRegionKey) dependOn(address *string) {
	all := []dependent{k.primary}
	for _, r := range k.Regions()[1:] {
		all = append(all, k.replicas[r])
	}
	for _, d := range all {
		addDependsOn(d, address)
	}
}

// protect returns the lifecycle that keeps terraform destroy away from
// audit data unless allowDestroy is set.
func protect(allowDestroy bool) *cdktf.TerraformResourceLifecycle {
	if allowDestroy {
		return nil
	}
	return &cdktf.TerraformResourceLifecycle{PreventDestroy: jsii.Bool(true)}
}

// keyTags converts tags for the bindings; nil when there are none, so that
// no empty tags attribute is written.
func keyTags(tags map[string]string) *map[string]*string {
	if len(tags) == 0 {
		return nil
	}
	out := make(map[string]*string, len(tags))
	for k, v := range tags {
		out[k] = jsii.String(v)
	}
	return &out
}
