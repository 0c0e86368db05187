package s3store_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/verify"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/verify/fixture"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/verify/s3store"
)

// env is an in-process S3 API (gofakes3 over s3mem, with versioning) and a
// CloudTrail ListPublicKeys endpoint speaking JSON 1.1.
type env struct {
	s3      *s3.Client
	cfg     aws.Config
	ctURL   string
	calls   map[string]int
	fixture *fixture.Fixture
}

// scope picks the region out of a SigV4 Authorization header.
var scope = regexp.MustCompile(`Credential=[^/]+/\d{8}/([a-z0-9-]+)/cloudtrail/`)

func newEnv(t *testing.T) *env {
	t.Helper()
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(srv.Close)
	cfg := aws.Config{Region: "us-east-2", Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""), RetryMaxAttempts: 2}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = aws.String(srv.URL); o.UsePathStyle = true })
	f, err := fixture.Write(t.TempDir(), fixture.Spec{Prefix: "logs", Backfill: true, Workers: 2, Hours: 14, FilesPerHour: 2, EventsPerFile: 5})
	require.NoError(t, err)
	e := &env{s3: client, cfg: cfg, calls: map[string]int{}, fixture: f}
	keys := map[string][]byte{}
	for i, r := range f.Spec.Regions {
		keys[r] = fixture.PublicDER(fixture.RegionKey(i))
	}
	ct := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The SDK sends the short target; the service model's long form is
		// accepted too.
		switch r.Header.Get("X-Amz-Target") {
		case "CloudTrail_20131101.ListPublicKeys", "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.ListPublicKeys":
		default:
			http.Error(w, "unexpected target", http.StatusBadRequest)
			return
		}
		m := scope.FindStringSubmatch(r.Header.Get("Authorization"))
		require.NotNil(t, m)
		e.calls[m[1]]++
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		der := keys[m[1]]
		json.NewEncoder(w).Encode(map[string]any{"PublicKeyList": []map[string]any{{
			"Value": base64.StdEncoding.EncodeToString(der), "Fingerprint": verify.Fingerprint(der),
			"ValidityStartTime": float64(f.Spec.Start.Add(-time.Hour).Unix()), "ValidityEndTime": float64(f.Spec.Start.Add(48 * time.Hour).Unix()),
		}}})
	}))
	t.Cleanup(ct.Close)
	e.ctURL = ct.URL
	e.upload(t, f.Spec.Bucket, true)
	return e
}

// upload puts every fixture object into bucket, the digests with their
// signature metadata as CloudTrail writes it.
func (e *env) upload(t *testing.T, bucket string, versioned bool) {
	t.Helper()
	ctx := context.Background()
	_, err := e.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket})
	require.NoError(t, err)
	if versioned {
		_, err = e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: &bucket,
			VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
		require.NoError(t, err)
	}
	keys := append(append([]string(nil), e.fixture.Logs...), e.fixture.Digests...)
	sort.Strings(keys)
	for _, k := range keys {
		data, err := os.ReadFile(e.fixture.Path(k))
		require.NoError(t, err)
		e.put(t, bucket, k, data, e.fixture.Signatures[k])
	}
}

func (e *env) put(t *testing.T, bucket, key string, data []byte, meta map[string]string) {
	t.Helper()
	_, err := e.s3.PutObject(context.Background(), &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader(data), Metadata: meta})
	require.NoError(t, err)
}

func (e *env) options() verify.Options {
	f := e.fixture
	return verify.Options{
		Store:  s3store.New(e.s3, f.Spec.Bucket),
		Keys:   s3store.NewCloudTrailKeys(e.cfg, func(o *cloudtrail.Options) { o.BaseEndpoint = aws.String(e.ctURL) }),
		Bucket: f.Spec.Bucket, Prefix: f.Spec.Prefix, TrailName: f.Spec.Trail, HomeRegion: f.Spec.HomeRegion,
		From: f.Spec.Start, To: f.Spec.Start.Add(time.Duration(f.Spec.Hours) * time.Hour), Workers: 4,
	}
}

// TestThroughS3: the untampered fixture verifies valid through the S3 API,
// with the signatures read from the digests' metadata and the public keys
// from ListPublicKeys in each region; the metadata collected is the
// fixture's signatures file, for the offline workflow.
func TestThroughS3(t *testing.T) {
	e := newEnv(t)
	o := e.options()
	collected := verify.Signatures{}
	o.OnDigestMeta = func(key string, m verify.Meta) { collected[key] = m.Metadata }
	r, err := verify.Verify(context.Background(), o)
	require.NoError(t, err)
	b, _ := json.MarshalIndent(r.Findings, "", "  ")
	assert.Equal(t, verify.ResultValid, r.Result, string(b))
	assert.Empty(t, r.Findings)
	assert.Equal(t, len(e.fixture.Digests), r.Stats.DigestsValid)
	assert.Equal(t, len(e.fixture.Logs), r.Stats.LogFilesValid)
	assert.Equal(t, map[string]int{"us-east-2": 1, "eu-west-1": 1}, e.calls, "one ListPublicKeys call per region")
	assert.Equal(t, e.fixture.Signatures, collected)

	// The tree is found by delimiter listings: accounts, then regions.
	st := s3store.New(e.s3, e.fixture.Spec.Bucket)
	accounts, err := st.ListPrefixes(context.Background(), "logs/AWSLogs/", "/")
	require.NoError(t, err)
	assert.Equal(t, []string{"logs/AWSLogs/111122223333/", "logs/AWSLogs/444455556666/"}, accounts)
	regions, err := st.ListPrefixes(context.Background(), "logs/AWSLogs/111122223333/CloudTrail-Digest/", "/")
	require.NoError(t, err)
	assert.Equal(t, []string{"logs/AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/", "logs/AWSLogs/111122223333/CloudTrail-Digest/us-east-2/"}, regions)
	top, err := st.ListPrefixes(context.Background(), "", "/")
	require.NoError(t, err)
	assert.Equal(t, []string{"logs/"}, top)
	// One folder level, one request: the day folders, not the objects in them.
	months, err := st.ListPrefixes(context.Background(), "logs/AWSLogs/111122223333/CloudTrail/us-east-2/2026/", "/")
	require.NoError(t, err)
	assert.Equal(t, []string{"logs/AWSLogs/111122223333/CloudTrail/us-east-2/2026/03/"}, months)
	assert.Positive(t, r.Stats.ListCalls)
}

// TestThroughS3Tampered: a log file overwritten in a versioned bucket is
// traced to its intact earlier version; a different replica in the recovery
// bucket is reported.
func TestThroughS3Tampered(t *testing.T) {
	e := newEnv(t)
	f := e.fixture
	logs := append([]string(nil), f.Logs...)
	sort.Strings(logs)
	overwritten, replaced := logs[3], logs[5]
	e.put(t, f.Spec.Bucket, overwritten, fixture.Gzip([]byte(`{"Records":[]}`)), nil)

	recovery := f.Spec.Bucket + "-recovery"
	e.upload(t, recovery, false)
	e.put(t, recovery, replaced, fixture.Gzip([]byte(`{"Records":[]}`)), nil)

	o := e.options()
	o.Recovery = s3store.New(e.s3, recovery)
	r, err := verify.Verify(context.Background(), o)
	require.NoError(t, err)
	b, _ := json.MarshalIndent(r.Findings, "", "  ")
	require.Len(t, r.Findings, 3, string(b))
	got := map[verify.Kind]string{}
	for _, fd := range r.Findings {
		got[fd.Kind] = fd.Keys[0]
	}
	// The overwritten object's current version differs in the recovery copy too.
	assert.Equal(t, map[verify.Kind]string{verify.OverwrittenVersionFound: overwritten, verify.RecoveryDifferent: replaced}, map[verify.Kind]string{
		verify.OverwrittenVersionFound: got[verify.OverwrittenVersionFound], verify.RecoveryDifferent: got[verify.RecoveryDifferent]}, string(b))
	assert.Equal(t, verify.ResultInvalid, r.Result)
}
