package verify

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"time"
)

// How a chain's end is judged (docs/aws-rules.md#empty-digests). CloudTrail
// delivers a digest every hour for every account and region of the trail,
// even without activity, and logging stops and starts for the whole trail:
// so, in one trail, every chain goes on until about the same time. A chain
// whose next digest is missing while the others go on lost its newer
// digests (or stopped delivering: an account that left the
// organization, a Region disabled), and a deleted tail leaves no other trace
// (the log files newer than a chain's last digest are not expected to be
// listed yet).
const (
	// ChainEndTolerance: another chain's digest must end more than this
	// after a chain's last one to show that the trail was still logging
	// when this chain's next digest was due. Whether the final digests
	// after a StopLogging end at the stop or at each chain's own minute of
	// the hour is UNCONFIRMED: either way the chains of a trail end less
	// than an hour apart, so a difference of an hour is a digest missing
	// (docs/aws-rules.md#empty-digests).
	ChainEndTolerance = 59 * time.Minute
	// DigestsAfterTo: digests ending up to this long after To are read, so
	// that a chain whose digests covering the end of the range are gone
	// stands an hour or more behind the others.
	DigestsAfterTo = 2 * time.Hour
	// LiveEdge: digests ending in the last LiveEdge before Now may not be
	// delivered yet; no digest ending after Now-LiveEdge is expected.
	LiveEdge = 2 * time.Hour
)

// digestFolder splits an account's and region's digest folder.
var digestFolder = regexp.MustCompile(`^(?:(.*)/)?AWSLogs/(?:(o-[a-z0-9]{10,32})/)?(\d{12})/CloudTrail-Digest/([a-z0-9-]+)/$`)

// checkChainEnds reports the chains of a trail whose next digest is missing
// at their end while other chains of the trail go on (ChainTruncated), and,
// for a trail named in the options, the account and region digest folders
// of its path that hold none of its digests in range while others do
// (ChainAbsent).
func (r *run) checkChainEnds(ids []chainID, chains map[chainID][]*digestRec, tree []regionFolders) {
	type trailID struct{ prefix, org, trail, home string }
	now := r.o.Now
	if now.IsZero() {
		now = time.Now()
	}
	// Each chain's standard digests in time order, and every chain's digest
	// ends per trail, to ask "was the trail logging then?".
	std := map[chainID][]*digestRec{}
	ends := map[trailID][]time.Time{}
	for _, id := range ids {
		t := trailID{id.prefix, id.org, id.trail, id.home}
		for _, d := range chains[id] {
			if d.name.Backfill || d.d == nil {
				continue
			}
			std[id] = append(std[id], d)
			ends[t] = append(ends[t], d.name.End)
		}
		sort.Slice(std[id], func(i, j int) bool { return std[id][i].name.End.Before(std[id][j].name.End) })
	}
	for t := range ends {
		sort.Slice(ends[t], func(i, j int) bool { return ends[t][i].Before(ends[t][j]) })
	}
	// loggedBetween: a chain of the trail has a digest ending in (after,
	// before): the trail was logging then (logging stops for the whole
	// trail). The chain asking has none there (it asks about the time after
	// its newest digest, between a digest and the restart that follows it,
	// or before its first), so every digest found is another chain's.
	loggedBetween := func(id chainID, after, before time.Time) (time.Time, bool) {
		es := ends[trailID{id.prefix, id.org, id.trail, id.home}]
		i := sort.Search(len(es), func(i int) bool { return es[i].After(after) })
		if i < len(es) && es[i].Before(before) {
			return es[i], true
		}
		return time.Time{}, false
	}
	// A chain's newest digest is followed by its next one (an hour later)
	// when that one would end inside the listing window (digests ending up
	// DigestsAfterTo after To are listed) and before Now-LiveEdge, and the
	// trail went on logging after it: a missing one was deleted.
	window := r.o.To.Add(DigestsAfterTo)
	if edge := now.Add(-LiveEdge); edge.Before(window) {
		window = edge
	}
	for _, id := range ids {
		ds := std[id]
		for i, p := range ds {
			var other time.Time
			var ok bool
			what := ""
			switch {
			case i == len(ds)-1:
				if p.name.End.Add(time.Hour).After(window) {
					continue
				}
				other, ok = loggedBetween(id, p.name.End.Add(ChainEndTolerance), window.Add(time.Hour))
				what = "this chain's newest digest"
			case ds[i+1].d.Starting():
				// A restart follows: the chain's digests up to the stop.
				other, ok = loggedBetween(id, p.name.End.Add(ChainEndTolerance), ds[i+1].start)
				what = "this chain's last digest before a restart"
			default:
				continue
			}
			if !ok {
				continue
			}
			r.add(Finding{Kind: ChainTruncated, Account: id.account, Region: id.region, Trail: id.trail, Keys: []string{p.key},
				Message: fmt.Sprintf("%s ends at %s, but another chain of the trail has a digest ending at %s: CloudTrail delivers a digest every hour for every account and region, even without activity, and logging stops for the whole trail (with a final digest at the stop), so this chain's digests after it were deleted, with the log files they listed, unless this account or region stopped delivering (it left the organization, the Region was disabled)",
					what, p.name.End.UTC().Format(time.RFC3339), other.UTC().Format(time.RFC3339))})
		}
		// A chain that starts (a starting digest first) after other chains
		// of the trail were already logging.
		if len(ds) > 0 && ds[0].d.Starting() {
			if other, ok := loggedBetween(id, time.Time{}, ds[0].start.Add(-ChainEndTolerance)); ok {
				r.add(Finding{Kind: ChainStartsLate, Account: id.account, Region: id.region, Trail: id.trail, Keys: []string{ds[0].key},
					Message: fmt.Sprintf("this chain starts (a starting digest) at %s, but another chain of the trail has a digest ending at %s, earlier: this chain's earlier digests were deleted, or the account or Region joined the trail then; the verifier cannot tell which", ds[0].start.UTC().Format(time.RFC3339), other.UTC().Format(time.RFC3339))})
			}
		}
	}

	// Folders without a digest of the named trail.
	if r.o.TrailName == "" || len(ids) == 0 {
		return
	}
	withDigests := map[string]bool{}
	pairs := map[[2]string]bool{}
	for _, id := range ids {
		if id.trail == r.o.TrailName {
			withDigests[id.account] = true
			pairs[[2]string{id.account, id.region}] = true
		}
	}
	for _, a := range r.o.ExpectAccounts {
		folder := "AWSLogs/"
		if r.o.Prefix != "" {
			folder = r.o.Prefix + "/" + folder
		}
		if r.o.OrganizationID != "" {
			folder += r.o.OrganizationID + "/"
		}
		if withDigests[a] {
			for _, g := range r.o.ExpectRegions {
				if pairs[[2]string{a, g}] {
					continue
				}
				r.add(Finding{Kind: RegionAbsent, Account: a, Region: g, Trail: r.o.TrailName, Keys: []string{folder + a + "/CloudTrail-Digest/" + g + "/"},
					Message: fmt.Sprintf("no digest of trail %s for this account and region in the range, though the account has digests in other regions: CloudTrail delivers a digest every hour for every region of a multi-Region trail, so this region's digests were deleted, unless the Region was not enabled for the account during the range", r.o.TrailName)})
			}
			continue
		}
		r.add(Finding{Kind: AccountAbsent, Account: a, Trail: r.o.TrailName, Keys: []string{folder + a + "/CloudTrail-Digest/"},
			Message: fmt.Sprintf("no digest of trail %s for this account in the range, in any region: CloudTrail delivers a digest every hour for every account of an organization trail, so its folder was deleted, unless it was not a member of the organization during the range", r.o.TrailName)})
	}
	type place struct{ prefix, org, account, region string }
	type path struct{ prefix, org string }
	seen := map[place]bool{}
	paths := map[path]bool{}
	for _, id := range ids {
		if id.trail != r.o.TrailName {
			continue
		}
		seen[place{id.prefix, id.org, id.account, id.region}] = true
		paths[path{id.prefix, id.org}] = true
	}
	var absent []string
	for _, a := range tree {
		for _, f := range a.digest {
			m := digestFolder.FindStringSubmatch(f)
			if m == nil || !paths[path{m[1], m[2]}] || seen[place{m[1], m[2], m[3], m[4]}] {
				continue
			}
			absent = append(absent, f)
		}
	}
	sort.Strings(absent)
	expected := map[string]bool{}
	for _, a := range r.o.ExpectAccounts {
		expected[a] = true
	}
	expectedRegion := map[string]bool{}
	for _, g := range r.o.ExpectRegions {
		expectedRegion[g] = true
	}
	silent := map[string][]string{}
	for _, f := range absent {
		m := digestFolder.FindStringSubmatch(f)
		if expected[m[3]] && (!withDigests[m[3]] || expectedRegion[m[4]]) {
			continue // account-absent or region-absent says it already
		}
		if !withDigests[m[3]] {
			// The whole account is silent: most often an account that left
			// the organization (its folder stays). A notice, so that a
			// departed account does not make every run "could not check";
			// --expect-accounts turns a deleted account into account-absent.
			silent[m[3]] = append(silent[m[3]], f)
			continue
		}
		r.add(Finding{Kind: ChainAbsent, Account: m[3], Region: m[4], Trail: r.o.TrailName, Keys: []string{f},
			Message: fmt.Sprintf("this folder holds no digest of trail %s ending in the range, while this account has digests in other regions: this region's digests were deleted, or the Region stopped delivering for the account before the range (disabled); the verifier cannot tell which", r.o.TrailName)})
	}
	for _, a := range slices.Sorted(maps.Keys(silent)) {
		r.add(Finding{Kind: AccountSilent, Account: a, Trail: r.o.TrailName, Keys: silent[a],
			Message: fmt.Sprintf("this account has no digest of trail %s in the range, in any region, though its folders exist: it left the organization or was closed before the range, or its digests were deleted; name the organization's accounts with --expect-accounts to tell", r.o.TrailName)})
	}
}
