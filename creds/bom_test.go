package creds

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/config"
)

// TestByteOrderMarkIsReadAsTheSDKReadsIt guards against a contradictory
// error for a file saved with a UTF-8 byte order mark: the SDK does not
// see the section header on the first line, so awsrun must not either,
// and must say why the profile is missing; the other profiles work.
func TestByteOrderMarkIsReadAsTheSDKReadsIt(t *testing.T) {
	const bom = "\uFEFF"
	const role = "role_arn = arn:aws:iam::123456789012:role/r\nsource_profile = user101\n"
	configFile, credsFile := writeFiles(t, bom+"[default]\n"+role+"[profile two]\n"+role, seedCredentials)

	// The premise: the SDK does not strip the mark.
	if _, err := config.LoadSharedConfigProfile(context.Background(), "default", func(o *config.LoadSharedConfigOptions) {
		o.ConfigFiles, o.CredentialsFiles = []string{configFile}, []string{credsFile}
	}); err == nil {
		t.Fatal("the SDK now reads [default] after a byte order mark: read it too")
	}

	if c, err := LoadChain(context.Background(), "two", LoadOptions{}); err != nil || c.ARN() == "" {
		t.Fatalf("profile two: %v", err)
	}
	_, err := LoadChain(context.Background(), "default", LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), "starts with a UTF-8 byte order mark") {
		t.Fatalf("default: err = %v, want the byte order mark named", err)
	}
	if h := errHint(err); !strings.Contains(h, "without a byte order mark") {
		t.Errorf("hint %q", h)
	}
	// --list shows what the SDK can use.
	list, err := ListProfiles(LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range list {
		if p.Name == "default" {
			t.Errorf("--list shows default, which the SDK does not see")
		}
	}

	// A mark in the credentials file hides its first section the same way.
	_, credsFile = writeFiles(t, "[profile two]\n"+role, bom+seedCredentials)
	_, err = LoadChain(context.Background(), "two", LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), "user101 not found: "+credsFile+" starts with a UTF-8 byte order mark") {
		t.Errorf("source in a marked credentials file: err = %v", err)
	}
}
