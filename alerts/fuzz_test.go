package alerts

import (
	"encoding/json"
	"net/mail"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/frontierwatch/frontierwatch/config"
)

var fuzzSeeds = []string{
	"", "plain", hostileTitle, hostileSentence, "&amp;&lt;", "\\*already\\* escaped", "@@everyone@", "<<!channel>>",
	"\xff\xfe broken utf-8", "𝕏𝕏𝕏 wide", strings.Repeat("<&>", 2000), "\r\n\t\x00", "[a](b)(c)[d]", "ü ß ✓ 中文",
}

// checkDiscordEscaped fails unless every special character of s is
// escaped with a backslash and every @ is followed by a zero-width space.
func checkDiscordEscaped(t *testing.T, in, s string) {
	t.Helper()
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			if i+1 >= len(s) || strings.IndexByte(discordSpecial, s[i+1]) < 0 {
				t.Fatalf("discordEscape(%q) = %q: stray backslash at %d", in, s, i)
			}
			i++
		case strings.IndexByte(discordSpecial, c) >= 0:
			t.Fatalf("discordEscape(%q) = %q: unescaped %q at %d", in, s, c, i)
		case c == '@':
			if !strings.HasPrefix(s[i+1:], "\u200b") {
				t.Fatalf("discordEscape(%q) = %q: bare @ at %d", in, s, i)
			}
		}
	}
}

// checkSlackEscaped fails unless s has no < or > and every & starts an
// entity.
func checkSlackEscaped(t *testing.T, in, s string) {
	t.Helper()
	if strings.ContainsAny(s, "<>") {
		t.Fatalf("slackEscape(%q) = %q has < or >", in, s)
	}
	for i := strings.IndexByte(s, '&'); i >= 0; {
		rest := s[i:]
		if !strings.HasPrefix(rest, "&amp;") && !strings.HasPrefix(rest, "&lt;") && !strings.HasPrefix(rest, "&gt;") {
			t.Fatalf("slackEscape(%q) = %q: bare & at %d", in, s, i)
		}
		j := strings.IndexByte(s[i+1:], '&')
		if j < 0 {
			break
		}
		i += 1 + j
	}
}

func FuzzEscape(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, 40)
	}
	f.Fuzz(func(t *testing.T, s string, limit int) {
		limit = max(0, limit%5000)
		checkSlackEscaped(t, s, slackEscape(s))
		checkDiscordEscaped(t, s, discordEscape(s))
		for name, esc := range map[string]func(string) string{"slack": slackEscape, "discord": discordEscape} {
			out := fit(s, limit, esc)
			if textLen(out) > limit {
				t.Fatalf("fit(%q, %d, %s) = %q: %d long", s, limit, name, out, textLen(out))
			}
			body := strings.TrimSuffix(out, ellipsis)
			if name == "slack" {
				checkSlackEscaped(t, s, body)
			} else {
				checkDiscordEscaped(t, s, body)
			}
			if utf8.ValidString(s) && !utf8.ValidString(out) {
				t.Fatalf("fit(%q) = %q: invalid UTF-8", s, out)
			}
		}
		if out := truncate(s, limit); textLen(out) > limit || (utf8.ValidString(s) && !utf8.ValidString(out)) {
			t.Fatalf("truncate(%q, %d) = %q", s, limit, out)
		}
		if u := safeURL(s); u != "" && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			t.Fatalf("safeURL(%q) = %q", s, u)
		}
	})
}

// FuzzChatPayload renders Slack and Discord messages of alerts with
// arbitrary text: valid JSON, within limits, nothing unescaped.
func FuzzChatPayload(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, s, "https://example.org/a?b=(c)|d>e")
	}
	slack, err := New(config.Channel{Name: "s", Type: TypeSlack, URL: "https://hooks.example/x"}, Deps{})
	if err != nil {
		f.Fatal(err)
	}
	discord, err := New(config.Channel{Name: "d", Type: TypeDiscord, URL: "https://hooks.example/x"}, Deps{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, title, sentence, url string) {
		a := sampleAlert()
		a.Article.Title, a.Figure.Sentence, a.Article.URL, a.Milestone.Subject = title, sentence, url, title
		b := a
		b.DeliveryID = "other"
		for _, alerts := range [][]Alert{{a}, {a, b}} {
			body, err := slack.(*httpNotifier).payload(alerts)
			if err != nil || !json.Valid(body) {
				t.Fatalf("Slack payload: %v, %s", err, body)
			}
			texts := slackTexts(t, body)
			for _, s := range texts {
				if textLen(s) > slackSectionMax {
					t.Fatalf("Slack text %d long", textLen(s))
				}
				// Remove the links this package wrote; nothing else may be <…>.
				for _, m := range slackControl.FindAllString(s, -1) {
					if !strings.HasPrefix(m, "<http://") && !strings.HasPrefix(m, "<https://") {
						t.Fatalf("Slack control sequence %q in %q", m, s)
					}
					if u, _, _ := strings.Cut(m[1:len(m)-1], "|"); strings.ContainsAny(u, "< \t\n") {
						t.Fatalf("broken Slack link %q", m)
					}
				}
			}
			body, err = discord.(*httpNotifier).payload(alerts)
			if err != nil || !json.Valid(body) {
				t.Fatalf("Discord payload: %v, %s", err, body)
			}
			_, texts = discordTexts(t, body)
			for _, s := range texts {
				if strings.Contains(s, "@everyone") || strings.Contains(s, "@here") {
					t.Fatalf("Discord text pings: %q", s)
				}
			}
		}
	})
}

func FuzzMessageID(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, s+"x")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		ida := MessageID(a)
		if _, err := mail.ParseAddress("<" + ida + ">"); err != nil {
			t.Fatalf("MessageID(%q) = %q: %v", a, ida, err)
		}
		if a != b && ida == MessageID(b) {
			t.Fatalf("MessageID(%q) = MessageID(%q) = %q", a, b, ida)
		}
	})
}
