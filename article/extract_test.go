package article

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// page is a small article page with furniture around it.
func page(head, body string) string {
	return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">` + head + `</head><body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/about">About us</a></nav>
<article><h1>Agents now work for a whole day</h1>` + body + `</article>
<aside class="related"><h2>Related articles</h2><ul><li><a href="/x">Something else entirely happened</a></li></ul></aside>
<footer>© 2026 Example Media. All rights reserved.</footer></body></html>`
}

const para = `<p>The lab said its newest model completed software tasks that take human experts more than twelve hours, working without help for the whole time.</p>
<p>Independent evaluators measured a doubling of the task horizon every four months across the last two years of releases, a pace faster than earlier estimates.</p>
<p>The report also says that most of the code merged into the lab's main repository is now written by the model itself, reviewed by engineers.</p>`

func TestExtract(t *testing.T) {
	tests := []struct {
		name          string
		body          []byte
		opts          Options
		wantText      []string
		wantNot       []string
		wantTitle     string
		wantAuthor    string
		wantPublished string // YYYY-MM-DD
		wantLang      string
		wantCanonical string
	}{
		{
			name: "metadata",
			body: []byte(page(`<title>Agents now work for a whole day | Example</title>
<meta name="author" content="Ada Lovelace"><meta property="article:published_time" content="2026-03-04T10:00:00Z">
<link rel="canonical" href="/2026/03/agents-day">`, para)),
			opts:          Options{URL: "https://news.example.com/2026/03/agents-day?utm_source=rss"},
			wantText:      []string{"more than twelve hours", "every four months"},
			wantNot:       []string{"About us", "Related articles", "All rights reserved"},
			wantTitle:     "Agents now work for a whole day",
			wantAuthor:    "Ada Lovelace",
			wantPublished: "2026-03-04",
			wantLang:      "en",
			wantCanonical: "https://news.example.com/2026/03/agents-day",
		},
		{
			name:          "canonical to the home page is not believed",
			body:          []byte(page(`<link rel="canonical" href="https://news.example.com/">`, para)),
			opts:          Options{URL: "https://news.example.com/2026/03/agents-day"},
			wantText:      []string{"more than twelve hours"},
			wantCanonical: "",
		},
		{
			name:          "canonical on another site is not believed",
			body:          []byte(page(`<link rel="canonical" href="https://elsewhere.example.net/a/b">`, para)),
			opts:          Options{URL: "https://news.example.com/2026/03/agents-day"},
			wantText:      []string{"more than twelve hours"},
			wantCanonical: "",
		},
		{
			name:          "canonical on a sibling host of the same site",
			body:          []byte(page(`<link rel="canonical" href="https://www.example.com/a/b">`, para)),
			opts:          Options{URL: "https://news.example.com/a/b?ref=home"},
			wantCanonical: "https://www.example.com/a/b",
		},
		{
			name:     "charset from the content type",
			body:     latin1(t, page("", strings.ReplaceAll(para, "reviewed by engineers", "geprüft von Ingenieuren"))),
			opts:     Options{ContentType: "text/html; charset=ISO-8859-1"},
			wantText: []string{"geprüft von Ingenieuren"},
		},
		{
			name:     "latin-1 without a declaration",
			body:     latin1(t, strings.Replace(page("", strings.ReplaceAll(para, "reviewed by engineers", "geprüft von Ingenieuren")), `<meta charset="utf-8">`, "", 1)),
			wantText: []string{"geprüft von Ingenieuren"},
		},
		{
			name:     "soft hyphens dropped",
			body:     []byte(page("", strings.ReplaceAll(para, "evaluators", "evalu\u00adators"))),
			wantText: []string{"Independent evaluators measured"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Extract(tt.body, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.wantText {
				if !strings.Contains(res.Text, w) {
					t.Errorf("text lacks %q:\n%s", w, res.Text)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(res.Text, w) {
					t.Errorf("text has furniture %q:\n%s", w, res.Text)
				}
			}
			if strings.Contains(res.Text, "\n\n") {
				t.Errorf("empty line in text %q", res.Text)
			}
			if tt.wantTitle != "" && res.Title != tt.wantTitle {
				t.Errorf("title %q, want %q", res.Title, tt.wantTitle)
			}
			if tt.wantAuthor != "" && res.Author != tt.wantAuthor {
				t.Errorf("author %q, want %q", res.Author, tt.wantAuthor)
			}
			if tt.wantPublished != "" && res.Published.Format(time.DateOnly) != tt.wantPublished {
				t.Errorf("published %v, want %s", res.Published, tt.wantPublished)
			}
			if tt.wantLang != "" && res.Language != tt.wantLang {
				t.Errorf("language %q, want %q", res.Language, tt.wantLang)
			}
			if res.Canonical != tt.wantCanonical {
				t.Errorf("canonical %q, want %q", res.Canonical, tt.wantCanonical)
			}
		})
	}
}

func latin1(t *testing.T, s string) []byte {
	t.Helper()
	b, err := charmap.ISO8859_1.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestExtractNoText(t *testing.T) {
	for _, body := range []string{"", "<html><body></body></html>", "<html><body><script>var a;</script></body></html>"} {
		_, err := Extract([]byte(body), Options{URL: "https://user:secret@example.com/x"})
		if !errors.Is(err, ErrNoText) {
			t.Errorf("Extract(%q) error %v, want ErrNoText", body, err)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("error leaks the password: %v", err)
		}
	}
}

func TestBelievableCanonical(t *testing.T) {
	page, _ := url.Parse("https://blog.example.co.uk/posts/1")
	tests := []struct{ stated, want string }{
		{"", ""},
		{"https://blog.example.co.uk/posts/1", ""}, // the page's own URL: nothing stated
		{"https://blog.example.co.uk/posts/1/", "https://blog.example.co.uk/posts/1/"},
		{"https://www.example.co.uk/p/1", "https://www.example.co.uk/p/1"},
		{"https://other.co.uk/p/1", ""},
		{"https://blog.example.co.uk/", ""},
		{"https://blog.example.co.uk", ""},
		{"ftp://blog.example.co.uk/posts/1", ""},
		{"/relative", ""},
	}
	for _, tt := range tests {
		if got := believableCanonical(tt.stated, page); got != tt.want {
			t.Errorf("believableCanonical(%q) = %q, want %q", tt.stated, got, tt.want)
		}
	}
	root, _ := url.Parse("https://blog.example.co.uk")
	if got := believableCanonical("https://blog.example.co.uk/", root); got != "https://blog.example.co.uk/" {
		t.Errorf("a home page's own canonical refused: %q", got)
	}
}

func FuzzExtract(f *testing.F) {
	f.Add([]byte(page("<title>t</title>", para)), "text/html")
	f.Add([]byte("<html><body><p>x</p></body></html>"), "text/html; charset=iso-8859-1")
	f.Add([]byte("\xef\xbb\xbf<p>bom</p>"), "")
	f.Add([]byte("<table><tr><td><table><tr><td>a</table></table>"), "text/html; charset=shift_jis")
	if b, err := os.ReadFile(filepath.Join("testdata", "corpus", "sentences-de-01.html")); err == nil {
		f.Add(b, "")
	}
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		res, err := Extract(body, Options{URL: "https://example.com/a", ContentType: contentType})
		if err != nil {
			// ErrNoText, or a recovered panic of the extractors: either
			// way one page is lost, not the process.
			return
		}
		if res.Text == "" || !utf8.ValidString(res.Text) || strings.Contains(res.Text, "\n\n") {
			t.Fatalf("bad text %q", res.Text)
		}
	})
}
