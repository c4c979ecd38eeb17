package ingest

import (
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// normCase is one table case for a one-argument normaliser.
type normCase struct {
	name      string
	raw       string
	want      string
	wantValid bool
	wantFlags []string
}

// runNormCases checks a normaliser against its table: kind, value, validity, raw kept,
// flags, each case a subtest.
func runNormCases(t *testing.T, norm func(string) (Identifier, bool), kind Kind, cases []normCase) {
	t.Helper()
	name := runtime.FuncForPC(reflect.ValueOf(norm).Pointer()).Name()
	name = name[strings.LastIndex(name, ".")+1:]
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := norm(tt.raw)
			if !ok {
				t.Fatalf("%s(%q) yielded nothing", name, tt.raw)
			}
			if got.Kind != kind || got.Value != tt.want || got.Valid != tt.wantValid || got.Raw != tt.raw {
				t.Errorf("%s(%q) = %+v, want value %q valid %v", name, tt.raw, got, tt.want, tt.wantValid)
			}
			if !sameFlags(got.Flags, tt.wantFlags) {
				t.Errorf("%s(%q) flags = %v, want %v", name, tt.raw, got.Flags, tt.wantFlags)
			}
		})
	}
}
