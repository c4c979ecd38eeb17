package engine

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"unsafe"
)

// The CV band index of a store on disk keeps its sorted entries and its record ids in
// files mapped into memory rather than on the Go heap: 128 bytes of entries and an id
// for every sketched record, about 1.1 GB at ten million generated records, which a process
// serving checks would otherwise hold for its whole life. Mapped, the kernel writes the
// pages back and drops them when memory is short, as it does with Badger's tables; a
// lookup touches a few pages of each of sixteen arrays. The files are unlinked as soon as
// they are mapped, so nothing is left behind, even by a crash between two steps, except
// in that instant (bandScratch removes such leftovers).
//
// Entries and ids added since the build stay on the heap until there are an eighth as
// many as were mapped; a band's merge, or the ids' spill, then writes a new file and maps
// it. Every file is written before it is mapped: storing into a mapping of a sparse file
// would fault (SIGBUS) on a full disk instead of returning an error.

// bandScratchPattern names the index's files in the data directory while they exist.
const bandScratchPattern = "cvbands-*.tmp"

// bandScratch is a directory for the index's files, "" for none (an in-memory store, or
// a platform that does not map files): the index is then kept on the heap.
func bandScratch(dataDir string) string {
	if dataDir == "" || !mapsFiles {
		return ""
	}
	old, _ := filepath.Glob(filepath.Join(dataDir, bandScratchPattern))
	for _, f := range old {
		os.Remove(f) // a crash's leftovers: the mapping that used them is gone
	}
	return dataDir
}

// mappedWords is an array of uint64 in a mapped file.
type mappedWords struct {
	raw []byte
}

func (m *mappedWords) words() []uint64 {
	if len(m.raw) == 0 {
		return nil
	}
	return unsafe.Slice((*uint64)(unsafe.Pointer(&m.raw[0])), len(m.raw)/8)
}

func (m *mappedWords) release() error {
	if m == nil || len(m.raw) == 0 {
		return nil
	}
	err := unmapFile(m.raw)
	m.raw = nil
	return err
}

// spillFile is a scratch file written sequentially, then mapped.
type spillFile struct {
	f   *os.File
	w   *bufio.Writer
	n   int
	buf [8]byte
}

func newSpillFile(dir string) (*spillFile, error) {
	f, err := os.CreateTemp(dir, bandScratchPattern)
	if err != nil {
		return nil, err
	}
	return &spillFile{f: f, w: bufio.NewWriterSize(f, 64<<10)}, nil
}

func (s *spillFile) word(x uint64) error {
	s.n += 8
	binary.NativeEndian.PutUint64(s.buf[:], x)
	_, err := s.w.Write(s.buf[:])
	return err
}

func (s *spillFile) bytes(b []byte) error {
	s.n += len(b)
	_, err := s.w.Write(b)
	return err
}

// mapAndRemove flushes the file, maps it, and removes it.
func (s *spillFile) mapAndRemove() (raw []byte, err error) {
	defer func() {
		err = errors.Join(err, s.f.Close(), os.Remove(s.f.Name()))
	}()
	if err := s.w.Flush(); err != nil {
		return nil, err
	}
	if s.n == 0 {
		return nil, nil
	}
	raw, err = mapFile(s.f, s.n)
	if err != nil {
		return nil, fmt.Errorf("engine: map %s: %w", s.f.Name(), err)
	}
	return raw, nil
}

// discard removes the file unmapped (after a failed build).
func (s *spillFile) discard() {
	s.f.Close()
	os.Remove(s.f.Name())
}
