package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

// rec is one test record: a name, and the rest as raw JSON fields.
func rec(id, name, fields string) string {
	return fmt.Sprintf(`{"record_id":%q,"source":"ats","observed_at":"2025-03-01T10:00:00Z","name":{"full":%q}%s}`, id, name, fields)
}

// levels ingests records and returns each record's person and operator cluster.
func levels(t *testing.T, recs ...string) (person, operator map[string]string) {
	t.Helper()
	e := newEngine(t, 1000)
	if _, err := e.Ingest(context.Background(), ingest.NewReader(strings.NewReader(strings.Join(recs, "\n")), 0), nil); err != nil {
		t.Fatal(err)
	}
	return clusterOf(t, partition(t, e, graph.Person)), clusterOf(t, partition(t, e, graph.Operator))
}

func TestAccountGroupsItsRecords(t *testing.T) {
	person, _ := levels(t,
		rec("on", "Aiko Tanaka", `,"persona_id":"wd:u1","emails":["aiko.t@gmail.com"],"addresses":[{"line1":"1 Elm St","city":"Austin","region":"TX","postcode":"78701","country":"US"}]`),
		rec("term", "Aiko Tanaka", `,"persona_id":"wd:u1"`),
		rec("other", "Aiko Tanaka", `,"persona_id":"wd:u2"`),
		// One login under four dissimilar names is an agency's, not a persona.
		rec("ag1", "Maria Lopez", `,"persona_id":"wd:agency"`),
		rec("ag2", "Tom Baker", `,"persona_id":"wd:agency"`),
		rec("ag3", "Wei Chen", `,"persona_id":"wd:agency"`),
		rec("ag4", "Olga Ivanova", `,"persona_id":"wd:agency"`),
	)
	if person["on"] != person["term"] {
		t.Errorf("records of one account split")
	}
	if person["term"] == person["other"] {
		t.Errorf("records of two accounts merged on the name alone")
	}
	if person["ag1"] == person["ag2"] {
		t.Errorf("a shared agency login merged its candidates")
	}
}

func TestDeviceSharedAwayFromHome(t *testing.T) {
	dev := `,"devices":[{"fingerprint":"9f1c2e7a5b3d4c6e8f0a1b2c3d4e5f60"}]`
	_, op := levels(t,
		// Two personas on one machine, applying from different cities: one operator.
		rec("a", "Kenji Sato", dev+`,"addresses":[{"line1":"5 Oak Ave","city":"Denver","region":"CO","postcode":"80202","country":"US"}]`),
		rec("b", "Lucas Meyer", dev+`,"addresses":[{"line1":"9 Pine Rd","city":"Miami","region":"FL","postcode":"33101","country":"US"}]`),
		// Flatmates on one laptop at one address: apart.
		rec("c", "Anna Novak", `,"devices":[{"fingerprint":"0a0b0c0d0e0f10111213141516171819"}],"addresses":[{"line1":"7 Birch Ln","city":"Boston","region":"MA","postcode":"02108","country":"US"}]`),
		rec("d", "Priya Shah", `,"devices":[{"fingerprint":"0a0b0c0d0e0f10111213141516171819"}],"addresses":[{"line1":"7 Birch Ln","city":"Boston","region":"MA","postcode":"02108","country":"US"}]`),
	)
	if op["a"] != op["b"] {
		t.Errorf("one device under two names in two cities not linked")
	}
	if op["c"] == op["d"] {
		t.Errorf("flatmates sharing a laptop merged")
	}
}

func TestThirdPartyPayoutIsFacilitatorEvidence(t *testing.T) {
	pay := func(holder string) string {
		return `,"payments":[{"kind":"bank_account","value":"021000021 6608153433","holder":"` + holder + `"}]`
	}
	_, op := levels(t,
		// Two personas paid into a consulting firm's account: a facilitator's, which
		// serves several operators.
		rec("a", "Kenji Sato", pay("Bluepeak Consulting LLC")+`,"phones":["+1 415 555 0101"]`),
		rec("b", "Lucas Meyer", pay("Bluepeak Consulting LLC")+`,"phones":["+1 212 555 0199"]`),
	)
	if op["a"] == op["b"] {
		t.Errorf("a third party's account alone merged two personas")
	}
	_, op = levels(t,
		// One persona's own account re-used by another persona: the operator's.
		rec("a", "Kenji Sato", pay("Kenji Sato")),
		rec("b", "Lucas Meyer", pay("Kenji Sato")),
	)
	if op["a"] != op["b"] {
		t.Errorf("a persona's own account re-used by another persona not linked")
	}
	wallet := `,"payments":[{"kind":"crypto","value":"0x8f2f9d15f6f19122d7a40cb27a2e04111d9b23a5"}]`
	_, op = levels(t,
		// One wallet paid by four personas: a collector's fan-in, ring evidence.
		rec("a", "Kenji Sato", wallet), rec("b", "Lucas Meyer", wallet),
		rec("c", "Anna Novak", wallet), rec("d", "Priya Shah", wallet),
	)
	if op["a"] == op["b"] {
		t.Errorf("a collector wallet alone merged four personas")
	}
	_, op = levels(t,
		// Three: a ring's deposit address still, for a wallet (S18's fan-in).
		rec("a", "Kenji Sato", wallet), rec("b", "Lucas Meyer", wallet), rec("c", "Anna Novak", wallet),
	)
	if op["a"] == op["b"] || op["b"] == op["c"] {
		t.Errorf("a collector wallet alone merged three personas")
	}
	_, op = levels(t,
		// Two personas paid to one wallet: the operator's.
		rec("a", "Kenji Sato", wallet), rec("b", "Lucas Meyer", wallet),
	)
	if op["a"] != op["b"] {
		t.Errorf("two personas paid to one wallet not linked")
	}
	money := `,"payments":[{"kind":"payoneer","value":"kenji.sato.pay@gmail.com"}]`
	_, op = levels(t,
		// A money-service account re-used by three personas: opened in a name, the
		// operator's own.
		rec("a", "Kenji Sato", money), rec("b", "Lucas Meyer", money), rec("c", "Anna Novak", money),
	)
	if op["a"] != op["b"] || op["b"] != op["c"] {
		t.Errorf("one money-service account re-used by three personas not linked")
	}
}

// A profile shared by an applicant and a persona of the same name, only the persona
// showing a risk signal, is the identity's (a stolen identity and its owner), not an
// operator's; under two names it is the operator's.
func TestProfileOfOneIdentity(t *testing.T) {
	li := `,"profiles":["https://www.linkedin.com/in/brandon-johnson-627"]`
	_, op := levels(t,
		rec("owner", "Brandon Johnson", li+`,"emails":["brandon.johnson0@gmail.com"],"phones":["+1 512 598 4581"]`),
		rec("persona", "Brandon Johnson", li+`,"emails":["brandonj6892@gmail.com"],"phones":["+44 7960 470001"],"interview":{"video":"camera_off"}`),
	)
	if op["owner"] == op["persona"] {
		t.Errorf("an identity's owner and a persona on it joined as one operator by the owner's profile")
	}
	_, op = levels(t,
		rec("a", "Brandon Johnson", li+`,"emails":["brandon.johnson0@gmail.com"],"interview":{"video":"camera_off"}`),
		rec("b", "Kevin Walker", li+`,"emails":["kwalker77@gmail.com"],"interview":{"video":"camera_off"}`),
	)
	if op["a"] != op["b"] {
		t.Errorf("one profile under two names not linked")
	}
}

func TestExitIP(t *testing.T) {
	ip := func(a string) string { return `,"ips":[{"ip":"` + a + `","at":"2025-03-01T10:00:00Z"}]` }
	_, op := levels(t,
		// One exit IP and one handle from two cities, cameras off: an operator.
		rec("a", "Kenji Sato", ip("45.86.151.166")+`,"usernames":["bluefox"],"interview":{"video":"camera_off"},"addresses":[{"line1":"5 Oak Ave","city":"Denver","region":"CO","postcode":"80202","country":"US"}]`),
		rec("b", "Lucas Meyer", ip("45.86.151.166")+`,"usernames":["bluefox"],"interview":{"video":"camera_off"},"addresses":[{"line1":"9 Pine Rd","city":"Miami","region":"FL","postcode":"33101","country":"US"}]`),
		// Flatmates with VoIP lines: the home IP repeats the shared address, it is not
		// a second signal beside it.
		rec("c", "Anna Novak", ip("2.26.54.21")+`,"phones":["05690 126916"],"addresses":[{"line1":"130 Manor Road","city":"Bristol","postcode":"BS5 1RQ","country":"GB"}]`),
		rec("d", "Ryota Tanaka", ip("2.26.54.21")+`,"phones":["05691 720283"],"addresses":[{"line1":"130 Manor Road","city":"Bristol","postcode":"BS5 1RQ","country":"GB"}]`),
	)
	if op["a"] != op["b"] {
		t.Errorf("an exit IP and a handle shared away from one home not linked")
	}
	if op["c"] == op["d"] {
		t.Errorf("flatmates merged on their home IP and address")
	}
}

func TestPhoneBlockIsFacilitatorEvidence(t *testing.T) {
	farm := `,"interview":{"video":"camera_off"},"addresses":[{"line1":"44 Cedar Ct","city":"Nashville","region":"TN","postcode":"37205","country":"US"}]`
	_, op := levels(t,
		// Two hires at one farm with consecutive SIMs the facilitator bought: the
		// facilitator's evidence twice, not two signals about one operator.
		rec("a", "Kenji Sato", farm+`,"phones":["+1 615 555 0117"]`),
		rec("b", "Lucas Meyer", farm+`,"phones":["+1 615 555 0118"]`),
	)
	if op["a"] == op["b"] {
		t.Errorf("a farm address and a SIM block merged two personas")
	}
}

// A home's landline, VoIP-flagged as many are, is the household's even when an earlier
// tenant gave the address too; at that address, holders who all keep their cameras off
// read as hires at a farm on one number.
func TestHomeLandline(t *testing.T) {
	home := `,"addresses":[{"text":"Kastanjelaan 28, 2502 ZE Den Haag","country":"NL"}]`
	line := `,"phones":["+31 85 745 3444"]`
	tenant := rec("tenant", "Lotte de Vries", home+`,"phones":["+31 6 12345678"],"emails":["lotte.dv@gmail.com"]`)
	_, op := levels(t, tenant,
		rec("a", "Milan Smit", home+line+`,"emails":["milan.smit@gmail.com"]`),
		rec("b", "Sem Peters", home+line+`,"emails":["speters74@gmail.com"]`),
		rec("c", "Anna Bauer", home+line+`,"emails":["annabauer609@gmail.com"]`),
	)
	if op["a"] == op["b"] || op["b"] == op["c"] {
		t.Errorf("a household's landline merged its members")
	}
	off := `,"interview":{"video":"camera_off"}`
	_, op = levels(t, tenant,
		rec("a", "Milan Smit", home+line+off+`,"emails":["milan.smit@gmail.com"]`),
		rec("b", "Sem Peters", home+line+off+`,"emails":["speters74@gmail.com"]`),
		rec("c", "Anna Bauer", home+line+off+`,"emails":["annabauer609@gmail.com"]`),
	)
	if op["a"] != op["b"] || op["b"] != op["c"] {
		t.Errorf("one number of hires at one address, cameras off, not linked")
	}
}
