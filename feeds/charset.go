package feeds

import (
	"bytes"
	"io"
	"regexp"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/unicode"
)

// charsetReader decodes XML declared in a legacy encoding (ISO-8859-1,
// windows-1252, …) for encoding/xml.
func charsetReader(label string, input io.Reader) (io.Reader, error) {
	return charset.NewReaderLabel(label, input)
}

// xmlEncoding matches the encoding of an XML declaration at the start of
// a document (after a UTF-8 byte-order mark and white space).
var xmlEncoding = regexp.MustCompile(`^(?:\x{FEFF})?\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]*)["']`)

// normalizeEncoding returns a feed body that gofeed decodes right, for the
// bodies it would refuse or garble:
//
//   - UTF-16, with or without a byte-order mark (XML 1.0 appendix F), is
//     turned into UTF-8, and its declaration with it;
//   - a body that is valid UTF-8 with non-ASCII text but declares another
//     encoding (most often ISO-8859-1 or windows-1252, by a template that
//     was never updated) is read as UTF-8: decoding it as declared would
//     turn every "é" into "Ã©". Text in a legacy encoding is practically
//     never valid UTF-8;
//   - a valid UTF-8 body that declares an encoding nobody knows is read
//     as UTF-8 rather than refused.
//
// Other bodies are returned as they are.
func normalizeEncoding(body []byte) []byte {
	if b, ok := fromUTF16(body); ok {
		body = b
	} else {
		m := xmlEncoding.FindSubmatchIndex(body)
		if m == nil || !utf8.Valid(body) {
			return body
		}
		label := string(body[m[2]:m[3]])
		enc, name := charset.Lookup(label)
		switch {
		case enc == nil: // unknown
		case name == "utf-8":
			return body
		case !hasNonASCII(body):
			return body // ASCII reads the same in every such encoding
		}
	}
	m := xmlEncoding.FindSubmatchIndex(body)
	if m == nil {
		return body
	}
	out := make([]byte, 0, len(body))
	out = append(out, body[:m[2]]...)
	out = append(out, "UTF-8"...)
	return append(out, body[m[3]:]...)
}

// fromUTF16 decodes a UTF-16 body, told by its byte-order mark or, without
// one, by the zero bytes of its first two (ASCII) characters.
func fromUTF16(body []byte) ([]byte, bool) {
	if len(body) < 4 {
		return nil, false
	}
	var order unicode.Endianness
	switch {
	case body[0] == 0xFF && body[1] == 0xFE, body[0] != 0 && body[1] == 0 && body[2] != 0 && body[3] == 0:
		order = unicode.LittleEndian
	case body[0] == 0xFE && body[1] == 0xFF, body[0] == 0 && body[1] != 0 && body[2] == 0 && body[3] != 0:
		order = unicode.BigEndian
	default:
		return nil, false
	}
	out, err := unicode.UTF16(order, unicode.UseBOM).NewDecoder().Bytes(body)
	if err != nil {
		return nil, false
	}
	return bytes.TrimPrefix(out, []byte("\xef\xbb\xbf")), true
}

func hasNonASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}
