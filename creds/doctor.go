package creds

import (
	"context"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/awsrun/awsrun/internal/textsafe"
)

// What --doctor asks of creds: the config problems a run would not stop
// at, the clock against STS's, and whether a terminal can give a code.
// None of it fetches, sends or caches credentials.

// Problem is something wrong in a profile that a run does not refuse.
type Problem struct {
	Profile string
	Text    string
	Fix     string
}

// knownKeys are the keys the SDK's shared-config loader reads, awsrun's
// own, and the AWS CLI's that other tools read from the same files.
var knownKeys = map[string]bool{
	"aws_access_key_id": true, "aws_secret_access_key": true, "aws_session_token": true, "aws_account_id": true,
	"role_arn": true, "source_profile": true, "credential_source": true, "credential_process": true, "role_session_name": true, "external_id": true,
	"mfa_serial": true, "duration_seconds": true, "web_identity_token_file": true, "region": true, "endpoint_url": true, "services": true,
	"ignore_configured_endpoint_urls": true, "use_fips_endpoint": true, "use_dualstack_endpoint": true,
	"sso_session": true, "sso_account_id": true, "sso_region": true, "sso_role_name": true, "sso_start_url": true, "login_session": true,
	"ca_bundle": true, "defaults_mode": true, "retry_mode": true, "max_attempts": true, "sdk_ua_app_id": true, "auth_scheme_preference": true,
	"account_id_endpoint_mode": true, "disable_clock_skew_correction": true, "disable_request_compression": true,
	"request_min_compression_size_bytes": true, "request_checksum_calculation": true, "response_checksum_validation": true,
	"ec2_metadata_service_endpoint": true, "ec2_metadata_service_endpoint_mode": true, "ec2_metadata_v1_disabled": true,
	"endpoint_discovery_enabled": true, "s3_use_arn_region": true, "s3_disable_multiregion_access_points": true, "s3_disable_express_session_auth": true,
	"mfa_process": true, "session_tags": true, "transitive_session_tags": true, "source_identity": true,
	"output": true, "cli_pager": true, "cli_timestamp_format": true, "cli_follow_urlparam": true, "cli_binary_format": true, "cli_auto_prompt": true,
	"cli_history": true, "s3": true, "sts_regional_endpoints": true, "parameter_validation": true, "tcp_keepalive": true, "api_versions": true,
	"metadata_service_timeout": true, "metadata_service_num_attempts": true, "sso_registration_scopes": true,
}

// Lint lists what is wrong in the chain's profiles but does not stop a
// run: keys neither the SDK nor awsrun reads (a typo leaves a setting
// unset), and an MFA device of another account than the source's keys.
func Lint(c *Chain) ([]Problem, error) {
	raw, err := loadRaw(c.configFile, c.credentialsFile)
	if err != nil {
		return nil, err
	}
	var out []Problem
	seen := map[string]bool{}
	for _, p := range c.profiles() {
		if seen[p] {
			continue
		}
		seen[p] = true
		var unknown []string
		for _, s := range raw.sections(p) {
			for _, k := range s.KeyStrings() {
				if !knownKeys[k] && !seen[p+"\x00"+k] {
					seen[p+"\x00"+k] = true
					unknown = append(unknown, k)
				}
			}
		}
		sort.Strings(unknown)
		for _, k := range unknown {
			out = append(out, Problem{Profile: p, Text: fmt.Sprintf("unknown key %s in profile %s: neither the SDK nor awsrun reads it", k, p),
				Fix: "check the spelling in " + c.configFile + " or " + c.credentialsFile})
		}
	}
	for _, f := range []struct{ file, loose string }{{c.configFile, raw.configLoose}, {c.credentialsFile, raw.credentialsLoose}} {
		if f.loose != "" {
			out = append(out, Problem{Profile: c.Profile,
				Text: fmt.Sprintf("%s is %s: another user could change your profiles, and awsrun runs no mfa_process or credential_process from it", f.file, f.loose),
				Fix:  (&LooseFileError{File: f.file, Reason: f.loose}).Hint()})
		}
	}
	if c.MFASerial != "" && c.Source.LongTerm() {
		dev, _ := ParseARN(c.MFASerial)
		if acct := AccountOfKey(c.Source.Static.AccessKeyID); acct != "" && dev.Account != "" && acct != dev.Account {
			out = append(out, Problem{Profile: c.Profile,
				Text: fmt.Sprintf("mfa_serial %s is a device of account %s, but the keys of %s are of account %s (as their key id encodes it: keys made since 2019 do): STS refuses a device of another account", c.MFASerial, dev.Account, c.Source.Profile, acct),
				Fix:  "set mfa_serial to the device of the user whose keys " + c.Source.Profile + " holds (aws iam list-mfa-devices)"})
		}
	}
	return out, nil
}

// profiles names the chain's profiles, target first.
func (c *Chain) profiles() []string {
	out := []string{c.Profile}
	for i := len(c.Hops) - 1; i >= 0; i-- {
		out = append(out, c.Hops[i].Profile)
	}
	return append(out, c.Source.Profile)
}

// AccountOfKey is the account an access key id belongs to, as AWS encodes
// it in the id, "" when the id cannot hold one. Keys made before 2019
// encode none and decode to a number that is no account: callers may only
// warn on what it says.
func AccountOfKey(id string) string {
	if len(id) != 20 || (!strings.HasPrefix(id, "AKIA") && !strings.HasPrefix(id, "ASIA")) {
		return ""
	}
	b, err := base32.StdEncoding.DecodeString(id[4:])
	if err != nil || len(b) < 6 {
		return ""
	}
	z := binary.BigEndian.Uint64(append([]byte{0, 0}, b[:6]...))
	acct := (z & 0x7fffffffff80) >> 7
	if acct == 0 || acct > 999999999999 {
		return ""
	}
	return fmt.Sprintf("%012d", acct)
}

// Drift is this machine's clock against STS's: positive when STS is
// ahead.
type Drift struct {
	Offset   time.Duration
	Endpoint string // scheme://host of the STS endpoint asked
}

// ClockDrift asks the chain's STS endpoint, as the SDK resolves it, for
// the time: one GetCallerIdentity without credentials (unsigned), whose
// refusal still carries the Date header. Nothing secret is sent. The
// result is good to a second either way.
func (r *Resolver) ClockDrift(ctx context.Context, c *Chain) (Drift, error) {
	cfg, err := r.sdkConfig(ctx, c, c.Profile, config.WithCredentialsProvider(aws.AnonymousCredentials{}))
	if err != nil {
		return Drift{}, err
	}
	var d Drift
	var date string
	var sent, received time.Time
	capture := func(s *middleware.Stack) error {
		return s.Deserialize.Add(middleware.DeserializeMiddlewareFunc("awsrunDate",
			func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
				if req, ok := in.Request.(*smithyhttp.Request); ok && req.URL != nil {
					d.Endpoint = req.URL.Scheme + "://" + req.URL.Host
				}
				sent = time.Now()
				out, md, err := next.HandleDeserialize(ctx, in)
				received = time.Now()
				if resp, ok := out.RawResponse.(*smithyhttp.Response); ok {
					date = resp.Header.Get("Date")
				}
				return out, md, err
			}), middleware.After)
	}
	client := sts.NewFromConfig(cfg, func(o *sts.Options) { o.RetryMaxAttempts = 1 })
	ctx, cancel := context.WithTimeout(ctx, r.stsTimeout())
	defer cancel()
	_, err = client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}, func(o *sts.Options) {
		o.APIOptions = append(o.APIOptions, capture)
	})
	if date == "" {
		if err == nil {
			err = errors.New("no Date header in the answer")
		}
		return d, &STSError{Profile: c.Profile, Op: "GetCallerIdentity (unsigned, for the time)", Endpoint: d.Endpoint, Err: err}
	}
	at, perr := http.ParseTime(date)
	if perr != nil {
		return d, fmt.Errorf("STS at %s sent a Date header that is not a time: %s", d.Endpoint, strconv.Quote(textsafe.OneLine(date, networkTextMax)))
	}
	// Date is truncated to the second: compare with the middle of the
	// exchange, half a second on.
	mid := sent.Add(received.Sub(sent) / 2)
	d.Offset = at.Add(500 * time.Millisecond).Sub(mid).Round(time.Second)
	return d, nil
}

// HaveTerminal reports whether a prompt could ask for a code here.
func HaveTerminal() bool {
	name := "/dev/tty"
	if runtime.GOOS == "windows" {
		name = "CONIN$"
	}
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	if err != nil {
		return false
	}
	f.Close()
	return true
}
