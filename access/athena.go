package access

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/config"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/policy"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/policyeval"
)

var workgroupRef = regexp.MustCompile(`^\$\{aws_athena_workgroup\.([A-Za-z0-9_-]+)\.name\}$`)

// athena runs when athena.enabled: the configured readers, and nobody else,
// may assume the query role; the role may query the trail's table in its
// workgroup (the named queries included), read the log files, write and read
// results, and decrypt both through S3; nothing more. Athena workgroups have
// no resource policy (Athena user guide, "Identity and access management in
// Athena"): the role's identity policy is what governs them.
func (c *checker) athena() error {
	q := c.cfg.Athena
	if !q.Enabled {
		return nil
	}
	s := *c.archive
	acct := c.cfg.Accounts.LogArchive.ID
	rs, roleName, pname, ok := c.serviceRole(s, q.QueryRoleName)
	if !ok {
		return fmt.Errorf("stack %s has no Athena query role %s", s.Name, q.QueryRoleName)
	}
	trust, err := rs.policyAt("aws_iam_role", roleName, "assume_role_policy", c.resolve(rs))
	if err != nil {
		return err
	}
	c.use(trust, policyeval.Policies{ResourceAccount: acct})
	assume := func(p policyeval.Principal) policyeval.Request {
		return policyeval.Request{Principal: p, Action: "sts:AssumeRole", Resource: "*"}
	}
	for _, r := range c.readers() {
		c.expect(true, "reader "+r.p.ARN+" assuming the query role", assume(r.p), r.allowID...)
	}
	// A reader given as the log-archive account's own id trusts that whole
	// account, whose IAM policies then decide who of it may assume the role.
	readerAccount := slices.Contains(c.cfg.Key.Readers, acct)
	c.expect(false, "CloudTrail assuming the query role", assume(policyeval.Principal{Service: policy.CloudTrailService}))
	c.expect(false, "Athena assuming the query role", assume(policyeval.Principal{Service: "athena.amazonaws.com"}))
	if !readerAccount {
		c.trustNamesItsCallers(acct)
	} else {
		c.expect(false, "another account's role assuming it", policyeval.Request{Principal: c.iamRole(Outsider, "Admin"), Action: "sts:AssumeRole", Resource: "*"}, policyeval.AllowAll)
	}

	if pname == "" {
		return fmt.Errorf("stack %s: the Athena query role has no policy", rs.Name)
	}
	perms, err := rs.policyAt("aws_iam_role_policy", pname, "policy", c.resolve(rs))
	if err != nil {
		return err
	}
	logBucket, err := c.bucketPolicy(s, c.cfg.Bucket.Name)
	if err != nil {
		return err
	}
	results, err := c.bucketPolicy(s, q.ResultsBucketName)
	if err != nil {
		return err
	}
	var trailKey, resultsKey located
	var trailKeyArn, resultsKeyArn string
	for name, k := range s.resources("aws_kms_key") {
		l, err := s.policyAt("aws_kms_key", name, "policy", c.resolve(s))
		if err != nil {
			return err
		}
		switch {
		case k["multi_region"] == true:
			trailKey, trailKeyArn = l, c.keyArn(name, c.cfg.HomeRegion)
		case resultsKeyArn == "" && l.doc.ID == policy.Document{ID: policy.ResultsKeyPolicyID}.Labeled(config.AppLabel).ID:
			resultsKey, resultsKeyArn = l, c.keyArn(name, c.cfg.HomeRegion)
		}
	}
	if trailKeyArn == "" || resultsKeyArn == "" {
		return fmt.Errorf("stack %s: no trail key or no Athena results key", s.Name)
	}
	role := c.iamRole(acct, q.QueryRoleName)
	// Every request is judged with the role's policy and the policy of the
	// bucket or key it touches (same account: either may allow, a deny wins).
	expect := func(want bool, name, action, resource string, on *located, keyPolicy bool, kv ...string) {
		ps := policyeval.Policies{ResourceAccount: acct, Identity: []policy.Document{perms.doc}, KeyPolicy: keyPolicy}
		where := perms.where
		if on != nil {
			ps.Resource = &on.doc
			where += " + " + on.where
		}
		if strings.HasPrefix(action, "kms:") {
			kv = c.keyTag(kv...)
		}
		got, err := policyeval.Evaluate(policyeval.Request{Principal: role, Action: action, Resource: resource, Context: ctx(kv...)}, ps)
		c.results = append(c.results, Result{Policy: where, Name: "query role " + name, Want: want, Got: got, Err: err})
	}
	wgArn := func(name string) string {
		return fmt.Sprintf("arn:%s:athena:%s:%s:workgroup/%s", c.part, c.cfg.HomeRegion, acct, name)
	}
	glue := func(r string) string { return fmt.Sprintf("arn:%s:glue:%s:%s:%s", c.part, c.cfg.HomeRegion, acct, r) }
	wg := wgArn(q.Workgroup)
	table := glue("table/" + q.Database + "/" + q.Table)
	logObject := fmt.Sprintf("arn:%s:s3:::%s/%s%s/CloudTrail/%s/2026/11/29/f.json.gz", c.part, c.cfg.Bucket.Name, policy.LogPathPrefix(c.cfg.Trail.S3KeyPrefix), c.trail.Account, c.cfg.HomeRegion)
	resultObject := fmt.Sprintf("arn:%s:s3:::%s/x.csv", c.part, q.ResultsBucketName)
	via := s3Via(c.part, c.cfg.HomeRegion)
	ctxKey := "kms:EncryptionContext:aws:cloudtrail:arn"

	expect(true, "starting a query in the workgroup", "athena:StartQueryExecution", wg, nil, false)
	expect(true, "reading query results", "athena:GetQueryResults", wg, nil, false)
	expect(false, "starting a query in another workgroup", "athena:StartQueryExecution", wgArn("primary"), nil, false)
	expect(false, "changing the workgroup's configuration", "athena:UpdateWorkGroup", wg, nil, false)
	expect(false, "deleting the workgroup", "athena:DeleteWorkGroup", wg, nil, false)
	expect(false, "creating a named query", "athena:CreateNamedQuery", wg, nil, false)
	expect(false, "deleting a named query", "athena:DeleteNamedQuery", wg, nil, false)
	expect(true, "reading the table's definition", "glue:GetTable", table, nil, false)
	expect(true, "reading the database's definition", "glue:GetDatabase", glue("database/"+q.Database), nil, false)
	expect(false, "changing the table", "glue:UpdateTable", table, nil, false)
	expect(false, "deleting the table", "glue:DeleteTable", table, nil, false)
	expect(false, "reading another database's table", "glue:GetTable", glue("table/other/t"), nil, false)
	expect(true, "reading a log file over TLS", "s3:GetObject", logObject, &logBucket, false, tls...)
	expect(false, "reading a log file without TLS", "s3:GetObject", logObject, &logBucket, false, noTLS...)
	expect(false, "writing into the trail bucket", "s3:PutObject", logObject, &logBucket, false, tls...)
	expect(false, "deleting a log file", "s3:DeleteObject", logObject, &logBucket, false, tls...)
	expect(false, "changing the trail bucket's policy", "s3:PutBucketPolicy", fmt.Sprintf("arn:%s:s3:::%s", c.part, c.cfg.Bucket.Name), &logBucket, false, tls...)
	expect(false, "reading another bucket", "s3:GetObject", "arn:"+c.part+":s3:::someone-elses-bucket/x", nil, false, tls...)
	expect(true, "writing a result", "s3:PutObject", resultObject, &results, false, tls...)
	expect(true, "reading a result", "s3:GetObject", resultObject, &results, false, tls...)
	expect(false, "writing a result without TLS", "s3:PutObject", resultObject, &results, false, noTLS...)
	expect(false, "deleting results", "s3:DeleteObject", resultObject, &results, false, tls...)
	expect(true, "decrypting a log file through S3", "kms:Decrypt", trailKeyArn, &trailKey, true, "kms:ViaService", via, ctxKey, c.trail.ARN())
	// With an S3 Bucket Key, S3's context is the bucket ARN (S3 User Guide,
	// "Reducing the cost of SSE-KMS with Amazon S3 Bucket Keys"); which one a
	// log file carries is not documented, so both must work.
	trailBucketArn := fmt.Sprintf("arn:%s:s3:::%s", c.part, c.cfg.Bucket.Name)
	expect(true, "decrypting a log file through S3 with S3's context (Bucket Key)", "kms:Decrypt", trailKeyArn, &trailKey, true, "kms:ViaService", via, "kms:EncryptionContext:aws:s3:arn", trailBucketArn)
	expect(false, "decrypting another bucket's objects with the trail key", "kms:Decrypt", trailKeyArn, &trailKey, true, "kms:ViaService", via, "kms:EncryptionContext:aws:s3:arn", "arn:"+c.part+":s3:::someone-elses-bucket")
	expect(false, "decrypting with the trail key outside S3", "kms:Decrypt", trailKeyArn, &trailKey, true, ctxKey, c.trail.ARN())
	expect(false, "encrypting with the trail key", "kms:GenerateDataKey", trailKeyArn, &trailKey, true, "kms:ViaService", via, ctxKey, c.trail.ARN())
	expect(false, "scheduling the trail key's deletion", "kms:ScheduleKeyDeletion", trailKeyArn, &trailKey, true)
	resultsBucketArn := fmt.Sprintf("arn:%s:s3:::%s", c.part, q.ResultsBucketName)
	expect(true, "encrypting a result through S3", "kms:GenerateDataKey", resultsKeyArn, &resultsKey, true, "kms:ViaService", via, "kms:EncryptionContext:aws:s3:arn", resultsBucketArn)
	expect(true, "decrypting a result through S3", "kms:Decrypt", resultsKeyArn, &resultsKey, true, "kms:ViaService", via, "kms:EncryptionContext:aws:s3:arn", resultsBucketArn)
	if c.cfg.BootstrapEnabled() {
		// The bootstrap's role names the keys by tag; the trail key carries
		// the same tag, so the results grant requires the results bucket's
		// encryption context.
		expect(false, "generating a data key with the trail key for another bucket", "kms:GenerateDataKey", trailKeyArn, &trailKey, true, "kms:ViaService", via, "kms:EncryptionContext:aws:s3:arn", "arn:"+c.part+":s3:::someone-elses-bucket")
	}
	expect(false, "decrypting with the results key outside S3", "kms:Decrypt", resultsKeyArn, &resultsKey, true)
	expect(false, "changing the results key's policy", "kms:PutKeyPolicy", resultsKeyArn, &resultsKey, true)
	expect(false, "passing a role", "iam:PassRole", "arn:"+c.part+":iam::"+acct+":role/any", nil, false)

	// The named queries: each in this workgroup and database, which the
	// role may read and run; in logical-name order, so that the output is
	// the same from run to run.
	named := s.resources("aws_athena_named_query")
	if len(named) == 0 {
		return fmt.Errorf("stack %s has no named queries", s.Name)
	}
	for _, name := range slices.Sorted(maps.Keys(named)) {
		nq := named[name]
		m := workgroupRef.FindStringSubmatch(fmt.Sprint(nq["workgroup"]))
		if m == nil {
			return fmt.Errorf("stack %s: named query %v is not in a workgroup of the stack", s.Name, nq["name"])
		}
		wgName, _ := s.resources("aws_athena_workgroup")[m[1]]["name"].(string)
		expect(true, fmt.Sprintf("getting named query %v", nq["name"]), "athena:GetNamedQuery", wgArn(wgName), nil, false)
		expect(true, fmt.Sprintf("running named query %v", nq["name"]), "athena:StartQueryExecution", wgArn(wgName), nil, false)
	}
	return nil
}

// athenaProjection reads the synthesized table's partition projection and,
// for every account and region it lists, resolves storage.location.template
// the way Athena does (Athena user guide, "Use partition projection") and
// asks the synthesized trail bucket policy whether CloudTrail may write a log
// file there for this trail: a table that points where the trail cannot
// write would answer every query with nothing.
func (c *checker) athenaProjection() error {
	q := c.cfg.Athena
	if !q.Enabled {
		return nil
	}
	s := *c.archive
	_, table, ok := s.find("aws_glue_catalog_table", "name", q.Table)
	if !ok {
		return fmt.Errorf("stack %s has no Glue table %s", s.Name, q.Table)
	}
	params, _ := table["parameters"].(map[string]any)
	str := func(k string) string { v, _ := params[k].(string); return v }
	// Terraform reads "$${" as a literal "${".
	template := strings.ReplaceAll(str("storage.location.template"), "$${", "${")
	accounts := strings.Split(str("projection.account.values"), ",")
	regions := strings.Split(str("projection.region.values"), ",")
	if str("projection.enabled") != "true" || str("projection.date.format") != "yyyy/MM/dd" || template == "" {
		return fmt.Errorf("stack %s: table %s has no date projection in yyyy/MM/dd over a location template", s.Name, q.Table)
	}
	wantAccounts := append([]string(nil), q.Accounts...)
	sort.Strings(wantAccounts)
	if strings.Join(accounts, ",") != strings.Join(wantAccounts, ",") {
		return fmt.Errorf("stack %s: table %s projects accounts %v, the configuration lists %v", s.Name, q.Table, accounts, wantAccounts)
	}
	l, err := c.bucketPolicy(s, c.cfg.Bucket.Name)
	if err != nil {
		return err
	}
	c.use(l, policyeval.Policies{ResourceAccount: c.cfg.Accounts.LogArchive.ID})
	ct := policyeval.Principal{Service: policy.CloudTrailService}
	prefix := "s3://" + c.cfg.Bucket.Name + "/"
	delivery := with(tls, "aws:SourceArn", c.trail.ARN(), "s3:x-amz-acl", "bucket-owner-full-control")
	for _, a := range accounts {
		for _, r := range regions {
			folder := strings.NewReplacer("${account}", a, "${region}", r, "${date}", "2026/11/29").Replace(template)
			if !strings.HasPrefix(folder, prefix) || strings.Contains(folder, "${") {
				return fmt.Errorf("table %s: %s resolves to %s, outside s3://%s/", q.Table, template, folder, c.cfg.Bucket.Name)
			}
			object := fmt.Sprintf("arn:%s:s3:::%s/%s/%s_CloudTrail_%s_20261129T0000Z_x.json.gz", c.part, c.cfg.Bucket.Name, strings.TrimPrefix(folder, prefix), a, r)
			c.expect(true, fmt.Sprintf("CloudTrail writing the log file the Athena table reads for account %s, region %s", a, r),
				policyeval.Request{Principal: ct, Action: "s3:PutObject", Resource: object, Context: ctx(delivery...)})
		}
	}
	return nil
}

// isAthenaResultsKey tells the Athena results key (constructs.NewAthenaQuery
// describes it so) from the trail's monitoring key, both single-region keys
// that may share a stack.
func isAthenaResultsKey(body map[string]any) bool {
	d, _ := body["description"].(string)
	return strings.HasPrefix(d, "Athena results of CloudTrail ")
}
