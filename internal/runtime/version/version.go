package version

import (
	"flag"
	"fmt"
	"io"
	"runtime/debug"
)

// Version is the release this source tree is. CHANGELOG.md has a heading for
// it (docs/links_test.go and this package's test keep the two in step); raise
// both together.
const Version = "0.1.0"

// String is "cloudtrail-mrk <Version>" for the app, or "<command>
// (cloudtrail-mrk <Version>)" for another command, followed by the commit the
// binary was built from when Go recorded one (go build in a git checkout
// does; go run and go test do not).
func String(command string) string {
	s := "cloudtrail-mrk " + Version
	if command != "" && command != "cloudtrail-mrk" {
		s = command + " (" + s + ")"
	}
	if rev := revision(); rev != "" {
		s += ", commit " + rev
	}
	return s
}

// revision is the VCS revision recorded in the binary, shortened to 12
// characters, with "+modified" when the tree had uncommitted changes.
func revision() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" {
		return ""
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if modified == "true" {
		rev += "+modified"
	}
	return rev
}

// Flag registers -version (also spelt --version) on fs. After fs.Parse, call
// Print: it reports whether the version was asked for, and prints it then.
func Flag(fs *flag.FlagSet) *bool {
	return fs.Bool("version", false, "print the version and exit")
}

// Print writes String(command) and a newline to w when asked is true, and
// reports asked, so that a command can return at once.
func Print(w io.Writer, command string, asked *bool) bool {
	if asked == nil || !*asked {
		return false
	}
	fmt.Fprintln(w, String(command))
	return true
}
