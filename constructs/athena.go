package constructs

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/athenanamedquery"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/athenaworkgroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/gluecatalogdatabase"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/gluecatalogtable"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrole"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kmskey"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucket"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketlifecycleconfiguration"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketlogging"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/s3bucketserversideencryptionconfiguration"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// AthenaQueryProps configures NewAthenaQuery.
type AthenaQueryProps struct {
	// Bucket holds the trail's log files: a TrailBucket, or a bucket made
	// elsewhere (TrailBucketFromName). The table, the role and the named
	// queries follow its name, key prefix, organization and trail. Required.
	Bucket ITrailBucket
	// Key encrypts the log files; the role may decrypt with its copy in the
	// bucket's region, through S3 only: a MultiRegionKey, or a key made
	// elsewhere (KeyFromArns). Required.
	Key IKey
	// Account is the bucket's (log-archive) account, which holds everything
	// created here. Required.
	Account string
	// Accounts are the account partition's values. Required.
	Accounts []string
	// Regions are the region partition's values. Default: every region of
	// the bucket's partition that rules.Regions lists.
	Regions []string
	// ProjectionStart is the first day of the date partition, yyyy/MM/dd.
	// Default: rules.DefaultAthenaProjectionStart ("2024/01/01").
	ProjectionStart string
	// Database, Table and Workgroup name the Glue database and table and the
	// Athena workgroup. Default: rules.DefaultAthenaDatabase
	// ("cloudtrail_mrk"), rules.DefaultAthenaTable ("cloudtrail_logs") and
	// rules.DefaultAthenaWorkgroup ("cloudtrail-mrk").
	Database, Table, Workgroup string
	// ResultsBucketName receives query results. Default:
	// rules.DefaultAthenaResultsBucketName of Bucket's name
	// ("<bucket name>-athena-results"); required when that would be longer
	// than 63 characters.
	ResultsBucketName string
	// ResultsExpirationDays expires results. Default:
	// rules.DefaultAthenaResultsDays (30).
	ResultsExpirationDays int
	// BytesScannedCutoff cancels a query scanning more bytes. Default:
	// rules.DefaultAthenaBytesScannedLimit (100 GiB).
	BytesScannedCutoff int64
	// QueryRoleName is the role Readers may assume. Default:
	// rules.DefaultAthenaQueryRoleName ("cloudtrail-mrk-athena-query").
	QueryRoleName string
	// QueryRoleArn is an existing query role named QueryRoleName in
	// Account, trusted as policy.QueryRoleTrust and with a policy no wider
	// than policy.QueryRolePolicy (the app's bootstrap makes it, with the
	// keys named by their tag, so that the deploying role needs no IAM
	// write action: docs/bootstrap.md). When set, no role and no role
	// policy are created. Default: "" (both are created).
	QueryRoleArn string
	// ResultsKeyTags tag the results key (the bootstrap's key tag, which
	// the existing query role's policy and the deploying role's key
	// statements match). Default: none.
	ResultsKeyTags map[string]string
	// ResultsKeyManager is the role that deploys this stack, named in the
	// results key's policy to manage it (policy.WithKeyManager), when its
	// IAM policies grant nothing on the account's keys (the app's
	// bootstrap: docs/bootstrap.md#keys-by-key-policy). It must exist
	// before the key. Default: "" (the key policy names no role).
	ResultsKeyManager string
	// Readers are account ids or IAM principal ARNs. Required.
	Readers []string
	// AccessLogs receives the results bucket's access logs; it must accept
	// ResultsBucketName as a source. Default: none.
	AccessLogs *AccessLogBucket
	// LogBuckets are the log buckets the "changes" named query watches.
	// Default: Bucket alone.
	LogBuckets []string
	// AllowDestroy drops prevent_destroy from the results key. Default: false.
	AllowDestroy bool
	// Naming labels the results key policy's Id and the descriptions of
	// the results key, the database, the workgroup and the query role
	// (Naming.Label).
	// Default: Naming{} (no label, DefaultAlarmNamespacePrefix).
	Naming Naming
}

// AthenaQuery is the query side of the trail: table, workgroup, results
// bucket and key, named queries and query role. It is a construct; they are
// its children.
type AthenaQuery struct {
	constructs.Construct
	table      policy.AthenaTableProps
	role       policy.QueryRoleProps
	queries    []policy.NamedQuery
	workgroup  athenaworkgroup.AthenaWorkgroup
	results    s3bucket.S3Bucket
	resultsKey kmskey.KmsKey
	queryRole  *string
}

// withDefaults returns a copy of p with its defaults resolved: the caller's
// props, slices included, are never written to.
func (p AthenaQueryProps) withDefaults() AthenaQueryProps {
	if p.ProjectionStart == "" {
		p.ProjectionStart = rules.DefaultAthenaProjectionStart
	}
	if p.Database == "" {
		p.Database = rules.DefaultAthenaDatabase
	}
	if p.Table == "" {
		p.Table = rules.DefaultAthenaTable
	}
	if p.Workgroup == "" {
		p.Workgroup = rules.DefaultAthenaWorkgroup
	}
	if p.ResultsExpirationDays == 0 {
		p.ResultsExpirationDays = rules.DefaultAthenaResultsDays
	}
	if p.BytesScannedCutoff == 0 {
		p.BytesScannedCutoff = rules.DefaultAthenaBytesScannedLimit
	}
	if p.QueryRoleName == "" {
		p.QueryRoleName = rules.DefaultAthenaQueryRoleName
	}
	p.Accounts = slices.Clone(p.Accounts)
	p.Regions = slices.Clone(p.Regions)
	p.Readers = slices.Clone(p.Readers)
	p.LogBuckets = slices.Clone(p.LogBuckets)
	if !isNil(p.Bucket) {
		if p.ResultsBucketName == "" {
			p.ResultsBucketName = rules.DefaultAthenaResultsBucketName(p.Bucket.BucketName())
		}
		if len(p.Regions) == 0 {
			p.Regions = regionsOf(p.Bucket.Trail().Partition)
		}
		if len(p.LogBuckets) == 0 {
			p.LogBuckets = []string{p.Bucket.BucketName()}
		}
	}
	return p
}

// validate checks props whose defaults are resolved (withDefaults).
func (p *AthenaQueryProps) validate() error {
	var l rules.List
	p.Naming.validate(&l, "AthenaQueryProps.Naming", "")
	if isNil(p.Bucket) {
		p.Bucket = nil
		l.Addf("AthenaQueryProps.Bucket", "nil", "is required")
	} else if p.Bucket.Trail() == (policy.Trail{}) {
		// The table's partitions and the queries follow the trail's paths.
		l.Addf("AthenaQueryProps.Bucket", p.Bucket.BucketName(), "has no trail yet: call NewTrail with the bucket first")
		p.Bucket = nil
	}
	if isNil(p.Key) {
		l.Addf("AthenaQueryProps.Key", "nil", "is required")
	}
	l.Add("AthenaQueryProps.Account", rules.AccountID(p.Account))
	switch {
	case p.ResultsBucketName == "" && p.Bucket != nil:
		l.Addf("AthenaQueryProps.ResultsBucketName", "", "is required when the default, %s%s, would be longer than 63 characters",
			p.Bucket.BucketName(), rules.DefaultAthenaResultsSuffix)
	case p.ResultsBucketName != "":
		l.Add("AthenaQueryProps.ResultsBucketName", rules.BucketName(p.ResultsBucketName))
	}
	l.Add("AthenaQueryProps.ResultsExpirationDays", rules.Range(p.ResultsExpirationDays, 1, rules.MaxRetentionDays, "days"))
	l.Add("AthenaQueryProps.QueryRoleName", rules.RoleName(p.QueryRoleName))
	if p.ResultsKeyManager != "" && !isNil(p.Bucket) {
		if _, err := rules.RoleARN(p.ResultsKeyManager, p.Bucket.Trail().Partition); err != nil {
			l.Add("AthenaQueryProps.ResultsKeyManager", err)
		}
	}
	if p.QueryRoleArn != "" && !isNil(p.Bucket) && p.QueryRoleArn != fmt.Sprintf("arn:%s:iam::%s:role/%s", p.Bucket.Trail().Partition, p.Account, p.QueryRoleName) {
		l.Addf("AthenaQueryProps.QueryRoleArn", p.QueryRoleArn, "must be the role QueryRoleName names in Account (arn:<partition>:iam::%s:role/%s)", p.Account, p.QueryRoleName)
	}
	if p.BytesScannedCutoff < 10*1024*1024 {
		l.Addf("AthenaQueryProps.BytesScannedCutoff", p.BytesScannedCutoff, "must be at least 10485760 (Athena's minimum)")
	}
	if p.AccessLogs != nil && !p.AccessLogs.accepts(p.ResultsBucketName) {
		l.Addf("AthenaQueryProps.AccessLogs", p.AccessLogs.BucketName(), "does not accept access logs from %s (add it to its SourceBuckets)", p.ResultsBucketName)
	}
	return l.Err()
}

// NewAthenaQuery creates, in the bucket's account and region: a Glue database
// and a table over the trail's log files with partition projection, a
// dedicated single-region key and a lifecycle-limited results bucket
// encrypted with it, a workgroup that enforces its configuration (results
// there, SSE-KMS, bucket owner, a per-query scan limit), the named queries,
// and a role the readers may assume that can query and nothing more.
func NewAthenaQuery(scope constructs.Construct, id string, props AthenaQueryProps) (*AthenaQuery, error) {
	if err := checkScope(scope, id, "NewAthenaQuery"); err != nil {
		return nil, err
	}
	props = props.withDefaults()
	if err := props.validate(); err != nil {
		return nil, err
	}
	trail := props.Bucket.Trail()
	region := props.Bucket.Region()
	table := policy.AthenaTableProps{
		Bucket: props.Bucket.BucketName(), KeyPrefix: props.Bucket.KeyPrefix(), OrganizationID: props.Bucket.OrganizationID(),
		Accounts: props.Accounts, Regions: props.Regions, ProjectionStart: props.ProjectionStart,
	}
	params, err := table.Parameters()
	if err != nil {
		return nil, rules.Rename(err, "AthenaTableProps.", "AthenaQueryProps.")
	}
	trailKeyArn, err := props.Key.KeyArnIn(region)
	if err != nil {
		return nil, rules.At("AthenaQueryProps.Key", err)
	}
	resultsKeyJSON, err := props.Naming.document(policy.WithKeyManager(policy.ResultsKeyPolicy(trail.Partition, props.Account), props.ResultsKeyManager, props.AllowDestroy)).JSON()
	if err != nil {
		return nil, err
	}
	bucketJSON, err := policy.ResultsBucketPolicy(trail.Partition, props.ResultsBucketName).JSON()
	if err != nil {
		return nil, err
	}
	roleProps := policy.QueryRoleProps{
		Partition: trail.Partition, Region: region, Account: props.Account, Readers: props.Readers,
		Workgroup: props.Workgroup, Database: props.Database, Table: props.Table,
		LogBucket: props.Bucket.BucketName(), KeyPrefix: props.Bucket.KeyPrefix(), ResultsBucket: props.ResultsBucketName,
		TrailKeyArn: *trailKeyArn, Trail: trail,
	}
	trust, err := policy.QueryRoleTrust(roleProps)
	if err != nil {
		return nil, rules.Rename(err, "QueryRoleProps.", "AthenaQueryProps.")
	}
	trustJSON, err := trust.JSON()
	if err != nil {
		return nil, err
	}
	// The role policy's statements do not depend on the results key's ARN,
	// which exists only once the key is created: checked here, before it.
	if _, err := policy.QueryRolePolicy(roleProps).JSON(); err != nil {
		return nil, err
	}
	q := &AthenaQuery{table: table}
	requireProviderConstraint(scope)
	constructs.NewConstruct_Override(q, scope, jsii.String(id))

	resultsKey := kmskey.NewKmsKey(q, jsii.String("ResultsKey"), &kmskey.KmsKeyConfig{
		Description:           jsii.String(props.Naming.describe(fmt.Sprintf("Athena results of CloudTrail %s", trail.Name))),
		KeyUsage:              jsii.String("ENCRYPT_DECRYPT"),
		CustomerMasterKeySpec: jsii.String("SYMMETRIC_DEFAULT"),
		EnableKeyRotation:     jsii.Bool(true),
		DeletionWindowInDays:  jsii.Number(DefaultDeletionWindowDays),
		Policy:                jsii.String(resultsKeyJSON),
		Lifecycle:             protect(props.AllowDestroy),
		Tags:                  keyTags(props.ResultsKeyTags),
	})

	results := s3bucket.NewS3Bucket(q, jsii.String("ResultsBucket"), &s3bucket.S3BucketConfig{
		Bucket:       jsii.String(props.ResultsBucketName),
		ForceDestroy: jsii.Bool(false),
	})
	common := newBucketCommon(q, nil, results.Id(), bucketJSON)
	s3bucketserversideencryptionconfiguration.NewS3BucketServerSideEncryptionConfigurationA(q, jsii.String("ResultsEncryption"), &s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationAConfig{
		Bucket: results.Id(),
		Rule: &[]*s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationRuleA{{
			ApplyServerSideEncryptionByDefault: &s3bucketserversideencryptionconfiguration.S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA{
				SseAlgorithm:   jsii.String("aws:kms"),
				KmsMasterKeyId: resultsKey.Arn(),
			},
			BucketKeyEnabled: jsii.Bool(true),
		}},
	})
	s3bucketlifecycleconfiguration.NewS3BucketLifecycleConfiguration(q, jsii.String("ResultsLifecycle"), &s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationConfig{
		Bucket: results.Id(),
		Rule: &[]*s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRule{{
			Id:         jsii.String("query-results"),
			Status:     jsii.String("Enabled"),
			Filter:     &s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleFilter{Prefix: jsii.String("")},
			Expiration: &s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleExpiration{Days: jsii.Number(float64(props.ResultsExpirationDays))},
			NoncurrentVersionExpiration: &s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration{
				NoncurrentDays: jsii.Number(1),
			},
			AbortIncompleteMultipartUpload: &s3bucketlifecycleconfiguration.S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload{
				DaysAfterInitiation: jsii.Number(1),
			},
		}},
		DependsOn: &[]cdktf.ITerraformDependable{common.versioning},
	})
	if a := props.AccessLogs; a != nil {
		s3bucketlogging.NewS3BucketLoggingA(q, jsii.String("ResultsAccessLogging"), &s3bucketlogging.S3BucketLoggingAConfig{
			Bucket:       results.Id(),
			TargetBucket: a.bucket.Id(),
			TargetPrefix: jsii.String(policy.AccessLogTargetPrefix(props.ResultsBucketName)),
			DependsOn:    &[]cdktf.ITerraformDependable{a.bucketPolicy},
		})
	}

	db := gluecatalogdatabase.NewGlueCatalogDatabase(q, jsii.String("Database"), &gluecatalogdatabase.GlueCatalogDatabaseConfig{
		Name:        jsii.String(props.Database),
		Description: jsii.String(props.Naming.describe(fmt.Sprintf("CloudTrail %s", trail.Name))),
	})
	serde, input, output := policy.AthenaCloudTrailFormats()
	var columns []*gluecatalogtable.GlueCatalogTableStorageDescriptorColumns
	for _, c := range policy.AthenaCloudTrailColumns() {
		columns = append(columns, &gluecatalogtable.GlueCatalogTableStorageDescriptorColumns{Name: jsii.String(c.Name), Type: jsii.String(c.Type)})
	}
	var partitions []*gluecatalogtable.GlueCatalogTablePartitionKeys
	for _, k := range policy.AthenaPartitionKeys() {
		partitions = append(partitions, &gluecatalogtable.GlueCatalogTablePartitionKeys{Name: jsii.String(k), Type: jsii.String("string")})
	}
	tableParams := map[string]*string{}
	for k, v := range params {
		// "${account}" is Athena's placeholder, not a Terraform
		// interpolation: Terraform reads "$${" as a literal "${".
		tableParams[k] = jsii.String(strings.ReplaceAll(v, "${", "$${"))
	}
	gluecatalogtable.NewGlueCatalogTable(q, jsii.String("Table"), &gluecatalogtable.GlueCatalogTableConfig{
		DatabaseName:  db.Name(),
		Name:          jsii.String(props.Table),
		Description:   jsii.String(fmt.Sprintf("Log files of CloudTrail %s; digest files and Insights events are not in it", trail.Name)),
		TableType:     jsii.String("EXTERNAL_TABLE"),
		Parameters:    &tableParams,
		PartitionKeys: &partitions,
		StorageDescriptor: &gluecatalogtable.GlueCatalogTableStorageDescriptor{
			Location:     jsii.String(table.Location()),
			InputFormat:  jsii.String(input),
			OutputFormat: jsii.String(output),
			SerDeInfo:    &gluecatalogtable.GlueCatalogTableStorageDescriptorSerDeInfo{SerializationLibrary: jsii.String(serde)},
			Columns:      &columns,
		},
	})

	q.workgroup = athenaworkgroup.NewAthenaWorkgroup(q, jsii.String("Workgroup"), &athenaworkgroup.AthenaWorkgroupConfig{
		Name:         jsii.String(props.Workgroup),
		Description:  jsii.String(props.Naming.describe(fmt.Sprintf("Queries over CloudTrail %s", trail.Name))),
		State:        jsii.String("ENABLED"),
		ForceDestroy: jsii.Bool(false),
		Configuration: &athenaworkgroup.AthenaWorkgroupConfiguration{
			// Clients cannot override the output location or its encryption.
			EnforceWorkgroupConfiguration:   jsii.Bool(true),
			PublishCloudwatchMetricsEnabled: jsii.Bool(true),
			BytesScannedCutoffPerQuery:      jsii.Number(float64(props.BytesScannedCutoff)),
			ResultConfiguration: &athenaworkgroup.AthenaWorkgroupConfigurationResultConfiguration{
				OutputLocation:      jsii.String("s3://" + props.ResultsBucketName + "/"),
				ExpectedBucketOwner: jsii.String(props.Account),
				EncryptionConfiguration: &athenaworkgroup.AthenaWorkgroupConfigurationResultConfigurationEncryptionConfiguration{
					EncryptionOption: jsii.String("SSE_KMS"),
					KmsKeyArn:        resultsKey.Arn(),
				},
			},
		},
	})

	q.queries = policy.NamedQueries(policy.NamedQueriesProps{
		Database: props.Database, Table: props.Table, TrailName: trail.Name,
		KeyID: keyIDIn(props.Key, region), Buckets: props.LogBuckets,
	})
	for _, nq := range q.queries {
		athenanamedquery.NewAthenaNamedQuery(q, jsii.String("Query-"+nq.Name), &athenanamedquery.AthenaNamedQueryConfig{
			Name:        jsii.String(nq.Name),
			Description: jsii.String(nq.Description),
			Database:    db.Name(),
			Workgroup:   q.workgroup.Name(),
			Query:       jsii.String(nq.SQL),
		})
	}

	roleProps.ResultsKeyArn = *resultsKey.Arn()
	q.role = roleProps
	permsJSON, _ := policy.QueryRolePolicy(q.role).JSON() // checked above
	q.results, q.resultsKey = results, resultsKey
	if props.QueryRoleArn != "" {
		q.queryRole = jsii.String(props.QueryRoleArn)
		return q, nil
	}
	role := iamrole.NewIamRole(q, jsii.String("QueryRole"), &iamrole.IamRoleConfig{
		Name:             jsii.String(props.QueryRoleName),
		Description:      jsii.String(props.Naming.describe(fmt.Sprintf("Query CloudTrail %s with Athena", trail.Name))),
		AssumeRolePolicy: jsii.String(trustJSON),
	})
	iamrolepolicy.NewIamRolePolicy(q, jsii.String("QueryRolePolicy"), &iamrolepolicy.IamRolePolicyConfig{
		Name:   jsii.String("query-the-trail"),
		Role:   role.Id(),
		Policy: jsii.String(permsJSON),
	})
	q.queryRole = role.Arn()
	return q, nil
}

// regionsOf lists the regions of partition that rules.Regions knows.
func regionsOf(partition string) []string {
	var out []string
	for _, r := range rules.Regions() {
		if rules.Partition(r) == partition {
			out = append(out, r)
		}
	}
	return out
}

// Table describes the Glue table's location and projection.
func (q *AthenaQuery) Table() policy.AthenaTableProps { return q.table }

// NamedQueries are the saved queries, in creation order.
func (q *AthenaQuery) NamedQueries() []policy.NamedQuery { return q.queries }

// WorkgroupARN is the workgroup's ARN as the query role's policy names it.
func (q *AthenaQuery) WorkgroupARN() string { return q.role.WorkgroupARN() }

// WorkgroupName is the Athena workgroup's name.
func (q *AthenaQuery) WorkgroupName() string { return q.role.Workgroup }

// ResultsBucketName is the query results bucket's name.
func (q *AthenaQuery) ResultsBucketName() string { return q.role.ResultsBucket }

// ResultsBucketArn is the results bucket's ARN as a Terraform reference.
func (q *AthenaQuery) ResultsBucketArn() *string { return q.results.Arn() }

// ResultsKeyArn is the ARN of the key that encrypts the query results.
func (q *AthenaQuery) ResultsKeyArn() *string { return q.resultsKey.Arn() }

// QueryRoleArn is the ARN of the role the readers assume to query.
func (q *AthenaQuery) QueryRoleArn() *string { return q.queryRole }

// keyIDIn is the key id of k's copy in region (the copies of a multi-region
// key share it): a Terraform reference for a key this app creates.
func keyIDIn(k IKey, region string) string {
	if m, ok := k.(*MultiRegionKey); ok {
		return *m.primary.KeyId()
	}
	arn, err := k.KeyArnIn(region)
	if err != nil {
		return ""
	}
	_, id, _ := strings.Cut(*arn, ":key/")
	return id
}
