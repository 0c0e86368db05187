package verify_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/verify"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/verify/fixture"
)

// spec is the small fixture every case starts from: an organization trail,
// two accounts, two regions, 30 hours, a stop and start, an empty hour and a
// backfill digest.
func spec() fixture.Spec {
	return fixture.Spec{OrganizationID: "o-exampleorgid", Prefix: "trail-logs", Backfill: true, Workers: 2, FilesPerHour: 2, EventsPerFile: 5}
}

// shared is a fixture generated once per test binary (signing and
// compressing are the slow part), read only; TestMain removes it.
type shared struct {
	spec func() fixture.Spec
	once sync.Once
	f    *fixture.Fixture
	err  error
}

func (s *shared) get(t *testing.T) *fixture.Fixture {
	t.Helper()
	s.once.Do(func() {
		dir, err := os.MkdirTemp("", "verify-fixture-")
		if err != nil {
			s.err = err
			return
		}
		s.f, s.err = fixture.Write(dir, s.spec())
	})
	require.NoError(t, s.err)
	return s.f
}

var template = &shared{spec: spec}

// newFixture copies the shared fixture into the test's own directory, to
// tamper with.
func newFixture(t *testing.T) *fixture.Fixture {
	t.Helper()
	template := template.get(t)
	root := t.TempDir()
	require.NoError(t, os.CopyFS(root, os.DirFS(template.Root)))
	f := *template
	f.Root = root
	f.Signatures = verify.Signatures{}
	for k, v := range template.Signatures {
		m := map[string]string{}
		for mk, mv := range v {
			m[mk] = mv
		}
		f.Signatures[k] = m
	}
	return &f
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, s := range []*shared{template, days} {
		if s.f != nil {
			os.RemoveAll(s.f.Root)
		}
	}
	os.Exit(code)
}

func options(t *testing.T, f *fixture.Fixture) verify.Options {
	t.Helper()
	sigs, err := verify.ReadSignatures(f.SignaturesFile())
	require.NoError(t, err)
	keys, err := verify.NewFileKeys(f.PublicKeySpecs())
	require.NoError(t, err)
	return verify.Options{
		Store: &verify.DirStore{Dir: f.BucketDir(), Signatures: sigs}, Keys: keys,
		Bucket: f.Spec.Bucket, Prefix: f.Spec.Prefix, OrganizationID: f.Spec.OrganizationID,
		TrailName: f.Spec.Trail, HomeRegion: f.Spec.HomeRegion, Offline: true,
		From: f.Spec.Start, To: f.Spec.Start.Add(time.Duration(f.Spec.Hours) * time.Hour), Workers: 4,
	}
}

func kinds(r *verify.Report) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, string(f.Kind))
	}
	sort.Strings(out)
	return out
}

func dump(r *verify.Report) string {
	b, _ := json.MarshalIndent(r.Findings, "", "  ")
	return string(b)
}

// middle returns a standard digest of the second account's first region in
// the middle of its chain, and the one after it.
func middle(f *fixture.Fixture) (string, string) {
	var ds []string
	for _, k := range f.Digests {
		if strings.Contains(k, "/"+f.Spec.Accounts[1]+"/CloudTrail-Digest/"+f.Spec.Regions[0]+"/") {
			ds = append(ds, k)
		}
	}
	sort.Strings(ds)
	// Two standard digests after the fixture's stop and start (hours 7 to
	// 9 stopped), neither the chain's newest.
	return ds[len(ds)-4], ds[len(ds)-3]
}

// lastDigest is the newest standard digest of the second account's first
// region: no digest names it.
func lastDigest(f *fixture.Fixture) string {
	var ds []string
	for _, k := range f.Digests {
		if strings.Contains(k, "/"+f.Spec.Accounts[1]+"/CloudTrail-Digest/"+f.Spec.Regions[0]+"/") {
			ds = append(ds, k)
		}
	}
	sort.Strings(ds)
	return ds[len(ds)-1]
}

// chainDigests are the standard digests of one account's and region's
// chain, oldest first.
func chainDigests(f *fixture.Fixture, account, region string) []string {
	var ds []string
	for _, k := range f.Digests {
		if strings.Contains(k, "/"+account+"/CloudTrail-Digest/"+region+"/") && !strings.Contains(k, "_backfill") {
			ds = append(ds, k)
		}
	}
	sort.Strings(ds)
	return ds
}

func logOf(f *fixture.Fixture, i int) string {
	logs := append([]string(nil), f.Logs...)
	sort.Strings(logs)
	return logs[i]
}

func TestUntamperedFixtureIsValid(t *testing.T) {
	f := newFixture(t)
	r, err := verify.Verify(context.Background(), options(t, f))
	require.NoError(t, err)
	assert.Equal(t, verify.ResultValid, r.Result, dump(r))
	assert.Empty(t, r.Findings, dump(r))
	assert.Equal(t, len(f.Digests), r.Stats.Digests)
	assert.Equal(t, r.Stats.Digests, r.Stats.DigestsValid)
	assert.Equal(t, len(f.Logs), r.Stats.LogFiles)
	assert.Equal(t, r.Stats.LogFiles, r.Stats.LogFilesValid)
	assert.Zero(t, r.Stats.SignedOverCompressed)
	require.Len(t, r.Chains, 4)
	restarts, backfill := 0, 0
	for _, c := range r.Chains {
		restarts += len(c.Restarts)
		backfill += c.Backfill
		assert.NotEmpty(t, c.FirstValidDigest)
		assert.NotEmpty(t, c.LastValidDigest)
	}
	assert.Equal(t, 4, restarts, "the fixture stops and starts logging once, for the whole trail: a restart in each chain")
	assert.Equal(t, 1, backfill, "the fixture has one backfill digest")
}

// TestEachTamperingHasItsOwnFinding: each change to the fixture yields
// exactly the finding that names it.
func TestEachTamperingHasItsOwnFinding(t *testing.T) {
	cases := []struct {
		name   string
		tamper func(t *testing.T, f *fixture.Fixture, o *verify.Options) string // returns the key the finding names
		want   verify.Kind
	}{
		{"modified log file", func(t *testing.T, f *fixture.Fixture, _ *verify.Options) string {
			k := logOf(f, 7)
			body, err := fixture.Gunzip(read(t, f.Path(k)))
			require.NoError(t, err)
			write(t, f.Path(k), fixture.Gzip([]byte(strings.Replace(string(body), "DescribeInstances", "TerminateInstances", 1)+" ")))
			return k
		}, verify.LogFileModified},
		{"deleted log file", func(t *testing.T, f *fixture.Fixture, _ *verify.Options) string {
			k := logOf(f, 11)
			require.NoError(t, os.Remove(f.Path(k)))
			return k
		}, verify.LogFileMissing},
		{"added log file", func(t *testing.T, f *fixture.Fixture, _ *verify.Options) string {
			at := f.Spec.Start.Add(12*time.Hour + 20*time.Minute)
			k := f.Spec.LogKey(f.Spec.Accounts[1], f.Spec.Regions[1], at, "ADDEDaddedADDED1")
			write(t, f.Path(k), fixture.Gzip([]byte(`{"Records":[]}`)))
			return k
		}, verify.LogFileUnlisted},
		{"deleted digest", func(t *testing.T, f *fixture.Fixture, _ *verify.Options) string {
			k, _ := middle(f)
			require.NoError(t, os.Remove(f.Path(k)))
			return k
		}, verify.DigestMissing},
		{"modified digest", func(t *testing.T, f *fixture.Fixture, _ *verify.Options) string {
			k, _ := middle(f)
			body, err := fixture.Gunzip(read(t, f.Path(k)))
			require.NoError(t, err)
			var d fixture.DigestFile
			require.NoError(t, json.Unmarshal(body, &d))
			d.LogFiles = d.LogFiles[:len(d.LogFiles)-1] // hide a log file
			body, _ = json.Marshal(d)
			write(t, f.Path(k), fixture.Gzip(body))
			return k
		}, verify.DigestModified},
		{"re-signed digest", func(t *testing.T, f *fixture.Fixture, o *verify.Options) string {
			k, _ := middle(f)
			_, err := f.Resign(k, fixture.Key("attacker"), nil)
			require.NoError(t, err)
			o.Store.(*verify.DirStore).Signatures = f.Signatures
			return k
		}, verify.DigestSignatureInvalid},
		{"broken chain", func(t *testing.T, f *fixture.Fixture, o *verify.Options) string {
			// The newest digest, validly signed, records a wrong hash of
			// its predecessor.
			k := lastDigest(f)
			_, err := f.Resign(k, fixture.RegionKey(0), func(d *fixture.DigestFile) {
				h := strings.Repeat("0", 64)
				d.PreviousDigestHashValue = &h
			})
			require.NoError(t, err)
			o.Store.(*verify.DirStore).Signatures = f.Signatures
			return k
		}, verify.ChainBroken},
		{"reordered digests", func(t *testing.T, f *fixture.Fixture, _ *verify.Options) string {
			a, b := middle(f)
			da, db := read(t, f.Path(a)), read(t, f.Path(b))
			write(t, f.Path(a), db)
			write(t, f.Path(b), da)
			return a
		}, verify.ChainReordered},
		{"wrong public key", func(t *testing.T, f *fixture.Fixture, o *verify.Options) string {
			// The region's keys file holds another key under the right
			// fingerprint.
			path := strings.SplitN(f.PublicKeySpecs()[1], "=", 2)[1]
			var doc map[string][]map[string]any
			require.NoError(t, json.Unmarshal(read(t, path), &doc))
			doc["PublicKeyList"][0]["Value"] = base64.StdEncoding.EncodeToString(fixture.PublicDER(fixture.Key("attacker")))
			data, _ := json.Marshal(doc)
			write(t, path, data)
			keys, err := verify.NewFileKeys(f.PublicKeySpecs())
			require.NoError(t, err)
			o.Keys = keys
			return ""
		}, verify.PublicKeyMismatch},
		{"deleted newest digests of one chain", func(t *testing.T, f *fixture.Fixture, _ *verify.Options) string {
			// The tail of one account's and region's chain goes, with the
			// log files of its last hours: nothing names the deleted
			// digests, and log files newer than a chain's last digest are
			// not expected to be listed yet; only the chain's early end
			// against the trail's other chains shows it.
			ds := chainDigests(f, f.Spec.Accounts[1], f.Spec.Regions[0])
			for _, k := range ds[len(ds)-2:] {
				require.NoError(t, os.Remove(f.Path(k)))
			}
			return ds[len(ds)-3]
		}, verify.ChainTruncated},
		{"deleted oldest digests of one chain in range", func(t *testing.T, f *fixture.Fixture, _ *verify.Options) string {
			// The head of a chain inside the range goes: the first digest
			// left names a predecessor that ends inside the range.
			ds := chainDigests(f, f.Spec.Accounts[1], f.Spec.Regions[0])
			for _, k := range ds[:2] {
				require.NoError(t, os.Remove(f.Path(k)))
			}
			return ds[1]
		}, verify.DigestMissing},
		{"object with a name no log file has, in a log folder", func(t *testing.T, f *fixture.Fixture, _ *verify.Options) string {
			// Named for another account: the key patterns skip it, a query
			// over the folder reads it.
			k := logOf(f, 7)
			forged := k[:strings.LastIndex(k, "/")+1] + "999988887777_CloudTrail_" + f.Spec.Regions[0] + "_20260302T0515Z_FORGEDforgedFORG.json.gz"
			write(t, f.Path(forged), fixture.Gzip([]byte(`{"Records":[]}`)))
			return forged
		}, verify.LogFileUnrecognized},
		{"deleted digests before a stop and start", func(t *testing.T, f *fixture.Fixture, _ *verify.Options) string {
			// The fixture stops logging after hour 6 for the whole trail:
			// this chain's digests of hours 5 and 6 go, with their log
			// files; the restart hides them unless the other chains show
			// the trail was still logging.
			ds := chainDigests(f, f.Spec.Accounts[1], f.Spec.Regions[0])
			for _, k := range ds[5:7] {
				body, err := fixture.Gunzip(read(t, f.Path(k)))
				require.NoError(t, err)
				var d fixture.DigestFile
				require.NoError(t, json.Unmarshal(body, &d))
				for _, lf := range d.LogFiles {
					require.NoError(t, os.Remove(f.Path(lf.S3Object)))
				}
				require.NoError(t, os.Remove(f.Path(k)))
			}
			return ds[4]
		}, verify.ChainTruncated},
		{"unknown public key", func(t *testing.T, f *fixture.Fixture, o *verify.Options) string {
			k, _ := middle(f)
			_, err := f.Resign(k, fixture.Key("attacker"), func(d *fixture.DigestFile) {
				d.DigestPublicKeyFingerprint = verify.Fingerprint(fixture.PublicDER(fixture.Key("attacker")))
			})
			require.NoError(t, err)
			o.Store.(*verify.DirStore).Signatures = f.Signatures
			return k
		}, verify.PublicKeyUnknown},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			o := options(t, f)
			key := c.tamper(t, f, &o)
			r, err := verify.Verify(context.Background(), o)
			require.NoError(t, err)
			assert.Equal(t, verify.ResultInvalid, r.Result)
			require.Equal(t, []string{string(c.want)}, kinds(r), dump(r))
			if key != "" {
				assert.Equal(t, key, r.Findings[0].Keys[0], dump(r))
			}
		})
	}
}

// TestOfflineWithoutSignatures: without the signatures file, every digest
// but the newest of each chain is checked with the signature its successor
// records (the User Guide's offline procedure); the newest cannot be.
func TestOfflineWithoutSignatures(t *testing.T) {
	f := newFixture(t)
	o := options(t, f)
	o.Store = &verify.DirStore{Dir: f.BucketDir()}
	r, err := verify.Verify(context.Background(), o)
	require.NoError(t, err)
	assert.Equal(t, verify.ResultCouldNotCheck, r.Result)
	// 4 chains' newest digests, each chain's final digest before the stop,
	// the backfill digest.
	require.Len(t, r.Findings, 9, dump(r))
	for _, fd := range r.Findings {
		assert.Equal(t, verify.DigestSignatureUnavailable, fd.Kind)
	}
	assert.Equal(t, r.Stats.LogFiles, r.Stats.LogFilesValid)
}

// replStore sets replication statuses and versions on a directory store:
// S3's x-amz-replication-status and object versions cannot be written to a
// directory copy (the S3 tests in verify/s3store read versions from a real
// S3 API).
type replStore struct {
	*verify.DirStore
	status   map[string]string
	modified map[string]time.Time
	versions map[string][]verify.Object
	old      map[string][]byte
}

func (s *replStore) Open(ctx context.Context, key, version string) (io.ReadCloser, verify.Meta, error) {
	if version != "" {
		return io.NopCloser(strings.NewReader(string(s.old[key+"@"+version]))), verify.Meta{VersionID: version}, nil
	}
	rc, m, err := s.DirStore.Open(ctx, key, "")
	m.ReplicationStatus = s.status[key]
	if t, ok := s.modified[key]; ok {
		m.LastModified = t
	}
	return rc, m, err
}

func (s *replStore) Versions(_ context.Context, key string) ([]verify.Object, error) {
	return s.versions[key], nil
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	require.NoError(t, os.CopyFS(to, os.DirFS(from)))
}

func TestRecoveryCopy(t *testing.T) {
	cases := []struct {
		name   string
		tamper func(t *testing.T, f *fixture.Fixture, rec string, s *replStore, o *verify.Options) string
		want   []string
	}{
		{"identical", func(*testing.T, *fixture.Fixture, string, *replStore, *verify.Options) string { return "" }, nil},
		{"missing", func(t *testing.T, f *fixture.Fixture, rec string, _ *replStore, _ *verify.Options) string {
			k := logOf(f, 3)
			require.NoError(t, os.Remove(filepath.Join(rec, filepath.FromSlash(k))))
			return k
		}, []string{string(verify.RecoveryMissing)}},
		{"different", func(t *testing.T, f *fixture.Fixture, rec string, _ *replStore, _ *verify.Options) string {
			k := logOf(f, 4)
			write(t, filepath.Join(rec, filepath.FromSlash(k)), fixture.Gzip([]byte(`{"Records":[]}`)))
			return k
		}, []string{string(verify.RecoveryDifferent)}},
		{"pending", func(t *testing.T, f *fixture.Fixture, rec string, s *replStore, _ *verify.Options) string {
			k := logOf(f, 5)
			require.NoError(t, os.Remove(filepath.Join(rec, filepath.FromSlash(k))))
			s.status[k] = "PENDING"
			return k
		}, []string{string(verify.RecoveryPending)}},
		{"failed", func(t *testing.T, f *fixture.Fixture, rec string, s *replStore, _ *verify.Options) string {
			k := logOf(f, 6)
			require.NoError(t, os.Remove(filepath.Join(rec, filepath.FromSlash(k))))
			s.status[k] = "FAILED"
			return k
		}, []string{string(verify.RecoveryFailed)}},
		{"predates replication", func(t *testing.T, f *fixture.Fixture, rec string, s *replStore, o *verify.Options) string {
			k := logOf(f, 8)
			require.NoError(t, os.Remove(filepath.Join(rec, filepath.FromSlash(k))))
			o.ReplicationSince = time.Now().Add(-time.Hour)
			s.modified[k] = time.Now().Add(-48 * time.Hour)
			for _, other := range f.Logs {
				if other != k {
					s.modified[other] = time.Now()
				}
			}
			for _, other := range f.Digests {
				s.modified[other] = time.Now()
			}
			return k
		}, []string{string(verify.PredatesReplication)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			o := options(t, f)
			rec := t.TempDir()
			copyDir(t, f.BucketDir(), rec)
			s := &replStore{DirStore: o.Store.(*verify.DirStore), status: map[string]string{}, modified: map[string]time.Time{}}
			o.Store = s
			o.Recovery = &verify.DirStore{Dir: rec}
			key := c.tamper(t, f, rec, s, &o)
			r, err := verify.Verify(context.Background(), o)
			require.NoError(t, err)
			require.Equal(t, c.want, kinds(r), dump(r))
			assert.Equal(t, len(f.Logs)+len(f.Digests), r.Stats.RecoveryChecked)
			if key != "" {
				assert.Equal(t, key, r.Findings[0].Keys[0])
			}
		})
	}
}

// TestOverwrittenLogFileTracedThroughVersions: the current version differs
// from the digest; an earlier version matches.
func TestOverwrittenLogFileTracedThroughVersions(t *testing.T) {
	f := newFixture(t)
	o := options(t, f)
	k := logOf(f, 9)
	original := read(t, f.Path(k))
	write(t, f.Path(k), fixture.Gzip([]byte(`{"Records":[]}`)))
	s := &replStore{DirStore: o.Store.(*verify.DirStore), old: map[string][]byte{k + "@v1": original},
		versions: map[string][]verify.Object{k: {{Key: k, VersionID: "v2", IsLatest: true}, {Key: k, VersionID: "v1"}}}}
	o.Store = s
	r, err := verify.Verify(context.Background(), o)
	require.NoError(t, err)
	require.Equal(t, []string{string(verify.OverwrittenVersionFound)}, kinds(r), dump(r))
	assert.Contains(t, r.Findings[0].Message, "version v1")
}

func TestNoDigestsIsAnError(t *testing.T) {
	f := newFixture(t)
	o := options(t, f)
	o.From, o.To = f.Spec.Start.Add(-100*24*time.Hour), f.Spec.Start.Add(-99*24*time.Hour)
	_, err := verify.Verify(context.Background(), o)
	require.ErrorContains(t, err, "no digest files")
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}

func write(t *testing.T, path string, data []byte) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, data, 0o644))
}

// countingStore records every listing call of the store it wraps.
type countingStore struct {
	verify.Store
	mu             sync.Mutex
	lists, folders []string
}

func (c *countingStore) List(ctx context.Context, prefix string, fn func(verify.Object) error) error {
	c.mu.Lock()
	c.lists = append(c.lists, prefix)
	c.mu.Unlock()
	return c.Store.List(ctx, prefix, fn)
}

func (c *countingStore) ListPrefixes(ctx context.Context, prefix, delimiter string) ([]string, error) {
	c.mu.Lock()
	c.folders = append(c.folders, prefix)
	c.mu.Unlock()
	return c.Store.ListPrefixes(ctx, prefix, delimiter)
}

var days = &shared{spec: func() fixture.Spec {
	return fixture.Spec{OrganizationID: "o-exampleorgid", Prefix: "trail-logs", Accounts: []string{"111122223333"},
		Start: time.Date(2026, 3, 1, 0, 1, 31, 0, time.UTC), Hours: 96, FilesPerHour: 1, EventsPerFile: 2, Gap: -1, EmptyHour: -1, Workers: 2}
}}

// fourDays is a fixture of four days (2026-03-01T00:01:31Z to
// 2026-03-05T00:01:31Z), one account, two regions, one log file an hour
// three minutes into it: the digest that ends at 00:01:31 lists a log file
// of 23:04 the day before, in the day before's folder.
func fourDays(t *testing.T) *fixture.Fixture {
	t.Helper()
	return days.get(t) // read only
}

// TestListsOnlyTheDaysTheRangeNeeds: of a bucket of four days, a range
// lists the folders down to the regions and then only the day folders of
// digests that end in [from, to+2h] (a digest's folder is its end's date)
// and of log files from 2 h before from to 1 h after to; the result is the
// same as reading everything.
func TestListsOnlyTheDaysTheRangeNeeds(t *testing.T) {
	f := fourDays(t)
	base := "trail-logs/AWSLogs/o-exampleorgid/111122223333/"
	folders := func(kind string, days ...string) []string {
		var out []string
		for _, r := range f.Spec.Regions {
			for _, d := range days {
				out = append(out, base+kind+"/"+r+"/2026/03/"+d+"/")
			}
		}
		return out
	}
	tree := []string{"trail-logs/AWSLogs/", "trail-logs/AWSLogs/o-exampleorgid/", base + "CloudTrail-Digest/", base + "CloudTrail/"}
	day := func(d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, time.UTC) }
	cases := []struct {
		name         string
		from, to     time.Time
		anyPrefix    bool
		trailAccount string
		wantLists    []string
		wantPrefixes []string
		digests      int // per region: those ending in [from, to+2h]
	}{
		{"one day", day(2, 0), day(3, 0), false, "",
			append(folders("CloudTrail-Digest", "02", "03"), folders("CloudTrail", "01", "02", "03")...), tree, 26},
		{"one day, prefix found", day(2, 0), day(3, 0), true, "",
			append(folders("CloudTrail-Digest", "02", "03"), folders("CloudTrail", "01", "02", "03")...), append([]string{"", "trail-logs/"}, tree...), 26},
		{"six hours", day(2, 12), day(2, 18), false, "",
			append(folders("CloudTrail-Digest", "02"), folders("CloudTrail", "02")...), tree, 8},
		// With the trail's account known, AWSLogs/ itself is never listed:
		// the verifiers' policy allows listing only under
		// AWSLogs/<organization>/ and AWSLogs/<trail account>/
		// (docs/verify.md#permissions).
		{"one day, trail account known", day(2, 0), day(3, 0), false, "444455556666",
			append(folders("CloudTrail-Digest", "02", "03"), folders("CloudTrail", "01", "02", "03")...),
			[]string{"trail-logs/AWSLogs/444455556666/CloudTrail-Digest/", "trail-logs/AWSLogs/444455556666/CloudTrail/", "trail-logs/AWSLogs/o-exampleorgid/", base + "CloudTrail-Digest/", base + "CloudTrail/"}, 26},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := options(t, f)
			o.From, o.To, o.AnyPrefix, o.TrailAccount = c.from, c.to, c.anyPrefix, c.trailAccount
			s := &countingStore{Store: o.Store}
			o.Store = s
			r, err := verify.Verify(context.Background(), o)
			require.NoError(t, err)
			assert.Equal(t, verify.ResultValid, r.Result, dump(r))
			assert.Empty(t, r.Findings, dump(r))
			sort.Strings(s.lists)
			sort.Strings(s.folders)
			want := append([]string(nil), c.wantLists...)
			sort.Strings(want)
			assert.Equal(t, want, s.lists, "day folders listed")
			assert.Equal(t, c.wantPrefixes, s.folders, "folders listed by delimiter")
			assert.Equal(t, len(s.lists)+len(s.folders), r.Stats.ListCalls)
			assert.Equal(t, c.digests*len(f.Spec.Regions), r.Stats.Digests)
			assert.Equal(t, r.Stats.Digests, r.Stats.DigestsValid)
			assert.Equal(t, c.digests*len(f.Spec.Regions), r.Stats.LogFiles, "one log file per digest")
			assert.Equal(t, r.Stats.LogFiles, r.Stats.LogFilesValid)
		})
	}
}

// TestDayBoundary: the first digest of the range ends at 00:01:31 and
// lists a log file of 23:04 the day before, in the day before's folder: it
// is listed (so the recovery copy is checked for it: the copy lacks it
// here, and that is the only finding), and reported neither missing nor
// unlisted.
func TestDayBoundary(t *testing.T) {
	f := fourDays(t)
	prev := ""
	for _, k := range f.Logs {
		if strings.Contains(k, "/CloudTrail/us-east-2/2026/03/01/") && strings.Contains(k, "_20260301T2304Z_") {
			prev = k
		}
	}
	require.NotEmpty(t, prev, "the fixture has a log file of 2026-03-01T23:04Z")
	rec := t.TempDir()
	copyDir(t, f.BucketDir(), rec)
	require.NoError(t, os.Remove(filepath.Join(rec, filepath.FromSlash(prev))))

	o := options(t, f)
	o.From, o.To = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC)
	o.Recovery = &verify.DirStore{Dir: rec}
	r, err := verify.Verify(context.Background(), o)
	require.NoError(t, err)
	require.Equal(t, []string{string(verify.RecoveryMissing)}, kinds(r), dump(r))
	assert.Equal(t, prev, r.Findings[0].Keys[0])
	assert.Equal(t, r.Stats.LogFiles-1, r.Stats.LogFilesValid, "every log file but the one the copy lacks")

	// Deleted from the bucket, it is missing: the digest that lists it is read.
	f2 := t.TempDir()
	copyDir(t, f.BucketDir(), f2)
	require.NoError(t, os.Remove(filepath.Join(f2, filepath.FromSlash(prev))))
	o.Store.(*verify.DirStore).Dir, o.Recovery = f2, nil
	r, err = verify.Verify(context.Background(), o)
	require.NoError(t, err)
	require.Equal(t, []string{string(verify.LogFileMissing)}, kinds(r), dump(r))
	assert.Equal(t, prev, r.Findings[0].Keys[0])
}

// TestChainEnds: a chain whose digests of the range are all gone is
// reported as absent (the verifier cannot tell a deletion from an account
// or Region that stopped delivering: could not check), and a chain that
// ends in the last hours before now is not judged truncated (its newest
// digest may not be delivered yet).
func TestChainEnds(t *testing.T) {
	t.Run("every digest of one chain deleted", func(t *testing.T) {
		f := newFixture(t)
		o := options(t, f)
		ds := chainDigests(f, f.Spec.Accounts[1], f.Spec.Regions[0])
		for _, k := range ds {
			require.NoError(t, os.Remove(f.Path(k)))
		}
		r, err := verify.Verify(context.Background(), o)
		require.NoError(t, err)
		assert.Contains(t, kinds(r), string(verify.ChainAbsent), dump(r))
		assert.NotEqual(t, verify.ResultValid, r.Result, dump(r))
	})
	t.Run("live edge", func(t *testing.T) {
		f := newFixture(t)
		o := options(t, f)
		ds := chainDigests(f, f.Spec.Accounts[1], f.Spec.Regions[0])
		require.NoError(t, os.Remove(f.Path(ds[len(ds)-1])))
		o.Now = o.To.Add(time.Hour)
		r, err := verify.Verify(context.Background(), o)
		require.NoError(t, err)
		assert.Empty(t, r.Findings, dump(r))
		o.Now = time.Time{}
		r, err = verify.Verify(context.Background(), o)
		require.NoError(t, err)
		assert.Equal(t, []string{string(verify.ChainTruncated)}, kinds(r), dump(r))
	})
}

// TestExpectedAccounts: an expected account whose whole folder is gone is
// account-absent; present ones give nothing.
func TestExpectedAccounts(t *testing.T) {
	f := newFixture(t)
	o := options(t, f)
	o.ExpectAccounts = append([]string(nil), f.Spec.Accounts...)
	r, err := verify.Verify(context.Background(), o)
	require.NoError(t, err)
	assert.Empty(t, r.Findings, dump(r))
	o.ExpectAccounts = append(o.ExpectAccounts, "999988887777")
	r, err = verify.Verify(context.Background(), o)
	require.NoError(t, err)
	require.Equal(t, []string{string(verify.AccountAbsent)}, kinds(r), dump(r))
	assert.Equal(t, "999988887777", r.Findings[0].Account)
	assert.Equal(t, verify.ResultInvalid, r.Result)

	// Regions: one account's chain of one region gone whole.
	o.ExpectAccounts = append([]string(nil), f.Spec.Accounts...)
	o.ExpectRegions = append([]string(nil), f.Spec.Regions...)
	r, err = verify.Verify(context.Background(), o)
	require.NoError(t, err)
	assert.Empty(t, r.Findings, dump(r))
	digestRegion := filepath.Dir(filepath.Dir(filepath.Dir(filepath.Dir(f.Path(chainDigests(f, f.Spec.Accounts[1], f.Spec.Regions[0])[0])))))
	require.NoError(t, os.RemoveAll(digestRegion))
	require.NoError(t, os.RemoveAll(strings.Replace(digestRegion, string(filepath.Separator)+"CloudTrail-Digest"+string(filepath.Separator), string(filepath.Separator)+"CloudTrail"+string(filepath.Separator), 1)))
	r, err = verify.Verify(context.Background(), o)
	require.NoError(t, err)
	require.Equal(t, []string{string(verify.RegionAbsent)}, kinds(r), dump(r))
	assert.Equal(t, f.Spec.Regions[0], r.Findings[0].Region)
}

// TestSilentAccount: an account whose every digest and log file of the
// range is gone, its folders left, is a notice (the common case is an
// account that left the organization), unless the account is expected:
// then account-absent, invalid.
func TestSilentAccount(t *testing.T) {
	f := newFixture(t)
	acct := f.Spec.Accounts[1]
	for _, k := range append(append([]string(nil), f.Digests...), f.Logs...) {
		if strings.Contains(k, "/"+acct+"/") {
			require.NoError(t, os.Remove(f.Path(k)))
		}
	}
	o := options(t, f)
	r, err := verify.Verify(context.Background(), o)
	require.NoError(t, err)
	require.Equal(t, []string{string(verify.AccountSilent)}, kinds(r), dump(r))
	assert.Equal(t, verify.Notice, r.Findings[0].Severity)
	assert.Equal(t, verify.ResultValid, r.Result)
	o.ExpectAccounts = append([]string(nil), f.Spec.Accounts...)
	r, err = verify.Verify(context.Background(), o)
	require.NoError(t, err)
	require.Equal(t, []string{string(verify.AccountAbsent)}, kinds(r), dump(r))
	assert.Equal(t, verify.ResultInvalid, r.Result)
}

// TestChainStartsLate: a chain whose digests before the trail's stop and
// start are all gone starts with a starting digest while the others were
// logging: could not check (an account or Region that joined then looks
// the same).
func TestChainStartsLate(t *testing.T) {
	f := newFixture(t)
	ds := chainDigests(f, f.Spec.Accounts[1], f.Spec.Regions[0])
	for _, k := range ds[:7] {
		body, err := fixture.Gunzip(read(t, f.Path(k)))
		require.NoError(t, err)
		var d fixture.DigestFile
		require.NoError(t, json.Unmarshal(body, &d))
		for _, lf := range d.LogFiles {
			require.NoError(t, os.Remove(f.Path(lf.S3Object)))
		}
		require.NoError(t, os.Remove(f.Path(k)))
	}
	r, err := verify.Verify(context.Background(), options(t, f))
	require.NoError(t, err)
	require.Equal(t, []string{string(verify.ChainStartsLate)}, kinds(r), dump(r))
	assert.Equal(t, verify.ResultCouldNotCheck, r.Result)
}
