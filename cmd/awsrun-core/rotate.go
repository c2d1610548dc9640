package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/awsrun/awsrun/creds"
	"github.com/awsrun/awsrun/creds/warm"
	"github.com/awsrun/awsrun/keys"
)

// --keys rotate: a new access key through IAM, the old one deleted, and
// at every step a key that works kept where awsrun finds it:
//
//  1. IAM ListAccessKeys: two keys already is IAM's limit, so stop.
//  2. IAM CreateAccessKey.
//  3. Wait until STS accepts the new key (IAM is eventually consistent).
//  4. Store the new key where the old one was (the key store, or the
//     credentials file rewritten in place).
//  5. IAM DeleteAccessKey of the old key.
//  6. Forget the cached MFA sessions made with the old key.
//
// IAM is called with the MFA session when the profile has an MFA device:
// many accounts deny IAM self-service without MFA. A failure before step 4
// deletes the new key again; a failure after it leaves the new key in
// place. Either way the message says which keys exist in IAM and locally.

const (
	// defaultPropagationWait bounds the wait for STS to accept a new key;
	// IAM usually spreads one within seconds.
	defaultPropagationWait = 2 * time.Minute
	iamTimeout             = 30 * time.Second
)

// rotation is one key rotation in progress.
type rotation struct {
	a       *app
	profile string // the profile holding the keys
	old     creds.Credentials
	new     creds.Credentials
	inStore bool   // the old key is in the key store, else in the credentials file
	where   string // where the old key is, for messages
	iam     *iam.Client
	sts     *sts.Client
	region  string
	wait    time.Duration // AWSRUN_KEYS_PROPAGATION_WAIT
}

// rotateError is a rotation that stopped, with what exists where.
type rotateError struct {
	profile string
	step    string
	err     error
	state   string // which keys exist in IAM and locally
	fix     string
}

func (e *rotateError) Error() string {
	return fmt.Sprintf("profile %s: key rotation stopped at %s: %s; %s", e.profile, e.step, describeAWSError(e.err), e.state)
}
func (e *rotateError) Unwrap() error { return e.err }
func (e *rotateError) Hint() string  { return e.fix }

func (a *app) keysRotate(ctx context.Context, profile string) error {
	// Read before anything is asked of IAM: a typo found after
	// CreateAccessKey would cost a key made and deleted again.
	wait, err := propagationWait(a.getenv, profile)
	if err != nil {
		return err
	}
	chain, err := a.loadChain(ctx)
	if err != nil {
		return err
	}
	if !chain.Source.LongTerm() {
		return &keysError{profile, fmt.Errorf("its credentials come from %s, not from an IAM user's access key", chain.Source.Profile),
			"rotate the keys of the profile that holds aws_access_key_id (its source_profile)"}
	}
	rot := &rotation{a: a, profile: chain.Source.Profile, old: chain.Source.Static, wait: wait}
	if err := rot.locate(ctx); err != nil {
		return err
	}

	// The source's own chain, with the device of the profile asked for:
	// its MFA session is the one every role of that source shares.
	userChain, err := creds.LoadChain(ctx, rot.profile, creds.LoadOptions{Region: a.opts.Region, Getenv: a.getenv, Keys: a.storedKeys, KeyStore: a.keyStoreName})
	if err != nil {
		return err
	}
	if userChain.MFASerial == "" {
		userChain.MFASerial, userChain.MFAProcess = chain.MFASerial, chain.MFAProcess
	}
	r := a.resolver(userChain)
	stale := append(cacheIDs(chain), cacheIDs(userChain)...)
	signer := rot.old
	if userChain.MFASerial != "" {
		a.logf("IAM calls go through the MFA session of %s (%s)", rot.profile, userChain.MFASerial)
		if signer, err = r.Retrieve(ctx, userChain); err != nil {
			return err
		}
	}
	rot.region = userChain.SessionRegion
	if err := rot.clients(ctx, signer); err != nil {
		return err
	}
	if err := rot.run(ctx, userChain.MFASerial); err != nil {
		return err
	}
	if r.Cache != nil {
		for _, id := range stale {
			_ = r.Cache.Delete(id)
		}
	}
	a.note("rotated the key of %s: %s is deleted, %s is in %s", rot.profile, warm.MaskKeyID(rot.old.AccessKeyID), warm.MaskKeyID(rot.new.AccessKeyID), rot.where)
	return nil
}

// locate finds where the old key is kept: the key store or the
// credentials file; rotation writes the new one there.
func (r *rotation) locate(ctx context.Context) error {
	s, err := r.a.keyStore()
	if err != nil {
		return err
	}
	if e, ok, err := s.Get(r.profile); err == nil && ok && e.AccessKeyID == r.old.AccessKeyID {
		r.inStore, r.where = true, "the key store ("+s.Name()+")"
		return nil
	}
	path := r.a.credentialsFile()
	if _, _, id, err := fileKeyLines(ctx, r.a, path, r.profile); err != nil {
		return err
	} else if id != r.old.AccessKeyID {
		return &keysError{r.profile, fmt.Errorf("its key is neither in the key store nor in %s", path),
			"move the keys of [" + r.profile + "] to " + path + " or into the key store (awsrun --keys import), then rotate"}
	}
	r.where = path
	return nil
}

// clients builds IAM and STS clients the SDK's way for the source
// profile (AWS_ENDPOINT_URL_IAM, endpoint_url, services sections).
func (r *rotation) clients(ctx context.Context, signer creds.Credentials) error {
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithSharedConfigProfile(r.profile),
		config.WithRegion(r.region),
		config.WithAppID("awsrun"),
		config.WithCredentialsProvider(aws.AnonymousCredentials{}))
	if err != nil {
		return &keysError{r.profile, fmt.Errorf("loading the SDK configuration: %w", err), ""}
	}
	r.iam = iam.NewFromConfig(cfg, func(o *iam.Options) {
		o.Credentials = credentials.NewStaticCredentialsProvider(signer.AccessKeyID, signer.SecretAccessKey, signer.SessionToken)
	})
	r.sts = sts.NewFromConfig(cfg)
	return nil
}

func (r *rotation) run(ctx context.Context, mfaSerial string) error {
	a, old := r.a, r.old.AccessKeyID
	here := fmt.Sprintf("%s (in use, in %s)", old, r.where)

	list, err := iamCall(ctx, func(ctx context.Context) (*iam.ListAccessKeysOutput, error) {
		return r.iam.ListAccessKeys(ctx, &iam.ListAccessKeysInput{})
	})
	if err != nil {
		return r.stop("ListAccessKeys", err, "nothing changed: "+here+" works", r.deniedHint(err, mfaSerial))
	}
	var others []string
	for _, k := range list.AccessKeyMetadata {
		if id := aws.ToString(k.AccessKeyId); id != old {
			others = append(others, id)
		}
	}
	if len(others) > 0 {
		return &rotateError{profile: r.profile, step: "the start", err: fmt.Errorf("IAM already holds two keys for this user, its limit: %s and %s", here, strings.Join(others, ", ")),
			state: "nothing changed",
			fix:   fmt.Sprintf("delete the key not in use, once nothing else uses it (aws iam delete-access-key --access-key-id %s), then rotate again", others[0])}
	}

	created, err := iamCall(ctx, func(ctx context.Context) (*iam.CreateAccessKeyOutput, error) {
		return r.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{})
	})
	if err != nil || created.AccessKey == nil {
		if err == nil {
			err = errors.New("IAM answered without the new key")
		}
		return r.stop("CreateAccessKey", err, "IAM holds "+here+" and, if the call reached it, perhaps a new key: aws iam list-access-keys shows it", r.deniedHint(err, mfaSerial))
	}
	r.new = creds.Credentials{AccessKeyID: aws.ToString(created.AccessKey.AccessKeyId), SecretAccessKey: aws.ToString(created.AccessKey.SecretAccessKey)}
	newID := r.new.AccessKeyID
	a.note("created the key %s; waiting for STS to accept it", warm.MaskKeyID(newID))

	if err := r.waitForSTS(ctx); err != nil {
		return r.undo(ctx, "waiting for STS to accept the new key", err, here)
	}

	if err := r.store(ctx); err != nil && !r.stored() {
		return r.undo(ctx, "storing the new key", err, here)
	}

	_, err = iamCall(ctx, func(ctx context.Context) (*iam.DeleteAccessKeyOutput, error) {
		return r.iam.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: aws.String(old)})
	})
	if err != nil {
		return r.stop("DeleteAccessKey of the old key", err,
			fmt.Sprintf("IAM holds %s (new, in use, in %s) and %s (old, still active, no longer stored)", newID, r.where, old),
			fmt.Sprintf("delete the old key yourself: aws iam delete-access-key --access-key-id %s", old))
	}
	return nil
}

// iamCall runs one IAM call within iamTimeout.
func iamCall[T any](ctx context.Context, do func(context.Context) (T, error)) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, iamTimeout)
	defer cancel()
	return do(ctx)
}

// stop is a failure that leaves things as state says.
func (r *rotation) stop(step string, err error, state, fix string) error {
	if fix == "" {
		fix = "run awsrun --keys rotate -p " + r.profile + " again once IAM answers"
	}
	return &rotateError{profile: r.profile, step: step, err: err, state: state, fix: fix}
}

// undo deletes the new key after a failure before it was stored: the old
// key, still in place, stays the only one.
func (r *rotation) undo(ctx context.Context, step string, err error, here string) error {
	newID := r.new.AccessKeyID
	_, derr := iamCall(context.WithoutCancel(ctx), func(ctx context.Context) (*iam.DeleteAccessKeyOutput, error) {
		return r.iam.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: aws.String(newID)})
	})
	r.new = creds.Credentials{}
	if derr != nil {
		return r.stop(step, err, fmt.Sprintf("IAM holds %s and %s (new, not stored: deleting it failed: %s)", here, newID, describeAWSError(derr)),
			fmt.Sprintf("delete the new key, whose secret is lost: aws iam delete-access-key --access-key-id %s", newID))
	}
	return r.stop(step, err, "the new key "+newID+" is deleted again; IAM holds "+here, "")
}

// deniedHint explains an AccessDenied from IAM.
func (r *rotation) deniedHint(err error, mfaSerial string) string {
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" {
		return ""
	}
	if mfaSerial == "" {
		return "many accounts allow IAM self-service only with MFA: add mfa_serial = arn:aws:iam::ACCOUNT:mfa/NAME to [profile " + r.profile + "], then rotate again"
	}
	return "the user needs iam:ListAccessKeys, iam:CreateAccessKey and iam:DeleteAccessKey on itself (arn:aws:iam::ACCOUNT:user/${aws:username})"
}

// propagationWait is AWSRUN_KEYS_PROPAGATION_WAIT, default 2m.
func propagationWait(getenv func(string) string, profile string) (time.Duration, error) {
	v := getenv("AWSRUN_KEYS_PROPAGATION_WAIT")
	if v == "" {
		return defaultPropagationWait, nil
	}
	d, err := warm.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, &keysError{profile, fmt.Errorf("AWSRUN_KEYS_PROPAGATION_WAIT=%q is not a positive duration; nothing was asked of IAM", v),
			"set AWSRUN_KEYS_PROPAGATION_WAIT to a duration such as 90s or 3m (or seconds: 120), or unset it for the default 2m"}
	}
	return d, nil
}

// waitForSTS asks STS who the new key is until it answers, within r.wait,
// saying on stderr that it waits.
func (r *rotation) waitForSTS(ctx context.Context) error {
	limit := r.wait
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	start := time.Now()
	signer := credentials.NewStaticCredentialsProvider(r.new.AccessKeyID, r.new.SecretAccessKey, "")
	lastNote := start
	for delay := 500 * time.Millisecond; ; delay = min(delay*2, 5*time.Second) {
		_, err := r.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}, func(o *sts.Options) {
			o.Credentials = signer
			o.RetryMaxAttempts = 1
		})
		if err == nil {
			r.a.logf("STS accepted the new key after %s", time.Since(start).Round(time.Second))
			return nil
		}
		var ae smithy.APIError
		if errors.As(err, &ae) && ae.ErrorCode() != "InvalidClientTokenId" && ae.ErrorCode() != "SignatureDoesNotMatch" {
			return err // not the key being unknown yet
		}
		if time.Since(lastNote) >= 5*time.Second {
			r.a.note("still waiting for STS to accept the new key (%s)", time.Since(start).Round(time.Second))
			lastNote = time.Now()
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("STS did not accept the new key within %s (last answer: %s)", limit, describeAWSError(err))
		case <-t.C:
		}
	}
}

// store puts the new key where the old one was.
func (r *rotation) store(ctx context.Context) error {
	if r.inStore {
		s, err := r.a.keyStore()
		if err != nil {
			return err
		}
		return s.Put(keys.Entry{Profile: r.profile, AccessKeyID: r.new.AccessKeyID, SecretAccessKey: r.new.SecretAccessKey, Created: time.Now().UTC()})
	}
	path := r.a.credentialsFile()
	content, mode, id, err := fileKeyLines(ctx, r.a, path, r.profile)
	if err != nil {
		return err
	}
	if id != r.old.AccessKeyID {
		return fmt.Errorf("%s changed during the rotation", path)
	}
	out, err := keys.ReplaceKeys(content, r.profile, r.new.AccessKeyID, r.new.SecretAccessKey)
	if err != nil {
		return err
	}
	return keys.WriteFileAtomic(path, out, mode)
}

// stored reports whether the new key is where awsrun reads it, whatever
// store said: a keyring may fail after taking the entry.
func (r *rotation) stored() bool {
	if r.inStore {
		s, err := r.a.keyStore()
		if err != nil {
			return false
		}
		e, ok, err := s.Get(r.profile)
		return err == nil && ok && e.AccessKeyID == r.new.AccessKeyID
	}
	content, _, err := readCredentialsFile(r.a.credentialsFile())
	if err != nil {
		return false
	}
	id, _, err := keys.FileKeys(content, r.profile)
	return err == nil && id == r.new.AccessKeyID
}

// describeAWSError is an AWS error as code and message, without the SDK's
// layers of operation and request ids.
func describeAWSError(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		if m := ae.ErrorMessage(); m != "" {
			return ae.ErrorCode() + ": " + m
		}
		return ae.ErrorCode()
	}
	return err.Error()
}

// cacheIDs names the cache entries of the chain's plan: the ones made
// with the old key.
func cacheIDs(c *creds.Chain) []string {
	p, err := creds.NewPlan(c, 0)
	if err != nil {
		return nil
	}
	return p.IDs()
}
