// Package ststest is a fake AWS Security Token Service for tests.
//
// NewServer starts an HTTP server on 127.0.0.1 that speaks the STS Query
// protocol as AWS does: form-encoded POST requests with Action and
// Version=2011-06-15, XML responses in the 2011-06-15 namespace, and
// ErrorResponse bodies with the error codes, messages and HTTP statuses AWS
// uses. The real SDK client reaches it through BaseEndpoint or
// AWS_ENDPOINT_URL_STS.
//
// The fake guarantees, for GetSessionToken, AssumeRole,
// AssumeRoleWithWebIdentity, GetFederationToken and GetCallerIdentity:
//   - every call but AssumeRoleWithWebIdentity must carry a valid SigV4
//     signature, checked with the SDK's own signer against the caller's
//     secret; an unknown key, a missing or wrong session token, a key used in
//     another partition's regions, expired temporary credentials (by the
//     server clock) and a bad signature fail as they do on AWS;
//   - parameters are validated with AWS's constraints and wording, and
//     several violations are reported together;
//   - MFA codes are RFC 6238 TOTP codes (SHA-1, 6 digits, 30 s, one step of
//     skew at the server clock); a user (or a user's session) must present
//     their own device; a code accepted once for a device is never accepted
//     again, across GetSessionToken and AssumeRole;
//   - sessions remember whether MFA was present and when it was given, and
//     role sessions inherit that; trust policies check the principal, MFA
//     presence, MFA age, the external id and the maximum session duration;
//   - AssumeRole called with temporary credentials is role chaining, capped
//     at one hour;
//   - every request is recorded in a call log, and faults (error statuses,
//     error codes, delays, malformed bodies) can be injected;
//   - a presigned GetCallerIdentity GET — an EKS token — is checked as the
//     EKS authenticator and STS check it together: only the parameters the
//     authenticator allows, the x-k8s-aws-id header signed, X-Amz-Expires
//     at most 15 minutes and honoured, then the presigned SigV4 signature
//     with the SDK's signer (over the header the verifier sends, so a token
//     for another cluster fails); the answer is JSON when asked for.
//     VerifyEKSToken plays the authenticator's part.
//
// NewFederation starts a fake of the console sign-in federation endpoint
// beside it, which accepts the credentials the server issued.
//
// It does not model: session policies (GetFederationToken's policy is
// checked to be JSON, not evaluated), SAML, the other actions, query-string
// authentication other than presigned GetCallerIdentity, request-time skew
// checks, permission policies on the
// caller (only trust policies), web identity tokens as JWTs (a token is an
// opaque string registered on a role), the root user's shorter session
// limits, or limits on which device a role session may present (any
// registered one is accepted). Real STS also accepts GET with an
// Authorization header; this fake answers such a GET with an error. It serves every region of every partition at once, but
// a credential scope must name a region of the key's partition.
//
// The SDK judges expiry by the real clock, not the server's: a server clock
// set in the past hands out credentials the SDK considers already expired.
//
// IAMURL starts a fake IAM beside it (see iam.go) that shares its users,
// keys, clock, call log and faults: the access key self-service a key
// rotation makes, with the two-key limit, a policy requiring MFA, and a
// propagation delay for new keys.
//
// Identities and roles are set up with AddUser, AddMFADevice and AddRole,
// which panic on malformed ARNs: they are test setup, not user input.
//
// All methods are safe for concurrent use. The package does not depend on
// package testing, so programs other than tests can run it.
package ststest
