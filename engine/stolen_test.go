package engine

import (
	"context"
	"strings"
	"testing"

	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

// A persona that copied its victim's name and home address, reached through its own
// e-mail, phone and device, whose clock runs in a risk time zone: the person model alone
// matched it with the victim (name and address agree, a rare name). It must not be the
// victim's person cluster, neither in a full run nor when it is checked on its own; the
// victim's two applications stay one person.
const (
	victimA = `{"record_id":"victim-a","source":"workday","observed_at":"2025-07-28T14:05:50Z","name":{"full":"Megan Davis"},"date_of_birth":"1985-07-05","emails":["megan.davis85@proton.me"],"phones":["+15126025788"],"addresses":[{"kind":"home","line1":"72 Manor Road","city":"London","postcode":"N17 2JB","country":"GB"}],"devices":[{"fingerprint":"c34b94a74c3d6de29a412dcdeb2fd239","timezone":"Europe/London"}]}`
	victimB = `{"record_id":"victim-b","source":"greenhouse","observed_at":"2025-08-02T09:12:00Z","name":{"full":"Megan Davis"},"date_of_birth":"1985-07-05","emails":["megan.davis85@proton.me"],"phones":["+15126025788"],"addresses":[{"kind":"home","line1":"72 Manor Road","city":"London","postcode":"N17 2JB","country":"GB"}],"devices":[{"fingerprint":"c34b94a74c3d6de29a412dcdeb2fd239","timezone":"Europe/London"}]}`
	persona = `{"record_id":"persona-x","source":"lever","observed_at":"2025-12-13T03:00:00Z","name":{"full":"Megan Davis"},"nationality":"US","emails":["goldenleefullstack0626@anonaddy.me"],"phones":["+44 7570 109661"],"addresses":[{"kind":"home","text":"72 Manor Road, London N17 2JB","country":"GB"}],"devices":[{"fingerprint":"25e551f36e6dad1d6e228b4f951fe378","timezone":"Asia/Shanghai"}]}`
)

func TestStolenIdentityIsNotItsVictim(t *testing.T) {
	background := readLines(t, "../fixtures/t1-small/records.ndjson")
	ctx := context.Background()
	for _, oneByOne := range []bool{false, true} {
		e := newEngine(t, 1000)
		lines := append(append([]string{}, background...), victimA, victimB)
		if !oneByOne {
			lines = append(lines, persona)
		}
		if _, err := e.Ingest(ctx, ingest.NewReader(strings.NewReader(strings.Join(lines, "\n")), 0), nil); err != nil {
			t.Fatal(err)
		}
		if oneByOne {
			rec, err := ingest.Parse([]byte(persona), 1)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := e.Check(ctx, rec); err != nil {
				t.Fatal(err)
			}
			if e.linked == 0 {
				t.Fatal("the check re-clustered instead of linking")
			}
		}
		p := clusterOf(t, partition(t, e, graph.Person))
		if p["victim-a"] != p["victim-b"] {
			t.Errorf("one-by-one %v: the victim's own applications are split", oneByOne)
		}
		if p["persona-x"] == p["victim-a"] {
			t.Errorf("one-by-one %v: the persona is in its victim's person cluster", oneByOne)
		}
		ex, err := e.Explain(ctx, "victim-a", "persona-x")
		if err != nil {
			t.Fatal(err)
		}
		if ex.Rule != "stolen_identity" || ex.SamePerson {
			t.Errorf("one-by-one %v: explain gives rule %q, same person %v", oneByOne, ex.Rule, ex.SamePerson)
		}
	}
}

func TestStolenIdentityRule(t *testing.T) {
	var contactsDiffer, emailShared pattern
	contactsDiffer.set(fName, 0)
	contactsDiffer.set(fAddress, 0)
	contactsDiffer.set(fEmail, 2)
	contactsDiffer.set(fPhone, 2)
	emailShared = contactsDiffer
	emailShared &^= 7 << (3 * fEmail) // e-mail equal
	for _, c := range []struct {
		name string
		p    pattern
		a, b uint32
		want bool
	}{
		{"one side signalled, contacts differ", contactsDiffer, sigLocationMismatch, 0, true},
		{"other side signalled", contactsDiffer, 0, sigCameraOff, true},
		{"both signalled: one operator's personas", contactsDiffer, sigVoIP, sigCameraOff, false},
		{"neither signalled", contactsDiffer, 0, 0, false},
		{"a disposable e-mail is not an operator's signal", contactsDiffer, sigDisposableEmail, 0, false},
		{"an e-mail in common", emailShared, sigLocationMismatch, 0, false},
	} {
		if got := stolenIdentity(c.p, c.a, c.b); got != c.want {
			t.Errorf("%s: stolenIdentity = %v, want %v", c.name, got, c.want)
		}
	}
}
