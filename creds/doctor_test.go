package creds

import (
	"testing"

	"github.com/awsrun/awsrun/creds/ststest"
)

func TestAccountOfKey(t *testing.T) {
	srv := ststest.NewServer()
	defer srv.Close()
	u := srv.AddUser("arn:aws:iam::000123456789:user/alice")
	if got := AccountOfKey(u.AccessKeyID); got != "000123456789" {
		t.Errorf("AccountOfKey(%s) = %q, want the fake's account 000123456789", u.AccessKeyID, got)
	}
	for id, want := range map[string]string{
		"ASIAY34FZKBOKMUTVV7A": "609629065308", // a published example
		"AKIA":                 "",
		"not a key id at all!": "",
	} {
		if got := AccountOfKey(id); got != want {
			t.Errorf("AccountOfKey(%s) = %q, want %q", id, got, want)
		}
	}
}
