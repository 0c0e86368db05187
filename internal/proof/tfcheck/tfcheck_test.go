package tfcheck

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/config"
)

// golden reads a synthesized stack from the project's golden files, which
// the root package's tests keep equal to what the app synthesizes.
func golden(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "..", "testdata", path))
	require.NoError(t, err)
	doc, err := parseObject(data)
	require.NoError(t, err)
	return doc
}

func marshal(t *testing.T, doc map[string]any) []byte {
	t.Helper()
	data, err := json.Marshal(doc)
	require.NoError(t, err)
	return data
}

// resource returns the only resource of typ in doc.
func resource(t *testing.T, doc map[string]any, typ string) map[string]any {
	t.Helper()
	byName := object(object(doc, "resource"), typ)
	require.Len(t, byName, 1, "want exactly one %s", typ)
	for _, r := range byName {
		return r.(map[string]any)
	}
	return nil
}

func load(t *testing.T, path string) *config.Config {
	t.Helper()
	cfg, err := config.Load(filepath.Join("..", "..", "..", path))
	require.NoError(t, err)
	return cfg
}

// TestTerraformJudgesTheStacks runs real Terraform (validate and an offline
// plan) once over the golden stacks and over broken copies of them: the
// golden ones pass, each broken one fails with its stack, its configuration
// and Terraform's own message, and a broken stack does not fail the others.
// Without Terraform and the AWS provider this test fails, saying what is
// missing: it never skips.
func TestTerraformJudgesTheStacks(t *testing.T) {
	ctx := context.Background()
	work := t.TempDir()
	tf, err := Setup(ctx, filepath.Join(work, "cli"), filepath.Join(work, "cache"))
	require.NoError(t, err, "Terraform and the AWS provider are needed (see docs/validate.md)")

	def := config.Default()
	archive, trail := Expectations(def)
	combined := map[string]Expect{"cloudtrail-mrk": Combine(archive, trail)}
	org := load(t, "examples/organization.yaml")
	orgArchive, orgTrail := Expectations(org)

	one := func(name string, doc map[string]any, expect map[string]Expect) *Config {
		return &Config{Name: name, Label: "config " + name, Stacks: map[string][]byte{"cloudtrail-mrk": marshal(t, doc)}, Expect: expect}
	}
	// An attribute value the provider refuses.
	invalid := golden(t, "default/cloudtrail-mrk.tf.json")
	resource(t, invalid, "aws_cloudwatch_log_group")["retention_in_days"] = 7777
	// A deprecated argument: a warning nobody accepted.
	deprecated := golden(t, "default/cloudtrail-mrk.tf.json")
	for _, b := range object(object(deprecated, "resource"), "aws_s3_bucket") {
		b.(map[string]any)["acl"] = "private"
	}
	// A data source that would call AWS at plan time.
	lookup := golden(t, "default/cloudtrail-mrk.tf.json")
	ensureObject(ensureObject(lookup, "data"), "aws_caller_identity")["current"] = map[string]any{}
	// A region the provider refuses when it is configured, at plan time.
	badRegion := golden(t, "default/cloudtrail-mrk.tf.json")
	list(object(badRegion, "provider"), "aws")[1]["region"] = "us-fake-1"
	// A valid stack whose plan is not what the configuration says.
	wrong := Combine(archive, trail)
	wrong.ReplicaRegions = []string{"eu-west-1"}
	wrong.Counts = map[string]int{"aws_cloudtrail": 2}
	wrong.KMSBuckets = []string{"another-bucket"}

	// Import blocks (bucket.import): allowed only in a root module, and
	// planned only against the real account. One valid, one on a stack
	// Terraform refuses, one whose `to` names nothing (which terraform
	// validate accepts).
	withImport := func(doc map[string]any, to string) map[string]any {
		doc["import"] = []any{map[string]any{"to": to, "id": "cloudtrail-mrk-logs-111122223333"}}
		return doc
	}
	bucketAddr := func(doc map[string]any) string {
		for name, b := range object(object(doc, "resource"), "aws_s3_bucket") {
			if b.(map[string]any)["object_lock_enabled"] == true {
				return "aws_s3_bucket." + name
			}
		}
		require.Fail(t, "no trail bucket in the golden stack")
		return ""
	}
	imported := golden(t, "default/cloudtrail-mrk.tf.json")
	imported = withImport(imported, bucketAddr(imported))
	importedInvalid := golden(t, "default/cloudtrail-mrk.tf.json")
	resource(t, importedInvalid, "aws_cloudwatch_log_group")["retention_in_days"] = 7777
	importedInvalid = withImport(importedInvalid, bucketAddr(importedInvalid))
	importedNowhere := withImport(golden(t, "default/cloudtrail-mrk.tf.json"), "aws_s3_bucket.NoSuchBucket")
	// key.import_arn with only two of the preconditions on what the key is:
	// the mocked plan's runs find that an asymmetric key (the first run in
	// name order) would be taken over.
	unguarded := golden(t, "default/cloudtrail-mrk.tf.json")
	withKeyImport(t, unguarded, 2)
	// bucket.import with the bucket's region check (constructs/imports.go):
	// the mocked run with the bucket in another region must fail the plan;
	// and with a precondition that does not look at the region, it does
	// not, which the run reports.
	withBucketRegionCheck(t, imported, `"us-east-1"`)
	withBucketRegionCheck(t, unguarded, "")

	configs := []*Config{
		one("default", golden(t, "default/cloudtrail-mrk.tf.json"), combined),
		{Name: "organization", Label: "config organization", Expect: map[string]Expect{"log-archive": orgArchive, "management": orgTrail},
			Stacks: map[string][]byte{
				"log-archive": marshal(t, golden(t, "organization/log-archive.tf.json")),
				"management":  marshal(t, golden(t, "organization/management.tf.json")),
			}},
		one("invalid", invalid, combined),
		one("deprecated", deprecated, combined),
		one("lookup", lookup, combined),
		one("wrong", golden(t, "default/cloudtrail-mrk.tf.json"), map[string]Expect{"cloudtrail-mrk": wrong}),
		one("region", badRegion, combined),
		one("imported", imported, combined),
		one("imported-invalid", importedInvalid, combined),
		one("imported-nowhere", importedNowhere, combined),
		one("imported-key-unguarded", unguarded, combined),
	}
	checker := &Checker{TF: tf, WorkDir: filepath.Join(work, "check")}
	results := map[string]Result{}
	for _, r := range checker.Check(ctx, configs) {
		results[r.Config+"/"+r.Stack] = r
	}
	require.Len(t, results, 12)

	// Validated as a root of its own, and not planned, saying why.
	r := results["config imported/cloudtrail-mrk"]
	require.NoError(t, r.Err)
	assert.Equal(t, 1, r.Imports)
	assert.Zero(t, r.Creates)
	assert.Contains(t, r.PlanSkipped, "1 import blocks: an import plan reads each import target from the real account")
	// Planned with mocked providers instead, the import target given: no
	// imported key, so no run on what the key is; the bucket in another
	// region fails the plan.
	assert.Equal(t, []string{"plans_with_import_targets", "bucket_in_another_region"}, r.MockRuns)
	for key, r := range results {
		if !strings.HasPrefix(key, "config imported") {
			assert.Empty(t, r.PlanSkipped, key)
		}
	}

	for _, key := range []string{"config default/cloudtrail-mrk", "config organization/log-archive", "config organization/management"} {
		r := results[key]
		require.NoError(t, r.Err, key)
		assert.Positive(t, r.Creates, key)
	}
	// 41, and the replication alarm with its topic, topic policy, key and
	// one subscription; less the replication role and its policy, which the
	// example's bootstrap creates (docs/bootstrap.md#service-roles).
	assert.Equal(t, 41+5-2, results["config organization/log-archive"].Creates)
	// The trail and its monitoring (7), the alarms (20 alarms, 22 metric
	// filters: the key alarm's pattern names each of the three key copies
	// and the bucket alarm's lists its events, each split in two; the
	// heartbeat, which needs no filter; the alarm topic, its policy and one
	// subscription), the monitoring alarms with their deployer twins (8
	// alarms and 23 filters: mute rules add one to each alarm and twin, and
	// the key alarm's pattern, naming the monitoring and the watchdog key,
	// is split in two), the watchdog key, topic, topic policy and one
	// subscription, the organization-trust alarm with its one filter, the
	// guardrail tag alarm with its one filter (guardrails on), and
	// less the CloudWatch Logs delivery role and its policy, and the
	// guardrail policy and the monitoring guardrail policy (the replication
	// alarm and its topic) with their one attachment each, which the
	// example's bootstrap creates (docs/bootstrap.md#service-roles,
	// #guardrails-in-the-bootstrap).
	assert.Equal(t, 7+20+22+1+3+8+23+4+2+2-2, results["config organization/management"].Creates)

	failures := map[string][]string{
		"config invalid/cloudtrail-mrk":          {"config invalid, stack cloudtrail-mrk:", "terraform validate reported", "error:", "retention_in_days"},
		"config deprecated/cloudtrail-mrk":       {"config deprecated, stack cloudtrail-mrk:", "warning:", "acl", "not accepted"},
		"config lookup/cloudtrail-mrk":           {"data.aws_caller_identity.current", "call AWS at plan time"},
		"config region/cloudtrail-mrk":           {"config region, stack cloudtrail-mrk:", "terraform plan reported", "us-fake-1"},
		"config imported-invalid/cloudtrail-mrk": {"config imported-invalid, stack cloudtrail-mrk:", "terraform validate reported", "retention_in_days"},
		"config imported-nowhere/cloudtrail-mrk": {"`to` \"aws_s3_bucket.NoSuchBucket\" names no resource of the stack"},
		"config imported-key-unguarded/cloudtrail-mrk": {"terraform test with mocked providers", `run "asymmetric_key"`,
			`run "bucket_in_another_region"`, "Missing expected failure"},
		"config wrong/cloudtrail-mrk": {"the plan does not match the configuration",
			"replica keys are created through the providers of [us-west-2], want one in each of [eu-west-1]",
			"plans 1 aws_cloudtrail, the configuration makes 2", "bucket another-bucket must be encrypted"},
	}
	for key, want := range failures {
		r := results[key]
		require.Error(t, r.Err, key)
		for _, w := range want {
			assert.Contains(t, r.Err.Error(), w, key)
		}
	}
}

// withKeyImport makes doc, a stack with one multi-region aws_kms_key, take
// that key over as the app does for key.import_arn: an import block, the
// aws_kms_key data source reading the key by its ARN, and the first
// guards of the app's preconditions on it (constructs/imports.go), in its
// order: multi-Region, PRIMARY, symmetric, for encryption, from KMS, not
// pending deletion.
func withKeyImport(t *testing.T, doc map[string]any, guards int) {
	t.Helper()
	var name string
	for n, r := range object(object(doc, "resource"), "aws_kms_key") {
		if r.(map[string]any)["multi_region"] == true {
			name = n
		}
	}
	require.NotEmpty(t, name, "no multi-region key in the stack")
	const id = "mrk-1234abcd12ab34cd56ef1234567890ab"
	keyARN := "arn:aws:kms:us-east-1:111122223333:key/" + id
	doc["import"] = []any{map[string]any{"to": "aws_kms_key." + name, "id": id}}
	ensureObject(ensureObject(doc, "data"), "aws_kms_key")["Imported"] = map[string]any{"key_id": keyARN}
	ref := "data.aws_kms_key.Imported"
	all := []string{
		"${" + ref + ".multi_region == true}",
		"${try(" + ref + `.multi_region_configuration[0].multi_region_key_type, "") == "PRIMARY"}`,
		"${" + ref + `.customer_master_key_spec == "SYMMETRIC_DEFAULT"}`,
		"${" + ref + `.key_usage == "ENCRYPT_DECRYPT"}`,
		"${" + ref + `.origin == "AWS_KMS"}`,
		`${contains(["Enabled", "Disabled"], ` + ref + `.key_state)}`,
	}
	var pre []any
	for _, c := range all[:guards] {
		pre = append(pre, map[string]any{"condition": c, "error_message": "not a key to take over"})
	}
	ensureObject(object(object(doc, "resource"), "aws_kms_key")[name].(map[string]any), "lifecycle")["precondition"] = pre
}

// withBucketRegionCheck adds to doc the trail bucket's data source and the
// precondition the app puts on an imported bucket (constructs/imports.go):
// its region equals region, an HCL string; with region "", a precondition
// that reads the data source but not its region.
func withBucketRegionCheck(t *testing.T, doc map[string]any, region string) {
	t.Helper()
	var name string
	for n, b := range object(object(doc, "resource"), "aws_s3_bucket") {
		if b.(map[string]any)["object_lock_enabled"] == true {
			name = n
		}
	}
	require.NotEmpty(t, name, "no trail bucket in the stack")
	imports, _ := doc["import"].([]any)
	found := false
	for _, i := range imports {
		found = found || i.(map[string]any)["to"] == "aws_s3_bucket."+name
	}
	if !found {
		doc["import"] = append(imports, map[string]any{"to": "aws_s3_bucket." + name, "id": "cloudtrail-mrk-logs-111122223333"})
	}
	ensureObject(ensureObject(doc, "data"), "aws_s3_bucket")["Imported"] = map[string]any{"bucket": "cloudtrail-mrk-logs-111122223333"}
	cond := "${data.aws_s3_bucket.Imported.region == " + region + "}"
	if region == "" {
		cond = `${data.aws_s3_bucket.Imported.bucket != ""}`
	}
	lc := ensureObject(object(object(doc, "resource"), "aws_s3_bucket")[name].(map[string]any), "lifecycle")
	lc["precondition"] = []any{map[string]any{"condition": cond, "error_message": "not in the home region"}}
}

// The test file of a stack with import blocks: mocked providers (the
// default and each alias), each import target given with the attributes
// other resources use, and one run per key that the preconditions must
// refuse, each expecting the guarded key to fail; a key data source that
// guards nothing, or one reading a key the stack does not import, is
// refused. Plain Go: the runs themselves are TestTerraformJudgesTheStacks'.
func TestImportTestFile(t *testing.T) {
	doc := golden(t, "default/cloudtrail-mrk.tf.json")
	withKeyImport(t, doc, 6)
	withBucketRegionCheck(t, doc, `"us-east-1"`)
	require.NoError(t, offline(doc), "the imported key's and bucket's data sources are allowed")
	file, runs, err := importTest(doc)
	require.NoError(t, err)
	assert.Equal(t, []string{"plans_with_import_targets", "bucket_in_another_region", "asymmetric_key", "imported_key_material", "pending_deletion_key", "replica_key", "signing_key", "single_region_key"}, runs)
	assert.Contains(t, file, "override_data {\n  target = data.aws_s3_bucket.Imported\n  values = { region = \"us-east-1\" }\n}\n")
	assert.Contains(t, file, "    target = data.aws_s3_bucket.Imported\n    values = { region = \"us-west-2\" }\n  }\n  expect_failures = [aws_s3_bucket.")
	assert.Contains(t, file, "mock_provider \"aws\" {}\n")
	assert.Contains(t, file, "mock_provider \"aws\" {\n  alias = \"us-west-2\"\n}\n")
	assert.Contains(t, file, `arn = "arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab"`)
	assert.Equal(t, 6, strings.Count(file, "expect_failures = [aws_kms_key."), file)
	assert.Contains(t, file, `multi_region = false, multi_region_configuration = [], origin = "AWS_KMS"`)

	// The data source guards nothing.
	bare := golden(t, "default/cloudtrail-mrk.tf.json")
	withKeyImport(t, bare, 0)
	_, _, err = importTest(bare)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "data.aws_kms_key.Imported guards no resource")

	// A key data source without the import of that key reads AWS for
	// nothing the stack takes over: refused as any other lookup.
	notImported := golden(t, "default/cloudtrail-mrk.tf.json")
	withKeyImport(t, notImported, 6)
	delete(notImported, "import")
	require.Error(t, offline(notImported))
}

// The stub gives the management stack the key ARN the log-archive stack's
// provider would produce: the primary's region and the log-archive account.
func TestStubOutputs(t *testing.T) {
	outputs, err := stubOutputs(golden(t, "organization/log-archive.tf.json"))
	require.NoError(t, err)
	require.Len(t, outputs, 1)
	for _, v := range outputs {
		assert.Regexp(t, `^arn:aws:kms:us-east-1:444455556666:key/mrk-[0-9a-f]{32}$`, v)
	}
	doc := golden(t, "organization/log-archive.tf.json")
	object(doc, "output")["other"] = map[string]any{"value": "${aws_s3_bucket.x.id}"}
	_, err = stubOutputs(doc)
	assert.ErrorContains(t, err, "no realistic stub")
}

func TestPlanCopyRemovesWhatWouldReachAWS(t *testing.T) {
	doc := golden(t, "organization/management.tf.json")
	u := &unit{doc: doc, module: "m", cfg: &Config{Stacks: map[string][]byte{
		"log-archive": marshal(t, golden(t, "organization/log-archive.tf.json")),
	}}}
	out, stubs, err := planCopy(u, "1.11.4", t.TempDir())
	require.NoError(t, err)
	require.Len(t, stubs, 1)
	assert.NotContains(t, object(out, "terraform"), "backend")
	for _, p := range list(object(out, "provider"), "aws") {
		assert.NotContains(t, p, "assume_role")
		assert.NotContains(t, p, "allowed_account_ids")
		assert.Equal(t, fakeAccessKey, p["access_key"])
		assert.Equal(t, true, p["skip_requesting_account_id"])
	}
	for _, rs := range object(object(out, "data"), "terraform_remote_state") {
		assert.Equal(t, "local", rs.(map[string]any)["backend"])
	}
	// The original is untouched.
	assert.Contains(t, object(doc, "terraform"), "backend")
	assert.Contains(t, list(object(doc, "provider"), "aws")[0], "assume_role")
}

func TestAcceptedWarnings(t *testing.T) {
	list, err := LoadAccepted(filepath.Join("..", "..", "..", "cmd", "validate", "accepted-warnings.yaml"))
	require.NoError(t, err, "every entry needs a reason of at least %d characters", MinReasonLength)
	require.NotEmpty(t, list)
	dynamo := Diagnostic{Severity: "warning", Summary: "Deprecated Parameter", Address: "terraform.backend",
		Detail: `The parameter "dynamodb_table" is deprecated. Use parameter "use_lockfile" instead.`}
	assert.Empty(t, unaccepted([]Diagnostic{dynamo}, list))
	other := dynamo
	other.Address = "aws_s3_bucket.x"
	assert.Len(t, unaccepted([]Diagnostic{other}, list), 1, "accepted only where it is listed")
	asError := dynamo
	asError.Severity = "error"
	assert.Len(t, unaccepted([]Diagnostic{asError}, list), 1, "errors are never accepted")

	bad := filepath.Join(t.TempDir(), "a.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("- {summary: S, detail: D, reason: too short}\n"), 0o644))
	_, err = LoadAccepted(bad)
	assert.ErrorContains(t, err, "reason of at least")
}

func TestFindMirrorFromEnvironment(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(MirrorEnvVar, dir)
	_, err := FindMirror()
	assert.ErrorContains(t, err, "holds no registry.terraform.io/hashicorp/aws")
}

func TestMissingTerraformIsExplained(t *testing.T) {
	t.Setenv(TerraformEnvVar, "")
	t.Setenv("PATH", t.TempDir())
	_, err := Setup(context.Background(), t.TempDir(), t.TempDir())
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "terraform is not on PATH") && strings.Contains(err.Error(), TerraformEnvVar), err.Error())
}

func TestAlarmExpectations(t *testing.T) {
	cfg := config.Default()
	_, trail := Expectations(cfg)
	assert.Equal(t, 25, trail.Counts["aws_cloudwatch_metric_alarm"], "15 CIS controls, 5 tampering and 4 monitoring alarms in one account, and the heartbeat")
	assert.Equal(t, 31, trail.Counts["aws_cloudwatch_log_metric_filter"])
	assert.Equal(t, 2, trail.Counts["aws_sns_topic"], "the alarm topic and the watchdog topic")
	assert.Equal(t, 2, trail.Counts["aws_kms_key"], "the monitoring key and the watchdog key")
	cfg.Trail.CloudWatchLogs.Alarms.Subscriptions = []config.Subscription{{Protocol: "email", Endpoint: "security@example.com"}}
	_, trail = Expectations(cfg)
	assert.Equal(t, 2, trail.Counts["aws_sns_topic_subscription"], "the subscription on each topic")
	cfg.Trail.CloudWatchLogs.Alarms.Subscriptions = nil

	cfg.Trail.CloudWatchLogs.Alarms.Disabled = []string{"root-usage", "key-changes"}
	_, trail = Expectations(cfg)
	assert.Equal(t, 23, trail.Counts["aws_cloudwatch_metric_alarm"])
	filters := trail.Counts["aws_cloudwatch_log_metric_filter"]
	cfg.Trail.CloudWatchLogs.Alarms.Disabled = []string{"root-usage", "key-changes", "heartbeat"}
	_, trail = Expectations(cfg)
	assert.Equal(t, 22, trail.Counts["aws_cloudwatch_metric_alarm"])
	assert.Equal(t, filters, trail.Counts["aws_cloudwatch_log_metric_filter"], "the heartbeat needs no filter")

	cfg.Accounts.Management.RoleARN = "arn:aws:iam::111122223333:role/CloudTrailDeployer"
	cfg.Accounts.LogArchive.RoleARN = cfg.Accounts.Management.RoleARN
	cfg.Trail.CloudWatchLogs.Alarms.Disabled = nil
	_, trail = Expectations(cfg)
	assert.Equal(t, 29, trail.Counts["aws_cloudwatch_metric_alarm"], "with a deploying role, a twin for each monitoring alarm")
	cfg.Accounts.Management.RoleARN, cfg.Accounts.LogArchive.RoleARN = "", ""

	cfg.Accounts.LogArchive.ID = "444455556666"
	cfg.Trail.CloudWatchLogs.Alarms.Disabled = nil
	_, trail = Expectations(cfg)
	assert.Equal(t, 22, trail.Counts["aws_cloudwatch_metric_alarm"], "an account trail does not see the log-archive account's key and buckets, only its own delivery role")

	cfg.Trail.CloudWatchLogs.Enabled = false
	_, trail = Expectations(cfg)
	assert.Zero(t, trail.Counts["aws_cloudwatch_metric_alarm"])
	assert.Zero(t, trail.Counts["aws_sns_topic"])

	// The replication alarm, its topic and its key, in the log-archive
	// account, with replication.
	org, err := config.Load("../../../examples/organization.yaml")
	require.NoError(t, err)
	archive, _ := Expectations(org)
	assert.Equal(t, 2, archive.Counts["aws_kms_key"], "the multi-region key and the replication alarm topic's key")
	assert.Equal(t, 1, archive.Counts["aws_cloudwatch_metric_alarm"])
	assert.Equal(t, 1, archive.Counts["aws_sns_topic"])
	assert.Equal(t, 1, archive.Counts["aws_sns_topic_subscription"])
	org.Replication.Alarms.Enabled = false
	archive, _ = Expectations(org)
	assert.Equal(t, 1, archive.Counts["aws_kms_key"])
	assert.Zero(t, archive.Counts["aws_cloudwatch_metric_alarm"])
}

// The diagnostics of a `terraform plan -json` run are read from its
// machine-readable messages, other messages skipped (sample lines in the
// shape the Terraform documentation, "Machine-readable UI", gives).
func TestStreamDiagnostics(t *testing.T) {
	out := []byte(`{"@level":"info","@message":"Terraform 1.11.4","@module":"terraform.ui","@timestamp":"2026-11-29T10:00:00.000000Z","terraform":"1.11.4","type":"version","ui":"1.2"}
{"@level":"warn","@message":"Warning: Deprecated Parameter","@module":"terraform.ui","@timestamp":"2026-11-29T10:00:01.000000Z","diagnostic":{"severity":"warning","summary":"Deprecated Parameter","detail":"The parameter \"dynamodb_table\" is deprecated.","address":"module.m.data.terraform_remote_state.x","range":{"filename":"m/cdk.tf.json","start":{"line":1,"column":1,"byte":0},"end":{"line":1,"column":2,"byte":1}}},"type":"diagnostic"}
not json
{"@level":"error","@message":"Error: Invalid provider configuration","@module":"terraform.ui","@timestamp":"2026-11-29T10:00:02.000000Z","diagnostic":{"severity":"error","summary":"Invalid provider configuration","detail":""},"type":"diagnostic"}
`)
	diags := streamDiagnostics(out)
	require.Len(t, diags, 2)
	assert.Equal(t, "warning", diags[0].Severity)
	assert.Equal(t, "module.m.data.terraform_remote_state.x", diags[0].Address)
	assert.Equal(t, "m/cdk.tf.json", diags[0].Range.Filename)
	assert.Equal(t, `warning: Deprecated Parameter (module.m.data.terraform_remote_state.x): The parameter "dynamodb_table" is deprecated.`, diags[0].String())
	assert.Equal(t, "error: Invalid provider configuration", diags[1].String())
}
