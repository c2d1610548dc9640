package warm

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// notIndexed are the variables the SDK's config loader reads that cannot
// change which credentials an indexed invocation yields, each with the
// reason. Every other variable it reads must be in env.
var notIndexed = map[string]string{
	"AWS_ACCESS_KEY_ID":     "credential_source = Environment: such chains are never indexed",
	"AWS_ACCESS_KEY":        "credential_source = Environment: such chains are never indexed",
	"AWS_SECRET_ACCESS_KEY": "credential_source = Environment: such chains are never indexed",
	"AWS_SECRET_KEY":        "credential_source = Environment: such chains are never indexed",
	"AWS_SESSION_TOKEN":     "credential_source = Environment: such chains are never indexed",
	"AWS_ACCOUNT_ID":        "credential_source = Environment: such chains are never indexed",
	"AWS_PROFILE":           "the profile name is an input of its own",
	"AWS_DEFAULT_PROFILE":   "awsrun names the profile itself (--profile, $AWS_PROFILE, default)",
	"AWS_CA_BUNDLE":         "whom a call trusts, not what credentials it returns; the warm path makes no call",

	"AWS_DEFAULTS_MODE": "how calls are made", "AWS_EXECUTION_ENV": "how calls are made",
	"AWS_MAX_ATTEMPTS": "how calls are made", "AWS_RETRY_MODE": "how calls are made",
	"AWS_SDK_UA_APP_ID": "how calls are made", "AWS_DISABLE_REQUEST_COMPRESSION": "how calls are made",
	"AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES": "how calls are made", "AWS_DISABLE_CLOCK_SKEW_CORRECTION": "how calls are made",
	"AWS_REQUEST_CHECKSUM_CALCULATION": "how calls are made", "AWS_RESPONSE_CHECKSUM_VALIDATION": "how calls are made",
	"AWS_AUTH_SCHEME_PREFERENCE": "how calls are made", "AWS_EC2_METADATA_V1_DISABLED": "how calls are made",
	"AWS_RESTRICT_FILE_PERMISSIONS": "how the SDK writes files",

	"AWS_ENABLE_ENDPOINT_DISCOVERY": "other services", "AWS_S3_USE_ARN_REGION": "other services",
	"AWS_S3_DISABLE_MULTIREGION_ACCESS_POINTS": "other services", "AWS_S3_DISABLE_EXPRESS_SESSION_AUTH": "other services",
	"AWS_ACCOUNT_ID_ENDPOINT_MODE": "other services (account-based endpoints)",
}

// credentialServices are the services the SDK calls to make credentials:
// their AWS_ENDPOINT_URL_<ID> variables move those calls elsewhere.
var credentialServices = []string{"sts", "sso", "ssooidc", "signin"}

// TestIndexReadsEveryVariableTheSDKDoes guards the warm index against an
// SDK upgrade: the variables are taken from the SDK's own source in the
// module cache, and each must be in the index's list or in notIndexed,
// with a reason.
func TestIndexReadsEveryVariableTheSDKDoes(t *testing.T) {
	dir := moduleDir(t, "github.com/aws/aws-sdk-go-v2/config")
	literal := regexp.MustCompile(`"(AWS_[A-Z0-9_]+)"`)
	sdk := map[string]string{} // name → the file it is read in
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literal.FindAllStringSubmatch(string(b), -1) {
			sdk[m[1]] = filepath.Base(f)
		}
		// Per-service endpoints: AWS_ENDPOINT_URL_<service ID>.
		if strings.Contains(string(b), `fmt.Sprintf("%s_%s", awsEndpointURLEnv, normalizeEnv(sdkID))`) {
			for _, svc := range credentialServices {
				sdk["AWS_ENDPOINT_URL_"+serviceEnvID(t, svc)] = filepath.Base(f)
			}
		}
	}
	if len(sdk) < 40 || sdk["AWS_REGION"] == "" || sdk["AWS_ENDPOINT_URL_STS"] == "" {
		t.Fatalf("found only %d variables in %s: the SDK's layout changed, teach this test", len(sdk), dir)
	}
	for name, file := range sdk {
		if !slices.Contains(env, name) && notIndexed[name] == "" {
			t.Errorf("the SDK reads %s (%s), which the warm index neither hashes nor explains: add it to env in index.go, or to notIndexed with the reason", name, file)
		}
		if slices.Contains(env, name) && notIndexed[name] != "" {
			t.Errorf("%s is both indexed and explained away", name)
		}
	}
}

// moduleDir is where the build's version of module is in the module cache.
func moduleDir(t *testing.T, module string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}}", module).Output()
	if err != nil || strings.TrimSpace(string(out)) == "" {
		t.Fatalf("go list -m %s: %v", module, err)
	}
	return strings.TrimSpace(string(out))
}

// serviceEnvID is the service's ID as the SDK spells it in variable
// names: "SSO OIDC" is SSO_OIDC.
func serviceEnvID(t *testing.T, svc string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(moduleDir(t, "github.com/aws/aws-sdk-go-v2/service/"+svc), "api_client.go"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`const ServiceID = "([^"]+)"`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("no ServiceID in service/%s", svc)
	}
	return strings.ToUpper(strings.ReplaceAll(string(m[1]), " ", "_"))
}
