package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// Defaults applied to a configuration file before it is decoded, so a key
// left out keeps its secure default. Those the constructs share are defined
// once, in package rules.
const (
	DefaultTrailName          = "cloudtrail-mrk"
	DefaultKeyAlias           = "alias/cloudtrail-mrk"
	DefaultRotationPeriodDays = rules.DefaultRotationPeriodDays
	// Deletion windows at their maximum (docs/aws-rules.md#deletion-window: 7-30, use 30).
	DefaultDeletionWindowDays = rules.DefaultDeletionWindowDays
	DefaultObjectLockMode     = rules.DefaultObjectLockMode
	DefaultObjectLockDays     = rules.DefaultObjectLockDays
	DefaultStorageClass       = rules.DefaultStorageClass
	DefaultStateKeyPrefix     = "cloudtrail-mrk"
	// DefaultAccessLogSuffix names the access-log bucket after the trail bucket.
	DefaultAccessLogSuffix         = "-access-logs"
	DefaultAccessLogExpirationDays = rules.DefaultAccessLogExpirationDays
	DefaultLogRetentionDays        = rules.DefaultLogRetentionDays
	DefaultLogGroupPrefix          = rules.DefaultLogGroupPrefix
	DefaultTopicSuffix             = rules.DefaultTopicSuffix
	DefaultAlarmTopicSuffix        = rules.DefaultAlarmTopicSuffix
	DefaultRecoverySuffix          = "-recovery"
	DefaultReplicationRoleName     = "cloudtrail-mrk-replication"

	// DefaultHeartbeatPeriodSeconds and DefaultHeartbeatEvaluationPeriods
	// are the heartbeat alarm's window: one day of hourly periods.
	DefaultHeartbeatPeriodSeconds     = rules.DefaultHeartbeatPeriodSeconds
	DefaultHeartbeatEvaluationPeriods = rules.DefaultHeartbeatEvaluationPeriods
)

// defaults returns a configuration with every optional value at its default
// and every required value empty.
func defaults() Config {
	return Config{
		Trail: Trail{
			Name:                       DefaultTrailName,
			MultiRegion:                true,
			IncludeGlobalServiceEvents: true,
			EnableLogFileValidation:    true,
			CloudWatchLogs:             CloudWatchLogs{Enabled: true, RetentionDays: DefaultLogRetentionDays, Alarms: Alarms{Enabled: true, Heartbeat: defaultHeartbeat}},
			DataEvents:                 DataEvents{S3Read: true, S3Write: true},
		},
		Key: Key{
			Alias:              DefaultKeyAlias,
			RotationPeriodDays: DefaultRotationPeriodDays,
			DeletionWindowDays: DefaultDeletionWindowDays,
		},
		Bucket: Bucket{
			ObjectLock: ObjectLock{Mode: DefaultObjectLockMode, Days: DefaultObjectLockDays},
			AccessLogs: AccessLogs{Enabled: true, ExpirationDays: DefaultAccessLogExpirationDays},
		},
		Replication: Replication{Alarms: ReplicationAlarms{Enabled: true}},
	}
}

var defaultHeartbeat = Heartbeat{PeriodSeconds: DefaultHeartbeatPeriodSeconds, EvaluationPeriods: DefaultHeartbeatEvaluationPeriods}

// Default is the built-in configuration used when no file is given: one
// example account (111122223333, the AWS documentation's placeholder) plays
// both roles, an account trail in us-east-1 with one replica in us-west-2.
// It synthesizes as is; deploying it needs a real account id.
func Default() *Config {
	c := defaults()
	c.HomeRegion = "us-east-1"
	c.Accounts.Management.ID = "111122223333"
	c.Accounts.LogArchive.ID = "111122223333"
	c.Key.ReplicaRegions = []string{"us-west-2"}
	c.Bucket.Name = "cloudtrail-mrk-logs-111122223333"
	c.applyLateDefaults()
	return &c
}

// FromEnv loads the file named by CLOUDTRAIL_MRK_CONFIG, or returns Default
// when the variable is unset or empty. The second result describes where the
// configuration came from. When CLOUDTRAIL_MRK_WARNINGS_AS_ERRORS is set, a
// configuration with warnings is refused with a *WarningsError (inside a
// *LoadError for a file).
func FromEnv() (*Config, string, error) {
	path := os.Getenv(EnvVar)
	label := "built-in default configuration"
	if path != "" {
		label = fmt.Sprintf("config file %q", path)
	}
	asErrors, err := WarningsAsErrors()
	if err != nil {
		return nil, label, err
	}
	c := Default()
	if path != "" {
		if c, err = Load(path); err != nil {
			return nil, label, err
		}
	}
	if ws := c.Warnings(); asErrors && len(ws) > 0 {
		if path == "" {
			return nil, label, &WarningsError{ws}
		}
		return nil, label, &LoadError{path, &WarningsError{ws}}
	}
	return c, label, nil
}

// LoadError is a configuration file that could not be used: missing,
// unreadable, not YAML, or invalid. Err lists every problem, one per line.
type LoadError struct {
	Path string
	Err  error
}

// Error implements error as `config file "<path>": <problems>`.
func (e *LoadError) Error() string { return fmt.Sprintf("config file %q: %v", e.Path, e.Err) }

// Unwrap returns the problems.
func (e *LoadError) Unwrap() error { return e.Err }

// Load reads, decodes, defaults and validates the YAML file at path. Its
// errors are *LoadError.
func Load(path string) (*Config, error) {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, &LoadError{path, fmt.Errorf("does not exist (set %s to an existing YAML file, or unset it for the built-in default)", EnvVar)}
	case err != nil:
		return nil, &LoadError{path, err}
	case info.IsDir():
		return nil, &LoadError{path, errors.New("is a directory, not a YAML file")}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &LoadError{path, fmt.Errorf("cannot be read: %w", err)}
	}
	c, err := Parse(data)
	if err != nil {
		return nil, &LoadError{path, err}
	}
	return c, nil
}

// Parse decodes a YAML document strictly (unknown keys and values of the
// wrong type are errors that name the field and the whole value), applies
// defaults and validates the result.
func Parse(data []byte) (*Config, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errEmpty
		}
		return nil, yamlError(err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, errors.New("the file must hold exactly one YAML document; found a second one after '---'")
	}
	if len(doc.Content) == 0 {
		return nil, errEmpty
	}
	schemaErrs, wrongTypes := checkSchema(&doc)
	if wrongTypes {
		// A value of the wrong type cannot be decoded: validating the rest
		// would report its default as if the file had said it.
		return nil, rules.Errors(schemaErrs)
	}
	c := defaults()
	if err := doc.Decode(&c); err != nil {
		return nil, yamlError(err)
	}
	c.applyLateDefaults()
	// Every known key was decoded: unknown ones are reported together with
	// whatever the validation finds.
	var l rules.List
	for _, e := range schemaErrs {
		l.Add("", e)
	}
	l.Add("", c.Validate())
	if err := l.Err(); err != nil {
		return nil, err
	}
	return &c, nil
}

var errEmpty = errors.New("the file is empty: it must hold a YAML mapping with at least home_region, accounts and bucket")

// applyLateDefaults fills defaults inside optional blocks that only exist
// once the file has been decoded.
func (c *Config) applyLateDefaults() {
	if l := c.Bucket.Lifecycle; l != nil && l.TransitionDays > 0 && l.TransitionStorageClass == "" {
		l.TransitionStorageClass = DefaultStorageClass
	}
	if a := &c.Bucket.AccessLogs; a.Enabled && a.BucketName == "" && c.Bucket.Name != "" &&
		len(c.Bucket.Name)+len(DefaultAccessLogSuffix) <= 63 {
		a.BucketName = c.Bucket.Name + DefaultAccessLogSuffix
	}
	if w := &c.Trail.CloudWatchLogs; w.Enabled && w.LogGroupName == "" {
		w.LogGroupName = rules.DefaultLogGroupName(c.Trail.Name)
	}
	c.applyAlarmDefaults()
	if n := &c.Trail.Notifications; n.Enabled && n.TopicName == "" {
		n.TopicName = rules.DefaultTopicName(c.Trail.Name)
	}
	if r := &c.Replication; r.Enabled {
		if r.BucketName == "" && c.Bucket.Name != "" && len(c.Bucket.Name)+len(DefaultRecoverySuffix) <= 63 {
			r.BucketName = c.Bucket.Name + DefaultRecoverySuffix
		}
		if r.AccessLogBucketName == "" && c.Bucket.AccessLogs.Enabled && r.BucketName != "" &&
			len(r.BucketName)+len(DefaultAccessLogSuffix) <= 63 {
			r.AccessLogBucketName = r.BucketName + DefaultAccessLogSuffix
		}
		if r.RoleName == "" {
			r.RoleName = DefaultReplicationRoleName
		}
	}
	c.applyReplicationAlarmDefaults()
	c.applyGuardrailDefaults()
	c.applyAthenaDefaults()
	if s := c.Backend.S3; s != nil {
		if s.KeyPrefix == "" {
			s.KeyPrefix = DefaultStateKeyPrefix
		}
		if s.UseLockfile == nil {
			on := true
			s.UseLockfile = &on
		}
	}
}

// yamlError turns yaml.v3's syntax errors into a message about the file.
// Type errors never reach it (checkSchema finds them first), except those
// of the document's structure, such as a key given twice.
func yamlError(err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs := make([]error, 0, len(te.Errors))
		for _, m := range te.Errors {
			msgs = append(msgs, errors.New(m))
		}
		return errors.Join(msgs...)
	}
	return fmt.Errorf("invalid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
}
