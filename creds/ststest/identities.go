package ststest

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"strconv"
	"time"
)

// User is an IAM user with a long-term access key.
type User struct {
	// ARN is arn:PARTITION:iam::ACCOUNT:user/NAME.
	ARN string
	// AccessKeyID is the user's first long-term key id (AKIA…).
	AccessKeyID string
	// SecretAccessKey is the secret of AccessKeyID.
	SecretAccessKey string

	id        string // AIDA…, the unique id GetCallerIdentity reports
	principal *principal
}

// Role is an IAM role that callers may assume.
type Role struct {
	// ARN is arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME.
	ARN string
	// Policy is the role's trust policy; change it with SetRolePolicy.
	Policy RolePolicy

	id        string // AROA…
	name      string
	partition string
	account   string
}

// RolePolicy is a role's trust policy and session limit.
type RolePolicy struct {
	// Principals may assume the role: a user ARN, a role ARN (any session of
	// that role), an assumed-role session ARN, "arn:PARTITION:iam::ACCOUNT:root"
	// or a bare account id (any principal of that account), or "*". Empty
	// means any principal of the role's own account.
	Principals []string
	// RequireMFA is the condition aws:MultiFactorAuthPresent = true.
	RequireMFA bool
	// MaxMFAAge, when not zero, denies callers whose MFA was given longer ago
	// (aws:MultiFactorAuthAge); it implies RequireMFA.
	MaxMFAAge time.Duration
	// ExternalID, when set, must equal the caller's sts:ExternalId.
	ExternalID string
	// MaxSessionDuration caps DurationSeconds: 1h (the default) to 12h.
	MaxSessionDuration time.Duration
	// WebIdentityTokens are accepted by AssumeRoleWithWebIdentity for this role.
	WebIdentityTokens []string
	// AllowTagSession is sts:TagSession in the trust policy: needed to pass
	// session tags, or to assume the role with inherited transitive ones.
	AllowTagSession bool
	// AllowSetSourceIdentity is sts:SetSourceIdentity in the trust policy:
	// needed to set a source identity, or to carry one along a chain.
	AllowSetSourceIdentity bool
}

// principal is who a credential speaks for, as trust policies and
// GetCallerIdentity see it.
type principal struct {
	arn       string
	userID    string
	account   string
	partition string
	user      *User // the IAM user, for its keys and its GetSessionToken sessions
	role      *Role // the role, for role sessions
}

// credential is an access key the server accepts: a user's long-term key or
// temporary credentials it issued.
type credential struct {
	accessKeyID  string
	secret       string
	sessionToken string    // "" for long-term keys
	expires      time.Time // zero for long-term keys
	principal    *principal
	mfa          bool      // MFA was present when the session was made
	mfaAuthTime  time.Time // when that MFA code was given
	attrs        sessionAttrs
	// issuedBy is the call that made temporary credentials (GetSessionToken,
	// AssumeRole, GetFederationToken, …), which the federation endpoint
	// judges them by; "" for long-term keys.
	issuedBy string
	// chained: made by AssumeRole called with temporary credentials.
	chained bool
}

func (c *credential) temporary() bool { return c.sessionToken != "" }

// AddUser registers an IAM user, arn:PARTITION:iam::ACCOUNT:user/NAME, with
// a new long-term access key. It panics if arn is malformed or taken.
func (s *Server) AddUser(arn string) *User {
	a, _, ok := parseIAMARN(arn, "user")
	if !ok {
		panic(fmt.Sprintf("ststest: AddUser: malformed user ARN %q", arn))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.users[arn]; dup {
		panic(fmt.Sprintf("ststest: AddUser: user %s already exists", arn))
	}
	u := &User{ARN: arn, id: "AIDA" + randomID(17)}
	u.principal = &principal{arn: arn, userID: u.id, account: a.Account, partition: a.Partition, user: u}
	c := s.newLongTermKeyLocked(u)
	u.AccessKeyID, u.SecretAccessKey = c.accessKeyID, c.secret
	s.users[arn] = u
	return u
}

// NewAccessKey gives u another long-term access key, as a key rotation does.
func (s *Server) NewAccessKey(u *User) (accessKeyID, secretAccessKey string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.newLongTermKeyLocked(u)
	return c.accessKeyID, c.secret
}

// DeleteAccessKey deletes a long-term access key; temporary credentials
// already issued from it stay valid, as on AWS.
func (s *Server) DeleteAccessKey(accessKeyID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.keys[accessKeyID]; ok && !c.temporary() {
		delete(s.keys, accessKeyID)
	}
}

func (s *Server) newLongTermKeyLocked(u *User) *credential {
	c := &credential{accessKeyID: "AKIA" + accountKeyID(u.principal.account), secret: randomSecret(), principal: u.principal}
	s.keys[c.accessKeyID] = c
	return c
}

// AddRole registers an IAM role, arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME,
// with trust policy p. It panics if arn is malformed or taken, or if
// p.MaxSessionDuration is outside 1h–12h.
func (s *Server) AddRole(arn string, p RolePolicy) *Role {
	a, name, ok := parseIAMARN(arn, "role")
	if !ok {
		panic(fmt.Sprintf("ststest: AddRole: malformed role ARN %q", arn))
	}
	p = normalizePolicy(p)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.roles[arn]; dup {
		panic(fmt.Sprintf("ststest: AddRole: role %s already exists", arn))
	}
	r := &Role{ARN: arn, Policy: p, id: "AROA" + randomID(17), name: name, partition: a.Partition, account: a.Account}
	s.roles[arn] = r
	return r
}

// SetRolePolicy replaces the trust policy of the role arn, as an IAM
// UpdateAssumeRolePolicy would. It panics if the role does not exist.
func (s *Server) SetRolePolicy(arn string, p RolePolicy) {
	p = normalizePolicy(p)
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.roles[arn]
	if !ok {
		panic(fmt.Sprintf("ststest: SetRolePolicy: no role %s", arn))
	}
	r.Policy = p
}

func normalizePolicy(p RolePolicy) RolePolicy {
	if p.MaxSessionDuration == 0 {
		p.MaxSessionDuration = time.Hour
	}
	if p.MaxSessionDuration < time.Hour || p.MaxSessionDuration > 12*time.Hour {
		panic(fmt.Sprintf("ststest: MaxSessionDuration %v is outside 1h-12h", p.MaxSessionDuration))
	}
	p.Principals = append([]string(nil), p.Principals...)
	p.WebIdentityTokens = append([]string(nil), p.WebIdentityTokens...)
	return p
}

// trusts reports whether the role's trust policy names caller as a principal.
func (r *Role) trusts(caller *principal) bool {
	if caller.partition != r.partition {
		return false
	}
	if len(r.Policy.Principals) == 0 {
		return caller.account == r.account
	}
	root := "arn:" + caller.partition + ":iam::" + caller.account + ":root"
	for _, p := range r.Policy.Principals {
		switch {
		case p == "*", p == caller.account, p == root, p == caller.arn:
			return true
		case caller.user != nil && p == caller.user.ARN:
			return true
		case caller.role != nil && p == caller.role.ARN:
			return true
		}
	}
	return false
}

// acceptsWebIdentityToken reports whether token is registered on the role.
func (r *Role) acceptsWebIdentityToken(token string) bool {
	for _, t := range r.Policy.WebIdentityTokens {
		if t == token {
			return true
		}
	}
	return false
}

// issueLocked makes temporary credentials for p, valid for d from now
// unless SetCredentialLifetime or, for a role session,
// SetRoleCredentialLifetime overrides d.
func (s *Server) issueLocked(p *principal, d time.Duration, mfa bool, mfaAuthTime time.Time) *credential {
	if s.lifetime > 0 {
		d = s.lifetime
	}
	if p.role != nil && s.roleLife > 0 {
		d = s.roleLife
	}
	c := &credential{
		accessKeyID:  "ASIA" + randomID(16),
		secret:       randomSecret(),
		sessionToken: base64.StdEncoding.EncodeToString(randomBytes(600)),
		expires:      s.nowLocked().Add(d).UTC().Truncate(time.Second),
		principal:    p,
		mfa:          mfa,
		mfaAuthTime:  mfaAuthTime,
	}
	s.keys[c.accessKeyID] = c
	return c
}

// roleSession is the principal of a session of role r named name.
func roleSession(r *Role, name string) *principal {
	return &principal{
		arn:       "arn:" + r.partition + ":sts::" + r.account + ":assumed-role/" + r.name + "/" + name,
		userID:    r.id + ":" + name,
		account:   r.account,
		partition: r.partition,
		role:      r,
	}
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand panics instead)
	return b
}

// randomID returns n random upper-case letters and digits, the alphabet of
// AWS key and entity ids.
// accountKeyID is the 16 characters after AKIA of a key id of account, as
// AWS makes them: base32 of 10 bytes whose first 48 bits hold the account
// number shifted left by 7, so tools can tell a key's account without a
// call (sts:GetAccessKeyInfo answers the same).
func accountKeyID(account string) string {
	n, err := strconv.ParseUint(account, 10, 64)
	if err != nil {
		return randomID(16)
	}
	b := randomBytes(10)
	z := n<<7 | uint64(b[5]&0x7f)
	for i := 0; i < 6; i++ {
		b[i] = byte(z >> (8 * (5 - i)))
	}
	return base32.StdEncoding.EncodeToString(b)
}

func randomID(n int) string {
	return randomString(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
}

// randomSecret returns a 40-character secret access key in AWS's alphabet,
// '+' and '/' included so that callers must escape it properly.
func randomSecret() string {
	return randomString(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
}

func randomString(n int, alphabet string) string {
	b := randomBytes(n)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
