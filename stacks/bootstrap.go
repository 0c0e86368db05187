package stacks

import (
	"fmt"
	"sort"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dynamodbtable"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrole"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/provider"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucket"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketlifecycleconfiguration"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketownershipcontrols"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketpolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketpublicaccessblock"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketserversideencryptionconfiguration"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketversioning"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/config"
	ctmrk "github.com/cloudtrail-mrk/cloudtrail-mrk/constructs"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
)

// BootstrapStackPrefix begins the name of every bootstrap stack:
// "bootstrap-" and the name of the stack it prepares the account for
// (bootstrap-log-archive, bootstrap-management, bootstrap-delegated-admin,
// bootstrap-cloudtrail-mrk). Renaming one orphans its state.
const BootstrapStackPrefix = "bootstrap-"

// Bootstrap is one account's bootstrap stack.
type Bootstrap struct {
	Stack   cdktf.TerraformStack
	Account config.BootstrapAccount
	// Guardrails are the guardrail SCPs and their attachments, in the
	// management account's bootstrap with guardrails.enabled
	// (config.Config.GuardrailsInBootstrap); nil otherwise.
	Guardrails *Guardrails
}

// BootstrapStackName is the name of the bootstrap stack of an account with
// the given role (config.Role*).
func BootstrapStackName(role string) string {
	switch role {
	case config.RoleLogArchive:
		return BootstrapStackPrefix + LogArchiveStackName
	case config.RoleManagement:
		return BootstrapStackPrefix + ManagementStackName
	case config.RoleDelegated:
		return BootstrapStackPrefix + DelegatedAdminStackName
	}
	return BootstrapStackPrefix + CombinedStackName
}

// addBootstraps adds a bootstrap stack per account of
// cfg.BootstrapAccounts (none unless bootstrap.trusted_principals is set).
func addBootstraps(app constructs.Construct, cfg *config.Config) ([]*Bootstrap, error) {
	var out []*Bootstrap
	for _, a := range cfg.BootstrapAccounts() {
		b, err := NewBootstrapStack(app, BootstrapStackName(a.Role), cfg, a)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// NewBootstrapStack creates what an account's other stacks assume exists:
// its deploying roles (each role_arn of the account), trusting
// bootstrap.trusted_principals, with policies scoped to what the
// configuration creates there; and, in the account of backend.s3.role_arn,
// the state bucket, the lock table when backend.s3.dynamodb_table is set,
// and that role; in the management account with guardrails.enabled, the
// guardrail SCPs and their attachments. It is applied once with
// administrator credentials of the account: its providers assume no role
// (docs/bootstrap.md). Its state is local, whatever backend.s3 says: the
// state bucket does not exist before it.
func NewBootstrapStack(scope constructs.Construct, id string, cfg *config.Config, a config.BootstrapAccount) (*Bootstrap, error) {
	stack := cdktf.NewTerraformStack(scope, jsii.String(id))
	cdktf.NewLocalBackend(stack, &cdktf.LocalBackendConfig{
		Path: jsii.String(fmt.Sprintf("../../../terraform.%s.tfstate", id)),
	})
	// Administrator credentials of another account fail before anything
	// changes (providerConfig).
	newProvider := func(pid, region string, alias *string) provider.AwsProvider {
		return provider.NewAwsProvider(stack, jsii.String(pid), providerConfig(cfg, a.ID, region, alias))
	}
	newProvider("Aws", cfg.HomeRegion, nil)
	if err := ctmrk.DeclareProviderConstraint(stack); err != nil {
		return nil, err
	}
	trust, err := policy.TrustPolicy(cfg.Bootstrap.TrustedPrincipals).JSON()
	if err != nil {
		return nil, err
	}
	docs := policy.DeployerPolicies(cfg.DeployerProps(a))
	names := make([]string, 0, len(docs))
	for n := range docs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, arn := range a.Deployers {
		path, name := rolePathAndName(arn)
		role := iamrole.NewIamRole(stack, jsii.String("DeployingRole_"+name), &iamrole.IamRoleConfig{
			Name:             jsii.String(name),
			Path:             jsii.String(path),
			Description:      jsii.String("Terraform deploys the cloudtrail-mrk stacks of this account as this role (" + config.AppLabel + " bootstrap)"),
			AssumeRolePolicy: jsii.String(trust),
		})
		for _, n := range names {
			doc, err := docs[n].Labeled(naming.Label).JSON()
			if err != nil {
				return nil, err
			}
			iamrolepolicy.NewIamRolePolicy(stack, jsii.String("DeployingRole_"+name+"_"+strings.TrimPrefix(n, policy.DeployerPolicyPrefix)), &iamrolepolicy.IamRolePolicyConfig{
				Name:   jsii.String(n),
				Role:   role.Name(),
				Policy: jsii.String(doc),
			})
		}
	}
	if err := addServiceRoles(stack, cfg, a); err != nil {
		return nil, err
	}
	if a.State {
		if err := addState(stack, cfg, trust, newProvider); err != nil {
			return nil, err
		}
	}
	out := &Bootstrap{Stack: stack, Account: a}
	if cfg.GuardrailsInBootstrap() && a.ID == cfg.Accounts.Management.ID {
		// docs/bootstrap.md#guardrails-in-the-bootstrap: applied by the
		// management account's administrator, not its deploying role.
		g, err := addGuardrails(stack, cfg)
		if err != nil {
			return nil, err
		}
		out.Guardrails = g
	}
	return out, nil
}

// addServiceRoles creates the roles the services assume, in place of the
// main stacks (docs/bootstrap.md#service-roles): in the log-archive account
// the replication role and the Athena query role, in the trail creator's
// the CloudWatch Logs delivery role, with a fixed name. Their policies are
// the ones the constructs write, with the keys named by their tag. The
// deploying roles may only read and pass them.
func addServiceRoles(stack cdktf.TerraformStack, cfg *config.Config, a config.BootstrapAccount) error {
	tag := cfg.Trail.Name
	type service struct {
		id, name, description, policyName string
		trust, perms                      policy.Document
	}
	var roles []service
	if a.ID == cfg.Accounts.LogArchive.ID {
		if g := cfg.ReplicationGrants(); cfg.Replication.Enabled && g != nil {
			roles = append(roles, service{"ReplicationRole", g.RoleName,
				"S3 replication of CloudTrail logs from " + g.SourceBucket + " to " + g.DestinationBucket,
				"s3-replication", g.RoleTrust(), g.RolePolicyByTag(tag)})
		}
		if cfg.Athena.Enabled {
			qp := cfg.QueryRoleProps()
			trust, err := policy.QueryRoleTrust(qp)
			if err != nil {
				return err
			}
			roles = append(roles, service{"AthenaQueryRole", cfg.Athena.QueryRoleName,
				"Query CloudTrail " + cfg.Trail.Name + " with Athena", "query-the-trail", trust, policy.QueryRolePolicyByTag(qp, tag)})
		}
	}
	if w := cfg.Trail.CloudWatchLogs; w.Enabled && a.ID == cfg.TrailCreator().ID {
		t := cfg.TrailIdentity()
		roles = append(roles, service{"CloudWatchLogsRole", cfg.DeliveryRoleName(),
			fmt.Sprintf("CloudTrail %s delivers events to CloudWatch Logs %s", t.Name, w.LogGroupName), "cloudtrail-to-cloudwatch-logs",
			policy.CloudWatchLogsRoleTrust(t), policy.CloudWatchLogsRolePolicyIn(t, cfg.TrailCreator().ID, w.LogGroupName, cfg.OrganizationID)})
	}
	for _, r := range roles {
		trust, err := r.trust.JSON()
		if err != nil {
			return err
		}
		perms, err := r.perms.JSON()
		if err != nil {
			return err
		}
		role := iamrole.NewIamRole(stack, jsii.String(r.id), &iamrole.IamRoleConfig{
			Name:             jsii.String(r.name),
			Description:      jsii.String(r.description + " (" + config.AppLabel + " bootstrap)"),
			AssumeRolePolicy: jsii.String(trust),
		})
		iamrolepolicy.NewIamRolePolicy(stack, jsii.String(r.id+"Policy"), &iamrolepolicy.IamRolePolicyConfig{
			Name:   jsii.String(r.policyName),
			Role:   role.Name(),
			Policy: jsii.String(perms),
		})
	}
	return nil
}

// rolePathAndName splits a role ARN into its path ("/" when none) and name.
func rolePathAndName(arn string) (string, string) {
	res := arn[strings.Index(arn, ":role/")+len(":role"):]
	i := strings.LastIndex(res, "/")
	return res[:i+1], res[i+1:]
}

// addState adds the state bucket (versioned, encrypted, TLS only, public
// access blocked, owner enforced, never force-destroyed, prevent_destroy
// unless allow_destroy), the lock table when backend.s3.dynamodb_table is
// set, and backend.s3.role_arn with access to the state objects only.
func addState(stack cdktf.TerraformStack, cfg *config.Config, trust string, newProvider func(string, string, *string) provider.AwsProvider) error {
	s := cfg.Backend.S3
	var p cdktf.TerraformProvider
	if s.Region != cfg.HomeRegion {
		p = newProvider("Aws"+ctmrk.RegionID(s.Region), s.Region, jsii.String(s.Region))
	}
	var lifecycle *cdktf.TerraformResourceLifecycle
	if !cfg.AllowDestroy {
		lifecycle = &cdktf.TerraformResourceLifecycle{PreventDestroy: jsii.Bool(true)}
	}
	bucket := s3bucket.NewS3Bucket(stack, jsii.String("StateBucket"), &s3bucket.S3BucketConfig{
		Provider:     p,
		Bucket:       jsii.String(s.Bucket),
		ForceDestroy: jsii.Bool(false),
		Lifecycle:    lifecycle,
	})
	// The backend documentation recommends versioning, to recover state.
	versioning := s3bucketversioning.NewS3BucketVersioningA(stack, jsii.String("StateBucketVersioning"), &s3bucketversioning.S3BucketVersioningAConfig{
		Provider:                p,
		Bucket:                  bucket.Id(),
		VersioningConfiguration: &s3bucketversioning.S3BucketVersioningVersioningConfiguration{Status: jsii.String("Enabled")},
	})
	s3bucketserversideencryptionconfiguration.NewS3BucketServerSideEncryptionConfigurationA(stack, jsii.String("StateBucketEncryption"), &s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationAConfig{
		Provider: p,
		Bucket:   bucket.Id(),
		Rule: &[]*s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationRuleA{{
			// SSE-S3: the backend also sets encrypt = true on every object.
			ApplyServerSideEncryptionByDefault: &s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA{
				SseAlgorithm: jsii.String("AES256"),
			},
		}},
	})
	// docs/bootstrap.md#the-state-bucket: previous state versions are kept
	// policy.StateNoncurrentDays days, then expire.
	s3bucketlifecycleconfiguration.NewS3BucketLifecycleConfiguration(stack, jsii.String("StateBucketLifecycle"), &s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationConfig{
		Provider: p,
		Bucket:   bucket.Id(),
		Rule: &[]*s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRule{{
			Id:     jsii.String("noncurrent-state-versions"),
			Status: jsii.String("Enabled"),
			Filter: &s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleFilter{Prefix: jsii.String("")},
			NoncurrentVersionExpiration: &s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration{
				NoncurrentDays: jsii.Number(policy.StateNoncurrentDays),
			},
			AbortIncompleteMultipartUpload: &s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload{
				DaysAfterInitiation: jsii.Number(7),
			},
		}},
		DependsOn: &[]cdktf.ITerraformDependable{versioning},
	})
	pab := s3bucketpublicaccessblock.NewS3BucketPublicAccessBlock(stack, jsii.String("StateBucketPublicAccessBlock"), &s3bucketpublicaccessblock.S3BucketPublicAccessBlockConfig{
		Provider:              p,
		Bucket:                bucket.Id(),
		BlockPublicAcls:       jsii.Bool(true),
		BlockPublicPolicy:     jsii.Bool(true),
		IgnorePublicAcls:      jsii.Bool(true),
		RestrictPublicBuckets: jsii.Bool(true),
	})
	own := s3bucketownershipcontrols.NewS3BucketOwnershipControls(stack, jsii.String("StateBucketOwnership"), &s3bucketownershipcontrols.S3BucketOwnershipControlsConfig{
		Provider: p,
		Bucket:   bucket.Id(),
		Rule:     &s3bucketownershipcontrols.S3BucketOwnershipControlsRule{ObjectOwnership: jsii.String("BucketOwnerEnforced")},
	})
	// docs/bootstrap.md#the-state-bucket: state objects only to the state
	// role and the break-glass principals.
	exempt := append([]string{s.RoleARN}, cfg.Bucket.BreakGlassPrincipals...)
	bp, err := policy.StateBucketPolicy(cfg.Partition(), s.Bucket, exempt).Labeled(naming.Label).JSON()
	if err != nil {
		return err
	}
	// docs/aws-rules.md#policy-waits-for-public-access-block.
	s3bucketpolicy.NewS3BucketPolicy(stack, jsii.String("StateBucketPolicy"), &s3bucketpolicy.S3BucketPolicyConfig{
		Provider:  p,
		Bucket:    bucket.Id(),
		Policy:    jsii.String(bp),
		DependsOn: &[]cdktf.ITerraformDependable{pab, own},
	})
	if s.DynamoDBTable != "" {
		dynamodbtable.NewDynamodbTable(stack, jsii.String("StateLockTable"), &dynamodbtable.DynamodbTableConfig{
			Provider:    p,
			Name:        jsii.String(s.DynamoDBTable),
			BillingMode: jsii.String("PAY_PER_REQUEST"),
			// docs/aws-rules.md#s3-backend-permissions: the backend's lock
			// table has a string partition key named LockID.
			HashKey:                   jsii.String("LockID"),
			Attribute:                 &[]*dynamodbtable.DynamodbTableAttribute{{Name: jsii.String("LockID"), Type: jsii.String("S")}},
			PointInTimeRecovery:       &dynamodbtable.DynamodbTablePointInTimeRecovery{Enabled: jsii.Bool(true)},
			ServerSideEncryption:      &dynamodbtable.DynamodbTableServerSideEncryption{Enabled: jsii.Bool(true)},
			DeletionProtectionEnabled: jsii.Bool(!cfg.AllowDestroy),
		})
	}
	path, name := rolePathAndName(s.RoleARN)
	role := iamrole.NewIamRole(stack, jsii.String("StateRole"), &iamrole.IamRoleConfig{
		Name:             jsii.String(name),
		Path:             jsii.String(path),
		Description:      jsii.String("Terraform's S3 backend reads and writes the cloudtrail-mrk state as this role (" + config.AppLabel + " bootstrap)"),
		AssumeRolePolicy: jsii.String(trust),
	})
	doc, err := policy.StatePolicy(cfg.StateAccessProps()).Labeled(naming.Label).JSON()
	if err != nil {
		return err
	}
	iamrolepolicy.NewIamRolePolicy(stack, jsii.String("StateRolePolicy"), &iamrolepolicy.IamRolePolicyConfig{
		Name:   jsii.String("cloudtrail-mrk-state"),
		Role:   role.Name(),
		Policy: jsii.String(doc),
	})
	return nil
}
