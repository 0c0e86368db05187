package tfcheck

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// A stack with import blocks cannot be planned offline against AWS: the
// import reads every target from the real account. It is planned instead
// by `terraform test` with every provider mocked (Terraform 1.7 or later:
// mock_provider, override_resource, override_data; measured with
// Terraform 1.11.4, docs/aws-rules.md#imported-key-checks): each import
// target is overridden (Terraform refuses to import from a mock provider),
// and each aws_kms_key data source that reads an imported key is given
// what KMS describes for a key that may be taken over, then, run by run,
// one attribute of a key that may not. The first run proves the stack
// plans once its import targets exist; each other run proves that the
// preconditions reading that data source fail the plan for that key.

// importTestFile is where the generated test file is written, in the
// stack's own root.
const importTestFile = "tests/cloudtrail-mrk-imports.tftest.hcl"

// acceptedKey is what DescribeKey returns for a key that may be imported
// as the primary key: a multi-Region PRIMARY key, symmetric, for
// encryption, with key material from KMS (KMS API Reference, "KeyMetadata"
// and "MultiRegionConfiguration").
var acceptedKey = map[string]string{
	"multi_region":               `true`,
	"multi_region_configuration": `[{ multi_region_key_type = "PRIMARY" }]`,
	"customer_master_key_spec":   `"SYMMETRIC_DEFAULT"`,
	"key_usage":                  `"ENCRYPT_DECRYPT"`,
	"origin":                     `"AWS_KMS"`,
	"key_state":                  `"Enabled"`,
}

// refusedKeys are keys that must not be imported as the primary key, each
// acceptedKey with the attributes named changed, by run name.
var refusedKeys = map[string]map[string]string{
	// A replica in the primary's region has the same key id and ARN shape.
	"replica_key": {"multi_region_configuration": `[{ multi_region_key_type = "REPLICA" }]`},
	"single_region_key": {
		"multi_region":               `false`,
		"multi_region_configuration": `[]`,
	},
	"asymmetric_key":        {"customer_master_key_spec": `"RSA_2048"`},
	"signing_key":           {"key_usage": `"SIGN_VERIFY"`},
	"imported_key_material": {"origin": `"EXTERNAL"`},
	"pending_deletion_key":  {"key_state": `"PendingDeletion"`},
}

// otherRegion is a region other than region, for a bucket the precondition
// on an imported bucket must refuse.
func otherRegion(region string) string {
	if region == "us-west-2" {
		return "eu-west-1"
	}
	return "us-west-2"
}

// importTest is the test file for doc and the names of its runs, in order;
// none when doc has no import block.
func importTest(doc map[string]any) (file string, runs []string, err error) {
	imports := list(doc, "import")
	if len(imports) == 0 {
		return "", nil, nil
	}
	var b strings.Builder
	b.WriteString("# Written by cloudtrail-mrk's validate: the stack planned with mocked providers.\n")
	for _, typ := range slices.Sorted(maps.Keys(object(doc, "provider"))) {
		for _, p := range list(object(doc, "provider"), typ) {
			fmt.Fprintf(&b, "mock_provider %s {", strconv.Quote(typ))
			if alias, _ := p["alias"].(string); alias != "" {
				fmt.Fprintf(&b, "\n  alias = %s\n", strconv.Quote(alias))
			}
			b.WriteString("}\n")
		}
	}
	for _, i := range imports {
		to, _ := i["to"].(string)
		id, _ := i["id"].(string)
		fmt.Fprintf(&b, "override_resource {\n  target = %s\n", to)
		if v := importedValues(doc, to, id); len(v) > 0 {
			fmt.Fprintf(&b, "  values = %s\n", hclObject(v))
		}
		b.WriteString("}\n")
	}
	for _, name := range slices.Sorted(maps.Keys(object(object(doc, "data"), "terraform_remote_state"))) {
		fmt.Fprintf(&b, "override_data {\n  target = data.terraform_remote_state.%s\n  values = {}\n}\n", name)
	}
	keys := slices.Sorted(maps.Keys(object(object(doc, "data"), "aws_kms_key")))
	buckets := slices.Sorted(maps.Keys(object(object(doc, "data"), "aws_s3_bucket")))
	guarded := map[string][]string{}
	for _, ds := range []struct {
		typ   string
		names []string
	}{{"aws_kms_key", keys}, {"aws_s3_bucket", buckets}} {
		for _, name := range ds.names {
			addr := "data." + ds.typ + "." + name
			guarded[addr] = guardedBy(doc, addr+".")
			if len(guarded[addr]) == 0 {
				return "", nil, fmt.Errorf("%s guards no resource with a precondition: it is read at plan for nothing", addr)
			}
			values := keyValues(nil)
			if ds.typ == "aws_s3_bucket" {
				values = hclObject(map[string]string{"region": strconv.Quote(dataRegion(doc, ds.typ, name))})
			}
			fmt.Fprintf(&b, "override_data {\n  target = %s\n  values = %s\n}\n", addr, values)
		}
	}
	runs = append(runs, "plans_with_import_targets")
	b.WriteString("run \"plans_with_import_targets\" {\n  command = plan\n}\n")
	for _, name := range buckets {
		run := "bucket_in_another_region"
		if len(buckets) > 1 {
			run = name + "_" + run
		}
		addr := "data.aws_s3_bucket." + name
		runs = append(runs, run)
		fmt.Fprintf(&b, "run %s {\n  command = plan\n  override_data {\n    target = %s\n    values = %s\n  }\n  expect_failures = [%s]\n}\n",
			strconv.Quote(run), addr, hclObject(map[string]string{"region": strconv.Quote(otherRegion(dataRegion(doc, "aws_s3_bucket", name)))}), strings.Join(guarded[addr], ", "))
	}
	for _, name := range keys {
		for _, refused := range slices.Sorted(maps.Keys(refusedKeys)) {
			run := refused
			if len(keys) > 1 {
				run = name + "_" + refused
			}
			runs = append(runs, run)
			fmt.Fprintf(&b, "run %s {\n  command = plan\n  override_data {\n    target = data.aws_kms_key.%s\n    values = %s\n  }\n  expect_failures = [%s]\n}\n",
				strconv.Quote(run), name, keyValues(refusedKeys[refused]), strings.Join(guarded["data.aws_kms_key."+name], ", "))
		}
	}
	return b.String(), runs, nil
}

// guardedBy lists the resources, type.name, with a precondition whose
// condition refers to ref (a data source's address and a dot).
func guardedBy(doc map[string]any, ref string) []string {
	var out []string
	for _, typ := range slices.Sorted(maps.Keys(object(doc, "resource"))) {
		for _, r := range slices.Sorted(maps.Keys(object(object(doc, "resource"), typ))) {
			for _, p := range list(object(object(object(doc, "resource"), typ), r), "lifecycle") {
				for _, pre := range list(p, "precondition") {
					if c, _ := pre["condition"].(string); strings.Contains(c, ref) {
						out = append(out, typ+"."+r)
						break
					}
				}
			}
		}
	}
	return out
}

// dataRegion is the region of the provider a data source reads through.
func dataRegion(doc map[string]any, typ, name string) string {
	d := object(object(object(doc, "data"), typ), name)
	alias, _ := d["provider"].(string)
	_, alias, _ = strings.Cut(alias, ".")
	for _, p := range list(object(doc, "provider"), "aws") {
		if a, _ := p["alias"].(string); a == alias {
			region, _ := p["region"].(string)
			return region
		}
	}
	return ""
}

// importedValues are the attributes of the object an import block reads,
// as AWS would have it, for the attributes other resources refer to (the
// AWS provider validates some of them at plan, an ARN among them, and a
// mock provider's invented values fail that): a key's id and ARN, a
// bucket's name and ARN. None for other types.
func importedValues(doc map[string]any, to, id string) map[string]string {
	typ, name, _ := strings.Cut(to, ".")
	r := object(object(object(doc, "resource"), typ), name)
	alias, _ := r["provider"].(string)
	_, alias, _ = strings.Cut(alias, ".")
	region, account := "", "000000000000"
	for _, p := range list(object(doc, "provider"), "aws") {
		if a, _ := p["alias"].(string); a == alias {
			region, _ = p["region"].(string)
			if ids, _ := p["allowed_account_ids"].([]any); len(ids) == 1 {
				account, _ = ids[0].(string)
			}
		}
	}
	partition := rules.Partition(region)
	if partition == "" {
		partition = "aws"
	}
	switch {
	case typ == "aws_kms_key":
		return map[string]string{"id": strconv.Quote(id), "key_id": strconv.Quote(id), "multi_region": "true",
			"arn": strconv.Quote(fmt.Sprintf("arn:%s:kms:%s:%s:key/%s", partition, region, account, id))}
	case typ == "aws_s3_bucket":
		return map[string]string{"id": strconv.Quote(id), "bucket": strconv.Quote(id), "object_lock_enabled": "true",
			"arn": strconv.Quote(fmt.Sprintf("arn:%s:s3:::%s", partition, id))}
	case strings.HasPrefix(typ, "aws_s3_bucket_"):
		return map[string]string{"id": strconv.Quote(id), "bucket": strconv.Quote(id)}
	}
	return nil
}

// hclObject renders attribute values, each an HCL expression, as an HCL
// object with sorted keys.
func hclObject(v map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(v)) {
		parts = append(parts, k+" = "+v[k])
	}
	return "{ " + strings.Join(parts, ", ") + " }"
}

// keyValues renders acceptedKey with changes applied, as an HCL object.
func keyValues(changes map[string]string) string {
	v := maps.Clone(acceptedKey)
	maps.Copy(v, changes)
	return hclObject(v)
}

// proveImports writes the test file of doc, u's stack as written into dir,
// its root (made and initialized by validateIn), runs `terraform test`
// there and returns the names of the runs, each of which passed; an error
// says which did not and why.
func (c *Checker) proveImports(ctx context.Context, dir string, doc map[string]any) ([]string, error) {
	file, runs, err := importTest(doc)
	if err != nil || len(runs) == 0 {
		return nil, err
	}
	path := filepath.Join(dir, importTestFile)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, []byte(file), 0o644); err != nil {
		return nil, err
	}
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()
	tf, err := c.TF.exec(dir)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	terr := tf.Test(ctx, &out)
	status, diags := testResults(out.Bytes())
	var bad []string
	for _, r := range runs {
		if s := status[r]; s != "pass" {
			if s == "" {
				s = "not run"
			}
			msg := fmt.Sprintf("run %q: %s", r, s)
			if d := diags[r]; len(d) > 0 {
				msg += ": " + strings.Join(d, "; ")
			}
			bad = append(bad, msg)
		}
	}
	if len(bad) > 0 || terr != nil {
		if len(bad) == 0 {
			bad = append(bad, failed(ctx, "test", terr).Error())
			bad = append(bad, diags[""]...)
		}
		return nil, fmt.Errorf("terraform test with mocked providers (%s): %s", importTestFile, strings.Join(bad, "; "))
	}
	return runs, nil
}

// testResults reads `terraform test -json` output: each run's final status
// and the error diagnostics of each run ("" for those of no run).
func testResults(out []byte) (status map[string]string, diags map[string][]string) {
	status, diags = map[string]string{}, map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for sc.Scan() {
		var m struct {
			Type    string `json:"type"`
			Run     string `json:"@testrun"`
			TestRun struct {
				Run      string `json:"run"`
				Progress string `json:"progress"`
				Status   string `json:"status"`
			} `json:"test_run"`
			Diagnostic struct {
				Severity string `json:"severity"`
				Summary  string `json:"summary"`
				Detail   string `json:"detail"`
			} `json:"diagnostic"`
		}
		if json.Unmarshal(sc.Bytes(), &m) != nil {
			continue
		}
		switch {
		case m.Type == "test_run" && m.TestRun.Progress == "complete":
			status[m.TestRun.Run] = m.TestRun.Status
		case m.Type == "diagnostic" && m.Diagnostic.Severity == "error":
			diags[m.Run] = append(diags[m.Run], strings.TrimSpace(m.Diagnostic.Summary+": "+m.Diagnostic.Detail))
		}
	}
	return status, diags
}
