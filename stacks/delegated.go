package stacks

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudtrailorganizationdelegatedadminaccount"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/config"
)

// DelegatedAdminStackName is the stack of a CloudTrail delegated
// administrator that is neither the management nor the log-archive account:
// it owns the trail and its monitoring.
const DelegatedAdminStackName = "delegated-admin"

// Registration is what the management account owns when a delegated
// administrator creates the trail: the registration alone.
type Registration struct {
	Stack    cdktf.TerraformStack
	Resource cloudtrailorganizationdelegatedadminaccount.CloudtrailOrganizationDelegatedAdminAccount
	// Guardrails is nil unless guardrails.enabled without the bootstrap
	// (with it, Bootstrap.Guardrails): the management account
	// creates and attaches service control policies.
	Guardrails *Guardrails
}

// buildDelegated adds the stacks of a configuration with a delegated
// administrator. The management stack ("management") holds the
// registration and, with guardrails.enabled, the guardrail policies. When the delegated administrator is the log-archive account,
// the log-archive stack holds the key, the buckets and the trail (two
// stacks); otherwise a third stack (DelegatedAdminStackName) holds the trail.
// Either way the trail's stack depends on the management stack: CloudTrail
// accepts CreateTrail of an organization trail from a member account only
// once it is a registered delegated administrator.
func buildDelegated(app constructs.Construct, cfg *config.Config) (*Stacks, error) {
	admin, _ := cfg.DelegatedAdmin()
	var archive *LogArchive
	var trail *TrailCreator
	var err error
	if cfg.TrailCreatorIsLogArchive() {
		archive, trail, err = NewCombinedStack(app, LogArchiveStackName, cfg)
		if err != nil {
			return nil, err
		}
	} else {
		if archive, err = NewLogArchiveStack(app, LogArchiveStackName, cfg); err != nil {
			return nil, err
		}
		if trail, err = NewDelegatedAdminStack(app, DelegatedAdminStackName, cfg, admin, archive); err != nil {
			return nil, err
		}
	}
	reg, err := NewRegistrationStack(app, ManagementStackName, cfg, admin)
	if err != nil {
		return nil, err
	}
	trail.Stack.AddDependency(reg.Stack)
	return &Stacks{LogArchive: archive, TrailCreator: trail, Registration: reg}, nil
}

// NewRegistrationStack creates the management account's stack when a
// delegated administrator creates the trail: a provider for the home region,
// aws_cloudtrail_organization_delegated_admin_account and, with
// guardrails.enabled, the guardrail service control policies (only the
// management account creates and attaches them: docs/aws-rules.md#who-attaches-scps). The provider calls
// CloudTrail's RegisterOrganizationDelegatedAdmin, which also creates the
// management account's service-linked role for CloudTrail if it is missing
// (CloudTrail user guide, "Organization delegated administrator": the role is
// created only by a call from the management account to CloudTrail, not by
// the Organizations API).
func NewRegistrationStack(scope constructs.Construct, id string, cfg *config.Config, admin config.Account) (*Registration, error) {
	if admin.ID == "" || admin.ID == cfg.Accounts.Management.ID {
		return nil, fmt.Errorf("NewRegistrationStack: the delegated administrator %q must be a member account apart from the management account", admin.ID)
	}
	stack := newStack(scope, id, cfg)
	if _, err := addProviders(stack, cfg, cfg.Accounts.Management, nil); err != nil {
		return nil, err
	}
	r := cloudtrailorganizationdelegatedadminaccount.NewCloudtrailOrganizationDelegatedAdminAccount(stack, jsii.String("DelegatedAdministrator"),
		&cloudtrailorganizationdelegatedadminaccount.CloudtrailOrganizationDelegatedAdminAccountConfig{
			AccountId: jsii.String(admin.ID),
		})
	var g *Guardrails
	if !cfg.GuardrailsInBootstrap() {
		var err error
		if g, err = addGuardrails(stack, cfg); err != nil {
			return nil, err
		}
	}
	return &Registration{Stack: stack, Resource: r, Guardrails: g}, nil
}

// NewDelegatedAdminStack creates the delegated administrator's stack: a
// provider for the home region pinned to its account and the trail with its
// monitoring, which reads the key ARN from the log-archive stack (cross-stack
// reference). The trail's ARN names the management account, its owner.
func NewDelegatedAdminStack(scope constructs.Construct, id string, cfg *config.Config, admin config.Account, archive *LogArchive) (*TrailCreator, error) {
	stack := newStack(scope, id, cfg)
	if _, err := addProviders(stack, cfg, admin, nil); err != nil {
		return nil, err
	}
	return addTrail(stack, cfg, archive)
}

// deploymentOrder sorts stacks so that every stack follows the stacks it
// depends on (cdktf stack dependencies: cross-stack references and
// AddDependency), keeping the given order among independent ones.
func deploymentOrder(stacks []cdktf.TerraformStack) []string {
	var out []string
	done := map[string]bool{}
	var visit func(s cdktf.TerraformStack)
	visit = func(s cdktf.TerraformStack) {
		id := *s.Node().Id()
		if done[id] {
			return
		}
		done[id] = true
		if deps := s.Dependencies(); deps != nil {
			for _, d := range *deps {
				visit(d)
			}
		}
		out = append(out, id)
	}
	for _, s := range stacks {
		visit(s)
	}
	return out
}
