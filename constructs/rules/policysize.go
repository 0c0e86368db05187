package rules

// Size limits of the policies the configuration's lists grow.
const (
	// MaxKeyPolicyBytes is the largest key policy KMS accepts: 32 KB
	// (docs/aws-rules.md#key-policy-size).
	MaxKeyPolicyBytes = 32768
	// MaxBucketPolicyBytes is the largest bucket policy measured against
	// S3's "20 KB": read as 20,000 bytes, the smaller of the two readings of
	// KB (docs/aws-rules.md#bucket-policy-size).
	MaxBucketPolicyBytes = 20000
	// DefaultRoleTrustPolicyChars is IAM's default quota on a role's trust
	// policy, white space not counted; MaxRoleTrustPolicyChars the largest
	// any version of IAM's quota page lets an account raise it to
	// (docs/aws-rules.md#role-trust-policy-length).
	DefaultRoleTrustPolicyChars = 2048
	MaxRoleTrustPolicyChars     = 8192
)
