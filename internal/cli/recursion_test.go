package cli

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// TestRecursionIsRefusedBeforeResolving guards against awsrun started by
// itself while resolving: a profile already being resolved, or nesting
// past the bound, is refused by the preparation both programs share, and
// the marker never reaches the command's environment.
func TestRecursionIsRefusedBeforeResolving(t *testing.T) {
	env := testEnviron(t)
	with := func(marker string) []string { return append(slices.Clone(env), ResolvingVar+"="+marker) }

	inv, err := Prepare([]string{"-p", "b", "--export", "json"}, with("a"))
	if err != nil {
		t.Fatalf("another profile under the marker: %v", err)
	}
	if inv.Resolving != "a"+resolvingSep+"b" {
		t.Errorf("Resolving = %q", inv.Resolving)
	}
	if slices.ContainsFunc(inv.Environ, func(kv string) bool { return strings.HasPrefix(kv, ResolvingVar+"=") }) ||
		!slices.Contains(inv.Unset, ResolvingVar) {
		t.Errorf("the marker is kept for the command: Environ %q, Unset %q", inv.Environ, inv.Unset)
	}

	var re *RecursionError
	_, err = Prepare([]string{"-p", "a", "--export", "json"}, with("a"+resolvingSep+"b"))
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "(a → b → a)") || Hint(err) == "" {
		t.Errorf("a loop through b: err = %v", err)
	}
	deep := strings.Repeat("x"+resolvingSep, maxResolving-1) + "y"
	for i := range maxResolving {
		deep = strings.Replace(deep, "x", string(rune('c'+i)), 1)
	}
	if _, err = Prepare([]string{"-p", "p", "--", "true"}, with(deep)); !errors.As(err, &re) {
		t.Errorf("nesting %d deep: err = %v", maxResolving+1, err)
	}
	// --list and --clear resolve nothing.
	if _, err := Prepare([]string{"--list"}, with("default")); err != nil {
		t.Errorf("--list under the marker: %v", err)
	}
}

// TestHandOverToItselfIsRefused guards the launcher against exec'ing
// itself forever as awsrun-core.
func TestHandOverToItselfIsRefused(t *testing.T) {
	if err := HandedOver(testEnviron(t)); err != nil {
		t.Fatal(err)
	}
	err := HandedOver(append(testEnviron(t), launcherBuildVar+"=1.0.0 abc"))
	var se *SelfHandOverError
	if !errors.As(err, &se) || !strings.Contains(Hint(err), "replace ") {
		t.Errorf("err = %v", err)
	}
}
