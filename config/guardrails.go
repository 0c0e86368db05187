package config

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/alarms"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// DefaultGuardrailPolicySuffix names the guardrail policy after the trail.
const DefaultGuardrailPolicySuffix = "-guardrails"

// DefaultMonitoringPolicySuffix names the monitoring guardrail policy after
// the guardrail policy.
const DefaultMonitoringPolicySuffix = "-monitoring"

// maxPolicyNameLength is the longest name AWS Organizations gives a policy
// (Organizations API Reference, CreatePolicy, Name: 1 to 128 characters).
const maxPolicyNameLength = 128

// Guardrails configures the optional service control policy that protects
// the key, the log buckets, the trail and the exempt principals across the
// organization. It changes how the whole organization is governed, so it is
// never on unless asked for.
type Guardrails struct {
	// Enabled creates the service control policy in the management account
	// and attaches it to Targets; with a delegated administrator, also the
	// monitoring guardrail policy (MonitoringPolicyName). Needs
	// organization_id, a log-archive account other than the management
	// account, accounts.log_archive.role_arn and, with a delegated
	// administrator, accounts.delegated_administrator.role_arn.
	// Default: false.
	Enabled bool `yaml:"enabled"`
	// Targets are the ids the policies are attached to: the organization
	// root (r-...), organizational units (ou-...-...) or member accounts (12
	// digits). They must cover the log-archive account and the delegated
	// administrator's. Required when enabled.
	Targets []string `yaml:"targets,omitempty"`
	// PolicyName of the service control policy, unique in the organization.
	// Default: "<trail.name>-guardrails".
	PolicyName string `yaml:"policy_name,omitempty"`
	// MonitoringPolicyName of the second service control policy, which
	// protects the trail's monitoring in the delegated administrator's
	// account and the replication alarm in the log-archive account (created
	// when there is either, see MonitoringGuardrailProps). Unique in the
	// organization. Default:
	// "<policy_name>-monitoring".
	MonitoringPolicyName string `yaml:"monitoring_policy_name,omitempty"`
}

// Organizations API Reference, AttachPolicy, TargetId: a root ("r-" and 4 to
// 32 lowercase letters or digits), an account (12 digits) or an OU ("ou-",
// 4 to 32 lowercase letters or digits, "-", 8 to 32 more).
var guardrailTarget = regexp.MustCompile(`^(r-[0-9a-z]{4,32}|[0-9]{12}|ou-[0-9a-z]{4,32}-[0-9a-z]{8,32})$`)

// applyGuardrailDefaults names the policy after the trail, and the
// monitoring policy after the policy, when they fit.
func (c *Config) applyGuardrailDefaults() {
	g := &c.Guardrails
	if g.Enabled && g.PolicyName == "" && len(c.Trail.Name)+len(DefaultGuardrailPolicySuffix) <= maxPolicyNameLength {
		g.PolicyName = c.Trail.Name + DefaultGuardrailPolicySuffix
	}
	if _, ok := c.MonitoringGuardrailProps(); ok && g.MonitoringPolicyName == "" && g.PolicyName != "" &&
		len(g.PolicyName)+len(DefaultMonitoringPolicySuffix) <= maxPolicyNameLength {
		g.MonitoringPolicyName = g.PolicyName + DefaultMonitoringPolicySuffix
	}
}

// GuardrailProps is what the guardrail policy protects and exempts: the
// trail, the key copies and every log bucket of this configuration; the
// deploying roles of both accounts and the break-glass principals.
func (c *Config) GuardrailProps() policy.Guardrails {
	var deployers []string
	accounts := []Account{c.Accounts.Management, c.Accounts.LogArchive}
	if a, ok := c.DelegatedAdmin(); ok {
		// The delegated administrator's deploying role creates and updates
		// the trail (StopLogging, UpdateTrail, PutEventSelectors, ...).
		accounts = append(accounts, a)
	}
	for _, a := range accounts {
		if a.RoleARN != "" {
			deployers = append(deployers, a.RoleARN)
		}
	}
	return policy.Guardrails{
		Trail:         c.TrailIdentity(),
		KeyAccount:    c.Accounts.LogArchive.ID,
		LogBuckets:    c.LogBuckets(),
		Deployers:     deployers,
		BreakGlass:    c.Bucket.BreakGlassPrincipals,
		PipelineRoles: c.PipelineRoles(true),
	}
}

// MonitoringGuardrailProps is what the monitoring guardrail policy
// protects, and true when there is something to protect: with guardrails
// on, the monitoring of a trail that a delegated administrator (a member
// account, which a service control policy binds) creates: its alarms (every
// alarm named "<trail.name>-..." in its home region, so that alarms added
// later are covered), its log group, its alarm, watchdog and notification
// topics and its monitoring and watchdog keys (both tagged
// policy.GuardTagKey), exempting that account's
// deploying role and the break-glass principals. The management account's
// monitoring (no delegated administrator) cannot be protected: service
// control policies do not apply to it (docs/aws-rules.md#scp-scope).
//
// With the replication alarm on, it also protects that alarm
// ("<trail.name>-replication-failures") and its topic in the log-archive
// account, a member account in every topology the guardrails accept,
// exempting that account's deploying role and the break-glass principals;
// the topic's key carries the guard tag, which the first policy's key
// statement covers.
func (c *Config) MonitoringGuardrailProps() (policy.MonitoringGuardrails, bool) {
	if !c.Guardrails.Enabled {
		return policy.MonitoringGuardrails{}, false
	}
	var watched []policy.WatchedAccount
	if w, ok := c.delegatedMonitoringWatch(); ok {
		watched = append(watched, w)
	}
	if c.ReplicationAlarmsEnabled() {
		alarm := alarms.AlarmName(c.Trail.Name, alarms.ReplicationFailures)
		topic := c.Replication.Alarms.TopicName
		if len(watched) > 0 && watched[0].Account == c.Accounts.LogArchive.ID {
			// The log-archive account is the delegated administrator: its
			// entry's alarm prefix ("<trail.name>-") covers the alarm.
			watched[0].Topics = append(watched[0].Topics, topic)
			if watched[0].AlarmPrefix == "" {
				watched[0].AlarmPrefix = alarm
			}
		} else {
			w := policy.WatchedAccount{Account: c.Accounts.LogArchive.ID, Region: c.HomeRegion, AlarmPrefix: alarm, Topics: []string{topic}}
			if r := c.Accounts.LogArchive.RoleARN; r != "" {
				w.Exempt = append(w.Exempt, r)
			}
			w.Exempt = append(w.Exempt, c.Bucket.BreakGlassPrincipals...)
			watched = append(watched, w)
		}
	}
	if len(watched) == 0 {
		return policy.MonitoringGuardrails{}, false
	}
	return policy.MonitoringGuardrails{Partition: c.Partition(), Watched: watched}, true
}

// delegatedMonitoringWatch is the delegated administrator's monitoring, when
// one holds it.
func (c *Config) delegatedMonitoringWatch() (policy.WatchedAccount, bool) {
	admin, ok := c.DelegatedAdmin()
	if !ok || !c.HoldsMonitoring() {
		return policy.WatchedAccount{}, false
	}
	w := policy.WatchedAccount{
		Account: admin.ID,
		Region:  c.HomeRegion,
		// The monitoring key exists whenever there is monitoring
		// (constructs: one key for the log group and the topics); the
		// watchdog key, with the alarms, carries the same tag.
		KeyTag: c.Trail.Name,
	}
	if admin.RoleARN != "" {
		w.Exempt = append(w.Exempt, admin.RoleARN)
	}
	w.Exempt = append(w.Exempt, c.Bucket.BreakGlassPrincipals...)
	if cw := c.Trail.CloudWatchLogs; cw.Enabled {
		w.LogGroups = append(w.LogGroups, cw.LogGroupName)
		w.AccountPolicies = true
	}
	if c.AlarmsEnabled() {
		// constructs: every alarm is named "<trail.name>-<alarm>".
		w.AlarmPrefix = c.Trail.Name + "-"
		w.Topics = append(w.Topics, c.Trail.CloudWatchLogs.Alarms.TopicName, c.Trail.CloudWatchLogs.Alarms.WatchdogTopicName)
	}
	if n := c.Trail.Notifications; n.Enabled {
		w.Topics = append(w.Topics, n.TopicName)
	}
	return w, true
}

// HoldsMonitoring reports whether the trail has monitoring resources (a log
// group or a notification topic, and their key) in the trail creator's
// account.
func (c *Config) HoldsMonitoring() bool {
	return c.Trail.CloudWatchLogs.Enabled || c.Trail.Notifications.Enabled
}

// PipelineRoles are the ARNs of the roles delivery runs on: the replication
// role (log-archive account) and the CloudWatch Logs delivery role (the
// trail creator's account; a name prefix, as AWS appends a unique suffix).
// With boundByOrganization, only those in accounts a service control policy
// can bind: never the management account's.
func (c *Config) PipelineRoles(boundByOrganization bool) []string {
	var out []string
	if g := c.ReplicationGrants(); g != nil {
		out = append(out, g.RoleARN())
	}
	if c.Trail.CloudWatchLogs.Enabled {
		creator := c.TrailCreator().ID
		if !boundByOrganization || creator != c.Accounts.Management.ID {
			out = append(out, fmt.Sprintf("arn:%s:iam::%s:role/%s*", c.Partition(), creator, policy.CloudWatchLogsRoleNamePrefix))
		}
	}
	return out
}

// AlarmedPipelineRoles are the PipelineRoles whose IAM events reach the
// trail's log group, which the pipeline-role-changes alarm watches: every
// one with an organization trail or a single account; otherwise those of
// the trail creator's account only (the delivery role), as an account trail
// does not log the log-archive account.
func (c *Config) AlarmedPipelineRoles() []string {
	var out []string
	for _, r := range c.PipelineRoles(false) {
		if c.OrganizationID != "" || c.SingleAccount() || strings.HasPrefix(r, fmt.Sprintf("arn:%s:iam::%s:", c.Partition(), c.TrailCreator().ID)) {
			out = append(out, r)
		}
	}
	return out
}

func (c *Config) validateGuardrails(l *rules.List) {
	g := c.Guardrails
	if !g.Enabled {
		return
	}
	if c.OrganizationID == "" {
		l.Addf("guardrails.enabled", true, "must be false without organization_id: service control policies exist only in an organization")
	}
	if c.Accounts.LogArchive.ID != "" && c.SingleAccount() {
		l.Addf("guardrails.enabled", true, "must be false when accounts.log_archive.id is the management account: service control policies do not apply to the management account, so they would protect nothing")
	}
	if c.Accounts.LogArchive.RoleARN == "" {
		l.Addf("accounts.log_archive.role_arn", "", "is required when guardrails.enabled is true: the guardrails exempt the deploying role by its ARN and would otherwise deny Terraform's own changes")
	}
	if a, ok := c.DelegatedAdmin(); ok && a.RoleARN == "" {
		l.Addf("accounts.delegated_administrator.role_arn", "", "is required when guardrails.enabled is true: the guardrails exempt the delegated administrator's deploying role by its ARN and would otherwise deny Terraform's own changes to the trail and its monitoring")
	}
	if len(g.Targets) == 0 {
		l.Addf("guardrails.targets", g.Targets, "must name at least one root (r-...), organizational unit (ou-...) or account id when guardrails.enabled is true")
	}
	seen := map[string]int{}
	for i, t := range g.Targets {
		f := fmt.Sprintf("guardrails.targets[%d]", i)
		switch j, dup := seen[t]; {
		case !guardrailTarget.MatchString(t):
			l.Addf(f, t, "must be a root id (r- and 4 to 32 lowercase letters or digits), an organizational unit id (ou-<4 to 32>-<8 to 32 lowercase letters or digits>) or a 12-digit account id")
		case t == c.Accounts.Management.ID:
			l.Addf(f, t, "must not be the management account (accounts.management.id): service control policies do not apply to it")
		case dup:
			l.Addf(f, t, "repeats guardrails.targets[%d]", j)
		default:
			seen[t] = i
		}
	}
	if len(g.Targets) > 0 && len(c.guardedAccountTargets()) == len(g.Targets) {
		// Only account ids: whether they cover the accounts to protect is
		// known offline (roots and OUs get a warning instead).
		for _, need := range c.guardedAccounts() {
			if !slices.Contains(g.Targets, need.id) {
				l.Addf("guardrails.targets", g.Targets, "must include %s (%s): %s", need.field, need.id, need.why)
			}
		}
	}
	switch {
	case g.PolicyName == "":
		l.Addf("guardrails.policy_name", g.PolicyName, "is required: the default derived from trail.name is longer than %d characters", maxPolicyNameLength)
	case len(g.PolicyName) > maxPolicyNameLength:
		l.Addf("guardrails.policy_name", g.PolicyName, "must be at most %d characters", maxPolicyNameLength)
	}
	// Only the size is reported here: any other error of the policy comes
	// from a field that is reported on its own.
	var tooLarge *policy.SCPTooLargeError
	if _, err := policy.GuardrailPolicyJSON(c.GuardrailProps()); errors.As(err, &tooLarge) {
		l.Addf("guardrails", tooLarge.Bytes, "must render a service control policy of at most %d bytes (AWS Organizations' limit), and this configuration's is longer: name fewer or shorter bucket.break_glass_principals or shorter bucket names", policy.MaxSCPBytes)
	}
	c.validateMonitoringGuardrails(l)
}

// validateMonitoringGuardrails checks the monitoring guardrail policy's name
// and size, when there is one.
func (c *Config) validateMonitoringGuardrails(l *rules.List) {
	g := c.Guardrails
	m, ok := c.MonitoringGuardrailProps()
	if !ok {
		return
	}
	switch {
	case g.MonitoringPolicyName == "":
		l.Addf("guardrails.monitoring_policy_name", g.MonitoringPolicyName, "is required: the default derived from guardrails.policy_name is longer than %d characters", maxPolicyNameLength)
	case len(g.MonitoringPolicyName) > maxPolicyNameLength:
		l.Addf("guardrails.monitoring_policy_name", g.MonitoringPolicyName, "must be at most %d characters", maxPolicyNameLength)
	case g.MonitoringPolicyName == g.PolicyName:
		l.Addf("guardrails.monitoring_policy_name", g.MonitoringPolicyName, "must differ from guardrails.policy_name: policy names are unique in an organization")
	}
	var tooLarge *policy.SCPTooLargeError
	if _, err := policy.MonitoringGuardrailPolicyJSON(m); errors.As(err, &tooLarge) {
		l.Addf("guardrails", tooLarge.Bytes, "must render a monitoring service control policy (%s) of at most %d bytes (AWS Organizations' limit), and this configuration's is longer: name fewer or shorter bucket.break_glass_principals, or a shorter log group or topic names", g.MonitoringPolicyName, policy.MaxSCPBytes)
	}
}

// guardedAccount is an account the guardrail policy must be attached to.
type guardedAccount struct{ field, id, why string }

// guardedAccounts are the accounts whose principals the guardrails must
// bind: the log-archive account, which holds the key and the log buckets,
// and the delegated administrator, which manages the trail.
func (c *Config) guardedAccounts() []guardedAccount {
	out := []guardedAccount{{"accounts.log_archive.id", c.Accounts.LogArchive.ID,
		"a service control policy binds only the accounts it is attached to, and the key and the log buckets live there"}}
	if a, ok := c.DelegatedAdmin(); ok && a.ID != c.Accounts.LogArchive.ID {
		out = append(out, guardedAccount{"accounts.delegated_administrator.id", a.ID,
			"a service control policy binds only the accounts it is attached to, and the delegated administrator's principals can stop or change the trail and silence its monitoring"})
	}
	return out
}

// guardedAccountTargets are the targets that are account ids.
func (c *Config) guardedAccountTargets() []string {
	var out []string
	for _, t := range c.Guardrails.Targets {
		if rules.AccountID(t) == nil {
			out = append(out, t)
		}
	}
	return out
}

// guardrailMonitoringWarnings: without a delegated administrator the
// trail's monitoring lives in the management account, which no service
// control policy binds (docs/aws-rules.md#scp-scope): the guardrails cannot
// keep its administrators from deleting or silencing the alarms.
func (c *Config) guardrailMonitoringWarnings() []Warning {
	if !c.Guardrails.Enabled || !c.HoldsMonitoring() || c.TrailCreator().ID != c.Accounts.Management.ID {
		return nil
	}
	return []Warning{{Field: "guardrails.enabled", Value: true, Reason: "the trail's monitoring (log group, metric filters, alarms, topics, their key and the delivery role) lives in the management account, which service control policies do not bind: the guardrails cannot stop its administrators from deleting or silencing the alarms; name an accounts.delegated_administrator to hold the monitoring where the guardrails protect it (docs/guardrails.md)"}}
}

// guardrailTargetWarnings: a root or an organizational unit cannot be read
// offline, so whether it contains the accounts to protect is the user's to
// check.
func (c *Config) guardrailTargetWarnings() []Warning {
	g := c.Guardrails
	if !g.Enabled {
		return nil
	}
	var containers []string
	for _, t := range g.Targets {
		if rules.AccountID(t) != nil {
			containers = append(containers, t)
		}
	}
	if len(containers) == 0 {
		return nil
	}
	var missing []string
	for _, need := range c.guardedAccounts() {
		if !slices.Contains(g.Targets, need.id) {
			missing = append(missing, fmt.Sprintf("%s (%s)", need.field, need.id))
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return []Warning{{Field: "guardrails.targets", Value: containers, Reason: fmt.Sprintf(
		"roots and organizational units cannot be checked offline: they must contain %s, or the guardrails do not bind the principals there (a service control policy binds only the accounts under its targets)",
		strings.Join(missing, " and "))}}
}
