package rules

import (
	"maps"
	"slices"
)

// Object Lock retention bounds, in days (S3 allows up to 100 years).
const (
	MinRetentionDays = 1
	MaxRetentionDays = 36500
)

// ObjectLockMode checks an S3 Object Lock retention mode.
func ObjectLockMode(mode string) error {
	if mode != "GOVERNANCE" && mode != "COMPLIANCE" {
		return violation(mode, "must be GOVERNANCE or COMPLIANCE")
	}
	return nil
}

// transitionMinimumDays lists the storage classes a lifecycle rule may move
// log objects to, with the minimum age S3 accepts for the transition (S3 user
// guide, "Transitioning objects using Amazon S3 Lifecycle").
var transitionMinimumDays = map[string]int{
	"STANDARD_IA": 30, "ONEZONE_IA": 30, "INTELLIGENT_TIERING": 0,
	"GLACIER_IR": 0, "GLACIER": 0, "DEEP_ARCHIVE": 0,
}

// StorageClasses returns the storage classes a lifecycle rule may use, sorted.
func StorageClasses() []string {
	return slices.Sorted(maps.Keys(transitionMinimumDays))
}

// Lifecycle is the lifecycle of log objects in a bucket with Object Lock.
// A zero field means "no such rule".
type Lifecycle struct {
	// TransitionDays moves current objects to TransitionStorageClass after
	// this many days. Default: 0 (no transition).
	TransitionDays int
	// TransitionStorageClass is the target of the transition.
	// Default: GLACIER_IR when TransitionDays is set.
	TransitionStorageClass string
	// ExpirationDays expires current objects after this many days; it must
	// not be shorter than the Object Lock retention. Default: 0 (never).
	ExpirationDays int
	// NoncurrentExpirationDays deletes noncurrent versions after this many
	// days; it must not be shorter than the Object Lock retention.
	// Default: 0 (never).
	NoncurrentExpirationDays int
}

// Check records every violation of the lifecycle rules in l. field maps a
// rule's snake_case name ("" for the block itself, "expiration_days", ...) to
// the caller's field path, so config files and construct props each get
// their own names in messages.
func (lc Lifecycle) Check(l *List, field func(string) string, retentionDays int) {
	if lc.TransitionDays == 0 && lc.ExpirationDays == 0 && lc.NoncurrentExpirationDays == 0 {
		l.Addf(field(""), "{}", "must set at least one of %s, %s and %s (or be left out)",
			field("transition_days"), field("expiration_days"), field("noncurrent_expiration_days"))
	}
	switch {
	case lc.TransitionDays < 0:
		l.Addf(field("transition_days"), lc.TransitionDays, "must not be negative")
	case lc.TransitionDays > 0:
		min, ok := transitionMinimumDays[lc.TransitionStorageClass]
		switch {
		case !ok:
			l.Addf(field("transition_storage_class"), lc.TransitionStorageClass, "must be one of %v", StorageClasses())
		case lc.TransitionDays < min:
			l.Addf(field("transition_days"), lc.TransitionDays, "must be at least %d for %s (S3 minimum)", min, lc.TransitionStorageClass)
		}
	case lc.TransitionStorageClass != "":
		l.Addf(field("transition_storage_class"), lc.TransitionStorageClass, "is set but %s is not", field("transition_days"))
	}
	// docs/aws-rules.md#lifecycle-and-retention: a lifecycle expiration shorter than the Object Lock retention
	// cannot delete locked versions; refuse the contradiction.
	switch {
	case lc.ExpirationDays < 0:
		l.Addf(field("expiration_days"), lc.ExpirationDays, "must not be negative")
	case lc.ExpirationDays > 0:
		if lc.ExpirationDays < retentionDays {
			l.Addf(field("expiration_days"), lc.ExpirationDays, "must not be shorter than the Object Lock retention (%d days)", retentionDays)
		}
		if lc.TransitionDays > 0 && lc.ExpirationDays <= lc.TransitionDays {
			l.Addf(field("expiration_days"), lc.ExpirationDays, "must be later than %s (%d)", field("transition_days"), lc.TransitionDays)
		}
	}
	switch {
	case lc.NoncurrentExpirationDays < 0:
		l.Addf(field("noncurrent_expiration_days"), lc.NoncurrentExpirationDays, "must not be negative")
	case lc.NoncurrentExpirationDays > 0 && lc.NoncurrentExpirationDays < retentionDays:
		l.Addf(field("noncurrent_expiration_days"), lc.NoncurrentExpirationDays, "must not be shorter than the Object Lock retention (%d days)", retentionDays)
	}
}
