package ingest

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Date-of-birth flags.
const (
	// FlagPartial marks a date of birth known to the month ("1994-06") or year ("1994").
	FlagPartial = "partial"
	// FlagMonthFirst marks a date written month first (06/15/1994): read so because the
	// day-first reading is impossible.
	FlagMonthFirst = "month_first"
)

// The plausible years of birth of an applicant. The upper bound is a fixed year, not "now
// minus 16", so that normalising is pure: the same input gives the same identifier on any
// day. Raise it when the youngest applicants are born after it.
const (
	dobMinYear = 1900
	dobMaxYear = 2015
)

// dobMonths maps English month names, by their first three letters, to numbers. An
// immutable table.
var dobMonths = map[string]int{
	"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
	"jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}

// DateOfBirth normalises a date of birth to ISO 8601: "1994-06-15", or "1994-06" and
// "1994" for partial dates (flagged partial). It reads YYYY-MM-DD (also with "/" or "."
// and an RFC 3339 time after it), DD/MM/YYYY (also with "." or "-"; month first when day
// first is impossible, flagged month_first), YYYYMMDD, YYYY-MM, MM/YYYY, YYYY, and English
// month names ("15 June 1994", "Jun 1994"). Full-width and other-script digits count.
//
// A date that cannot exist (30 February, month 13) or whose year is before 1900 or after
// 2015 keeps its ISO form, so that the same impossible date written two ways still
// matches, and is flagged invalid. Text that is no date at all is kept cleaned and
// lower-cased and flagged invalid.
func DateOfBirth(raw string) (Identifier, bool) {
	s := foldDigits(contactFold(raw))
	if s == "" {
		return Identifier{}, false
	}
	id := Identifier{Kind: KindDOB, Raw: raw, Value: s}
	y, m, d, flags, ok := parseDOB(s)
	if !ok {
		id.Flags = []string{FlagInvalid}
		return id, true
	}
	switch {
	case m == 0:
		id.Value = fmt.Sprintf("%04d", y)
		flags = append(flags, FlagPartial)
	case d == 0:
		id.Value = fmt.Sprintf("%04d-%02d", y, m)
		flags = append(flags, FlagPartial)
	default:
		id.Value = fmt.Sprintf("%04d-%02d-%02d", y, m, d)
	}
	id.Valid = y >= dobMinYear && y <= dobMaxYear && m <= 12 && (d == 0 || d <= daysIn(y, m))
	if !id.Valid {
		flags = append(flags, FlagInvalid)
	}
	id.Flags = flags
	return id, true
}

// parseDOB reads year, month and day from cleaned text; m or d is 0 when absent. The
// fields are range-checked only as far as they fit the ISO form (month and day at most two
// digits, not zero); DateOfBirth judges whether the date exists.
func parseDOB(s string) (y, m, d int, flags []string, ok bool) {
	// An RFC 3339 timestamp: the date part.
	if len(s) > 10 && (s[10] == 't' || s[10] == ' ') && s[4] == '-' && s[7] == '-' {
		s = s[:10]
	}
	fields := strings.FieldsFunc(s, func(r rune) bool {
		return r == '-' || r == '/' || r == '.' || r == ',' || r == ' '
	})
	if len(fields) == 0 || len(fields) > 3 {
		return 0, 0, 0, nil, false
	}
	// A month name may stand anywhere; the other fields are numbers.
	var nums []string
	month := 0
	for _, f := range fields {
		if contactAllDigits(f) {
			nums = append(nums, f)
			continue
		}
		mo, known := dobMonths[f[:min(3, len(f))]]
		if !known || month != 0 || !monthName(f) {
			return 0, 0, 0, nil, false
		}
		month = mo
	}
	num := func(f string) int { n, _ := strconv.Atoi(f); return n }
	small := func(f string) bool { return len(f) <= 2 && num(f) > 0 }
	year := func(f string) bool { return len(f) == 4 }
	switch {
	case month != 0 && len(nums) == 1 && year(nums[0]): // Jun 1994
		return num(nums[0]), month, 0, nil, true
	case month != 0 && len(nums) == 2 && year(nums[1]) && small(nums[0]): // 15 Jun 1994, Jun 15 1994
		return num(nums[1]), month, num(nums[0]), nil, true
	case month != 0 && len(nums) == 2 && year(nums[0]) && small(nums[1]): // 1994 Jun 15
		return num(nums[0]), month, num(nums[1]), nil, true
	case month != 0:
		return 0, 0, 0, nil, false
	case len(nums) == 1 && len(nums[0]) == 8: // YYYYMMDD
		f := nums[0]
		if num(f[4:6]) == 0 || num(f[6:]) == 0 {
			return 0, 0, 0, nil, false
		}
		return num(f[:4]), num(f[4:6]), num(f[6:]), nil, true
	case len(nums) == 1 && year(nums[0]):
		return num(nums[0]), 0, 0, nil, true
	case len(nums) == 2 && year(nums[0]) && small(nums[1]):
		return num(nums[0]), num(nums[1]), 0, nil, true
	case len(nums) == 2 && small(nums[0]) && year(nums[1]):
		return num(nums[1]), num(nums[0]), 0, nil, true
	case len(nums) == 3 && year(nums[0]) && small(nums[1]) && small(nums[2]):
		return num(nums[0]), num(nums[1]), num(nums[2]), nil, true
	case len(nums) == 3 && small(nums[0]) && small(nums[1]) && year(nums[2]):
		y, a, b := num(nums[2]), num(nums[0]), num(nums[1])
		if b > 12 && a <= 12 && b <= daysIn(y, a) {
			return y, a, b, []string{FlagMonthFirst}, true
		}
		return y, b, a, nil, true
	}
	return 0, 0, 0, nil, false
}

// monthName reports whether f is a whole English month name or its abbreviation ("jun",
// "june", "sept").
func monthName(f string) bool {
	for _, name := range []string{"january", "february", "march", "april", "may", "june", "july",
		"august", "september", "october", "november", "december", "sept"} {
		if len(f) >= 3 && strings.HasPrefix(name, f) {
			return true
		}
	}
	return false
}

// daysIn is the number of days in month m (1 to 12) of year y, 0 for another month.
func daysIn(y, m int) int {
	if m < 1 || m > 12 {
		return 0
	}
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func (x *extraction) dob() {
	x.add(DateOfBirth(x.rec.DateOfBirth))
}
