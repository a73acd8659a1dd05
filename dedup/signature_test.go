package dedup

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestMainTextCorpus(t *testing.T) {
	raw, err := os.ReadFile("../../shared/corpus/when-ai-builds-itself.txt")
	if err != nil {
		t.Skipf("corpus not found: %v", err)
	}
	got := MainText(string(raw))
	lines := strings.Split(got, "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "According to monitoring by Beating") {
		t.Fatalf("MainText kept %d lines, want the body paragraph only:\n%s", len(lines), got)
	}
}

func TestMainText(t *testing.T) {
	para := func(words int) string { // a body paragraph of about this many words
		s := strings.Repeat("The agent completed another long task without help today ", words/9+1)
		return strings.Join(strings.Fields(s)[:words], " ") + "."
	}
	p1, p2, p3 := para(40), "Second "+para(30), "Third "+para(50)
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"navigation, headline and byline dropped", []string{"Home", "AI", "Startups", "Agents now finish half-day tasks, METR finds", "By Dana Whitfield | June 6, 2026", p1, p2}, []string{p1, p2}},
		{"ad and caption lines inside the body", []string{p1, "Advertisement", "Photo: METR", p2, "Story continues", p3}, []string{p1, p2, p3}},
		{"a short paragraph between body paragraphs stays", []string{p1, "The company declined to comment on the findings.", p2}, []string{p1, "The company declined to comment on the findings.", p2}},
		{"a long line without a full stop stays", []string{p1, strings.TrimSuffix(p2, ".")}, []string{p1, strings.TrimSuffix(p2, ".")}},
		{"disclaimer, copyright, credits", []string{p1, p2,
			"Disclaimer: The information on this page may have been obtained from third parties and does not necessarily reflect the views of the publisher. It is not investment advice.",
			"Risk warning: Digital asset prices are subject to high market risk and price volatility, and you may not get back the amount you invested in them.",
			"© 2026 TechPulse Media LLC. All rights reserved.",
			"Copyright 2026 Example News Group, a division of a very large media company that owns many sites.",
			"This article originally appeared on TechPulse and is republished here with permission of the author.",
			"(Reporting by Dana Whitfield; Editing by Mark Porter and several other careful editors)",
		}, []string{p1, p2}},
		{"author bio and prompts", []string{p1, p2,
			"Dana Whitfield is a senior reporter at TechPulse covering artificial intelligence labs, chips and policy, and she previously covered enterprise software.",
			"Thanks for reading The Frontier Brief! Subscribe for free to receive new posts and support my work.",
			"Follow Bitget on X and join our Telegram community for the latest crypto and AI news every day.",
			"Sign up for our newsletter to get the most important AI stories delivered to your inbox every Friday morning.",
		}, []string{p1, p2}},
		{"meta notes about updates", []string{"Update, June 5, 2026: This story has been updated with comment from a third AI lab on its safeguards.", p1, "Correction: An earlier version of this article misstated the number of companies in the sample.", p2}, []string{p1, p2}},
		{"a pitch alone among furniture", []string{p1, p2, "Get the newsletter", "The most important AI news of the week, explained. Every Friday in your inbox.", "Sign up"}, []string{p1, p2}},
		{"a generated summary under its heading", []string{"Headline", "AI summary", "", "expand", "Anthropic's report shows that AI self-improvement is advancing, but full autonomy remains out of reach, and traders should watch.", "", p1, p2}, []string{p1, p2}},
		{"a summary heading far above does not eat the body", []string{"In brief", "Home", "News", "Tech", "Markets", p1, p2}, []string{p1, p2}},
		{"a body line that names a person is not a bio", []string{p1, "Lena Fischer is a researcher at the University of Tübingen and one of the authors of the study.", p2}, []string{p1, "Lena Fischer is a researcher at the University of Tübingen and one of the authors of the study.", p2}},
		{"a short item keeps its lines", []string{"METR: Mythos preview works 16 hours", "Anthropic's preview model reached a 16-hour horizon", "Read more"}, []string{"METR: Mythos preview works 16 hours", "Anthropic's preview model reached a 16-hour horizon", "Read more"}},
		{"a short item loses known furniture", []string{"Agents work longer", "Copyright 2026 Example"}, []string{"Agents work longer"}},
		{"CRLF and CR line ends", []string{p1 + "\r", "Share\r", p2}, []string{p1, p2}},
		{"empty", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := MainText(strings.Join(tt.in, "\n"))
			var lines []string
			if got != "" {
				lines = strings.Split(got, "\n")
			}
			if !slices.Equal(lines, tt.want) {
				t.Errorf("MainText =\n%q\nwant\n%q", lines, tt.want)
			}
		})
	}
}

func TestCountWords(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int
	}{{"", 0}, {"  ", 0}, {"one", 1}, {"Anthropic’s 80% figure — 4.6 Opus", 7}, {"人工智能的自我改进", 9}, {"GPT-5 在 SWE-bench 上", 6}} {
		if got := countWords(tt.in); got != tt.want {
			t.Errorf("countWords(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestSign(t *testing.T) {
	if s := Sign("Read more at example.com about this story"); !s.IsZero() {
		t.Errorf("Sign of a short text = %+v, want the zero Signature", s)
	}
	if Duplicate(Signature{}, Signature{}) {
		t.Error("two zero signatures are duplicates")
	}
	short := "The evaluation organisation METR said on Friday that a preview of Claude Mythos reached a 50% time horizon of more than 16 hours."
	s := Sign(short)
	if s.IsZero() || s.Lead != s.Tail || s.Hash != ContentHash(short) {
		t.Errorf("Sign(short) = %+v: want lead = tail and the text's hash", s)
	}

	body := MainText(readPair(t, "b02-techpulse.txt"))
	base := Sign(body)
	if base.Lead == base.Tail {
		t.Fatal("a 380-word text has the same lead and tail")
	}
	extra := "Google DeepMind said on Friday that it had given METR access to its newest model and expected results within weeks."
	appended, prepended := Sign(body+"\n"+extra), Sign(extra+"\n"+body)
	if appended.Lead != base.Lead || appended.Tail == base.Tail || !Duplicate(base, appended) {
		t.Errorf("a paragraph appended: lead %v tail %v", appended.Lead == base.Lead, appended.Tail == base.Tail)
	}
	if prepended.Tail != base.Tail || prepended.Lead == base.Lead || !Duplicate(base, prepended) {
		t.Errorf("a paragraph prepended: lead %v tail %v", prepended.Lead == base.Lead, prepended.Tail == base.Tail)
	}
	other := Sign(MainText(readPair(t, "b03-techpulse.txt")))
	if Duplicate(base, other) {
		t.Error("two different reports on time horizons are duplicates")
	}
	// Different furniture only: the same hash, Fingerprint agrees with Sign.
	h1, f1 := Fingerprint(readPair(t, "b02-techpulse.txt"))
	h2, f2 := Fingerprint(readPair(t, "b02-aiwire.txt"))
	if h1 != h2 || f1 != f2 || h1 != base.Hash || f1 != base.Lead {
		t.Errorf("Fingerprint: %s %x, %s %x; Sign: %s %x", h1, f1, h2, f2, base.Hash, base.Lead)
	}
}

func FuzzSign(f *testing.F) {
	for _, name := range []string{"b01-kucoin.txt", "b12-bitget.txt", "b14-golem.txt"} {
		b, err := os.ReadFile("testdata/pairs/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add("Title\n\nBy someone\nA line of eight words that ends here.\r\nDisclaimer: x")
	f.Fuzz(func(t *testing.T, text string) {
		in := map[string]bool{}
		for _, l := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == '\r' }) {
			in[strings.TrimSpace(l)] = true
		}
		if m := MainText(text); m != "" {
			for _, l := range strings.Split(m, "\n") {
				if !in[l] {
					t.Fatalf("MainText returned a line that is not in the text: %q", l)
				}
			}
		}
		s := Sign(text)
		if Sign(text) != s {
			t.Fatal("Sign not deterministic")
		}
		if !s.IsZero() && !Duplicate(s, s) {
			t.Fatal("a signature does not duplicate itself")
		}
	})
}

// furnitureLines are lines that each pattern of furniture matches, in
// several cases, and near misses.
var furnitureLines = []string{
	"Disclaimer: not advice.", "RISK WARNING: trading is risky", "Important notice to readers", "Legal Notice",
	"Copyright 2026 Example Media", "© 2026 Example", "(c) 2026 Example", "(C) 2026 Example", "All rights reserved.",
	"Example Media Group. All Rights Reserved.", "Example GmbH. Alle Rechte vorbehalten.",
	"This article was originally published on Example.", "This story first appeared in Example.",
	"Originally published at example.com", "First appeared on Example", "This post is republished with permission.",
	"Dieser Artikel erschien zuerst bei Example.", "(Reporting by Jane Doe; Editing by John Roe)", "Reporting by Jane Doe",
	"Writing by Jane Doe", "Additional reporting by Jane Doe", "Thanks for reading!", "Thank you for reading Example.",
	"Sign up for our daily newsletter", "Subscribe to get updates in your inbox", "Follow us on X", "Follow Jane on Bluesky",
	"Update, March 3: This story was updated with comment.", "Correction: an earlier version misstated the date.",
	"Editor's note: the headline has changed.", "Editor’s Note — this article has been corrected: an earlier version erred.",
	"Jane Doe is a senior reporter at Example.", "Jean-Luc O'Neil Smith is an award-winning technology writer",
	"JANE DOE IS A REPORTER", "Dana is a columnist",
	// Near misses and body text.
	"The model is a reporter's dream, researchers said.", "This is a body line about agents that work for hours.",
	"First, the lab trained a larger model on more data.", "Updates to the benchmark came in March.",
	"Researchers said the copyright question is open.", "A lab that reserves all rights reserved nothing at all in the end, it said.",
	"", "   ", "(", "ſubscribe to the newsletter", "\u212Aelvin: \u212Aeep reading", "Reporting by \u212Aate",
}

// TestFurniturePrefilter: the literal test before the furniture regexp
// changes no answer, on every line of the labelled articles and the
// corpus, and on lines made for each pattern.
func TestFurniturePrefilter(t *testing.T) {
	lines := slices.Clone(furnitureLines)
	paths, _ := filepath.Glob("testdata/pairs/*.txt")
	paths = append(paths, "../../shared/corpus/when-ai-builds-itself.txt")
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			if os.IsNotExist(err) && strings.Contains(p, "shared") {
				continue // the corpus sits beside the project, not in it
			}
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			lines = append(lines, strings.TrimSpace(l))
		}
	}
	matched := 0
	for _, l := range lines {
		want := furniture.MatchString(l)
		if got := isFurniture(l); got != want {
			t.Errorf("isFurniture(%q) = %v, the regexp says %v", l, got, want)
		}
		if want {
			matched++
		}
	}
	if matched < 35 {
		t.Errorf("only %d lines are furniture: the made lines no longer exercise the patterns", matched)
	}
}

func FuzzFurniturePrefilter(f *testing.F) {
	for _, l := range furnitureLines {
		f.Add(l)
	}
	f.Fuzz(func(t *testing.T, line string) {
		if got, want := isFurniture(line), furniture.MatchString(line); got != want {
			t.Fatalf("isFurniture(%q) = %v, the regexp says %v", line, got, want)
		}
	})
}
