package tfcheck

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
)

// modulePlan is the part of a plan (`terraform show -json`, decoded by
// terraform-json) about one stack, with addresses relative to the stack (as
// its own references are). Every stack is a module of the planned root
// configuration.
type modulePlan struct {
	changes []*tfjson.ResourceChange
	config  *tfjson.ConfigModule
	regions map[string]string // provider configuration key -> region
}

// module returns the part of the plan p about the stack in module name.
func module(p *tfjson.Plan, name string) *modulePlan {
	m := &modulePlan{config: &tfjson.ConfigModule{}, regions: map[string]string{}}
	if p.Config == nil {
		return m
	}
	if root := p.Config.RootModule; root != nil {
		if call := root.ModuleCalls[name]; call != nil && call.Module != nil {
			m.config = call.Module
		}
	}
	prefix := "module." + name
	for _, rc := range p.ResourceChanges {
		if rc.ModuleAddress != prefix {
			continue
		}
		local := *rc
		local.Address = strings.TrimPrefix(rc.Address, prefix+".")
		m.changes = append(m.changes, &local)
	}
	for key, pc := range p.Config.ProviderConfigs {
		if r, ok := constant(pc.Expressions, "region").(string); ok {
			m.regions[key] = r
		}
	}
	return m
}

// planned is one resource the plan creates, with what the checks need.
type planned struct {
	address, typ string
	region       string                        // of the provider that creates it
	after        map[string]any                // planned values
	unknown      map[string]any                // values known only after apply
	expressions  map[string]*tfjson.Expression // from the configuration
}

// check compares the plan with the synthesized stack doc and with what the
// configuration expects. It returns the number of resources created.
func (p *modulePlan) check(doc map[string]any, want Expect, stubs map[string]string) (int, error) {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	conf := map[string]int{}
	for i, r := range p.config.Resources {
		conf[r.Address] = i
	}
	byAddr := map[string]*planned{}
	counts := map[string]int{}
	for _, rc := range p.changes {
		if rc.Mode != tfjson.ManagedResourceMode {
			continue
		}
		var change tfjson.Change
		if rc.Change != nil {
			change = *rc.Change
		}
		if !change.Actions.Create() {
			fail("%s: planned %v, want only creates on an empty state", rc.Address, change.Actions)
		}
		after, _ := change.After.(map[string]any)
		unknown, _ := change.AfterUnknown.(map[string]any)
		r := &planned{address: rc.Address, typ: rc.Type, after: after, unknown: unknown}
		if i, ok := conf[rc.Address]; ok {
			c := p.config.Resources[i]
			r.region = p.regions[c.ProviderConfigKey]
			r.expressions = c.Expressions
		}
		if r.region == "" {
			fail("%s: no region for its provider", rc.Address)
		}
		byAddr[rc.Address] = r
		counts[rc.Type]++
	}

	// Every synthesized resource is planned, and the configuration decides
	// how many of each kind there are.
	synthesized := 0
	for _, byName := range object(doc, "resource") {
		if m, ok := byName.(map[string]any); ok {
			synthesized += len(m)
		}
	}
	if len(byAddr) != synthesized {
		fail("plans %d resources, the stack synthesizes %d", len(byAddr), synthesized)
	}
	for _, typ := range slices.Sorted(maps.Keys(want.Counts)) {
		if counts[typ] != want.Counts[typ] {
			fail("plans %d %s, the configuration makes %d", counts[typ], typ, want.Counts[typ])
		}
	}

	// The primary key in the home region, one replica per replica region,
	// each created through the provider of its region.
	var primary *planned
	for _, r := range byType(byAddr, "aws_kms_key") {
		if r.after["multi_region"] == true {
			if primary != nil {
				fail("two multi-region primary keys: %s and %s", primary.address, r.address)
			}
			primary = r
		}
	}
	if len(want.ReplicaRegions) > 0 || len(want.KMSBuckets) > 0 {
		switch {
		case primary == nil:
			fail("no multi-region primary key (aws_kms_key with multi_region = true)")
		case primary.region != want.HomeRegion:
			fail("%s is created in %s, want the home region %s", primary.address, primary.region, want.HomeRegion)
		}
	}
	var replicaRegions []string
	for _, r := range byType(byAddr, "aws_kms_replica_key") {
		replicaRegions = append(replicaRegions, r.region)
		if primary != nil && !references(r.expressions, "primary_key_arn", primary.address) {
			fail("%s does not replicate %s", r.address, primary.address)
		}
	}
	sort.Strings(replicaRegions)
	wantReplicas := append([]string(nil), want.ReplicaRegions...)
	sort.Strings(wantReplicas)
	if strings.Join(replicaRegions, ",") != strings.Join(wantReplicas, ",") {
		fail("replica keys are created through the providers of %v, want one in each of %v", replicaRegions, wantReplicas)
	}

	// Every bucket's default encryption: the key copy of its own region with
	// a Bucket Key, or SSE-S3 for access-log buckets.
	encryption := map[string]string{} // bucket name -> what encrypts it
	for _, sse := range byType(byAddr, "aws_s3_bucket_server_side_encryption_configuration") {
		bucket := referenced(byAddr, sse.expressions, "bucket", "aws_s3_bucket.")
		if bucket == nil {
			fail("%s names no bucket of this stack", sse.address)
			continue
		}
		name, _ := bucket.after["bucket"].(string)
		if bucket.region != sse.region {
			fail("%s is created in %s for bucket %s in %s", sse.address, sse.region, name, bucket.region)
		}
		rule := first(first(sse.after, "rule"), "apply_server_side_encryption_by_default")
		switch algo, _ := rule["sse_algorithm"].(string); algo {
		case "aws:kms":
			ruleExpr := block(block(sse.expressions, "rule"), "apply_server_side_encryption_by_default")
			key := referenced(byAddr, ruleExpr, "kms_master_key_id", "aws_kms_key.", "aws_kms_replica_key.")
			switch {
			case key == nil:
				fail("bucket %s is encrypted with a key this stack does not create", name)
			case key.region != bucket.region:
				fail("bucket %s (%s) is encrypted with %s, a key copy in %s: CloudTrail and S3 need the copy in the bucket's region", name, bucket.region, key.address, key.region)
			case slices.Contains(want.OwnKeyBuckets, name):
				if key == primary || key.typ != "aws_kms_key" || key.after["multi_region"] == true {
					fail("bucket %s is encrypted with %s, want a single-region key of its own", name, key.address)
				} else {
					encryption[name] = "own-kms"
				}
			case key != primary && (key.typ != "aws_kms_replica_key" || !references(key.expressions, "primary_key_arn", addr(primary))):
				fail("bucket %s is encrypted with %s, which is not a copy of the multi-region key", name, key.address)
			default:
				encryption[name] = "kms"
			}
			if first(sse.after, "rule")["bucket_key_enabled"] != true {
				fail("bucket %s has S3 Bucket Keys off", name)
			}
		case "AES256":
			encryption[name] = "sse-s3"
		default:
			fail("bucket %s has sse_algorithm %q", name, algo)
		}
	}
	for _, b := range want.KMSBuckets {
		if encryption[b] != "kms" {
			fail("bucket %s must be encrypted with the multi-region key's copy in its region (has %q)", b, encryption[b])
		}
	}
	for _, b := range want.OwnKeyBuckets {
		if encryption[b] != "own-kms" {
			fail("bucket %s must be encrypted with a single-region key of its own (has %q)", b, encryption[b])
		}
	}
	for _, b := range want.SSES3Buckets {
		if encryption[b] != "sse-s3" {
			fail("access-log bucket %s must use SSE-S3 (has %q)", b, encryption[b])
		}
	}
	for _, b := range byType(byAddr, "aws_s3_bucket") {
		if name, _ := b.after["bucket"].(string); encryption[name] == "" {
			fail("bucket %s has no default encryption", name)
		}
	}

	// The trail: in its home region, into the trail bucket, encrypted with
	// the primary key's full ARN (from the stub state across stacks).
	if want.TrailBucket != "" {
		trails := byType(byAddr, "aws_cloudtrail")
		if len(trails) != 1 {
			fail("plans %d trails, want 1", len(trails))
		} else {
			t := trails[0]
			if t.region != want.HomeRegion {
				fail("the trail is created in %s, want %s", t.region, want.HomeRegion)
			}
			if t.after["s3_bucket_name"] != want.TrailBucket {
				fail("the trail writes to %v, want %s", t.after["s3_bucket_name"], want.TrailBucket)
			}
			switch kms := t.after["kms_key_id"].(type) {
			case string:
				if want.TrailKeyARN != "" {
					if kms != want.TrailKeyARN {
						fail("the trail's kms_key_id is %q, want the existing key's home-region copy %s", kms, want.TrailKeyARN)
					}
				} else if !isPrimaryStub(kms, stubs, want.HomeRegion) {
					fail("the trail's kms_key_id is %q, want the primary key's ARN from the log-archive stack's outputs %v", kms, stubs)
				}
			default:
				if t.unknown["kms_key_id"] != true || primary == nil || !references(t.expressions, "kms_key_id", primary.address) {
					fail("the trail's kms_key_id is neither the primary key's ARN from another stack nor this stack's primary key")
				}
			}
		}
	}
	return len(byAddr), errors.Join(errs...)
}

// isPrimaryStub reports whether arn is the stub value of a key output in the
// home region (the primary key; replicas live in other regions).
func isPrimaryStub(arn string, stubs map[string]string, home string) bool {
	for _, v := range stubs {
		if v == arn && strings.Contains(arn, ":kms:"+home+":") {
			return true
		}
	}
	return false
}

func byType(byAddr map[string]*planned, typ string) []*planned {
	var out []*planned
	for _, a := range slices.Sorted(maps.Keys(byAddr)) {
		if r := byAddr[a]; r.typ == typ {
			out = append(out, r)
		}
	}
	return out
}

func addr(p *planned) string {
	if p == nil {
		return "\x00"
	}
	return p.address
}

// refs lists the references of expression name.
func refs(expressions map[string]*tfjson.Expression, name string) []string {
	if e := expressions[name]; e != nil && e.ExpressionData != nil {
		return e.References
	}
	return nil
}

// references reports whether expression name refers to the resource address.
func references(expressions map[string]*tfjson.Expression, name, address string) bool {
	for _, r := range refs(expressions, name) {
		if r == address || strings.HasPrefix(r, address+".") {
			return true
		}
	}
	return false
}

// referenced returns the planned resource that expression name refers to,
// among those whose address starts with one of prefixes.
func referenced(byAddr map[string]*planned, expressions map[string]*tfjson.Expression, name string, prefixes ...string) *planned {
	for _, r := range refs(expressions, name) {
		for _, p := range prefixes {
			if !strings.HasPrefix(r, p) {
				continue
			}
			parts := strings.SplitN(r, ".", 3)
			if len(parts) >= 2 {
				if res := byAddr[parts[0]+"."+parts[1]]; res != nil {
					return res
				}
			}
		}
	}
	return nil
}

// constant returns the constant value of expression name.
func constant(expressions map[string]*tfjson.Expression, name string) any {
	if e := expressions[name]; e != nil && e.ExpressionData != nil {
		return e.ConstantValue
	}
	return nil
}

// block returns the expressions of the first nested block key.
func block(expressions map[string]*tfjson.Expression, key string) map[string]*tfjson.Expression {
	if e := expressions[key]; e != nil && e.ExpressionData != nil && len(e.NestedBlocks) > 0 {
		return e.NestedBlocks[0]
	}
	return nil
}

// first returns the first element of the nested block m[key] of planned
// values.
func first(m map[string]any, key string) map[string]any {
	if l := asList(m[key]); len(l) > 0 {
		o, _ := l[0].(map[string]any)
		return o
	}
	return nil
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
