package policy

import (
	"fmt"
	"sort"
	"strings"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// Statement ids of the Athena query role and results bucket policies.
const (
	SidQueryAssume         = "AllowLogReadersAssume"
	SidQueryWorkgroup      = "RunQueriesInTheWorkgroup"
	SidQueryCatalog        = "ReadTheTrailTable"
	SidQueryLogList        = "ListTheLogFiles"
	SidQueryLogRead        = "ReadTheLogFiles"
	SidQueryResultsBucket  = "UseTheResultsBucket"
	SidQueryResultsObjects = "ReadAndWriteResults"
	SidQueryTrailKey       = "DecryptLogFilesThroughS3"
	// SidQueryTrailKeyBucketContext: the same with S3's encryption context.
	SidQueryTrailKeyBucketContext = "DecryptLogFilesThroughS3BucketKey"
	SidQueryResultsKey            = "EncryptAndDecryptResultsThroughS3"
	SidResultsDenyInsecure        = "DenyInsecureTransport"
	athenaProjectionPrefix        = "projection."
	athenaCloudTrailSerDe         = "org.apache.hive.hcatalog.data.JsonSerDe"
	athenaCloudTrailInput         = "com.amazon.emr.cloudtrail.CloudTrailInputFormat"
	athenaCloudTrailOutput        = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
	athenaDateFormat              = "yyyy/MM/dd"
	athenaPartitionAccount        = "account"
	athenaPartitionRegion         = "region"
	athenaPartitionDate           = "date"
	athenaDatePlaceholder         = "${" + athenaPartitionDate + "}"
	athenaAccountPlacehoder       = "${" + athenaPartitionAccount + "}"
	athenaRegionPlaceholder       = "${" + athenaPartitionRegion + "}"
)

// QueryWorkgroupActions are what a reader needs in the workgroup to run
// queries, named queries included, and read their results; nothing that
// changes the workgroup.
var QueryWorkgroupActions = Values{
	"athena:BatchGetNamedQuery", "athena:BatchGetQueryExecution", "athena:GetNamedQuery",
	"athena:GetQueryExecution", "athena:GetQueryResults", "athena:GetQueryResultsStream",
	"athena:GetWorkGroup", "athena:ListNamedQueries", "athena:ListQueryExecutions",
	"athena:StartQueryExecution", "athena:StopQueryExecution",
}

// QueryCatalogActions read the table's definition from the Glue Data Catalog.
var QueryCatalogActions = Values{
	"glue:BatchGetPartition", "glue:GetDatabase", "glue:GetPartition", "glue:GetPartitions", "glue:GetTable",
}

// AthenaTableProps describes the trail's log files for the Glue table.
type AthenaTableProps struct {
	// Bucket holds the log files. Required.
	Bucket string
	// KeyPrefix is the trail's s3_key_prefix. Default: none.
	KeyPrefix string
	// OrganizationID puts the accounts under AWSLogs/<org-id>/ (an
	// organization trail). Default: none (an account trail).
	OrganizationID string
	// Accounts are the account partition's values. Required.
	Accounts []string
	// Regions are the region partition's values. Required.
	Regions []string
	// ProjectionStart is the date partition's first day, yyyy/MM/dd. Required.
	ProjectionStart string
}

// AthenaPartitionKeys are the table's partition columns, all strings.
func AthenaPartitionKeys() []string {
	return []string{athenaPartitionAccount, athenaPartitionRegion, athenaPartitionDate}
}

// logFilesRoot is <prefix/>AWSLogs/[<org-id>/]: where the account folders are.
func (p AthenaTableProps) logFilesRoot() string {
	root := LogPathPrefix(p.KeyPrefix)
	if p.OrganizationID != "" {
		root += p.OrganizationID + "/"
	}
	return root
}

// Location is the table's LOCATION: the folder above the account folders.
func (p AthenaTableProps) Location() string {
	return "s3://" + p.Bucket + "/" + p.logFilesRoot()
}

// LocationTemplate is storage.location.template: the log-file folder of one
// account, region and day. CloudTrail user guide, "Finding your CloudTrail log
// files": <bucket>/<prefix>/AWSLogs/<O-ID>/<account>/CloudTrail/<region>/<YYYY>/<MM>/<DD>/
// for an organization trail, without <O-ID>/ for an account trail. Digest
// files (CloudTrail-Digest/) and Insights events (CloudTrail-Insight/) lie
// outside it.
func (p AthenaTableProps) LocationTemplate() string {
	return p.Location() + athenaAccountPlacehoder + "/CloudTrail/" + athenaRegionPlaceholder + "/" + athenaDatePlaceholder
}

// Resolve is the S3 folder LocationTemplate names for one partition, the way
// Athena substitutes it (Athena user guide, "Use partition projection").
func (p AthenaTableProps) Resolve(account, region, day string) string {
	return strings.NewReplacer(athenaAccountPlacehoder, account, athenaRegionPlaceholder, region, athenaDatePlaceholder, day).Replace(p.LocationTemplate())
}

// Parameters are the table's parameters: partition projection over the
// accounts (enum), the regions (enum) and the days (date) (Athena user guide,
// "Create the table for CloudTrail logs in Athena using partition
// projection", https://docs.aws.amazon.com/athena/latest/ug/create-cloudtrail-table-partition-projection.html).
func (p AthenaTableProps) Parameters() (map[string]string, error) {
	var l rules.List
	l.Add("AthenaTableProps.Bucket", rules.BucketName(p.Bucket))
	l.Add("AthenaTableProps.KeyPrefix", rules.KeyPrefix(p.KeyPrefix))
	if len(p.Accounts) == 0 {
		l.Addf("AthenaTableProps.Accounts", "[]", "is required")
	}
	for i, a := range p.Accounts {
		l.Add(fmt.Sprintf("AthenaTableProps.Accounts[%d]", i), rules.AccountID(a))
	}
	if len(p.Regions) == 0 {
		l.Addf("AthenaTableProps.Regions", "[]", "is required")
	}
	if p.ProjectionStart == "" {
		l.Addf("AthenaTableProps.ProjectionStart", "", "is required")
	}
	if err := l.Err(); err != nil {
		return nil, err
	}
	accounts := append([]string(nil), p.Accounts...)
	sort.Strings(accounts)
	regions := append([]string(nil), p.Regions...)
	sort.Strings(regions)
	pp := athenaProjectionPrefix
	return map[string]string{
		"EXTERNAL":                                  "TRUE",
		"classification":                            "cloudtrail",
		pp + "enabled":                              "true",
		pp + athenaPartitionAccount + ".type":       "enum",
		pp + athenaPartitionAccount + ".values":     strings.Join(accounts, ","),
		pp + athenaPartitionRegion + ".type":        "enum",
		pp + athenaPartitionRegion + ".values":      strings.Join(regions, ","),
		pp + athenaPartitionDate + ".type":          "date",
		pp + athenaPartitionDate + ".format":        athenaDateFormat,
		pp + athenaPartitionDate + ".range":         p.ProjectionStart + ",NOW",
		pp + athenaPartitionDate + ".interval":      "1",
		pp + athenaPartitionDate + ".interval.unit": "DAYS",
		"storage.location.template":                 p.LocationTemplate(),
	}, nil
}

// AthenaColumn is one column of the CloudTrail table.
type AthenaColumn struct{ Name, Type string }

// AthenaCloudTrailColumns are the record fields of the CloudTrail table in the
// Athena user guide ("Create the table for CloudTrail logs in Athena using
// partition projection"), types included (docs/aws-rules.md#cloudtrail-table);
// nested JSON stays a string where the schema varies by service
// (requestparameters, responseelements, additionaleventdata).
func AthenaCloudTrailColumns() []AthenaColumn {
	return []AthenaColumn{
		{"eventversion", "string"},
		{"useridentity", "struct<type:string,principalid:string,arn:string,accountid:string,invokedby:string,accesskeyid:string,username:string,onbehalfof:struct<userid:string,identitystorearn:string>,sessioncontext:struct<attributes:struct<mfaauthenticated:string,creationdate:string>,sessionissuer:struct<type:string,principalid:string,arn:string,accountid:string,username:string>,sourceidentity:string,ec2roledelivery:string,webidfederationdata:struct<federatedprovider:string,attributes:map<string,string>>>>"},
		{"eventtime", "string"},
		{"eventsource", "string"},
		{"eventname", "string"},
		{"awsregion", "string"},
		{"sourceipaddress", "string"},
		{"useragent", "string"},
		{"errorcode", "string"},
		{"errormessage", "string"},
		{"requestparameters", "string"},
		{"responseelements", "string"},
		{"additionaleventdata", "string"},
		{"requestid", "string"},
		{"eventid", "string"},
		{"resources", "array<struct<arn:string,accountid:string,type:string>>"},
		{"eventtype", "string"},
		{"apiversion", "string"},
		{"readonly", "string"},
		{"recipientaccountid", "string"},
		{"serviceeventdetails", "string"},
		{"sharedeventid", "string"},
		{"vpcendpointid", "string"},
		{"vpcendpointaccountid", "string"},
		{"eventcategory", "string"},
		{"addendum", "struct<reason:string,updatedfields:string,originalrequestid:string,originaleventid:string>"},
		{"sessioncredentialfromconsole", "string"},
		{"edgedevicedetails", "string"},
		{"tlsdetails", "struct<tlsversion:string,ciphersuite:string,clientprovidedhostheader:string>"},
	}
}

// AthenaCloudTrailFormats are the table's SerDe, input and output formats
// (same Athena user guide page).
func AthenaCloudTrailFormats() (serde, input, output string) {
	return athenaCloudTrailSerDe, athenaCloudTrailInput, athenaCloudTrailOutput
}

// NamedQuery is an Athena saved query.
type NamedQuery struct{ Name, Description, SQL string }

// NamedQueriesProps names what the named queries look at.
type NamedQueriesProps struct {
	Database, Table string
	// TrailName, KeyID and Buckets are this trail, its key (the id every
	// copy of a multi-region key shares; may be a Terraform reference) and
	// its log buckets.
	TrailName string
	KeyID     string
	Buckets   []string
}

// NamedQueries are the questions a security team asks first, each over the
// last 7 days so that partition projection keeps the scan to those days.
func NamedQueries(p NamedQueriesProps) []NamedQuery {
	from := fmt.Sprintf(`FROM "%s"."%s"`, p.Database, p.Table)
	last7 := `"date" >= date_format(current_date - interval '7' day, '%Y/%m/%d')`
	quoted := make([]string, 0, len(p.Buckets))
	for _, b := range p.Buckets {
		quoted = append(quoted, "'"+b+"'")
	}
	return []NamedQuery{
		{
			Name:        "root-user-activity",
			Description: "Every call made by an account's root user in the last 7 days (CIS 1.7, 4.3)",
			SQL: "SELECT eventtime, account, region, eventsource, eventname, sourceipaddress, useragent, errorcode\n" + from + "\n" +
				"WHERE " + last7 + "\n  AND useridentity.type = 'Root'\n  AND useridentity.invokedby IS NULL\n  AND eventtype <> 'AwsServiceEvent'\nORDER BY eventtime DESC",
		},
		{
			Name:        "console-sign-in-without-mfa",
			Description: "Successful console sign-ins without MFA in the last 7 days (CIS 4.2)",
			SQL: "SELECT eventtime, account, useridentity.type, useridentity.arn, sourceipaddress, useragent\n" + from + "\n" +
				"WHERE " + last7 + "\n  AND eventname = 'ConsoleLogin'\n  AND json_extract_scalar(responseelements, '$.ConsoleLogin') = 'Success'\n" +
				"  AND coalesce(json_extract_scalar(additionaleventdata, '$.MFAUsed'), 'No') <> 'Yes'\n  AND useridentity.type IN ('IAMUser', 'Root')\nORDER BY eventtime DESC",
		},
		{
			Name:        "changes-to-this-trail-key-and-buckets",
			Description: "Write calls on this trail, its key and its log buckets in the last 7 days",
			SQL: "SELECT eventtime, account, region, useridentity.arn, eventsource, eventname, errorcode, requestparameters\n" + from + "\n" +
				"WHERE " + last7 + "\n  AND readonly = 'false'\n  AND (\n" +
				"    (eventsource = 'cloudtrail.amazonaws.com' AND requestparameters LIKE '%" + p.TrailName + "%')\n" +
				"    OR (eventsource = 'kms.amazonaws.com' AND any_match(resources, r -> r.arn LIKE '%key/" + p.KeyID + "'))\n" +
				"    OR (eventsource = 's3.amazonaws.com' AND json_extract_scalar(requestparameters, '$.bucketName') IN (" + strings.Join(quoted, ", ") + "))\n" +
				"  )\nORDER BY eventtime DESC",
		},
		{
			Name:        "access-denied-by-principal",
			Description: "Principals with the most access-denied errors in the last 7 days",
			SQL: "SELECT useridentity.arn AS principal, count(*) AS denied, approx_distinct(eventsource || ':' || eventname) AS distinct_calls, max(eventtime) AS last_seen\n" + from + "\n" +
				"WHERE " + last7 + "\n  AND (errorcode LIKE '%AccessDenied%' OR errorcode LIKE '%UnauthorizedOperation%')\n" +
				"GROUP BY useridentity.arn\nORDER BY denied DESC\nLIMIT 100",
		},
	}
}

// QueryRoleProps configures the query role's policies.
type QueryRoleProps struct {
	Partition, Region, Account string
	// Readers are account ids or IAM principal ARNs that may assume the role.
	Readers []string
	// Workgroup, Database and Table are the Athena and Glue names.
	Workgroup, Database, Table string
	// LogBucket and KeyPrefix locate the log files; ResultsBucket the results.
	LogBucket, KeyPrefix, ResultsBucket string
	// TrailKeyArn is the trail key's copy in Region (the bucket's);
	// ResultsKeyArn the results key. Either may be a Terraform reference.
	TrailKeyArn, ResultsKeyArn string
	// Trail is the trail whose log files the role may decrypt.
	Trail Trail
}

// WorkgroupARN is arn:<p>:athena:<region>:<account>:workgroup/<name>.
func (p QueryRoleProps) WorkgroupARN() string {
	return fmt.Sprintf("arn:%s:athena:%s:%s:workgroup/%s", p.Partition, p.Region, p.Account, p.Workgroup)
}

func (p QueryRoleProps) glue(resource string) string {
	return fmt.Sprintf("arn:%s:glue:%s:%s:%s", p.Partition, p.Region, p.Account, resource)
}

// QueryRoleTrust lets the readers, and nobody else, assume the role. An
// account id trusts that account, whose own IAM policies then decide.
func QueryRoleTrust(p QueryRoleProps) (Document, error) {
	var l rules.List
	readers, _ := checkReaders(&l, "QueryRoleProps.Readers", p.Readers, p.Partition)
	if len(readers) == 0 {
		l.Addf("QueryRoleProps.Readers", "[]", "is required: they are who may assume the query role")
	}
	if err := l.Err(); err != nil {
		return Document{}, err
	}
	return Document{Version: Version, Statement: []Statement{{
		Sid:       SidQueryAssume,
		Effect:    Allow,
		Principal: AWSPrincipals(readers...),
		Action:    Values{"sts:AssumeRole"},
	}}}, nil
}

// QueryRolePolicy allows exactly what querying the trail's table needs (Athena
// user guide, "Identity and access management in Athena": workgroups are
// governed by identity-based policies only): running queries in the one
// workgroup, reading the table's definition, listing and reading the log
// files, reading and writing the results bucket, and decrypting log files
// and results through S3.
func QueryRolePolicy(p QueryRoleProps) Document {
	logs := fmt.Sprintf("arn:%s:s3:::%s", p.Partition, p.LogBucket)
	results := fmt.Sprintf("arn:%s:s3:::%s", p.Partition, p.ResultsBucket)
	via := s3ViaService(p.Partition, p.Region)
	prefix := LogPathPrefix(p.KeyPrefix)
	return Document{Version: Version, Statement: []Statement{
		{Sid: SidQueryWorkgroup, Effect: Allow, Action: QueryWorkgroupActions, Resource: Values{p.WorkgroupARN()}},
		{Sid: SidQueryCatalog, Effect: Allow, Action: QueryCatalogActions, Resource: Values{
			p.glue("catalog"), p.glue("database/" + p.Database), p.glue("table/" + p.Database + "/" + p.Table),
		}},
		{Sid: SidQueryLogList, Effect: Allow, Action: Values{"s3:GetBucketLocation", "s3:ListBucket"}, Resource: Values{logs}},
		{Sid: SidQueryLogRead, Effect: Allow, Action: Values{"s3:GetObject"}, Resource: Values{logs + "/" + prefix + "*"}},
		{Sid: SidQueryResultsBucket, Effect: Allow, Action: Values{"s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"}, Resource: Values{results}},
		{Sid: SidQueryResultsObjects, Effect: Allow, Action: Values{"s3:AbortMultipartUpload", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"}, Resource: Values{results + "/*"}},
		{
			Sid: SidQueryTrailKey, Effect: Allow, Action: Values{"kms:Decrypt"}, Resource: Values{p.TrailKeyArn},
			Condition: Conditions{}.Add("StringEquals", "kms:ViaService", via).Add("StringLike", cloudTrailContextKey, p.Trail.OwnerTrailsPattern()),
		},
		{
			// The same, with S3's own encryption context (the bucket ARN under
			// an S3 Bucket Key): no AWS document says which context a log
			// file written under a Bucket Key carries, so the query role, like
			// the readers' key grant, decrypts with either.
			Sid: SidQueryTrailKeyBucketContext, Effect: Allow, Action: Values{"kms:Decrypt"}, Resource: Values{p.TrailKeyArn},
			Condition: Conditions{}.Add("StringEquals", "kms:ViaService", via).Add("StringLike", s3ContextKey, logs, logs+"/*"),
		},
		{
			Sid: SidQueryResultsKey, Effect: Allow, Action: Values{"kms:Decrypt", "kms:GenerateDataKey"}, Resource: Values{p.ResultsKeyArn},
			Condition: Conditions{}.Add("StringEquals", "kms:ViaService", via),
		},
	}}
}

// ResultsKeyPolicyID is the Id of ResultsKeyPolicy's document (before a
// label: policy.Document.Labeled).
const ResultsKeyPolicyID = "athena-results-key-policy"

// ResultsKeyPolicy is the policy of the results bucket's single-region key:
// the account administers it and grants its use through IAM policies (the
// query role's). Never the trail key: readers may only decrypt with that one.
func ResultsKeyPolicy(partition, account string) Document {
	return Document{Version: Version, ID: ResultsKeyPolicyID, Statement: []Statement{{
		Sid:       SidKeyRootAdministration,
		Effect:    Allow,
		Principal: AWSPrincipals(fmt.Sprintf("arn:%s:iam::%s:root", partition, account)),
		Action:    Values{"kms:*"},
		Resource:  Values{"*"},
	}}}
}

// ResultsBucketPolicy refuses every request to the results bucket that is not
// over TLS.
func ResultsBucketPolicy(partition, bucket string) Document {
	deny := DenyInsecureTransport(fmt.Sprintf("arn:%s:s3:::%s", partition, bucket))
	deny.Sid = SidResultsDenyInsecure
	return Document{Version: Version, Statement: []Statement{deny}}
}
