package jsiicache

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// Bindings is the npm tarball a jsii Go module embeds, as its jsii package
// loads it into the runtime (`_jsii_.Load(name, version, tarball)`).
type Bindings struct {
	Module        string // Go module path
	ModuleVersion string // Go module version (v19.50.0)
	Tarball       string // path of the embedded .tgz in the module cache
	Name, Version string // npm package name and version given to the runtime
}

var (
	embedLine = regexp.MustCompile(`(?m)^//go:embed (\S+\.tgz)$`)
	loadLine  = regexp.MustCompile(`(?m)^\s*_jsii_\.Load\("([^"]+)", "([^"]+)", tarball\)$`)
)

// FindBindings locates the tarball that module's jsii package embeds, with
// `go list -m` run in dir (the project, whose go.mod picks the version).
func FindBindings(dir, module string) (Bindings, error) {
	cmd := exec.Command("go", "list", "-m", "-json", module)
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return Bindings{}, fmt.Errorf("go list -m %s: %w", module, err)
	}
	var m struct {
		Path, Version, Dir string
		Replace            *struct{ Version, Dir string }
	}
	if err := json.Unmarshal(out, &m); err != nil {
		return Bindings{}, fmt.Errorf("go list -m %s: %w", module, err)
	}
	if m.Replace != nil {
		m.Version, m.Dir = m.Replace.Version, m.Replace.Dir
	}
	if m.Dir == "" {
		return Bindings{}, fmt.Errorf("module %s is not downloaded (run go mod download)", module)
	}
	src, err := os.ReadFile(filepath.Join(m.Dir, "jsii", "jsii.go"))
	if err != nil {
		return Bindings{}, fmt.Errorf("module %s has no jsii package: %w", module, err)
	}
	embed, load := embedLine.FindSubmatch(src), loadLine.FindSubmatch(src)
	if embed == nil || load == nil {
		return Bindings{}, fmt.Errorf("%s/jsii/jsii.go does not embed and load one tarball the way this tool knows", module)
	}
	return Bindings{
		Module: module, ModuleVersion: m.Version,
		Tarball: filepath.Join(m.Dir, "jsii", string(embed[1])),
		Name:    string(load[1]), Version: string(load[2]),
	}, nil
}

// Extract writes the files of an npm tarball under dir the way the jsii
// runtime does (the leading package/ stripped), leaving out the paths skip
// returns true for. It is for tests that need the package's JavaScript.
func Extract(tarball, dir string, skip func(name string) bool) error {
	f, err := os.Open(tarball)
	if err != nil {
		return err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		name := h.Name
		if i := strings.IndexByte(name, '/'); i >= 0 {
			name = name[i+1:]
		} else {
			continue
		}
		if name == "" || (skip != nil && skip(name)) {
			continue
		}
		clean := filepath.Clean(name)
		if filepath.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
			return fmt.Errorf("%s: unsafe path %q", tarball, h.Name)
		}
		target := filepath.Join(dir, clean)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
			if err != nil {
				return err
			}
			if _, err := io.Copy(out, tr); err != nil {
				out.Close()
				return err
			}
			if err := out.Close(); err != nil {
				return err
			}
		}
	}
}
