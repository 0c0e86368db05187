package verify

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"time"
)

// The trail's tree (docs/aws-rules.md#digest-file-location,
// docs/aws-rules.md#log-file-locations):
//
//	[prefix/]AWSLogs/[o-id/]<account>/CloudTrail-Digest/<region>/YYYY/MM/DD/
//	[prefix/]AWSLogs/[o-id/]<account>/CloudTrail/<region>/YYYY/MM/DD/
//
// The verifier lists it folder by folder (ListPrefixes) down to the regions,
// then lists the objects of the day folders the range needs, and nothing
// else: a bucket holds years of files, and one LIST request returns at most
// 1,000 keys (docs/aws-rules.md#listing-by-folder).
var (
	orgFolder     = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
	accountFolder = regexp.MustCompile(`^\d{12}$`)
	regionFolder  = regexp.MustCompile(`^[a-z0-9-]+$`)
)

// logFolderMargin widens the log files' window by this much at each end
// before it is turned into day folders: the User Guide says a log file's
// name carries its delivery time and that its folder is YYYY/MM/DD, but not
// that the two are the same instant (UNCONFIRMED for a file delivered in
// the seconds around midnight). Inside the window nothing changes; only a
// window edge this close to midnight adds the neighbouring day's folder.
const logFolderMargin = 15 * time.Minute

// listCounter counts the listing calls of a run.
type listCounter struct{ n atomic.Int64 }

// regionFolders are one account's region folders: base is
// [prefix/]AWSLogs/[o-id/]<account>/.
type regionFolders struct {
	base           string
	digest, logObj []string // ".../CloudTrail-Digest/<region>/", ".../CloudTrail/<region>/"
}

// findRoots returns the AWSLogs/ folders to read: the prefix's, or, when
// any prefix is accepted, every folder named AWSLogs found from the top of
// the store down (not below an AWSLogs folder).
func (r *run) findRoots(ctx context.Context) ([]string, error) {
	o := r.o
	if !o.AnyPrefix {
		if o.Prefix == "" {
			return []string{"AWSLogs/"}, nil
		}
		return []string{o.Prefix + "/AWSLogs/"}, nil
	}
	var roots []string
	level := []string{""}
	for len(level) > 0 {
		children := make([][]string, len(level))
		if err := forEach(ctx, o.Workers, len(level), func(ctx context.Context, i int) error {
			var err error
			children[i], err = r.listPrefixes(ctx, level[i])
			return err
		}); err != nil {
			return nil, err
		}
		var next []string
		for _, cs := range children {
			for _, c := range cs {
				if strings.HasSuffix(c, "/AWSLogs/") || c == "AWSLogs/" {
					roots = append(roots, c)
				} else {
					next = append(next, c)
				}
			}
		}
		level = next
	}
	sort.Strings(roots)
	return roots, nil
}

// findAccounts lists each root's organization and account folders, and each
// account's region folders, in parallel; the result is in key order.
func (r *run) findAccounts(ctx context.Context, roots []string) ([]regionFolders, error) {
	o := r.o
	var bases []string
	var orgs []string
	for _, root := range roots {
		if o.TrailAccount != "" {
			// Straight to the trail's own folders: listing AWSLogs/ would
			// need a grant the verifiers do not have.
			bases = append(bases, root+o.TrailAccount+"/")
			if o.OrganizationID != "" {
				orgs = append(orgs, root+o.OrganizationID+"/")
			}
			continue
		}
		cs, err := r.listPrefixes(ctx, root)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			name := strings.TrimSuffix(strings.TrimPrefix(c, root), "/")
			switch {
			case accountFolder.MatchString(name):
				bases = append(bases, c)
			case orgFolder.MatchString(name) && (o.OrganizationID == "" || name == o.OrganizationID):
				orgs = append(orgs, c)
			}
		}
	}
	orgAccounts := make([][]string, len(orgs))
	if err := forEach(ctx, o.Workers, len(orgs), func(ctx context.Context, i int) error {
		cs, err := r.listPrefixes(ctx, orgs[i])
		for _, c := range cs {
			if accountFolder.MatchString(strings.TrimSuffix(strings.TrimPrefix(c, orgs[i]), "/")) {
				orgAccounts[i] = append(orgAccounts[i], c)
			}
		}
		return err
	}); err != nil {
		return nil, err
	}
	for _, as := range orgAccounts {
		bases = append(bases, as...)
	}
	sort.Strings(bases)
	out := make([]regionFolders, len(bases))
	// Two listings per account: its digest regions and its log regions.
	if err := forEach(ctx, o.Workers, 2*len(bases), func(ctx context.Context, i int) error {
		base := bases[i/2]
		dir := base + "CloudTrail-Digest/"
		if i%2 == 1 {
			dir = base + "CloudTrail/"
		}
		cs, err := r.listPrefixes(ctx, dir)
		if err != nil {
			return err
		}
		var regions []string
		for _, c := range cs {
			if regionFolder.MatchString(strings.TrimSuffix(strings.TrimPrefix(c, dir), "/")) {
				regions = append(regions, c)
			}
		}
		out[i/2].base = base
		if i%2 == 0 {
			out[i/2].digest = regions
		} else {
			out[i/2].logObj = regions
		}
		return nil
	}); err != nil {
		return nil, err
	}
	return out, nil
}

// dayFolders returns "YYYY/MM/DD/" of every UTC day from from to to.
func dayFolders(from, to time.Time) []string {
	var out []string
	for d := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC); !d.After(to); d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format("2006/01/02/"))
	}
	return out
}

// listFolders lists the objects of each folder in parallel and passes them
// to keep in folder order, then key order.
func (r *run) listFolders(ctx context.Context, folders []string, keep func(Object)) error {
	objs := make([][]Object, len(folders))
	if err := forEach(ctx, r.o.Workers, len(folders), func(ctx context.Context, i int) error {
		r.lists.n.Add(1)
		return r.o.Store.List(ctx, folders[i], func(obj Object) error {
			objs[i] = append(objs[i], obj)
			return nil
		})
	}); err != nil {
		return fmt.Errorf("list %s: %w", r.o.Store.Name(), err)
	}
	for _, list := range objs {
		for _, obj := range list {
			keep(obj)
		}
	}
	return nil
}

func (r *run) listPrefixes(ctx context.Context, prefix string) ([]string, error) {
	r.lists.n.Add(1)
	out, err := r.o.Store.ListPrefixes(ctx, prefix, "/")
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", r.o.Store.Name(), err)
	}
	return out, nil
}

// listDigests lists the digest day folders of digests that end in
// [From, To+DigestsAfterTo] (a digest's folder is the date of its end:
// docs/aws-rules.md#digest-file-location) and keeps the trail's digests
// in range.
func (r *run) listDigests(ctx context.Context, tree []regionFolders) ([]*digestRec, error) {
	o := r.o
	lateEnd := o.To.Add(DigestsAfterTo)
	days := dayFolders(o.From, lateEnd)
	var folders []string
	for _, a := range tree {
		for _, region := range a.digest {
			for _, d := range days {
				folders = append(folders, region+d)
			}
		}
	}
	r.digestFolders = len(folders)
	var digests []*digestRec
	err := r.listFolders(ctx, folders, func(obj Object) {
		n, ok := parseDigestKey(obj.Key)
		if !ok || !r.keep(n.Prefix, n.Org) || (o.TrailName != "" && n.Trail != o.TrailName) || (o.HomeRegion != "" && n.HomeRegion != o.HomeRegion) {
			return
		}
		if n.End.Before(o.From) || n.End.After(lateEnd) {
			return
		}
		digests = append(digests, &digestRec{key: obj.Key, name: n})
	})
	return digests, err
}

// listLogs lists the log files' day folders of [From-2h, To+1h] (the window
// the checks use, widened by logFolderMargin), and the folder of every log
// file the digests list, wherever it is; it keeps the log files of the
// window.
func (r *run) listLogs(ctx context.Context, tree []regionFolders, digests []*digestRec) ([]*logRec, error) {
	o := r.o
	from, lateEnd := o.From.Add(-2*time.Hour), o.To.Add(time.Hour)
	days := dayFolders(from.Add(-logFolderMargin), lateEnd.Add(logFolderMargin))
	set := map[string]bool{}
	for _, a := range tree {
		for _, region := range a.logObj {
			for _, d := range days {
				set[region+d] = true
			}
		}
	}
	for _, d := range digests {
		if d.d == nil {
			continue
		}
		for _, lf := range d.d.LogFiles {
			folder := lf.S3Object[:strings.LastIndex(lf.S3Object, "/")+1]
			if set[folder] {
				continue // the common case: parse a key once per folder, not once per file
			}
			if n, ok := parseLogKey(lf.S3Object); ok && r.keep(n.Prefix, n.Org) {
				set[folder] = true
			}
		}
	}
	folders := make([]string, 0, len(set))
	for f := range set {
		folders = append(folders, f)
	}
	sort.Strings(folders)
	var logs []*logRec
	err := r.listFolders(ctx, folders, func(obj Object) {
		n, ok := parseLogKey(obj.Key)
		if !ok || !inItsFolder(n) {
			// CloudTrail writes only its log files into a log folder, each
			// named for the folder's account, region and date
			// (docs/aws-rules.md#log-file-names); anything else there was
			// put by someone else, and a query over the folder reads it.
			if m := logDayFolder.FindStringSubmatch(obj.Key); m == nil || r.keep(m[1], m[2]) {
				account, region := "", ""
				if m != nil {
					account, region = m[3], m[4]
				}
				r.add(Finding{Kind: LogFileUnrecognized, Account: account, Region: region, Keys: []string{obj.Key},
					Message: "an object in a log folder that is not a log file of that folder's account, region and date: CloudTrail writes nothing else there, and a query over the folder (Athena) reads it: it was put there by someone else"})
			}
			return
		}
		if !r.keep(n.Prefix, n.Org) {
			return
		}
		if n.Stamp.Before(from) || n.Stamp.After(lateEnd) {
			return
		}
		logs = append(logs, &logRec{key: obj.Key, name: n, obj: obj})
	})
	return logs, err
}

// logDayFolder splits the key of an object in a log day folder.
var logDayFolder = regexp.MustCompile(`^(?:(.*)/)?AWSLogs/(?:(o-[a-z0-9]{10,32})/)?(\d{12})/CloudTrail/([a-z0-9-]+)/(\d{4})/(\d{2})/(\d{2})/[^/]+$`)

// inItsFolder says whether a log file's name agrees with its folder: the
// account and region (parseLogKey requires both to match), and a date
// within logFolderMargin of the folder's day.
func inItsFolder(n logName) bool {
	return !n.Stamp.Before(n.Day.Add(-logFolderMargin)) && n.Stamp.Before(n.Day.Add(24*time.Hour+logFolderMargin))
}

// noDigests says why a range found no digest, from the top of the tree down.
func (r *run) noDigests(roots []string, tree []regionFolders) error {
	o := r.o
	where := fmt.Sprintf("%s between %s and %s", o.Store.Name(), o.From.Format(time.RFC3339), o.To.Format(time.RFC3339))
	regions := 0
	for _, a := range tree {
		regions += len(a.digest)
	}
	switch {
	case len(roots) == 0:
		return fmt.Errorf("no digest files of the trail in %s: no AWSLogs/ folder at any depth (the directory must hold the objects under their keys): nothing to verify", where)
	case len(tree) == 0:
		org := ""
		if o.OrganizationID != "" {
			org = " or " + o.OrganizationID + "/<account>/"
		}
		return fmt.Errorf("no digest files of the trail in %s: no <account>/%s folder under %s: nothing to verify", where, org, strings.Join(roots, ", "))
	case regions == 0:
		return fmt.Errorf("no digest files of the trail in %s: none of the %d accounts found has a CloudTrail-Digest/ folder (log file validation off?): nothing to verify", where, len(tree))
	}
	prefix := ""
	if !o.AnyPrefix {
		prefix = fmt.Sprintf(" (prefix %q)", o.Prefix)
	}
	return fmt.Errorf("no digest files of the trail in %s%s: listed %d day folders in %d account-region digest folders, and no digest of the trail ends in the range (or up to two hours after it): nothing to verify", where, prefix, r.digestFolders, regions)
}
