package dedup

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Thresholds of the furniture filter (see MainText).
const (
	// MinSentenceWords is the fewest words a line ending like a sentence
	// needs to count as body text.
	MinSentenceWords = 8
	// MinLooseWords is the fewest words a line not ending like a sentence
	// (a heading, a link, a navigation item) needs to count as body text.
	MinLooseWords = 20
	// minBodyWords: below this, MainText falls back to all non-furniture lines.
	minBodyWords = 25
)

// MainText returns the lines of text (one paragraph per line) that read
// like body text, joined by newlines: it removes the site furniture that
// main-text extraction leaves in, so that copies of one report on several
// sites compare alike. A line is kept when it
//
//   - has at least MinSentenceWords words and ends like a sentence
//     (. ! ? … or CJK full stops, before any closing quotes or brackets), or
//     has at least MinLooseWords words whatever its end: headlines, bylines,
//     navigation, share buttons, captions and link lists go;
//   - is not known furniture: a disclaimer or risk warning, a copyright
//     notice, a syndication credit ("originally appeared on …"), an author
//     bio ("Jane Doe is a senior reporter …"), a newsletter or follow-us
//     prompt, a reporting/editing credit, a note that the story was updated
//     or corrected ("Update, June 5: This story has been updated …");
//   - is not the summary under a summary heading ("AI summary", "Key
//     takeaways", "TL;DR") within three lines of it: a site's own précis;
//   - is not alone among furniture while shorter than MinLooseWords+10
//     words: a newsletter pitch between "Get our newsletter" and "Sign up".
//
// A text whose kept lines hold fewer than 25 words (a short feed summary,
// a one-line item) keeps every line that is not known furniture instead.
func MainText(text string) string {
	lines := strings.Split(strings.ReplaceAll(text, "\r", "\n"), "\n")
	kinds := make([]lineKind, len(lines))
	words := make([]int, len(lines))
	summary := 0 // lines left in which a body-like line is a summary
	for i, line := range lines {
		line = strings.TrimSpace(line)
		lines[i] = line
		if line != "" && summary > 0 {
			summary--
		}
		words[i] = countWords(line)
		switch n := words[i]; {
		case line == "":
			kinds[i] = blank
		case isFurniture(line):
			kinds[i] = junk
		case n >= MinLooseWords || (n >= MinSentenceWords && endsSentence(line)):
			kinds[i] = good
			if summary > 0 {
				kinds[i], summary = junk, 0
			}
		default:
			kinds[i] = short
			if summaryHeading.MatchString(line) {
				summary = 3
			}
		}
	}
	for i, k := range kinds {
		if k == good && words[i] < MinLooseWords+10 && !isGood(kinds, i, -1) && !isGood(kinds, i, +1) {
			kinds[i] = lone
		}
	}
	var body, loose []string
	bodyWords := 0
	for i, k := range kinds {
		if k == good {
			body = append(body, lines[i])
			bodyWords += words[i]
		}
		if k != blank && k != junk {
			loose = append(loose, lines[i])
		}
	}
	if bodyWords < minBodyWords {
		return strings.Join(loose, "\n")
	}
	return strings.Join(body, "\n")
}

type lineKind uint8

const (
	blank lineKind = iota
	short          // too short for body text
	junk           // known furniture
	lone           // body-like but alone among furniture
	good           // body text
)

// isGood reports whether the nearest non-blank line before (dir -1) or
// after (dir +1) line i is body text.
func isGood(kinds []lineKind, i, dir int) bool {
	for j := i + dir; j >= 0 && j < len(kinds); j += dir {
		if kinds[j] != blank {
			return kinds[j] == good || kinds[j] == lone
		}
	}
	return false
}

// summaryHeading matches the heading of a generated or editorial summary
// that a site puts above the text it carries.
var summaryHeading = regexp.MustCompile(`(?i)\b(?:summary|key (?:takeaways|points)|tl;?dr|at a glance|in brief|zusammenfassung)\b`)

// countWords counts the runs of letters and digits in a line, each CJK
// character on its own: roughly the words that Normalize leaves.
func countWords(line string) int {
	n, in := 0, false
	for _, r := range line {
		if isCJK(r) {
			n++ // written without spaces: each character is a word
			in = false
			continue
		}
		w := unicode.IsLetter(r) || unicode.IsNumber(r)
		if w && !in {
			n++
		}
		in = w
	}
	return n
}

// endsSentence reports whether line ends like a sentence, ignoring closing
// quotes and brackets.
func endsSentence(line string) bool {
	for line != "" {
		r, n := utf8.DecodeLastRuneInString(line)
		switch r {
		case '.', '!', '?', '…', '。', '！', '？':
			return true
		case '"', '\'', '’', '”', '»', '«', ')', ']', '」', '』':
			line = line[:len(line)-n]
			continue
		}
		return false
	}
	return false
}

// furniture matches lines that sites add around the text they carry. The
// patterns are anchored at the start of the line, or match all of it.
var furniture = regexp.MustCompile(`(?i)^(?:` + strings.Join([]string{
	`disclaimer\b`, `risk warning\b`, `important notice\b`, `legal notice\b`,
	`copyright\b`, `©`, `\(c\) \d{4}`, `all rights reserved`,
	`.{0,40}\ball rights reserved\.?$`, `.{0,60}\balle rechte vorbehalten\.?$`,
	`this (?:article|story|post|piece) (?:was |is )?(?:originally|first) (?:appeared|published|ran)\b`,
	`(?:originally|first) (?:published|appeared) (?:on|in|at|by)\b`,
	`this (?:article|story|post|content) (?:is|was|has been) (?:republished|syndicated|reproduced)\b`,
	`dieser (?:artikel|beitrag) erschien zuerst\b`,
	`\(?(?:reporting|writing|editing|additional reporting) by\b`,
	`(?:thanks|thank you) for reading\b`,
	`(?:sign up|subscribe)\b.{0,80}\b(?:newsletter|inbox|updates)\b`,
	`follow (?:us|\S+) on\b`,
	`(?:update|updated|correction|clarification|editor['’]?s['’]? note)\b[^:]{0,40}:\s*(?:this (?:story|article|post)|an earlier version|a previous version|the headline)\b`,
	`(?:(?-i:\p{Lu})[\p{L}.'’-]*\s+){1,3}is an? (?:[\p{L}-]+\s+){0,4}(?:reporter|writer|journalist|editor|correspondent|contributor|columnist|analyst|author)\b`,
}, "|") + `)`)

// isFurniture reports whether furniture matches line. Most lines are body
// text that no pattern can match, and the regexp costs tens of
// microseconds a line (most of the time of fingerprinting an article), so
// a line runs it only when it holds the literals that every match of some
// pattern holds: at the start for the patterns that begin with one.
func isFurniture(line string) bool {
	lower := strings.ToLower(line) // the Kelvin sign becomes k
	if strings.ContainsRune(lower, 'ſ') {
		lower = strings.ReplaceAll(lower, "ſ", "s") // the other letter that (?i) folds into ASCII
	}
	if !furnitureCandidate(lower) {
		return false
	}
	return furniture.MatchString(line)
}

// furnitureStarts are how furniture's patterns that begin with a literal
// begin, lower-cased.
var furnitureStarts = []string{"disclaimer", "risk warning", "important notice", "legal notice", "copyright", "©",
	"(", "all rights reserved", "this ", "originally ", "first ", "dieser ", "reporting ", "writing ", "editing ",
	"additional reporting ", "thank", "sign up", "subscribe", "follow ", "update", "correction", "clarification", "editor"}

// furnitureRoles are the roles that end an author bio ("Jane Doe is a
// reporter"), the one pattern that begins with a name.
var furnitureRoles = []string{"reporter", "writer", "journalist", "editor", "correspondent", "contributor",
	"columnist", "analyst", "author"}

// furnitureCandidate reports whether lower (a lower-cased line) holds
// the literals of some pattern of furniture.
func furnitureCandidate(lower string) bool {
	for _, p := range furnitureStarts {
		if strings.HasPrefix(lower, p) {
			return true
		}
	}
	if strings.Contains(lower, "all rights reserved") || strings.Contains(lower, "alle rechte vorbehalten") {
		return true
	}
	if strings.Contains(lower, "is a") {
		for _, r := range furnitureRoles {
			if strings.Contains(lower, r) {
				return true
			}
		}
	}
	return false
}
