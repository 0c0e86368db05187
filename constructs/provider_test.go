package constructs

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"strings"
	"testing"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/provider"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
	st "github.com/cloudtrail-mrk/cloudtrail-mrk/internal/proof/synthtest"
)

func TestProviderConstraint(t *testing.T) {
	// The floor is the bindings' version, but never below 5.85.0 (the
	// provider that reads sns_topic_name back as a name).
	for in, want := range map[string]string{"5.84.0": ">= 5.85.0, < 6.0.0", "5.85.0": ">= 5.85.0, < 6.0.0",
		"5.100.2": ">= 5.100.2, < 6.0.0", "6.2.10": ">= 6.2.10, < 7.0.0"} {
		got, err := ProviderConstraint(in)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	for _, bad := range []string{"", "5.84", "v5.84.0", "5.84.0-beta1", "5.084.0"} {
		_, err := ProviderConstraint(bad)
		assert.Error(t, err, "%q", bad)
	}
}

// awsVersion is the stack's terraform.required_providers.aws.version.
func awsVersion(doc st.Doc) any {
	return st.Object(st.Object(st.Object(doc, "terraform"), "required_providers"), "aws")["version"]
}

// bindingsPin is the exact version the bindings pin without the constraint.
func bindingsPin(f *fixture) string {
	return *f.providers["us-west-2"].TerraformGeneratorMetadata().ProviderVersion
}

// TestStackOfConstructsDeclaresProviderConstraint: a stack built only from
// the constructs, as another CDKTF app builds it, declares the range the
// app's own stacks declare, not the bindings' exact pin.
func TestStackOfConstructsDeclaresProviderConstraint(t *testing.T) {
	f := newFixture(t)
	pin := bindingsPin(f)
	want, err := ProviderConstraint(pin)
	require.NoError(t, err)
	require.NotEqual(t, pin, want)
	k := f.key(t, nil)
	b := f.bucket(t, k, nil)
	_, err = NewTrail(f.stack, "Trail", TrailProps{Bucket: b, Key: k})
	require.NoError(t, err)
	doc := f.synth(t)
	assert.Equal(t, want, awsVersion(doc))
	assert.Equal(t, ">= 5.85.0, < 6.0.0", awsVersion(doc), "bindings 5.84.0, floor rules.MinAWSProviderVersion")
	assert.Equal(t, "aws", st.Object(st.Object(st.Object(doc, "terraform"), "required_providers"), "aws")["source"])

	// A construct inside a construct declares it on its stack too.
	g := newFixture(t)
	_, err = NewAccessLogBucket(constructs.NewConstruct(g.stack, jsii.String("Group")), "Logs",
		AccessLogBucketProps{BucketName: "access-logs-test", Partition: "aws", Account: "222222222222", SourceBuckets: []string{"trail-logs-test"}})
	require.NoError(t, err)
	assert.Equal(t, want, awsVersion(g.synth(t)))
}

// TestInvalidPropsDeclareNothing: a constructor that refuses its props
// leaves the stack as it was, the bindings' pin included.
func TestInvalidPropsDeclareNothing(t *testing.T) {
	f := newFixture(t)
	_, err := NewMultiRegionKey(f.stack, "Key", MultiRegionKeyProps{})
	require.Error(t, err)
	assert.Equal(t, bindingsPin(f), awsVersion(f.synth(t)))
}

// TestProviderConstraintOverride: the constraint is declared once per
// stack, by its first construct, so that a user's own override made after
// that construct stays, whatever constructs follow; one made before the
// first construct is replaced by it (docs/library.md says so).
func TestProviderConstraintOverride(t *testing.T) {
	const mine = ">= 5.90.0, < 6.0.0"
	path := jsii.String("terraform.required_providers.aws.version")

	f := newFixture(t)
	k := f.key(t, nil)
	f.stack.AddOverride(path, jsii.String(mine))
	b := f.bucket(t, k, nil)
	_, err := NewTrail(f.stack, "Trail", TrailProps{Bucket: b, Key: k})
	require.NoError(t, err)
	assert.Equal(t, mine, awsVersion(f.synth(t)), "an override after the first construct wins")

	g := newFixture(t)
	g.stack.AddOverride(path, jsii.String(mine))
	g.key(t, nil)
	want, err := ProviderConstraint(bindingsPin(g))
	require.NoError(t, err)
	assert.Equal(t, want, awsVersion(g.synth(t)), "the first construct replaces an earlier override")
}

// withoutBindingsVersion runs fn as if no AWS provider had been seen yet in
// this process.
func withoutBindingsVersion(t *testing.T, fn func()) {
	t.Helper()
	declared.Lock()
	saved := declared.version
	declared.version = ""
	declared.Unlock()
	defer func() {
		declared.Lock()
		if declared.version == "" {
			declared.version = saved
		}
		declared.Unlock()
	}()
	fn()
}

// TestProviderAfterTheConstructs: a stack whose AWS provider comes after
// its first construct still declares a range, with rules.MinAWSProviderVersion
// as its floor; DeclareProviderConstraint refuses such a stack instead.
func TestProviderAfterTheConstructs(t *testing.T) {
	withoutBindingsVersion(t, func() {
		stack := cdktf.NewTerraformStack(cdktf.Testing_App(nil), jsii.String("late"))
		err := DeclareProviderConstraint(stack)
		require.Error(t, err)
		assert.Contains(t, err.Error(), `stack "late" has no AWS provider`)

		_, err = NewMultiRegionKey(stack, "Key", MultiRegionKeyProps{PrimaryRegion: "us-east-1", Alias: "alias/x", Policy: keyPolicy(t, testTrail)})
		require.NoError(t, err)
		provider.NewAwsProvider(stack, jsii.String("aws"), &provider.AwsProviderConfig{Region: jsii.String("us-east-1")})
		want, err := ProviderConstraint(rules.MinAWSProviderVersion)
		require.NoError(t, err)
		assert.Equal(t, want, awsVersion(st.Parse(t, *cdktf.Testing_Synth(stack, jsii.Bool(false)))))
	})
}

func TestDeclareProviderConstraint(t *testing.T) {
	assert.EqualError(t, DeclareProviderConstraint(nil), "DeclareProviderConstraint: scope is required (got nil)")
	assert.EqualError(t, DeclareProviderConstraint(cdktf.Testing_App(nil)),
		`DeclareProviderConstraint: scope must be a TerraformStack or a construct inside one (got "")`)

	// A stack with only its own resources declares the same range.
	f := newFixture(t)
	require.NoError(t, DeclareProviderConstraint(f.stack))
	require.NoError(t, DeclareProviderConstraint(f.stack), "twice is once")
	want, err := ProviderConstraint(bindingsPin(f))
	require.NoError(t, err)
	assert.Equal(t, want, awsVersion(f.synth(t)))
}

// TestEveryConstructorDeclaresProviderConstraint: every exported New...
// function of the package calls requireProviderConstraint, once.
func TestEveryConstructorDeclaresProviderConstraint(t *testing.T) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi fs.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	require.NoError(t, err)
	var constructors []string
	for _, pkg := range pkgs {
		for _, file := range pkg.Files {
			for _, d := range file.Decls {
				fn, ok := d.(*ast.FuncDecl)
				if !ok || fn.Recv != nil || !fn.Name.IsExported() || !strings.HasPrefix(fn.Name.Name, "New") {
					continue
				}
				constructors = append(constructors, fn.Name.Name)
				calls := 0
				ast.Inspect(fn.Body, func(n ast.Node) bool {
					if c, ok := n.(*ast.CallExpr); ok {
						if id, ok := c.Fun.(*ast.Ident); ok && id.Name == "requireProviderConstraint" {
							calls++
						}
					}
					return true
				})
				assert.Equal(t, 1, calls, "%s calls requireProviderConstraint", fn.Name.Name)
			}
		}
	}
	assert.ElementsMatch(t, []string{"NewAccessLogBucket", "NewAthenaQuery", "NewMultiRegionKey", "NewRecoveryBucket",
		"NewReplication", "NewTrail", "NewTrailBucket"}, constructors)
}
