package ststest

import (
	"fmt"
	"regexp"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// MFADevice is a virtual MFA device generating TOTP codes.
type MFADevice struct {
	// Serial is the device's serial number, arn:PARTITION:iam::ACCOUNT:mfa/NAME.
	Serial string
	// Secret is the device's base32 TOTP secret.
	Secret string

	user *User
	// used holds the TOTP time steps whose code was accepted, so that a
	// code is never accepted twice.
	used map[int64]bool
}

// totpStep is the TOTP time step AWS uses.
const totpStep = 30 * time.Second

var totpOpts = totp.ValidateOpts{Period: uint(totpStep / time.Second), Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

var serialPattern = regexp.MustCompile(`^[\w+=/:,.@-]{9,256}$`)

// Code returns the device's 6-digit TOTP code at t.
func (d *MFADevice) Code(t time.Time) string {
	code, err := totp.GenerateCodeCustom(d.Secret, t, totpOpts)
	if err != nil {
		panic("ststest: " + err.Error()) // the secret is ours and always valid
	}
	return code
}

// AddMFADevice registers a virtual MFA device with a random TOTP secret for
// user u. A nil u makes a device no IAM user owns, which only role sessions
// can present. It panics if serial is malformed or taken.
func (s *Server) AddMFADevice(serial string, u *User) *MFADevice {
	if !serialPattern.MatchString(serial) {
		panic(fmt.Sprintf("ststest: AddMFADevice: malformed serial number %q", serial))
	}
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer:      "ststest",
		AccountName: serial,
		Period:      totpOpts.Period,
		Digits:      totpOpts.Digits,
		Algorithm:   totpOpts.Algorithm,
	})
	if err != nil {
		panic("ststest: AddMFADevice: " + err.Error())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.devices[serial]; dup {
		panic(fmt.Sprintf("ststest: AddMFADevice: device %s already exists", serial))
	}
	d := &MFADevice{Serial: serial, Secret: key.Secret(), user: u, used: map[int64]bool{}}
	s.devices[serial] = d
	return d
}

// AWS's messages for MFA failures.
const (
	msgInvalidCode   = "MultiFactorAuthentication failed with invalid MFA one time pass code."
	msgUnknownDevice = "MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is valid and associated with this user."
)

// checkMFALocked validates and consumes code for the device serial, presented
// by caller. A user's device must be presented by that user; role sessions
// may present any registered device, which AWS does not let them own.
func (s *Server) checkMFALocked(caller *principal, serial, code string) *apiError {
	d, ok := s.devices[serial]
	if !ok || serial == "" || (caller.user != nil && d.user != caller.user) {
		return accessDenied(msgUnknownDevice)
	}
	if code == "" {
		return accessDenied(msgInvalidCode)
	}
	now := s.nowLocked()
	current := now.Unix() / int64(totpOpts.Period)
	for step := range d.used {
		if step < current-1 {
			delete(d.used, step) // its code can no longer validate
		}
	}
	for _, skew := range []int64{0, -1, 1} {
		step := current + skew
		if d.used[step] {
			continue
		}
		at := now.Add(time.Duration(skew) * totpStep)
		if ok, _ := totp.ValidateCustom(code, d.Secret, at, totpOpts); ok {
			d.used[step] = true
			return nil
		}
	}
	return accessDenied(msgInvalidCode)
}
