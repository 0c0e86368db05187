package jsiicache

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

//go:embed strip-assembly-docs.js
var stripAssemblyDocs string

// ErrUnrecognisedAssembly is returned (wrapped) when the entry's .jsii is
// not a jsii assembly of the package in the shape the stripper knows.
var ErrUnrecognisedAssembly = errors.New("the .jsii is not an assembly this tool knows how to strip")

// StripAssemblyDocs rewrites the jsii assembly at path without its
// documentation (strip-assembly-docs.js, run by Node.js, the kernel's own
// JSON reader): idempotent; a file of another shape is left untouched and
// reported with ErrUnrecognisedAssembly.
func StripAssemblyDocs(path, packageName string) error {
	node, err := exec.LookPath("node")
	if err != nil {
		return err
	}
	cmd := exec.Command(node, "-e", stripAssemblyDocs, path, packageName)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) && exit.ExitCode() == 3 {
			return fmt.Errorf("%w: %s", ErrUnrecognisedAssembly, strings.TrimSpace(stderr.String()))
		}
		return fmt.Errorf("stripping %s: %v: %s", path, err, stderr.String())
	}
	return nil
}

// Entry is the cache entry of b under root, and whether the jsii runtime
// has completed it.
func Entry(root string, b Bindings) (dir string, complete bool, err error) {
	tarball, err := os.ReadFile(b.Tarball)
	if err != nil {
		return "", false, err
	}
	dir = filepath.Join(root, EntryPath(tarball, b.Name, b.Version))
	_, err = os.Stat(filepath.Join(dir, markerFile))
	return dir, err == nil, nil
}

// RewriteEntry rewrites lib/index.js of the completed entry of b under root
// into lazy exports and its .jsii assembly without documentation (each a
// no-op when already done) and writes the stamp. It removes the stamp
// first, so that a refusal leaves the app on the normal path. It returns the
// number of exports.
func RewriteEntry(root string, b Bindings) (int, error) {
	previous, previousErr := ReadStamp(root)
	if err := os.Remove(filepath.Join(root, StampFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return 0, err
	}
	dir, complete, err := Entry(root, b)
	if err != nil {
		return 0, err
	}
	if !complete {
		return 0, fmt.Errorf("the jsii runtime has not completed the entry %s", dir)
	}
	path := filepath.Join(dir, "lib", "index.js")
	src, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	out, changed, err := RewriteIndex(src)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	if changed {
		info, err := os.Stat(path)
		if err != nil {
			return 0, err
		}
		if err := writeAtomic(path, out, info.Mode().Perm()); err != nil {
			return 0, err
		}
	}
	names, err := Exports(out)
	if err != nil {
		return 0, err
	}
	rel, err := filepath.Rel(root, dir)
	if err != nil {
		return 0, err
	}
	assembly := filepath.Join(dir, ".jsii")
	info, err := os.Stat(assembly)
	if err != nil {
		return 0, err
	}
	// Stripping reads tens of megabytes: skip it when this entry's
	// assembly is still the one stripped last time.
	if changed || previousErr != nil || previous.Entry != filepath.ToSlash(rel) || previous.AssemblySize != info.Size() {
		if err := StripAssemblyDocs(assembly, b.Name); err != nil {
			return 0, err
		}
		if info, err = os.Stat(assembly); err != nil {
			return 0, err
		}
	}
	sum := sha256.Sum256(out)
	return len(names), WriteStamp(root, Stamp{
		ModuleVersion: b.ModuleVersion, Package: b.Name, Version: b.Version,
		Entry: filepath.ToSlash(rel), IndexSHA256: hex.EncodeToString(sum[:]), AssemblySize: info.Size(),
	})
}
