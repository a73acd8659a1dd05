package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"strings"
)

// Cursors are opaque and tamper-evident: a version, the kind of list, a
// fingerprint of the query, the position (five 64-bit numbers), and an
// HMAC-SHA256 (truncated to 128 bits) of all that under the server's
// cursor key, in unpadded base64url. A cursor of another query, an edited
// cursor or one signed with another key is a bad parameter.
const (
	cursorVersion = 2 // 2: five numbers, for search bands
	cursorPayload = 1 + 1 + 8 + cursorSlots*8
	cursorSlots   = 5
	cursorMAC     = 16
	cursorLen     = cursorPayload + cursorMAC
)

// Kinds of list a cursor walks.
const (
	cursorArticles byte = 1
	cursorStories  byte = 2
)

// fingerprint hashes the parameters that define a result list, so that a
// cursor cannot be replayed against another query.
func fingerprint(parts ...string) [8]byte {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	var fp [8]byte
	copy(fp[:], h[:8])
	return fp
}

// encodeCursor signs a position in a list.
func encodeCursor(key []byte, kind byte, fp [8]byte, pos [cursorSlots]uint64) string {
	b := make([]byte, cursorPayload, cursorLen)
	b[0], b[1] = cursorVersion, kind
	copy(b[2:10], fp[:])
	for i, v := range pos {
		binary.BigEndian.PutUint64(b[10+8*i:], v)
	}
	m := hmac.New(sha256.New, key)
	m.Write(b)
	b = append(b, m.Sum(nil)[:cursorMAC]...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor checks a cursor and returns its position; the error is a
// bad parameter that says why, without echoing the cursor.
func decodeCursor(key []byte, kind byte, fp [8]byte, v string) ([cursorSlots]uint64, error) {
	var pos [cursorSlots]uint64
	if len(v) > 2*cursorLen {
		return pos, badParam("cursor", "not a cursor of this list (too long)")
	}
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil || len(b) != cursorLen {
		return pos, badParam("cursor", "not a cursor of this list (malformed)")
	}
	m := hmac.New(sha256.New, key)
	m.Write(b[:cursorPayload])
	if !hmac.Equal(m.Sum(nil)[:cursorMAC], b[cursorPayload:]) {
		return pos, badParam("cursor", "not a cursor of this server (altered, or signed with another key)")
	}
	if b[0] != cursorVersion || b[1] != kind {
		return pos, badParam("cursor", "not a cursor of this list")
	}
	if !hmac.Equal(b[2:10], fp[:]) {
		return pos, badParam("cursor", "made for other search parameters; start again without a cursor")
	}
	for i := range pos {
		pos[i] = binary.BigEndian.Uint64(b[10+8*i:])
	}
	return pos, nil
}

func encodeKey(k []byte) string { return hex.EncodeToString(k) }

func decodeKey(s string) ([]byte, bool) {
	k, err := hex.DecodeString(s)
	return k, err == nil && len(k) >= 16
}
