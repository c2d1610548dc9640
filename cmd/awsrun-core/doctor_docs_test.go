package main

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestREADMENamesEveryDoctorJSONKey: the README's --json row lists the
// keys of the doctor's report, every one, and no other.
func TestREADMENamesEveryDoctorJSONKey(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, row, ok := strings.Cut(string(b), "with `--doctor`: the report as one JSON document:")
	row, _, _ = strings.Cut(row, ";")
	if !ok {
		t.Fatal("README.md has no --json row for --doctor")
	}
	documented := map[string]bool{}
	for i, part := range strings.Split(row, "`") {
		if i%2 == 1 && !strings.ContainsAny(part, " -") {
			documented[part] = true
		}
	}
	keys := map[string]bool{}
	var walk func(reflect.Type)
	walk = func(ty reflect.Type) {
		for i := range ty.NumField() {
			f := ty.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			keys[name] = true
			switch ft := f.Type; {
			case ft.Kind() == reflect.Struct:
				walk(ft)
			case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
				walk(ft.Elem())
			}
		}
	}
	walk(reflect.TypeFor[checkup]())
	for k := range keys {
		if !documented[k] {
			t.Errorf("README.md's --doctor --json row does not name %q", k)
		}
	}
	for k := range documented {
		if !keys[k] {
			t.Errorf("README.md's --doctor --json row names %q, which the report does not have", k)
		}
	}
}
