//go:build !unix

package e2e

import "testing"

func TestE2E(t *testing.T) {
	t.Skip("the e2e tests drive awsrun through a Unix pseudo-terminal, which this platform does not have")
}
