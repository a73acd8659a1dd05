package alerts

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// slackEscape escapes text for Slack's mrkdwn: &, < and > become entities,
// so article text cannot write a link, a user or channel mention
// (<!channel>, <@U123>) or a date token.
func slackEscape(s string) string {
	return slackReplacer.Replace(s)
}

var slackReplacer = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// slackURL makes a safe http(s) URL fit Slack's <url|text> syntax: the
// characters that end or split it are percent-encoded.
func slackURL(u string) string {
	return slackURLReplacer.Replace(u)
}

var slackURLReplacer = strings.NewReplacer("&", "&amp;", "<", "%3C", ">", "%3E", "|", "%7C")

// slackText is the escaper of Slack messages.
var slackText = escaper{text: slackEscape, url: slackURL}

// discordSpecial are the characters Discord's markdown gives a meaning:
// emphasis, code, spoilers, quotes, headings, lists, masked links and the
// < of mentions, channels and custom emoji. Each is escaped with a
// backslash.
const discordSpecial = "\\*_~`|>#-[]()<"

// discordEscape escapes text for Discord's markdown: every special
// character gets a backslash, so article text cannot format, hide a link
// behind [text](url) or mention anyone (<@id>, <#id>); and @ is followed
// by a zero-width space, so @everyone and @here never ping even where
// allowed_mentions is not honoured.
func discordEscape(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for _, r := range s {
		switch {
		case r == '@':
			b.WriteString("@\u200b")
		case r < utf8.RuneSelf && strings.IndexByte(discordSpecial, byte(r)) >= 0:
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// discordURL makes a safe http(s) URL fit Discord's [text](url) syntax:
// parentheses and angle brackets are percent-encoded.
func discordURL(u string) string {
	return discordURLReplacer.Replace(u)
}

var discordURLReplacer = strings.NewReplacer("(", "%28", ")", "%29", "<", "%3C", ">", "%3E", " ", "%20")

// discordText is the escaper of Discord messages.
var discordText = escaper{text: discordEscape, url: discordURL}

// textLen counts s the way the strictest of Slack's and Discord's limits
// do: in UTF-16 code units, so never less than its characters.
func textLen(s string) int {
	n := 0
	for _, r := range s { // invalid bytes come as U+FFFD: one unit
		n += utf16.RuneLen(r)
	}
	return n
}

// ellipsis marks truncated text.
const ellipsis = "…"

// truncate cuts plain s to at most limit (textLen), ending with … when it
// had to cut.
func truncate(s string, limit int) string {
	if textLen(s) <= limit {
		return s
	}
	if limit <= 0 {
		return ""
	}
	n, cut := 0, 0
	for i, r := range s {
		w := utf16.RuneLen(r)
		if n+w > limit-1 {
			cut = i
			break
		}
		n += w
	}
	return strings.TrimRight(s[:cut], " \t\n") + ellipsis
}

// fit escapes raw with esc and keeps the result within limit (textLen),
// cutting raw, never the escaped text, so no escape or entity is broken:
// the longest prefix of raw whose escape fits, then ….
func fit(raw string, limit int, esc func(string) string) string {
	if e := esc(raw); textLen(e) <= limit {
		return e
	}
	if limit <= 1 {
		return ""
	}
	runes := []rune(raw)
	lo, hi := 0, len(runes) // lo fits, hi does not
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if textLen(esc(string(runes[:mid])))+1 <= limit {
			lo = mid
		} else {
			hi = mid
		}
	}
	return esc(strings.TrimRight(string(runes[:lo]), " \t\n")) + ellipsis
}
