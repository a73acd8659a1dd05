package archive

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Full-text search on PostgreSQL: the articles' generated tsvector column
// (title weighted A, text B) with its GIN index, ranked by ts_rank with the
// title ten times the text (as bm25(10, 1) on SQLite) and divided by
// 1 + log of the length (BM25 too favours short documents), snippets by
// ts_headline. Query.Text keeps its FTS5 syntax: tsQuery translates it to
// to_tsquery's. The score kept in PageKey is -ts_rank, so that smaller is
// better on both backends.

// pgRankWeights are ts_rank's weights of D, C, B (text) and A (title).
const pgRankWeights = `'{0.1, 0.1, 0.1, 1.0}'`

// tsSyntaxError is a query that is not valid FTS5 syntax (as far as the
// subset tsQuery knows goes).
type tsSyntaxError struct{ reason string }

func (e *tsSyntaxError) Error() string { return "fts syntax error: " + e.reason }

// tsQuery translates an FTS5 query to to_tsquery syntax: words and
// "phrases" (a phrase becomes <-> between its words), prefix*, AND, OR,
// NOT, parentheses, the column filters title: and text: (weights A and B)
// and NEAR(a b, n) (all of its phrases, anywhere). Implicit AND between
// terms. Precedence as FTS5: NOT, then AND, then OR.
func tsQuery(q string) (string, error) {
	p := &tsParser{s: q}
	out, err := p.or()
	if err != nil {
		return "", err
	}
	p.space()
	if p.i < len(p.s) {
		return "", &tsSyntaxError{fmt.Sprintf("unexpected %q", p.s[p.i:])}
	}
	return out, nil
}

type tsParser struct {
	s string
	i int
}

func (p *tsParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

// keyword consumes the operator kw (followed by a non-word character).
func (p *tsParser) keyword(kw string) bool {
	p.space()
	if !strings.HasPrefix(p.s[p.i:], kw) {
		return false
	}
	if j := p.i + len(kw); j < len(p.s) && isWordByte(p.s, j) {
		return false
	}
	p.i += len(kw)
	return true
}

func (p *tsParser) or() (string, error) {
	left, err := p.and()
	if err != nil {
		return "", err
	}
	for p.keyword("OR") {
		right, err := p.and()
		if err != nil {
			return "", err
		}
		left = "(" + left + " | " + right + ")"
	}
	return left, nil
}

func (p *tsParser) and() (string, error) {
	left, err := p.not()
	if err != nil {
		return "", err
	}
	for {
		save := p.i
		explicit := p.keyword("AND")
		p.space()
		if p.i >= len(p.s) || p.s[p.i] == ')' || (!explicit && (p.peekKeyword("OR") || p.peekKeyword("NOT"))) {
			if explicit {
				return "", &tsSyntaxError{"AND without a right operand"}
			}
			p.i = save
			return left, nil
		}
		right, err := p.not()
		if err != nil {
			return "", err
		}
		left = "(" + left + " & " + right + ")"
	}
}

func (p *tsParser) peekKeyword(kw string) bool {
	save := p.i
	ok := p.keyword(kw)
	p.i = save
	return ok
}

func (p *tsParser) not() (string, error) {
	left, err := p.primary()
	if err != nil {
		return "", err
	}
	for p.keyword("NOT") {
		right, err := p.primary()
		if err != nil {
			return "", err
		}
		left = "(" + left + " & !" + right + ")"
	}
	return left, nil
}

func (p *tsParser) primary() (string, error) {
	p.space()
	if p.i >= len(p.s) {
		return "", &tsSyntaxError{"missing term"}
	}
	if p.s[p.i] == '(' {
		p.i++
		e, err := p.or()
		if err != nil {
			return "", err
		}
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != ')' {
			return "", &tsSyntaxError{"unbalanced parenthesis"}
		}
		p.i++
		return e, nil
	}
	if p.peekKeyword("AND") || p.peekKeyword("OR") || p.peekKeyword("NOT") {
		return "", &tsSyntaxError{"operator without a left operand"}
	}
	if strings.HasPrefix(p.s[p.i:], "NEAR") && strings.HasPrefix(strings.TrimLeft(p.s[p.i+4:], " "), "(") {
		return p.near()
	}
	// An optional column filter.
	weight := ""
	if w := p.wordEnd(p.i); w > p.i && w < len(p.s) && p.s[w] == ':' {
		switch strings.ToLower(p.s[p.i:w]) {
		case "title":
			weight = "A"
		case "text":
			weight = "B"
		default:
			return "", &tsSyntaxError{fmt.Sprintf("no such column: %s", p.s[p.i:w])}
		}
		p.i = w + 1
	}
	return p.phrase(weight)
}

// near reads NEAR(phrase phrase … [, n]). Two phrases at most n tokens
// apart (default 10), in either order, become the ORed tsquery distances
// <1> … <n+1>; more phrases are approximated by all of them anywhere.
func (p *tsParser) near() (string, error) {
	p.i += 4
	p.space()
	p.i++ // (
	var parts []string
	dist := 10
	for {
		p.space()
		if p.i >= len(p.s) {
			return "", &tsSyntaxError{"unterminated NEAR"}
		}
		switch c := p.s[p.i]; {
		case c == ')':
			p.i++
			return nearQuery(parts, dist)
		case c == ',':
			p.i++
			p.space()
			j := p.i
			for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
				p.i++
			}
			n, err := strconv.Atoi(p.s[j:p.i])
			if err != nil {
				return "", &tsSyntaxError{"NEAR distance is not a number"}
			}
			dist = min(n, maxNear)
		default:
			ph, err := p.phrase("")
			if err != nil {
				return "", err
			}
			parts = append(parts, ph)
		}
	}
}

// maxNear caps a NEAR distance (the tsquery has 2(n+1) alternatives).
const maxNear = 50

func nearQuery(parts []string, dist int) (string, error) {
	switch len(parts) {
	case 0:
		return "", &tsSyntaxError{"empty NEAR"}
	case 1:
		return parts[0], nil
	case 2:
		var alts []string
		for k := 1; k <= dist+1; k++ {
			alts = append(alts, fmt.Sprintf("(%s <%d> %s)", parts[0], k, parts[1]),
				fmt.Sprintf("(%s <%d> %s)", parts[1], k, parts[0]))
		}
		return "(" + strings.Join(alts, " | ") + ")", nil
	}
	return "(" + strings.Join(parts, " & ") + ")", nil
}

// phrase reads a bareword or a "quoted phrase", then an optional *.
func (p *tsParser) phrase(weight string) (string, error) {
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '^' {
		p.i++ // "initial token": not supported; the term anywhere
	}
	var text string
	switch {
	case p.i < len(p.s) && p.s[p.i] == '"':
		var b strings.Builder
		j := p.i + 1
		for {
			if j >= len(p.s) {
				return "", &tsSyntaxError{"unterminated string"}
			}
			if p.s[j] == '"' {
				if j+1 < len(p.s) && p.s[j+1] == '"' {
					b.WriteByte('"')
					j += 2
					continue
				}
				break
			}
			b.WriteByte(p.s[j])
			j++
		}
		text = b.String()
		p.i = j + 1
	default:
		w := p.wordEnd(p.i)
		if w == p.i {
			r, _ := utf8.DecodeRuneInString(p.s[p.i:])
			return "", &tsSyntaxError{fmt.Sprintf("unexpected %q", r)}
		}
		text = p.s[p.i:w]
		p.i = w
	}
	if strings.ContainsRune(text, 0) {
		return "", &tsSyntaxError{"NUL in query"}
	}
	// PostgreSQL refuses text that is not UTF-8: the bytes are no word.
	text = strings.ToValidUTF8(text, " ")
	suffix := ""
	if p.i < len(p.s) && p.s[p.i] == '*' {
		p.i++
		suffix = "*"
	}
	if suffix != "" || weight != "" {
		suffix = ":" + suffix + weight
	}
	esc := strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(text)
	return "'" + esc + "'" + suffix, nil
}

// wordEnd returns the end of the bareword that starts at i.
func (p *tsParser) wordEnd(i int) int {
	for i < len(p.s) && isWordByte(p.s, i) {
		_, n := utf8.DecodeRuneInString(p.s[i:])
		i += n
	}
	return i
}

// isWordByte reports whether s[i] starts a bareword character (FTS5:
// letters, digits, _ and every non-ASCII character).
func isWordByte(s string, i int) bool {
	c := s[i]
	if c >= utf8.RuneSelf {
		r, _ := utf8.DecodeRuneInString(s[i:])
		return r != utf8.RuneError && !unicode.IsSpace(r) && !unicode.IsControl(r)
	}
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// ts_headline's options do not take control characters: it marks matches
// with these private-use characters, which pgMatch turns into
// HighlightStart and HighlightEnd.
const (
	pgMarkStart = "\uE000"
	pgMarkEnd   = "\uE001"
)

var pgMarks = strings.NewReplacer(pgMarkStart, HighlightStart, pgMarkEnd, HighlightEnd)

// pgHeadline is ts_headline's options for the passage of the text.
func pgHeadline(start, stop string) string {
	return fmt.Sprintf(`StartSel="%s", StopSel="%s", MinWords=10, MaxWords=12, ShortWord=0, MaxFragments=1, FragmentDelimiter=" … "`, start, stop)
}

// pgTitleHeadline is ts_headline's options for the whole title.
func pgTitleHeadline(start, stop string) string {
	return fmt.Sprintf(`StartSel="%s", StopSel="%s", HighlightAll=true`, start, stop)
}

// pgMatch runs a full-text query on PostgreSQL: the inner query ranks and
// keeps one page of IDs, the outer one makes the snippets of that page.
// where and its args filter "a"; keyset (on r.score and r.id) comes after.
func (s *Store) pgMatch(ctx context.Context, fts string, where string, wargs []any, keyset string, kargs []any, limit int) ([]Hit, error) {
	tsq, err := tsQuery(fts)
	if err != nil {
		return nil, err
	}
	args := []any{pgHeadline(pgMarkStart, pgMarkEnd), pgTitleHeadline(pgMarkStart, pgMarkEnd), tsq}
	args = append(args, wargs...)
	args = append(args, kargs...)
	args = append(args, limit)
	rows, err := s.rdb().QueryContext(ctx, `SELECT `+articleColumns+`, '',
		ts_headline('frontierwatch', a.text, p.q, ?),
		ts_headline('frontierwatch', a.title, p.q, ?),
		p.score
	FROM (SELECT r.id, r.score, r.q FROM (
			SELECT a.id, (-ts_rank(`+pgRankWeights+`, a.search, tq.q, 1))::float8 AS score, tq.q
			FROM articles a, (SELECT to_tsquery('frontierwatch', ?) AS q) tq
			WHERE a.search @@ tq.q`+where+`) r
		WHERE true`+keyset+`
		ORDER BY r.score, r.id
		LIMIT ?) p
	JOIN articles a ON a.id = p.id
	ORDER BY p.score, p.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	hits := []Hit{}
	for rows.Next() {
		var (
			h                   Hit
			textSnip, titleSnip string
			score               float64
		)
		if h.Article, err = scanArticle(rows, &textSnip, &titleSnip, &score); err != nil {
			return nil, err
		}
		// The text's passage, or its first words when only the title
		// matched; without text, the title.
		textSnip, titleSnip = pgMarks.Replace(textSnip), pgMarks.Replace(titleSnip)
		h.Snippet = textSnip
		if strings.TrimSpace(stripMarks(h.Snippet)) == "" {
			h.Snippet = titleSnip
		}
		h.Rank = -score
		hits = append(hits, h)
	}
	return hits, rows.Err()
}
