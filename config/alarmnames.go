package config

import (
	"sort"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/alarms"
)

// LogGroupAlarms lists the alarms the configuration creates on the trail's
// log group, by their short names (alarms.Names), in the order of the
// benchmark, then the tampering alarms, then the heartbeat; none when the
// alarms are off. The key and log-bucket alarms exist only when the trail
// logs the log-archive account (an organization trail, or one account in
// both roles), the pipeline-role alarm only when a pipeline role is in an
// account the trail logs (AlarmedPipelineRoles), the guardrail tag alarm
// only with guardrails.enabled.
func (c *Config) LogGroupAlarms() []string {
	if !c.AlarmsEnabled() {
		return nil
	}
	off := map[string]bool{}
	for _, d := range c.Trail.CloudWatchLogs.Alarms.Disabled {
		off[d] = true
	}
	var all []string
	for _, ctl := range alarms.CISControls {
		all = append(all, ctl.Name)
	}
	all = append(all, alarms.TrailChanges)
	if c.OrganizationID != "" || c.SingleAccount() {
		all = append(all, alarms.KeyChanges, alarms.LogBucketChanges, alarms.LogObjectDeletions)
	}
	if len(c.AlarmedPipelineRoles()) > 0 {
		all = append(all, alarms.PipelineRoleChanges)
	}
	if c.OrganizationID != "" {
		all = append(all, alarms.OrganizationTrustChanges)
	}
	if c.Guardrails.Enabled {
		all = append(all, alarms.GuardrailTagChanges)
	}
	// The monitoring alarms and, with a deploying role for the account that
	// holds them, their deployer twins (switched off with their alarm).
	for _, n := range alarms.MonitoringNames {
		all = append(all, n)
		if c.MonitoringDeployer() != "" && !off[n] {
			all = append(all, n+alarms.ByDeployerSuffix)
		}
	}
	all = append(all, alarms.Heartbeat)
	var out []string
	for _, n := range all {
		if !off[n] {
			out = append(out, n)
		}
	}
	return out
}

// AlarmNames lists every CloudWatch alarm the configuration creates, by its
// alarm name ("<trail.name>-<name>"), sorted: the alarms on the trail's log
// group (LogGroupAlarms), in the account that creates the trail
// (TrailCreator), and the alarm on failed replications
// ("<trail.name>-replication-failures", ReplicationAlarmsEnabled), in the
// log-archive account. All of them are in the home region.
func (c *Config) AlarmNames() []string {
	var out []string
	for _, n := range c.LogGroupAlarms() {
		out = append(out, c.Trail.Name+"-"+n)
	}
	if c.ReplicationAlarmsEnabled() {
		out = append(out, c.Trail.Name+"-"+alarms.ReplicationFailures)
	}
	sort.Strings(out)
	return out
}
