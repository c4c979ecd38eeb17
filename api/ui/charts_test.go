package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/personagraph/personagraph/engine/export"
)

// A version that changed an applicant's details gets a dot on its own lane as well as
// on its event's, with what changed in its title.
func TestTimelineMarksChanges(t *testing.T) {
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tl := newTimeline([]export.Event{
		{At: day, RecordID: "a", Event: "application", Version: 1},
		{At: day.AddDate(0, 2, 0), RecordID: "a", Event: "onboarding", Version: 2, Changes: []string{"address", "payment"}},
	})
	var lanes []string
	for _, l := range tl.Lanes {
		lanes = append(lanes, l.Event)
	}
	if strings.Join(lanes, ",") != "application,details changed,onboarding" {
		t.Fatalf("lanes %v", lanes)
	}
	changed := 0
	for _, d := range tl.Dots {
		if d.Change {
			changed++
			if !strings.Contains(d.Title, "changed address, payment") {
				t.Errorf("change dot title %q", d.Title)
			}
		}
	}
	if len(tl.Dots) != 3 || changed != 1 {
		t.Fatalf("%d dots, %d marking a change; want 3 and 1", len(tl.Dots), changed)
	}
}
