package version

import (
	"bytes"
	"flag"
	"regexp"
	"testing"
)

func TestVersionIsSemantic(t *testing.T) {
	if !regexp.MustCompile(`^\d+\.\d+\.\d+$`).MatchString(Version) {
		t.Errorf("Version %q is not MAJOR.MINOR.PATCH", Version)
	}
}

func TestString(t *testing.T) {
	// go test records no VCS revision, so the strings are exact.
	for command, want := range map[string]string{
		"":               "cloudtrail-mrk " + Version,
		"cloudtrail-mrk": "cloudtrail-mrk " + Version,
		"check-access":   "check-access (cloudtrail-mrk " + Version + ")",
	} {
		if got := String(command); got != want {
			t.Errorf("String(%q) = %q, want %q", command, got, want)
		}
	}
}

func TestFlag(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"-version"}} {
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		asked := Flag(fs)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if !Print(&out, "x", asked) || out.String() != "x (cloudtrail-mrk "+Version+")\n" {
			t.Errorf("%v: printed %q", args, out.String())
		}
	}
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	asked := Flag(fs)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if Print(&out, "x", asked) || out.Len() != 0 {
		t.Errorf("without the flag: printed %q", out.String())
	}
}
