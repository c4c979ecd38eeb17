package ui

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/personagraph/personagraph/engine/export"
)

// Chart geometry, in SVG user units.
const (
	chartWidth, chartHeight = 480, 220
	chartLeft, chartBottom  = 44, 40 // room for the axis labels
	chartTop                = 12
)

// bin is one histogram bar: values v with Lo <= v < Hi.
type bin struct {
	Label  string
	Lo, Hi float64
}

func sizeBins() []bin {
	return []bin{{"2", 2, 3}, {"3–4", 3, 5}, {"5–9", 5, 10}, {"10–19", 10, 20}, {"20–49", 20, 50}, {"50–99", 50, 100}, {"100+", 100, 1e18}}
}

func riskBins() []bin {
	out := make([]bin, 10)
	for i := range out {
		out[i] = bin{Label: fmt.Sprintf("%.1f", float64(i)/10), Lo: float64(i) / 10, Hi: float64(i+1) / 10}
	}
	out[9].Hi = 1.0001 // risk 1 goes in the top bar
	return out
}

// chart is a bar chart drawn as SVG by the dashboard template.
type chart struct {
	Title         string
	Width, Height int
	Bars          []bar
	Ticks         []tick // horizontal grid lines with their counts
	BaseY         float64
	Left, Right   float64
}

type bar struct {
	X, Y, W, H float64
	LabelX     float64
	Label      string
	Count      int
}

type tick struct {
	Y     float64
	Count int
}

// histogram counts values into bins and lays out the bars. The count axis is linear up
// to a round maximum.
func histogram(title string, bins []bin, values []float64) chart {
	counts := make([]int, len(bins))
	for _, v := range values {
		for i, b := range bins {
			if v >= b.Lo && v < b.Hi {
				counts[i]++
				break
			}
		}
	}
	top := niceMax(slices.Max(append(counts, 1)))
	c := chart{Title: title, Width: chartWidth, Height: chartHeight, BaseY: chartHeight - chartBottom, Left: chartLeft, Right: chartWidth - 8}
	plotH := float64(chartHeight - chartBottom - chartTop)
	slot := (c.Right - c.Left) / float64(len(bins))
	for i, n := range counts {
		h := plotH * float64(n) / float64(top)
		x := c.Left + float64(i)*slot
		c.Bars = append(c.Bars, bar{X: round1(x + slot*0.12), Y: round1(c.BaseY - h), W: round1(slot * 0.76), H: round1(h),
			LabelX: round1(x + slot/2), Label: bins[i].Label, Count: n})
	}
	for _, f := range []float64{0, 0.5, 1} {
		c.Ticks = append(c.Ticks, tick{Y: round1(c.BaseY - plotH*f), Count: int(float64(top) * f)})
	}
	return c
}

// niceMax rounds a count up to 1, 2 or 5 times a power of ten.
func niceMax(n int) int {
	p := 1
	for {
		for _, m := range []int{1, 2, 5} {
			if m*p >= n {
				return m * p
			}
		}
		p *= 10
	}
}

// timeline is a strip of the members' observations in time, one lane per event kind.
type timeline struct {
	Width, Height int
	Lanes         []lane
	Dots          []dot
	From, To      string
	AxisY         int // baseline of the date labels
}

type lane struct {
	Y     float64
	Event string
}

type dot struct {
	X, Y   float64
	Title  string
	Href   string
	Change bool // a version that changed details
}

// newTimeline places each event on its lane by time.
func newTimeline(events []export.Event) *timeline {
	if len(events) == 0 {
		return nil
	}
	const left, right, laneH = 110, 990, 22
	lanes := map[string]int{}
	var names []string
	for _, e := range events {
		ev := cmp.Or(e.Event, "other")
		if _, ok := lanes[ev]; !ok {
			lanes[ev] = 0
			names = append(names, ev)
		}
		if len(e.Changes) > 0 {
			if _, ok := lanes[changedLane]; !ok {
				lanes[changedLane] = 0
				names = append(names, changedLane)
			}
		}
	}
	slices.Sort(names)
	t := &timeline{Width: 1000, Height: len(names)*laneH + 30, AxisY: len(names)*laneH + 22}
	for i, n := range names {
		lanes[n] = i
		t.Lanes = append(t.Lanes, lane{Y: float64(i*laneH + 15), Event: n})
	}
	first, last := events[0].At, events[len(events)-1].At
	span := last.Sub(first)
	t.From, t.To = first.UTC().Format(time.DateOnly), last.UTC().Format(time.DateOnly)
	for _, e := range events {
		x := float64(left+right) / 2
		if span > 0 {
			x = left + float64(right-left)*float64(e.At.Sub(first))/float64(span)
		}
		ev := cmp.Or(e.Event, "other")
		title := e.At.UTC().Format("2006-01-02") + " · " + ev + " · " + cmp.Or(e.Name, e.RecordID) + " · " + e.Source
		t.Dots = append(t.Dots, dot{X: round1(x), Y: float64(lanes[ev]*laneH + 15), Title: title,
			Href: "/records/" + pathEscape(e.RecordID)})
		if len(e.Changes) > 0 {
			// A new version that changed contact or payout details: its own lane, so that
			// churn stands out.
			t.Dots = append(t.Dots, dot{X: round1(x), Y: float64(lanes[changedLane]*laneH + 15), Change: true,
				Title: title + " · changed " + strings.Join(e.Changes, ", "), Href: "/records/" + pathEscape(e.RecordID)})
		}
	}
	return t
}

// changedLane is the timeline lane of versions that changed a member's details.
const changedLane = "details changed"
