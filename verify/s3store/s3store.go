package s3store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/verify"
)

// Store is a verify.Store over one S3 bucket.
type Store struct {
	client *s3.Client
	bucket string
}

// New returns a Store of bucket read with client (whose region must be the
// bucket's: BucketRegion finds it).
func New(client *s3.Client, bucket string) *Store { return &Store{client: client, bucket: bucket} }

// Name returns s3://bucket.
func (s *Store) Name() string { return "s3://" + s.bucket }

// List pages through ListObjectsV2; S3 returns keys in UTF-8 binary order.
func (s *Store) List(ctx context.Context, prefix string, fn func(verify.Object) error) error {
	p := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: &s.bucket, Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("ListObjectsV2 s3://%s/%s: %w", s.bucket, prefix, err)
		}
		for _, o := range page.Contents {
			obj := verify.Object{Key: aws.ToString(o.Key), Size: aws.ToInt64(o.Size), IsLatest: true}
			if o.LastModified != nil {
				obj.LastModified = *o.LastModified
			}
			if err := fn(obj); err != nil {
				return err
			}
		}
	}
	return nil
}

// ListPrefixes pages through ListObjectsV2 with a Delimiter and returns
// the CommonPrefixes: one request per 1,000 keys and prefixes, whatever the
// number of objects under each prefix (docs/aws-rules.md#listing-by-folder).
func (s *Store) ListPrefixes(ctx context.Context, prefix, delimiter string) ([]string, error) {
	in := &s3.ListObjectsV2Input{Bucket: &s.bucket, Delimiter: aws.String(delimiter)}
	if prefix != "" {
		in.Prefix = aws.String(prefix)
	}
	seen := map[string]bool{}
	var out []string
	p := s3.NewListObjectsV2Paginator(s.client, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("ListObjectsV2 s3://%s/%s (delimiter %q): %w", s.bucket, prefix, delimiter, err)
		}
		for _, cp := range page.CommonPrefixes {
			// S3 returns each prefix once; a page boundary inside a prefix
			// may repeat it elsewhere, so repeats are dropped.
			if k := aws.ToString(cp.Prefix); !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// Open calls GetObject; the body is the stored gzip bytes (CloudTrail
// stores .json.gz without a Content-Encoding, so nothing decompresses it on
// the way).
func (s *Store) Open(ctx context.Context, key, versionID string) (io.ReadCloser, verify.Meta, error) {
	in := &s3.GetObjectInput{Bucket: &s.bucket, Key: &key}
	if versionID != "" {
		in.VersionId = &versionID
	}
	out, err := s.client.GetObject(ctx, in)
	if err != nil {
		if notFound(err) {
			return nil, verify.Meta{}, fmt.Errorf("s3://%s/%s: %w", s.bucket, key, verify.ErrNotFound)
		}
		return nil, verify.Meta{}, fmt.Errorf("GetObject s3://%s/%s: %w", s.bucket, key, err)
	}
	meta := verify.Meta{Metadata: map[string]string{}, ReplicationStatus: string(out.ReplicationStatus), VersionID: aws.ToString(out.VersionId)}
	for k, v := range out.Metadata {
		meta.Metadata[strings.ToLower(k)] = v
	}
	if out.LastModified != nil {
		meta.LastModified = *out.LastModified
	}
	return out.Body, meta, nil
}

// Versions lists the key's versions with ListObjectVersions, newest first.
func (s *Store) Versions(ctx context.Context, key string) ([]verify.Object, error) {
	var out []verify.Object
	p := s3.NewListObjectVersionsPaginator(s.client, &s3.ListObjectVersionsInput{Bucket: &s.bucket, Prefix: &key})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("ListObjectVersions s3://%s/%s: %w", s.bucket, key, err)
		}
		for _, v := range page.Versions {
			if aws.ToString(v.Key) != key {
				continue
			}
			o := verify.Object{Key: key, VersionID: aws.ToString(v.VersionId), Size: aws.ToInt64(v.Size), IsLatest: aws.ToBool(v.IsLatest)}
			if v.LastModified != nil {
				o.LastModified = *v.LastModified
			}
			out = append(out, o)
		}
	}
	if len(out) == 0 || (len(out) == 1 && out[0].VersionID == "null") {
		return nil, verify.ErrNoVersions
	}
	return out, nil
}

func notFound(err error) bool {
	var nsk *types.NoSuchKey
	if errors.As(err, &nsk) {
		return true
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "NoSuchKey", "NotFound", "NoSuchVersion":
			return true
		}
	}
	return false
}

// BucketRegion asks S3 where bucket lives (HeadBucket's x-amz-bucket-region,
// which S3 returns even on a redirect); client may be of any region.
func BucketRegion(ctx context.Context, client *s3.Client, bucket string) (string, error) {
	out, err := client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &bucket})
	if err == nil && out.BucketRegion != nil {
		return *out.BucketRegion, nil
	}
	if err == nil {
		return "", fmt.Errorf("HeadBucket %s: no region in the answer", bucket)
	}
	return "", fmt.Errorf("HeadBucket %s: %w", bucket, err)
}

// CloudTrailKeys is a verify.KeySource that calls ListPublicKeys in each
// region (a region's digests are signed with that region's key:
// docs/aws-rules.md#digest-public-keys).
type CloudTrailKeys struct {
	cfg     aws.Config
	optFns  []func(*cloudtrail.Options)
	mu      sync.Mutex
	clients map[string]*cloudtrail.Client
}

// NewCloudTrailKeys returns a key source built on cfg; optFns apply to every
// region's client.
func NewCloudTrailKeys(cfg aws.Config, optFns ...func(*cloudtrail.Options)) *CloudTrailKeys {
	return &CloudTrailKeys{cfg: cfg, optFns: optFns, clients: map[string]*cloudtrail.Client{}}
}

// PublicKeys pages through ListPublicKeys for the range in region.
func (c *CloudTrailKeys) PublicKeys(ctx context.Context, region string, from, to time.Time) ([]verify.PublicKey, error) {
	c.mu.Lock()
	client := c.clients[region]
	if client == nil {
		opts := append([]func(*cloudtrail.Options){func(o *cloudtrail.Options) { o.Region = region }}, c.optFns...)
		client = cloudtrail.NewFromConfig(c.cfg, opts...)
		c.clients[region] = client
	}
	c.mu.Unlock()
	var keys []verify.PublicKey
	p := cloudtrail.NewListPublicKeysPaginator(client, &cloudtrail.ListPublicKeysInput{StartTime: &from, EndTime: &to})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("cloudtrail:ListPublicKeys in %s: %w", region, err)
		}
		for _, k := range page.PublicKeyList {
			pk := verify.PublicKey{Fingerprint: aws.ToString(k.Fingerprint), DER: k.Value}
			if k.ValidityStartTime != nil {
				pk.ValidFrom = *k.ValidityStartTime
			}
			if k.ValidityEndTime != nil {
				pk.ValidTo = *k.ValidityEndTime
			}
			keys = append(keys, pk)
		}
	}
	return keys, nil
}
