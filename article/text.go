// Package article turns HTML into the text people read: the plain text of a
// feed item's content (PlainText), and the main text and metadata of a whole
// page (Extract: go-trafilatura with its fallback extractors), without
// navigation, ads, comments or related-article lists.
package article

import (
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// PlainText returns the readable text of an HTML fragment: entities decoded,
// tags dropped, script, style and other non-content elements skipped, one
// paragraph per line and runs of spaces folded. Text without markup passes
// through with its spaces folded.
func PlainText(fragment string) string {
	if !strings.ContainsAny(fragment, "<&") {
		return foldLines(fragment)
	}
	z := html.NewTokenizer(strings.NewReader(fragment))
	z.SetMaxBuf(0)
	var b strings.Builder
	skip := 0 // depth inside elements whose text is not content
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if z.Err() == io.EOF {
				return foldLines(b.String())
			}
			return foldLines(b.String())
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if skipped[a] && tt == html.StartTagToken {
				skip++
				continue
			}
			if block[a] || a == atom.Br {
				b.WriteByte('\n')
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if skipped[a] {
				if skip > 0 {
					skip--
				}
				continue
			}
			if block[a] {
				b.WriteByte('\n')
			}
		}
	}
}

var skipped = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Iframe: true, atom.Svg: true, atom.Math: true, atom.Object: true, atom.Head: true,
	atom.Select: true, atom.Button: true,
}

var block = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Section: true, atom.Article: true, atom.Header: true,
	atom.Footer: true, atom.Aside: true, atom.Nav: true, atom.Li: true, atom.Ul: true, atom.Ol: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Blockquote: true, atom.Pre: true, atom.Table: true, atom.Tr: true, atom.Figure: true,
	atom.Figcaption: true, atom.Hr: true, atom.Dl: true, atom.Dt: true, atom.Dd: true,
	atom.Main: true, atom.Td: true, atom.Th: true,
}

// foldLines folds each line's runs of white space into one space, trims the
// lines and drops empty ones, in one pass over s (it runs on every feed
// item, so it is kept allocation-light: one output buffer).
func foldLines(s string) string {
	out := make([]byte, 0, len(s))
	sep := byte(0) // separator owed before the next word: 0, ' ' or '\n'
	for i := 0; i < len(s); {
		c := s[i]
		if c == '\n' {
			if len(out) > 0 {
				sep = '\n'
			}
			i++
			continue
		}
		if c < utf8.RuneSelf {
			if asciiSpace[c] {
				if len(out) > 0 && sep == 0 {
					sep = ' '
				}
				i++
				continue
			}
		} else if r, n := utf8.DecodeRuneInString(s[i:]); unicode.IsSpace(r) {
			if len(out) > 0 && sep == 0 {
				sep = ' '
			}
			i += n
			continue
		}
		// a word: up to the next space
		j := i
		for j < len(s) {
			c := s[j]
			if c < utf8.RuneSelf {
				if asciiSpace[c] {
					break
				}
				j++
				continue
			}
			r, n := utf8.DecodeRuneInString(s[j:])
			if unicode.IsSpace(r) {
				break
			}
			j += n
		}
		if sep != 0 {
			out = append(out, sep)
			sep = 0
		}
		out = append(out, s[i:j]...)
		i = j
	}
	return string(out)
}

var asciiSpace = [utf8.RuneSelf]bool{' ': true, '\t': true, '\n': true, '\r': true, '\v': true, '\f': true}

// WordCount counts the words of a text.
func WordCount(s string) int {
	return len(strings.FieldsFunc(s, unicode.IsSpace))
}
