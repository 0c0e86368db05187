package access

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/policyeval"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/verify"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/verify/fixture"
)

// The verify command's own calls (docs/verify.md#permissions). The proofs
// of verifiers.go judge the requests this package expects the verifier to
// make; these judge the requests it does make. A trail bucket of this
// configuration's names (bucket, prefix, organization, trail, home region,
// and the recovery copy) is generated with verify/fixture, the verifier
// reads it as the verify command does with --config (the trail known, so
// the tree is read from the trail's own folders), and every listing and
// read it makes, in the trail bucket and the recovery copy, is recorded
// and judged as the S3 request it becomes (docs/aws-rules.md#verifier-s3-actions):
//
//   - a listing, with or without a delimiter: s3:ListBucket on the bucket
//     with s3:prefix the listed prefix (ListObjectsV2);
//   - an earlier versions' listing: s3:ListBucketVersions, s3:prefix the key
//     (ListObjectVersions);
//   - a read of the current object: s3:GetObject on it (GetObject);
//   - a read of an earlier version: s3:GetObjectVersion on it.
//
// Each must be allowed. A verifier that gets AccessDenied on one of them
// could not check at all (exit 2), so a grant narrower than the command's
// calls fails here rather than on the auditor's first run.

// callRecorder wraps a verify.Store and records the S3 requests its calls
// become.
type callRecorder struct {
	verify.Store
	mu    sync.Mutex
	calls map[string]verifierCall
}

// verifierCall is one S3 request of the verify command.
type verifierCall struct {
	action, key, prefix string
}

func (s *callRecorder) add(c verifierCall) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.calls == nil {
		s.calls = map[string]verifierCall{}
	}
	s.calls[c.action+" "+c.key+" "+c.prefix] = c
}

func (s *callRecorder) ListPrefixes(ctx context.Context, prefix, delimiter string) ([]string, error) {
	s.add(verifierCall{action: "s3:ListBucket", prefix: prefix})
	return s.Store.ListPrefixes(ctx, prefix, delimiter)
}

func (s *callRecorder) List(ctx context.Context, prefix string, fn func(verify.Object) error) error {
	s.add(verifierCall{action: "s3:ListBucket", prefix: prefix})
	return s.Store.List(ctx, prefix, fn)
}

func (s *callRecorder) Open(ctx context.Context, key, versionID string) (io.ReadCloser, verify.Meta, error) {
	if versionID == "" {
		s.add(verifierCall{action: "s3:GetObject", key: key})
	} else {
		s.add(verifierCall{action: "s3:GetObjectVersion", key: key})
	}
	return s.Store.Open(ctx, key, versionID)
}

func (s *callRecorder) Versions(ctx context.Context, key string) ([]verify.Object, error) {
	s.add(verifierCall{action: "s3:ListBucketVersions", prefix: key})
	return s.Store.Versions(ctx, key)
}

// sorted returns the recorded calls in a stable order.
func (s *callRecorder) sorted() []verifierCall {
	var out []verifierCall
	for _, c := range s.calls {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.action != b.action {
			return a.action < b.action
		}
		if a.prefix != b.prefix {
			return a.prefix < b.prefix
		}
		return a.key < b.key
	})
	return out
}

// verifierCommandCalls runs the verifier over a generated bucket of this
// configuration's names and returns its calls in the trail bucket and in
// the recovery copy (nil without replication). A log file of the trail
// bucket is modified so that the verifier also reads its earlier versions
// (the directory store has none: the listing is still asked for).
func (c *checker) verifierCommandCalls() (trail, recovery []verifierCall, err error) {
	dir, err := os.MkdirTemp("", "check-access-verify-")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(dir)
	member := "222233334444"
	if member == c.trail.Account {
		member = "222233335555"
	}
	regions := []string{c.cfg.HomeRegion}
	if r := c.cfg.Replication; r.Enabled && r.Region != c.cfg.HomeRegion {
		regions = append(regions, r.Region)
	}
	spec := fixture.Spec{
		Bucket: c.cfg.Bucket.Name, Prefix: c.cfg.Trail.S3KeyPrefix, OrganizationID: c.cfg.OrganizationID,
		Trail: c.trail.Name, HomeRegion: c.cfg.HomeRegion,
		Accounts: []string{c.trail.Account, member}, Regions: regions,
		Hours: 3, FilesPerHour: 1, EventsPerFile: 2, Gap: -1, EmptyHour: -1, Workers: 1,
	}
	f, err := fixture.Write(filepath.Join(dir, "trail"), spec)
	if err != nil {
		return nil, nil, fmt.Errorf("verifier calls: generating a bucket: %w", err)
	}
	sigs, err := verify.ReadSignatures(f.SignaturesFile())
	if err != nil {
		return nil, nil, err
	}
	keys, err := verify.NewFileKeys(f.PublicKeySpecs())
	if err != nil {
		return nil, nil, err
	}
	// One log file modified after delivery: the verifier looks for the
	// version it hashed.
	if len(f.Logs) == 0 {
		return nil, nil, errors.New("verifier calls: the generated bucket has no log file")
	}
	if err := os.WriteFile(f.Path(f.Logs[0]), fixture.Gzip([]byte(`{"Records":[]}`)), 0o644); err != nil {
		return nil, nil, err
	}
	tr := &callRecorder{Store: &verify.DirStore{Dir: f.BucketDir(), Signatures: sigs}}
	o := verify.Options{
		Store: tr, Keys: keys, Bucket: spec.Bucket, Prefix: spec.Prefix,
		OrganizationID: spec.OrganizationID, TrailAccount: c.trail.Account,
		TrailName: spec.Trail, HomeRegion: spec.HomeRegion, Offline: true, Workers: 2,
		From: f.Spec.Start, To: f.Spec.Start.Add(time.Duration(f.Spec.Hours) * time.Hour),
	}
	var rec *callRecorder
	if c.cfg.Replication.Enabled {
		rec = &callRecorder{Store: &verify.DirStore{Dir: f.BucketDir()}}
		o.Recovery = rec
	}
	r, err := verify.Verify(context.Background(), o)
	if err != nil {
		return nil, nil, fmt.Errorf("verifier calls: %w", err)
	}
	if r.Stats.Digests == 0 || r.Stats.LogFiles == 0 {
		return nil, nil, fmt.Errorf("verifier calls: the verifier found %d digests and %d log files in the generated bucket: it did not read the trail's folders", r.Stats.Digests, r.Stats.LogFiles)
	}
	trail = tr.sorted()
	if rec != nil {
		recovery = rec.sorted()
	}
	return trail, recovery, nil
}

// verifierCommand judges the verify command's calls for one verifier: each
// must be allowed, on the bucket it is made in.
func (c *checker) verifierCommand(j verifierJudge, res verifierResources, trail, recovery []verifierCall) {
	judge := func(l *located, bucket string, calls []verifierCall) {
		arn := fmt.Sprintf("arn:%s:s3:::%s", c.part, bucket)
		for _, call := range calls {
			req := policyeval.Request{Principal: j.who, Action: call.action, Context: ctx(tls...)}
			what := call.action + " on " + arn
			if call.key != "" {
				req.Resource = arn + "/" + call.key
				what = call.action + " on " + req.Resource
			} else {
				req.Resource = arn
				req.Context = ctx(with(tls, "s3:prefix", call.prefix)...)
				what += " with s3:prefix " + call.prefix
			}
			j.can(l, false, "the verify command's call: "+what, req)
		}
	}
	judge(res.trailBucket, c.cfg.Bucket.Name, trail)
	if res.recoveryBucket != nil {
		judge(res.recoveryBucket, c.cfg.Replication.BucketName, recovery)
	}
}
