package graph

import (
	"bufio"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/ristretto/v2/z"
)

// Backup errors.
var (
	// ErrBadBackup means a backup file is not one, is truncated or was altered.
	ErrBadBackup = errors.New("graph: not a valid personagraph backup (truncated or altered?)")
	// ErrNotEmpty means a restore target, or a bulk load's, already holds data.
	ErrNotEmpty = errors.New("graph: the store is not empty")
)

// A backup file (docs/format.md) is a header and a sequence of chunks:
//
//	header: "PGBACKUP" version(1) mode(1: 0 plain, 1 AES-256-GCM) salt(16)
//	chunk:  length(u32 BE) flags(1: bit 0 = last chunk) payload(length)
//
// A plain payload is data followed by its CRC-32C; an encrypted one is the data sealed
// with AES-256-GCM under a key derived from the store key and the salt, nonce = chunk
// number, additional data = chunk number and flags. The last chunk is marked, so a
// truncated file is detected. The data of all chunks, joined, is a sequence of entries
// uvarint(len key) key uvarint(len value) value: the live keys of the store.
//
// Badger's own DB.Backup format was rejected: it carries deletion markers, whose keys
// hold identifier values (postings) that forget has erased, and it is never encrypted.
const (
	backupMagic     = "PGBACKUP"
	backupVersion   = 1
	backupPlain     = 0
	backupAESGCM    = 1
	backupSaltLen   = 16
	backupHeaderLen = len(backupMagic) + 2 + backupSaltLen
	backupChunk     = 1 << 20
	chunkLast       = 1
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// BackupStats says what a backup or restore moved.
type BackupStats struct {
	Keys  int   `json:"keys"`
	Bytes int64 `json:"bytes"` // key and value bytes, before framing
}

// Backup writes a consistent snapshot of the store to w while the store stays online:
// every live key as of one read timestamp (the Bleve index is not included; Restore
// rebuilds it). When the store is encrypted the backup is sealed with its key. Deleted
// data, e.g. what forget erased, is not in the backup; a backup taken before a forget
// still holds what was forgotten.
func (s *Store) Backup(ctx context.Context, w io.Writer) (BackupStats, error) {
	var st BackupStats
	cw, err := newChunkWriter(w, s.key)
	if err != nil {
		return st, err
	}
	stream := s.db.NewStream()
	stream.LogPrefix = "graph.Backup"
	stream.NumGo = 2
	var scratch []byte
	stream.Send = func(buf *z.Buffer) error {
		list, err := badger.BufferToKVList(buf)
		if err != nil {
			return err
		}
		for _, kv := range list.Kv {
			if kv.StreamDone {
				continue
			}
			scratch = binary.AppendUvarint(scratch[:0], uint64(len(kv.Key)))
			scratch = append(scratch, kv.Key...)
			scratch = binary.AppendUvarint(scratch, uint64(len(kv.Value)))
			scratch = append(scratch, kv.Value...)
			if _, err := cw.Write(scratch); err != nil {
				return err
			}
			st.Keys++
			st.Bytes += int64(len(kv.Key) + len(kv.Value))
		}
		return nil
	}
	if err := stream.Orchestrate(ctx); err != nil {
		return st, fmt.Errorf("graph: backup: %w", err)
	}
	if err := cw.Close(); err != nil {
		return st, fmt.Errorf("graph: backup: %w", err)
	}
	return st, nil
}

// Restore creates a store in dir, which must be empty or absent, from a backup read from
// r, then rebuilds its search index. opts.EncryptionKey must be the key of an encrypted
// backup; given for a plain backup, it encrypts the restored store. Interrupted, Restore
// leaves a partial store: remove dir and run it again.
func Restore(ctx context.Context, dir string, r io.Reader, opts *Options) (st BackupStats, err error) {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return st, fmt.Errorf("%w: %s", ErrNotEmpty, dir)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return st, fmt.Errorf("graph: restore: %w", err)
	}
	var key []byte
	if opts != nil {
		key = opts.EncryptionKey
	}
	cr, err := newChunkReader(r, key)
	if err != nil {
		return st, err
	}
	s, err := Open(dir, opts)
	if err != nil {
		return st, err
	}
	defer func() { err = errors.Join(err, s.Close()) }()
	if st, err = s.load(ctx, cr); err != nil {
		return st, err
	}
	// The index was created empty with the store: build it offline (rebuild).
	if err := s.index.rebuild(func(fresh *nameIndex) error {
		_, err := s.indexAll(ctx, fresh)
		return err
	}); err != nil {
		return st, fmt.Errorf("graph: restore: index: %w", err)
	}
	return st, nil
}

// load writes the entries of a backup into an empty store.
func (s *Store) load(ctx context.Context, r io.Reader) (BackupStats, error) {
	var st BackupStats
	empty := true
	if err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{})
		defer it.Close()
		it.Rewind()
		empty = !it.Valid()
		return nil
	}); err != nil {
		return st, err
	}
	if !empty {
		return st, fmt.Errorf("%w: the store holds data", ErrNotEmpty)
	}
	br := bufio.NewReaderSize(r, 64<<10)
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	readField := func() ([]byte, error) {
		n, err := binary.ReadUvarint(br)
		if err != nil {
			return nil, err
		}
		if n > backupChunk*64 {
			return nil, fmt.Errorf("%w: entry of %d bytes", ErrBadBackup, n)
		}
		b := make([]byte, n)
		_, err = io.ReadFull(br, b)
		return b, err
	}
	for {
		k, err := readField()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return st, fmt.Errorf("graph: restore: %w", eofIsBad(err))
		}
		v, err := readField()
		if err != nil {
			return st, fmt.Errorf("graph: restore: %w", eofIsBad(err))
		}
		if err := wb.Set(k, v); err != nil {
			return st, fmt.Errorf("graph: restore: %w", err)
		}
		if st.Keys++; st.Keys%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return st, err
			}
		}
		st.Bytes += int64(len(k) + len(v))
	}
	if err := wb.Flush(); err != nil {
		return st, fmt.Errorf("graph: restore: %w", err)
	}
	return st, nil
}

// eofIsBad turns an end of data inside an entry into ErrBadBackup.
func eofIsBad(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: entry cut short", ErrBadBackup)
	}
	return err
}

// reindexBatch is how many records go to Bleve in one batch when reindexing.
const reindexBatch = 1000

// Reindex rebuilds the search index from the stored records, in batches, and returns
// how many records it read. Use it after a restore, or to repair an index: the index is
// written after Badger commits, so a crash can leave records unindexed. Searches and
// index writes wait while it runs (see nameIndex.rebuild).
func (s *Store) Reindex(ctx context.Context) (int, error) {
	if err := s.queue.wait(); err != nil {
		return 0, err
	}
	n := 0
	err := s.index.rebuild(func(fresh *nameIndex) error {
		var err error
		n, err = s.indexAll(ctx, fresh)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("graph: reindex: %w", err)
	}
	return n, nil
}

// fillMissingIndex indexes every record into a just-created index, if there are any.
func (s *Store) fillMissingIndex() error {
	if empty, err := s.empty(); err != nil || empty {
		return err // a new store: its new index is complete
	}
	n := 0
	err := s.index.rebuild(func(fresh *nameIndex) (err error) {
		n, err = s.indexAll(context.Background(), fresh)
		return err
	})
	if err != nil {
		return fmt.Errorf("graph: rebuild missing index: %w", err)
	}
	if n > 0 {
		s.log.Warn().Int("records", n).Msg("search index was missing: rebuilt it from the records")
	}
	return nil
}

// indexAll indexes every current record into idx, in batches of reindexBatch.
func (s *Store) indexAll(ctx context.Context, idx *nameIndex) (int, error) {
	n := 0
	batch := make([]Put, 0, reindexBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := idx.indexRecords(batch)
		batch = batch[:0]
		return err
	}
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixRecord}, PrefetchValues: true, PrefetchSize: 256})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			item := it.Item()
			id := string(item.Key()[1:])
			var meta recordMeta
			if err := item.Value(func(v []byte) (err error) {
				meta, err = unmarshalMeta(v)
				return err
			}); err != nil {
				return fmt.Errorf("graph: record %q: %w", id, err)
			}
			p, err := indexInput(txn, id, meta.version)
			if err != nil {
				return err
			}
			batch = append(batch, p)
			n++
			if len(batch) == reindexBatch {
				if err := ctx.Err(); err != nil {
					return err
				}
				if err := flush(); err != nil {
					return err
				}
			}
		}
		return flush()
	})
	return n, err
}

// backupAEAD derives the per-file AES-GCM of a backup from the store key and the salt.
func backupAEAD(key, salt []byte) (cipher.AEAD, error) {
	m := hmac.New(sha256.New, deriveKey(key, "backup"))
	m.Write(salt)
	block, err := aes.NewCipher(m.Sum(nil))
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// chunkWriter frames (and seals) a backup's data.
type chunkWriter struct {
	w     io.Writer
	aead  cipher.AEAD // nil for a plain backup
	buf   []byte
	out   []byte
	count uint64
}

func newChunkWriter(w io.Writer, key []byte) (*chunkWriter, error) {
	hdr := make([]byte, 0, backupHeaderLen)
	hdr = append(hdr, backupMagic...)
	hdr = append(hdr, backupVersion, backupPlain)
	salt := make([]byte, backupSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	hdr = append(hdr, salt...)
	cw := &chunkWriter{w: w, buf: make([]byte, 0, backupChunk)}
	if len(key) > 0 {
		hdr[len(backupMagic)+1] = backupAESGCM
		aead, err := backupAEAD(key, salt)
		if err != nil {
			return nil, fmt.Errorf("graph: backup cipher: %w", err)
		}
		cw.aead = aead
	}
	if _, err := w.Write(hdr); err != nil {
		return nil, fmt.Errorf("graph: write backup: %w", err)
	}
	return cw, nil
}

func (c *chunkWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		k := min(len(p), backupChunk-len(c.buf))
		c.buf = append(c.buf, p[:k]...)
		p = p[k:]
		if len(c.buf) == backupChunk {
			if err := c.emit(0); err != nil {
				return 0, err
			}
		}
	}
	return n, nil
}

// Close writes the last chunk, which may be empty. It does not close the writer below.
func (c *chunkWriter) Close() error { return c.emit(chunkLast) }

// chunkAD is a chunk's nonce and additional data: its number and flags, so that chunks
// cannot be reordered, dropped or have their last flag moved.
func chunkAD(count uint64, flags byte) (nonce, ad []byte) {
	nonce = binary.BigEndian.AppendUint64(make([]byte, 4, 12), count)
	return nonce, append(binary.BigEndian.AppendUint64(nil, count), flags)
}

func (c *chunkWriter) emit(flags byte) error {
	c.out = c.out[:0]
	c.out = append(c.out, 0, 0, 0, 0, flags)
	if c.aead != nil {
		nonce, ad := chunkAD(c.count, flags)
		c.out = c.aead.Seal(c.out, nonce, c.buf, ad)
	} else {
		c.out = append(c.out, c.buf...)
		c.out = binary.BigEndian.AppendUint32(c.out, crc32.Checksum(c.out[4:], crcTable))
	}
	binary.BigEndian.PutUint32(c.out, uint32(len(c.out)-5))
	c.count++
	c.buf = c.buf[:0]
	if _, err := c.w.Write(c.out); err != nil {
		return fmt.Errorf("graph: write backup: %w", err)
	}
	return nil
}

// chunkReader reads the data of a backup back, checking every chunk.
type chunkReader struct {
	r     io.Reader
	aead  cipher.AEAD
	data  []byte // unread data of the current chunk
	buf   []byte
	count uint64
	done  bool
}

func newChunkReader(r io.Reader, key []byte) (*chunkReader, error) {
	hdr := make([]byte, backupHeaderLen)
	if _, err := io.ReadFull(r, hdr); err != nil || string(hdr[:len(backupMagic)]) != backupMagic {
		return nil, ErrBadBackup
	}
	if v := hdr[len(backupMagic)]; v != backupVersion {
		return nil, fmt.Errorf("graph: backup format version %d is not supported", v)
	}
	cr := &chunkReader{r: r}
	switch hdr[len(backupMagic)+1] {
	case backupPlain:
	case backupAESGCM:
		if len(key) == 0 {
			return nil, fmt.Errorf("the backup is encrypted: %w", ErrKeyNeeded)
		}
		aead, err := backupAEAD(key, hdr[len(backupMagic)+2:])
		if err != nil {
			return nil, fmt.Errorf("graph: backup cipher: %w", err)
		}
		cr.aead = aead
	default:
		return nil, fmt.Errorf("%w: unknown mode", ErrBadBackup)
	}
	// Read the first chunk now, so that a wrong key fails before a restore creates
	// anything.
	if err := cr.next(); err != nil {
		return nil, err
	}
	return cr, nil
}

func (c *chunkReader) Read(p []byte) (int, error) {
	for len(c.data) == 0 {
		if c.done {
			return 0, io.EOF
		}
		if err := c.next(); err != nil {
			return 0, err
		}
	}
	n := copy(p, c.data)
	c.data = c.data[n:]
	return n, nil
}

func (c *chunkReader) next() error {
	var h [5]byte
	if _, err := io.ReadFull(c.r, h[:]); err != nil {
		return fmt.Errorf("%w: missing chunk %d", ErrBadBackup, c.count)
	}
	n := binary.BigEndian.Uint32(h[:])
	flags := h[4]
	if n > backupChunk+64 {
		return fmt.Errorf("%w: chunk %d of %d bytes", ErrBadBackup, c.count, n)
	}
	if cap(c.buf) < int(n) {
		c.buf = make([]byte, n)
	}
	payload := c.buf[:n]
	if _, err := io.ReadFull(c.r, payload); err != nil {
		return fmt.Errorf("%w: chunk %d cut short", ErrBadBackup, c.count)
	}
	if c.aead != nil {
		nonce, ad := chunkAD(c.count, flags)
		data, err := c.aead.Open(payload[:0], nonce, payload, ad)
		if err != nil {
			if c.count == 0 {
				return fmt.Errorf("open backup: %w", ErrWrongKey)
			}
			return fmt.Errorf("%w: chunk %d fails authentication", ErrBadBackup, c.count)
		}
		c.data = data
	} else {
		if n < 4 {
			return fmt.Errorf("%w: chunk %d too short", ErrBadBackup, c.count)
		}
		sum := binary.BigEndian.Uint32(payload[n-4:])
		check := crc32.Update(crc32.Checksum([]byte{flags}, crcTable), crcTable, payload[:n-4])
		if sum != check {
			return fmt.Errorf("%w: chunk %d checksum", ErrBadBackup, c.count)
		}
		c.data = payload[:n-4]
	}
	c.count++
	if flags&chunkLast != 0 {
		c.done = true
		var one [1]byte
		if k, _ := c.r.Read(one[:]); k > 0 {
			return fmt.Errorf("%w: data after the last chunk", ErrBadBackup)
		}
	}
	return nil
}
