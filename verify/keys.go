package verify

import (
	"context"
	"crypto/md5"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// PublicKey is one of CloudTrail's digest-signing public keys, as
// ListPublicKeys returns it (docs/aws-rules.md#digest-public-keys).
type PublicKey struct {
	Fingerprint string
	DER         []byte
	ValidFrom   time.Time
	ValidTo     time.Time
}

// KeySource returns the public keys of a region for a time range.
type KeySource interface {
	PublicKeys(ctx context.Context, region string, from, to time.Time) ([]PublicKey, error)
}

// ParseRSAPublicKey reads a DER public key. ListPublicKeys documents PKCS #1
// (RSAPublicKey); the User Guide's own sample response also holds a key in
// X.509 SubjectPublicKeyInfo form (it begins MIIBIjANBgkqhkiG9w0BAQEF), so
// both are accepted (docs/aws-rules.md#digest-public-keys).
func ParseRSAPublicKey(der []byte) (*rsa.PublicKey, error) {
	if k, err := x509.ParsePKCS1PublicKey(der); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("neither a PKCS #1 nor an X.509 SubjectPublicKeyInfo RSA public key: %w", err)
	}
	r, ok := k.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("a %T public key, not RSA", k)
	}
	return r, nil
}

// Fingerprint returns the hex MD5 of the key's DER bytes: the relation every
// key of the User Guide's sample list-public-keys response satisfies. No AWS
// page states it, so the verifier never requires it; it only names it when a
// signature fails (docs/aws-rules.md#digest-public-keys).
func Fingerprint(der []byte) string {
	sum := md5.Sum(der)
	return hex.EncodeToString(sum[:])
}

// FileKeys is a KeySource read from files in the shape that
// `aws cloudtrail list-public-keys` prints. Keys read for region "" serve
// every region.
type FileKeys struct {
	byRegion map[string][]PublicKey
}

// listPublicKeysOutput is the JSON of list-public-keys: "PublicKeyList" in
// the API and CLI v2, "publicKeyList" in the User Guide's sample.
type listPublicKeysOutput struct {
	PublicKeyList []struct {
		Value             string          `json:"Value"`
		ValidityStartTime json.RawMessage `json:"ValidityStartTime"`
		ValidityEndTime   json.RawMessage `json:"ValidityEndTime"`
		Fingerprint       string          `json:"Fingerprint"`
	} `json:"PublicKeyList"`
}

// ReadPublicKeys reads one list-public-keys JSON file.
func ReadPublicKeys(path string) ([]PublicKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("public keys file: %w", err)
	}
	var out listPublicKeysOutput
	// encoding/json matches field names case-insensitively, so the User
	// Guide's "publicKeyList" reads as well as the API's "PublicKeyList".
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("public keys file %s: not the JSON that `aws cloudtrail list-public-keys` prints: %w", path, err)
	}
	if len(out.PublicKeyList) == 0 {
		return nil, fmt.Errorf("public keys file %s: PublicKeyList is empty or missing", path)
	}
	var keys []PublicKey
	for i, k := range out.PublicKeyList {
		der, err := base64.StdEncoding.DecodeString(strings.TrimSpace(k.Value))
		if err != nil {
			return nil, fmt.Errorf("public keys file %s: PublicKeyList[%d].Value: not base64: %w", path, i, err)
		}
		if _, err := ParseRSAPublicKey(der); err != nil {
			return nil, fmt.Errorf("public keys file %s: PublicKeyList[%d].Value: %w", path, i, err)
		}
		if k.Fingerprint == "" {
			return nil, fmt.Errorf("public keys file %s: PublicKeyList[%d].Fingerprint is empty", path, i)
		}
		// The validity times are informative: keys are matched by
		// fingerprint, so a time in another format is read as unknown.
		from, _ := parseKeyTime(k.ValidityStartTime)
		to, _ := parseKeyTime(k.ValidityEndTime)
		keys = append(keys, PublicKey{Fingerprint: strings.ToLower(k.Fingerprint), DER: der, ValidFrom: from, ValidTo: to})
	}
	return keys, nil
}

// parseKeyTime reads a validity time as the CLI prints it: epoch seconds as
// a string ("1436317441.0", the User Guide's sample) or a number, or an ISO
// 8601 time (CLI v2's default). Absent is the zero time.
func parseKeyTime(raw json.RawMessage) (time.Time, error) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return time.Time{}, nil
	}
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(raw, &s); err != nil {
			return time.Time{}, err
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		sec := int64(f)
		return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC(), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is neither epoch seconds nor an ISO 8601 time", s)
}

// NewFileKeys reads the files; each spec is "FILE" (keys for every region)
// or "REGION=FILE".
func NewFileKeys(specs []string) (*FileKeys, error) {
	fk := &FileKeys{byRegion: map[string][]PublicKey{}}
	for _, spec := range specs {
		region, path := "", spec
		if i := strings.Index(spec, "="); i > 0 && !strings.ContainsAny(spec[:i], "/\\") {
			region, path = spec[:i], spec[i+1:]
		}
		keys, err := ReadPublicKeys(path)
		if err != nil {
			return nil, err
		}
		fk.byRegion[region] = append(fk.byRegion[region], keys...)
	}
	return fk, nil
}

// PublicKeys returns the keys read for region and for every region.
func (f *FileKeys) PublicKeys(_ context.Context, region string, _, _ time.Time) ([]PublicKey, error) {
	keys := append(append([]PublicKey(nil), f.byRegion[region]...), f.byRegion[""]...)
	sort.SliceStable(keys, func(i, j int) bool { return keys[i].Fingerprint < keys[j].Fingerprint })
	return keys, nil
}
