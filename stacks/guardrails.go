package stacks

import (
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/organizationspolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/organizationspolicyattachment"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/aws/jsii-runtime-go"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/config"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
)

// Guardrails is the service control policy and its attachments, in the
// management stack.
type Guardrails struct {
	Policy      organizationspolicy.OrganizationsPolicy
	Attachments []organizationspolicyattachment.OrganizationsPolicyAttachment
}

// addGuardrails adds the guardrail service control policy to the
// management account's stack and attaches it to every configured target.
// It adds nothing unless guardrails.enabled: an organization's SCPs are
// never changed without being asked. Only the management account (or a
// delegated administrator for policy management) can create and attach
// SCPs (Organizations User Guide, "Service control policies (SCPs)").
func addGuardrails(stack cdktf.TerraformStack, cfg *config.Config) (*Guardrails, error) {
	g := cfg.Guardrails
	if !g.Enabled {
		return nil, nil
	}
	content, err := policy.GuardrailPolicyJSON(cfg.GuardrailProps())
	if err != nil {
		return nil, err
	}
	p := organizationspolicy.NewOrganizationsPolicy(stack, jsii.String("GuardrailPolicy"), &organizationspolicy.OrganizationsPolicyConfig{
		Name:        jsii.String(g.PolicyName),
		Description: jsii.String("cloudtrail-mrk: protects trail " + cfg.Trail.Name + ", its key and log buckets"),
		Type:        jsii.String("SERVICE_CONTROL_POLICY"),
		Content:     jsii.String(content),
	})
	out := &Guardrails{Policy: p}
	for _, t := range g.Targets {
		// The id carries the target, so reordering targets moves nothing.
		out.Attachments = append(out.Attachments, organizationspolicyattachment.NewOrganizationsPolicyAttachment(stack, jsii.String("GuardrailAttachment-"+t), &organizationspolicyattachment.OrganizationsPolicyAttachmentConfig{
			PolicyId: p.Id(),
			TargetId: jsii.String(t),
		}))
	}
	return out, nil
}

// keyGuardTags tags every copy of the key for the guardrail policy, which
// cannot name the copies by ARN offline (their key id is known only after
// apply); none when the guardrails are off.
func keyGuardTags(cfg *config.Config) map[string]string {
	if !cfg.Guardrails.Enabled {
		return nil
	}
	return map[string]string{policy.GuardTagKey: cfg.Trail.Name}
}
