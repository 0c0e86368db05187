package constructs

import (
	"fmt"
	"reflect"
	"sync"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/provider"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// providerVersionPath is the stack override that declares the AWS
// provider's version constraint.
const providerVersionPath = "terraform.required_providers.aws.version"

// ProviderConstraint is the AWS provider version constraint that every stack
// holding one of these constructs declares (DeclareProviderConstraint): as
// the floor, the later of the bindings' own version (older providers may
// lack arguments the bindings write) and rules.MinAWSProviderVersion; as the
// ceiling, the next major version (a major version may change behaviour).
// For bindings 5.84.0 it is ">= 5.85.0, < 6.0.0". bindingVersion is the
// provider version the bindings were generated from
// (TerraformGeneratorMetadata().ProviderVersion of any of their providers or
// resources); it must be MAJOR.MINOR.PATCH.
func ProviderConstraint(bindingVersion string) (string, error) {
	binding, err := parseVersion(bindingVersion)
	if err != nil {
		return "", fmt.Errorf("the AWS provider bindings report version %q, not MAJOR.MINOR.PATCH", bindingVersion)
	}
	floor, err := parseVersion(rules.MinAWSProviderVersion)
	if err != nil {
		return "", err
	}
	if binding[0] != floor[0] || binding[1] > floor[1] || binding[1] == floor[1] && binding[2] > floor[2] {
		floor = binding
	}
	return fmt.Sprintf(">= %d.%d.%d, < %d.0.0", floor[0], floor[1], floor[2], binding[0]+1), nil
}

func parseVersion(v string) ([3]int, error) {
	var out [3]int
	if n, err := fmt.Sscanf(v, "%d.%d.%d", &out[0], &out[1], &out[2]); n != 3 || err != nil ||
		fmt.Sprintf("%d.%d.%d", out[0], out[1], out[2]) != v {
		return out, fmt.Errorf("version %q is not MAJOR.MINOR.PATCH", v)
	}
	return out, nil
}

// DeclareProviderConstraint sets terraform.required_providers.aws.version of
// scope's stack to ProviderConstraint of the AWS provider bindings' version,
// as every constructor of this package does for its own stack. Call it for a
// stack that holds none of the constructs but should declare the same
// constraint. The version is read from an AWS provider of these bindings
// (github.com/cdktf/cdktf-provider-aws-go/aws/v19, the one version a Go
// build links) in scope's stack, once per process.
//
// The constraint is set once per stack: the first constructor (or call) on
// a stack sets it, later ones leave the stack alone. To pin tighter, add
// your own override on the same path after the first construct of the stack
// (a later AddOverride replaces the value); one made before it is replaced.
//
// It returns an error, and changes nothing, when scope is nil or outside a
// stack, or when no stack seen so far in this process had an AWS provider
// of these bindings (add the provider first).
func DeclareProviderConstraint(scope constructs.Construct) error {
	if scope == nil {
		return fmt.Errorf("DeclareProviderConstraint: scope is required (got nil)")
	}
	if _, isStack := scope.(cdktf.TerraformStack); !isStack {
		if node := scope.Node(); !inStack(scope, node) {
			return fmt.Errorf("DeclareProviderConstraint: scope must be a TerraformStack or a construct inside one (got %q)", *node.Path())
		}
	}
	return declareProviderConstraint(stackOf(scope), false)
}

// requireProviderConstraint declares the provider constraint on the stack
// of scope, a scope checkScope accepted. Every constructor calls it once its
// props are valid, where it creates its node. Unlike
// DeclareProviderConstraint it never fails: when no AWS provider of the
// bindings has been seen yet (the stack's provider is added after its first
// construct), the floor is rules.MinAWSProviderVersion alone (the bindings
// this module requires, 5.84.0, are older; newer bindings that a build
// selects raise the floor only once they are read).
func requireProviderConstraint(scope constructs.Construct) {
	_ = declareProviderConstraint(stackOf(scope), true)
}

// declared is what DeclareProviderConstraint remembers: the bindings'
// version once read, and the stacks that declare the constraint.
var declared struct {
	sync.Mutex
	version string
	stacks  map[any]bool
}

// declareProviderConstraint adds the constraint override to stack unless an
// earlier call did. Each jsii call is a round trip to Node.js: the version
// is read once per process, and a stack already done costs none.
func declareProviderConstraint(stack cdktf.TerraformStack, fallback bool) error {
	declared.Lock()
	defer declared.Unlock()
	// Pointers identify a stack (jsii returns the Go value that created it);
	// any other value could not be a map key safely: it is declared again.
	var key any
	if reflect.ValueOf(stack).Kind() == reflect.Pointer {
		key = stack
		if declared.stacks[key] {
			return nil
		}
	}
	if declared.version == "" {
		declared.version = bindingsVersion(stack)
	}
	version := declared.version
	if version == "" {
		if !fallback {
			return fmt.Errorf("DeclareProviderConstraint: stack %q has no AWS provider (provider.NewAwsProvider) to read the bindings' version from: add it first", *stack.Node().Path())
		}
		version = rules.MinAWSProviderVersion
	}
	constraint, err := ProviderConstraint(version)
	if err != nil {
		return err // bindingsVersion returns versions ProviderConstraint accepts
	}
	stack.AddOverride(jsii.String(providerVersionPath), jsii.String(constraint))
	if key != nil {
		if declared.stacks == nil {
			declared.stacks = map[any]bool{}
		}
		declared.stacks[key] = true
	}
	return nil
}

// bindingsVersion is the provider version the AWS bindings were generated
// from, read from the first AWS provider of these bindings in stack, or ""
// when it has none (or its version is not MAJOR.MINOR.PATCH).
func bindingsVersion(stack cdktf.TerraformStack) string {
	for _, p := range *stack.AllProviders() {
		// A Go type assertion, no jsii call: an AWS provider of another
		// major version of the bindings is another Go type.
		aws, ok := p.(provider.AwsProvider)
		if !ok {
			continue
		}
		if m := aws.TerraformGeneratorMetadata(); m != nil && m.ProviderVersion != nil {
			if _, err := ProviderConstraint(*m.ProviderVersion); err == nil {
				return *m.ProviderVersion
			}
		}
	}
	return ""
}

// stackOf is the stack of scope, a TerraformStack or a construct inside one:
// scope itself, without a jsii call, when it is the stack.
func stackOf(scope constructs.Construct) cdktf.TerraformStack {
	if s, ok := scope.(cdktf.TerraformStack); ok {
		return s
	}
	return cdktf.TerraformStack_Of(scope)
}
