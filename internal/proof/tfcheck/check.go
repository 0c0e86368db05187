package tfcheck

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// Config is one configuration's synthesized stacks and what each must plan.
type Config struct {
	// Name is a short name for the configuration, safe as a directory name.
	Name string
	// Label says where the configuration came from, for messages (for
	// example `config file "examples/organization.yaml"`).
	Label string
	// Stacks maps each stack's name to its synthesized cdk.tf.json.
	Stacks map[string][]byte
	// Expect maps each stack's name to what its plan must contain.
	Expect map[string]Expect
}

// Expect is what a stack's plan must contain, derived from the configuration
// (not from the synthesized stack it checks).
type Expect struct {
	// Counts maps resource types to how many the plan creates.
	Counts map[string]int
	// HomeRegion is the region of the trail, the trail bucket and the
	// primary key.
	HomeRegion string
	// ReplicaRegions are the regions where the stack creates a replica of
	// the primary key (each through the provider of its region).
	ReplicaRegions []string
	// KMSBuckets are buckets the stack creates that must be encrypted with
	// the multi-region key's copy in their own region, with a Bucket Key.
	KMSBuckets []string
	// SSES3Buckets are buckets the stack creates that must use SSE-S3
	// (access-log buckets: S3 server access logging cannot write SSE-KMS).
	SSES3Buckets []string
	// OwnKeyBuckets are buckets the stack creates that must be encrypted
	// with a single-region key of their own, never a copy of the trail key
	// (the Athena results bucket: readers may only decrypt with that one).
	OwnKeyBuckets []string
	// TrailBucket, when set, is the bucket of the trail the stack creates;
	// the trail must be encrypted with the primary key's ARN.
	TrailBucket string
	// TrailKeyARN, when set, is the ARN of a key made elsewhere
	// (key.existing_arns) that the trail must name literally, in place of
	// the primary key's.
	TrailKeyARN string
}

// Result is the outcome of checking one stack.
type Result struct {
	Config string
	Stack  string
	// Creates is the number of resources the plan creates.
	Creates int
	// Accepted lists the warnings accepted through the accepted-warnings file.
	Accepted []Diagnostic
	// Imports is the number of the stack's Terraform import blocks. A stack
	// with any is validated as a root module of its own (Terraform allows
	// import blocks only there) and not planned: an import plan reads every
	// import target from AWS, and offline it fails with "Cannot import
	// non-existent remote object" (docs/aws-rules.md#import-blocks).
	Imports int
	// PlanSkipped says why the stack was not planned offline against AWS,
	// or "" when it was.
	PlanSkipped string
	// MockRuns are the runs of `terraform test` with mocked providers that
	// passed, for a stack with import blocks (PlanSkipped): the stack plans
	// once its import targets exist, and the preconditions on an imported
	// key refuse each kind of key that may not be taken over.
	MockRuns []string
	// Err says what failed, with Terraform's own message; nil when the stack
	// passed.
	Err error
}

// Checker runs the checks.
type Checker struct {
	TF *Terraform
	// WorkDir holds the copies of the stacks and Terraform's working
	// directories; the stacks are never checked in place.
	WorkDir string
	// Accepted are the warnings that do not fail a check.
	Accepted []Accepted
	// Timeout bounds each terraform command. Default: 10 minutes.
	Timeout time.Duration
}

// backendCheck is the data source through which validate also checks the
// stack's backend configuration (terraform_remote_state validates its
// config against the same backend schema; validate reads nothing).
const backendCheck = "tfcheck_backend"

// crossStackInput prefixes the remote state data sources cdktf writes for
// cross-stack references; the producing stack's name follows.
const crossStackInput = "cross-stack-reference-input-"

// Fake credentials from the AWS documentation's examples: the plan must
// never reach an account.
const (
	fakeAccessKey = "AKIAIOSFODNN7EXAMPLE"
	fakeSecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

// unit is one stack of one configuration, checked as a module of the root
// configurations that validate and plan.
type unit struct {
	cfg    *Config
	stack  string
	module string         // module name in the root configurations
	doc    map[string]any // the synthesized stack
	stubs  map[string]string
	res    *Result
	// imports counts the stack's import blocks (Result.Imports).
	imports int
}

func (u *unit) fail(err error) {
	if u.res.Err == nil {
		u.res.Err = fmt.Errorf("%s, stack %s: %w", u.cfg.Label, u.stack, err)
	}
}

// Check validates every stack of configs as synthesized, plans copies of
// them offline and checks each plan against its Expect. The stacks are
// modules of one root configuration for validate and one for plan: every
// terraform command starts the AWS provider and checks its 700 MB package
// against the lock file, so one command for all stacks is several times
// faster than one per stack. Diagnostics are attributed to their stack by
// module address or file name.
func (c *Checker) Check(ctx context.Context, configs []*Config) []Result {
	var units []*unit
	for _, cfg := range configs {
		for _, stack := range slices.Sorted(maps.Keys(cfg.Stacks)) {
			u := &unit{cfg: cfg, stack: stack, module: moduleName(cfg.Name, stack), res: &Result{Config: cfg.Label, Stack: stack}}
			units = append(units, u)
			doc, err := parseObject(cfg.Stacks[stack])
			if err != nil {
				u.fail(fmt.Errorf("cdk.tf.json: %w", err))
				continue
			}
			u.doc = doc
			u.imports = len(list(doc, "import"))
			u.res.Imports = u.imports
			if err := offline(doc); err != nil {
				u.fail(err)
			}
			if err := importTargets(doc); err != nil {
				u.fail(err)
			}
		}
	}
	results := func() []Result {
		out := make([]Result, len(units))
		for i, u := range units {
			out[i] = *u.res
		}
		return out
	}
	failAll := func(err error) []Result {
		for _, u := range units {
			u.fail(err)
		}
		return results()
	}
	if err := os.RemoveAll(c.WorkDir); err != nil {
		return failAll(err)
	}
	live := func() []*unit {
		var out []*unit
		for _, u := range units {
			if u.res.Err == nil {
				out = append(out, u)
			}
		}
		return out
	}

	// 1. terraform validate, on every stack as synthesized (its backend
	// configuration moved into a data source that validate checks against
	// the backend's schema and does not read).
	// Import blocks are allowed in the root module only: a stack with any is
	// validated as a root of its own.
	vdir := filepath.Join(c.WorkDir, "validate")
	var vunits, roots []*unit
	for _, u := range live() {
		if u.imports > 0 {
			roots = append(roots, u)
		} else {
			vunits = append(vunits, u)
		}
	}
	if len(vunits) > 0 {
		if err := writeRoot(vdir, vunits, func(u *unit) (map[string]any, error) { return withBackendCheck(u.doc), nil }); err != nil {
			return failAll(err)
		}
		if err := c.validateIn(ctx, vdir, vunits); err != nil {
			return failAll(err)
		}
	}
	for _, u := range roots {
		dir := filepath.Join(c.WorkDir, "validate-root", u.module)
		root := withBackendCheck(u.doc)
		if err := writeJSON(filepath.Join(dir, "cdk.tf.json"), root); err != nil {
			return failAll(err)
		}
		if err := c.validateIn(ctx, dir, []*unit{u}); err != nil {
			u.fail(err)
			continue
		}
		if u.res.Err != nil {
			continue
		}
		// Planned with mocked providers instead (imports.go).
		runs, err := c.proveImports(ctx, dir, root)
		if err != nil {
			u.fail(err)
			continue
		}
		u.res.MockRuns = runs
	}

	// 2. terraform plan, offline, on copies of the stacks that validated.
	// A stack whose plan fails stops the plan of all; it is dropped and the
	// others are planned again.
	pdir := filepath.Join(c.WorkDir, "plan")
	for _, u := range roots {
		if u.res.Err == nil {
			u.res.PlanSkipped = fmt.Sprintf("%d import blocks: an import plan reads each import target from the real account (read-only credentials), and offline fails with \"Cannot import non-existent remote object\" (docs/adopting.md)", u.imports)
		}
	}
	plannable := func() []*unit {
		var out []*unit
		for _, u := range live() {
			if u.imports == 0 {
				out = append(out, u)
			}
		}
		return out
	}
	var punits []*unit
	for {
		punits = plannable()
		if len(punits) == 0 {
			return results()
		}
		if err := os.RemoveAll(pdir); err != nil {
			return failAll(err)
		}
		if err := writeRoot(pdir, punits, func(u *unit) (map[string]any, error) {
			doc, stubs, err := planCopy(u, c.TF.Version, pdir)
			u.stubs = stubs
			return doc, err
		}); err != nil {
			return failAll(err)
		}
		if len(plannable()) != len(punits) {
			continue
		}
		if err := c.init(ctx, pdir, true); err != nil {
			return failAll(err)
		}
		out, perr := c.plan(ctx, pdir)
		failed := c.attribute("terraform plan", streamDiagnostics(out), punits)
		if perr == nil {
			break
		}
		if failed == 0 {
			return failAll(perr)
		}
	}
	p, err := c.show(ctx, pdir)
	if err != nil {
		return failAll(err)
	}
	for _, u := range punits {
		if u.res.Err != nil {
			continue
		}
		creates, err := module(p, u.module).check(u.doc, u.cfg.Expect[u.stack], u.stubs)
		u.res.Creates = creates
		if err != nil {
			u.fail(fmt.Errorf("the plan does not match the configuration: %w", err))
		}
	}
	return results()
}

// moduleName is a unit's module name: letters, digits, '_' and '-'.
func moduleName(cfg, stack string) string {
	clean := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
				return r
			}
			return '_'
		}, s)
	}
	return "c_" + clean(cfg) + "__" + clean(stack)
}

// writeRoot writes a root configuration into dir that calls each unit's
// stack, as written by body, as a module in dir/<module>/.
func writeRoot(dir string, units []*unit, body func(*unit) (map[string]any, error)) error {
	modules := map[string]any{}
	for _, u := range units {
		doc, err := body(u)
		if err != nil {
			u.fail(err)
			continue
		}
		if err := writeJSON(filepath.Join(dir, u.module, "cdk.tf.json"), doc); err != nil {
			return err
		}
		modules[u.module] = map[string]any{"source": "./" + u.module}
	}
	return writeJSON(filepath.Join(dir, "main.tf.json"), map[string]any{"module": modules})
}

// attribute gives each diagnostic to the stack it is about (by module
// address, or by the file it points into), fails stacks on every error and
// every warning that is not accepted, and records the accepted ones. A
// diagnostic that names no stack concerns them all. It returns how many
// stacks it failed.
func (c *Checker) attribute(step string, diags []Diagnostic, units []*unit) int {
	bad := map[*unit][]string{}
	for _, d := range diags {
		var owners []*unit
		for _, u := range units {
			rel, ok := strings.CutPrefix(d.Address, "module."+u.module+".")
			if ok || strings.HasPrefix(d.Range.Filename, u.module+"/") {
				owners = append(owners, u)
				if ok {
					d.Address = rel
				}
			}
		}
		if strings.HasPrefix(d.Address, "data.terraform_remote_state."+backendCheck) {
			d.Address = "terraform.backend"
		}
		if len(owners) == 0 {
			owners = units
		}
		accepted := len(unaccepted([]Diagnostic{d}, c.Accepted)) == 0
		for _, u := range owners {
			if accepted {
				u.res.Accepted = append(u.res.Accepted, d)
				continue
			}
			line := "  " + d.String()
			if d.Severity == "warning" {
				line += "\n    (not accepted: fix it, or list it with its reason in the accepted-warnings file)"
			}
			bad[u] = append(bad[u], line)
		}
	}
	for _, u := range units {
		if lines := bad[u]; len(lines) > 0 {
			u.fail(fmt.Errorf("%s reported:\n%s", step, strings.Join(lines, "\n")))
		}
	}
	return len(bad)
}

// init runs terraform init in dir, bounded by the checker's timeout.
func (c *Checker) init(ctx context.Context, dir string, backend bool) error {
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()
	return c.TF.init(ctx, dir, backend)
}

// validateIn initializes dir (no backend), validates it and gives each
// diagnostic to its stack among units; an invalid configuration whose
// errors name no stack is an error of all.
func (c *Checker) validateIn(ctx context.Context, dir string, units []*unit) error {
	if err := c.init(ctx, dir, false); err != nil {
		return err
	}
	validated, err := c.validate(ctx, dir)
	if err != nil {
		return err
	}
	if c.attribute("terraform validate", validateDiagnostics(validated), units) == 0 && !validated.Valid {
		return fmt.Errorf("terraform validate: the configuration is invalid, with %d errors", validated.ErrorCount)
	}
	return nil
}

// validate runs `terraform validate -json` in dir, bounded by the checker's
// timeout. An invalid configuration is no error: its diagnostics say why.
func (c *Checker) validate(ctx context.Context, dir string) (*tfjson.ValidateOutput, error) {
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()
	tf, err := c.TF.exec(dir)
	if err != nil {
		return nil, err
	}
	out, err := tf.Validate(ctx)
	if err != nil {
		return nil, failed(ctx, "validate", err)
	}
	return out, nil
}

// plan runs an offline `terraform plan -json` in dir into dir/tfplan (no
// refresh, no lock), bounded by the checker's timeout, and returns its
// machine-readable output.
func (c *Checker) plan(ctx context.Context, dir string) ([]byte, error) {
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()
	tf, err := c.TF.exec(dir)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if _, err := tf.PlanJSON(ctx, &out, tfexec.Refresh(false), tfexec.Lock(false), tfexec.Out("tfplan")); err != nil {
		return out.Bytes(), failed(ctx, "plan", err)
	}
	return out.Bytes(), nil
}

// show reads the plan dir/tfplan with `terraform show -json`, bounded by the
// checker's timeout.
func (c *Checker) show(ctx context.Context, dir string) (*tfjson.Plan, error) {
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()
	tf, err := c.TF.exec(dir)
	if err != nil {
		return nil, err
	}
	p, err := tf.ShowPlanFile(ctx, "tfplan")
	if err != nil {
		return nil, failed(ctx, "show", err)
	}
	return p, nil
}

func (c *Checker) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	d := c.Timeout
	if d == 0 {
		d = 10 * time.Minute
	}
	return context.WithTimeout(ctx, d)
}

// offline enforces the rule that keeps stacks plannable without AWS: no data
// source but the cross-stack remote state (account ids, ARNs and the
// organization id are composed from the configuration, never looked up).
// Two exceptions, in a stack with import blocks only (never planned
// offline): an aws_kms_key data source that reads a key the stack imports
// as an aws_kms_key, for the preconditions on what that key is
// (docs/aws-rules.md#imported-key-checks), and an aws_s3_bucket data source
// that reads a bucket the stack imports as an aws_s3_bucket, for the
// precondition on its region.
func offline(doc map[string]any) error {
	imported, importedBuckets := map[string]bool{}, map[string]bool{}
	for _, b := range list(doc, "import") {
		to, _ := b["to"].(string)
		id, _ := b["id"].(string)
		switch {
		case id == "":
		case strings.HasPrefix(to, "aws_kms_key."):
			imported[id] = true
		case strings.HasPrefix(to, "aws_s3_bucket."):
			importedBuckets[id] = true
		}
	}
	var bad []string
	for typ := range object(doc, "data") {
		if typ == "terraform_remote_state" {
			continue
		}
		for name, ds := range object(object(doc, "data"), typ) {
			if typ == "aws_kms_key" {
				d, _ := ds.(map[string]any)
				keyID, _ := d["key_id"].(string)
				if i := strings.LastIndex(keyID, ":key/"); i >= 0 && imported[keyID[i+len(":key/"):]] {
					continue
				}
			}
			if typ == "aws_s3_bucket" {
				d, _ := ds.(map[string]any)
				if name, _ := d["bucket"].(string); importedBuckets[name] {
					continue
				}
			}
			bad = append(bad, "data."+typ+"."+name)
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return fmt.Errorf("the stack reads data sources that call AWS at plan time (%s): compose the values from the configuration instead", strings.Join(bad, ", "))
	}
	return nil
}

// importTargets checks what terraform validate does not (measured with
// Terraform 1.11.4: an import block whose `to` names no resource validates):
// each import block names a resource of the stack, a non-empty id, and
// either no provider or the resource's own.
func importTargets(doc map[string]any) error {
	var bad []string
	for i, b := range list(doc, "import") {
		to, _ := b["to"].(string)
		typ, name, _ := strings.Cut(to, ".")
		r := object(object(object(doc, "resource"), typ), name)
		switch id, _ := b["id"].(string); {
		case r == nil:
			bad = append(bad, fmt.Sprintf("import block %d: `to` %q names no resource of the stack", i, to))
		case id == "":
			bad = append(bad, fmt.Sprintf("import block %d (%s): no import id", i, to))
		case b["provider"] != nil && b["provider"] != r["provider"]:
			bad = append(bad, fmt.Sprintf("import block %d (%s): provider %v is not the resource's (%v)", i, to, b["provider"], r["provider"]))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("%s", strings.Join(bad, "; "))
	}
	return nil
}

// withBackendCheck returns a copy of doc with a terraform_remote_state data
// source whose backend and configuration are the stack's own backend's.
func withBackendCheck(doc map[string]any) map[string]any {
	out := deepCopy(doc)
	for typ, conf := range object(object(out, "terraform"), "backend") {
		data := ensureObject(out, "data")
		rs := ensureObject(data, "terraform_remote_state")
		rs[backendCheck] = map[string]any{"backend": typ, "config": conf}
	}
	// A module's own backend block would be ignored, with a warning.
	delete(object(out, "terraform"), "backend")
	return out
}

// planCopy returns the copy of a stack that plans offline: fake static
// credentials and the provider's skip flags instead of assume_role and
// allowed_account_ids, no backend (local state), and each cross-stack remote
// state read from a stub state, written into root, whose outputs are
// realistic values. It also returns the stub outputs by name.
func planCopy(u *unit, tfVersion, root string) (map[string]any, map[string]string, error) {
	doc, cfg := u.doc, u.cfg
	out := deepCopy(doc)
	delete(object(out, "terraform"), "backend")
	for _, p := range list(object(out, "provider"), "aws") {
		delete(p, "assume_role")
		delete(p, "allowed_account_ids")
		p["access_key"] = fakeAccessKey
		p["secret_key"] = fakeSecretKey
		p["skip_credentials_validation"] = true
		p["skip_requesting_account_id"] = true
		p["skip_metadata_api_check"] = true
	}
	stubs := map[string]string{}
	for name, v := range object(object(out, "data"), "terraform_remote_state") {
		producer, ok := strings.CutPrefix(name, crossStackInput)
		if !ok {
			return nil, nil, fmt.Errorf("data.terraform_remote_state.%s is not a cdktf cross-stack reference: no stub for it", name)
		}
		raw, ok := cfg.Stacks[producer]
		if !ok {
			return nil, nil, fmt.Errorf("data.terraform_remote_state.%s reads stack %q, which the configuration does not have", name, producer)
		}
		pdoc, err := parseObject(raw)
		if err != nil {
			return nil, nil, err
		}
		outputs, err := stubOutputs(pdoc)
		if err != nil {
			return nil, nil, fmt.Errorf("stack %s: %w", producer, err)
		}
		// Relative to the root module, where terraform runs.
		file := u.module + "/stub-" + producer + ".tfstate"
		if err := writeJSON(filepath.Join(root, file), stubState(outputs, tfVersion)); err != nil {
			return nil, nil, err
		}
		rs := v.(map[string]any)
		rs["backend"] = "local"
		rs["config"] = map[string]any{"path": file}
		for k, v := range outputs {
			stubs[k] = v
		}
	}
	return out, stubs, nil
}

var outputExpr = regexp.MustCompile(`^\$\{(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)\}$`)

// stubOutputs gives each output of a producing stack the value AWS would:
// the ARN of a key, in the account and region of the provider that creates
// it. An output it cannot model is an error, never an empty stub.
func stubOutputs(doc map[string]any) (map[string]string, error) {
	out := map[string]string{}
	for name, v := range object(doc, "output") {
		o, _ := v.(map[string]any)
		expr, _ := o["value"].(string)
		m := outputExpr.FindStringSubmatch(expr)
		if m == nil || m[3] != "arn" || (m[1] != "aws_kms_key" && m[1] != "aws_kms_replica_key") {
			return nil, fmt.Errorf("output %s = %q: tfcheck has no realistic stub for it (teach stubOutputs)", name, expr)
		}
		body := object(object(object(doc, "resource"), m[1]), m[2])
		if body == nil {
			return nil, fmt.Errorf("output %s refers to %s.%s, which the stack does not create", name, m[1], m[2])
		}
		region, account, err := providerOf(doc, body)
		if err != nil {
			return nil, fmt.Errorf("output %s: %w", name, err)
		}
		sum := sha256.Sum256([]byte(m[1] + "." + m[2]))
		out[name] = fmt.Sprintf("arn:%s:kms:%s:%s:key/mrk-%s", rules.Partition(region), region, account, hex.EncodeToString(sum[:16]))
	}
	return out, nil
}

// providerOf returns the region and the (first allowed) account of the AWS
// provider a resource of doc is created through.
func providerOf(doc, resource map[string]any) (region, account string, err error) {
	alias := ""
	if p, ok := resource["provider"].(string); ok {
		alias = strings.TrimPrefix(p, "aws.")
	}
	for _, p := range list(object(doc, "provider"), "aws") {
		if a, _ := p["alias"].(string); a != alias {
			continue
		}
		region, _ = p["region"].(string)
		if ids, ok := p["allowed_account_ids"].([]any); ok && len(ids) > 0 {
			account, _ = ids[0].(string)
		}
		if region == "" || account == "" {
			return "", "", fmt.Errorf("provider aws %q names no region or allowed account", alias)
		}
		return region, account, nil
	}
	return "", "", fmt.Errorf("no aws provider with alias %q", alias)
}

// stubState is a state file (format version 4) holding only outputs. It is
// written by hand: terraform-json models the state as `terraform show -json`
// prints it, not the file Terraform reads.
func stubState(outputs map[string]string, tfVersion string) map[string]any {
	outs := map[string]any{}
	for k, v := range outputs {
		outs[k] = map[string]any{"value": v, "type": "string"}
	}
	return map[string]any{
		"version": 4, "terraform_version": tfVersion, "serial": 1,
		"lineage": "cloudtrail-mrk-validate-stub", "outputs": outs, "resources": []any{},
	}
}

func parseObject(raw []byte) (map[string]any, error) {
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	return doc, nil
}

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

func deepCopy(doc map[string]any) map[string]any {
	data, _ := json.Marshal(doc)
	var out map[string]any
	_ = json.Unmarshal(data, &out)
	return out
}

// object returns m[key] as an object, or nil.
func object(m map[string]any, key string) map[string]any {
	o, _ := m[key].(map[string]any)
	return o
}

// ensureObject returns m[key] as an object, creating it when missing.
func ensureObject(m map[string]any, key string) map[string]any {
	if o := object(m, key); o != nil {
		return o
	}
	o := map[string]any{}
	m[key] = o
	return o
}

// list returns m[key] as a list of objects (cdktf writes providers as lists).
func list(m map[string]any, key string) []map[string]any {
	var out []map[string]any
	switch v := m[key].(type) {
	case []any:
		for _, e := range v {
			if o, ok := e.(map[string]any); ok {
				out = append(out, o)
			}
		}
	case map[string]any:
		out = append(out, v)
	}
	return out
}
