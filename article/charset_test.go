package article

import (
	"strings"
	"testing"
)

// TestExtractCharsetLies: a page whose Content-Type names a legacy charset
// but whose bytes are UTF-8 (a regression the hostile-server suite, package
// hostile, found: it was stored as "cafÃ©") is read as UTF-8; a page really
// in the declared charset still is decoded by it.
func TestExtractCharsetLies(t *testing.T) {
	const para = `<p>At the café the naïve reviewers found that the agents completed research engineering tasks lasting more than eight hours without intervention, graded by engineers who did not know which system produced each result.</p>`
	body := strings.Replace(page("", para), `<meta charset="utf-8">`, "", 1)
	for _, tt := range []struct {
		name string
		body []byte
		ct   string
	}{
		{"utf-8 said to be ISO-8859-1", []byte(body), "text/html; charset=ISO-8859-1"},
		{"utf-8 said to be windows-1252", []byte(body), "text/html; charset=windows-1252"},
		{"utf-8 said to be Shift_JIS", []byte(body), `text/html; charset="shift_jis"`},
		{"utf-8 with a windows-1252 meta tag", []byte(strings.Replace(body, "<head>", `<head><meta charset="windows-1252">`, 1)), "text/html"},
		{"ISO-8859-1 as said", latin1(t, body), "text/html; charset=ISO-8859-1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Extract(tt.body, Options{ContentType: tt.ct})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(res.Text, "At the café the naïve reviewers") {
				t.Errorf("text %q", res.Text)
			}
		})
	}
}
