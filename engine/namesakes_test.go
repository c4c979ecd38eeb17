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

// Two roommates of one common name at one address, each with their own mailbox, number
// and laptop, are two people; one of them applying again from the same laptop with a new
// mailbox and number is still one.
func TestNamesakesAtOneAddress(t *testing.T) {
	const (
		first  = `{"record_id":"nowak-1","source":"otta","observed_at":"2024-11-12T00:34:19Z","name":{"full":"Michał Nowak"},"emails":["michalnowak67@outlook.com"],"phones":["530 073 725"],"addresses":[{"kind":"home","line1":"ul. Ogrodowa 115","city":"Kraków","postcode":"30-877","country":"PL"}],"devices":[{"fingerprint":"6ac850eed50b59a55892cafe7db251d5","timezone":"Europe/Warsaw"}]}`
		second = `{"record_id":"nowak-2","source":"lever","observed_at":"2024-06-16T11:52:42Z","name":{"full":"Michał Nowak"},"emails":["michal_nowak@wp.pl"],"phones":["+48 882 111 389"],"addresses":[{"kind":"home","line1":"ul. Ogrodowa 115","city":"Kraków","postcode":"30-877","country":"PL"}],"devices":[{"fingerprint":"54d55639d2aca8d8cddb2f4b5c7661fc","timezone":"Europe/Warsaw"}]}`
		again  = `{"record_id":"nowak-1b","source":"greenhouse","observed_at":"2025-01-20T08:00:00Z","name":{"full":"Michał Nowak"},"emails":["m.nowak.dev@gmail.com"],"phones":["+48 601 222 333"],"addresses":[{"kind":"home","line1":"ul. Ogrodowa 115","city":"Kraków","postcode":"30-877","country":"PL"}],"devices":[{"fingerprint":"6ac850eed50b59a55892cafe7db251d5","timezone":"Europe/Warsaw"}]}`
	)
	background := readLines(t, "../fixtures/t1-small/records.ndjson")
	ctx := context.Background()
	e := newEngine(t, 1000)
	lines := append(append([]string{}, background...), first, second, again)
	if _, err := e.Ingest(ctx, ingest.NewReader(strings.NewReader(strings.Join(lines, "\n")), 0), nil); err != nil {
		t.Fatal(err)
	}
	p := clusterOf(t, partition(t, e, graph.Person))
	if p["nowak-1"] == p["nowak-2"] {
		t.Error("two namesakes at one address, with their own e-mails, phones and laptops, are one person")
	}
	if p["nowak-1"] != p["nowak-1b"] {
		t.Error("one person's second application from the same laptop is split from the first")
	}
	ex, err := e.Explain(ctx, "nowak-1", "nowak-2")
	if err != nil {
		t.Fatal(err)
	}
	if ex.Rule != "separate_channels" {
		t.Errorf("explain gives rule %q", ex.Rule)
	}
}

func TestSeparateChannelsRule(t *testing.T) {
	var differ pattern
	differ.set(fName, 0)
	differ.set(fAddress, 0)
	differ.set(fEmail, 2)
	differ.set(fPhone, 2)
	differ.set(fDOB, fieldLevels[fDOB])
	differ.set(fDoc, fieldLevels[fDoc])
	sameDOB := differ &^ (7 << (3 * fDOB)) // DOB equal
	noPhone := differ&^(7<<(3*fPhone)) | pattern(fieldLevels[fPhone])<<(3*fPhone)
	phoneTypo := differ&^(7<<(3*fPhone)) | pattern(1)<<(3*fPhone)
	dev := func(hs ...uint64) *features {
		f := &features{}
		copy(f.devices[:], hs)
		return f
	}
	for _, c := range []struct {
		name string
		p    pattern
		a, b *features
		want bool
	}{
		{"other machines, other contacts", differ, dev(1), dev(2), true},
		{"one machine in common", differ, dev(1, 3), dev(2, 3), false},
		{"no device on one side, e-mails and phones differ", differ, dev(1), dev(), true},
		{"no phone on one side, e-mails and devices differ", noPhone, dev(1), dev(2), true},
		{"only e-mails to compare", noPhone, dev(1), dev(), false},
		{"phones a typo apart", phoneTypo, dev(1), dev(2), false},
		{"same date of birth", sameDOB, dev(1), dev(2), false},
	} {
		if got := separateChannels(c.p, c.a, c.b); got != c.want {
			t.Errorf("%s: separateChannels = %v, want %v", c.name, got, c.want)
		}
	}
}
