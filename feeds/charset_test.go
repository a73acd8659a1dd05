package feeds

import (
	"encoding/binary"
	"strings"
	"testing"
	"unicode/utf16"
)

// Regression tests for what the hostile-server suite (package hostile)
// found: feeds in UTF-16, and UTF-8 feeds whose declaration names another
// encoding, were refused or stored as mojibake.

func encodingFeed(decl string) string {
	return decl + `<rss version="2.0"><channel><title>Caf` + "é" + `</title><link>http://x.example/</link>` +
		`<item><title>na` + "ï" + `ve caf` + "é" + `</title><link>http://x.example/a</link></item></channel></rss>`
}

func toUTF16(s string, bigEndian, bom bool) []byte {
	var out []byte
	if bom {
		if bigEndian {
			out = []byte{0xFE, 0xFF}
		} else {
			out = []byte{0xFF, 0xFE}
		}
	}
	for _, u := range utf16.Encode([]rune(s)) {
		if bigEndian {
			out = binary.BigEndian.AppendUint16(out, u)
		} else {
			out = binary.LittleEndian.AppendUint16(out, u)
		}
	}
	return out
}

func TestParseEncodings(t *testing.T) {
	const decl16 = `<?xml version="1.0" encoding="UTF-16"?>`
	tests := []struct {
		name string
		body []byte
	}{
		{"utf-16le with BOM", toUTF16(encodingFeed(decl16), false, true)},
		{"utf-16be with BOM", toUTF16(encodingFeed(decl16), true, true)},
		{"utf-16le without BOM", toUTF16(encodingFeed(decl16), false, false)},
		{"utf-16be without BOM", toUTF16(encodingFeed(decl16), true, false)},
		{"utf-16le without declaration", toUTF16(encodingFeed(""), false, false)},
		{"utf-8 declared ISO-8859-1", []byte(encodingFeed(`<?xml version="1.0" encoding="ISO-8859-1"?>`))},
		{"utf-8 declared windows-1252, single quotes", []byte(encodingFeed(`<?xml version='1.0' encoding='windows-1252'?>`))},
		{"utf-8 declared UTF-16", []byte(encodingFeed(decl16))},
		{"utf-8 declared an unknown encoding", []byte(encodingFeed(`<?xml version="1.0" encoding="x-klingon"?>`))},
		{"utf-8 with BOM declared ISO-8859-1", []byte("\xef\xbb\xbf" + encodingFeed(`<?xml version="1.0" encoding="ISO-8859-1"?>`))},
		{"latin-1 as declared", []byte(strings.NewReplacer("é", "\xe9", "ï", "\xef").Replace(encodingFeed(`<?xml version="1.0" encoding="ISO-8859-1"?>`)))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse(tt.body, "application/rss+xml")
			if err != nil {
				t.Fatal(err)
			}
			if f.Title != "Café" || len(f.Items) != 1 || f.Items[0].Title != "naïve café" {
				t.Errorf("decoded %q / %+v", f.Title, f.Items)
			}
		})
	}
}
