package engine

import (
	"math"
	"slices"

	"github.com/personagraph/personagraph/graph"
	"github.com/personagraph/personagraph/ingest"
)

// Flags a cluster can raise, with the weight each adds to risk. A flag counts once per
// cluster; risk is 1 - prod(1 - weight), so independent signals compound but never pass
// 1. The weights are a judgement from DOMAIN.md 2.12 (strong: one device or payout under
// several personas; weak: VoIP, camera off), to be replaced by estimated ones.
var flagWeights = map[string]float64{
	"shared_device":         0.5,
	"shared_payout":         0.6,
	"shared_phone":          0.3,
	"shared_email":          0.3,
	"shared_document":       0.4,
	"shared_profile":        0.3,
	"shared_username":       0.2,
	"photo_reuse":           0.4,
	"cv_template":           0.2,
	"shipping_hub":          0.2,
	"many_personas":         0.3,
	"video_avoidance":       0.15,
	"voip_phone":            0.1,
	"remote_tool":           0.2,
	"money_service_payout":  0.1,
	"disposable_email":      0.05,
	"location_mismatch":     0.25,
	"many_names_one_device": 0.3,
	"sequential_phones":     0.2,
	"address_churn":         0.1,
	"third_party_payout":    0.3,
}

// Flags the shared values of a cluster raise beyond sharedFlag.
const (
	// manyNamesOneDevice: one device under manyNames or more personas (DOMAIN.md S14:
	// a laptop farm's machine or an operator's VM host), not a benign hub.
	manyNamesOneDevice = "many_names_one_device"
	manyNames          = 3
	// sequentialPhones: numbers of a block bought together held by several personas
	// (DOMAIN.md S12), evidence kind phoneBlockKind.
	sequentialPhones = "sequential_phones"
	phoneBlockKind   = ingest.Kind("phone_block")
	// addressChurn: one person's records give churnAddresses or more addresses
	// (DOMAIN.md S17, a weak hint: renters move too).
	addressChurn   = "address_churn"
	churnAddresses = 3
)

// SharedFlagRule returns the evidence kind behind a flag that shared values raise, and how
// many personas must hold one value for it; ok is false for other flags.
func SharedFlagRule(flag string) (kind ingest.Kind, minPersonas int, ok bool) {
	switch flag {
	case manyNamesOneDevice:
		return ingest.KindDevice, manyNames, true
	case sequentialPhones:
		return phoneBlockKind, 2, true
	}
	if k, ok := SharedFlagKind(flag); ok {
		return k, 2, true
	}
	return "", 0, false
}

// valueFlags adds the flags one shared value raises: held by persons personas, benign
// when its holders look like a benign hub.
func valueFlags(kind ingest.Kind, persons int, benign bool, flags map[string]bool) {
	if benign || persons < 2 {
		return
	}
	if f, ok := sharedFlag[kind]; ok {
		flags[f] = true
	}
	if kind == ingest.KindDevice && persons >= manyNames {
		flags[manyNamesOneDevice] = true
	}
	if kind == phoneBlockKind {
		flags[sequentialPhones] = true
	}
}

// SharedFlagKind returns the identifier kind whose sharing raises a shared-value cluster
// flag such as shared_device; ok is false for other flags.
func SharedFlagKind(flag string) (ingest.Kind, bool) {
	for k, f := range sharedFlag {
		if f == flag {
			return k, true
		}
	}
	return "", false
}

// sharedFlag is the flag raised when a value of a kind is held by several personas
// (person clusters) and does not look like a benign hub. Within one person cluster, a
// shared e-mail is just a re-application.
var sharedFlag = map[ingest.Kind]string{
	ingest.KindDevice:        "shared_device",
	ingest.KindPayment:       "shared_payout",
	ingest.KindPhone:         "shared_phone",
	ingest.KindEmail:         "shared_email",
	ingest.KindDocument:      "shared_document",
	ingest.KindProfile:       "shared_profile",
	ingest.KindUsername:      "shared_username",
	ingest.KindPhoto:         "photo_reuse",
	ingest.KindCVShingleBand: "cv_template",
	ingest.KindAddress:       "shipping_hub",
}

// scorer computes the flags, evidence and risk of clusters of one level.
type scorer struct {
	ids     []string
	persons []int32  // person cluster of each record
	signals []uint32 // record signals (signals.go) of each record
	uf      *unionFind
	shared  []sharedValue
	byRoot  map[int32][]int // cluster root -> indexes into shared
	churn   map[int32]bool  // person clusters with address churn
}

func (s *scorer) indexShared() {
	s.byRoot = make(map[int32][]int)
	for i, sv := range s.shared {
		r := s.uf.find(sv.records[0])
		s.byRoot[r] = append(s.byRoot[r], i)
	}
}

func (s *scorer) score(c *graph.Cluster, members []int32) {
	flags := make(map[string]bool)
	distinct := make([]int32, len(members))
	for i, m := range members {
		distinct[i] = s.persons[m]
	}
	if len(sortedUnique(distinct)) >= 3 {
		flags["many_personas"] = true
	}
	for _, i := range s.byRoot[s.uf.find(members[0])] {
		sv := s.shared[i]
		recs := make([]string, len(sv.records))
		holders := make([]int32, len(sv.records))
		for j, r := range sv.records {
			recs[j] = s.ids[r]
			holders[j] = s.persons[r]
		}
		c.Evidence = append(c.Evidence, graph.Evidence{Kind: string(sv.kind), Value: sv.value, Records: recs})
		valueFlags(sv.kind, len(sortedUnique(holders)), sv.benign, flags)
	}
	for _, m := range members {
		if s.churn[s.persons[m]] {
			flags[addressChurn] = true
			break
		}
	}
	var sig uint32
	for _, m := range members {
		sig |= s.signals[m]
	}
	signalFlags(sig, flags)
	setFlags(c, flags)
}

// signalFlags adds the flags that record signals sig raise.
func signalFlags(sig uint32, flags map[string]bool) {
	for _, rs := range recordSignals {
		if sig&rs.bit != 0 {
			flags[rs.flag] = true
		}
	}
}

// setFlags sets a cluster's flags, sorted, and its risk from them.
func setFlags(c *graph.Cluster, flags map[string]bool) {
	c.Flags = c.Flags[:0]
	keep := 1.0
	for f, on := range flags {
		if on {
			c.Flags = append(c.Flags, f)
			keep *= 1 - flagWeights[f]
		}
	}
	slices.Sort(c.Flags)
	c.Risk = math.Round((1-keep)*1000) / 1000
}
