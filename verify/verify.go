package verify

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options say what to verify and where.
type Options struct {
	// Store holds the trail bucket's objects. Required.
	Store Store
	// Keys gives the public keys of each region. Required.
	Keys KeySource
	// Bucket is the trail bucket's name; digests must name it. Default:
	// the bucket each digest names (offline, without --bucket).
	Bucket string
	// Prefix is the trail's S3 key prefix (without slashes at its ends).
	Prefix string
	// AnyPrefix accepts digests and log files under any prefix (offline,
	// when the prefix is not known). Default: false.
	AnyPrefix bool
	// TrailName and HomeRegion keep only that trail's digests. Default: every
	// trail found.
	TrailName, HomeRegion string
	// OrganizationID keeps the account path and this organization's path.
	// Default: every path found.
	OrganizationID string
	// TrailAccount is the trail's owner account (from its ARN). With it,
	// the tree is read from [prefix/]AWSLogs/<TrailAccount>/ and, with
	// OrganizationID, [prefix/]AWSLogs/<OrganizationID>/ only, and
	// AWSLogs/ itself is never listed: the verifiers' generated policy
	// allows listing under those two folders and nowhere else
	// (docs/verify.md#permissions). Default: the account folders found
	// under AWSLogs/.
	TrailAccount string
	// From and To bound the digests by the end time in their names
	// (digests up to DigestsAfterTo after To are read, for late log files
	// and to see a chain whose last digests are gone).
	From, To time.Time
	// Recovery is the recovery copy, or nil.
	Recovery Store
	// ReplicationSince is when the replication rule began: objects older
	// than it are not expected in the copy. Default: none.
	ReplicationSince time.Time
	// Offline says the store lost S3's metadata (a directory copy).
	Offline bool
	// Workers bounds the goroutines that read and hash. Default: 8.
	Workers int
	// Progress, when set, is updated as work is done.
	Progress *Progress
	// OnDigestMeta, when set, receives every digest's key and metadata (to
	// write a signatures file).
	OnDigestMeta func(key string, meta Meta)
	// ExpectAccounts are accounts whose digests of the trail must be in the
	// range (the organization's members): one without any is
	// AccountAbsent. A deleted account folder leaves no other trace.
	// Needs TrailName. Default: none.
	ExpectAccounts []string
	// ExpectRegions, with ExpectAccounts: each expected account must have
	// digests of the trail in each of these regions; a missing pair is
	// RegionAbsent. Default: none.
	ExpectRegions []string
	// Now is the time the newest digests are judged against (a chain that
	// ends in the last LiveEdge is not judged truncated). Default:
	// time.Now().
	Now time.Time
}

// Progress counts work done, for progress lines on long runs.
type Progress struct {
	Digests, DigestsTotal, LogFiles, LogFilesTotal, Bytes atomic.Int64
}

// Report is the verdict of one run.
type Report struct {
	Store    string         `json:"store"`
	Recovery string         `json:"recovery,omitempty"`
	From     time.Time      `json:"from"`
	To       time.Time      `json:"to"`
	Result   string         `json:"result"`
	Chains   []ChainSummary `json:"chains"`
	Findings []Finding      `json:"findings"`
	Stats    Stats          `json:"stats"`
}

// The results of a run.
const (
	ResultValid         = "valid"
	ResultInvalid       = "invalid"
	ResultCouldNotCheck = "could-not-check"
)

// ChainSummary counts one account's and region's digests and log files.
type ChainSummary struct {
	Prefix           string    `json:"prefix,omitempty"`
	Organization     string    `json:"organization,omitempty"`
	Account          string    `json:"account"`
	Region           string    `json:"region"`
	Trail            string    `json:"trail"`
	HomeRegion       string    `json:"homeRegion"`
	Digests          int       `json:"digests"`
	DigestsValid     int       `json:"digestsValid"`
	Backfill         int       `json:"backfillDigests"`
	LogFiles         int       `json:"logFiles"`
	LogFilesValid    int       `json:"logFilesValid"`
	FirstValidDigest string    `json:"firstValidDigest,omitempty"`
	FirstValidEnd    time.Time `json:"firstValidEnd,omitzero"`
	LastValidDigest  string    `json:"lastValidDigest,omitempty"`
	LastValidEnd     time.Time `json:"lastValidEnd,omitzero"`
	// Restarts are the documented starting digests after a pause.
	Restarts []Restart `json:"restarts,omitempty"`
}

// Restart is a starting digest after a pause in delivery: logging or log
// file validation was stopped and started (docs/aws-rules.md#starting-digest).
type Restart struct {
	After string `json:"after"`
	Start string `json:"start"`
	Gap   string `json:"gap"`
}

// Stats counts what was read.
type Stats struct {
	Digests           int   `json:"digests"`
	DigestsValid      int   `json:"digestsValid"`
	LogFiles          int   `json:"logFiles"`
	LogFilesValid     int   `json:"logFilesValid"`
	RecoveryChecked   int   `json:"recoveryChecked"`
	CompressedBytes   int64 `json:"compressedBytes"`
	UncompressedBytes int64 `json:"uncompressedBytes"`
	// SignedOverCompressed counts digests whose signature verified over the
	// SHA-256 of the gzip bytes rather than of the uncompressed content.
	SignedOverCompressed int `json:"signedOverCompressed"`
	// ListCalls counts the trail store's listing calls (List and
	// ListPrefixes): in S3, each is one LIST request per 1,000 keys or
	// prefixes it returns.
	ListCalls int `json:"listCalls"`
}

// digestRec is one digest read from the store.
type digestRec struct {
	key          string
	name         digestName
	meta         Meta
	compressed   []byte
	uncompressed []byte
	sum          [32]byte
	d            *Digest
	parseErr     error
	end, start   time.Time
	valid        bool // signature verified
	failed       bool // has a finding of its own
	sigSource    string
}

// chainID identifies one trail's digests for one account and region.
type chainID struct{ prefix, org, account, region, trail, home string }

// logGroupID identifies one account's and region's log files.
type logGroupID struct{ prefix, org, account, region string }

type run struct {
	o         Options
	absorbers []*absorber
	restarts  map[chainID][]Restart
	mu        sync.Mutex
	findings  []Finding
	stats     Stats
	// lists counts the store's listing calls; digestFolders the digest day
	// folders listed.
	lists         listCounter
	digestFolders int
}

func (r *run) add(f Finding) {
	f.Severity = SeverityOf(f.Kind)
	r.mu.Lock()
	r.findings = append(r.findings, f)
	r.mu.Unlock()
}

// Verify runs the checks. An error means the run could not check (the store
// or the key source failed); findings are in the report.
func Verify(ctx context.Context, o Options) (*Report, error) {
	if o.Store == nil || o.Keys == nil {
		return nil, errors.New("verify: a store and a key source are required")
	}
	if o.Workers <= 0 {
		o.Workers = 8
	}
	if o.Progress == nil {
		o.Progress = &Progress{}
	}
	o.Prefix = strings.Trim(o.Prefix, "/")
	r := &run{o: o, restarts: map[chainID][]Restart{}}

	// 1. Find the trail's accounts and regions, and list the digests of
	// the range.
	roots, err := r.findRoots(ctx)
	if err != nil {
		return nil, err
	}
	tree, err := r.findAccounts(ctx, roots)
	if err != nil {
		return nil, err
	}
	digests, err := r.listDigests(ctx, tree)
	if err != nil {
		return nil, err
	}
	if len(digests) == 0 {
		return nil, r.noDigests(roots, tree)
	}

	// 2. Read every digest.
	o.Progress.DigestsTotal.Store(int64(len(digests)))
	if err := forEach(ctx, o.Workers, len(digests), func(ctx context.Context, i int) error {
		defer o.Progress.Digests.Add(1)
		return r.readDigest(ctx, digests[i])
	}); err != nil {
		return nil, err
	}
	if o.OnDigestMeta != nil {
		for _, d := range digests {
			o.OnDigestMeta(d.key, d.meta)
		}
	}
	// The log files of the range, and the folders of those the digests list.
	logs, err := r.listLogs(ctx, tree, digests)
	if err != nil {
		return nil, err
	}
	r.stats.ListCalls = int(r.lists.n.Load())

	// 3. Signatures and the chain, per trail, account and region.
	chains := map[chainID][]*digestRec{}
	for _, d := range digests {
		id := chainID{d.name.Prefix, d.name.Org, d.name.Account, d.name.Region, d.name.Trail, d.name.HomeRegion}
		chains[id] = append(chains[id], d)
	}
	if err := r.checkSignatures(ctx, digests); err != nil {
		return nil, err
	}
	ids := sortedChainIDs(chains)
	for _, id := range ids {
		r.checkChain(id, chains[id])
	}
	r.checkChainEnds(ids, chains, tree)

	// 4. Log files the digests list.
	listed := r.listedLogs(digests)
	present := map[string]*logRec{}
	for _, l := range logs {
		present[l.key] = l
	}
	var toCheck []*logRec
	for _, k := range slices.Sorted(maps.Keys(listed)) {
		l := present[k]
		if l == nil {
			l = &logRec{key: k}
			if n, ok := parseLogKey(k); ok {
				l.name = n
			} else {
				l.name = logName{Account: listed[k][0].account, Region: listed[k][0].region}
			}
		}
		l.listing = listed[k]
		toCheck = append(toCheck, l)
	}
	o.Progress.LogFilesTotal.Store(int64(len(toCheck)))
	if err := forEach(ctx, o.Workers, len(toCheck), func(ctx context.Context, i int) error {
		defer o.Progress.LogFiles.Add(1)
		return r.checkLog(ctx, toCheck[i])
	}); err != nil {
		return nil, err
	}

	// 5. Log files no digest lists.
	r.checkUnlisted(chains, logs, listed)

	// 6. The recovery copy.
	if o.Recovery != nil {
		if err := r.checkRecovery(ctx, digests, logs); err != nil {
			return nil, err
		}
	}

	return r.report(ids, chains, toCheck), nil
}

func (r *run) keep(prefix, org string) bool {
	if !r.o.AnyPrefix && prefix != r.o.Prefix {
		return false
	}
	return r.o.OrganizationID == "" || org == "" || org == r.o.OrganizationID
}

// readDigest reads, gunzips and parses one digest.
func (r *run) readDigest(ctx context.Context, d *digestRec) error {
	rc, meta, err := r.o.Store.Open(ctx, d.key, "")
	if err != nil {
		return fmt.Errorf("read digest %s: %w", d.key, err)
	}
	defer rc.Close()
	d.meta = meta
	d.compressed, err = io.ReadAll(rc)
	if err != nil {
		return fmt.Errorf("read digest %s: %w", d.key, err)
	}
	r.o.Progress.Bytes.Add(int64(len(d.compressed)))
	zr, err := gzip.NewReader(bytes.NewReader(d.compressed))
	if err == nil {
		d.uncompressed, err = io.ReadAll(zr)
	}
	if err != nil {
		d.parseErr = fmt.Errorf("not gzip: %w", err)
		return nil
	}
	d.sum = sha256.Sum256(d.uncompressed)
	d.d, d.parseErr = ParseDigest(d.uncompressed)
	if d.parseErr == nil {
		d.end, _ = time.Parse(time.RFC3339, d.d.DigestEndTime)
		d.start, _ = time.Parse(time.RFC3339, d.d.DigestStartTime)
	}
	return nil
}

// checkSignatures verifies every digest's signature with its region's key.
func (r *run) checkSignatures(ctx context.Context, digests []*digestRec) error {
	// A digest's signature: its S3 metadata, else (offline) the
	// previousDigestSignature of the digest that names it
	// (docs/aws-rules.md#offline-validation).
	chainSig := map[string]string{}
	for _, d := range digests {
		if d.d != nil && d.d.PreviousDigestS3Object != nil && d.d.PreviousDigestSignature != nil {
			chainSig[*d.d.PreviousDigestS3Object] = *d.d.PreviousDigestSignature
		}
	}
	keys := map[string]map[string]*rsa.PublicKey{}
	type fpID struct{ region, fp string }
	byFP := map[fpID][]*digestRec{}
	failedFP := map[fpID][]*digestRec{}
	for _, d := range digests {
		if d.parseErr != nil {
			d.failed = true
			r.add(Finding{Kind: DigestUnreadable, Account: d.name.Account, Region: d.name.Region, Trail: d.name.Trail, Keys: []string{d.key},
				Message: fmt.Sprintf("the digest is not a gzip JSON digest of the documented shape: %v", d.parseErr)})
			continue
		}
		sig := d.meta.Metadata["signature"]
		d.sigSource = "metadata"
		if s, ok := chainSig[d.d.DigestS3Object]; ok && d.d.DigestS3Object != d.key {
			// A digest found at another's key: the signature that belongs to
			// its content is the one its successor records.
			sig, d.sigSource = s, "next digest"
		}
		if sig == "" {
			if s, ok := chainSig[d.d.DigestS3Object]; ok {
				sig, d.sigSource = s, "next digest"
			}
		}
		if sig == "" {
			d.failed = true
			if r.o.Offline {
				r.add(Finding{Kind: DigestSignatureUnavailable, Account: d.name.Account, Region: d.name.Region, Trail: d.name.Trail, Keys: []string{d.key},
					Message: "no signature for this digest in the signatures file, and no later digest carries it: write one with --write-signatures while reading S3 (the User Guide's offline procedure)"})
			} else {
				r.add(Finding{Kind: DigestUnsigned, Account: d.name.Account, Region: d.name.Region, Trail: d.name.Trail, Keys: []string{d.key},
					Message: "the digest object has no x-amz-meta-signature: CloudTrail writes one on every digest, so the object was replaced"})
			}
			continue
		}
		alg := d.meta.Metadata["signature-algorithm"]
		if (alg != "" && alg != SignatureAlgorithm) || d.d.DigestSignatureAlgorithm != SignatureAlgorithm {
			d.failed = true
			r.add(Finding{Kind: DigestUnsupportedAlgorithm, Account: d.name.Account, Region: d.name.Region, Trail: d.name.Trail, Keys: []string{d.key},
				Message: fmt.Sprintf("signature algorithm %q (metadata) / %q (digest): only SHA256withRSA is documented", alg, d.d.DigestSignatureAlgorithm)})
			continue
		}
		region := d.name.Region
		if keys[region] == nil {
			pks, err := r.o.Keys.PublicKeys(ctx, region, r.o.From.Add(-24*time.Hour), r.o.To.Add(24*time.Hour))
			if err != nil {
				return fmt.Errorf("public keys of %s: %w", region, err)
			}
			keys[region] = map[string]*rsa.PublicKey{}
			for _, pk := range pks {
				k, err := ParseRSAPublicKey(pk.DER)
				if err != nil {
					return fmt.Errorf("public key %s of %s: %w", pk.Fingerprint, region, err)
				}
				keys[region][strings.ToLower(pk.Fingerprint)] = k
			}
		}
		fp := strings.ToLower(d.d.DigestPublicKeyFingerprint)
		id := fpID{region, fp}
		pub := keys[region][fp]
		if pub == nil {
			d.failed = true
			failedFP[fpID{region, "unknown:" + fp}] = append(failedFP[fpID{region, "unknown:" + fp}], d)
			continue
		}
		byFP[id] = append(byFP[id], d)
		how, err := verifySignature(pub, d.d, sig, d.uncompressed, d.compressed)
		if err != nil {
			failedFP[id] = append(failedFP[id], d)
			continue
		}
		d.valid = true
		if how == "compressed" {
			r.stats.SignedOverCompressed++
		}
	}
	// Digests that name a key nobody has, one finding per key.
	for id, ds := range failedFP {
		if fp, ok := strings.CutPrefix(id.fp, "unknown:"); ok {
			d := ds[0]
			r.add(Finding{Kind: PublicKeyUnknown, Account: d.name.Account, Region: id.region, Trail: d.name.Trail, Keys: digestKeys(ds),
				Message: fmt.Sprintf("no public key of %s has fingerprint %s (%d digests name it): CloudTrail's ListPublicKeys does not know it, or the public keys file lacks it", id.region, fp, len(ds))})
			continue
		}
		all := byFP[id]
		if len(all) >= 2 && len(ds) == len(all) {
			for _, d := range ds {
				d.failed = true
			}
			r.add(Finding{Kind: PublicKeyMismatch, Account: ds[0].name.Account, Region: id.region, Trail: ds[0].name.Trail, Keys: digestKeys(ds),
				Message: fmt.Sprintf("all %d digests that name fingerprint %s fail with the key of that fingerprint: it is not the key that signed them (a wrong public keys file, or every digest replaced)", len(ds), id.fp)})
			continue
		}
		for _, d := range ds {
			d.failed = true
			r.classifySignatureFailure(d, digests)
		}
	}
	for _, d := range digests {
		if d.d != nil && !d.failed {
			if d.d.DigestS3Object != d.key || (r.o.Bucket != "" && d.d.DigestS3Bucket != r.o.Bucket) {
				d.failed = true // location findings come with the chain
			}
		}
	}
	return nil
}

// classifySignatureFailure tells a modified digest from a replaced
// signature by what the next digest recorded of it.
func (r *run) classifySignatureFailure(d *digestRec, digests []*digestRec) {
	var next *digestRec
	for _, n := range digests {
		if n.d != nil && n.valid && n.d.PreviousDigestS3Object != nil && *n.d.PreviousDigestS3Object == d.d.DigestS3Object {
			next = n
			break
		}
	}
	f := &Finding{Account: d.name.Account, Region: d.name.Region, Trail: d.name.Trail, Keys: []string{d.key}}
	switch {
	case next != nil && next.d.PreviousDigestHashValue != nil && !strings.EqualFold(*next.d.PreviousDigestHashValue, hex.EncodeToString(d.sum[:])):
		f.Kind = DigestModified
		f.Message = fmt.Sprintf("the digest's content is not what the next digest (%s) recorded, and its signature fails: it was modified after delivery", next.key)
	case next != nil:
		f.Kind = DigestSignatureInvalid
		f.Message = fmt.Sprintf("the digest's content is what the next digest (%s) recorded, but its signature (from %s) fails: the signature was replaced", next.key, d.sigSource)
	default:
		f.Kind = DigestSignatureInvalid
		f.Message = fmt.Sprintf("the signature (from %s) fails, and no later digest records this one to tell a modified content from a replaced signature", d.sigSource)
	}
	// Log files of its hour that no digest lists are what it may have
	// hidden: they go with this finding.
	r.absorbers = append(r.absorbers, &absorber{f: f, group: logGroupID{d.name.Prefix, d.name.Org, d.name.Account, d.name.Region}, from: d.start.Add(-time.Hour), to: d.end})
}

// absorber is a finding that takes in the unlisted log files of its hour:
// those a missing or modified digest listed.
type absorber struct {
	f        *Finding
	group    logGroupID
	from, to time.Time
}

// checkChain follows one trail's digests for one account and region in
// time order (docs/aws-rules.md#digest-chain). It returns the digest-missing
// findings, which absorb the log files the missing digests listed.
func (r *run) checkChain(id chainID, ds []*digestRec) {
	var std, backfill []*digestRec
	byContent := map[string]*digestRec{}
	stored := map[string]bool{}
	for _, d := range ds {
		stored[d.key] = true
		if d.d == nil {
			continue
		}
		byContent[d.d.DigestS3Object] = d
		if d.name.Backfill {
			backfill = append(backfill, d)
		} else {
			std = append(std, d)
		}
	}
	// Location: a digest must sit where it says it was delivered.
	var moved []*digestRec
	for _, d := range ds {
		if d.d != nil && (d.d.DigestS3Object != d.key || (r.o.Bucket != "" && d.d.DigestS3Bucket != r.o.Bucket)) {
			moved = append(moved, d)
		}
	}
	if len(moved) > 0 {
		var swapped, alone []*digestRec
		for _, d := range moved {
			if stored[d.d.DigestS3Object] && d.d.DigestS3Object != d.key {
				swapped = append(swapped, d)
			} else {
				alone = append(alone, d)
			}
		}
		if len(swapped) > 0 {
			r.add(Finding{Kind: ChainReordered, Account: id.account, Region: id.region, Trail: id.trail, Keys: digestKeys(swapped),
				Message: fmt.Sprintf("%d digests sit at one another's keys (each names another key as its own): the digests were reordered", len(swapped))})
		}
		for _, d := range alone {
			r.add(Finding{Kind: DigestMoved, Account: id.account, Region: id.region, Trail: id.trail, Keys: []string{d.key},
				Message: fmt.Sprintf("the digest says it was delivered to s3://%s/%s, not here", d.d.DigestS3Bucket, d.d.DigestS3Object)})
		}
	}
	// Order by the end time the digest itself records.
	sort.Slice(std, func(i, j int) bool {
		if !std[i].end.Equal(std[j].end) {
			return std[i].end.Before(std[j].end)
		}
		return std[i].d.DigestS3Object < std[j].d.DigestS3Object
	})
	for i, d := range std {
		if i == 0 {
			// The first digest of the range: its predecessor lies before
			// the range, unless it was deleted. One whose end (in its name)
			// is inside the range would have been listed.
			if d.d.Starting() || d.d.PreviousDigestS3Object == nil {
				continue
			}
			prev := *d.d.PreviousDigestS3Object
			n, ok := parseDigestKey(prev)
			if _, held := byContent[prev]; !ok || held || stored[prev] || n.End.Before(r.o.From) {
				continue
			}
			f := &Finding{Kind: DigestMissing, Account: id.account, Region: id.region, Trail: id.trail, Keys: []string{prev},
				Message: fmt.Sprintf("%s, the first digest of the range, names %s as its previous digest, which ends inside the range and which the store does not hold: it was deleted, and any digests before it in the range; the log files they listed cannot be verified", d.key, prev)}
			r.absorbers = append(r.absorbers, &absorber{f: f, group: logGroupID{id.prefix, id.org, id.account, id.region}, from: n.End.Add(-2 * time.Hour), to: n.End})
			continue
		}
		p := std[i-1]
		if d.d.Starting() {
			// A starting digest after a pause in delivery is the documented
			// stop and start of logging or validation: a summary line, not a
			// finding. One with no pause is not a documented case.
			gap := d.start.Sub(p.end)
			if gap >= time.Minute {
				r.restarts[id] = append(r.restarts[id], Restart{After: p.key, Start: d.key, Gap: gap.Round(time.Second).String()})
				continue
			}
			r.add(Finding{Kind: ChainRestarted, Account: id.account, Region: id.region, Trail: id.trail, Keys: []string{d.key, p.key},
				Message: fmt.Sprintf("a starting digest (previous fields null) follows %s without a pause in delivery: not the documented stop and start of logging; check the trail's StopLogging, StartLogging and UpdateTrail events", p.key)})
			continue
		}
		prev := *d.d.PreviousDigestS3Object
		if prev == p.d.DigestS3Object {
			if p.failed || !d.valid {
				continue // the predecessor or this digest has its own finding
			}
			hashOK := d.d.PreviousDigestHashValue != nil && strings.EqualFold(*d.d.PreviousDigestHashValue, hex.EncodeToString(p.sum[:]))
			sigOK := p.meta.Metadata["signature"] == "" || (d.d.PreviousDigestSignature != nil && strings.EqualFold(*d.d.PreviousDigestSignature, p.meta.Metadata["signature"]))
			if !hashOK || !sigOK {
				r.add(Finding{Kind: ChainBroken, Account: id.account, Region: id.region, Trail: id.trail, Keys: []string{d.key, p.key},
					Message: fmt.Sprintf("%s names %s as its previous digest, but the hash or signature it records is not that digest's (hash matches: %t, signature matches: %t)", d.key, p.key, hashOK, sigOK)})
			}
			continue
		}
		if _, ok := byContent[prev]; ok || stored[prev] {
			r.add(Finding{Kind: ChainBroken, Account: id.account, Region: id.region, Trail: id.trail, Keys: []string{d.key, p.key},
				Message: fmt.Sprintf("%s names %s as its previous digest, not %s, which comes between them", d.key, prev, p.key)})
			continue
		}
		f := &Finding{Kind: DigestMissing, Account: id.account, Region: id.region, Trail: id.trail, Keys: []string{prev},
			Message: fmt.Sprintf("%s names %s as its previous digest, which the store does not hold: it was deleted; the log files it listed cannot be verified", d.key, prev)}
		end := p.end
		if n, ok := parseDigestKey(prev); ok {
			end = n.End
		}
		r.absorbers = append(r.absorbers, &absorber{f: f, group: logGroupID{id.prefix, id.org, id.account, id.region}, from: end.Add(-2 * time.Hour), to: end})
	}
	// Backfill digests: late log files; their chain is checked where it
	// leads to a digest held here (docs/aws-rules.md#backfill-digests).
	for _, d := range backfill {
		if d.failed || d.d.Starting() || d.d.PreviousDigestS3Object == nil {
			continue
		}
		if p, ok := byContent[*d.d.PreviousDigestS3Object]; ok && !p.failed {
			if d.d.PreviousDigestHashValue == nil || !strings.EqualFold(*d.d.PreviousDigestHashValue, hex.EncodeToString(p.sum[:])) {
				r.add(Finding{Kind: ChainBroken, Account: id.account, Region: id.region, Trail: id.trail, Keys: []string{d.key, p.key},
					Message: fmt.Sprintf("backfill digest %s names %s as its previous digest, but the hash it records is not that digest's", d.key, p.key)})
			}
		}
	}
}

// listing is one digest's entry for a log file.
type listing struct {
	digest, account, region string
	hash, alg               string
}

// logRec is one log file, listed, present or both.
type logRec struct {
	key     string
	name    logName
	obj     Object
	listing []listing
	meta    Meta
	sum     [32]byte
	hashed  bool
	found   bool
	valid   bool
}

func (r *run) listedLogs(digests []*digestRec) map[string][]listing {
	out := map[string][]listing{}
	for _, d := range digests {
		if d.d == nil {
			continue
		}
		for _, lf := range d.d.LogFiles {
			out[lf.S3Object] = append(out[lf.S3Object], listing{digest: d.key, account: d.name.Account, region: d.name.Region, hash: strings.ToLower(lf.HashValue), alg: lf.HashAlgorithm})
		}
	}
	return out
}

// checkLog hashes one listed log file and compares it with its digest.
func (r *run) checkLog(ctx context.Context, l *logRec) error {
	sum, meta, err := r.hashObject(ctx, r.o.Store, l.key, "")
	acct, region := l.name.Account, l.name.Region
	if errors.Is(err, ErrNotFound) {
		r.add(Finding{Kind: LogFileMissing, Account: acct, Region: region, Keys: []string{l.key},
			Message: fmt.Sprintf("listed by %s, but the store does not hold it: it was deleted%s", l.listing[0].digest, r.recoveryNote(ctx, l))})
		return nil
	}
	if err != nil {
		return err
	}
	l.found, l.hashed, l.sum, l.meta = true, true, sum, meta
	want := l.listing[0]
	got := hex.EncodeToString(sum[:])
	if want.alg != "" && want.alg != "SHA-256" {
		r.add(Finding{Kind: LogFileModified, Account: acct, Region: region, Keys: []string{l.key},
			Message: fmt.Sprintf("listed by %s with hash algorithm %q: only SHA-256 is documented", want.digest, want.alg)})
		return nil
	}
	if got == want.hash {
		l.valid = true
		return nil
	}
	// Trace the original through earlier versions.
	versions, err := r.o.Store.Versions(ctx, l.key)
	if err == nil {
		for _, v := range versions {
			if v.IsLatest || v.VersionID == "" || v.VersionID == meta.VersionID {
				continue
			}
			vs, _, err := r.hashObject(ctx, r.o.Store, l.key, v.VersionID)
			if err == nil && hex.EncodeToString(vs[:]) == want.hash {
				r.add(Finding{Kind: OverwrittenVersionFound, Account: acct, Region: region, Keys: []string{l.key},
					Message: fmt.Sprintf("the current version differs from what %s hashed; version %s (%s) matches it: the original is intact, the object was overwritten", want.digest, v.VersionID, v.LastModified.UTC().Format(time.RFC3339))})
				return nil
			}
		}
	} else if !errors.Is(err, ErrNoVersions) {
		return err
	}
	r.add(Finding{Kind: LogFileModified, Account: acct, Region: region, Keys: []string{l.key},
		Message: fmt.Sprintf("its uncompressed SHA-256 is %s, %s recorded %s: it was modified after delivery%s", got, want.digest, want.hash, r.recoveryNote(ctx, l))})
	return nil
}

// recoveryNote says whether the recovery copy holds the original.
func (r *run) recoveryNote(ctx context.Context, l *logRec) string {
	if r.o.Recovery == nil {
		return ""
	}
	sum, _, err := r.hashObject(ctx, r.o.Recovery, l.key, "")
	switch {
	case err != nil:
		return "; the recovery copy does not hold it either"
	case hex.EncodeToString(sum[:]) == l.listing[0].hash:
		return "; the recovery copy holds the original (it matches the digest)"
	default:
		return "; the recovery copy differs from the digest too"
	}
}

// checkUnlisted reports log files no digest lists, except those newer than
// the last digest of their account and region (docs/aws-rules.md#digest-chain).
func (r *run) checkUnlisted(chains map[chainID][]*digestRec, logs []*logRec, listed map[string][]listing) {
	type span struct{ first, last time.Time }
	spans := map[logGroupID]*span{}
	for id, ds := range chains {
		g := logGroupID{id.prefix, id.org, id.account, id.region}
		s := spans[g]
		if s == nil {
			s = &span{}
			spans[g] = s
		}
		for _, d := range ds {
			if d.d == nil {
				continue
			}
			if s.first.IsZero() || d.start.Before(s.first) {
				s.first = d.start
			}
			if d.end.After(s.last) {
				s.last = d.end
			}
		}
	}
	absent := map[logGroupID][]string{}
	var unlisted []*logRec
	for _, l := range logs {
		if _, ok := listed[l.key]; ok {
			continue
		}
		if l.name.Stamp.Before(r.o.From) || l.name.Stamp.After(r.o.To) {
			continue
		}
		g := logGroupID{l.name.Prefix, l.name.Org, l.name.Account, l.name.Region}
		s := spans[g]
		if s == nil {
			absent[g] = append(absent[g], l.key)
			continue
		}
		// A log file's name carries the time of its newest event, before
		// its delivery; a file up to an hour before the last digest's end
		// may still be listed by a later digest (UNCONFIRMED margin,
		// docs/aws-rules.md#log-file-names).
		if l.name.Stamp.Before(s.first) || l.name.Stamp.After(s.last.Add(-time.Hour)) {
			continue
		}
		absorbed := false
		for _, a := range r.absorbers {
			if a.group == g && l.name.Stamp.After(a.from) && !l.name.Stamp.After(a.to) {
				a.f.Keys = append(a.f.Keys, l.key)
				absorbed = true
				break
			}
		}
		if !absorbed {
			unlisted = append(unlisted, l)
		}
	}
	for _, a := range r.absorbers {
		if len(a.f.Keys) > 1 {
			a.f.Message += fmt.Sprintf(" (%d log files of its hour that no digest lists follow its key)", len(a.f.Keys)-1)
		}
		r.add(*a.f)
	}
	for _, l := range unlisted {
		r.add(Finding{Kind: LogFileUnlisted, Account: l.name.Account, Region: l.name.Region, Keys: []string{l.key},
			Message: "no digest lists this log file, and it is older than the last digest: it was added after delivery, or its digest is outside the range"})
	}
	for g, keys := range absent {
		r.add(Finding{Kind: DigestsAbsent, Account: g.account, Region: g.region, Keys: keys,
			Message: fmt.Sprintf("%d log files between %s and %s, and no digest of the trail for this account and region: log file validation was off, or the digests were deleted", len(keys), r.o.From.Format(time.RFC3339), r.o.To.Format(time.RFC3339))})
	}
}

// checkRecovery checks that every object of the trail bucket in range has a
// replica with the same uncompressed SHA-256.
func (r *run) checkRecovery(ctx context.Context, digests []*digestRec, logs []*logRec) error {
	type item struct {
		key, account, region string
		sum                  [32]byte
		meta                 Meta
		hashed               bool
		log                  *logRec
	}
	var items []*item
	for _, d := range digests {
		items = append(items, &item{key: d.key, account: d.name.Account, region: d.name.Region, sum: d.sum, meta: d.meta, hashed: d.uncompressed != nil})
	}
	for _, l := range logs {
		items = append(items, &item{key: l.key, account: l.name.Account, region: l.name.Region, sum: l.sum, meta: l.meta, hashed: l.hashed, log: l})
	}
	var n atomic.Int64
	err := forEach(ctx, r.o.Workers, len(items), func(ctx context.Context, i int) error {
		it := items[i]
		if !it.hashed {
			sum, meta, err := r.hashObject(ctx, r.o.Store, it.key, "")
			if errors.Is(err, ErrNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			it.sum, it.meta = sum, meta
		}
		n.Add(1)
		rsum, _, err := r.hashObject(ctx, r.o.Recovery, it.key, "")
		f := Finding{Account: it.account, Region: it.region, Keys: []string{it.key}}
		switch {
		case errors.Is(err, ErrNotFound):
			switch {
			case it.meta.ReplicationStatus == "PENDING":
				f.Kind, f.Message = RecoveryPending, "no replica yet; the source object's replication status is PENDING"
			case it.meta.ReplicationStatus == "FAILED":
				f.Kind, f.Message = RecoveryFailed, "no replica; the source object's replication status is FAILED: S3 does not retry it (re-replicate it with S3 Batch Replication)"
			case !r.o.ReplicationSince.IsZero() && !it.meta.LastModified.IsZero() && it.meta.LastModified.Before(r.o.ReplicationSince):
				f.Kind, f.Message = PredatesReplication, fmt.Sprintf("no replica; the object (%s) predates the replication rule (%s): S3 replicates only objects written after it", it.meta.LastModified.Format(time.RFC3339), r.o.ReplicationSince.Format(time.RFC3339))
			case !r.o.Offline && it.meta.ReplicationStatus == "":
				f.Kind, f.Message = PredatesReplication, "no replica; the source object has no replication status, so no replication rule applied when it was written"
			default:
				f.Kind, f.Message = RecoveryMissing, fmt.Sprintf("the recovery copy does not hold it (source replication status %q)", it.meta.ReplicationStatus)
			}
		case err != nil:
			return err
		case rsum != it.sum:
			f.Kind, f.Message = RecoveryDifferent, fmt.Sprintf("the replica's uncompressed SHA-256 is %s, the trail bucket's %s", hex.EncodeToString(rsum[:]), hex.EncodeToString(it.sum[:]))
		default:
			return nil
		}
		r.add(f)
		return nil
	})
	r.stats.RecoveryChecked = int(n.Load())
	return err
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// countingReader counts the compressed bytes read.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// hashObject streams an object through gunzip and SHA-256.
func (r *run) hashObject(ctx context.Context, s Store, key, version string) ([32]byte, Meta, error) {
	var sum [32]byte
	rc, meta, err := s.Open(ctx, key, version)
	if err != nil {
		return sum, meta, err
	}
	defer rc.Close()
	cr := &countingReader{r: rc}
	zr, err := gzip.NewReader(cr)
	if err != nil {
		return sum, meta, fmt.Errorf("%s: not gzip: %w", key, err)
	}
	h := sha256.New()
	bp := bufPool.Get().(*[]byte)
	n, err := io.CopyBuffer(h, zr, *bp)
	bufPool.Put(bp)
	if err != nil {
		// A file that does not gunzip is not what the digest hashed; its
		// hash is that of what could be read (it will not match).
		h.Write([]byte("\x00corrupt"))
	}
	copy(sum[:], h.Sum(nil))
	r.mu.Lock()
	r.stats.CompressedBytes += cr.n
	r.stats.UncompressedBytes += n
	r.mu.Unlock()
	r.o.Progress.Bytes.Add(cr.n)
	return sum, meta, nil
}

func (r *run) report(ids []chainID, chains map[chainID][]*digestRec, logs []*logRec) *Report {
	rep := &Report{Store: r.o.Store.Name(), From: r.o.From, To: r.o.To}
	if r.o.Recovery != nil {
		rep.Recovery = r.o.Recovery.Name()
	}
	bad := map[string]bool{}
	for _, f := range r.findings {
		if f.Severity == Invalid {
			for _, k := range f.Keys {
				bad[k] = true
			}
		}
	}
	logsBy := map[logGroupID][]*logRec{}
	for _, l := range logs {
		g := logGroupID{l.name.Prefix, l.name.Org, l.name.Account, l.name.Region}
		logsBy[g] = append(logsBy[g], l)
	}
	seenGroup := map[logGroupID]bool{}
	for _, id := range ids {
		c := ChainSummary{Prefix: id.prefix, Organization: id.org, Account: id.account, Region: id.region, Trail: id.trail, HomeRegion: id.home, Restarts: r.restarts[id]}
		ds := chains[id]
		sort.Slice(ds, func(i, j int) bool { return ds[i].key < ds[j].key })
		for _, d := range ds {
			c.Digests++
			if d.name.Backfill {
				c.Backfill++
			}
			if d.valid && !d.failed && !bad[d.key] {
				c.DigestsValid++
				if c.FirstValidEnd.IsZero() || d.end.Before(c.FirstValidEnd) {
					c.FirstValidDigest, c.FirstValidEnd = d.key, d.end
				}
				if d.end.After(c.LastValidEnd) {
					c.LastValidDigest, c.LastValidEnd = d.key, d.end
				}
			}
		}
		g := logGroupID{id.prefix, id.org, id.account, id.region}
		if !seenGroup[g] {
			seenGroup[g] = true
			for _, l := range logsBy[g] {
				c.LogFiles++
				if l.valid && !bad[l.key] {
					c.LogFilesValid++
				}
			}
		}
		rep.Chains = append(rep.Chains, c)
		r.stats.Digests += c.Digests
		r.stats.DigestsValid += c.DigestsValid
		r.stats.LogFiles += c.LogFiles
		r.stats.LogFilesValid += c.LogFilesValid
	}
	for _, f := range r.findings {
		sort.Strings(f.Keys[1:])
	}
	sort.SliceStable(r.findings, func(i, j int) bool {
		a, b := r.findings[i], r.findings[j]
		if a.Account != b.Account {
			return a.Account < b.Account
		}
		if a.Region != b.Region {
			return a.Region < b.Region
		}
		if a.Keys[0] != b.Keys[0] {
			return a.Keys[0] < b.Keys[0]
		}
		return a.Kind < b.Kind
	})
	rep.Findings = r.findings
	if rep.Findings == nil {
		rep.Findings = []Finding{}
	}
	rep.Stats = r.stats
	rep.Result = ResultValid
	for _, f := range rep.Findings {
		switch f.Severity {
		case Invalid:
			rep.Result = ResultInvalid
		case Unverified:
			if rep.Result == ResultValid {
				rep.Result = ResultCouldNotCheck
			}
		}
	}
	return rep
}

// forEach runs fn for 0..n-1 on at most workers goroutines; the first error
// stops the rest.
func forEach(ctx context.Context, workers, n int, fn func(context.Context, int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	if workers > n {
		workers = n
	}
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := fn(ctx, i); err != nil {
					once.Do(func() { first = err; cancel() })
				}
			}
		}()
	}
feed:
	for i := 0; i < n; i++ {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}

func digestKeys(ds []*digestRec) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.key)
	}
	sort.Strings(out)
	return out
}

func sortedChainIDs(m map[chainID][]*digestRec) []chainID {
	out := make([]chainID, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		return fmt.Sprint(a) < fmt.Sprint(b)
	})
	return out
}
