package alerts

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/frontierwatch/frontierwatch/config"
)

// sendTo posts alerts through a fresh channel of typ and returns the body.
func sendTo(t *testing.T, ch config.Channel, deps Deps, alerts ...Alert) []byte {
	t.Helper()
	rcv := newReceiver(t, nil)
	ch.URL = config.Secret(rcv.URL + "/services/T/B/x")
	if ch.Name == "" {
		ch.Name = ch.Type + "-test"
	}
	n := newNotifier(t, ch, deps)
	if retry, err := n.Notify(context.Background(), alerts); err != nil {
		t.Fatalf("Notify: %v, %v", retry, err)
	}
	return rcv.last(t).Body
}

// slackTexts returns every text of a Slack message.
func slackTexts(t *testing.T, body []byte) []string {
	t.Helper()
	var m slackMessage
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	out := []string{m.Text}
	for _, b := range m.Blocks {
		if b.Text != nil {
			out = append(out, b.Text.Text)
		}
		for _, e := range b.Elements {
			out = append(out, e.Text)
		}
	}
	return out
}

// slackControl matches the <…> sequences Slack acts on; the only ones
// allowed are links to http(s) URLs this package wrote.
var slackControl = regexp.MustCompile(`<[^>]*>`)

func checkSlackSafe(t *testing.T, texts []string) {
	t.Helper()
	for _, s := range texts {
		if len(s) > slackSectionMax {
			t.Errorf("text of %d bytes: over Slack's limit", len(s))
		}
		for _, m := range slackControl.FindAllString(s, -1) {
			if !strings.HasPrefix(m, "<https://metr.org/") && !strings.HasPrefix(m, "<https://fw.example/") {
				t.Errorf("Slack control sequence %q from article text in %q", m, s)
			}
		}
		for _, bad := range []string{"<!channel>", "<!here>", "<@U", "<#C", "<script>", "|https://evil"} {
			if strings.Contains(s, bad) {
				t.Errorf("Slack text contains %q: %q", bad, s)
			}
		}
	}
}

func TestSlackHostile(t *testing.T) {
	body := sendTo(t, config.Channel{Type: TypeSlack}, Deps{PublicURL: "https://fw.example/", MinSources: 3}, hostileAlert())
	golden(t, "slack.golden.json", body)
	texts := slackTexts(t, body)
	checkSlackSafe(t, texts)
	all := strings.Join(texts, "\n")
	for _, want := range []string{"&lt;!channel&gt;", "&lt;script&gt;alert(1)&lt;/script&gt; &amp; \"quotes\"", "&lt;!here&gt;",
		"<https://metr.org/blog/2026-03-04-horizon|", "(not yet confirmed)", "beats 8 hours"} {
		if !strings.Contains(all, want) {
			t.Errorf("Slack message lacks %q:\n%s", want, all)
		}
	}
	var m slackMessage
	_ = json.Unmarshal(body, &m)
	if m.UnfurlLinks || m.UnfurlMedia {
		t.Error("links unfurl")
	}
}

func TestSlackDigestAndTest(t *testing.T) {
	// A digest of more alerts than Slack allows blocks is one message.
	var alerts []Alert
	for i := range 60 {
		a := hostileAlert()
		a.DeliveryID = fmt.Sprintf("ms-%d", i)
		alerts = append(alerts, a)
	}
	alerts[0].Test = true
	body := sendTo(t, config.Channel{Type: TypeSlack}, Deps{}, alerts...)
	var m slackMessage
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Blocks) > 50 {
		t.Errorf("%d blocks, Slack allows 50", len(m.Blocks))
	}
	texts := slackTexts(t, body)
	checkSlackSafe(t, texts)
	all := strings.Join(texts, "\n")
	for _, want := range []string{"[TEST] frontierwatch: 60 new milestones", "…and 15 more", "*[TEST]* This is a test alert"} {
		if !strings.Contains(all, want) {
			t.Errorf("digest lacks %q:\n%s", want, all)
		}
	}
	body = sendTo(t, config.Channel{Type: TypeSlack}, Deps{}, sampleAlert(), secondAlert())
	golden(t, "slack_digest.golden.json", body)
}

// discordTexts returns every text of a Discord message, and checks the
// limits on the way.
func discordTexts(t *testing.T, body []byte) (discordMessage, []string) {
	t.Helper()
	var m discordMessage
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(body), `"allowed_mentions":{"parse":[]}`) {
		t.Errorf("allowed_mentions is not empty: %s", body)
	}
	if textLen(m.Content) > discordContentMax {
		t.Errorf("content is %d long", textLen(m.Content))
	}
	out := []string{m.Content}
	for _, e := range m.Embeds {
		if textLen(e.Title) > discordTitleMax || textLen(e.Description) > discordDescriptionMax ||
			len(e.Fields) > discordFieldsMax || e.size() > discordEmbedTotalMax {
			t.Errorf("embed over Discord's limits: title %d, description %d, %d fields, total %d",
				textLen(e.Title), textLen(e.Description), len(e.Fields), e.size())
		}
		out = append(out, e.Title, e.Description)
		for _, f := range e.Fields {
			if textLen(f.Name) > discordFieldNameMax || textLen(f.Value) > discordFieldValueMax {
				t.Errorf("field over Discord's limits: %d, %d", textLen(f.Name), textLen(f.Value))
			}
			out = append(out, f.Name, f.Value)
		}
		if e.Footer != nil {
			if textLen(e.Footer.Text) > discordFooterMax {
				t.Errorf("footer is %d long", textLen(e.Footer.Text))
			}
			out = append(out, e.Footer.Text)
		}
	}
	for _, s := range out {
		if !utf8.ValidString(s) {
			t.Errorf("invalid UTF-8: %q", s)
		}
	}
	return m, out
}

// discordUnescaped finds markdown or mention syntax that is not escaped.
var discordUnescaped = []*regexp.Regexp{
	regexp.MustCompile(`@(everyone|here)`),
	regexp.MustCompile(`(^|[^\\])\]\(https?://evil`),
	regexp.MustCompile(`(^|[^\\])<[@#!:]`),
	regexp.MustCompile(`(^|[^\\])\*bold`),
	regexp.MustCompile("(^|[^\\\\])`code"),
	regexp.MustCompile(`(^|[^\\])\|\|spoiler`),
}

func checkDiscordSafe(t *testing.T, texts []string) {
	t.Helper()
	for _, s := range texts {
		for _, re := range discordUnescaped {
			if re.MatchString(s) {
				t.Errorf("Discord text %q matches %s", s, re)
			}
		}
	}
}

func TestDiscordHostile(t *testing.T) {
	body := sendTo(t, config.Channel{Type: TypeDiscord}, Deps{PublicURL: "https://fw.example/"}, hostileAlert())
	golden(t, "discord.golden.json", body)
	m, texts := discordTexts(t, body)
	checkDiscordSafe(t, texts)
	all := strings.Join(texts, "\n")
	for _, want := range []string{`\[click\]\(https://evil.example/x\)`, "@\u200beveryone", `\<script\>`, "[Open frontierwatch](https://fw.example/)"} {
		if !strings.Contains(all, want) {
			t.Errorf("Discord message lacks %q:\n%s", want, all)
		}
	}
	if len(m.Embeds) != 1 || m.Embeds[0].URL != "https://metr.org/blog/2026-03-04-horizon" || m.Embeds[0].Timestamp != "2026-03-04T05:00:00Z" {
		t.Errorf("embed = %+v", m.Embeds)
	}
}

func TestDiscordLimits(t *testing.T) {
	long := hostileAlert()
	long.Article.Title = strings.Repeat("[x](https://evil.example) ", 200)
	long.Figure.Sentence = strings.Repeat("@everyone 𝕏 ", 2000) // 4-byte runes count twice
	long.Milestone.Subject = strings.Repeat("S", 3000)
	_, texts := discordTexts(t, sendTo(t, config.Channel{Type: TypeDiscord}, Deps{}, long))
	checkDiscordSafe(t, texts)
	if !strings.HasSuffix(texts[1], "…") {
		t.Errorf("long title not cut with …: %q", texts[1][len(texts[1])-20:])
	}

	var alerts []Alert
	for i := range 40 {
		a := long
		a.DeliveryID = fmt.Sprintf("ms-%d", i)
		alerts = append(alerts, a)
	}
	alerts[3].Test = true
	m, texts := discordTexts(t, sendTo(t, config.Channel{Type: TypeDiscord}, Deps{}, alerts...))
	checkDiscordSafe(t, texts)
	if !strings.Contains(m.Content, `\[TEST\] frontierwatch: 40 new milestones`) || !strings.Contains(m.Embeds[0].Description, "test alert") {
		t.Errorf("digest content %q, description %q", m.Content, m.Embeds[0].Description)
	}
	if f := m.Embeds[0].Footer.Text; !regexp.MustCompile(`^…and \d+ more`).MatchString(f) {
		t.Errorf("footer %q does not say how many were left out", f)
	}

	body := sendTo(t, config.Channel{Type: TypeDiscord}, Deps{}, sampleAlert(), secondAlert())
	golden(t, "discord_digest.golden.json", body)
	m, _ = discordTexts(t, body)
	if len(m.Embeds) != 1 || len(m.Embeds[0].Fields) != 2 {
		t.Errorf("digest of 2: %+v", m.Embeds)
	}
}

func TestChatTextTemplate(t *testing.T) {
	tpl := "{{if .Digest}}{{.Count}} milestones{{range .Alerts}}\n- {{.Headline}} <{{.Article.URL}}|{{.Article.Title}}>{{end}}{{else}}{{.Headline}}: {{.Sentence}} <{{.Article.URL}}|{{.Article.Title}}>{{end}}"
	ch := config.Channel{Type: TypeSlack, TemplateText: tpl}
	var m slackMessage
	if err := json.Unmarshal(sendTo(t, ch, Deps{}, hostileAlert()), &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Blocks) != 0 || !strings.HasPrefix(m.Text, "new record for task_horizon: over 12 hours (Evil &lt;@U999&gt; @everyone)") {
		t.Errorf("Slack template text = %q", m.Text)
	}
	checkSlackSafe(t, []string{strings.ReplaceAll(m.Text, "<https://metr.org/blog/2026-03-04-horizon|", "")})

	ta := SampleAlert("c", testNow)
	if err := json.Unmarshal(sendTo(t, ch, Deps{}, ta, sampleAlert()), &m); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(m.Text, "[TEST] 2 milestones\n- ") {
		t.Errorf("Slack template digest = %q", m.Text)
	}

	ch = config.Channel{Type: TypeDiscord, TemplateText: "{{.Headline}} {{.Article.Title}} {{.Sentence}} [{{.Article.Title}}]({{.Article.URL}})"}
	var dm discordMessage
	if err := json.Unmarshal(sendTo(t, ch, Deps{}, hostileAlert()), &dm); err != nil {
		t.Fatal(err)
	}
	if len(dm.Embeds) != 0 || !strings.Contains(dm.Content, `[\<script\>alert\(1\)\</script\>`) {
		t.Errorf("Discord template content = %q", dm.Content)
	}
	checkDiscordSafe(t, []string{dm.Content})
}
