// Package version holds the release of cloudtrail-mrk that CHANGELOG.md
// records, and the --version flag that the app and every command take.
package version
