package jsiicache

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
)

const (
	// Dir is the cache's directory inside the project (ignored by git).
	Dir = ".jsii-cache"
	// StampFile, in the cache root, records the primed entry.
	StampFile = "cloudtrail-mrk-fast-synth.json"
	// SwitchEnv turns the fast path off when set to 0.
	SwitchEnv = "CLOUDTRAIL_MRK_FAST_SYNTH"
	// RootEnv is the jsii runtime's variable for the package cache root.
	RootEnv = "JSII_RUNTIME_PACKAGE_CACHE_ROOT"
	// cacheEnv is the jsii runtime's switch for its package cache
	// ("enabled" unless set otherwise).
	cacheEnv = "JSII_RUNTIME_PACKAGE_CACHE"
	// markerFile is the jsii runtime's "this entry is complete" marker.
	markerFile = ".jsii-runtime-package-cache"
	// ProviderModule is the Go module of the AWS provider bindings.
	ProviderModule = "github.com/cdktf/cdktf-provider-aws-go/aws/v19"
	// ProviderPackage is the npm package those bindings embed.
	ProviderPackage = "@cdktf/provider-aws"
)

// Stamp is what `make setup` recorded about the entry it rewrote.
type Stamp struct {
	// ModuleVersion is the Go module version of the bindings (v19.50.0).
	ModuleVersion string `json:"module_version"`
	// Package and Version name the npm package inside (19.50.0).
	Package string `json:"package"`
	Version string `json:"version"`
	// Entry is the entry's directory, relative to the cache root (slashes).
	Entry string `json:"entry"`
	// IndexSHA256 is the digest of the rewritten lib/index.js.
	IndexSHA256 string `json:"index_sha256"`
	// AssemblySize is the size of the .jsii without documentation (checked
	// at every run instead of a digest of its tens of megabytes).
	AssemblySize int64 `json:"assembly_size"`
}

// EntryPath is where the jsii runtime keeps the extracted tarball of
// package@version, relative to the cache root. It reproduces the runtime's
// key: the SHA-256 of the tarball then "\x00"+name and "\x00"+version, in
// hex, under the name (characters outside [@a-z0-9_./-] replaced by "_")
// and the version.
func EntryPath(tarball []byte, name, version string) string {
	h := sha256.New()
	h.Write(tarball)
	for _, c := range []string{name, version} {
		h.Write([]byte{0})
		h.Write([]byte(c))
	}
	return filepath.Join(sanitize(name), sanitize(version), hex.EncodeToString(h.Sum(nil)))
}

func sanitize(s string) string {
	var b strings.Builder
	replaced := false
	for _, r := range s {
		ok := r == '@' || r == '_' || r == '.' || r == '/' || r == '-' || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9')
		switch {
		case ok:
			b.WriteRune(r)
			replaced = false
		case !replaced:
			b.WriteByte('_')
			replaced = true
		}
	}
	return b.String()
}

// State says whether the fast path is on, and why not.
type State int

// States of the fast path.
const (
	// Fast: the primed cache is used.
	Fast State = iota
	// Off: the user turned it off (CLOUDTRAIL_MRK_FAST_SYNTH=0), or chose
	// the jsii package cache themselves (JSII_RUNTIME_PACKAGE_CACHE_ROOT set
	// to another directory, or JSII_RUNTIME_PACKAGE_CACHE other than
	// "enabled"): nothing is changed, nothing is said.
	Off
	// Missing: no primed cache in the project.
	Missing
	// Stale: a primed cache that no longer matches the bindings in use.
	Stale
)

// Status is the outcome of Check or Use.
type Status struct {
	State  State
	Root   string // the cache root looked at
	Reason string // why not Fast (for Missing and Stale)
	// Warning is set when SwitchEnv holds a value other than 0 or 1.
	Warning string
}

// Notice is the one line to print on stderr for this status, or "" when
// there is nothing to say.
func (s Status) Notice() string {
	var lines []string
	if s.Warning != "" {
		lines = append(lines, "cloudtrail-mrk: "+s.Warning)
	}
	if s.State == Missing || s.State == Stale {
		lines = append(lines, fmt.Sprintf("cloudtrail-mrk: note: synthesizing without the fast path (%s): same output, slower; "+
			"run `make setup` in the project directory to restore it, or set %s=0 to silence this", s.Reason, SwitchEnv))
	}
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}

// Use checks the cache of the project at projectDir and, when it is ready
// and the user has not chosen otherwise, sets JSII_RUNTIME_PACKAGE_CACHE_ROOT
// for the jsii runtime. It also puts the project's own Node.js (NodeDir,
// installed by scripts/setup-node when the one on PATH is older than 22.19)
// first on PATH, as scripts/env does, so that `go run .` in a fresh shell
// does not run the jsii runtime on an end-of-life Node.js.
// jsii-runtime-go prepares its Node.js process, with the environment of that
// moment, while Go initializes the packages, before main or TestMain runs;
// it starts the process only at the first jsii call. So when Use changed
// either, it calls restart (jsii.Close), which discards the prepared,
// unstarted process: the first jsii call prepares a new one, with the new
// environment. Use must run before that call.
func Use(projectDir string, restart func()) Status {
	s := Check(projectDir, os.Getenv)
	changed := false
	if s.State == Fast && os.Getenv(RootEnv) != s.Root {
		os.Setenv(RootEnv, s.Root)
		changed = true
	}
	if dir, ok := projectNode(projectDir); ok {
		path := os.Getenv("PATH")
		if first, _, _ := strings.Cut(path, string(os.PathListSeparator)); first != dir {
			os.Setenv("PATH", dir+string(os.PathListSeparator)+path)
			changed = true
		}
	}
	if changed {
		restart()
	}
	return s
}

// NodeDir is where scripts/setup-node installs the pinned Node.js, relative
// to the project directory.
const NodeDir = ".tools/node/bin"

// projectNode returns the absolute NodeDir of the project when a node
// executable is there.
func projectNode(projectDir string) (string, bool) {
	dir, err := filepath.Abs(filepath.Join(projectDir, NodeDir))
	if err != nil {
		return "", false
	}
	info, err := os.Stat(filepath.Join(dir, "node"))
	if err != nil || info.IsDir() || info.Mode()&0o111 == 0 {
		return "", false
	}
	return dir, true
}

// Check decides, without changing anything, what Use would do.
func Check(projectDir string, getenv func(string) string) Status {
	root, err := filepath.Abs(filepath.Join(projectDir, Dir))
	if err != nil {
		root = filepath.Join(projectDir, Dir)
	}
	s := Status{Root: root}
	switch v := getenv(SwitchEnv); v {
	case "0":
		s.State = Off
		return s
	case "", "1":
	default:
		s.Warning = fmt.Sprintf("%s must be 0 (off) or 1 (on), got %q: the fast path stays on", SwitchEnv, v)
	}
	if r := getenv(RootEnv); r != "" && r != root {
		s.State = Off
		return s
	}
	if v := getenv(cacheEnv); v != "" && strings.ToLower(v) != "enabled" {
		s.State = Off
		return s
	}
	stamp, err := ReadStamp(root)
	if errors.Is(err, os.ErrNotExist) {
		s.State, s.Reason = Missing, "no primed jsii package cache at "+root
		return s
	}
	if err != nil {
		s.State, s.Reason = Stale, err.Error()
		return s
	}
	if reason := verify(root, stamp, builtWith()); reason != "" {
		s.State, s.Reason = Stale, reason
		return s
	}
	s.State = Fast
	return s
}

// builtWith is the version of the bindings this binary was built with, or
// "" when the binary carries no module information.
func builtWith() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, d := range info.Deps {
		if d.Path == ProviderModule {
			if d.Replace != nil {
				return d.Replace.Version
			}
			return d.Version
		}
	}
	return ""
}

// verify returns why the recorded entry cannot be used, or "".
func verify(root string, st Stamp, moduleVersion string) string {
	if moduleVersion != "" && st.ModuleVersion != moduleVersion {
		return fmt.Sprintf("the cache was primed for %s %s, this build uses %s", ProviderModule, st.ModuleVersion, moduleVersion)
	}
	entry := filepath.Join(root, filepath.FromSlash(st.Entry))
	if _, err := os.Stat(filepath.Join(entry, markerFile)); err != nil {
		return "the primed entry " + entry + " is gone or incomplete"
	}
	data, err := os.ReadFile(filepath.Join(entry, "lib", "index.js"))
	if err != nil {
		return "cannot read the primed entry's lib/index.js: " + err.Error()
	}
	sum := sha256.Sum256(data)
	if hex.EncodeToString(sum[:]) != st.IndexSHA256 {
		return "the primed entry's lib/index.js is not the rewritten one"
	}
	if info, err := os.Stat(filepath.Join(entry, ".jsii")); err != nil || info.Size() != st.AssemblySize {
		return "the primed entry's .jsii is not the stripped one"
	}
	return ""
}

// ReadStamp reads the stamp of the cache at root.
func ReadStamp(root string) (Stamp, error) {
	var st Stamp
	data, err := os.ReadFile(filepath.Join(root, StampFile))
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal(data, &st); err != nil {
		return st, fmt.Errorf("unreadable stamp %s: %w", filepath.Join(root, StampFile), err)
	}
	if st.Entry == "" || st.IndexSHA256 == "" || st.AssemblySize <= 0 || filepath.IsAbs(st.Entry) || strings.Contains(st.Entry, "..") {
		return st, fmt.Errorf("incomplete stamp %s", filepath.Join(root, StampFile))
	}
	return st, nil
}

// WriteStamp records st in the cache at root.
func WriteStamp(root string, st Stamp) error {
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(root, StampFile), append(data, '\n'), 0o644)
}

// ProjectRoot is the nearest directory at or above dir holding a go.mod:
// where the tests find the project's cache.
func ProjectRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod at or above %s", dir)
		}
	}
}

// writeAtomic replaces path with data by renaming a sibling temporary file
// over it, so that a jsii process holding a hard link to the old file (the
// runtime links cache files into its own directory) keeps the old content.
func writeAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
