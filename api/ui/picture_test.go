package ui

import (
	"strings"
	"testing"

	"github.com/personagraph/personagraph/engine/export"
)

func TestConnectingFirst(t *testing.T) {
	recPersona := map[string]int{"r0": 0, "r1": 1, "r2": 2, "r3": 3, "r1b": 1}
	vals := []*export.Value{
		{Kind: "device", Value: "a", Records: []string{"r0", "r1"}},
		{Kind: "device", Value: "dup", Records: []string{"r0", "r1b"}}, // joins nothing new
		{Kind: "payment", Value: "b", Records: []string{"r1", "r2"}},
		{Kind: "payment", Value: "same", Records: []string{"r1", "r1b"}}, // one persona
		{Kind: "phone", Value: "c", Records: []string{"r3", "r2", "gone"}},
	}
	var got []string
	for _, v := range connectingFirst(vals, recPersona, 4) {
		got = append(got, v.Value)
	}
	if s := strings.Join(got, " "); s != "a b c dup same" {
		t.Fatalf("order %q, want the joining values first, each group in strength order", s)
	}
}
