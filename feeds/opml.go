package feeds

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/frontierwatch/frontierwatch"
)

// OPML is an OPML 2.0 document: the usual way feed readers exchange their
// subscription lists.
type OPML struct {
	XMLName xml.Name  `xml:"opml"`
	Version string    `xml:"version,attr"`
	Title   string    `xml:"head>title,omitempty"`
	Created string    `xml:"head>dateCreated,omitempty"`
	Body    []Outline `xml:"body>outline"`
}

// Outline is one OPML outline: a feed (with xmlUrl) or a folder of them.
type Outline struct {
	Text     string    `xml:"text,attr"`
	Title    string    `xml:"title,attr,omitempty"`
	Type     string    `xml:"type,attr,omitempty"`
	XMLURL   string    `xml:"xmlUrl,attr,omitempty"`
	HTMLURL  string    `xml:"htmlUrl,attr,omitempty"`
	Children []Outline `xml:"outline"`
}

// maxOPMLDepth bounds folder nesting; real lists nest two or three deep.
const maxOPMLDepth = 32

// ParseOPML reads an OPML file and returns its feeds as sources (kind feed,
// enabled, origin user), named after their titles and made unique. Outlines
// without an http(s) xmlUrl are skipped; a file with no feed at all is an
// error, since importing it is surely a mistake.
func ParseOPML(r io.Reader) ([]frontierwatch.Source, error) {
	var doc OPML
	dec := xml.NewDecoder(r)
	dec.Strict = false // OPML in the wild has stray ampersands
	dec.CharsetReader = charsetReader
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("opml: %w", err)
	}
	var srcs []frontierwatch.Source
	names := map[string]int{}
	var walk func(os []Outline, depth int) error
	walk = func(os []Outline, depth int) error {
		if depth > maxOPMLDepth {
			return fmt.Errorf("opml: outlines nested deeper than %d", maxOPMLDepth)
		}
		for _, o := range os {
			if u, err := url.Parse(strings.TrimSpace(o.XMLURL)); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
				title := o.Title
				if title == "" {
					title = o.Text
				}
				name := SourceName(title, u)
				if n := names[name]; n > 0 {
					names[name] = n + 1
					name = fmt.Sprintf("%s-%d", name, n+1)
				} else {
					names[name] = 1
				}
				srcs = append(srcs, frontierwatch.Source{
					Name: name, Kind: frontierwatch.KindFeed, URL: u.String(),
					Enabled: true, Origin: frontierwatch.OriginUser,
				})
			}
			if err := walk(o.Children, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(doc.Body, 0); err != nil {
		return nil, err
	}
	if len(srcs) == 0 {
		return nil, errors.New("opml: no feed outlines (with an http or https xmlUrl) found")
	}
	return srcs, nil
}

var nameJunk = regexp.MustCompile(`[^a-z0-9._-]+`)

// SourceName makes a valid source name (^[a-z0-9][a-z0-9._-]*$) from a
// title, falling back to the URL's host.
func SourceName(title string, u *url.URL) string {
	n := strings.Trim(nameJunk.ReplaceAllString(strings.ToLower(foldMarks(title)), "-"), "-._")
	if n == "" && u != nil {
		n = strings.Trim(nameJunk.ReplaceAllString(strings.ToLower(strings.TrimPrefix(u.Hostname(), "www.")), "-"), "-._")
	}
	if len(n) > 64 {
		n = strings.Trim(n[:64], "-._")
	}
	if n == "" {
		n = "feed"
	}
	return n
}

// foldMarks drops diacritics: "Ünïcode" becomes "Unicode".
func foldMarks(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// WriteOPML writes the feed sources as an OPML 2.0 document.
func WriteOPML(w io.Writer, title string, srcs []frontierwatch.Source, now time.Time) error {
	doc := OPML{Version: "2.0", Title: title, Created: now.UTC().Format(time.RFC1123Z)}
	for _, s := range srcs {
		if s.Kind != frontierwatch.KindFeed {
			continue
		}
		doc.Body = append(doc.Body, Outline{Text: s.Name, Title: s.Name, Type: "rss", XMLURL: s.URL})
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("opml: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}
