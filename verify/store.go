package verify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Object is one stored object (one version of it, when the store keeps
// versions).
type Object struct {
	Key          string
	VersionID    string
	Size         int64
	LastModified time.Time
	IsLatest     bool
}

// Meta is what a store knows of an object besides its bytes.
type Meta struct {
	// Metadata holds the user metadata by lower-case name without the
	// x-amz-meta- prefix: "signature", "signature-algorithm",
	// "backfill-generation-timestamp" (docs/aws-rules.md#digest-signature-metadata).
	Metadata map[string]string
	// ReplicationStatus is S3's x-amz-replication-status: "", PENDING,
	// COMPLETED, FAILED or REPLICA (docs/aws-rules.md#replication-status).
	ReplicationStatus string
	VersionID         string
	LastModified      time.Time
}

// Store is where the trail's objects are read from: an S3 bucket or a
// directory holding a copy of one.
type Store interface {
	// Name is "s3://bucket" or the directory.
	Name() string
	// List calls fn for every current object under prefix, in key order.
	List(ctx context.Context, prefix string, fn func(Object) error) error
	// ListPrefixes returns the common prefixes one level under prefix:
	// each distinct key under prefix cut after the first delimiter that
	// follows prefix, delimiter included ("AWSLogs/" gives
	// "AWSLogs/o-exampleorgid/", "AWSLogs/111122223333/"), sorted. It
	// lists folders, not the objects in them: ListObjectsV2 with a
	// Delimiter in S3 (docs/aws-rules.md#listing-by-folder).
	ListPrefixes(ctx context.Context, prefix, delimiter string) ([]string, error)
	// Open returns the stored bytes (gzip, as CloudTrail wrote them) of
	// the current version ("") or of versionID. A missing object is an
	// error that errors.Is(err, ErrNotFound) reports.
	Open(ctx context.Context, key, versionID string) (io.ReadCloser, Meta, error)
	// Versions returns every version of key, newest first, or
	// ErrNoVersions when the store keeps none.
	Versions(ctx context.Context, key string) ([]Object, error)
}

// ErrNotFound is returned by Open for an object the store does not hold.
var ErrNotFound = errors.New("no such object")

// ErrNoVersions is returned by Versions when the store keeps no versions.
var ErrNoVersions = errors.New("the store keeps no object versions")

// DirStore is a directory holding a copy of a bucket's objects under their
// keys. A copy loses S3's object metadata, so the digests' signatures come
// from a signatures file (ReadSignatures); without one, a digest's signature
// is taken from the next digest's previousDigestSignature, as the User
// Guide's offline procedure does (docs/aws-rules.md#offline-validation).
type DirStore struct {
	Dir        string
	Signatures Signatures
}

// Name returns the directory.
func (d *DirStore) Name() string { return d.Dir }

// List walks the directory in key order, from the deepest directory the
// prefix names (a prefix "a/b/c" walks a/b only).
func (d *DirStore) List(ctx context.Context, prefix string, fn func(Object) error) error {
	var objs []Object
	start := d.Dir
	if i := strings.LastIndex(prefix, "/"); i >= 0 {
		start = filepath.Join(d.Dir, filepath.FromSlash(prefix[:i]))
	}
	err := filepath.WalkDir(start, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			if path == start && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll // nothing under the prefix
			}
			return err
		}
		if e.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(d.Dir, path)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if !strings.HasPrefix(key, prefix) {
			return nil
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		objs = append(objs, Object{Key: key, Size: info.Size(), LastModified: info.ModTime().UTC(), IsLatest: true})
		return nil
	})
	if err != nil {
		return fmt.Errorf("list %s: %w", d.Dir, err)
	}
	sort.Slice(objs, func(i, j int) bool { return objs[i].Key < objs[j].Key })
	for _, o := range objs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(o); err != nil {
			return err
		}
	}
	return nil
}

// ListPrefixes reads one directory: the subdirectories whose names start
// with what follows prefix's last "/". Only "/" is a delimiter in a
// directory. A directory that holds no file at any depth is a prefix here
// and not in S3 (S3 has no empty folders); the verifier finds nothing in it.
func (d *DirStore) ListPrefixes(ctx context.Context, prefix, delimiter string) ([]string, error) {
	if delimiter != "/" {
		return nil, fmt.Errorf("list %s: delimiter %q: a directory store splits keys at \"/\" only", d.Dir, delimiter)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	dir, name := "", prefix
	if i := strings.LastIndex(prefix, "/"); i >= 0 {
		dir, name = prefix[:i+1], prefix[i+1:]
	}
	entries, err := os.ReadDir(filepath.Join(d.Dir, filepath.FromSlash(dir)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", d.Dir, err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), name) {
			out = append(out, dir+e.Name()+"/")
		}
	}
	sort.Strings(out)
	return out, nil
}

// Open opens the file at key; versionID must be "".
func (d *DirStore) Open(_ context.Context, key, versionID string) (io.ReadCloser, Meta, error) {
	if versionID != "" {
		return nil, Meta{}, fmt.Errorf("%s: version %s: %w", key, versionID, ErrNoVersions)
	}
	path := filepath.Join(d.Dir, filepath.FromSlash(key))
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, Meta{}, fmt.Errorf("%s: %w", key, ErrNotFound)
	}
	if err != nil {
		return nil, Meta{}, err
	}
	meta := Meta{}
	if info, err := f.Stat(); err == nil {
		meta.LastModified = info.ModTime().UTC()
	}
	if s, ok := d.Signatures[key]; ok {
		meta.Metadata = map[string]string{}
		for k, v := range s {
			meta.Metadata[k] = v
		}
	}
	return f, meta, nil
}

// Versions reports that a directory keeps no versions.
func (d *DirStore) Versions(context.Context, string) ([]Object, error) {
	return nil, ErrNoVersions
}

// Signatures maps a digest's key to its S3 user metadata, by lower-case
// name without x-amz-meta-: {"<key>": {"signature": "<hex>",
// "signature-algorithm": "SHA256withRSA"}}.
type Signatures map[string]map[string]string

// ReadSignatures reads a signatures file. Names are accepted with or without
// the x-amz-meta- prefix, in any case.
func ReadSignatures(path string) (Signatures, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("signatures file: %w", err)
	}
	var raw map[string]map[string]string
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("signatures file %s: not a JSON object of {\"<digest key>\": {\"signature\": \"<hex>\", \"signature-algorithm\": \"SHA256withRSA\"}}: %w", path, err)
	}
	out := Signatures{}
	for key, m := range raw {
		// "s3://bucket/key" names the same digest as "key".
		if rest, ok := strings.CutPrefix(key, "s3://"); ok {
			if _, k, found := strings.Cut(rest, "/"); found {
				key = k
			}
		}
		meta := map[string]string{}
		for k, v := range m {
			meta[strings.TrimPrefix(strings.ToLower(k), "x-amz-meta-")] = v
		}
		out[key] = meta
	}
	return out, nil
}

// Write writes the signatures as indented JSON with sorted keys.
func (s Signatures) Write(path string) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}
