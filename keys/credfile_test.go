package keys

import (
	"strings"
	"testing"
)

const comment = "keys of user101 moved to awsrun's key store"

func TestExtractKeysKeepsEveryOtherByte(t *testing.T) {
	for _, tt := range []struct {
		name, in, want string
	}{
		{
			name: "plain",
			in:   "[user101]\naws_access_key_id = " + testID + "\naws_secret_access_key = " + testSecret + "\n",
			want: "[user101]\n# " + comment + "\n",
		},
		{
			name: "CRLF, comments, odd spacing and other profiles",
			in: "; top comment\r\n[other]\r\naws_access_key_id=AKIAOTHER0000000000\r\naws_secret_access_key=other\r\naws_session_token = tok/en==\r\n\r\n" +
				"[ user101 ]   # mine\r\n  region=eu-west-1\r\nAWS_Secret_Access_Key\t=\t" + testSecret + "   ; inline\r\n# between\r\naws_access_key_id= " + testID + "\r\nmfa_serial = arn:aws:iam::1:mfa/u\r\n[last]\r\nx = y",
			want: "; top comment\r\n[other]\r\naws_access_key_id=AKIAOTHER0000000000\r\naws_secret_access_key=other\r\naws_session_token = tok/en==\r\n\r\n" +
				"[ user101 ]   # mine\r\n  region=eu-west-1\r\n# " + comment + "\r\n# between\r\nmfa_serial = arn:aws:iam::1:mfa/u\r\n[last]\r\nx = y",
		},
		{
			name: "no final newline",
			in:   "[user101]\naws_secret_access_key = " + testSecret + "\naws_access_key_id = " + testID,
			want: "[user101]\n# " + comment + "\n",
		},
		{
			name: "a [profile user101] section in the credentials file is not the profile",
			in:   "[profile user101]\naws_access_key_id = AKIANOTTHISONE00000\naws_secret_access_key = no\n[user101]\naws_access_key_id = " + testID + "\naws_secret_access_key = " + testSecret + "\n",
			want: "[profile user101]\naws_access_key_id = AKIANOTTHISONE00000\naws_secret_access_key = no\n[user101]\n# " + comment + "\n",
		},
		{
			name: "sub-keys of another key stay",
			in:   "[user101]\ns3 =\n  aws_access_key_id = nested\naws_access_key_id = " + testID + "\naws_secret_access_key = " + testSecret + "\n",
			want: "[user101]\ns3 =\n  aws_access_key_id = nested\n# " + comment + "\n",
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, id, secret, err := ExtractKeys([]byte(tt.in), "user101", comment)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("rewritten =\n%q\nwant\n%q", got, tt.want)
			}
			if id != testID || secret != testSecret {
				t.Errorf("keys = %q %q", id, secret)
			}
			if strings.Contains(string(got), testSecret) {
				t.Error("the secret is still in the file")
			}
		})
	}
}

func TestExtractKeysRefusesWhatIsAmbiguous(t *testing.T) {
	keys := "aws_access_key_id = " + testID + "\naws_secret_access_key = " + testSecret + "\n"
	for _, tt := range []struct{ name, in, want string }{
		{"twice the section", "[user101]\n" + keys + "[user101]\nregion = x\n", "appears twice"},
		{"twice a key", "[user101]\n" + keys + "aws_access_key_id = AKIAOTHER000000000\n", "appears twice"},
		{"one key", "[user101]\naws_access_key_id = " + testID + "\n", "only one"},
		{"no keys", "[user101]\nregion = x\n", "no aws_access_key_id"},
		{"no section", "[other]\n" + keys, "no aws_access_key_id"},
		{"continuation", "[user101]\n" + keys + "  more\n", "indented line"},
		{"quoted", "[user101]\naws_access_key_id = \"" + testID + "\"\naws_secret_access_key = x\n", "quoted"},
		{"broken header", "[user101\n" + keys, "without ]"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, _, err := ExtractKeys([]byte(tt.in), "user101", comment)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), testSecret) {
				t.Error("the error shows the secret")
			}
		})
	}
}

func TestReplaceKeysKeepsSpacingAndComments(t *testing.T) {
	in := "[a]\r\nx=1\r\n[user101]\r\naws_access_key_id\t=  " + testID + "  # old\r\naws_secret_access_key=" + testSecret + "\r\n[b]\r\n"
	got, err := ReplaceKeys([]byte(in), "user101", "AKIANEWNEWNEWNEWNEW0", "new/secret+")
	if err != nil {
		t.Fatal(err)
	}
	want := "[a]\r\nx=1\r\n[user101]\r\naws_access_key_id\t=  AKIANEWNEWNEWNEWNEW0  # old\r\naws_secret_access_key=new/secret+\r\n[b]\r\n"
	if string(got) != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func FuzzExtractKeys(f *testing.F) {
	f.Add([]byte("[user101]\naws_access_key_id = A\naws_secret_access_key = B\n"))
	f.Add([]byte("[user101]\r\n  aws_access_key_id=A ;c\r\naws_secret_access_key=B"))
	f.Fuzz(func(t *testing.T, in []byte) {
		out, _, _, err := ExtractKeys(in, "user101", comment)
		if err != nil {
			return
		}
		// Exactly one line fewer, and every kept line unchanged.
		if got, want := len(splitLines(out)), len(splitLines(in))-1; got != want {
			t.Fatalf("%d lines, want %d", got, want)
		}
		if _, _, err := FileKeys(out, "user101"); err == nil {
			t.Fatal("the rewritten file still has keys")
		}
	})
}
