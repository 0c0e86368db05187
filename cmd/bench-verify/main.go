package main

import (
	"compress/gzip"
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/internal/runtime/version"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/verify"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/verify/fixture"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench-verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	accounts := fs.Int("accounts", 20, "accounts of the organization")
	regions := fs.Int("regions", 4, "regions (1 to 4)")
	hours := fs.Int("hours", 24, "hours of digests per account and region")
	files := fs.Int("files-per-hour", 6, "log files per hour per account and region")
	events := fs.Int("events", 25, "events per log file")
	workers := fs.Int("workers", runtime.NumCPU(), "goroutines, for the verifier and the floor alike")
	rounds := fs.Int("rounds", 3, "rounds of each; the best of each is compared")
	maxRatio := fs.Float64("max-ratio", 1.5, "fail above this ratio of verifier time to floor time")
	profile := fs.String("cpuprofile", "", "write the verifier's CPU profile (last round) to this file")
	out := fs.String("out", "cmd/bench-verify/results.md", "write the results here (\"\" for none)")
	showVersion := version.Flag(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if version.Print(stdout, "bench-verify", showVersion) {
		return 0
	}
	if *regions < 1 || *regions > 4 {
		fmt.Fprintf(stderr, "bench-verify: --regions %d: must be between 1 and 4 (the fixture has four test keys)\n", *regions)
		return 2
	}
	root, err := os.MkdirTemp("", "bench-verify-")
	if err != nil {
		fmt.Fprintln(stderr, "bench-verify:", err)
		return 2
	}
	defer os.RemoveAll(root)

	spec := fixture.Spec{OrganizationID: "o-benchorg0001", Hours: *hours, FilesPerHour: *files, EventsPerFile: *events, Backfill: true, Workers: *workers}
	all := []string{"us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1"}
	spec.Regions = all[:*regions]
	for i := 0; i < *accounts; i++ {
		spec.Accounts = append(spec.Accounts, fmt.Sprintf("1000%08d", i+1))
	}
	start := time.Now()
	f, err := fixture.Write(root, spec)
	if err != nil {
		fmt.Fprintln(stderr, "bench-verify: fixture:", err)
		return 2
	}
	nFiles := len(f.Digests) + len(f.Logs)
	fmt.Fprintf(stderr, "bench-verify: fixture of %d accounts x %d regions x %d hours: %d digests, %d log files, %.1f MB gzip (%.1f MB uncompressed) in %s\n",
		*accounts, *regions, *hours, len(f.Digests), len(f.Logs), float64(f.CompressedBytes)/1e6, float64(f.UncompressedBytes)/1e6, time.Since(start).Round(time.Millisecond))

	sigs, err := verify.ReadSignatures(f.SignaturesFile())
	if err != nil {
		fmt.Fprintln(stderr, "bench-verify:", err)
		return 2
	}
	keys, err := verify.NewFileKeys(f.PublicKeySpecs())
	if err != nil {
		fmt.Fprintln(stderr, "bench-verify:", err)
		return 2
	}
	opts := verify.Options{Store: &verify.DirStore{Dir: f.BucketDir(), Signatures: sigs}, Keys: keys, Bucket: spec.Bucket,
		OrganizationID: spec.OrganizationID, Offline: true, Workers: *workers,
		From: f.Spec.Start, To: f.Spec.Start.Add(time.Duration(*hours) * time.Hour)}

	var bestVerify, bestFloor time.Duration
	var compressed, uncompressed int64
	for round := 0; round < *rounds; round++ {
		t0 := time.Now()
		c, u, n, err := floor(f.BucketDir(), *workers)
		d := time.Since(t0)
		if err != nil || n != nFiles {
			fmt.Fprintf(stderr, "bench-verify: floor: %v (%d files, want %d)\n", err, n, nFiles)
			return 2
		}
		compressed, uncompressed = c, u
		if bestFloor == 0 || d < bestFloor {
			bestFloor = d
		}
		var pf *os.File
		if *profile != "" && round == *rounds-1 {
			if pf, err = os.Create(*profile); err == nil {
				pprof.StartCPUProfile(pf)
			}
		}
		t0 = time.Now()
		rep, err := verify.Verify(context.Background(), opts)
		d = time.Since(t0)
		if pf != nil {
			pprof.StopCPUProfile()
			pf.Close()
		}
		if err != nil || rep.Result != verify.ResultValid {
			fmt.Fprintf(stderr, "bench-verify: the verifier did not find the fixture valid: %v %+v\n", err, rep)
			return 2
		}
		if bestVerify == 0 || d < bestVerify {
			bestVerify = d
		}
		fmt.Fprintf(stderr, "bench-verify: round %d: floor %s, verifier %s\n", round+1, bestFloor.Round(time.Millisecond), d.Round(time.Millisecond))
	}
	ratio := bestVerify.Seconds() / bestFloor.Seconds()
	rate := func(d time.Duration) string {
		s := d.Seconds()
		return fmt.Sprintf("%.0f files/s, %.1f MB/s gzip, %.1f MB/s uncompressed", float64(nFiles)/s, float64(compressed)/1e6/s, float64(uncompressed)/1e6/s)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Verifier benchmark (`make bench`, cmd/bench-verify)\n\n")
	fmt.Fprintf(&b, "Fixture: %d accounts x %d regions x %d hours (organization trail): %d digests and %d log files, %d files, %.1f MB gzip, %.1f MB uncompressed.\n",
		*accounts, *regions, *hours, len(f.Digests), len(f.Logs), nFiles, float64(compressed)/1e6, float64(uncompressed)/1e6)
	fmt.Fprintf(&b, "Machine: %s/%s, %d CPUs, %d goroutines for both, best of %d rounds.\n\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), *workers, *rounds)
	fmt.Fprintf(&b, "| | time | rate |\n|---|---|---|\n")
	fmt.Fprintf(&b, "| floor: read + gunzip (compress/gzip) + SHA-256, standard library | %s | %s |\n", bestFloor.Round(time.Millisecond), rate(bestFloor))
	fmt.Fprintf(&b, "| verifier (offline, every check) | %s | %s |\n", bestVerify.Round(time.Millisecond), rate(bestVerify))
	fmt.Fprintf(&b, "\nRatio verifier / floor: %.2f (limit %.2f).\n", ratio, *maxRatio)
	fmt.Fprint(stdout, b.String())
	if *out != "" {
		if err := os.WriteFile(*out, []byte(b.String()), 0o644); err != nil {
			fmt.Fprintln(stderr, "bench-verify:", err)
			return 2
		}
	}
	if ratio > *maxRatio {
		fmt.Fprintf(stderr, "bench-verify: FAIL: the verifier takes %.2f times the floor, above %.2f\n", ratio, *maxRatio)
		return 1
	}
	return 0
}

// floor reads, gunzips and hashes every .json.gz file under dir with the
// standard library alone, on workers goroutines.
func floor(dir string, workers int) (compressed, uncompressed int64, n int, err error) {
	var paths []string
	err = filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() && strings.HasSuffix(p, ".json.gz") {
			paths = append(paths, p)
		}
		return err
	})
	if err != nil {
		return 0, 0, 0, err
	}
	var mu sync.Mutex
	var first error
	ch := make(chan string)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range ch {
				c, u, err := hashFile(p)
				mu.Lock()
				compressed += c
				uncompressed += u
				if err != nil && first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	for _, p := range paths {
		ch <- p
	}
	close(ch)
	wg.Wait()
	return compressed, uncompressed, len(paths), first
}

func hashFile(p string) (int64, int64, error) {
	f, err := os.Open(p)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	st, _ := f.Stat()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return 0, 0, err
	}
	h := sha256.New()
	n, err := io.Copy(h, zr)
	h.Sum(nil)
	return st.Size(), n, err
}
