package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/config"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/internal/runtime/version"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// file is one JSON file of the output.
type file struct {
	name string
	v    any
}

// keyPolicy is one key copy's file: which copy, and the statements to add.
type keyPolicy struct {
	KeyArn    string `json:"KeyArn"`
	Version   string `json:"Version"`
	Statement any    `json:"Statement"`
}

// bucketPolicy is the bucket's file.
type bucketPolicy struct {
	Bucket    string `json:"Bucket"`
	Account   string `json:"Account"`
	Version   string `json:"Version"`
	Statement any    `json:"Statement"`
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("required-policy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "required-policy", "the directory to write the JSON files into (created; files of the same names replaced)")
	showVersion := version.Flag(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if version.Print(stdout, "required-policy", showVersion) {
		return 0
	}
	cfg, source, err := config.FromEnv()
	if err != nil {
		fmt.Fprintf(stderr, "required-policy: %v\n", err)
		return 2
	}
	files, err := compose(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "required-policy: %s: %v\n", source, err)
		return 1
	}
	if len(files) == 0 {
		fmt.Fprintf(stdout, "required-policy: %s: the configuration creates its bucket and key and names no verifier; nothing to add\n", source)
		return 0
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintf(stderr, "required-policy: %v\n", err)
		return 1
	}
	for _, f := range files {
		data, err := render(f.v)
		if err != nil {
			fmt.Fprintf(stderr, "required-policy: %s: %v\n", f.name, err)
			return 1
		}
		if err := os.WriteFile(filepath.Join(*out, f.name), data, 0o644); err != nil {
			fmt.Fprintf(stderr, "required-policy: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "required-policy: wrote %s\n", filepath.Join(*out, f.name))
	}
	return 0
}

// compose lists the files of cfg's required statements, in a fixed order.
func compose(cfg *config.Config) ([]file, error) {
	req, err := cfg.RequiredPolicies()
	if err != nil {
		return nil, err
	}
	var files []file
	if b := req.Bucket; b != nil {
		files = append(files, file{"bucket-policy.json", bucketPolicy{Bucket: cfg.Bucket.Name, Account: cfg.Accounts.LogArchive.ID, Version: b.Version, Statement: b.Statement}})
	}
	arns := cfg.ExistingKeyARNs()
	for _, region := range slices.Sorted(maps.Keys(req.Keys)) {
		d := req.Keys[region]
		files = append(files, file{"key-policy." + region + ".json", keyPolicy{KeyArn: arns[region], Version: d.Version, Statement: d.Statement}})
	}
	if len(req.KeyTags) > 0 {
		files = append(files, file{"key-tags.json", req.KeyTags})
	}
	// Recommended, not required: the trail delivers without it.
	if b := req.BucketProtection; b != nil {
		files = append(files, file{"bucket-protection.recommended.json", bucketPolicy{Bucket: cfg.Bucket.Name, Account: cfg.Accounts.LogArchive.ID, Version: b.Version, Statement: b.Statement}})
	}
	// The verifiers' identity policy, a whole document (IAM takes it as
	// written): docs/verify.md#permissions.
	v, err := cfg.VerifierPolicy()
	if err != nil {
		return nil, err
	}
	if v != nil {
		files = append(files, file{verifierPolicyFile, *v})
	}
	return files, nil
}

// verifierPolicyFile is the file of the verifiers' identity policy.
const verifierPolicyFile = "verifier-policy.json"

// render writes v as indented JSON with sorted object keys: through a
// generic value, so that the order of struct fields does not matter.
func render(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var generic any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&generic); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(generic); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
