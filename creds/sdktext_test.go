package creds

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// TestSDKTextStillMatches provokes, through the SDK itself and without a
// network, every piece of the loader's and providers' wording that awsrun
// matches: after an SDK upgrade this fails where the wording moved. (STS's
// own messages come from AWS, not the SDK, and are checked against the
// fake STS, which copies them.)
func TestSDKTextStillMatches(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	home := t.TempDir()
	isolateEnv(t, home)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
	cfgFile := filepath.Join(home, "config")
	credsFile := filepath.Join(home, "credentials")
	writeFile(t, cfgFile, "[profile proc]\ncredential_process = echo not-json\n"+
		"[profile ci]\nrole_arn = "+ciRole+"\nweb_identity_token_file = "+filepath.Join(home, "missing-token")+"\n"+
		"[profile bogus]\nrole_arn = "+roleARN+"\ncredential_source = Bogus\n"+
		"[profile env]\nrole_arn = "+roleARN+"\ncredential_source = Environment\n"+
		"[profile sso]\nsso_account_id = 123456789012\nsso_role_name = ReadOnly\nsso_start_url = https://example.awsapps.com/start\nsso_region = us-east-1\n"+
		"[profile ssohalf]\nsso_account_id = 123456789012\n")
	writeFile(t, credsFile, "[half]\naws_access_key_id = AKIAHALF000000000001\n")

	load := func(profile string) error {
		_, err := config.LoadSharedConfigProfile(ctx, profile, func(o *config.LoadSharedConfigOptions) {
			o.ConfigFiles, o.CredentialsFiles = []string{cfgFile}, []string{credsFile}
		})
		return err
	}
	retrieve := func(profile string) error {
		cfg, err := config.LoadDefaultConfig(ctx, config.WithSharedConfigProfile(profile), config.WithRegion("us-east-1"),
			config.WithSharedConfigFiles([]string{cfgFile}), config.WithSharedCredentialsFiles([]string{credsFile}))
		if err != nil {
			return err
		}
		_, err = cfg.Credentials.Retrieve(ctx)
		return err
	}
	signWith := func(profile string) error {
		_, err := sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://127.0.0.1:1"),
			Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
				return aws.Credentials{}, errors.New("no credentials for " + profile)
			})}).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		var oe interface{ Unwrap() error }
		if errors.As(err, &oe) {
			return oe.Unwrap()
		}
		return err
	}
	tests := []struct {
		text sdkText
		err  error
	}{
		{textPartialCredentials, load("half")},
		{textFetchingConfig, load("half")},
		{textCredentialSourceValues, retrieve("bogus")},
		{textProcessOutput, retrieve("proc")},
		{textUnreadableFile, retrieve("ci")},
		{textSSOToken, retrieve("sso")},
		{textMissingSSO, retrieve("ssohalf")},
		{textEmptyEnvironment, retrieve("env")},
		{textGetIdentity, signWith("x")},
	}
	for _, tt := range tests {
		if !tt.text.inErr(tt.err) {
			t.Errorf("the SDK no longer says %q; it said: %v", tt.text, tt.err)
		}
	}
}
