package config

import (
	"fmt"
	"regexp"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// Defaults of the athena block, shared with the constructs
// (AthenaQueryProps): defined once, in package rules.
const (
	DefaultAthenaDatabase          = rules.DefaultAthenaDatabase
	DefaultAthenaTable             = rules.DefaultAthenaTable
	DefaultAthenaWorkgroup         = rules.DefaultAthenaWorkgroup
	DefaultAthenaResultsSuffix     = rules.DefaultAthenaResultsSuffix
	DefaultAthenaResultsDays       = rules.DefaultAthenaResultsDays
	DefaultAthenaQueryRoleName     = rules.DefaultAthenaQueryRoleName
	DefaultAthenaBytesScannedLimit = rules.DefaultAthenaBytesScannedLimit // 100 GiB per query
	DefaultAthenaProjectionStart   = rules.DefaultAthenaProjectionStart
)

// Athena configures querying the logs with Amazon Athena: a Glue database and
// table with partition projection, a workgroup writing to its own results
// bucket, named queries and a role the key's readers may assume.
type Athena struct {
	// Enabled turns querying on. Default: false.
	Enabled bool `yaml:"enabled"`
	// Database is the Glue database. Default: "cloudtrail_mrk".
	Database string `yaml:"database,omitempty"`
	// Table is the Glue table over the log files. Default: "cloudtrail_logs".
	Table string `yaml:"table,omitempty"`
	// Workgroup is the Athena workgroup. Default: "cloudtrail-mrk".
	Workgroup string `yaml:"workgroup,omitempty"`
	// Accounts are the account ids the table's account partition lists; an
	// account that is not listed cannot be queried (add it here and deploy):
	// Athena reads only the values of an enum projection
	// (docs/aws-rules.md#athena-enum-projection). Required for an
	// organization trail (every member account; a default would silently
	// leave them out). Default for an account trail: the configured accounts
	// (management, log-archive and delegated administrator).
	Accounts []string `yaml:"accounts,omitempty"`
	// ProjectionStart is the first day (yyyy/MM/dd) of the date partition.
	// Default: "2024/01/01".
	ProjectionStart string `yaml:"projection_start,omitempty"`
	// ResultsBucketName receives query results. Default:
	// "<bucket.name>-athena-results".
	ResultsBucketName string `yaml:"results_bucket_name,omitempty"`
	// ResultsExpirationDays expires query results after this many days.
	// Default: 30.
	ResultsExpirationDays int `yaml:"results_expiration_days,omitempty"`
	// BytesScannedCutoff cancels a query that scans more bytes than this
	// (Athena's minimum is 10 MB). Default: 100 GiB.
	BytesScannedCutoff int64 `yaml:"bytes_scanned_cutoff,omitempty"`
	// QueryRoleName is the role that key.readers assume to query.
	// Default: "cloudtrail-mrk-athena-query".
	QueryRoleName string `yaml:"query_role_name,omitempty"`
}

func (c *Config) applyAthenaDefaults() {
	a := &c.Athena
	if !a.Enabled {
		return
	}
	if a.Database == "" {
		a.Database = DefaultAthenaDatabase
	}
	if a.Table == "" {
		a.Table = DefaultAthenaTable
	}
	if a.Workgroup == "" {
		a.Workgroup = DefaultAthenaWorkgroup
	}
	if len(a.Accounts) == 0 && c.OrganizationID == "" {
		a.Accounts = c.configuredAccounts()
	}
	if a.ProjectionStart == "" {
		a.ProjectionStart = DefaultAthenaProjectionStart
	}
	if a.ResultsBucketName == "" {
		a.ResultsBucketName = rules.DefaultAthenaResultsBucketName(c.Bucket.Name)
	}
	if a.ResultsExpirationDays == 0 {
		a.ResultsExpirationDays = DefaultAthenaResultsDays
	}
	if a.BytesScannedCutoff == 0 {
		a.BytesScannedCutoff = DefaultAthenaBytesScannedLimit
	}
	if a.QueryRoleName == "" {
		a.QueryRoleName = DefaultAthenaQueryRoleName
	}
}

// configuredAccounts are the distinct account ids of the configuration.
func (c *Config) configuredAccounts() []string {
	var out []string
	for _, a := range c.configuredAccountFields() {
		out = append(out, a.id)
	}
	return out
}

// configuredAccountFields are the distinct account ids of the
// configuration, each with the field that first names it.
func (c *Config) configuredAccountFields() []struct{ field, id string } {
	out := []struct{ field, id string }{
		{"accounts.management.id", c.Accounts.Management.ID},
		{"accounts.log_archive.id", c.Accounts.LogArchive.ID},
	}
	if a, ok := c.DelegatedAdmin(); ok {
		out = append(out, struct{ field, id string }{"accounts.delegated_administrator.id", a.ID})
	}
	var kept []struct{ field, id string }
	seen := map[string]bool{}
	for _, n := range out {
		if n.id != "" && !seen[n.id] {
			seen[n.id] = true
			kept = append(kept, n)
		}
	}
	return kept
}

var (
	// Athena user guide, "Name databases, tables, and columns": lowercase
	// letters, digits and underscore only.
	glueName      = regexp.MustCompile(`^[a-z0-9_]{1,255}$`)
	workgroupName = regexp.MustCompile(`^[a-zA-Z0-9._-]{1,128}$`)
	projectionDay = regexp.MustCompile(`^(19|20)[0-9]{2}/(0[1-9]|1[0-2])/(0[1-9]|[12][0-9]|3[01])$`)
)

func (c *Config) validateAthena(l *rules.List) {
	a := c.Athena
	if !a.Enabled {
		return
	}
	if !glueName.MatchString(a.Database) {
		l.Addf("athena.database", a.Database, "must be 1 to 255 lowercase letters, digits or underscores (Athena names)")
	}
	if !glueName.MatchString(a.Table) {
		l.Addf("athena.table", a.Table, "must be 1 to 255 lowercase letters, digits or underscores (Athena names)")
	}
	if !workgroupName.MatchString(a.Workgroup) {
		l.Addf("athena.workgroup", a.Workgroup, "must be 1 to 128 letters, digits, periods, underscores or hyphens")
	}
	if len(a.Accounts) == 0 {
		// docs/aws-rules.md#athena-enum-projection: an account missing from
		// the enum is skipped by every query, without an error.
		l.Addf("athena.accounts", "[]", "is required for an organization trail (organization_id is set): the table's account partition is an enum projection, which Athena reads only for the listed accounts, so every member account left out would be skipped by every query without an error; list every account of the organization (aws organizations list-accounts) and add each new account")
	}
	seen := map[string]bool{}
	for i, id := range a.Accounts {
		f := fmt.Sprintf("athena.accounts[%d]", i)
		l.Add(f, rules.AccountID(id))
		if seen[id] {
			l.Addf(f, id, "is listed twice")
		}
		seen[id] = true
	}
	if len(a.Accounts) > 0 {
		// docs/aws-rules.md#athena-enum-projection: the accounts that hold
		// the trail, the key and the buckets are the ones the named queries
		// (changes to this trail, key and buckets; root activity) are about.
		for _, need := range c.configuredAccountFields() {
			if !seen[need.id] {
				l.Addf("athena.accounts", a.Accounts, "must include %s (%s): the table's account partition is an enum projection, and every query would skip that account's events without an error", need.field, need.id)
			}
		}
	}
	if !projectionDay.MatchString(a.ProjectionStart) {
		l.Addf("athena.projection_start", a.ProjectionStart, "must be a day written yyyy/MM/dd, the format of the log files' date path")
	}
	if a.ResultsBucketName == "" {
		l.Addf("athena.results_bucket_name", a.ResultsBucketName, "is required when bucket.name is too long to derive <bucket.name>%s", DefaultAthenaResultsSuffix)
	} else {
		// Equal to another bucket: see validateUniqueNames.
		l.Add("athena.results_bucket_name", rules.BucketName(a.ResultsBucketName))
	}
	l.Add("athena.results_expiration_days", rules.Range(a.ResultsExpirationDays, 1, rules.MaxRetentionDays, "days"))
	if a.BytesScannedCutoff < 10*1024*1024 {
		l.Addf("athena.bytes_scanned_cutoff", a.BytesScannedCutoff, "must be at least 10485760 (10 MiB, at or above Athena's minimum of 10 MB)")
	}
	l.Add("athena.query_role_name", rules.RoleName(a.QueryRoleName))
	if len(c.Key.Readers) == 0 {
		l.Addf("athena", true, "needs key.readers: they are who may assume the query role")
	}
}
