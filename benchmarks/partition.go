package benchmarks

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
)

// ErrConflict is returned when a record is put into two different clusters.
var ErrConflict = errors.New("record already in another cluster")

// Partition assigns record ids to cluster ids: a clustering predicted by the engine or a
// ground truth. Records and clusters are interned to dense int32 indexes so that the
// metrics work on slices, not maps of strings; insertion order is kept, so iteration is
// deterministic.
type Partition struct {
	index    map[string]int32 // record id -> record index
	records  []string         // record index -> record id
	cluster  []int32          // record index -> cluster index
	names    []string         // cluster index -> cluster id
	nameIdx  map[string]int32 // cluster id -> cluster index
	clusterN []int32          // cluster index -> size
}

// NewPartition returns an empty partition.
func NewPartition() *Partition {
	return &Partition{index: make(map[string]int32), nameIdx: make(map[string]int32)}
}

// Add puts recordID into clusterID. Adding a record again to the same cluster does
// nothing; to another cluster it is an error wrapping ErrConflict.
func (p *Partition) Add(recordID, clusterID string) error {
	if i, ok := p.index[recordID]; ok {
		if prev := p.names[p.cluster[i]]; prev != clusterID {
			return fmt.Errorf("record %q in clusters %q and %q: %w", recordID, prev, clusterID, ErrConflict)
		}
		return nil
	}
	if len(p.records) >= math.MaxInt32 {
		return fmt.Errorf("partition full at %d records", len(p.records))
	}
	c, ok := p.nameIdx[clusterID]
	if !ok {
		c = int32(len(p.names))
		p.nameIdx[clusterID] = c
		p.names = append(p.names, clusterID)
		p.clusterN = append(p.clusterN, 0)
	}
	p.index[recordID] = int32(len(p.records))
	p.records = append(p.records, recordID)
	p.cluster = append(p.cluster, c)
	p.clusterN[c]++
	return nil
}

// Len is the number of records.
func (p *Partition) Len() int { return len(p.records) }

// Clusters is the number of clusters.
func (p *Partition) Clusters() int { return len(p.names) }

// Cluster returns the cluster of recordID.
func (p *Partition) Cluster(recordID string) (string, bool) {
	i, ok := p.index[recordID]
	if !ok {
		return "", false
	}
	return p.names[p.cluster[i]], true
}

// Has reports whether recordID is in the partition.
func (p *Partition) Has(recordID string) bool {
	_, ok := p.index[recordID]
	return ok
}

// Size returns the size of clusterID, 0 if there is no such cluster.
func (p *Partition) Size(clusterID string) int {
	c, ok := p.nameIdx[clusterID]
	if !ok {
		return 0
	}
	return int(p.clusterN[c])
}

// All yields (record id, cluster id) in insertion order.
func (p *Partition) All() iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		for i, id := range p.records {
			if !yield(id, p.names[p.cluster[i]]) {
				return
			}
		}
	}
}

// Sizes returns the size of every cluster, in order of first appearance.
func (p *Partition) Sizes() []int {
	out := make([]int, len(p.clusterN))
	for i, n := range p.clusterN {
		out[i] = int(n)
	}
	return out
}

// clusterLine is one line of `personagraph clusters --format ndjson` (DESIGN.md
// section 4); only the fields evaluation needs.
type clusterLine struct {
	ClusterID string   `json:"cluster_id"`
	Level     string   `json:"level"`
	Records   []string `json:"records"`
}

// maxClusterLine bounds one clusters line: a cluster of a million 40-byte ids.
const maxClusterLine = 64 << 20

// ReadClusters reads a predicted partition from the clusters NDJSON of DESIGN.md
// section 4: {"cluster_id": "...", "level": "...", "records": ["...", ...]}. Lines of
// another level than level are skipped; level "" takes every line. A record in two
// clusters, a line without cluster_id and malformed JSON are errors naming the line.
func ReadClusters(r io.Reader, level Level) (*Partition, error) {
	p := NewPartition()
	err := eachJSONLine(r, "clusters", maxClusterLine, func(cl *clusterLine) error {
		if level != "" && cl.Level != "" && cl.Level != string(level) {
			return nil
		}
		if cl.ClusterID == "" {
			return errors.New("no cluster_id")
		}
		for _, id := range cl.Records {
			if err := p.Add(id, cl.ClusterID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// eachJSONLine decodes every non-blank NDJSON line of r into a fresh T and hands it to
// fn. A malformed line, a line longer than maxLine, or an error from fn stops the read
// with an error naming what and the line.
func eachJSONLine[T any](r io.Reader, what string, maxLine int, fn func(*T) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	line := 0
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		var v T
		if err := json.Unmarshal(b, &v); err != nil {
			return fmt.Errorf("%s line %d: %w", what, line, err)
		}
		if err := fn(&v); err != nil {
			return fmt.Errorf("%s line %d: %w", what, line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s line %d: %w", what, line+1, err)
	}
	return nil
}
