package creds

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// memoryCodes is a record of used codes in memory only.
type memoryCodes map[string]string

func (m memoryCodes) lastCode(serial string) string    { return m[serial] }
func (m memoryCodes) rememberCode(serial, code string) { m[serial] = code }

// TestMFASourceTakesTheFirstSourceThatApplies: --mfa-code, then
// mfa_process, then the terminal; each code is remembered, and one already
// sent is never handed out again.
func TestMFASourceTakesTheFirstSourceThatApplies(t *testing.T) {
	prompt := func(context.Context, string) (string, error) { return "333333\n", nil }
	tests := []struct {
		name    string
		m       MFASource
		used    string
		want    string
		wantErr string
	}{
		{name: "flag beats everything", m: MFASource{Flag: " 111111 ", Process: "echo 222222", Prompt: prompt}, want: "111111"},
		{name: "mfa_process beats the terminal", m: MFASource{Process: "echo 222222", Prompt: prompt}, want: "222222"},
		{name: "the terminal last", m: MFASource{Prompt: prompt}, want: "333333"},
		{name: "a used flag code is refused at once", m: MFASource{Flag: "111111"}, used: "111111", wantErr: "already used"},
		{name: "not six digits", m: MFASource{Process: "echo 12345"}, wantErr: "the MFA code from mfa_process is not 6 digits"},
		{name: "no terminal", m: MFASource{Prompt: func(context.Context, string) (string, error) { return "", ErrNoTerminal }}, wantErr: "no terminal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			used := memoryCodes{}
			if tt.used != "" {
				used[serial] = tt.used
			}
			m := tt.m
			m.Profile, m.used = "role101", used
			m.log, m.note = func(string, ...any) {}, func(string, ...any) {}
			got, err := m.Code(ctx, serial)
			if tt.wantErr != "" {
				var me *MFAError
				if !errors.As(err, &me) || !strings.Contains(err.Error(), tt.wantErr) || me.Hint() == "" {
					t.Fatalf("Code = %q, %v; want an *MFAError with %q and a hint", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Code = %q, %v; want %q", got, err, tt.want)
			}
			if used[serial] != tt.want {
				t.Errorf("remembered %q, want %q", used[serial], tt.want)
			}
		})
	}
}
