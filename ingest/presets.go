package ingest

import "slices"

// presetJSON holds the built-in mappings for the public benchmark layouts described in
// datasets/README.md, as JSON, so that they go through exactly the validation a user's
// mapping file does. Read-only.
//
// Choices common to all of them:
//   - observed_at is a fixed date: the files carry no observation time, and a constant
//     keeps content hashes stable across re-ingests.
//   - Truth columns (splink cluster/group, rldata ent_id) are listed as truth, so they
//     never reach a record. FEBRL and dsgen carry truth inside rec_id, which the engine
//     may see: it is the record's id, and nothing in linkage reads ids.
//   - Countries are set only where the data is known to be from one country (FEBRL is
//     Australian); the Splink and RLdata files do not say, so no country is invented.
var presetJSON = map[string]string{
	// FEBRL 1, 2, 4a, 4b: a space after every comma (cells are trimmed anyway), CRLF and
	// no final newline in 4a (handled by the reader), dates of birth as YYYYMMDD.
	// soc_sec_id is an Australian social-security id: document kind ssn.
	"febrl": `{
		"name": "febrl",
		"columns": {
			"rec_id": "record_id",
			"given_name": "name.given",
			"surname": "name.family",
			"address_2": "addresses[0].line2",
			"suburb": "addresses[0].city",
			"postcode": "addresses[0].postcode",
			"state": "addresses[0].region",
			"date_of_birth": "date_of_birth",
			"soc_sec_id": "documents[0].number"
		},
		"templates": {"addresses[0].line1": "{street_number} {address_1}"},
		"constants": {
			"source": "febrl",
			"observed_at": "2020-01-01T00:00:00Z",
			"addresses[0].kind": "home",
			"addresses[0].country": "AU",
			"documents[0].kind": "ssn",
			"documents[0].country": "AU"
		},
		"date_formats": {"date_of_birth": "YYYYMMDD"}
	}`,
	// FEBRL 0.4.2 dsgen output (dedup A/C, link D/F): no spaces, plus phone_number
	// (Australian national format), age and blocking_number. age stays in Extra (it
	// duplicates the date of birth, often inconsistently); blocking_number is an artefact
	// of the generator and is dropped.
	"febrl_dsgen": `{
		"name": "febrl_dsgen",
		"columns": {
			"rec_id": "record_id",
			"given_name": "name.given",
			"surname": "name.family",
			"address_2": "addresses[0].line2",
			"suburb": "addresses[0].city",
			"postcode": "addresses[0].postcode",
			"state": "addresses[0].region",
			"date_of_birth": "date_of_birth",
			"phone_number": "phones[0]",
			"soc_sec_id": "documents[0].number"
		},
		"templates": {"addresses[0].line1": "{street_number} {address_1}"},
		"constants": {
			"source": "febrl_dsgen",
			"observed_at": "2020-01-01T00:00:00Z",
			"addresses[0].kind": "home",
			"addresses[0].country": "AU",
			"documents[0].kind": "ssn",
			"documents[0].country": "AU"
		},
		"date_formats": {"date_of_birth": "YYYYMMDD"},
		"ignore": ["blocking_number"]
	}`,
	// Splink fake_1000 / fake_20000: truth in cluster (fake_1000) or group (fake_20000).
	"splink": `{
		"name": "splink",
		"columns": {
			"unique_id": "record_id",
			"first_name": "name.given",
			"surname": "name.family",
			"dob": "date_of_birth",
			"city": "addresses[0].city",
			"email": "emails[0]"
		},
		"constants": {"source": "splink", "observed_at": "2020-01-01T00:00:00Z"},
		"truth": ["cluster", "group"]
	}`,
	// RLdata500 / RLdata10000: first and second given names and family names in two
	// columns each, birth date in three.
	"rldata": `{
		"name": "rldata",
		"columns": {"rec_id": "record_id"},
		"templates": {
			"name.given": "{fname_c1} {fname_c2}",
			"name.family": "{lname_c1} {lname_c2}",
			"date_of_birth": "{by}-{bm}-{bd}"
		},
		"constants": {"source": "rldata", "observed_at": "2020-01-01T00:00:00Z"},
		"date_formats": {"date_of_birth": "YYYY-M-D"},
		"truth": ["ent_id"]
	}`,
}

// Preset returns a fresh copy of the built-in mapping called name ("febrl",
// "febrl_dsgen", "splink", "rldata"); callers may change it freely.
func Preset(name string) (*Mapping, bool) {
	js, ok := presetJSON[name]
	if !ok {
		return nil, false
	}
	m, err := ParseMapping([]byte(js))
	if err != nil {
		// The presets are constants checked by TestPresetsValid; a failure here is a
		// programming error in this file, not bad input.
		panic("ingest: invalid built-in preset " + name + ": " + err.Error())
	}
	return m, true
}

// PresetNames lists the built-in mappings, sorted.
func PresetNames() []string {
	names := make([]string, 0, len(presetJSON))
	for n := range presetJSON {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
