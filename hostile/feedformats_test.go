package hostile

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/frontierwatch/frontierwatch/feeds"
)

// Feed behaviours: encodings, nesting and entities, content types.

// bodyAt serves the bytes body(b), made once when the server starts, as
// the feed with Content-Type ct.
func bodyAt(ct string, body func(b *bench) []byte) func(*bench) string {
	return func(b *bench) string {
		s := b.http()
		payload := body(b)
		s.handle("/", func(w http.ResponseWriter, r *http.Request) {
			if ct != "" {
				w.Header().Set("Content-Type", ct)
			} else {
				w.Header()["Content-Type"] = nil // no sniffing either
			}
			w.Write(payload)
		})
		return s.URL + "/feed"
	}
}

// titles: the stored articles have exactly these titles.
func titles(want ...string) func(t *testing.T, o *outcome) {
	return func(t *testing.T, o *outcome) {
		t.Helper()
		var got []string
		for _, a := range o.articles {
			got = append(got, a.Title)
		}
		slices.Sort(got)
		want = slices.Clone(want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("stored titles %q, want %q", got, want)
		}
	}
}

// noField: no stored article's title or text contains s.
func noField(s string) func(t *testing.T, o *outcome) {
	return func(t *testing.T, o *outcome) {
		t.Helper()
		for _, a := range o.articles {
			if strings.Contains(a.Title, s) || strings.Contains(a.Text, s) {
				t.Errorf("article %s holds %q", a.URL, s)
			}
		}
	}
}

// both runs checks one after the other.
func both(checks ...func(t *testing.T, o *outcome)) func(t *testing.T, o *outcome) {
	return func(t *testing.T, o *outcome) {
		t.Helper()
		for _, c := range checks {
			c(t, o)
		}
	}
}

func utf16Bytes(s string, bigEndian, bom bool) []byte {
	var out []byte
	if bom {
		if bigEndian {
			out = append(out, 0xFE, 0xFF)
		} else {
			out = append(out, 0xFF, 0xFE)
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

const (
	declUTF8   = `<?xml version="1.0" encoding="UTF-8"?>`
	declLatin1 = `<?xml version="1.0" encoding="ISO-8859-1"?>`
	declUTF16  = `<?xml version="1.0" encoding="UTF-16"?>`
)

func encodingBehaviours() []*behaviour {
	feed := func(decl string, ts ...string) func(b *bench) []byte {
		return func(b *bench) []byte { return []byte(rssTitles(decl, b.srv.URL, ts...)) }
	}
	u16 := func(bigEndian, bom bool) func(b *bench) []byte {
		return func(b *bench) []byte {
			return utf16Bytes(rssTitles(declUTF16, b.srv.URL, "café", "naïve"), bigEndian, bom)
		}
	}
	ok := func(n int, ts ...string) want { return want{ok: true, items: n, check: titles(ts...)} }
	return []*behaviour{
		{name: "invalid-utf8", family: "encoding", setup: bodyAt("application/rss+xml", feed(declUTF8, "bad \xff byte", "good")),
			want: ok(2, "bad \uFFFD byte", "good")},
		{name: "latin1-declared", family: "encoding", setup: bodyAt("application/rss+xml", feed(declLatin1, "caf\xe9", "na\xefve")),
			want: ok(2, "café", "naïve")},
		{name: "latin1-declared-utf8-body", family: "encoding", setup: bodyAt("application/rss+xml", feed(declLatin1, "café", "naïve")),
			want: ok(2, "café", "naïve")},
		{name: "utf8-declared-latin1-body", family: "encoding", setup: bodyAt("application/rss+xml", feed(declUTF8, "caf\xe9", "plain")),
			want: ok(2, "caf\uFFFD", "plain")},
		{name: "utf16le-with-bom", family: "encoding", setup: bodyAt("application/rss+xml", u16(false, true)), want: ok(2, "café", "naïve")},
		{name: "utf16le-without-bom", family: "encoding", setup: bodyAt("application/rss+xml", u16(false, false)), want: ok(2, "café", "naïve")},
		{name: "utf16be-without-bom", family: "encoding", setup: bodyAt("application/rss+xml", u16(true, false)), want: ok(2, "café", "naïve")},
		{name: "mixed-encodings", family: "encoding", setup: bodyAt("application/rss+xml", feed(declUTF8, "café one", "caf\xe9 two")),
			want: ok(2, "café one", "caf\uFFFD two")},
		{name: "header-charset-contradicts-xml", family: "encoding", setup: bodyAt("application/rss+xml; charset=iso-8859-1", feed(declUTF8, "café")),
			want: ok(1, "café")},
		{name: "unknown-charset-label", family: "encoding", setup: bodyAt("application/rss+xml", feed(`<?xml version="1.0" encoding="x-klingon"?>`, "café")),
			want: ok(1, "café")},
		{name: "windows-1252-quotes", family: "encoding", setup: bodyAt("application/rss+xml", feed(`<?xml version="1.0" encoding="windows-1252"?>`, "\x93quoted\x94 caf\xe9")),
			want: ok(1, "“quoted” café")},
		{name: "shift-jis", family: "encoding", setup: bodyAt("application/rss+xml", feed(`<?xml version="1.0" encoding="Shift_JIS"?>`, "\x93\xfa\x96\x7b")),
			want: ok(1, "日本")},
		{name: "nul-and-control-bytes", family: "encoding", setup: bodyAt("application/rss+xml", feed(declUTF8, "a\x00b\x01c\x1bd")),
			want: ok(1, "abcd")},
		{name: "utf8-bom-and-whitespace", family: "encoding", setup: bodyAt("application/rss+xml", func(b *bench) []byte {
			return append([]byte("\xef\xbb\xbf \r\n\t"), feed(declUTF8, "café")(b)...)
		}), want: ok(1, "café")},
		{name: "overlong-and-surrogate-utf8", family: "encoding", setup: bodyAt("application/rss+xml", feed(declUTF8, "x\xc0\xafy", "s\xed\xa0\x80t")),
			want: want{ok: true, items: 2}},
	}
}

func nestingBehaviours() []*behaviour {
	const depth = 100000
	deep := func(open, close string) string {
		return strings.Repeat(open, depth) + "deep text" + strings.Repeat(close, depth)
	}
	laughs := `<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>`
	item := func(base, title, desc string) string {
		return fmt.Sprintf(`<rss version="2.0"><channel><title>t</title><link>%s/</link><item><title>%s</title><link>%s/post/1</link><description>%s</description></item></channel></rss>`,
			base, title, base, desc)
	}
	short := func(t *testing.T, o *outcome) {
		for _, a := range o.articles {
			if len(a.Title) > 200 || len(a.Text) > 64<<10 {
				t.Errorf("article %s: %d-byte title, %d-byte text: entities expanded", a.URL, len(a.Title), len(a.Text))
			}
		}
	}
	return []*behaviour{
		{name: "xml-nested-100k-in-item", family: "nesting", setup: bodyAt("application/rss+xml", func(b *bench) []byte {
			return []byte(declUTF8 + item(b.srv.URL, "Deep", deep("<a>", "</a>")))
		}), want: want{ok: true, items: 1, check: titles("Deep")}},
		{name: "xml-nested-100k-root", family: "nesting", setup: bodyAt("application/rss+xml", func(b *bench) []byte {
			return []byte(declUTF8 + deep("<rss>", "</rss>"))
		}), want: want{err: feeds.ErrEmptyFeed}},
		{name: "atom-nested-100k-xhtml", family: "nesting", setup: bodyAt("application/atom+xml", func(b *bench) []byte {
			return fmt.Appendf(nil, `%s<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><title>Deep atom</title><link href="%s/post/1"/><id>x</id><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">%s</div></content></entry></feed>`,
				declUTF8, b.srv.URL, deep("<div>", "</div>"))
		}), want: want{ok: true, items: 1, check: titles("Deep atom")}},
		{name: "html-nested-100k-in-cdata", family: "nesting", setup: bodyAt("application/rss+xml", func(b *bench) []byte {
			return []byte(declUTF8 + item(b.srv.URL, "Deep HTML", "<![CDATA["+deep("<div>", "</div>")+"]]>"))
		}), want: want{ok: true, items: 1, check: titles("Deep HTML")}},
		{name: "json-nested-100k", family: "nesting", setup: bodyAt("application/feed+json", func(b *bench) []byte {
			return fmt.Appendf(nil, `{"version":"https://jsonfeed.org/version/1.1","title":"t","items":[{"id":"1","url":"%s/post/1","title":"Deep JSON","_x":%s}]}`,
				b.srv.URL, strings.Repeat("[", depth)+strings.Repeat("]", depth))
		}), want: want{err: feeds.ErrNotFeed}},
		{name: "billion-laughs", family: "nesting", setup: bodyAt("application/rss+xml", func(b *bench) []byte {
			return []byte(`<?xml version="1.0"?>` + laughs + item(b.srv.URL, "Laughs &lol9;", "&lol9;"))
		}), want: want{ok: true, items: 1, check: short}},
		{name: "quadratic-blowup", family: "nesting", setup: bodyAt("application/rss+xml", func(b *bench) []byte {
			// gofeed does not look past a document type declaration this
			// long: refused, which is as good as not expanded.
			big := strings.Repeat("a", 100000)
			return []byte(`<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "` + big + `">]>` + item(b.srv.URL, "Quadratic", strings.Repeat("&a;", 20000)))
		}), want: want{err: feeds.ErrNotFeed}},
		{name: "xxe-local-file", family: "nesting", setup: bodyAt("application/rss+xml", func(b *bench) []byte {
			return []byte(`<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>` + item(b.srv.URL, "XXE &xxe;", "secret: &xxe;"))
		}), want: want{ok: true, items: 1, check: both(noField("root:"), noField("/bin/"))}},
		{name: "xxe-remote-entity", family: "nesting", setup: func(b *bench) string {
			b.aux = newServer(b.t, b.q, false)
			b.aux.handle("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "exfiltrated") })
			return bodyAt("application/rss+xml", func(b *bench) []byte {
				return []byte(`<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "` + b.aux.URL + `/xxe">]>` + item(b.srv.URL, "Remote &xxe;", "&xxe;"))
			})(b)
		}, want: want{ok: true, items: 1, check: both(noField("exfiltrated"), auxUntouched)}},
		{name: "xxe-parameter-entity", family: "nesting", setup: func(b *bench) string {
			b.aux = newServer(b.t, b.q, false)
			b.aux.handle("/", func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, `<!ENTITY % all "<!ENTITY send SYSTEM 'file:///etc/passwd'>">%all;`)
			})
			return bodyAt("application/rss+xml", func(b *bench) []byte {
				return []byte(`<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY % remote SYSTEM "` + b.aux.URL + `/evil.dtd">%remote;]>` + item(b.srv.URL, "Parameter &send;", "&send;"))
			})(b)
		}, want: want{ok: true, items: 1, check: both(noField("root:"), auxUntouched)}},
		{name: "huge-attribute", family: "nesting", setup: bodyAt("application/rss+xml", func(b *bench) []byte {
			// One attribute of 1 MiB, under the cap.
			return []byte(declUTF8 + strings.Replace(item(b.srv.URL, "Long attribute", "d"), "<title>Long", `<title x="`+strings.Repeat("A", mib)+`">Long`, 1))
		}), want: want{ok: true, items: 1, check: titles("Long attribute")}},
	}
}

// auxUntouched: the behaviour's auxiliary server (an entity's target)
// heard nothing.
func auxUntouched(t *testing.T, o *outcome) {
	if n := o.bench.aux.total.Load(); n != 0 {
		t.Errorf("the entity's URL was fetched %d times", n)
	}
}

func contentTypeBehaviours() []*behaviour {
	notFeed := func(msg string) want { return want{err: feeds.ErrNotFeed, msg: msg} }
	empty := want{err: feeds.ErrEmptyFeed}
	jsonFeed := func(b *bench) []byte {
		var items []string
		for i := range 3 {
			items = append(items, fmt.Sprintf(`{"id":"%d","url":"%s/post/%d","title":"JSON item %d","content_text":"Agents work for hours."}`, i, b.srv.URL, i, i))
		}
		return []byte(`{"version":"https://jsonfeed.org/version/1.1","title":"j","items":[` + strings.Join(items, ",") + `]}`)
	}
	return []*behaviour{
		{name: "html-served-as-feed", family: "content-type", setup: bodyAt("text/html; charset=utf-8", func(b *bench) []byte {
			return []byte(`<!doctype html><html><head><title>Blog</title><link rel="alternate" type="application/rss+xml" href="/rss"></head><body><p>Subscribe!</p></body></html>`)
		}), want: notFeed("text/html")},
		{name: "png-served-as-feed", family: "content-type", setup: bodyAt("image/png", func(b *bench) []byte {
			return append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0}, 4096)...)
		}), want: notFeed("image/png")},
		{name: "json-claiming-rss", family: "content-type", setup: bodyAt("application/rss+xml", func(b *bench) []byte {
			return []byte(`{"status":"ok","data":[1,2,3],"next":null}`)
		}), want: want{}},
		{name: "json-feed-typed-as-xml", family: "content-type", setup: bodyAt("application/rss+xml", jsonFeed),
			want: want{ok: true, items: 3}},
		{name: "rss-typed-as-text-plain", family: "content-type", setup: bodyAt("text/plain", func(b *bench) []byte { return rss(b.srv.URL, "plain", 3) }),
			want: want{ok: true, items: 3}},
		{name: "rss-without-content-type", family: "content-type", setup: bodyAt("", func(b *bench) []byte { return rss(b.srv.URL, "untyped", 3) }),
			want: want{ok: true, items: 3}},
		{name: "octet-stream-noise", family: "content-type", setup: bodyAt("application/octet-stream", func(b *bench) []byte {
			return bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef, 0x00, 0x7f}, 10000)
		}), want: notFeed("application/octet-stream")},
		{name: "svg-served-as-feed", family: "content-type", setup: bodyAt("image/svg+xml", func(b *bench) []byte {
			return []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><title>x</title><rect width="1" height="1"/></svg>`)
		}), want: notFeed("image/svg+xml")},
		{name: "pdf-served-as-feed", family: "content-type", setup: bodyAt("application/pdf", func(b *bench) []byte {
			return []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF")
		}), want: notFeed("application/pdf")},
		{name: "xhtml-served-as-feed", family: "content-type", setup: bodyAt("application/xml", func(b *bench) []byte {
			return []byte(`<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><head><title>x</title></head><body><p>hi</p></body></html>`)
		}), want: notFeed("")},
		{name: "opml-served-as-feed", family: "content-type", setup: bodyAt("text/xml", func(b *bench) []byte {
			return []byte(`<?xml version="1.0"?><opml version="2.0"><head><title>subs</title></head><body><outline type="rss" xmlUrl="http://example.org/feed"/></body></opml>`)
		}), want: notFeed("")},
		{name: "sitemap-served-as-feed", family: "content-type", setup: bodyAt("application/xml", func(b *bench) []byte {
			return []byte(`<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://example.org/a</loc></url></urlset>`)
		}), want: notFeed("")},
		{name: "rss-without-items", family: "content-type", setup: bodyAt("application/rss+xml", func(b *bench) []byte {
			return []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>nothing</title><link>http://example.org/</link></channel></rss>`)
		}), want: empty},
		{name: "items-without-links", family: "content-type", setup: bodyAt("application/rss+xml", func(b *bench) []byte {
			return []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>a</title></item><item><title>b</title><description>x</description></item></channel></rss>`)
		}), want: empty},
		{name: "script-and-data-links", family: "content-type", setup: bodyAt("application/rss+xml", func(b *bench) []byte {
			return []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>` +
				`<item><title>a</title><link>javascript:alert(document.cookie)</link></item>` +
				`<item><title>b</title><link>data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;</link></item>` +
				`<item><title>c</title><link>file:///etc/passwd</link><guid>vbscript:msgbox(1)</guid></item></channel></rss>`)
		}), want: empty},
	}
}
