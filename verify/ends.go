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
	// ChainEndTolerance: how much later than the trail's newest digest a
	// chain's next digest may end and still be expected (digests of one
	// chain end exactly an hour apart in the User Guide's samples; the
	// chains of a trail end at their own minutes of the hour).
	ChainEndTolerance = 2 * time.Minute
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
	newest := map[chainID]*digestRec{}
	trailEnd := map[trailID]time.Time{}
	for _, id := range ids {
		for _, d := range chains[id] {
			if d.name.Backfill {
				continue
			}
			if n := newest[id]; n == nil || d.name.End.After(n.name.End) {
				newest[id] = d
			}
		}
		t := trailID{id.prefix, id.org, id.trail, id.home}
		if n := newest[id]; n != nil && n.name.End.After(trailEnd[t]) {
			trailEnd[t] = n.name.End
		}
	}
	// A chain's next digest, an hour after its newest, is expected when it
	// would end inside the listing window (digests ending up to an hour
	// after To are listed) and before Now-LiveEdge, and when another chain
	// of the trail has a digest at least as new: after a StopLogging, every
	// chain ends with its final digest at about the same time.
	window := r.o.To.Add(time.Hour)
	if edge := now.Add(-LiveEdge); edge.Before(window) {
		window = edge
	}
	for _, id := range ids {
		n := newest[id]
		if n == nil {
			continue
		}
		t := trailID{id.prefix, id.org, id.trail, id.home}
		next := n.name.End.Add(time.Hour)
		if next.After(window) || next.After(trailEnd[t].Add(ChainEndTolerance)) {
			continue
		}
		r.add(Finding{Kind: ChainTruncated, Account: id.account, Region: id.region, Trail: id.trail, Keys: []string{n.key},
			Message: fmt.Sprintf("this chain's newest digest ends at %s, but the trail's other chains go on until %s: CloudTrail delivers a digest every hour for every account and region, even without activity, and logging stops for the whole trail, so this chain's next digest (ending %s) and any after it were deleted, with the log files they listed, unless this account or region stopped delivering (it left the organization, the Region was disabled)",
				n.name.End.UTC().Format(time.RFC3339), trailEnd[t].UTC().Format(time.RFC3339), next.UTC().Format(time.RFC3339))})
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
