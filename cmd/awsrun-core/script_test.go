package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/awsrun/awsrun/internal/testworld"
)

// TestScripts runs the command-line tier: each testdata/script/*.txtar
// runs the built awsrun and awsrun-core (PATH) in a world of its own
// (testworld: the seeds in a fake STS, ~/.aws in $HOME = $WORK/home, the
// environment awsrun gets). Usage errors, exit statuses, help, version and
// modes belong there; what needs a terminal, races or kills stays in Go.
//
// Commands besides testscript's own:
//
//	mfa-code NAME   set $NAME to the MFA device's code in a fresh 30-second window
//	sts-calls N     the fake STS saw N credential calls (GetCallerIdentity aside)
func TestScripts(t *testing.T) {
	t.Parallel()
	dir, err := testworld.Programs()
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			w, err := testworld.NewIn(filepath.Join(env.WorkDir, "home"), testworld.Options{
				Path: dir + string(os.PathListSeparator) + os.Getenv("PATH"),
			})
			if err != nil {
				return err
			}
			env.Defer(w.Srv.Close)
			env.Values[worldKey{}] = w
			for _, kv := range w.Env {
				k, v, _ := strings.Cut(kv, "=")
				env.Setenv(k, v)
			}
			env.Setenv("STS", w.Srv.URL)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"mfa-code": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 1 {
					ts.Fatalf("usage: mfa-code NAME")
				}
				ts.Setenv(args[0], scriptWorld(ts).FreshCode())
			},
			"sts-calls": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 1 {
					ts.Fatalf("usage: sts-calls N")
				}
				var got []string
				for _, c := range scriptWorld(ts).Srv.Calls() {
					if c.Action != "GetCallerIdentity" {
						got = append(got, c.Action)
					}
				}
				if want := args[0]; want != strconv.Itoa(len(got)) {
					ts.Fatalf("%d STS credential calls (%s), want %s", len(got), strings.Join(got, " "), want)
				}
			},
		},
	})
}

type worldKey struct{}

func scriptWorld(ts *testscript.TestScript) *testworld.World {
	return ts.Value(worldKey{}).(*testworld.World)
}
