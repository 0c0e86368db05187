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
// management stack; with a delegated administrator that holds the
// monitoring, also the monitoring guardrail policy and its attachments.
type Guardrails struct {
	Policy      organizationspolicy.OrganizationsPolicy
	Attachments []organizationspolicyattachment.OrganizationsPolicyAttachment
	// MonitoringPolicy is nil unless config.Config.MonitoringGuardrailProps
	// has something to protect.
	MonitoringPolicy      organizationspolicy.OrganizationsPolicy
	MonitoringAttachments []organizationspolicyattachment.OrganizationsPolicyAttachment
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
	// Both policies are rendered (and measured) before the first construct.
	monitoring, watched := cfg.MonitoringGuardrailProps()
	var monitoringContent string
	if watched {
		if monitoringContent, err = policy.MonitoringGuardrailPolicyJSON(monitoring); err != nil {
			return nil, err
		}
	}
	out := &Guardrails{}
	out.Policy, out.Attachments = addSCP(stack, cfg, "GuardrailPolicy", "GuardrailAttachment-", g.PolicyName,
		"cloudtrail-mrk: protects trail "+cfg.Trail.Name+", its key and log buckets", content, g.Targets)
	if watched {
		// A second policy: the first is within a few bytes of the 5,120 AWS
		// Organizations accepts at the longest names
		// (docs/aws-rules.md#scp-size), and a target holds at most five SCPs,
		// FullAWSAccess included (docs/aws-rules.md#scps-per-target).
		out.MonitoringPolicy, out.MonitoringAttachments = addSCP(stack, cfg, "GuardrailMonitoringPolicy", "GuardrailMonitoringAttachment-", g.MonitoringPolicyName,
			"cloudtrail-mrk: protects the monitoring of trail "+cfg.Trail.Name+" (alarms, log group, topics, key)", monitoringContent, g.Targets)
	}
	return out, nil
}

// addSCP adds a service control policy and one attachment per target.
func addSCP(stack cdktf.TerraformStack, cfg *config.Config, id, attachmentPrefix, name, description, content string, targets []string) (organizationspolicy.OrganizationsPolicy, []organizationspolicyattachment.OrganizationsPolicyAttachment) {
	p := organizationspolicy.NewOrganizationsPolicy(stack, jsii.String(id), &organizationspolicy.OrganizationsPolicyConfig{
		Name:        jsii.String(name),
		Description: jsii.String(description),
		Type:        jsii.String("SERVICE_CONTROL_POLICY"),
		Content:     jsii.String(content),
	})
	var attachments []organizationspolicyattachment.OrganizationsPolicyAttachment
	for _, t := range targets {
		// The id carries the target, so reordering targets moves nothing.
		attachments = append(attachments, organizationspolicyattachment.NewOrganizationsPolicyAttachment(stack, jsii.String(attachmentPrefix+t), &organizationspolicyattachment.OrganizationsPolicyAttachmentConfig{
			PolicyId: p.Id(),
			TargetId: jsii.String(t),
		}))
	}
	return p, attachments
}

// keyGuardTags tags every copy of the key for the guardrail policy, which
// cannot name the copies by ARN offline (their key id is known only after
// apply); none when the guardrails are off.
//
// With the bootstrap, every key carries it too, guardrails or not: the
// deploying role creates keys only with it, and the service roles the
// bootstrap made use the keys by it (docs/bootstrap.md#keys-by-key-policy).
func keyGuardTags(cfg *config.Config) map[string]string {
	if !cfg.Guardrails.Enabled && !cfg.BootstrapEnabled() {
		return nil
	}
	return map[string]string{policy.GuardTagKey: cfg.Trail.Name}
}

// monitoringKeyGuardTags tags the monitoring key for the monitoring
// guardrail policy, which cannot name it by ARN offline; none unless that
// policy protects it (a delegated administrator's monitoring, guardrails on).
//
// With the bootstrap, the trail's name, as every key (keyGuardTags).
func monitoringKeyGuardTags(cfg *config.Config) map[string]string {
	if cfg.BootstrapEnabled() {
		return keyGuardTags(cfg)
	}
	m, ok := cfg.MonitoringGuardrailProps()
	if !ok || m.Watched[0].KeyTag == "" {
		return nil
	}
	return map[string]string{policy.GuardTagKey: m.Watched[0].KeyTag}
}
