package export

import (
	"bytes"
	"cmp"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/personagraph/personagraph/ingest"
)

// UUIDv5 namespaces. stixSCONamespace is the one STIX 2.1 (section 2.9) fixes for
// Cyber-observable ids, so that two producers give the same e-mail address the same id;
// stixNamespace is personagraph's own, for its objects: uuid5(URL namespace,
// "https://github.com/personagraph/personagraph/stix").
var (
	stixSCONamespace = [16]byte{0x00, 0xab, 0xed, 0xb4, 0xaa, 0x42, 0x46, 0x6c, 0x9c, 0x01, 0xfe, 0xd2, 0x33, 0x15, 0xa9, 0xb7}
	stixNamespace    = [16]byte{0x37, 0xce, 0x7c, 0x0e, 0x7c, 0x0f, 0x58, 0x87, 0xa9, 0xd1, 0xa5, 0xd6, 0xe7, 0xd9, 0x03, 0x33}
)

// stixProducerCreated is the fixed creation time of the producer identity, so its id and
// content are the same in every export.
var stixProducerCreated = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// uuid5 is an RFC 9562 name-based (SHA-1) UUID.
func uuid5(ns [16]byte, name string) string {
	h := sha1.New()
	h.Write(ns[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	s := hex.EncodeToString(u[:])
	return s[:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}

// stixTime is the STIX timestamp form: UTC, millisecond precision.
func stixTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// scoID is a Cyber-observable's deterministic id: uuid5 over the canonical JSON of its
// ID-contributing properties (keys sorted, as json.Marshal does for a map).
func scoID(typ string, contributing map[string]string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(contributing) // a map of strings always encodes
	return typ + "--" + uuid5(stixSCONamespace, strings.TrimSuffix(b.String(), "\n"))
}

// stixObj is one STIX object; a map so that the writer and the tests treat every type
// alike, and json.Marshal sorts its keys.
type stixObj map[string]any

func (o stixObj) id() string { s, _ := o["id"].(string); return s }

// WriteSTIX writes a STIX 2.1 bundle:
//
//   - an identity for personagraph, the producer (created_by_ref of the other SDOs);
//   - a grouping for the cluster (context "suspicious-activity", labels = its flags,
//     x_personagraph_* risk, level, cluster id and records), referring to every object
//     below;
//   - an x-personagraph-persona custom object per persona (person cluster), with its
//     names and record ids;
//   - Cyber-observables for the members' identifiers: email-addr, user-account
//     (profiles, usernames), ipv4-addr/ipv6-addr, and the custom x-personagraph-payment
//     and x-personagraph-device; phones, addresses, documents, photos and shared CV
//     text bands as x-personagraph-identifier;
//   - a related-to relationship from each persona to each observable it presented.
//
// Ids are UUIDv5, so the same object has the same id in every export; a custom type's
// own properties need no prefix, custom properties on standard objects carry x_.
func WriteSTIX(w io.Writer, ev *Evidence) error {
	now := stixTime(ev.Generated)
	producer := "identity--" + uuid5(stixNamespace, "identity:personagraph")
	objs := map[string]stixObj{}
	sdo := func(typ, key string, props stixObj) stixObj {
		props["type"], props["spec_version"], props["id"] = typ, "2.1", typ+"--"+uuid5(stixNamespace, typ+":"+key)
		props["created"], props["modified"], props["created_by_ref"] = now, now, producer
		objs[props.id()] = props
		return props
	}
	// One relationship per persona and observable; its description names every record
	// in which the persona presented the observable.
	type rel struct {
		what    string
		records []string
	}
	rels := map[[2]string]*rel{}
	relate := func(src, dst, what, record string) {
		key := [2]string{src, dst}
		if rels[key] == nil {
			rels[key] = &rel{what: what}
		}
		rels[key].records = append(rels[key].records, record)
	}
	// Personas, in member order; each persona's names and records.
	type persona struct{ names, records []string }
	personas := map[string]*persona{}
	for _, m := range ev.Members {
		p := personas[m.Persona]
		if p == nil {
			p = &persona{}
			personas[m.Persona] = p
		}
		if m.Name != "" {
			p.names = append(p.names, m.Name)
		}
		p.records = append(p.records, m.RecordID)
	}
	personaID := map[string]string{}
	for _, key := range sortedKeys(personas) {
		p := personas[key]
		slices.Sort(p.names)
		p.names = slices.Compact(p.names)
		props := stixObj{"persona": key, "record_ids": p.records, "names": p.names}
		if len(p.names) > 0 {
			props["name"] = p.names[0]
		}
		personaID[key] = sdo("x-personagraph-persona", key, props).id()
	}
	shared := map[string]bool{}
	for _, v := range ev.Values {
		shared[v.Key()] = true
	}
	for _, m := range ev.Members {
		for _, id := range m.Identifiers {
			o := stixObservable(id, shared[id.Key()])
			if o == nil {
				continue
			}
			objs[o.id()] = o
			relate(personaID[m.Persona], o.id(), "persona "+m.Persona+" presented "+string(id.Kind)+" "+id.Value, m.RecordID)
		}
	}
	for key, r := range rels {
		sdo("relationship", key[0]+"|"+key[1], stixObj{"relationship_type": "related-to", "source_ref": key[0], "target_ref": key[1],
			"description": r.what + " in " + strings.Join(r.records, ", ")})
	}
	var refs []string
	for id := range objs {
		refs = append(refs, id)
	}
	slices.Sort(refs)
	if len(refs) == 0 {
		refs = []string{producer} // object_refs must not be empty
	}
	records := make([]string, len(ev.Members))
	for i, m := range ev.Members {
		records[i] = m.RecordID
	}
	grouping := sdo("grouping", ev.Cluster.ID, stixObj{
		"name":                       "personagraph " + ev.Cluster.Level + " cluster " + ev.Cluster.ID,
		"description":                fmt.Sprintf("%d records, risk %s, flags: %s", ev.Cluster.Size, formatRisk(ev.Cluster.Risk), strings.Join(ev.Cluster.Flags, ", ")),
		"context":                    "suspicious-activity",
		"object_refs":                refs,
		"x_personagraph_cluster_id":  ev.Cluster.ID,
		"x_personagraph_level":       ev.Cluster.Level,
		"x_personagraph_risk":        ev.Cluster.Risk,
		"x_personagraph_record_ids":  records,
		"x_personagraph_missing_ids": ev.Missing,
	})
	if len(ev.Cluster.Flags) > 0 {
		grouping["labels"] = ev.Cluster.Flags
	}
	if len(ev.Missing) == 0 {
		delete(grouping, "x_personagraph_missing_ids")
	}
	ident := stixObj{"type": "identity", "spec_version": "2.1", "id": producer, "created": stixTime(stixProducerCreated),
		"modified": stixTime(stixProducerCreated), "name": "personagraph", "identity_class": "system",
		"description": "personagraph: finds reused applicant personas run by one operator"}
	all := []stixObj{ident, grouping}
	for _, id := range refs {
		if o, ok := objs[id]; ok && id != grouping.id() {
			all = append(all, o)
		}
	}
	bundle := stixObj{"type": "bundle", "id": "bundle--" + uuid5(stixNamespace, "bundle:"+ev.Cluster.ID+":"+now), "objects": all}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(bundle); err != nil {
		return fmt.Errorf("export: stix: %w", err)
	}
	return nil
}

// stixObservable is the Cyber-observable for an identifier; nil for kinds that get none
// (name keys, dates of birth, postcodes, IP prefixes, CV text bands no one else holds).
func stixObservable(id ingest.Identifier, shared bool) stixObj {
	sco := func(typ string, contributing map[string]string, extra stixObj) stixObj {
		o := stixObj{"type": typ, "spec_version": "2.1", "id": scoID(typ, contributing)}
		for k, v := range contributing {
			o[k] = v
		}
		for k, v := range extra {
			o[k] = v
		}
		return o
	}
	switch id.Kind {
	case ingest.KindEmail:
		return sco("email-addr", map[string]string{"value": id.Value}, nil)
	case ingest.KindIP:
		if !id.Valid {
			return nil
		}
		if strings.Contains(id.Value, ":") {
			return sco("ipv6-addr", map[string]string{"value": id.Value}, nil)
		}
		return sco("ipv4-addr", map[string]string{"value": id.Value}, nil)
	case ingest.KindProfile, ingest.KindUsername:
		c := map[string]string{"user_id": id.Value, "account_login": id.Value}
		if id.Kind == ingest.KindProfile {
			service, handle := splitProfile(id.Value)
			c = map[string]string{"user_id": handle, "account_login": handle, "account_type": service}
		}
		return sco("user-account", c, stixObj{"display_name": cmp.Or(id.Raw, id.Value)})
	case ingest.KindPayment:
		scheme, _, _ := strings.Cut(id.Value, ":")
		return sco("x-personagraph-payment", map[string]string{"value": id.Value}, flagsProp(stixObj{"scheme": scheme}, id.Flags))
	case ingest.KindDevice:
		return sco("x-personagraph-device", map[string]string{"value": id.Value}, flagsProp(stixObj{}, id.Flags))
	case ingest.KindPhone, ingest.KindAddress, ingest.KindDocument, ingest.KindPhoto, ingest.KindCVShingleBand:
		if id.Kind == ingest.KindCVShingleBand && !shared {
			return nil // a CV has many bands; only shared ones say anything
		}
		return sco("x-personagraph-identifier", map[string]string{"kind": string(id.Kind), "value": id.Value}, flagsProp(stixObj{}, id.Flags))
	}
	return nil
}

func flagsProp(o stixObj, flags []string) stixObj {
	if len(flags) > 0 {
		o["flags"] = flags
	}
	return o
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
