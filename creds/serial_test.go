package creds

import (
	"context"
	"strings"
	"testing"
)

// TestHardwareTokenSerialIsAnMFASerial guards mfa_serial against
// accepting only ARNs: a hardware token is named by the serial number
// printed on it, which STS accepts as SerialNumber. The session is
// cached under it, and the prompt names it.
func TestHardwareTokenSerialIsAnMFASerial(t *testing.T) {
	const token = "GAHT12345678"
	f := newFixture(t, strings.Replace(role101, serial, token, 1))
	dev := f.srv.AddMFADevice(token, f.user)
	var asked []string
	r := f.resolver(f.openCache(t))
	r.Prompt = func(ctx context.Context, s string) (string, error) {
		asked = append(asked, s)
		return dev.Code(f.srv.Now()), nil
	}
	for range 2 {
		c, err := f.retrieve(t, r, "role101", LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := f.callerARN(t, c), "arn:aws:sts::"+acct+":assumed-role/role101/awsrun-tester"; got != want {
			t.Errorf("caller = %s, want %s", got, want)
		}
	}
	if got, want := strings.Join(f.actions(), " "), "GetSessionToken+MFA AssumeRole"; got != want {
		t.Errorf("STS calls = %s, want %s (the second run from the cache)", got, want)
	}
	if len(asked) != 1 || !strings.Contains(asked[0], token) {
		t.Errorf("prompts %q, want one naming %s", asked, token)
	}
	var calls []string
	for _, c := range f.srv.Calls() {
		calls = append(calls, c.SerialNumber)
	}
	if !strings.Contains(strings.Join(calls, " "), token) {
		t.Errorf("STS got serial numbers %q, want %s", calls, token)
	}

	// What STS would refuse is refused before any code is asked.
	for _, bad := range []string{"GAHT1", "GAHT 12345678", "arn:nope"} {
		writeFiles(t, strings.Replace(role101, serial, bad, 1), seedCredentials)
		_, err := LoadChain(context.Background(), "role101", LoadOptions{})
		if err == nil || !strings.Contains(err.Error(), "is neither an MFA device ARN nor a hardware token's serial number") {
			t.Errorf("mfa_serial = %s: err = %v", bad, err)
		}
	}
}
