package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/internal/proof/genconfig"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/internal/runtime/jsiicache"
	"github.com/cloudtrail-mrk/cloudtrail-mrk/internal/runtime/version"
)

// Targets (issues 7 and 15).
const (
	orgOverFloorTarget      = 1.3
	replicas16Over1Target   = 1.2
	testCommandTargetSecond = 180
	orgOverAWSCDKTimeTarget = 0.8
	orgOverAWSCDKPeakTarget = 1.1
)

// awsCDKDir holds the AWS CDK peer of the organization example.
const awsCDKDir = "cmd/bench/awscdk"

type benchCase struct {
	name   string
	binary string   // "floor", "app", or "node" for the AWS CDK peer
	config string   // CLOUDTRAIL_MRK_CONFIG for the app
	env    []string // more environment
}

type measured struct {
	benchCase
	seconds []float64
	peakMiB float64
}

func main() {
	runs := flag.Int("runs", 5, "runs per case (the median is reported)")
	out := flag.String("out", "cmd/bench/results.md", "where to write the Markdown table")
	testCommand := flag.Bool("test-command", true, "also time the README's test command (make test), warm")
	showVersion := version.Flag(flag.CommandLine)
	flag.Parse()
	if version.Print(os.Stdout, "bench", showVersion) {
		return
	}
	if err := run(*runs, *out, *testCommand, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		os.Exit(1)
	}
}

func run(runs int, out string, testCommand bool, w io.Writer) error {
	if runs < 1 {
		return fmt.Errorf("-runs must be at least 1")
	}
	tmp, err := os.MkdirTemp("", "cloudtrail-mrk-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for name, pkg := range map[string]string{"floor": "./cmd/bench/floor", "app": "."} {
		if b, err := exec.Command("go", "build", "-o", filepath.Join(tmp, name), pkg).CombinedOutput(); err != nil {
			return fmt.Errorf("go build %s: %v\n%s", pkg, err, b)
		}
	}
	example, err := os.ReadFile("examples/organization.yaml")
	if err != nil {
		return err
	}
	fast := jsiicache.Check(".", os.Getenv)
	fastPath := "on"
	if fast.State != jsiicache.Fast {
		fastPath = "**not used**: " + fast.Reason
		if fast.Reason == "" {
			fastPath = "**off** (switched off, or the jsii package cache chosen in the environment)"
		}
		fmt.Fprintf(w, "bench: the fast path is not in use (%s); run make setup\n", strings.TrimPrefix(fastPath, "**not used**: "))
	}
	cdkVersion, err := installAWSCDK()
	if err != nil {
		return err
	}
	const org = "organization example"
	cases := []benchCase{
		{name: "floor (one S3 bucket)", binary: "floor"},
		{name: "default configuration", binary: "app"},
		{name: org, binary: "app", config: "examples/organization.yaml"},
	}
	// The organization example, and beside it the same with the fast path
	// off and the AWS CDK peer.
	sideBySide := []benchCase{
		cases[2],
		{name: "organization example, fast path off", binary: "app", config: "examples/organization.yaml", env: []string{jsiicache.SwitchEnv + "=0"}},
		{name: "AWS CDK: organization example (aws-cdk-lib " + cdkVersion + ")", binary: "node"},
	}
	for _, n := range []int{1, 4, 8, 16} {
		cfg, err := genconfig.WithReplicas(example, n)
		if err != nil {
			return err
		}
		path := filepath.Join(tmp, fmt.Sprintf("replicas-%d.yaml", n))
		if err := os.WriteFile(path, cfg, 0o644); err != nil {
			return err
		}
		cases = append(cases, benchCase{name: fmt.Sprintf("organization, %d replica regions", n), binary: "app", config: path})
	}

	byName := map[string]*measured{}
	measure := func(m *measured, i int) error {
		secs, peak, err := once(tmp, m.benchCase, filepath.Join(tmp, "out", slug(m.name), strconv.Itoa(i)))
		if err != nil {
			return fmt.Errorf("%s: %w", m.name, err)
		}
		m.seconds = append(m.seconds, secs)
		m.peakMiB = max(m.peakMiB, peak)
		return nil
	}
	report := func(m *measured) {
		fmt.Fprintf(w, "%-58s median %5.2f s  (min %5.2f, max %5.2f)  peak %6.0f MiB\n", m.name, median(m.seconds), minOf(m.seconds), maxOf(m.seconds), m.peakMiB)
	}
	// Every case runs once per round, in the same order, so that the load
	// of a shared machine weighs on all of them alike; the side-by-side
	// cases come right after the organization example.
	var results []*measured
	for _, c := range cases {
		results = append(results, &measured{benchCase: c})
		if c.name == org {
			for _, sc := range sideBySide[1:] {
				results = append(results, &measured{benchCase: sc})
			}
		}
	}
	for _, m := range results {
		byName[m.name] = m
	}
	for i := 0; i < runs; i++ {
		for _, m := range results {
			if err := measure(m, i); err != nil {
				return err
			}
		}
	}
	for _, m := range results {
		report(m)
	}
	side := []*measured{byName[sideBySide[0].name], byName[sideBySide[1].name], byName[sideBySide[2].name]}

	floor := median(results[0].seconds)
	ours, off, peer := side[0], side[1], side[2]
	var pairwise []float64
	for i := range ours.seconds {
		pairwise = append(pairwise, ours.seconds[i]/peer.seconds[i])
	}
	checks := []struct {
		name   string
		ratio  float64
		target float64
	}{
		{"organization example / floor", median(ours.seconds) / floor, orgOverFloorTarget},
		{"16 replica regions / 1 replica region", median(byName["organization, 16 replica regions"].seconds) / median(byName["organization, 1 replica regions"].seconds), replicas16Over1Target},

		{"organization example / AWS CDK, median wall time", median(ours.seconds) / median(peer.seconds), orgOverAWSCDKTimeTarget},
		{"organization example / AWS CDK, peak memory", ours.peakMiB / peer.peakMiB, orgOverAWSCDKPeakTarget},
	}
	var md strings.Builder
	fmt.Fprintf(&md, "| case | median (s) | min (s) | max (s) | × floor | peak memory (MiB) |\n|---|---|---|---|---|---|\n")
	for _, m := range results {
		fmt.Fprintf(&md, "| %s | %.2f | %.2f | %.2f | %.2f | %.0f |\n", m.name, median(m.seconds), minOf(m.seconds), maxOf(m.seconds), median(m.seconds)/floor, m.peakMiB)
	}
	fmt.Fprintf(&md, "\n| target | measured | limit | met |\n|---|---|---|---|\n")
	missed := 0
	for _, c := range checks {
		met := c.ratio <= c.target
		if !met {
			missed++
		}
		fmt.Fprintf(&md, "| %s | %.2f | %.2f | %s |\n", c.name, c.ratio, c.target, yesNo(met))
	}
	if testCommand {
		start := time.Now()
		// Warm: Go's build cache and the Trivy binary are there; the test
		// result cache is not used (-count=1), so every test runs.
		cmd := exec.Command("make", "test")
		cmd.Env = append(os.Environ(), "GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -count=1"))
		cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("make test failed: %w", err)
		}
		secs := time.Since(start).Seconds()
		met := secs <= testCommandTargetSecond
		if !met {
			missed++
		}
		fmt.Fprintf(&md, "| the test command (make test), warm, no test cache | %.0f s | %d s | %s |\n", secs, testCommandTargetSecond, yesNo(met))
	}
	r1, r16 := byName["organization, 1 replica regions"], byName["organization, 16 replica regions"]
	fmt.Fprintf(&md, "\nMedians of the ratios within a round: organization example / floor %.2f; 16 / 1 replica regions %.2f; organization example / AWS CDK %.2f (fast path off: %.2f).\n",
		median(ratios(ours.seconds, results[0].seconds)), median(ratios(r16.seconds, r1.seconds)), median(pairwise), median(ratios(off.seconds, peer.seconds)))
	fmt.Fprintf(&md, "\n%d rounds of one run per case, in the order of the table, on %s; Node.js %s; fast path %s.\n", runs, machine(), nodeVersion(), fastPath)
	fmt.Fprintln(w)
	fmt.Fprint(w, md.String())
	if err := os.WriteFile(out, []byte(md.String()), 0o644); err != nil {
		return err
	}
	if missed > 0 {
		return fmt.Errorf("%d target(s) missed (see %s)", missed, out)
	}
	return nil
}

// once runs one synthesis and returns its wall time and the peak resident
// memory of its whole process tree (Go and Node.js together, or Node.js
// alone for the AWS CDK peer).
func once(tmp string, c benchCase, outdir string) (float64, float64, error) {
	if err := os.MkdirAll(filepath.Dir(outdir), 0o755); err != nil {
		return 0, 0, err
	}
	var cmd *exec.Cmd
	if c.binary == "node" {
		cmd = exec.Command("node", "app.js")
		cmd.Dir = awsCDKDir
		outdir, _ = filepath.Abs(outdir)
		cmd.Env = append(os.Environ(), "CDK_OUTDIR="+outdir)
	} else {
		cmd = exec.Command(filepath.Join(tmp, c.binary))
		cmd.Env = append(os.Environ(), "CDKTF_OUTDIR="+outdir, "CLOUDTRAIL_MRK_CONFIG="+c.config, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20")
	}
	cmd.Env = append(cmd.Env, c.env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	done := make(chan struct{})
	peak := make(chan float64, 1)
	go func() {
		max := 0.0
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			if rss := treeRSS(cmd.Process.Pid); rss > max {
				max = rss
			}
			select {
			case <-done:
				peak <- max
				return
			case <-t.C:
			}
		}
	}()
	err := cmd.Wait()
	secs := time.Since(start).Seconds()
	close(done)
	p := <-peak
	if err != nil {
		return 0, 0, fmt.Errorf("%v\n%s", err, stderr.String())
	}
	return secs, p / (1 << 20), nil
}

// treeRSS sums the resident memory, in bytes, of pid and its descendants.
func treeRSS(pid int) float64 {
	children := map[int][]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if pp := ppid(p); pp > 0 {
			children[pp] = append(children[pp], p)
		}
	}
	total := 0.0
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = append(queue[1:], children[p]...)
		total += rss(p)
	}
	return total
}

func ppid(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name may hold spaces; fields resume after the last ')'.
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 2 {
		return 0
	}
	pp, _ := strconv.Atoi(fields[1])
	return pp
}

func rss(pid int) float64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "VmRSS:") {
			fields := strings.Fields(sc.Text())
			kb, _ := strconv.ParseFloat(fields[1], 64)
			return kb * 1024
		}
	}
	return 0
}

// installAWSCDK installs the AWS CDK peer's pinned npm dependencies and
// returns the aws-cdk-lib version installed.
func installAWSCDK() (string, error) {
	cmd := exec.Command("npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund")
	cmd.Dir = awsCDKDir
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("npm ci in %s: %v\n%s", awsCDKDir, err, out)
	}
	// As for the project's node_modules: a go.mod keeps ./... out of it.
	if err := os.WriteFile(filepath.Join(awsCDKDir, "node_modules", "go.mod"), []byte("module ignored/cmd/bench/awscdk/node_modules\n"), 0o644); err != nil {
		return "", err
	}
	data, err := os.ReadFile(filepath.Join(awsCDKDir, "node_modules", "aws-cdk-lib", "package.json"))
	if err != nil {
		return "", err
	}
	var pkg struct{ Version string }
	if err := json.Unmarshal(data, &pkg); err != nil || pkg.Version == "" {
		return "", fmt.Errorf("cannot read the installed aws-cdk-lib version: %v", err)
	}
	return pkg.Version, nil
}

// slug is name as a directory name.
func slug(name string) string {
	return strings.Map(func(r rune) rune {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			return r
		}
		return '-'
	}, strings.ToLower(name))
}

func ratios(a, b []float64) []float64 {
	out := make([]float64, len(a))
	for i := range a {
		out[i] = a[i] / b[i]
	}
	return out
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func minOf(xs []float64) float64 {
	m := xs[0]
	for _, x := range xs {
		if x < m {
			m = x
		}
	}
	return m
}

func maxOf(xs []float64) float64 {
	m := xs[0]
	for _, x := range xs {
		if x > m {
			m = x
		}
	}
	return m
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "**no**"
}

func machine() string {
	out, err := exec.Command("nproc").Output()
	cores := strings.TrimSpace(string(out))
	if err != nil {
		cores = "?"
	}
	return cores + " cores"
}

func nodeVersion() string {
	out, err := exec.Command("node", "--version").Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}
