package creds

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/awsrun/awsrun/internal/textsafe"
)

// sdkConfigError words what the SDK's loader refused. Parse errors are
// reduced to the file name: the files hold secrets, and an echoed line
// could carry one.
func sdkConfigError(profile, configFile, credsFile string, err error) error {
	var notExist config.SharedConfigProfileNotExistError
	var assume config.SharedConfigAssumeRoleError
	var load config.SharedConfigLoadError
	switch {
	case errors.As(err, &assume):
		if keysMoved(credsFile, assume.Profile) {
			return &ConfigError{Profile: profile, ARN: assume.RoleARN, Err: &movedKeysError{assume.Profile, credsFile}, Fix: movedKeysFix("")}
		}
		err := fmt.Errorf("source profile %s has no usable credentials", assume.Profile)
		if missingFile(credsFile) {
			err = noKeys(assume.Profile, credsFile)
		}
		return &ConfigError{Profile: profile, ARN: assume.RoleARN, Err: err, Fix: addKeysFix(assume.Profile, credsFile)}
	case errors.As(err, &notExist):
		return &ConfigError{Profile: profile, Err: fmt.Errorf("profile %s not found in %s or %s", notExist.Profile, configFile, credsFile),
			Fix: "awsrun --list shows the profiles it can see"}
	case errors.As(err, &load):
		return parseError(profile, load.Filename)
	}
	if _, after, ok := strings.Cut(err.Error(), string(textPartialCredentials)); ok {
		name, _, _ := strings.Cut(after, "\n")
		return &ConfigError{Profile: profile, Err: fmt.Errorf("profile %s has only one of aws_access_key_id and aws_secret_access_key", name),
			Fix: fmt.Sprintf("give [%s] both keys in %s, or neither", name, credsFile)}
	}
	// One line, escaped, whatever the SDK's wording: it names the setting
	// it refused, which may be in the files or the environment.
	msg := textsafe.OneLine(strings.TrimPrefix(err.Error(), string(textFetchingConfig)), 0)
	return &ConfigError{Profile: profile, Err: fmt.Errorf("the AWS SDK refused the configuration: %s", msg),
		Fix: "correct the setting the SDK names: in the profile's section of " + configFile + " or " + credsFile + ", or the AWS_ environment variable of that name"}
}

// endpointInputs is everything the SDK looks at to choose the STS endpoint,
// as one string. It is hashed into cache identities, so credentials from a
// test endpoint never serve real AWS; resolving the endpoint itself is left
// to the SDK when a client is built.
func endpointInputs(ctx context.Context, sc config.SharedConfig, getenv func(string) string) string {
	var b strings.Builder
	for _, k := range []string{"AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
		"AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT", "AWS_STS_REGIONAL_ENDPOINTS"} {
		fmt.Fprintf(&b, "%s=%s;", k, getenv(k))
	}
	svc, _, _ := sc.GetServiceBaseEndpoint(ctx, "STS")
	ignore, _, _ := sc.GetIgnoreConfiguredEndpoints(ctx)
	fmt.Fprintf(&b, "base=%s;sts=%s;ignore=%t;fips=%d;dualstack=%d", sc.BaseEndpoint, svc, ignore, sc.UseFIPSEndpoint, sc.UseDualStackEndpoint)
	return b.String()
}

// sdkConfig loads the SDK configuration of a profile of the chain, with
// the chain's files and region.
func (r *Resolver) sdkConfig(ctx context.Context, c *Chain, profile string, extra ...func(*config.LoadOptions) error) (aws.Config, error) {
	credsFiles, done, err := credentialsFiles(c.credentialsFile, c.storedProfile, profile)
	if err != nil {
		return aws.Config{}, err
	}
	defer done()
	opts := append([]func(*config.LoadOptions) error{
		config.WithSharedConfigProfile(profile),
		config.WithSharedConfigFiles([]string{c.configFile}),
		config.WithSharedCredentialsFiles(credsFiles),
		config.WithRegion(c.HopRegion),
		config.WithAppID("awsrun"),
	}, extra...)
	cfg, err := sdkParse(func() (aws.Config, error) { return config.LoadDefaultConfig(ctx, opts...) })
	if errors.Is(err, errSDKParserPanic) {
		return aws.Config{}, parserPanicError(profile, c.ARN(), c.configFile, c.credentialsFile)
	}
	if err != nil {
		return aws.Config{}, &ConfigError{Profile: profile, ARN: c.ARN(), Err: fmt.Errorf("loading the SDK configuration: %w", err)}
	}
	return cfg, nil
}

// errSDKParserPanic is the SDK's INI parser panicking: it does on a value
// that is a lone quote (region = ").
var errSDKParserPanic = errors.New("the SDK's INI parser panicked")

// sdkParse runs load, an SDK call that parses the shared files, with a
// runtime panic made errSDKParserPanic: a typo in a file must not crash
// awsrun. Every SDK call that reads the files needs it, LoadChain's and
// the client's alike: the files may change between the two.
func sdkParse[T any](load func() (T, error)) (v T, err error) {
	defer func() {
		if p := recover(); p != nil {
			if _, ok := p.(runtime.Error); !ok {
				panic(p)
			}
			var zero T
			v, err = zero, errSDKParserPanic
		}
	}()
	return load()
}

// parserPanicError is the SDK's parser crashing on the files (it does on a
// value that is a lone quote).
func parserPanicError(profile, arn, configFile, credsFile string) error {
	return &ConfigError{Profile: profile, ARN: arn,
		Err: fmt.Errorf("the SDK cannot parse %s or %s", configFile, credsFile),
		Fix: `look for a value that is a lone quote (key = ") and finish or remove it`}
}
