package creds

import (
	"context"
	"errors"
	"runtime"
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

// TestPromptAsksAgainAfterATypoOrAUsedCode: at the terminal a typo (five
// digits, an empty Enter) or a code that was just used is asked again at
// once, saying why, up to three times in all; nothing waits for the next
// 30-second window.
func TestPromptAsksAgainAfterATypoOrAUsedCode(t *testing.T) {
	tests := []struct {
		name    string
		typed   []string
		want    string
		wantErr string
		said    int
	}{
		{name: "five digits, then the code", typed: []string{"12345", "123456"}, want: "123456", said: 1},
		{name: "empty Enter, then the code", typed: []string{"", "123456"}, want: "123456", said: 1},
		{name: "the code just used, then the next", typed: []string{"111111", "222222"}, want: "222222", said: 1},
		{name: "two typos, then the code", typed: []string{"1", "abcdef", "123456"}, want: "123456", said: 2},
		{name: "three typos end the run", typed: []string{"1", "2", "3", "123456"}, wantErr: "not 6 digits", said: 2},
		{name: "the used code three times", typed: []string{"111111", "111111", "111111"}, wantErr: "already used", said: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The deadline is shorter than a 30-second wait: a source that
			// waited for the next window would fail here.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			asked := 0
			var said []string
			m := MFASource{Profile: "role101", used: memoryCodes{serial: "111111"},
				Prompt: func(context.Context, string) (string, error) {
					asked++
					return tt.typed[asked-1], nil
				},
				Say: func(msg string) { said = append(said, msg) },
				log: func(string, ...any) {}, note: func(string, ...any) {}}
			got, err := m.Code(ctx, serial)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Code = %q, %v; want an error with %q", got, err, tt.wantErr)
				}
			} else if err != nil || got != tt.want {
				t.Fatalf("Code = %q, %v; want %q", got, err, tt.want)
			}
			if want := min(len(tt.typed), promptTries); asked != want || len(said) != tt.said {
				t.Errorf("asked %d times, said %q; want %d prompts and %d explanations", asked, said, want, tt.said)
			}
			for _, s := range said {
				if strings.Contains(s, "111111") || strings.Contains(s, "12345") {
					t.Errorf("said %q: a typed code is never repeated", s)
				}
			}
		})
	}
}

// An mfa_process that prints without end is stopped at a few KiB, with an
// error that says so, instead of filling memory.
func TestMFAProcessOutputIsBounded(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses yes(1)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := runMFAProcess(ctx, "yes 123456")
	if err == nil || !strings.Contains(err.Error(), "mfa_process printed more than 4096 bytes") {
		t.Fatalf("err = %v", err)
	}
}
