package ingest

import (
	"strings"
	"testing"
)

func TestDateOfBirth(t *testing.T) {
	tests := []normCase{
		{"ISO", "1994-06-15", "1994-06-15", true, nil},
		{"ISO with slashes", "1994/6/5", "1994-06-05", true, nil},
		{"RFC 3339 timestamp", "1994-06-15T00:00:00Z", "1994-06-15", true, nil},
		{"day first with slashes", "15/06/1994", "1994-06-15", true, nil},
		{"day first with dots", "15.06.1994", "1994-06-15", true, nil},
		{"day first, single digits", "5-6-1994", "1994-06-05", true, nil},
		{"ambiguous reads day first", "05/06/1994", "1994-06-05", true, nil},
		{"month first when day first is impossible", "06/15/1994", "1994-06-15", true, []string{FlagMonthFirst}},
		{"compact", "19940615", "1994-06-15", true, nil},
		{"year and month", "1994-06", "1994-06", true, []string{FlagPartial}},
		{"month and year", "06/1994", "1994-06", true, []string{FlagPartial}},
		{"year only", "1994", "1994", true, []string{FlagPartial}},
		{"English month name", "15 June 1994", "1994-06-15", true, nil},
		{"month name first with comma", "Jun 15, 1994", "1994-06-15", true, nil},
		{"month name and year", "June 1994", "1994-06", true, []string{FlagPartial}},
		{"full-width digits", "１９９４－０６－１５", "1994-06-15", true, nil},
		{"Arabic-Indic digits", "\u0661\u0669\u0669\u0664-\u0660\u0666-\u0661\u0665", "1994-06-15", true, nil},
		{"zero-width characters", "1994\u200b-06-\u200d15", "1994-06-15", true, nil},
		{"leap day", "2000-02-29", "2000-02-29", true, nil},
		{"no leap day in 1900", "29/02/1900", "1900-02-29", false, []string{FlagInvalid}},
		{"30 February", "30/02/1994", "1994-02-30", false, []string{FlagInvalid}},
		{"30 February, ISO, same value", "1994-02-30", "1994-02-30", false, []string{FlagInvalid}},
		{"month 13", "1994-13-01", "1994-13-01", false, []string{FlagInvalid}},
		{"both fields over 12", "31/13/1994", "1994-13-31", false, []string{FlagInvalid}},
		{"month 13, partial", "1994-13", "1994-13", false, []string{FlagPartial, FlagInvalid}},
		{"before 1900", "1899-12-31", "1899-12-31", false, []string{FlagInvalid}},
		{"after 2015", "2016-01-01", "2016-01-01", false, []string{FlagInvalid}},
		{"last valid year", "2015-12-31", "2015-12-31", true, nil},
		{"year only, in the future", "2031", "2031", false, []string{FlagPartial, FlagInvalid}},
		{"two-digit year is unreadable", "15/06/94", "15/06/94", false, []string{FlagInvalid}},
		{"day zero is unreadable", "1994-06-00", "1994-06-00", false, []string{FlagInvalid}},
		{"words", "Unknown", "unknown", false, []string{FlagInvalid}},
		{"unknown month name", "15 Juni 1994", "15 juni 1994", false, []string{FlagInvalid}},
		{"very long", strings.Repeat("1994", 3000), strings.Repeat("1994", 3000), false, []string{FlagInvalid}},
	}
	runNormCases(t, DateOfBirth, KindDOB, tests)
	if id, ok := DateOfBirth("  "); ok {
		t.Errorf("DateOfBirth(blank) = %+v, want nothing", id)
	}
}

func FuzzDateOfBirth(f *testing.F) {
	for _, s := range []string{
		"1994-06-15", "15/06/1994", "06/15/1994", "19940615", "1994-06", "1994", "Jun 1994", "30/02/1994",
		"１９９４", "1994-06-15T", "1994-06-15t12", "0000", "99/99/9999", "may may 1994", "15 sept 1994",
		"00000000", "1994-6", "6-1994-1", "a", "1994 1994",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		id, ok := DateOfBirth(raw)
		if !ok {
			return
		}
		again, ok := DateOfBirth(id.Value)
		if !ok || again.Value != id.Value || again.Valid != id.Valid {
			t.Fatalf("not idempotent: %q -> %+v -> %+v", raw, id, again)
		}
	})
}
