// Package creds turns an AWS shared-config profile into MFA-backed role
// credentials.
//
// It works in three stages. LoadChain resolves the profile chain
// (role_arn, source_profile, mfa_serial, …) with the SDK's own loader into a
// Chain. NewPlan, a pure function, lays the Chain out as a Plan: the steps
// that make its credentials — the source (static keys, or what an SDK
// provider yields: SSO, web identity, credential_process,
// credential_source), an MFA session (GetSessionToken) for long-term IAM
// user keys, then one AssumeRole per role hop — each with its cache id,
// parent, lifetime, and whether it carries the code or is chained.
// Resolver.Retrieve executes the plan: each step is looked up in, locked in
// and written to the encrypted cache when one is given, under a hash of
// every input that defines it, so one MFA code serves every role that
// shares a source, across processes. Codes come from one MFASource
// (--mfa-code, mfa_process, the terminal). Package creds/warm holds what the
// launcher needs to find the last step's entry without this package or the
// SDK.
//
// ConsoleSignin exchanges the same credentials at the partition's
// federation endpoint for a console login URL; WhoAmI asks STS who they
// are.
//
// Guarantees: secrets (secret keys, session tokens, MFA codes, console
// sign-in tokens and the login URLs that hold them) never appear in an
// error, in the verbose log, or in a String of any type here; MFA
// codes are read from the terminal device, never from stdin or written to
// stdout; a code is checked to be six digits before STS sees it, and a code
// already sent for a device is never sent again (across processes that
// share a cache, the device is locked from reading the last code until STS
// answers); every cache entry records, encrypted, the profile it was made
// for, and Retrieve never changes its Chain; long-term keys are never
// cached; credentials already expired by the local clock are never
// returned.
package creds
