package article

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gogs/chardet"
	trafilatura "github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
	"golang.org/x/net/publicsuffix"
	"golang.org/x/text/encoding"
	"golang.org/x/text/unicode/norm"
)

// ErrNoText is returned (wrapped) when a page has no main text to extract.
var ErrNoText = errors.New("article: no main text")

// Options says what is known about a page besides its bytes.
type Options struct {
	// URL is the address the page was fetched from. It resolves relative
	// canonical links and helps find the publication date; it may be empty.
	URL string
	// ContentType is the response's Content-Type header; its charset, when
	// stated, decides how the bytes are decoded.
	ContentType string
}

// Result is what Extract finds in a page.
type Result struct {
	Title     string
	Author    string    // authors separated by "; ", as the page names them
	Published time.Time // from the page's metadata (or its text); zero when unknown
	Language  string    // ISO 639-1 code of the main text, "" when unknown
	// Text is the main text, headings included, without navigation, ads,
	// comments or related-article lists, as go-trafilatura gives it (its
	// paragraphs mostly run together on one line), white space folded.
	Text string
	// Canonical is the page's own statement of its address (<link
	// rel="canonical">), absolute, and only when it is believable: an
	// http(s) URL on the same site that is not the site's home page
	// (unless the page is). "" otherwise.
	Canonical   string
	SiteName    string
	Description string
}

// Extract finds the main text and metadata of the HTML page body with
// go-trafilatura, its fallback extractors (readability, DOM distiller) on
// and comments left out. It returns an error wrapping ErrNoText when the
// page has no text to speak of.
func Extract(body []byte, opts Options) (res *Result, err error) {
	var pageURL *url.URL
	if opts.URL != "" {
		u, err := url.Parse(opts.URL)
		if err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
			pageURL = u
		}
	}
	doc, err := parseHTML(body, opts.ContentType)
	if err != nil {
		return nil, fmt.Errorf("article: parse %s: %w", displayURL(opts.URL), err)
	}
	defer func() {
		// The extractors walk arbitrary trees; a bug in one of them must
		// cost one page, not the process.
		if p := recover(); p != nil {
			res, err = nil, fmt.Errorf("article: extract %s: panic: %v", displayURL(opts.URL), p)
		}
	}()
	out, err := trafilatura.ExtractDocument(doc, trafilatura.Options{
		OriginalURL:     pageURL,
		EnableFallback:  true,
		ExcludeComments: true,
		PruneSelector:   pruned,
	})
	if err != nil {
		return nil, fmt.Errorf("article: extract %s: %w: %v", displayURL(opts.URL), ErrNoText, err)
	}
	// ContentText, not a rendering of ContentNode with a line per
	// paragraph: the comparison benchmark (and so the published scores)
	// is on ContentText, whose snippets often span paragraphs.
	text := foldLines(out.ContentText)
	if text == "" {
		return nil, fmt.Errorf("article: extract %s: %w", displayURL(opts.URL), ErrNoText)
	}
	m := out.Metadata
	return &Result{
		Title:       oneLine(m.Title),
		Author:      oneLine(m.Author),
		Published:   m.Date,
		Language:    m.Language,
		Text:        text,
		Canonical:   believableCanonical(m.URL, pageURL),
		SiteName:    oneLine(m.Sitename),
		Description: oneLine(m.Description),
	}, nil
}

// pruned are the usual containers of reader comments and of the cookie
// banners of common consent managers. They are removed before extraction:
// go-trafilatura leaves comments out of what it extracts itself, but its
// last-resort baseline (for pages whose main text is short) takes the whole
// body, banners and comments included.
const pruned = "#comments, .comments-area, .comment-list, .commentlist, #disqus_thread, " +
	"#cookie-banner, .cookie-banner, .cookie-consent, #cookie-notice, #cookie-law-info-bar, " +
	"#onetrust-consent-sdk, #CybotCookiebotDialog, .cc-window"

// parseHTML decodes body and parses it. The charset comes from a
// byte-order mark, else UTF-8 when the body is valid UTF-8 (whatever the
// Content-Type says, unless it names an encoding such as UTF-16 or
// ISO-2022-JP whose bytes are not ASCII's), else from the Content-Type or a
// <meta> declaration, else a statistical guess. The text is then NFC-normalised and soft hyphens are dropped, as
// go-trafilatura's own parser does, so that words compare and search as
// people type them.
func parseHTML(body []byte, contentType string) (*html.Node, error) {
	declared := strings.Contains(strings.ToLower(contentType), "charset") || hasBOM(body)
	if declared && !hasBOM(body) && utf8.Valid(body) && asciiCompatible(contentType) {
		// Valid UTF-8 (beyond ASCII) is practically never text in the
		// declared legacy encoding: it is a page whose server or template
		// names the wrong charset, and decoding it as declared would turn
		// every "é" into "Ã©".
		declared = false
	}
	if declared || !utf8.Valid(body) {
		var enc encoding.Encoding
		var name string
		if declared || metaCharset(body) {
			enc, name, _ = charset.DetermineEncoding(body, contentType)
		} else if guess, err := chardet.NewHtmlDetector().DetectBest(body); err == nil {
			enc, _ = charset.Lookup(guess.Charset)
			name = guess.Charset
		}
		if enc != nil && !strings.EqualFold(name, "utf-8") {
			if decoded, err := enc.NewDecoder().Bytes(body); err == nil {
				body = decoded
			}
		}
	}
	if !utf8.Valid(body) {
		// A guess that left bytes undecodable: keep the text, not them.
		body = bytes.ToValidUTF8(body, []byte("\uFFFD"))
	}
	if bytes.Contains(body, softHyphen) {
		body = bytes.ReplaceAll(body, softHyphen, nil)
	}
	body = norm.NFC.Bytes(body)
	return html.Parse(bytes.NewReader(body))
}

var softHyphen = []byte("\u00AD")

// asciiCompatible reports whether the charset a Content-Type names (if any)
// encodes ASCII as ASCII, so that a body valid as UTF-8 could be meant as
// UTF-8.
func asciiCompatible(contentType string) bool {
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return true
	}
	switch label := strings.ToLower(strings.TrimSpace(params["charset"])); {
	case strings.HasPrefix(label, "utf-16"), strings.HasPrefix(label, "utf-32"), strings.HasPrefix(label, "ucs-"),
		strings.HasPrefix(label, "iso-2022"), strings.HasPrefix(label, "csiso2022"), label == "utf-7", label == "hz-gb-2312":
		return false
	}
	return true
}

// metaCharset reports whether the start of body declares a charset.
func metaCharset(body []byte) bool {
	head := body[:min(len(body), 1024)]
	return bytes.Contains(bytes.ToLower(head), []byte("charset"))
}

func hasBOM(b []byte) bool {
	return bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}) || bytes.HasPrefix(b, []byte{0xFE, 0xFF}) || bytes.HasPrefix(b, []byte{0xFF, 0xFE})
}

// believableCanonical returns stated when it is an absolute http(s) URL on
// the same registrable domain as page, and not the site's root unless page
// is the root too: sites that point every page's canonical link at their
// home page would otherwise merge all their articles into one.
func believableCanonical(stated string, page *url.URL) string {
	if stated == "" {
		return ""
	}
	c, err := url.Parse(stated)
	if err != nil || (c.Scheme != "http" && c.Scheme != "https") || c.Host == "" {
		return ""
	}
	if page == nil {
		return c.String()
	}
	if c.String() == page.String() {
		return "" // go-trafilatura's fallback when the page states none
	}
	if site(c.Hostname()) != site(page.Hostname()) {
		return ""
	}
	if isRoot(c) && !isRoot(page) {
		return ""
	}
	return c.String()
}

func isRoot(u *url.URL) bool { return (u.Path == "" || u.Path == "/") && u.RawQuery == "" }

// site is the registrable domain of host (host itself when it has none).
func site(host string) string {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if d, err := publicsuffix.EffectiveTLDPlusOne(host); err == nil {
		return d
	}
	return host
}

// oneLine folds a metadata value's white space into single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// displayURL names a page in errors, without userinfo.
func displayURL(raw string) string {
	if raw == "" {
		return "page"
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "page"
	}
	u.User = nil
	return u.String()
}
