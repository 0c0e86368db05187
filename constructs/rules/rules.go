package rules

import (
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"regexp"
	"slices"
	"strings"
)

// Violation is one broken rule: the field it was found at, what the rule is,
// and the value that broke it.
type Violation struct {
	// Field is the path of the offending field, for example
	// "key.replica_regions[1]" or "MultiRegionKeyProps.Alias".
	Field string
	// Rule says what the value must be, for example "must be 12 digits".
	Rule string
	// Value is the offending value as received.
	Value any
}

// Error implements error as `<field>: <rule> (got <value>)`.
func (v *Violation) Error() string {
	if v.Field == "" {
		return fmt.Sprintf("%s (got %s)", v.Rule, formatValue(v.Value))
	}
	return fmt.Sprintf("%s: %s (got %s)", v.Field, v.Rule, formatValue(v.Value))
}

func formatValue(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("%q", x)
	case []string:
		return fmt.Sprintf("%q", x)
	default:
		return fmt.Sprintf("%v", x)
	}
}

// At returns err with its field set to field when err is a *Violation without
// a field; other errors are wrapped with the field as prefix, and every error
// of an Errors gets the field in turn. nil stays nil, and an empty field
// leaves err as it is (for errors that carry their paths).
func At(field string, err error) error {
	if err == nil || field == "" {
		return err
	}
	if es, ok := err.(Errors); ok {
		out := make(Errors, len(es))
		for i, e := range es {
			out[i] = At(field, e)
		}
		return out
	}
	if v, ok := err.(*Violation); ok && v.Field == "" {
		c := *v
		c.Field = field
		return &c
	}
	return fmt.Errorf("%s: %w", field, err)
}

// Errors is the error List.Err returns: every problem found, in order. A
// caller reaches it with errors.As and reads each violation's field path,
// rule and value through Violations:
//
//	var errs rules.Errors
//	if errors.As(err, &errs) {
//		for _, v := range errs.Violations() {
//			fmt.Println(v.Field, v.Rule, v.Value)
//		}
//	}
type Errors []error

// Error is every error's message, one per line, as errors.Join writes them.
func (e Errors) Error() string {
	msgs := make([]string, len(e))
	for i, err := range e {
		msgs[i] = err.Error()
	}
	return strings.Join(msgs, "\n")
}

// Unwrap returns the errors, for errors.Is and errors.As.
func (e Errors) Unwrap() []error { return e }

// Violations returns the *Violation of every error that is or wraps one, in
// order; errors that carry no Violation are left out.
func (e Errors) Violations() []*Violation {
	var out []*Violation
	for _, err := range e {
		var v *Violation
		if errors.As(err, &v) {
			out = append(out, v)
		}
	}
	return out
}

// Rename replaces the props type from (for example "BucketPolicyProps.") with
// to ("TrailBucketProps.") in the field path and the rule of every violation
// in err, so that a constructor that delegates to a helper names the prop its
// caller set. The structure is kept: Errors stay Errors and violations stay
// *Violation. Other errors keep their chain and get the renamed message.
func Rename(err error, from, to string) error {
	switch x := err.(type) {
	case nil:
		return nil
	case Errors:
		out := make(Errors, len(x))
		for i, e := range x {
			out[i] = Rename(e, from, to)
		}
		return out
	case *Violation:
		c := *x
		c.Field = strings.ReplaceAll(c.Field, from, to)
		c.Rule = strings.ReplaceAll(c.Rule, from, to)
		return &c
	}
	return &renamedError{msg: strings.ReplaceAll(err.Error(), from, to), err: err}
}

type renamedError struct {
	msg string
	err error
}

func (r *renamedError) Error() string { return r.msg }
func (r *renamedError) Unwrap() error { return r.err }

// List collects violations so that validation can report every problem at
// once instead of stopping at the first.
type List struct {
	errs []error
}

// Add records err (when not nil) at field. The errors of an Errors are
// recorded one by one, so that lists do not nest.
func (l *List) Add(field string, err error) {
	if err == nil {
		return
	}
	if es, ok := At(field, err).(Errors); ok {
		l.errs = append(l.errs, es...)
		return
	}
	l.errs = append(l.errs, At(field, err))
}

// Addf records a violation at field.
func (l *List) Addf(field string, value any, rule string, args ...any) {
	l.errs = append(l.errs, &Violation{Field: field, Rule: fmt.Sprintf(rule, args...), Value: value})
}

// Len is the number of violations recorded.
func (l *List) Len() int { return len(l.errs) }

// Err returns nil when nothing was recorded, otherwise an Errors holding
// every violation in the order they were found (its message has one per
// line).
func (l *List) Err() error {
	if len(l.errs) == 0 {
		return nil
	}
	return append(Errors(nil), l.errs...)
}

func violation(value any, rule string, args ...any) error {
	return &Violation{Rule: fmt.Sprintf(rule, args...), Value: value}
}

var (
	accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)
	// AWS Organizations API reference, Organization.Id: "o-" then 10 to 32
	// lowercase letters or digits.
	orgIDPattern = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
)

// AccountID checks a 12-digit AWS account id.
func AccountID(id string) error {
	if !accountIDPattern.MatchString(id) {
		return violation(id, "must be an AWS account id of exactly 12 digits")
	}
	return nil
}

// OrganizationID checks an AWS Organizations id ("o-" and 10 to 32 lowercase
// letters or digits).
func OrganizationID(id string) error {
	if !orgIDPattern.MatchString(id) {
		return violation(id, `must be an organization id: "o-" followed by 10 to 32 lowercase letters or digits`)
	}
	return nil
}

// regionPartitions lists the commercial, China and GovCloud regions by
// partition. Regions launched after the pinned AWS provider (5.84) may be
// refused by the provider itself at plan time.
var regionPartitions = map[string]string{
	"af-south-1": "aws", "ap-east-1": "aws", "ap-east-2": "aws", "ap-northeast-1": "aws",
	"ap-northeast-2": "aws", "ap-northeast-3": "aws", "ap-south-1": "aws", "ap-south-2": "aws",
	"ap-southeast-1": "aws", "ap-southeast-2": "aws", "ap-southeast-3": "aws", "ap-southeast-4": "aws",
	"ap-southeast-5": "aws", "ap-southeast-6": "aws", "ap-southeast-7": "aws", "ca-central-1": "aws",
	"ca-west-1": "aws", "eu-central-1": "aws", "eu-central-2": "aws", "eu-north-1": "aws",
	"eu-south-1": "aws", "eu-south-2": "aws", "eu-west-1": "aws", "eu-west-2": "aws",
	"eu-west-3": "aws", "il-central-1": "aws", "me-central-1": "aws", "me-south-1": "aws",
	"mx-central-1": "aws", "sa-east-1": "aws", "us-east-1": "aws", "us-east-2": "aws",
	"us-west-1": "aws", "us-west-2": "aws",
	"cn-north-1": "aws-cn", "cn-northwest-1": "aws-cn",
	"us-gov-east-1": "aws-us-gov", "us-gov-west-1": "aws-us-gov",
}

// Region checks that name is a known AWS region.
func Region(name string) error {
	if _, ok := regionPartitions[name]; !ok {
		return violation(name, "must be an AWS region name such as us-east-1")
	}
	return nil
}

// Partition returns the partition ("aws", "aws-cn", "aws-us-gov") of a known
// region, or "" for an unknown one.
func Partition(region string) string {
	return regionPartitions[region]
}

// Regions returns every region this package knows, sorted.
func Regions() []string {
	return slices.Sorted(maps.Keys(regionPartitions))
}

var bucketChars = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*[a-z0-9]$`)

// S3 user guide, "General purpose bucket naming rules": reserved prefixes and
// suffixes.
var (
	bucketReservedPrefixes = []string{"xn--", "sthree-", "sthree-configurator", "amzn-s3-demo-"}
	bucketReservedSuffixes = []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"}
)

// BucketName checks the S3 general purpose bucket naming rules.
func BucketName(name string) error {
	// S3 user guide, "General purpose bucket naming rules".
	if n := len(name); n < 3 || n > 63 {
		return violation(name, "S3 bucket names must be 3 to 63 characters long (this one is %d)", n)
	}
	if !bucketChars.MatchString(name) {
		return violation(name, "S3 bucket names may contain only lowercase letters, digits, dots and hyphens, and must begin and end with a letter or digit")
	}
	if strings.Contains(name, "..") {
		return violation(name, "S3 bucket names must not contain two adjacent periods")
	}
	if isIPv4(name) {
		return violation(name, "S3 bucket names must not be formatted as an IP address")
	}
	for _, p := range bucketReservedPrefixes {
		if strings.HasPrefix(name, p) {
			return violation(name, "S3 bucket names must not start with the reserved prefix %q", p)
		}
	}
	for _, s := range bucketReservedSuffixes {
		if strings.HasSuffix(name, s) {
			return violation(name, "S3 bucket names must not end with the reserved suffix %q", s)
		}
	}
	return nil
}

func isIPv4(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is4()
}

var (
	trailChars    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]$`)
	trailAdjacent = regexp.MustCompile(`[._-]{2}`)
)

// TrailName checks the CloudTrail trail naming rules.
func TrailName(name string) error {
	// CloudTrail API reference, CreateTrail Name.
	if n := len(name); n < 3 || n > 128 {
		return violation(name, "trail names must be 3 to 128 characters long (this one is %d)", n)
	}
	if !trailChars.MatchString(name) {
		return violation(name, "trail names may contain only ASCII letters, digits, periods, underscores and dashes, and must begin and end with a letter or digit")
	}
	if trailAdjacent.MatchString(name) {
		return violation(name, "trail names must not have adjacent periods, underscores or dashes")
	}
	if isIPv4(name) {
		return violation(name, "trail names must not be formatted as an IP address")
	}
	return nil
}

// TrailARN checks a trail ARN, arn:<partition>:cloudtrail:<region>:<account>:trail/<name>,
// in the given partition (any partition when it is ""), and returns the
// account that owns the trail (docs/aws-rules.md#trail-owner: for an
// organization trail, the management account).
func TrailARN(arn, partition string) (account string, err error) {
	const form = "must be a trail ARN of the form arn:%s:cloudtrail:<region>:<12-digit account>:trail/<name>"
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "cloudtrail" || !strings.HasPrefix(parts[5], "trail/") {
		return "", violation(arn, form, orDefault(partition, "<partition>"))
	}
	p, region, account, name := parts[1], parts[3], parts[4], strings.TrimPrefix(parts[5], "trail/")
	switch {
	case Region(region) != nil || AccountID(account) != nil || TrailName(name) != nil:
		return "", violation(arn, form+" (a real region, 12 digits, a valid trail name)", orDefault(partition, "<partition>"))
	case Partition(region) != p:
		return "", violation(arn, "names partition %q, but region %s is in %q", p, region, Partition(region))
	case partition != "" && p != partition:
		return "", violation(arn, "must be in partition %q, the partition of the home region", partition)
	}
	return account, nil
}

var keyPrefixChars = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]*$`)

// KeyPrefix checks an S3 key prefix for CloudTrail log files. The empty
// prefix is allowed. Wildcard characters are refused because the prefix is
// written into policy resource ARNs, where they would widen the grant.
func KeyPrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	// CloudTrail API reference, CreateTrail S3KeyPrefix: at most 200 characters.
	if len(prefix) > 200 {
		return violation(prefix, "key prefixes must be at most 200 characters (this one is %d)", len(prefix))
	}
	if !keyPrefixChars.MatchString(prefix) {
		return violation(prefix, "key prefixes may contain only letters, digits, '.', '_', '-' and '/', and must begin with a letter or digit")
	}
	if strings.HasSuffix(prefix, "/") || strings.Contains(prefix, "//") {
		return violation(prefix, "key prefixes must not end with '/' or contain '//'")
	}
	if prefix == "AWSLogs" || strings.HasPrefix(prefix, "AWSLogs/") {
		return violation(prefix, "key prefixes must not start with AWSLogs, which CloudTrail appends itself")
	}
	return nil
}

var aliasPattern = regexp.MustCompile(`^alias/[A-Za-z0-9/_-]+$`)

// KeyAlias checks a KMS alias name.
func KeyAlias(alias string) error {
	// KMS API reference, CreateAlias AliasName: 1 to 256 characters, "alias/"
	// prefix, and "alias/aws/" is reserved for AWS managed keys.
	if len(alias) > 256 || !aliasPattern.MatchString(alias) {
		return violation(alias, `KMS aliases must start with "alias/" followed by letters, digits, '/', '_' or '-' (at most 256 characters)`)
	}
	if strings.HasPrefix(alias, "alias/aws/") {
		return violation(alias, `KMS aliases must not start with the reserved prefix "alias/aws/"`)
	}
	return nil
}

// Range checks lo <= v <= hi, naming the unit in the message.
func Range(v, lo, hi int, unit string) error {
	if v < lo || v > hi {
		return violation(v, "must be between %d and %d %s", lo, hi, unit)
	}
	return nil
}

var (
	// IAM names: letters, digits and +=,.@_- ; paths: "/" separated segments.
	iamPrincipalPattern = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov):iam::([0-9]{12}):(root|(role|user)/([\x21-\x7e]+/)*[\w+=,.@-]{1,64})$`)
	iamRolePattern      = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov):iam::([0-9]{12}):role/([\x21-\x7e]+/)*[\w+=,.@-]{1,64}$`)
	iamPathSegment      = regexp.MustCompile(`^[\w+=,.@-]+$`)
)

// PrincipalARN checks an IAM principal ARN usable in a resource policy: an
// account root, a role or a user, in the given partition. It returns the
// account id the principal belongs to.
func PrincipalARN(arn, partition string) (string, error) {
	m := iamPrincipalPattern.FindStringSubmatch(arn)
	if m == nil || !validIAMPath(arn) {
		return "", violation(arn, "must be an IAM principal ARN of the form arn:%s:iam::<12-digit account>:root, :role/<name> or :user/<name>", orDefault(partition, "<partition>"))
	}
	if partition != "" && m[1] != partition {
		return "", violation(arn, "must be in partition %q, the partition of the home region", partition)
	}
	if err := iamPathLength(arn); err != nil {
		return "", err
	}
	return m[2], nil
}

// RoleARN checks an IAM role ARN in the given partition and returns its
// account id.
func RoleARN(arn, partition string) (string, error) {
	m := iamRolePattern.FindStringSubmatch(arn)
	if m == nil || !validIAMPath(arn) {
		return "", violation(arn, "must be an IAM role ARN of the form arn:%s:iam::<12-digit account>:role/<name>", orDefault(partition, "<partition>"))
	}
	if partition != "" && m[1] != partition {
		return "", violation(arn, "must be in partition %q, the partition of the home region", partition)
	}
	if err := iamPathLength(arn); err != nil {
		return "", err
	}
	return m[2], nil
}

// RoleOrUserARN checks the ARN of one IAM role or user (not an account, not
// its root) in the given partition and returns its account id: what a grant
// names when it is for one identity only (a log verifier), since a grant to
// an account reaches every principal its IAM policies allow.
func RoleOrUserARN(arn, partition string) (string, error) {
	if m := iamPrincipalPattern.FindStringSubmatch(arn); m == nil || m[3] == "root" || !validIAMPath(arn) {
		return "", violation(arn, "must be an IAM role or user ARN of the form arn:%s:iam::<12-digit account>:role/<name> or :user/<name>, not an account id or root: the grant names one identity, and an account would hand it to every principal the account's IAM policies allow", orDefault(partition, "<partition>"))
	}
	return PrincipalARN(arn, partition)
}

// MaxIAMPathLength is the longest IAM path, the slashes included, that IAM
// accepts (docs/aws-rules.md#iam-paths).
const MaxIAMPathLength = 512

// iamPathLength refuses a role or user ARN whose path (from the slash after
// "role" or "user" to the slash before the name) is longer than IAM allows.
func iamPathLength(arn string) error {
	i := strings.Index(arn, ":role/")
	if i < 0 {
		i = strings.Index(arn, ":user/")
	}
	if i < 0 {
		return nil // root
	}
	rest := arn[i+len(":role"):] // "/path/name"
	path := rest[:strings.LastIndex(rest, "/")+1]
	if n := len(path); n > MaxIAMPathLength {
		return violation(arn, "IAM paths must be at most %d characters (this one's is %d)", MaxIAMPathLength, n)
	}
	return nil
}

// validIAMPath rejects wildcards and empty segments in the resource part of
// an IAM ARN, which the coarse patterns above would let through.
func validIAMPath(arn string) bool {
	i := strings.Index(arn, ":role/")
	if i < 0 {
		i = strings.Index(arn, ":user/")
	}
	if i < 0 {
		return true // root
	}
	for _, seg := range strings.Split(arn[i+len(":role/"):], "/") {
		if !iamPathSegment.MatchString(seg) {
			return false
		}
	}
	return true
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// PrincipalOrAccount accepts either a 12-digit account id (meaning that
// account's root, which delegates to the account's own IAM policies) or an
// IAM principal ARN. It returns the principal ARN and its account id.
func PrincipalOrAccount(v, partition string) (principal, account string, err error) {
	if accountIDPattern.MatchString(v) {
		return fmt.Sprintf("arn:%s:iam::%s:root", orDefault(partition, "aws"), v), v, nil
	}
	if iamPrincipalPattern.MatchString(v) && validIAMPath(v) {
		if err := iamPathLength(v); err != nil {
			return "", "", err
		}
	}
	account, err = PrincipalARN(v, partition)
	if err != nil {
		return "", "", violation(v, "must be a 12-digit account id or an IAM principal ARN (arn:%s:iam::<account>:root, :role/<name> or :user/<name>)", orDefault(partition, "<partition>"))
	}
	return v, account, nil
}

// KMS key ranges, in days (docs/aws-rules.md#rotation-is-shared, #deletion-window).
const (
	// MinRotationDays and MaxRotationDays bound rotation_period_in_days.
	MinRotationDays, MaxRotationDays = 90, 2560
	// MinDeletionWindowDays and MaxDeletionWindowDays bound
	// deletion_window_in_days.
	MinDeletionWindowDays, MaxDeletionWindowDays = 7, 30
)

var tagChars = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

// Tag checks one resource tag (AWS tagging rules: keys 1 to 128 and values
// 0 to 256 Unicode characters of letters, digits, spaces and _ . : / = + - @;
// the "aws:" key prefix is reserved).
func Tag(key, value string) error {
	switch n := len([]rune(key)); {
	case n < 1 || n > 128:
		return violation(key, "tag keys must be 1 to 128 characters long (this one is %d)", n)
	case strings.HasPrefix(strings.ToLower(key), "aws:"):
		return violation(key, `tag keys must not start with the reserved prefix "aws:"`)
	case !tagChars.MatchString(key):
		return violation(key, "tag keys may contain only letters, digits, spaces and _ . : / = + - @")
	}
	if n := len([]rune(value)); n > 256 {
		return violation(value, "tag values must be at most 256 characters long (this one is %d)", n)
	}
	if !tagChars.MatchString(value) {
		return violation(value, "tag values may contain only letters, digits, spaces and _ . : / = + - @")
	}
	return nil
}

// PartitionName checks a partition name: "aws", "aws-cn" or "aws-us-gov".
func PartitionName(p string) error {
	switch p {
	case "aws", "aws-cn", "aws-us-gov":
		return nil
	}
	return violation(p, `must be "aws", "aws-cn" or "aws-us-gov"`)
}

var roleNamePattern = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)

// RoleName checks an IAM role name (1 to 64 letters, digits and +=,.@_-).
func RoleName(name string) error {
	if !roleNamePattern.MatchString(name) {
		return violation(name, "IAM role names must be 1 to 64 letters, digits and +=,.@_-")
	}
	return nil
}

// Versions of the tools the synthesized stacks declare they need.
const (
	// MinTerraformVersion is the oldest Terraform the stacks accept: the S3
	// backend's use_lockfile, our default state locking, arrived in 1.10
	// (https://developer.hashicorp.com/terraform/language/backend/s3).
	MinTerraformVersion = "1.10.0"
	// MinAWSProviderVersion is the oldest AWS provider the stacks accept
	// (every stack that holds one of the constructs:
	// constructs.ProviderConstraint), whatever older version the Go bindings
	// were generated from: from 5.85 the provider reads
	// aws_cloudtrail.sns_topic_name back as the topic's name, which is what
	// we pass; before, reading it back could differ and show a change at
	// every plan (hashicorp/terraform-provider-aws#41263, #41279).
	MinAWSProviderVersion = "5.85.0"
)
