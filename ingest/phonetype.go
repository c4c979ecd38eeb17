package ingest

import (
	"regexp"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// phoneNumberType is phonenumbers.GetNumberType with the patterns compiled once.
//
// The library's version rebuilds each pattern string ("^(?:" + pattern + ")$"), looks it
// up in a cache keyed by that string, and matches every number-type pattern twice (once
// in its possible-number check, once more after it); for +1 and +44 numbers it does the
// whole type test twice again, first to find the region. It was half the cost of a
// phone. This is the same decision procedure (getNumberTypeHelper and
// getRegionCodeForNumberFromRegionList of phonenumbers v1.8.1) over the same metadata,
// with each pattern compiled once per region on first use; TestPhoneNumberTypeMatchesLibrary
// and FuzzPhoneNumberType compare the two.
func phoneNumberType(num *phonenumbers.PhoneNumber) phonenumbers.PhoneNumberType {
	cc := int(num.GetCountryCode())
	regions := phonenumbers.GetRegionCodesForCountryCode(cc)
	if len(regions) == 0 {
		return phonenumbers.UNKNOWN
	}
	t := phoneTypeTables()
	nsn := phonenumbers.GetNationalSignificantNumber(num)
	var m *phoneTypeTable
	if len(regions) == 1 {
		var ok bool
		if m, ok = t.lookup(cc, regions[0]); !ok {
			return phonenumbers.GetNumberType(num)
		}
	} else {
		// As getRegionCodeForNumberFromRegionList: the first region whose leading digits
		// match, or, for a region without leading digits, whose patterns know the number.
		for _, r := range regions {
			rm, ok := t.lookup(cc, r)
			if !ok {
				return phonenumbers.GetNumberType(num)
			}
			if rm == nil {
				continue // no metadata: the library's type test fails for it too
			}
			if rm.leadingDigits != nil {
				if rm.leadingDigits.MatchString(nsn) {
					m = rm
					break
				}
			} else if typ := rm.numberType(nsn); typ != phonenumbers.UNKNOWN {
				return typ // the type test the library would repeat for this region
			}
		}
	}
	if m == nil {
		return phonenumbers.UNKNOWN
	}
	return m.numberType(nsn)
}

// phoneDesc is one PhoneNumberDesc: its possible lengths and its anchored pattern.
type phoneDesc struct {
	lengths []int32
	pattern *regexp.Regexp
}

// matches is the library's isNumberMatchingDesc: a possible length, then the pattern.
func (d *phoneDesc) matches(nsn string) bool {
	if len(d.lengths) > 0 {
		found := false
		for _, l := range d.lengths {
			if int32(len(nsn)) == l {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return d.pattern.MatchString(nsn)
}

// phoneTypeTable is one region's (or non-geographic entity's) compiled metadata.
type phoneTypeTable struct {
	once          sync.Once
	meta          *phonenumbers.PhoneMetadata
	leadingDigits *regexp.Regexp // nil when the region has none
	general, premium, tollFree, sharedCost, voip, personal, pager, uan, voicemail,
	fixedLine, mobile phoneDesc
	sameMobileAndFixed bool
	broken             bool // a pattern failed to compile: leave the number to the library
}

func (m *phoneTypeTable) compile() {
	desc := func(d *phonenumbers.PhoneNumberDesc) phoneDesc {
		re, err := regexp.Compile("^(?:" + d.GetNationalNumberPattern() + ")$")
		if err != nil {
			m.broken = true
			return phoneDesc{}
		}
		return phoneDesc{lengths: d.GetPossibleLength(), pattern: re}
	}
	md := m.meta
	if ld := md.GetLeadingDigits(); ld != "" {
		re, err := regexp.Compile("^(?:" + ld + ")")
		if err != nil {
			m.broken = true
		}
		m.leadingDigits = re
	}
	m.general, m.premium, m.tollFree = desc(md.GetGeneralDesc()), desc(md.GetPremiumRate()), desc(md.GetTollFree())
	m.sharedCost, m.voip, m.personal = desc(md.GetSharedCost()), desc(md.GetVoip()), desc(md.GetPersonalNumber())
	m.pager, m.uan, m.voicemail = desc(md.GetPager()), desc(md.GetUan()), desc(md.GetVoicemail())
	m.fixedLine, m.mobile = desc(md.GetFixedLine()), desc(md.GetMobile())
	m.sameMobileAndFixed = md.GetSameMobileAndFixedLinePattern()
}

// numberType is the library's getNumberTypeHelper.
func (m *phoneTypeTable) numberType(nsn string) phonenumbers.PhoneNumberType {
	switch {
	case !m.general.matches(nsn):
		return phonenumbers.UNKNOWN
	case m.premium.matches(nsn):
		return phonenumbers.PREMIUM_RATE
	case m.tollFree.matches(nsn):
		return phonenumbers.TOLL_FREE
	case m.sharedCost.matches(nsn):
		return phonenumbers.SHARED_COST
	case m.voip.matches(nsn):
		return phonenumbers.VOIP
	case m.personal.matches(nsn):
		return phonenumbers.PERSONAL_NUMBER
	case m.pager.matches(nsn):
		return phonenumbers.PAGER
	case m.uan.matches(nsn):
		return phonenumbers.UAN
	case m.voicemail.matches(nsn):
		return phonenumbers.VOICEMAIL
	case m.fixedLine.matches(nsn):
		if m.sameMobileAndFixed || m.mobile.matches(nsn) {
			return phonenumbers.FIXED_LINE_OR_MOBILE
		}
		return phonenumbers.FIXED_LINE
	case !m.sameMobileAndFixed && m.mobile.matches(nsn):
		return phonenumbers.MOBILE
	}
	return phonenumbers.UNKNOWN
}

// phoneTypeIndex holds every region's table, by region code and, for the non-geographic
// entity "001", by calling code. The maps never change after construction; each table
// compiles its patterns once, on first use.
type phoneTypeIndex struct {
	regions map[string]*phoneTypeTable
	nonGeo  map[int]*phoneTypeTable
}

// lookup is the library's getMetadataForRegionOrCallingCode, compiled: nil when there is
// no metadata; ok false when one of its patterns did not compile (the caller then asks
// the library, which compiles them its own way).
func (t *phoneTypeIndex) lookup(cc int, region string) (m *phoneTypeTable, ok bool) {
	m = t.regions[region]
	if region == "001" {
		m = t.nonGeo[cc]
	}
	if m == nil {
		return nil, true
	}
	m.once.Do(m.compile)
	return m, !m.broken
}

var phoneTypeTables = sync.OnceValue(func() *phoneTypeIndex {
	t := &phoneTypeIndex{regions: map[string]*phoneTypeTable{}, nonGeo: map[int]*phoneTypeTable{}}
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return t
	}
	for _, md := range coll.GetMetadata() {
		if md.GetId() == "001" {
			t.nonGeo[int(md.GetCountryCode())] = &phoneTypeTable{meta: md}
		} else {
			t.regions[md.GetId()] = &phoneTypeTable{meta: md}
		}
	}
	return t
})
