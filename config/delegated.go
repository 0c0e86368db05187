package config

import "github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"

// DelegatedAdmin returns the CloudTrail delegated administrator and true when
// one is configured.
func (c *Config) DelegatedAdmin() (Account, bool) {
	if c.Accounts.DelegatedAdministrator == nil {
		return Account{}, false
	}
	return *c.Accounts.DelegatedAdministrator, true
}

// TrailCreator is the account whose providers create the trail and hold its
// log group, delivery role, topic and their key: the delegated administrator
// when one is configured, else the management account. The trail's owner
// (TrailIdentity().Account) stays the management account either way.
func (c *Config) TrailCreator() Account {
	if a, ok := c.DelegatedAdmin(); ok {
		return a
	}
	return c.Accounts.Management
}

// TrailCreatorIsLogArchive reports whether the log-archive account creates the
// trail as the delegated administrator (two stacks: log-archive holds bucket,
// key and trail; management only registers it).
func (c *Config) TrailCreatorIsLogArchive() bool {
	a, ok := c.DelegatedAdmin()
	return ok && a.ID == c.Accounts.LogArchive.ID
}

// validateDelegatedAdministrator checks accounts.delegated_administrator
// against the rules of the CloudTrail user guide, "Organization delegated
// administrator"
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-delegated-administrator.html):
// a delegated administrator is a member account of an organization and
// manages organization trails.
func (c *Config) validateDelegatedAdministrator(l *rules.List, part string) {
	a, ok := c.DelegatedAdmin()
	if !ok {
		return
	}
	const field = "accounts.delegated_administrator"
	c.validateAccount(l, field, a, part)
	if c.OrganizationID == "" {
		l.Addf(field, a.ID, "needs organization_id: a CloudTrail delegated administrator manages organization trails only")
	}
	if a.ID != "" && a.ID == c.Accounts.Management.ID {
		// RegisterOrganizationDelegatedAdmin: CannotDelegateManagementAccountException.
		l.Addf(field+".id", a.ID, "must not be the management account (accounts.management.id): CloudTrail cannot delegate to the management account")
	}
	if a.ID != "" && c.Accounts.Management.ID != "" && c.Accounts.Management.ID == c.Accounts.LogArchive.ID {
		l.Addf(field, a.ID, "needs accounts.log_archive apart from accounts.management: with a delegated administrator the management account holds only the registration")
	}
}
