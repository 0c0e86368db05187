package config

import (
	"fmt"
	"strings"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// generatedName is a name the configuration gives a resource, with the field
// it comes from.
// When the name is the default derived from another field's name, from is
// that field: a clash of the other is reported, not repeated here.
type generatedName struct{ field, name, from string }

// namespace is a set of names AWS requires to be unique, and how it compares
// them.
type namespace struct {
	// what is said in the message: why the names must differ.
	why string
	// fold maps a name to the form AWS compares (case-insensitive IAM).
	fold func(string) string
	// valid reports whether a name passed its own rule (a name that did not
	// is reported there, once).
	valid func(string) error
}

var (
	bucketNames = namespace{
		why:   "S3 bucket names are unique across all AWS accounts, and each bucket of this configuration is a bucket of its own",
		fold:  func(s string) string { return s },
		valid: rules.BucketName,
	}
	roleNames = namespace{
		why:   "IAM role names are unique in an account, ignoring case, and both are roles of the log-archive account",
		fold:  strings.ToLower,
		valid: rules.RoleName,
	}
	topicNames = namespace{
		why:   "SNS topic names are unique in an account and region, and only CloudTrail may publish to its notification topic",
		fold:  func(s string) string { return s },
		valid: rules.TopicName,
	}
)

// Reserved names that every account already has and that cannot be created
// again (docs/aws-rules.md#athena-primary-workgroup).
const reservedWorkgroup = "primary"

// validateUniqueNames is the one rule over every name the configuration
// generates that AWS requires to be unique: a clash is refused with both
// field paths (docs/aws-rules.md#unique-names).
func (c *Config) validateUniqueNames(l *rules.List) {
	checkUnique(l, bucketNames, c.bucketNames())
	checkUnique(l, roleNames, c.logArchiveRoleNames())
	c.checkExistingRoles(l)
	var topics []generatedName
	if n := c.Trail.Notifications; n.Enabled {
		topics = append(topics, generatedName{"trail.notifications.topic_name", n.TopicName, ""})
	}
	if c.AlarmsEnabled() {
		topics = append(topics, generatedName{"trail.cloudwatch_logs.alarms.topic_name", c.Trail.CloudWatchLogs.Alarms.TopicName, ""})
		topics = append(topics, generatedName{"trail.cloudwatch_logs.alarms.watchdog_topic_name", c.Trail.CloudWatchLogs.Alarms.WatchdogTopicName, ""})
	}
	// The replication alarm topic is in the log-archive account: it can
	// clash only with topics of the account that creates the trail when
	// that is the same account.
	if c.ReplicationAlarmsEnabled() && c.TrailCreator().ID == c.Accounts.LogArchive.ID {
		topics = append(topics, generatedName{"replication.alarms.topic_name", c.Replication.Alarms.TopicName, ""})
	}
	checkUnique(l, topicNames, topics)
	if a := c.Athena; a.Enabled && strings.EqualFold(a.Workgroup, reservedWorkgroup) {
		l.Addf("athena.workgroup", a.Workgroup, "must not be %q: every account already has that workgroup in every region and it cannot be deleted or created", reservedWorkgroup)
	}
}

// bucketNames are every bucket the configuration creates or uses, the state
// bucket included (the Athena results bucket's expiration would delete the
// state in it).
func (c *Config) bucketNames() []generatedName {
	out := []generatedName{{"bucket.name", c.Bucket.Name, ""}}
	if c.Bucket.AccessLogs.Enabled {
		out = append(out, generatedName{"bucket.access_logs.bucket_name", c.Bucket.AccessLogs.BucketName, ""})
	}
	if r := c.Replication; r.Enabled {
		out = append(out, generatedName{"replication.bucket_name", r.BucketName, ""})
		if c.Bucket.AccessLogs.Enabled {
			g := generatedName{"replication.access_log_bucket_name", r.AccessLogBucketName, ""}
			if r.AccessLogBucketName == r.BucketName+DefaultAccessLogSuffix {
				g.from = "replication.bucket_name"
			}
			out = append(out, g)
		}
	}
	if a := c.Athena; a.Enabled {
		out = append(out, generatedName{"athena.results_bucket_name", a.ResultsBucketName, ""})
	}
	if s := c.Backend.S3; s != nil {
		out = append(out, generatedName{"backend.s3.bucket", s.Bucket, ""})
	}
	return out
}

// logArchiveRoleNames are the roles the configuration creates in the
// log-archive account.
func (c *Config) logArchiveRoleNames() []generatedName {
	var out []generatedName
	if r := c.Replication; r.Enabled {
		out = append(out, generatedName{"replication.role_name", r.RoleName, ""})
	}
	if a := c.Athena; a.Enabled {
		out = append(out, generatedName{"athena.query_role_name", a.QueryRoleName, ""})
	}
	return out
}

// checkExistingRoles refuses a role the configuration names by ARN (and so
// expects to exist) in the log-archive account whose name is one the
// configuration creates there: creating it would fail, or the ARN would name
// the new role instead of the one meant.
func (c *Config) checkExistingRoles(l *rules.List) {
	created := map[string]generatedName{}
	for _, g := range c.logArchiveRoleNames() {
		if _, dup := created[strings.ToLower(g.name)]; !dup && roleNames.valid(g.name) == nil {
			created[strings.ToLower(g.name)] = g
		}
	}
	if len(created) == 0 {
		return
	}
	check := func(field, arn string) {
		acct, name, ok := roleOf(arn)
		if !ok || acct != c.Accounts.LogArchive.ID {
			return
		}
		if g, clash := created[strings.ToLower(name)]; clash {
			l.Addf(field, arn, "names a role that %s (%q) creates in the log-archive account: IAM role names are unique in an account, ignoring case; name another role, or change %s", g.field, g.name, g.field)
		}
	}
	check("accounts.management.role_arn", c.Accounts.Management.RoleARN)
	check("accounts.log_archive.role_arn", c.Accounts.LogArchive.RoleARN)
	if a, ok := c.DelegatedAdmin(); ok {
		check("accounts.delegated_administrator.role_arn", a.RoleARN)
	}
	for i, a := range c.Key.Administrators {
		check(fmt.Sprintf("key.administrators[%d]", i), a)
	}
	for i, r := range c.Key.Readers {
		check(fmt.Sprintf("key.readers[%d]", i), r)
	}
	for i, v := range c.Key.Verifiers {
		check(fmt.Sprintf("key.verifiers[%d]", i), v)
	}
	for i, b := range c.Bucket.BreakGlassPrincipals {
		check(fmt.Sprintf("bucket.break_glass_principals[%d]", i), b)
	}
	if s := c.Backend.S3; s != nil {
		check("backend.s3.role_arn", s.RoleARN)
	}
}

// roleOf returns the account and the name (the last path segment) of an IAM
// role ARN.
func roleOf(arn string) (account, name string, ok bool) {
	acct, err := rules.RoleARN(arn, "")
	if err != nil {
		return "", "", false
	}
	return acct, arn[strings.LastIndex(arn, "/")+1:], true
}

// checkUnique refuses every name equal, as ns compares them, to one before
// it, naming both fields.
func checkUnique(l *rules.List, ns namespace, names []generatedName) {
	seen := map[string]generatedName{}
	clashed := map[string]bool{}
	for _, g := range names {
		if g.name == "" || ns.valid(g.name) != nil || clashed[g.from] {
			clashed[g.field] = clashed[g.from]
			continue
		}
		k := ns.fold(g.name)
		if first, dup := seen[k]; dup {
			l.Addf(g.field, g.name, "must differ from %s (%q): %s", first.field, first.name, ns.why)
			clashed[g.field] = true
			continue
		}
		seen[k] = g
	}
}
