package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/config"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/internal/runtime/version"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/verify"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/verify/s3store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// multi is a repeatable string flag.
type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

// usageError is bad input: exit status 2, before any AWS call.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func bad(flagName, rule, value string) error {
	return usageError{fmt.Sprintf("--%s %q: %s", flagName, value, rule)}
}

// trailARN is arn:<partition>:cloudtrail:<region>:<account>:trail/<name>.
var accountID = regexp.MustCompile(`^\d{12}$`)

// splitList reads a comma-separated flag value whose every item must match
// re (rule says how).
func splitList(flag, value string, re *regexp.Regexp, rule string) ([]string, error) {
	var out []string
	for _, v := range strings.Split(value, ",") {
		v = strings.TrimSpace(v)
		if !re.MatchString(v) {
			return nil, bad(flag, rule, v)
		}
		out = append(out, v)
	}
	return out, nil
}

var regionName = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d$`)

var trailARN = regexp.MustCompile(`^arn:aws[a-z-]*:cloudtrail:([a-z0-9-]+):(\d{12}):trail/([A-Za-z0-9._-]{3,128})$`)

var orgID = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)

// parseTime reads an RFC 3339 time or a date (midnight UTC).
func parseTime(name, v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse("2006-01-02", v); err == nil {
		return t, nil
	}
	return time.Time{}, bad(name, "not an RFC 3339 time (2026-03-02T15:04:05Z) or a date (2026-03-02)", v)
}

type flags struct {
	configFile, bucket, prefix, trail, org, region         string
	from, to, dir, signatures, writeSignatures             string
	recoveryBucket, recoveryRegion, recoveryDir, replSince string
	expectAccounts, expectRegions                          string
	publicKeys                                             multi
	jsonOut, quiet                                         bool
	workers                                                int
	progress                                               time.Duration
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f flags
	fs.StringVar(&f.configFile, "config", "", "derive the bucket, prefix, trail, organization and recovery copy from this configuration file")
	fs.StringVar(&f.bucket, "bucket", "", "the trail bucket (without --config)")
	fs.StringVar(&f.prefix, "prefix", "", "the trail's S3 key prefix (without --config)")
	fs.StringVar(&f.trail, "trail-arn", "", "the trail's ARN: keeps its digests only (without --config)")
	fs.StringVar(&f.org, "organization-id", "", "the organization id of an organization trail (without --config)")
	fs.StringVar(&f.region, "region", "", "the trail bucket's region (default: asked of S3)")
	fs.StringVar(&f.from, "from", "", "verify digests that end at or after this time: RFC 3339 or a date (required)")
	fs.StringVar(&f.to, "to", "", "... and at or before this time (default: now)")
	fs.StringVar(&f.dir, "dir", "", "offline: a directory holding a copy of the bucket's objects under their keys")
	fs.Var(&f.publicKeys, "public-keys", "offline: a file in the JSON shape `aws cloudtrail list-public-keys` prints, as FILE (any region) or REGION=FILE; repeat it")
	fs.StringVar(&f.signatures, "signatures", "", "offline: a JSON file mapping each digest key to its metadata (signature, signature-algorithm)")
	fs.StringVar(&f.writeSignatures, "write-signatures", "", "while reading S3, write the digests' metadata to this file, for --signatures offline")
	fs.StringVar(&f.recoveryBucket, "recovery-bucket", "", "also check the recovery copy in this bucket")
	fs.StringVar(&f.recoveryRegion, "recovery-region", "", "the recovery bucket's region (default: from --config, else asked of S3)")
	fs.StringVar(&f.recoveryDir, "recovery-dir", "", "offline: also check the recovery copy in this directory")
	fs.StringVar(&f.expectAccounts, "expect-accounts", "", "accounts whose digests must be in the range, comma-separated (e.g. the organization's member accounts: aws organizations list-accounts); one with none is account-absent")
	fs.StringVar(&f.expectRegions, "expect-regions", "", "with --expect-accounts: regions each expected account must have digests in, comma-separated; a missing pair is region-absent")
	fs.StringVar(&f.replSince, "replication-since", "", "when the replication rule began: older objects are not expected in the copy (RFC 3339 or a date)")
	fs.BoolVar(&f.jsonOut, "json", false, "print the report as JSON on stdout")
	fs.IntVar(&f.workers, "workers", 8, "goroutines that read and hash (1 to 256)")
	fs.DurationVar(&f.progress, "progress", 5*time.Second, "print progress on stderr this often")
	fs.BoolVar(&f.quiet, "quiet", false, "no progress lines")
	showVersion := version.Flag(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if version.Print(stdout, "verify", showVersion) {
		return 0
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "verify: unexpected argument %q (every input is a flag; see -h)\n", fs.Arg(0))
		return 2
	}
	o, closeFn, err := options(ctx, &f, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "verify: %v\n", err)
		return 2
	}
	var sigMu sync.Mutex
	collected := verify.Signatures{}
	if f.writeSignatures != "" {
		o.OnDigestMeta = func(key string, m verify.Meta) {
			sigMu.Lock()
			defer sigMu.Unlock()
			collected[key] = m.Metadata
		}
	}
	o.Progress = &verify.Progress{}
	done := make(chan struct{})
	if !f.quiet && f.progress > 0 {
		go progress(o.Progress, f.progress, stderr, done)
	}
	rep, err := verify.Verify(ctx, o)
	close(done)
	closeFn()
	if err != nil {
		fmt.Fprintf(stderr, "verify: could not check: %v\n", err)
		return 2
	}
	if f.writeSignatures != "" {
		if err := collected.Write(f.writeSignatures); err != nil {
			fmt.Fprintf(stderr, "verify: --write-signatures %q: %v\n", f.writeSignatures, err)
			return 2
		}
	}
	if f.jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(rep)
	} else {
		printReport(stdout, rep)
	}
	switch rep.Result {
	case verify.ResultValid:
		return 0
	case verify.ResultInvalid:
		return 1
	}
	return 2
}

// options turns the flags into verify.Options; every check of the input
// happens before the first AWS call.
func options(ctx context.Context, f *flags, stderr io.Writer) (verify.Options, func(), error) {
	var o verify.Options
	none := func() {}
	if f.from == "" {
		return o, none, usageError{"--from is required: the start of the range to verify (RFC 3339 or a date)"}
	}
	var err error
	if o.From, err = parseTime("from", f.from); err != nil {
		return o, none, err
	}
	o.To = time.Now().UTC()
	if f.to != "" {
		if o.To, err = parseTime("to", f.to); err != nil {
			return o, none, err
		}
	}
	if !o.To.After(o.From) {
		return o, none, bad("to", "must be after --from ("+o.From.Format(time.RFC3339)+")", f.to)
	}
	if f.replSince != "" {
		if o.ReplicationSince, err = parseTime("replication-since", f.replSince); err != nil {
			return o, none, err
		}
	}
	if f.workers < 1 || f.workers > 256 {
		return o, none, bad("workers", "must be between 1 and 256", fmt.Sprint(f.workers))
	}
	o.Workers = f.workers
	if f.configFile != "" {
		if f.bucket != "" || f.trail != "" || f.org != "" || f.prefix != "" {
			return o, none, usageError{"--config gives the bucket, prefix, trail and organization: do not also pass --bucket, --prefix, --trail-arn or --organization-id"}
		}
		cfg, err := config.Load(f.configFile)
		if err != nil {
			return o, none, fmt.Errorf("--config: %w", err)
		}
		f.bucket, f.prefix, f.org = cfg.Bucket.Name, cfg.Trail.S3KeyPrefix, cfg.OrganizationID
		f.trail = cfg.TrailIdentity().ARN()
		if cfg.Replication.Enabled && f.recoveryBucket == "" && f.recoveryDir == "" && f.dir == "" {
			f.recoveryBucket = cfg.Replication.BucketName
			if f.recoveryRegion == "" {
				f.recoveryRegion = cfg.Replication.Region
			}
		}
		if f.region == "" {
			f.region = cfg.HomeRegion
		}
	}
	if f.trail != "" {
		m := trailARN.FindStringSubmatch(f.trail)
		if m == nil {
			return o, none, bad("trail-arn", "not a trail ARN (arn:aws:cloudtrail:<region>:<account>:trail/<name>)", f.trail)
		}
		o.HomeRegion, o.TrailAccount, o.TrailName = m[1], m[2], m[3]
	}
	if f.org != "" && !orgID.MatchString(f.org) {
		return o, none, bad("organization-id", "not an organization id (o- and 10 to 32 lowercase letters or digits)", f.org)
	}
	o.OrganizationID, o.Prefix, o.Bucket = f.org, strings.Trim(f.prefix, "/"), f.bucket
	if f.expectAccounts != "" {
		if o.TrailName == "" {
			return o, none, usageError{"--expect-accounts needs the trail: pass --config or --trail-arn"}
		}
		var err error
		if o.ExpectAccounts, err = splitList("expect-accounts", f.expectAccounts, accountID, "each must be a 12-digit account id"); err != nil {
			return o, none, err
		}
	}
	if f.expectRegions != "" {
		if f.expectAccounts == "" {
			return o, none, usageError{"--expect-regions needs --expect-accounts"}
		}
		var err error
		if o.ExpectRegions, err = splitList("expect-regions", f.expectRegions, regionName, "each must be a region name (us-east-1)"); err != nil {
			return o, none, err
		}
	}
	if f.recoveryBucket != "" && f.recoveryDir != "" {
		return o, none, usageError{"--recovery-bucket and --recovery-dir: give one"}
	}

	if f.dir != "" {
		// Offline.
		if f.writeSignatures != "" {
			return o, none, bad("write-signatures", "writes the metadata read from S3: it cannot be used with --dir", f.writeSignatures)
		}
		if f.recoveryBucket != "" {
			return o, none, bad("recovery-bucket", "offline (--dir), give the copy as --recovery-dir", f.recoveryBucket)
		}
		if len(f.publicKeys) == 0 {
			return o, none, usageError{"--dir needs --public-keys FILE (the output of `aws cloudtrail list-public-keys --start-time ... --end-time ...` in each region)"}
		}
		if st, err := os.Stat(f.dir); err != nil || !st.IsDir() {
			return o, none, bad("dir", "not a directory", f.dir)
		}
		keys, err := verify.NewFileKeys(f.publicKeys)
		if err != nil {
			return o, none, fmt.Errorf("--public-keys: %w", err)
		}
		store := &verify.DirStore{Dir: f.dir}
		if f.signatures != "" {
			if store.Signatures, err = verify.ReadSignatures(f.signatures); err != nil {
				return o, none, fmt.Errorf("--signatures: %w", err)
			}
		}
		o.Store, o.Keys, o.Offline = store, keys, true
		o.AnyPrefix = f.configFile == "" && f.prefix == ""
		if f.recoveryDir != "" {
			if st, err := os.Stat(f.recoveryDir); err != nil || !st.IsDir() {
				return o, none, bad("recovery-dir", "not a directory", f.recoveryDir)
			}
			o.Recovery = &verify.DirStore{Dir: f.recoveryDir}
		}
		return o, none, nil
	}

	// Online.
	if f.bucket == "" {
		return o, none, usageError{"give --config, or --bucket (with --trail-arn), or --dir for offline"}
	}
	if len(f.publicKeys) > 0 || f.signatures != "" || f.recoveryDir != "" {
		return o, none, usageError{"--public-keys, --signatures and --recovery-dir are for offline (--dir); reading S3, the keys come from ListPublicKeys and the signatures from the digests' metadata"}
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return o, none, fmt.Errorf("AWS credentials and region: %w", err)
	}
	client, err := bucketClient(ctx, cfg, f.bucket, f.region)
	if err != nil {
		return o, none, err
	}
	o.Store = s3store.New(client, f.bucket)
	o.Keys = s3store.NewCloudTrailKeys(cfg)
	if f.recoveryBucket != "" {
		rc, err := bucketClient(ctx, cfg, f.recoveryBucket, f.recoveryRegion)
		if err != nil {
			return o, none, err
		}
		o.Recovery = s3store.New(rc, f.recoveryBucket)
		fmt.Fprintf(stderr, "verify: reading the recovery copy s3://%s: every object is read again from its region (data transfer between regions is billed: docs/verify.md#cost)\n", f.recoveryBucket)
	}
	return o, none, nil
}

// bucketClient returns an S3 client in the bucket's region.
func bucketClient(ctx context.Context, cfg aws.Config, bucket, region string) (*s3.Client, error) {
	if region == "" {
		probe := cfg.Copy()
		if probe.Region == "" {
			probe.Region = "us-east-1"
		}
		r, err := s3store.BucketRegion(ctx, s3.NewFromConfig(probe), bucket)
		if err != nil {
			return nil, fmt.Errorf("the region of bucket %s (give --region): %w", bucket, err)
		}
		region = r
	}
	c := cfg.Copy()
	c.Region = region
	return s3.NewFromConfig(c), nil
}

func progress(p *verify.Progress, every time.Duration, w io.Writer, done <-chan struct{}) {
	t := time.NewTicker(every)
	defer t.Stop()
	start := time.Now()
	for {
		select {
		case <-done:
			return
		case <-t.C:
			fmt.Fprintf(w, "verify: %s: digests %d/%d, log files %d/%d, %.1f MB read\n", time.Since(start).Round(time.Second),
				p.Digests.Load(), p.DigestsTotal.Load(), p.LogFiles.Load(), p.LogFilesTotal.Load(), float64(p.Bytes.Load())/1e6)
		}
	}
}

func printReport(w io.Writer, r *verify.Report) {
	fmt.Fprintf(w, "verify: %s, digests ending %s to %s\n", r.Store, r.From.Format(time.RFC3339), r.To.Format(time.RFC3339))
	if r.Recovery != "" {
		fmt.Fprintf(w, "recovery copy: %s (%d objects compared)\n", r.Recovery, r.Stats.RecoveryChecked)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ACCOUNT\tREGION\tTRAIL\tDIGESTS\tVALID\tLOG FILES\tVALID\tFIRST VALID DIGEST ENDS\tLAST VALID DIGEST ENDS")
	for _, c := range r.Chains {
		first, last := "-", "-"
		if !c.FirstValidEnd.IsZero() {
			first, last = c.FirstValidEnd.Format(time.RFC3339), c.LastValidEnd.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\t%s\n", c.Account, c.Region, c.Trail, c.Digests, c.DigestsValid, c.LogFiles, c.LogFilesValid, first, last)
	}
	tw.Flush()
	for _, c := range r.Chains {
		for _, rs := range c.Restarts {
			fmt.Fprintf(w, "restart: %s %s: logging or validation stopped after %s and started again at %s (%s without digests; the documented starting digest)\n", c.Account, c.Region, rs.After, rs.Start, rs.Gap)
		}
		if c.Backfill > 0 {
			fmt.Fprintf(w, "backfill: %s %s: %d backfill digests (late log files, documented)\n", c.Account, c.Region, c.Backfill)
		}
	}
	if len(r.Findings) > 0 {
		fmt.Fprintf(w, "findings (%d):\n", len(r.Findings))
		for _, f := range r.Findings {
			fmt.Fprintf(w, "  [%s] %s %s %s %s\n      %s\n", f.Severity, f.Kind, f.Account, f.Region, f.Keys[0], f.Message)
			for _, k := range f.Keys[1:] {
				fmt.Fprintf(w, "      also: %s\n", k)
			}
		}
	}
	fmt.Fprintf(w, "result: %s: %d/%d digests and %d/%d listed log files valid, %.1f MB read (%.1f MB uncompressed)\n", r.Result,
		r.Stats.DigestsValid, r.Stats.Digests, r.Stats.LogFilesValid, r.Stats.LogFiles, float64(r.Stats.CompressedBytes)/1e6, float64(r.Stats.UncompressedBytes)/1e6)
}
