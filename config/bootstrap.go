package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// Role of an account in the configuration, which names its stacks.
const (
	RoleLogArchive = "log-archive"
	RoleManagement = "management"
	RoleDelegated  = "delegated-admin"
	// RoleCombined: one account holds the log archive and creates the
	// trail (one stack).
	RoleCombined = "combined"
)

// MaxRolePolicySize is the aggregate size of a role's inline policies, white
// space not counted (docs/aws-rules.md#role-policy-size).
const MaxRolePolicySize = 10240

// MaxTrustPolicySize is the default quota of a role's trust policy, white
// space not counted (docs/aws-rules.md#role-trust-policy-length).
const MaxTrustPolicySize = 2048

// BootstrapAccount is one account's bootstrap: the deploying roles it
// creates and whether it holds the state bucket and state role.
type BootstrapAccount struct {
	// Role is RoleLogArchive, RoleManagement, RoleDelegated or RoleCombined.
	Role string
	// ID of the account.
	ID string
	// Deployers are the distinct role_arn values of the account.
	Deployers []string
	// State: the account holds the state bucket, its lock table and
	// backend.s3.role_arn.
	State bool
}

// BootstrapAccounts lists the accounts that get a bootstrap stack, in the
// order log archive, management, delegated administrator: each account
// named with a role_arn, the account of backend.s3.role_arn, an account
// where the bootstrap creates service roles, and the management account
// with the guardrails (GuardrailsInBootstrap). None unless
// bootstrap.trusted_principals is set.
func (c *Config) BootstrapAccounts() []BootstrapAccount {
	if !c.BootstrapEnabled() {
		return nil
	}
	var out []BootstrapAccount
	at := func(id, role string) *BootstrapAccount {
		for i := range out {
			if out[i].ID == id {
				return &out[i]
			}
		}
		out = append(out, BootstrapAccount{Role: role, ID: id})
		return &out[len(out)-1]
	}
	combined := c.SingleAccount() || c.TrailCreatorIsLogArchive()
	archiveRole := RoleLogArchive
	if combined {
		archiveRole = RoleCombined
	}
	type named struct {
		a    Account
		role string
	}
	all := []named{{c.Accounts.LogArchive, archiveRole}, {c.Accounts.Management, RoleManagement}}
	if d, ok := c.DelegatedAdmin(); ok {
		all = append(all, named{d, RoleDelegated})
	}
	stateAccount := ""
	if s := c.Backend.S3; s != nil {
		stateAccount = arnAccount(s.RoleARN)
	}
	for _, n := range all {
		scps := c.GuardrailsInBootstrap() && n.role == RoleManagement
		if n.a.RoleARN == "" && n.a.ID != stateAccount && len(c.ServiceRolesIn(n.a.ID)) == 0 && !scps {
			continue
		}
		b := at(n.a.ID, n.role)
		if n.a.RoleARN != "" && !slices.Contains(b.Deployers, n.a.RoleARN) {
			b.Deployers = append(b.Deployers, n.a.RoleARN)
		}
		if n.a.ID == stateAccount {
			b.State = true
		}
	}
	return out
}

// GuardrailsInBootstrap: with the bootstrap and the guardrails, the
// guardrail SCPs and their attachments are in the management account's
// bootstrap stack, applied by its administrator, not in the stacks its
// deploying role applies: organizations:CreatePolicy has no resource type
// and, with tags, needs organizations:TagResource, which no grant could
// scope to the new policy without letting the role tag and rewrite any SCP
// (security review 6, B2; docs/bootstrap.md#guardrails-in-the-bootstrap).
func (c *Config) GuardrailsInBootstrap() bool {
	return c.BootstrapEnabled() && c.Guardrails.Enabled
}

func (c *Config) validateBootstrap(l *rules.List, part string) {
	b := c.Bootstrap
	for i, p := range b.TrustedPrincipals {
		field := fmt.Sprintf("bootstrap.trusted_principals[%d]", i)
		if _, err := rules.PrincipalARN(p, part); err != nil {
			l.Add(field, err)
		} else if strings.HasSuffix(p, ":root") {
			// An account in a trust policy lets every principal of it that
			// its own policies allow assume the role.
			l.Addf(field, p, "must name an IAM role or user, not an account: the deploying roles trust exactly the identities that run Terraform")
		}
		if slices.Index(b.TrustedPrincipals, p) < i {
			l.Addf(field, p, "is repeated")
		}
	}
	if !c.BootstrapEnabled() {
		return
	}
	_, delegated := c.DelegatedAdmin()
	anyRole := c.Accounts.Management.RoleARN != "" || c.Accounts.LogArchive.RoleARN != "" ||
		(delegated && c.Accounts.DelegatedAdministrator.RoleARN != "")
	if s := c.Backend.S3; s != nil {
		if s.RoleARN == "" {
			// The S3 backend does not use the providers' assume_role: the
			// bootstrap creates the role it assumes for the state.
			l.Addf("backend.s3.role_arn", s.RoleARN, "is required with bootstrap.trusted_principals: the bootstrap creates it as the role that reaches the state (the backend does not assume the deploying roles)")
		} else if s.RoleARN == c.Accounts.Management.RoleARN || s.RoleARN == c.Accounts.LogArchive.RoleARN ||
			(delegated && s.RoleARN == c.Accounts.DelegatedAdministrator.RoleARN) {
			l.Addf("backend.s3.role_arn", s.RoleARN, "must not be a deploying role with bootstrap.trusted_principals: the state role may reach the state objects only")
		} else if acct := arnAccount(s.RoleARN); acct != "" && !c.namesAccount(acct) {
			l.Addf("backend.s3.role_arn", s.RoleARN, "must be in one of the configuration's accounts with bootstrap.trusted_principals: its account's bootstrap stack creates the role and the state bucket")
		}
	} else if !anyRole {
		l.Addf("bootstrap.trusted_principals", strings.Join(b.TrustedPrincipals, ", "), "has nothing to bootstrap: no accounts.*.role_arn and no backend.s3")
	}
	for i, p := range b.TrustedPrincipals {
		for _, d := range append(c.deployerRoles(), c.ServiceRoleARNs()...) {
			if strings.EqualFold(p, d) {
				l.Addf(fmt.Sprintf("bootstrap.trusted_principals[%d]", i), p, "must not be a role the bootstrap creates: a role trusting itself, or a service's role, would assume the deploying roles")
			}
		}
		if strings.Contains(p, ":role/"+DeliveryRolePrefix) {
			l.Addf(fmt.Sprintf("bootstrap.trusted_principals[%d]", i), p, "must not be a CloudWatch Logs delivery role (%s*): CloudTrail assumes those", DeliveryRolePrefix)
		}
	}
	if c.Trail.CloudWatchLogs.Enabled && len(c.DeliveryRoleName()) > 64 {
		l.Addf("trail.name", c.Trail.Name, "is too long with bootstrap.trusted_principals: the bootstrap names the CloudWatch Logs delivery role %s<trail.name>, at most 64 characters", DeliveryRolePrefix)
	}
	if _, ok := c.Tags[policy.GuardTagKey]; ok && !c.Guardrails.Enabled {
		l.Addf(fmt.Sprintf("tags[%q]", policy.GuardTagKey), c.Tags[policy.GuardTagKey], "must not be set with bootstrap.trusted_principals: the stacks tag every key with it (the trail's name), which the deploying and service roles' policies match")
	}
	if n := policy.CompactSize(policy.TrustPolicy(b.TrustedPrincipals)); n > MaxTrustPolicySize {
		l.Addf("bootstrap.trusted_principals", len(b.TrustedPrincipals), "make a trust policy of %d characters, over IAM's default %d", n, MaxTrustPolicySize)
	}
	for _, a := range c.BootstrapAccounts() {
		if len(a.Deployers) == 0 {
			continue
		}
		n := 0
		for _, d := range policy.DeployerPolicies(c.DeployerProps(a)) {
			n += policy.CompactSize(d)
		}
		if n > MaxRolePolicySize {
			l.Addf("bootstrap", a.ID, "make deploying-role policies of %d characters in account %s, over IAM's %d per role", n, a.ID, MaxRolePolicySize)
		}
	}
}

func (c *Config) namesAccount(id string) bool {
	if id == c.Accounts.Management.ID || id == c.Accounts.LogArchive.ID {
		return true
	}
	d, ok := c.DelegatedAdmin()
	return ok && d.ID == id
}

func (c *Config) deployerRoles() []string {
	var out []string
	for _, a := range c.BootstrapAccounts() {
		out = append(out, a.Deployers...)
	}
	if s := c.Backend.S3; s != nil && s.RoleARN != "" {
		out = append(out, s.RoleARN)
	}
	return out
}

// DeployerProps is what the stacks create in the bootstrap account a, by
// name, for its deploying roles' policies.
func (c *Config) DeployerProps(a BootstrapAccount) policy.Deployer {
	d := policy.Deployer{Partition: c.Partition(), Account: a.ID, HomeRegion: c.HomeRegion, Regions: []string{c.HomeRegion}, PassRoles: map[string]string{}, KeyTag: c.Trail.Name,
		KeyTags: c.Tags, AllowDestroy: c.AllowDestroy}
	archive := a.ID == c.Accounts.LogArchive.ID
	creator := a.ID == c.TrailCreator().ID
	_, delegated := c.DelegatedAdmin()
	if archive {
		d.Regions = append(d.Regions, c.Key.ReplicaRegions...)
		d.Buckets = c.LogBuckets()
		if c.Athena.Enabled {
			d.Buckets = append(d.Buckets, c.Athena.ResultsBucketName)
			d.ServiceRoles = append(d.ServiceRoles, c.Athena.QueryRoleName)
			d.Athena = &policy.DeployerAthena{Workgroup: c.Athena.Workgroup, Database: c.Athena.Database, Table: c.Athena.Table}
		}
		d.Keys = true
		d.KeyAliases = []string{c.Key.Alias}
		if c.Replication.Enabled {
			d.ServiceRoles = append(d.ServiceRoles, c.Replication.RoleName)
			d.PassRoles[c.Replication.RoleName] = "s3.amazonaws.com"
		}
		if c.ReplicationAlarmsEnabled() {
			d.Topics = append(d.Topics, c.Replication.Alarms.TopicName)
			d.AlarmPrefixes = append(d.AlarmPrefixes, c.Trail.Name+"-")
		}
	}
	if creator {
		d.Keys = d.Keys || c.Trail.CloudWatchLogs.Enabled || c.Trail.Notifications.Enabled
		d.TrailARN = c.TrailIdentity().ARN()
		d.OrganizationTrail = c.OrganizationID != ""
		if w := c.Trail.CloudWatchLogs; w.Enabled {
			d.LogGroups = []string{w.LogGroupName}
			d.ServiceRoles = append(d.ServiceRoles, c.DeliveryRoleName())
			d.PassRoles[c.DeliveryRoleName()] = policy.CloudTrailService
			if c.AlarmsEnabled() {
				a := w.Alarms
				d.Topics = append(d.Topics, a.TopicName, a.WatchdogTopicName)
				if !slices.Contains(d.AlarmPrefixes, c.Trail.Name+"-") {
					d.AlarmPrefixes = append(d.AlarmPrefixes, c.Trail.Name+"-")
				}
			}
		}
		if n := c.Trail.Notifications; n.Enabled {
			d.Topics = append(d.Topics, n.TopicName)
		}
	}
	if a.ID == c.Accounts.Management.ID && c.Accounts.Management.ID != c.Accounts.LogArchive.ID {
		// The guardrail SCPs are the management bootstrap's
		// (GuardrailsInBootstrap): no Organizations policy action here.
		d.Registration = delegated
		d.OrganizationID = c.OrganizationID
		if delegated {
			d.DelegatedAdministrator = c.Accounts.DelegatedAdministrator.ID
		}
	}
	slices.Sort(d.Topics)
	return d
}

// DeliveryRolePrefix begins the name of the trail's CloudWatch Logs
// delivery role (the constructs create it with this name_prefix).
const DeliveryRolePrefix = policy.CloudWatchLogsRoleNamePrefix

// DeliveryRoleName is the fixed name of the CloudWatch Logs delivery role
// the bootstrap creates: DeliveryRolePrefix and the trail's name, so that
// the guardrails' pattern DeliveryRolePrefix* still matches it.
func (c *Config) DeliveryRoleName() string { return DeliveryRolePrefix + c.Trail.Name }

// ServiceRoleARNs are the roles the bootstrap creates for the services
// (docs/bootstrap.md#service-roles): the replication role and the Athena
// query role in the log-archive account, the CloudWatch Logs delivery
// role in the trail creator's; none without the bootstrap.
func (c *Config) ServiceRoleARNs() []string {
	if !c.BootstrapEnabled() {
		return nil
	}
	var out []string
	role := func(acct, name string) string {
		return fmt.Sprintf("arn:%s:iam::%s:role/%s", c.Partition(), acct, name)
	}
	if c.Replication.Enabled {
		out = append(out, role(c.Accounts.LogArchive.ID, c.Replication.RoleName))
	}
	if c.Athena.Enabled {
		out = append(out, role(c.Accounts.LogArchive.ID, c.Athena.QueryRoleName))
	}
	if c.Trail.CloudWatchLogs.Enabled {
		out = append(out, role(c.TrailCreator().ID, c.DeliveryRoleName()))
	}
	return out
}

// arnAccount is the account field of an ARN, "" when there is none.
func arnAccount(arn string) string {
	f := strings.SplitN(arn, ":", 6)
	if len(f) < 6 {
		return ""
	}
	return f[4]
}

// StateAccessProps is what backend.s3.role_arn may do on the state.
func (c *Config) StateAccessProps() policy.StateAccess {
	s := c.Backend.S3
	sa := policy.StateAccess{Partition: c.Partition(), Bucket: s.Bucket, KeyPrefix: s.KeyPrefix}
	if s.DynamoDBTable != "" {
		sa.LockTableARN = fmt.Sprintf("arn:%s:dynamodb:%s:%s:table/%s", c.Partition(), s.Region, arnAccount(s.RoleARN), s.DynamoDBTable)
	}
	return sa
}

// ServiceRolesIn lists the service roles (ServiceRoleARNs) the bootstrap
// creates in account id.
func (c *Config) ServiceRolesIn(id string) []string {
	var out []string
	for _, r := range c.ServiceRoleARNs() {
		if arnAccount(r) == id {
			out = append(out, r)
		}
	}
	return out
}

// QueryRoleProps is the Athena query role's, as the log-archive stack
// makes the query side (its key ARNs left empty: the bootstrap names the
// keys by their tag, policy.QueryRolePolicyByTag).
func (c *Config) QueryRoleProps() policy.QueryRoleProps {
	q := c.Athena
	return policy.QueryRoleProps{
		Partition: c.Partition(), Region: c.HomeRegion, Account: c.Accounts.LogArchive.ID, Readers: c.Key.Readers,
		Workgroup: q.Workgroup, Database: q.Database, Table: q.Table,
		LogBucket: c.Bucket.Name, KeyPrefix: c.Trail.S3KeyPrefix, ResultsBucket: q.ResultsBucketName,
		Trail: c.TrailIdentity(),
	}
}
