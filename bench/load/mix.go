package main

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// endpoint is one kind of request of the mix, with its share (in
// requests out of 100) and the concrete paths it rotates through.
type endpoint struct {
	name  string
	share int
	paths []string
}

// mixShares are the kinds of request and their shares of the load, in
// percent.
var mixShares = []struct {
	name  string
	share int
}{
	{"search: /api/v1/articles?q=…", 25},
	{"search, next page: /api/v1/articles?q=…&cursor=…", 10},
	{"newest: /api/v1/articles?limit=20", 5},
	{"article: /api/v1/articles/{id}", 20},
	{"figures: /api/v1/figures?metric=…", 10},
	{"milestones: /api/v1/milestones", 5},
	{"stories: /api/v1/stories", 5},
	{"series: /api/v1/metrics/{metric}/series", 10},
	{"health: /healthz", 5},
	{"web page: /?q=…", 5},
}

var titleRE = regexp.MustCompile(`<item>\n<title>([^<]*)</title>`)

// queryWords picks n search terms from the titles of the world's first
// feeds: single words spread over the frequency ranks (from common words
// that match many articles to rare ones), and every fourth term two words
// that appear together in a title.
func queryWords(w *world, n int) []string {
	freq := map[string]int{}
	var pairs []string
	for i := range min(len(w.feeds), 200) {
		body, _, _ := w.current(i, 0)
		for _, m := range titleRE.FindAllSubmatch(body, -1) {
			var words []string
			for _, f := range strings.FieldsFunc(html.UnescapeString(string(m[1])), func(r rune) bool {
				return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
			}) {
				if len(f) >= 4 {
					f = strings.ToLower(f)
					freq[f]++
					words = append(words, f)
				}
			}
			if len(words) >= 2 {
				pairs = append(pairs, words[0]+" "+words[len(words)-1])
			}
		}
	}
	words := make([]string, 0, len(freq))
	for k := range freq {
		words = append(words, k)
	}
	slices.SortFunc(words, func(a, b string) int {
		if freq[a] != freq[b] {
			return freq[b] - freq[a]
		}
		return strings.Compare(a, b)
	})
	var out []string
	singles := n - n/4
	for i := range singles {
		if len(words) == 0 {
			break
		}
		out = append(out, words[i*len(words)/singles])
	}
	slices.Sort(pairs)
	pairs = slices.Compact(pairs)
	for i := range n / 4 {
		if len(pairs) == 0 {
			break
		}
		out = append(out, pairs[i*len(pairs)/(n/4)])
	}
	return out
}

// buildMix asks the API for what the paths need (article IDs, cursors,
// metrics) and returns the endpoints of the mix. Every path is checked to
// answer 200 before the load, so that an error during the load is the
// load's.
func buildMix(ctx context.Context, c *http.Client, base string, words []string) ([]endpoint, error) {
	type page struct {
		Articles []struct {
			ID int64 `json:"id"`
		} `json:"articles"`
		Next *string `json:"next"`
	}
	var search, next, pages []string
	ids := map[int64]bool{}
	for _, w := range words {
		p := "/api/v1/articles?q=" + url.QueryEscape(w) + "&limit=20"
		var pg page
		if err := getJSON(ctx, c, base+p, &pg); err != nil {
			return nil, err
		}
		if len(pg.Articles) == 0 {
			continue // the index has not reached it yet
		}
		search = append(search, p)
		pages = append(pages, "/?q="+url.QueryEscape(w))
		for _, a := range pg.Articles {
			ids[a.ID] = true
		}
		if pg.Next != nil && *pg.Next != "" {
			next = append(next, *pg.Next)
		}
	}
	if len(search) == 0 {
		return nil, fmt.Errorf("no search term of %q finds an article", words)
	}
	var newest page
	if err := getJSON(ctx, c, base+"/api/v1/articles?limit=100", &newest); err != nil {
		return nil, err
	}
	for _, a := range newest.Articles {
		ids[a.ID] = true
	}
	var articles []string
	for _, id := range slices.Sorted(maps.Keys(ids)) {
		articles = append(articles, fmt.Sprintf("/api/v1/articles/%d", id))
	}
	var metrics struct {
		Metrics []struct {
			Name    string `json:"name"`
			Figures int    `json:"figures"`
		} `json:"metrics"`
	}
	if err := getJSON(ctx, c, base+"/api/v1/metrics", &metrics); err != nil {
		return nil, err
	}
	var figures, series []string
	for _, m := range metrics.Metrics {
		figures = append(figures, "/api/v1/figures?metric="+url.QueryEscape(m.Name)+"&limit=50")
		series = append(series, "/api/v1/metrics/"+url.PathEscape(m.Name)+"/series")
	}
	if len(next) == 0 {
		next = search // too few articles for a second page: search again
	}
	byName := map[string][]string{
		mixShares[0].name: search,
		mixShares[1].name: next,
		mixShares[2].name: {"/api/v1/articles?limit=20"},
		mixShares[3].name: articles,
		mixShares[4].name: figures,
		mixShares[5].name: {"/api/v1/milestones"},
		mixShares[6].name: {"/api/v1/stories?limit=20"},
		mixShares[7].name: series,
		mixShares[8].name: {"/healthz"},
		mixShares[9].name: pages,
	}
	var eps []endpoint
	for _, s := range mixShares {
		ps := byName[s.name]
		if len(ps) == 0 {
			return nil, fmt.Errorf("no path for %s", s.name)
		}
		for _, p := range ps {
			if err := getJSON(ctx, c, base+p, nil); err != nil {
				return nil, fmt.Errorf("before the load: %w", err)
			}
		}
		eps = append(eps, endpoint{name: s.name, share: s.share, paths: ps})
	}
	return eps, nil
}

// sequence lays the endpoints' paths out in a list of n requests: each
// block of 100 has every endpoint its share of times, in an order shuffled
// once with seed, and each endpoint rotates through its paths.
func sequence(eps []endpoint, n int, seed uint64) []string {
	var slots []int
	for i, e := range eps {
		for range e.share {
			slots = append(slots, i)
		}
	}
	if len(slots) == 0 {
		return nil
	}
	r := rand.New(rand.NewPCG(seed, 7))
	r.Shuffle(len(slots), func(i, j int) { slots[i], slots[j] = slots[j], slots[i] })
	next := make([]int, len(eps))
	out := make([]string, 0, n)
	for j := range n {
		k := slots[j%len(slots)]
		e := eps[k]
		out = append(out, e.paths[next[k]%len(e.paths)])
		next[k]++
	}
	return out
}

// luaScript is wrk's script: each thread walks the sequence from its own
// offset, counts the answers by status class, and done prints one JSON
// line (prefixed by resultPrefix) with the totals and the latency
// percentiles in microseconds.
func luaScript(paths []string) []byte {
	var b bytes.Buffer
	b.WriteString("-- generated by bench/load\nlocal paths = {\n")
	for _, p := range paths {
		fmt.Fprintf(&b, "  %s,\n", luaString(p))
	}
	b.WriteString(`}
local threads = {}
local nthreads = 0

function setup(thread)
  nthreads = nthreads + 1
  thread:set("id", nthreads)
  table.insert(threads, thread)
end

function init(args)
  pos = ((id - 1) * 7919) % #paths
  s2xx, s3xx, s4xx, s5xx, sother = 0, 0, 0, 0, 0
end

function request()
  pos = pos % #paths + 1
  return wrk.format("GET", paths[pos])
end

function response(status, headers, body)
  if status >= 200 and status < 300 then s2xx = s2xx + 1
  elseif status >= 300 and status < 400 then s3xx = s3xx + 1
  elseif status >= 400 and status < 500 then s4xx = s4xx + 1
  elseif status >= 500 and status < 600 then s5xx = s5xx + 1
  else sother = sother + 1 end
end

function done(summary, latency, requests)
  local c = {s2xx = 0, s3xx = 0, s4xx = 0, s5xx = 0, sother = 0}
  for _, t in ipairs(threads) do
    for k, _ in pairs(c) do c[k] = c[k] + (t:get(k) or 0) end
  end
  local e = summary.errors
  io.write(string.format('` + resultPrefix + `{"requests":%.0f,"duration_us":%.0f,"bytes":%.0f,' ..
    '"connect":%.0f,"read":%.0f,"write":%.0f,"timeout":%.0f,"status_over_399":%.0f,' ..
    '"s2xx":%.0f,"s3xx":%.0f,"s4xx":%.0f,"s5xx":%.0f,"sother":%.0f,' ..
    '"p50":%.0f,"p90":%.0f,"p99":%.0f,"p999":%.0f,"max":%.0f,"mean":%.1f,"threads":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.timeout, e.status,
    c.s2xx, c.s3xx, c.s4xx, c.s5xx, c.sother,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.max, latency.mean, nthreads))
end
`)
	return b.Bytes()
}

// luaString quotes s as a Lua string literal.
func luaString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, "\\%03d", c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// probe is the latency of one kind of request, measured alone.
type probe struct {
	name     string
	n        int
	p50, max time.Duration
	failed   int
	firstErr string
}

// probeEndpoints sends n requests of each kind, one at a time, rotating
// through its paths: where the load's latency comes from.
func probeEndpoints(ctx context.Context, c *http.Client, base string, eps []endpoint, n int) []probe {
	var out []probe
	for _, e := range eps {
		p := probe{name: e.name, n: n}
		var ds []time.Duration
		for i := range n {
			start := time.Now()
			err := getJSON(ctx, c, base+e.paths[i%len(e.paths)], nil)
			ds = append(ds, time.Since(start))
			if err != nil {
				p.failed++
				if p.firstErr == "" {
					p.firstErr = truncate(err.Error(), 200)
				}
			}
		}
		slices.Sort(ds)
		p.p50, p.max = ds[len(ds)/2], ds[len(ds)-1]
		out = append(out, p)
	}
	return out
}
