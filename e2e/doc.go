// Package e2e tests the built awsrun binary the way people run it: on a
// pseudo-terminal that is its controlling terminal, against the fake STS of
// creds/ststest on loopback, with a temporary HOME and an environment the
// tests set in full.
//
// TestMain builds ./cmd/awsrun once. No test reads or writes the real home
// directory or the machine's keyrings (AWSRUN_KEY_STORE=file), every test is
// bounded by a deadline that kills its process group, and the test binary
// doubles as the helper programs awsrun runs as its child. Platforms without
// pseudo-terminals (Windows) skip the suite.
package e2e
