package stacks

import (
	"fmt"

	"github.com/cloudtrail-mrk/cloudtrail-mrk/config"
	ctmrk "github.com/cloudtrail-mrk/cloudtrail-mrk/constructs"
)

// addAthena adds the query side (athena.enabled) to the log-archive stack, in
// the home region, next to the bucket it reads.
func addAthena(a *LogArchive, cfg *config.Config) error {
	q := cfg.Athena
	if !q.Enabled {
		return nil
	}
	athena, err := ctmrk.NewAthenaQuery(a.Stack, "Athena", ctmrk.AthenaQueryProps{
		Bucket:                a.Bucket,
		Key:                   a.Key,
		Account:               cfg.Accounts.LogArchive.ID,
		Accounts:              q.Accounts,
		ProjectionStart:       q.ProjectionStart,
		Database:              q.Database,
		Table:                 q.Table,
		Workgroup:             q.Workgroup,
		ResultsBucketName:     q.ResultsBucketName,
		ResultsExpirationDays: q.ResultsExpirationDays,
		BytesScannedCutoff:    q.BytesScannedCutoff,
		QueryRoleName:         q.QueryRoleName,
		QueryRoleArn:          serviceRole(cfg, cfg.Accounts.LogArchive.ID, q.QueryRoleName),
		ResultsKeyTags:        bootstrapKeyTags(cfg),
		ResultsKeyManager:     bootstrapKeyManager(cfg, cfg.Accounts.LogArchive.RoleARN),
		Readers:               cfg.Key.Readers,
		AccessLogs:            a.AccessLogs,
		LogBuckets:            cfg.LogBuckets(),
		AllowDestroy:          cfg.AllowDestroy,
		Naming:                naming,
	})
	if err != nil {
		return err
	}
	a.Athena = athena
	return nil
}

// athenaResultsBuckets is the results bucket when athena is on, so that the
// access-log bucket accepts its access logs.
func athenaResultsBuckets(cfg *config.Config) []string {
	if !cfg.Athena.Enabled {
		return nil
	}
	return []string{cfg.Athena.ResultsBucketName}
}

// serviceRole is the ARN of the service role name in account that the
// bootstrap created (docs/bootstrap.md#service-roles); "" without the
// bootstrap, and the constructs create the role.
func serviceRole(cfg *config.Config, account, name string) string {
	if !cfg.BootstrapEnabled() {
		return ""
	}
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", cfg.Partition(), account, name)
}

// bootstrapKeyTags tags a key that only the bootstrap's policies need
// tagged (keyGuardTags with the bootstrap); none without it.
func bootstrapKeyTags(cfg *config.Config) map[string]string {
	if !cfg.BootstrapEnabled() {
		return nil
	}
	return keyGuardTags(cfg)
}

// bootstrapKeyManager is the deploying role named in a key policy to manage
// the key (docs/bootstrap.md#keys-by-key-policy): role with the bootstrap,
// "" without it.
func bootstrapKeyManager(cfg *config.Config, role string) string {
	if !cfg.BootstrapEnabled() {
		return ""
	}
	return role
}
