// Command bench measures what synthesis costs: wall time (median, min and max
// of several runs) and peak memory of the Go and Node.js processes together,
// for the floor (bench/floor: one resource from the AWS provider bindings),
// the default configuration, the organization example, and organization
// configurations generated with 1, 4, 8 and 16 replica regions. It prints
// each figure with its ratio to the floor, checks the targets, and writes the
// table as Markdown. Run it with `make bench`; it is not part of the tests.
package main

import (
	"bufio"
	"bytes"
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

	"github.com/cloudtrail-mrk/cloudtrail-mrk/internal/genconfig"
)

// Targets (issue 7).
const (
	orgOverFloorTarget      = 1.3
	replicas16Over1Target   = 1.2
	testCommandTargetSecond = 180
)

type benchCase struct {
	name   string
	binary string // "floor" or "app"
	config string // CLOUDTRAIL_MRK_CONFIG for the app
}

type measured struct {
	benchCase
	seconds []float64
	peakMiB float64
}

func main() {
	runs := flag.Int("runs", 5, "runs per case (the median is reported)")
	out := flag.String("out", "bench/results.md", "where to write the Markdown table")
	testCommand := flag.Bool("test-command", true, "also time the README's test command (make test), warm")
	flag.Parse()
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
	for name, pkg := range map[string]string{"floor": "./bench/floor", "app": "."} {
		if b, err := exec.Command("go", "build", "-o", filepath.Join(tmp, name), pkg).CombinedOutput(); err != nil {
			return fmt.Errorf("go build %s: %v\n%s", pkg, err, b)
		}
	}
	example, err := os.ReadFile("examples/organization.yaml")
	if err != nil {
		return err
	}
	cases := []benchCase{
		{name: "floor (one S3 bucket)", binary: "floor"},
		{name: "default configuration", binary: "app"},
		{name: "organization example", binary: "app", config: "examples/organization.yaml"},
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

	var results []measured
	for _, c := range cases {
		m := measured{benchCase: c}
		for i := 0; i < runs; i++ {
			secs, peak, err := once(filepath.Join(tmp, c.binary), c.config, filepath.Join(tmp, "out", strconv.Itoa(i)))
			if err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			m.seconds = append(m.seconds, secs)
			if peak > m.peakMiB {
				m.peakMiB = peak
			}
		}
		fmt.Fprintf(w, "%-36s median %5.2f s  (min %5.2f, max %5.2f)  peak %6.0f MiB\n", c.name, median(m.seconds), minOf(m.seconds), maxOf(m.seconds), m.peakMiB)
		results = append(results, m)
	}

	floor := median(results[0].seconds)
	checks := []struct {
		name   string
		ratio  float64
		target float64
	}{
		{"organization example / floor", median(results[2].seconds) / floor, orgOverFloorTarget},
		{"16 replica regions / 1 replica region", median(results[6].seconds) / median(results[3].seconds), replicas16Over1Target},
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
	fmt.Fprintf(&md, "\n%d runs per case on %s; Node.js %s.\n", runs, machine(), nodeVersion())
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
// memory of its whole process tree (Go and Node.js together).
func once(binary, config, outdir string) (float64, float64, error) {
	if err := os.MkdirAll(filepath.Dir(outdir), 0o755); err != nil {
		return 0, 0, err
	}
	cmd := exec.Command(binary)
	cmd.Env = append(os.Environ(), "CDKTF_OUTDIR="+outdir, "CLOUDTRAIL_MRK_CONFIG="+config, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20")
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
