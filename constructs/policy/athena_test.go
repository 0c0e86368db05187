package policy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// CloudTrail user guide, "Finding your CloudTrail log files": an organization
// trail writes <prefix>/AWSLogs/<org-id>/<account>/CloudTrail/<region>/<yyyy>/<MM>/<dd>/,
// an account trail <prefix>/AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<MM>/<dd>/.
func TestAthenaLocationTemplate(t *testing.T) {
	for name, tc := range map[string]struct {
		props AthenaTableProps
		want  string
	}{
		"organization trail with prefix": {
			AthenaTableProps{Bucket: "logs-111111111111", KeyPrefix: "org", OrganizationID: "o-abcdefghij"},
			"s3://logs-111111111111/org/AWSLogs/o-abcdefghij/222222222222/CloudTrail/eu-west-1/2026/11/29",
		},
		"account trail without prefix": {
			AthenaTableProps{Bucket: "logs-111111111111"},
			"s3://logs-111111111111/AWSLogs/222222222222/CloudTrail/eu-west-1/2026/11/29",
		},
	} {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.props.Resolve("222222222222", "eu-west-1", "2026/11/29"))
		})
	}
}

func TestAthenaParameters(t *testing.T) {
	p := AthenaTableProps{Bucket: "logs-111111111111", Accounts: []string{"222222222222", "111111111111"}, Regions: []string{"us-west-2", "us-east-1"}, ProjectionStart: "2024/01/01"}
	got, err := p.Parameters()
	require.NoError(t, err)
	assert.Equal(t, "111111111111,222222222222", got["projection.account.values"])
	assert.Equal(t, "enum", got["projection.account.type"])
	assert.Equal(t, "us-east-1,us-west-2", got["projection.region.values"])
	assert.Equal(t, "date", got["projection.date.type"])
	assert.Equal(t, "yyyy/MM/dd", got["projection.date.format"])
	assert.Equal(t, "2024/01/01,NOW", got["projection.date.range"])
	assert.Equal(t, "s3://logs-111111111111/AWSLogs/${account}/CloudTrail/${region}/${date}", got["storage.location.template"])

	_, err = AthenaTableProps{Bucket: "logs-111111111111", Accounts: []string{"12"}, ProjectionStart: "2024/01/01"}.Parameters()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "AthenaTableProps.Accounts[0]")
	assert.Contains(t, err.Error(), "AthenaTableProps.Regions")
}

func TestQueryRoleTrustNeedsReaders(t *testing.T) {
	_, err := QueryRoleTrust(QueryRoleProps{Partition: "aws"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "QueryRoleProps.Readers")
	doc, err := QueryRoleTrust(QueryRoleProps{Partition: "aws", Readers: []string{"222222222222", "arn:aws:iam::111111111111:role/R"}})
	require.NoError(t, err)
	s, ok := doc.StatementBySid(SidQueryAssume)
	require.True(t, ok)
	assert.ElementsMatch(t, Values{"arn:aws:iam::222222222222:root", "arn:aws:iam::111111111111:role/R"}, s.Principal.AWS)
}

func TestNamedQueriesUseTheProjection(t *testing.T) {
	qs := NamedQueries(NamedQueriesProps{Database: "db", Table: "t", TrailName: "trail", KeyID: "mrk-1", Buckets: []string{"b1", "b2"}})
	require.Len(t, qs, 4)
	for _, q := range qs {
		assert.Contains(t, q.SQL, `FROM "db"."t"`, q.Name)
		assert.Contains(t, q.SQL, `"date" >= `, "%s scans only the days it needs", q.Name)
	}
}
