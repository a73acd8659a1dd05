package dedup

import (
	"math/bits"
	"slices"
	"unicode"
	"unicode/utf8"
)

// ShingleSize is the number of consecutive words in one SimHash feature.
// Chosen by measurement (see README.md in testdata/pairs): single words
// make unrelated texts on one topic look alike (their stop words and
// vocabulary agree), three-word shingles tolerate a typo less well.
const ShingleSize = 2

// SimHash returns the 64-bit SimHash (Charikar 2002) of Normalize(text):
// every distinct feature votes on every bit, +1 when its hash has the bit
// set and -1 when not, and the fingerprint keeps the bits with a positive
// sum. Texts that share most features get fingerprints a few bits apart
// (see Distance); unrelated texts differ in about 32 bits.
//
// Features are shingles of ShingleSize consecutive words; CJK and Thai
// text, written without spaces, counts each character as a word. A
// feature's hash is FNV-1a 64 over its bytes followed by the MurmurHash3
// 64-bit finaliser (FNV-1a alone mixes its low bits poorly), so a
// fingerprint is the same in every process, on every machine and in every
// version: archives store them. The empty text has SimHash 0.
func SimHash(text string) uint64 {
	s := Normalize(text)
	return simhashWords(s, wordSpans(s))
}

// Distance is the Hamming distance between two fingerprints: the number of
// bits in which they differ, 0 to 64.
func Distance(a, b uint64) int { return bits.OnesCount64(a ^ b) }

// span is one word of a normalised text: s[start:end].
type span struct{ start, end int }

// wordSpans returns the words of the normalised text s, where each CJK or
// Thai character is a word of its own.
func wordSpans(s string) []span {
	var out []span
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == ' ':
		case isCJK(r):
			out = append(out, span{i, i + n})
		default:
			j := i + n
			for j < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[j:])
				if r2 == ' ' || isCJK(r2) {
					break
				}
				j += n2
			}
			out = append(out, span{i, j})
			n = j - i
		}
		i += n
	}
	return out
}

// simhashWords is the SimHash of the words w of the normalised text s. A
// shingle is the substring of s from its first word's start to its last
// word's end, so hashing allocates nothing per feature.
func simhashWords(s string, w []span) uint64 {
	if len(w) == 0 {
		return 0
	}
	n := max(len(w)-ShingleSize+1, 1) // a text shorter than a shingle is one feature
	hs := make([]uint64, n)
	for i := range hs {
		last := min(i+ShingleSize, len(w)) - 1
		hs[i] = hashFeature(s[w[i].start:w[last].end])
	}
	slices.Sort(hs)
	hs = slices.Compact(hs) // each distinct feature votes once
	var v [64]int
	for _, h := range hs {
		for b := range 64 {
			v[b] += int(h>>b&1)*2 - 1
		}
	}
	var fp uint64
	for b := range 64 {
		if v[b] > 0 {
			fp |= 1 << b
		}
	}
	return fp
}

// isCJK reports scripts written without spaces between words.
func isCJK(r rune) bool {
	return r >= 0x0E00 && (unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) ||
		unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Thai, r))
}

// hashFeature is FNV-1a 64 followed by the MurmurHash3 fmix64 finaliser.
// Changing it changes every stored fingerprint.
func hashFeature(f string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(f); i++ {
		h ^= uint64(f[i])
		h *= 1099511628211
	}
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}
