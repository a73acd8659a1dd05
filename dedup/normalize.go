package dedup

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize folds the differences that republication introduces without
// changing what a text says, so that two copies of one text compare equal:
//
//   - Unicode NFKC (full-width forms, ligatures, compatibility characters);
//   - lower case;
//   - every run of white space, punctuation, symbols and control characters
//     becomes one space, trimmed at both ends, so straight and curly quotes,
//     hyphens and dashes of every kind, and line breaks all fold alike;
//   - an apostrophe between two letters vanishes ("don’t" and "don't" are
//     "dont"), and a '.' or ',' between two digits stays ("3.5", "1,000");
//   - invisible format characters (soft hyphens, zero-width spaces) vanish.
//
// The result is words separated by single spaces. Normalize is idempotent.
func Normalize(text string) string {
	s := norm.NFKC.String(text)
	var b strings.Builder
	b.Grow(len(s))
	space := false // a separator is pending
	var prev rune  // the last rune written, 0 after a separator
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			r = unicode.ToLower(r)
			b.WriteRune(r)
			prev = r
		case unicode.Is(unicode.Cf, r):
			// Invisible: soft hyphen, zero-width space and joiners, BOM.
		case isApostrophe(r) && unicode.IsLetter(prev) && !space && unicode.IsLetter(next(s[i:])):
			// Inside a word: "don’t" → "dont".
		case (r == '.' || r == ',') && unicode.IsDigit(prev) && !space && unicode.IsDigit(next(s[i:])):
			b.WriteRune(r)
			prev = r
		default:
			space = true
			prev = 0
		}
	}
	// Dropping a format character can leave a base letter next to a
	// combining mark that NFKC composes; compose once more so that
	// Normalize(Normalize(x)) == Normalize(x).
	return norm.NFKC.String(b.String())
}

// next returns the first rune of s, or 0.
func next(s string) rune {
	if s == "" {
		return 0
	}
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

func isApostrophe(r rune) bool {
	switch r {
	case '\'', '’', '‘', 'ʼ', '`', '´', '′':
		return true
	}
	return false
}

// ContentHash returns the hex SHA-256 of Normalize(text): equal for two
// texts that differ only in case, white space, punctuation or Unicode form.
func ContentHash(text string) string { return hashNormalized(Normalize(text)) }

// hashNormalized is ContentHash of a text already normalized.
func hashNormalized(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
