package graph

import (
	"bufio"
	"bytes"
	"container/heap"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/klauspost/compress/s2"
)

// kvSorter sorts key-value pairs that do not fit in memory, for the bulk loader: Badger's
// StreamWriter wants every key in order, and records arrive in any order. Pairs are
// gathered in memory up to a budget, sorted and written to a run file, and the runs are
// merged at the end (a classic external merge sort). Pairs are kept apart by the first
// byte of their key (the table prefix, keys.go), so that each table is sorted and merged
// on its own and can be written as its own StreamWriter stream.
//
// Memory is the budget plus one read buffer per run at merge time, however many pairs
// come: a 1M-record load with a 64 MiB budget makes about 60 runs.
type kvSorter struct {
	dir    string // where run files go; removed by close
	budget int    // bytes of arena after which add spills
	// block, when set, encrypts the run files (AES-CTR, a random IV per run): an
	// encrypted store must not leave plain personal data in its scratch files either. Its
	// key is made for one load and never written down, since runs are useless after it.
	block cipher.Block

	parts map[byte]*kvPart
	used  int // arena bytes over all parts
	runs  int // run files written, for naming

	// spill sorts and writes the previous arena in the background while add fills the
	// next one: wait for it before starting another.
	spilling sync.WaitGroup
	spillErr error
}

// kvPart holds the pairs of one key prefix: those in memory, and its runs on disk.
type kvPart struct {
	arena []byte  // key, then value, of each pair, back to back
	refs  []kvRef // one per pair in arena
	runs  []string
	bytes int64 // keys and values added, spilled or not
}

// runBlock is the compression block of a run file. The merge holds one block per run
// open, and a ten-million-record load merges some six hundred runs at once.
const runBlock = 64 << 10

// kvRef locates one pair in its arena.
type kvRef struct {
	off        uint32
	klen, vlen uint32
}

func newKVSorter(dir string, budget int, encrypt bool) (*kvSorter, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("graph: create sort directory: %w", err)
	}
	s := &kvSorter{dir: dir, budget: budget, parts: map[byte]*kvPart{}}
	if encrypt {
		key := make([]byte, 32)
		rand.Read(key)
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, err
		}
		s.block = block
	}
	return s, nil
}

// add copies a pair in. An empty key is a caller's bug.
func (s *kvSorter) add(key, value []byte) error {
	p := s.parts[key[0]]
	if p == nil {
		p = &kvPart{}
		s.parts[key[0]] = p
	}
	if len(p.arena)+len(key)+len(value) > 1<<32-1 {
		return errors.New("graph: sort arena over 4 GiB: lower the bulk memory budget")
	}
	p.refs = append(p.refs, kvRef{off: uint32(len(p.arena)), klen: uint32(len(key)), vlen: uint32(len(value))})
	p.arena = append(p.arena, key...)
	p.arena = append(p.arena, value...)
	p.bytes += int64(len(key) + len(value))
	s.used += len(key) + len(value) + 12
	if s.used >= s.budget {
		return s.spill()
	}
	return nil
}

// spill hands the arenas to a background goroutine that sorts each part and writes it
// as a run, and starts new arenas. At most one spill runs at a time, so memory is at most
// twice the budget.
func (s *kvSorter) spill() error {
	s.spilling.Wait()
	if s.spillErr != nil {
		return s.spillErr
	}
	type job struct {
		mem  kvPart
		path string
	}
	var jobs []job
	for prefix, p := range s.parts {
		if len(p.refs) == 0 {
			continue
		}
		s.runs++
		path := filepath.Join(s.dir, fmt.Sprintf("run-%02x-%06d", prefix, s.runs))
		jobs = append(jobs, job{mem: kvPart{arena: p.arena, refs: p.refs}, path: path})
		p.runs = append(p.runs, path)
		// A fresh arena of the same size: the old one is being written out.
		p.arena = make([]byte, 0, cap(p.arena))
		p.refs = make([]kvRef, 0, cap(p.refs))
	}
	s.used = 0
	s.spilling.Add(1)
	go func() {
		defer s.spilling.Done()
		for _, j := range jobs {
			if err := j.mem.writeRun(j.path, s.block); err != nil {
				s.spillErr = err
				return
			}
		}
	}()
	return nil
}

// sortInPlace orders a part's in-memory pairs by key.
func (p *kvPart) sortInPlace() {
	a := p.arena
	slices.SortFunc(p.refs, func(x, y kvRef) int {
		return bytes.Compare(a[x.off:x.off+x.klen], a[y.off:y.off+y.klen])
	})
}

func (p *kvPart) pair(r kvRef) (key, value []byte) {
	k := p.arena[r.off : r.off+r.klen]
	return k, p.arena[r.off+r.klen : r.off+r.klen+r.vlen]
}

// writeRun sorts the part's in-memory pairs and writes them to path as
// uvarint(len key) uvarint(len value) key value, one pair after another; with block,
// encrypted after a random IV.
func (p *kvPart) writeRun(path string, block cipher.Block) error {
	p.sortInPlace()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("graph: create sort run: %w", err)
	}
	var out io.Writer = f
	if block != nil {
		iv := make([]byte, block.BlockSize())
		rand.Read(iv)
		if _, err := f.Write(iv); err != nil {
			return errors.Join(fmt.Errorf("graph: write sort run: %w", err), f.Close())
		}
		out = cipher.StreamWriter{S: cipher.NewCTR(block, iv), W: f}
	}
	// Runs are Snappy-compressed (S2's stream format): a load's runs hold every key and
	// value once, about 4 KB per record before compression, which at ten million
	// records is more scratch disk than the store itself needs.
	zw := s2.NewWriter(out, s2.WriterConcurrency(1), s2.WriterBlockSize(runBlock))
	w := bufio.NewWriterSize(zw, 1<<20)
	var hdr [2 * binary.MaxVarintLen32]byte
	for _, r := range p.refs {
		n := binary.PutUvarint(hdr[:], uint64(r.klen))
		n += binary.PutUvarint(hdr[n:], uint64(r.vlen))
		k, v := p.pair(r)
		w.Write(hdr[:n])
		w.Write(k)
		w.Write(v)
	}
	// The run is scratch: a crash loses the whole bulk load anyway (bulk.go), so no sync.
	if err := errors.Join(w.Flush(), zw.Close(), f.Close()); err != nil {
		return fmt.Errorf("graph: write sort run: %w", err)
	}
	return nil
}

// prefixes lists the key prefixes seen, in order. Call after the last add.
func (s *kvSorter) prefixes() []byte {
	var out []byte
	for p := range s.parts {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// each calls fn with every pair of one prefix in key order, merging the part's runs with
// its pairs still in memory. A key given more than once (a record listing the same
// identifier twice) is passed once, with one of its values: such keys are postings, whose
// values are empty. The slices passed to fn are only valid during the call.
func (s *kvSorter) each(prefix byte, fn func(key, value []byte) error) error {
	s.spilling.Wait()
	if s.spillErr != nil {
		return s.spillErr
	}
	p := s.parts[prefix]
	if p == nil {
		return nil
	}
	p.sortInPlace()
	h := make(kvHeap, 0, len(p.runs)+1)
	defer func() {
		for _, c := range h {
			c.close()
		}
	}()
	mem := &memCursor{part: p}
	if mem.next() {
		h = append(h, mem)
	}
	for _, path := range p.runs {
		c, err := openRun(path, s.block)
		if err != nil {
			return err
		}
		if c.next() {
			h = append(h, c)
		} else {
			c.close()
		}
		if err := c.error(); err != nil {
			return err
		}
	}
	heap.Init(&h)
	var last []byte
	haveLast := false
	for len(h) > 0 {
		c := h[0]
		k, v := c.current()
		if !haveLast || !bytes.Equal(k, last) {
			if err := fn(k, v); err != nil {
				return err
			}
			last = append(last[:0], k...)
			haveLast = true
		}
		if c.next() {
			heap.Fix(&h, 0)
		} else {
			if err := c.error(); err != nil {
				return err
			}
			heap.Pop(&h)
			c.close()
		}
	}
	return nil
}

// close removes the run files.
func (s *kvSorter) close() error {
	s.spilling.Wait()
	return os.RemoveAll(s.dir)
}

// kvCursor walks pairs in key order: the in-memory part or one run file.
type kvCursor interface {
	next() bool
	current() (key, value []byte)
	error() error
	close()
}

type kvHeap []kvCursor

func (h kvHeap) Len() int { return len(h) }
func (h kvHeap) Less(i, j int) bool {
	ki, _ := h[i].current()
	kj, _ := h[j].current()
	return bytes.Compare(ki, kj) < 0
}
func (h kvHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *kvHeap) Push(x any)   { *h = append(*h, x.(kvCursor)) }
func (h *kvHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

type memCursor struct {
	part *kvPart
	i    int
	k, v []byte
}

func (c *memCursor) next() bool {
	if c.i >= len(c.part.refs) {
		return false
	}
	c.k, c.v = c.part.pair(c.part.refs[c.i])
	c.i++
	return true
}
func (c *memCursor) current() ([]byte, []byte) { return c.k, c.v }
func (c *memCursor) error() error              { return nil }
func (c *memCursor) close()                    {}

// runCursor reads a run file written by writeRun.
type runCursor struct {
	f    *os.File
	r    *bufio.Reader
	buf  []byte
	k, v []byte
	err  error
}

func openRun(path string, block cipher.Block) (*runCursor, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("graph: open sort run: %w", err)
	}
	var in io.Reader = f
	if block != nil {
		iv := make([]byte, block.BlockSize())
		if _, err := io.ReadFull(f, iv); err != nil {
			return nil, errors.Join(fmt.Errorf("graph: read sort run: %w", err), f.Close())
		}
		in = cipher.StreamReader{S: cipher.NewCTR(block, iv), R: f}
	}
	return &runCursor{f: f, r: bufio.NewReaderSize(s2.NewReader(in, s2.ReaderMaxBlockSize(runBlock)), 64<<10)}, nil
}

func (c *runCursor) next() bool {
	klen, err := binary.ReadUvarint(c.r)
	if err == io.EOF {
		return false
	}
	if err != nil {
		c.err = fmt.Errorf("graph: read sort run: %w", err)
		return false
	}
	vlen, err := binary.ReadUvarint(c.r)
	if err != nil {
		c.err = fmt.Errorf("graph: read sort run: %w", err)
		return false
	}
	n := int(klen + vlen)
	if cap(c.buf) < n {
		c.buf = make([]byte, n, 2*n)
	}
	c.buf = c.buf[:n]
	if _, err := io.ReadFull(c.r, c.buf); err != nil {
		c.err = fmt.Errorf("graph: read sort run: %w", err)
		return false
	}
	c.k, c.v = c.buf[:klen], c.buf[klen:]
	return true
}
func (c *runCursor) current() ([]byte, []byte) { return c.k, c.v }
func (c *runCursor) error() error              { return c.err }
func (c *runCursor) close()                    { c.f.Close() }
