package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// cdktf 0.20's HCL rendering (cdktn synth --hcl) writes a one-line string
// attribute between double quotes without escaping the double quotes inside
// it, so a CloudWatch Logs filter pattern such as
// { $.eventSource = "kms.amazonaws.com" } makes the file unparseable, and
// Trivy then reads less of the stack without saying so. The synthesized JSON,
// which the CLI deploys, is not affected. repairHCL escapes those quotes
// (outside ${...} interpolations, where quotes delimit strings of their own),
// so that the scan reads the whole stack; scripts/scan then has Terraform's
// own parser check every file.
var oneLineString = regexp.MustCompile(`^(\s*[A-Za-z_][A-Za-z0-9_-]*\s*=\s*)"(.*)"\s*$`)

// escapeLine returns line with the inner double quotes of a one-line string
// value escaped, and whether it changed anything.
func escapeLine(line string) (string, bool) {
	m := oneLineString.FindStringSubmatch(line)
	if m == nil {
		return line, false
	}
	var b strings.Builder
	depth, changed := 0, false
	content := m[2]
	for i := 0; i < len(content); i++ {
		c := content[i]
		switch {
		case c == '\\' && i+1 < len(content):
			b.WriteByte(c)
			b.WriteByte(content[i+1])
			i++
			continue
		case depth == 0 && c == '$' && i+1 < len(content) && content[i+1] == '{':
			depth = 1
			b.WriteString("${")
			i++
			continue
		case depth > 0 && c == '{':
			depth++
		case depth > 0 && c == '}':
			depth--
		case depth == 0 && c == '"':
			b.WriteString(`\"`)
			changed = true
			continue
		}
		b.WriteByte(c)
	}
	return m[1] + `"` + b.String() + `"`, changed
}

// repairHCL rewrites, in place, every .tf file below dir whose one-line
// strings hold unescaped double quotes. It returns the files it changed.
func repairHCL(dir string) ([]string, error) {
	var changed []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".tf" {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		lines := bytes.Split(data, []byte("\n"))
		any := false
		for i, l := range lines {
			if fixed, ok := escapeLine(string(l)); ok {
				lines[i] = []byte(fixed)
				any = true
			}
		}
		if !any {
			return nil
		}
		changed = append(changed, path)
		return os.WriteFile(path, bytes.Join(lines, []byte("\n")), 0o644)
	})
	return changed, err
}
