package verify

// Kind names what a finding is. docs/verify.md says for each what it means
// and what to do.
type Kind string

// The kinds of finding.
const (
	// LogFileMissing: a digest lists a log file the store does not hold.
	LogFileMissing Kind = "log-file-missing"
	// LogFileModified: a log file's uncompressed SHA-256 differs from the
	// digest's, and no earlier version of it matches either.
	LogFileModified Kind = "log-file-modified"
	// OverwrittenVersionFound: the current version differs from what the
	// digest hashed, and an earlier version (kept by versioning and Object
	// Lock) matches: the original is intact, the current one is not.
	OverwrittenVersionFound Kind = "overwritten-version-found"
	// LogFileUnlisted: a log file no digest lists, older than the last digest.
	LogFileUnlisted Kind = "log-file-unlisted"
	// LogFileUnrecognized: an object in a log folder whose name is not a
	// log file name of that folder's account, region and date: CloudTrail
	// writes nothing else there, and a query over the folder reads it.
	LogFileUnrecognized Kind = "log-file-unrecognized"
	// DigestsAbsent: log files of an account and region without any digest.
	DigestsAbsent Kind = "digests-absent"
	// DigestMissing: a digest names a previous digest the store does not hold.
	DigestMissing Kind = "digest-missing"
	// DigestModified: a digest's content is not what the next digest
	// recorded, and its signature fails.
	DigestModified Kind = "digest-modified"
	// DigestSignatureInvalid: a digest's signature fails although its
	// content is what the next digest recorded (the signature was replaced),
	// or there is no next digest to tell content from signature.
	DigestSignatureInvalid Kind = "digest-signature-invalid"
	// DigestUnsigned: a digest object without signature metadata.
	DigestUnsigned Kind = "digest-unsigned"
	// DigestSignatureUnavailable: offline, the newest digest of a chain has
	// no signature in the signatures file and no later digest carries it.
	DigestSignatureUnavailable Kind = "digest-signature-unavailable"
	// DigestUnreadable: a digest that is not gzip JSON of the documented shape.
	DigestUnreadable Kind = "digest-unreadable"
	// DigestUnsupportedAlgorithm: a signature algorithm other than SHA256withRSA.
	DigestUnsupportedAlgorithm Kind = "digest-unsupported-algorithm"
	// DigestMoved: a digest found at a key other than the one it names.
	DigestMoved Kind = "digest-moved"
	// ChainReordered: digests found at one another's keys.
	ChainReordered Kind = "chain-reordered"
	// ChainBroken: a valid digest's link to its predecessor (key, hash or
	// signature) does not match the predecessor found.
	ChainBroken Kind = "chain-broken"
	// ChainRestarted: a starting digest (null previous fields) after earlier
	// digests: the documented case of logging or validation stopped and
	// started.
	ChainRestarted Kind = "chain-restarted"
	// ChainTruncated: a chain's newest digest ends well before the newest
	// digests of the trail's other accounts and regions. CloudTrail delivers
	// a digest every hour even without activity, and logging stops for the
	// whole trail: the newer digests were deleted, or this account or region
	// stopped delivering (docs/aws-rules.md#empty-digests).
	ChainTruncated Kind = "chain-truncated"
	// ChainAbsent: an account's and region's digest folder of the trail's
	// path holds no digest of the range while the account has digests in
	// other regions: its digests were deleted, or the Region stopped
	// delivering before the range.
	ChainAbsent Kind = "chain-absent"
	// ChainStartsLate: a chain's first digest of the range is a starting
	// digest while other chains of the trail have digests ending before it
	// starts: its earlier digests were deleted, or the account or Region
	// joined the trail then.
	ChainStartsLate Kind = "chain-starts-late"
	// AccountSilent: a digest folder of the trail's path whose account has
	// no digest of the trail in the range, in any region (an account that
	// left the organization, or deleted digests: ExpectAccounts tells).
	AccountSilent Kind = "account-silent"
	// AccountAbsent: an account named in ExpectAccounts has no digest of the
	// trail in the range.
	AccountAbsent Kind = "account-absent"
	// RegionAbsent: an expected account has digests of the trail in the
	// range, but none in an expected region.
	RegionAbsent Kind = "region-absent"
	// PublicKeyUnknown: no public key of the digest's region has the
	// digest's fingerprint.
	PublicKeyUnknown Kind = "public-key-unknown"
	// PublicKeyMismatch: every digest (two or more) that names a fingerprint
	// fails with the key of that fingerprint: the key is not the one that
	// signed them.
	PublicKeyMismatch Kind = "public-key-mismatch"
	// RecoveryMissing: an object of the trail bucket without a replica.
	RecoveryMissing Kind = "recovery-missing"
	// RecoveryDifferent: a replica whose uncompressed SHA-256 differs.
	RecoveryDifferent Kind = "recovery-different"
	// RecoveryPending: no replica yet; the source says PENDING.
	RecoveryPending Kind = "recovery-pending"
	// RecoveryFailed: no replica; the source says FAILED.
	RecoveryFailed Kind = "recovery-failed"
	// PredatesReplication: no replica of an object written before the
	// replication rule (S3 replicates only objects written after it).
	PredatesReplication Kind = "predates-replication"
)

// Severity says what a finding does to the verdict.
type Severity string

// The severities.
const (
	// Invalid findings make the verdict invalid (exit status 1).
	Invalid Severity = "invalid"
	// Unverified findings leave something unchecked (exit status 2 when
	// nothing is invalid).
	Unverified Severity = "unverified"
	// Notice findings are documented behaviour a person should know of;
	// they leave the verdict valid.
	Notice Severity = "notice"
)

// severities gives each kind its severity.
var severities = map[Kind]Severity{
	LogFileMissing: Invalid, LogFileModified: Invalid, OverwrittenVersionFound: Invalid,
	LogFileUnlisted: Invalid, LogFileUnrecognized: Invalid, DigestsAbsent: Invalid, DigestMissing: Invalid,
	DigestModified: Invalid, DigestSignatureInvalid: Invalid, DigestUnsigned: Invalid,
	DigestSignatureUnavailable: Unverified, DigestUnreadable: Invalid,
	DigestUnsupportedAlgorithm: Unverified, DigestMoved: Invalid, ChainReordered: Invalid,
	ChainBroken: Invalid, ChainRestarted: Notice, ChainTruncated: Invalid, ChainStartsLate: Unverified, ChainAbsent: Unverified, AccountSilent: Notice, AccountAbsent: Invalid, RegionAbsent: Invalid, PublicKeyUnknown: Invalid,
	PublicKeyMismatch: Invalid, RecoveryMissing: Invalid, RecoveryDifferent: Invalid,
	RecoveryPending: Notice, RecoveryFailed: Invalid, PredatesReplication: Notice,
}

// SeverityOf returns the severity of a kind.
func SeverityOf(k Kind) Severity { return severities[k] }

// Kinds lists every kind, in the order docs/verify.md describes them.
func Kinds() []Kind {
	return []Kind{
		LogFileMissing, LogFileModified, OverwrittenVersionFound, LogFileUnlisted, LogFileUnrecognized, DigestsAbsent,
		DigestMissing, DigestModified, DigestSignatureInvalid, DigestUnsigned,
		DigestSignatureUnavailable, DigestUnreadable, DigestUnsupportedAlgorithm, DigestMoved,
		ChainReordered, ChainBroken, ChainRestarted, ChainTruncated, ChainStartsLate, ChainAbsent, AccountSilent, AccountAbsent, RegionAbsent, PublicKeyUnknown, PublicKeyMismatch,
		RecoveryMissing, RecoveryDifferent, RecoveryPending, RecoveryFailed, PredatesReplication,
	}
}

// Finding is one thing the verifier found, with the S3 keys it concerns.
type Finding struct {
	Kind     Kind     `json:"kind"`
	Severity Severity `json:"severity"`
	Account  string   `json:"account"`
	Region   string   `json:"region"`
	Trail    string   `json:"trail,omitempty"`
	Keys     []string `json:"keys"`
	Message  string   `json:"message"`
}
