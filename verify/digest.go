package verify

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// digestKey matches a digest file's key (docs/aws-rules.md#digest-file-location):
// [prefix/]AWSLogs/[o-id/]<account>/CloudTrail-Digest/<region>/YYYY/MM/DD/
// <account>_CloudTrail-Digest_<region>_<trail>_<home region>_<end>[_backfill].json.gz
var digestKey = regexp.MustCompile(`^(?:(.+)/)?AWSLogs/(?:(o-[a-z0-9]{10,32})/)?(\d{12})/CloudTrail-Digest/([a-z0-9-]+)/(\d{4})/(\d{2})/(\d{2})/(\d{12})_CloudTrail-Digest_([a-z0-9-]+)_(.+)_([a-z]{2}(?:-[a-z]+)+-\d+)_(\d{8}T\d{6}Z)(_backfill)?\.json\.gz$`)

// logKey matches a log file's key (docs/aws-rules.md#log-file-names):
// [prefix/]AWSLogs/[o-id/]<account>/CloudTrail/<region>/YYYY/MM/DD/
// <account>_CloudTrail_<region>_YYYYMMDDTHHmmZ_<unique>.json.gz
var logKey = regexp.MustCompile(`^(?:(.+)/)?AWSLogs/(?:(o-[a-z0-9]{10,32})/)?(\d{12})/CloudTrail/([a-z0-9-]+)/(\d{4})/(\d{2})/(\d{2})/(\d{12})_CloudTrail_([a-z0-9-]+)_(\d{8}T\d{4}Z)_([A-Za-z0-9]+)\.json\.gz$`)

// digestName is what a digest's key says of it.
type digestName struct {
	Prefix, Org, Account, Region, Trail, HomeRegion string
	End                                             time.Time
	Backfill                                        bool
}

func parseDigestKey(key string) (digestName, bool) {
	m := digestKey.FindStringSubmatch(key)
	if m == nil || m[3] != m[8] || m[4] != m[9] {
		return digestName{}, false
	}
	end, err := time.Parse("20060102T150405Z", m[12])
	if err != nil {
		return digestName{}, false
	}
	return digestName{Prefix: m[1], Org: m[2], Account: m[3], Region: m[4], Trail: m[10], HomeRegion: m[11], End: end, Backfill: m[13] != ""}, true
}

// logName is what a log file's key says of it.
type logName struct {
	Prefix, Org, Account, Region string
	Stamp                        time.Time
	// Day is the date of the folder the file sits in.
	Day time.Time
}

func parseLogKey(key string) (logName, bool) {
	m := logKey.FindStringSubmatch(key)
	if m == nil || m[3] != m[8] || m[4] != m[9] {
		return logName{}, false
	}
	t, err := time.Parse("20060102T1504Z", m[10])
	if err != nil {
		return logName{}, false
	}
	day, err := time.Parse("2006/01/02", m[5]+"/"+m[6]+"/"+m[7])
	if err != nil {
		return logName{}, false
	}
	return logName{Prefix: m[1], Org: m[2], Account: m[3], Region: m[4], Stamp: t, Day: day}, true
}

// Digest is a digest file's content (docs/aws-rules.md#digest-file-fields).
// The previous-digest fields are pointers: a starting digest has them null.
type Digest struct {
	AWSAccountID                string    `json:"awsAccountId"`
	DigestStartTime             string    `json:"digestStartTime"`
	DigestEndTime               string    `json:"digestEndTime"`
	DigestS3Bucket              string    `json:"digestS3Bucket"`
	DigestS3Object              string    `json:"digestS3Object"`
	DigestPublicKeyFingerprint  string    `json:"digestPublicKeyFingerprint"`
	DigestSignatureAlgorithm    string    `json:"digestSignatureAlgorithm"`
	NewestEventTime             *string   `json:"newestEventTime"`
	OldestEventTime             *string   `json:"oldestEventTime"`
	PreviousDigestS3Bucket      *string   `json:"previousDigestS3Bucket"`
	PreviousDigestS3Object      *string   `json:"previousDigestS3Object"`
	PreviousDigestHashValue     *string   `json:"previousDigestHashValue"`
	PreviousDigestHashAlgorithm *string   `json:"previousDigestHashAlgorithm"`
	PreviousDigestSignature     *string   `json:"previousDigestSignature"`
	LogFiles                    []LogFile `json:"logFiles"`
}

// LogFile is one entry of a digest's logFiles.
type LogFile struct {
	S3Bucket        string `json:"s3Bucket"`
	S3Object        string `json:"s3Object"`
	HashValue       string `json:"hashValue"`
	HashAlgorithm   string `json:"hashAlgorithm"`
	NewestEventTime string `json:"newestEventTime"`
	OldestEventTime string `json:"oldestEventTime"`
}

// requiredDigestFields must be present (null allowed for
// previousDigestSignature) before a digest is checked; the AWS CLI's
// validate-logs requires the same (docs/aws-rules.md#digest-file-fields).
var requiredDigestFields = []string{"digestPublicKeyFingerprint", "digestS3Bucket", "digestS3Object", "previousDigestSignature", "digestEndTime", "digestStartTime"}

// ParseDigest decodes an uncompressed digest file.
func ParseDigest(data []byte) (*Digest, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	for _, f := range requiredDigestFields {
		if _, ok := fields[f]; !ok {
			return nil, fmt.Errorf("field %s is missing", f)
		}
	}
	var d Digest
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, err
	}
	if _, err := time.Parse(time.RFC3339, d.DigestEndTime); err != nil {
		return nil, fmt.Errorf("digestEndTime %q: %w", d.DigestEndTime, err)
	}
	if _, err := time.Parse(time.RFC3339, d.DigestStartTime); err != nil {
		return nil, fmt.Errorf("digestStartTime %q: %w", d.DigestStartTime, err)
	}
	return &d, nil
}

// Starting reports whether d begins a chain: its previous-digest fields are
// null (docs/aws-rules.md#starting-digest).
func (d *Digest) Starting() bool {
	return d.PreviousDigestS3Object == nil && d.PreviousDigestSignature == nil
}

// StringToSign is the data signing string of a digest
// (docs/aws-rules.md#digest-string-to-sign): digestEndTime as written in
// the file, the digest's S3 path bucket/key, the hex SHA-256 of the digest
// file's content, and the previous digest's hex signature or "null".
func StringToSign(d *Digest, contentSHA256 []byte) string {
	prev := "null"
	if d.PreviousDigestSignature != nil {
		prev = *d.PreviousDigestSignature
	}
	return d.DigestEndTime + "\n" + d.DigestS3Bucket + "/" + d.DigestS3Object + "\n" + hex.EncodeToString(contentSHA256) + "\n" + prev
}

// SignatureAlgorithm is the only algorithm CloudTrail documents for digests.
const SignatureAlgorithm = "SHA256withRSA"

// verifySignature checks a hex signature over StringToSign with
// RSASSA-PKCS1-v1_5 and SHA-256 (Java's SHA256withRSA). It tries the
// SHA-256 of the uncompressed content (as the AWS CLI's validate-logs
// hashes it, and as previousDigestHashValue is documented) and then of the
// stored gzip bytes, since the User Guide's formula says only "current
// digest file content" (docs/aws-rules.md#digest-string-to-sign). It
// returns which content matched: "uncompressed" or "compressed".
func verifySignature(pub *rsa.PublicKey, d *Digest, sigHex string, uncompressed, compressed []byte) (string, error) {
	sig, err := hex.DecodeString(strings.TrimSpace(sigHex))
	if err != nil {
		return "", fmt.Errorf("the signature is not hex: %w", err)
	}
	for _, c := range []struct {
		name string
		data []byte
	}{{"uncompressed", uncompressed}, {"compressed", compressed}} {
		content := sha256.Sum256(c.data)
		msg := sha256.Sum256([]byte(StringToSign(d, content[:])))
		if rsa.VerifyPKCS1v15(pub, crypto.SHA256, msg[:], sig) == nil {
			return c.name, nil
		}
	}
	return "", fmt.Errorf("the signature does not verify with the public key %s", d.DigestPublicKeyFingerprint)
}
