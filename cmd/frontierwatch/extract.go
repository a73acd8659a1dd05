package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"time"

	"github.com/spf13/cobra"

	"github.com/frontierwatch/frontierwatch/article"
)

// extractCommand groups the offline extractors: they read a file or
// standard input and need no archive.
func (a *app) extractCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "extract",
		Short: "Run an extractor offline on a file: figures, or an article's main text",
	}
	cmd.AddCommand(a.extractFiguresCommand(), a.extractArticleCommand())
	return cmd
}

// articleJSON is the --format json output of extract article.
type articleJSON struct {
	URL       string `json:"url,omitempty"`
	Canonical string `json:"canonical,omitempty"`
	Title     string `json:"title"`
	Author    string `json:"author"`
	Published string `json:"published"` // RFC 3339, "" when unknown
	Language  string `json:"language"`
	Text      string `json:"text"`
}

func (a *app) extractArticleCommand() *cobra.Command {
	var pageURL, format string
	cmd := &cobra.Command{
		Use:   "article [FILE|-]",
		Short: "Print the main text of a saved HTML page, offline",
		Long: `extract article reads one HTML page (a file, or standard input for - or no argument)
and prints its main text: the article without navigation, ads, comments or related links.
--url is the address the page came from (it resolves relative links and helps find the
publication date). --format json prints one object: title, author, published, language, text.`,
		Example: `  frontierwatch extract article page.html
  curl -s https://example.org/news/x | frontierwatch extract article --url https://example.org/news/x --format json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usagef("--format must be text or json, not %q", format)
			}
			if pageURL != "" {
				u, err := url.Parse(pageURL)
				if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
					return usagef("--url must be an absolute http(s) URL")
				}
			}
			body, err := a.readInput(args)
			if err != nil {
				return fmt.Errorf("extract article: %w", err)
			}
			res, err := article.Extract(body, article.Options{URL: pageURL})
			if err != nil {
				return err
			}
			if format == "text" {
				_, err = fmt.Fprintln(a.stdout, res.Text)
				return err
			}
			out := articleJSON{URL: pageURL, Canonical: res.Canonical, Title: res.Title, Author: res.Author,
				Language: res.Language, Text: res.Text}
			if !res.Published.IsZero() {
				out.Published = res.Published.UTC().Format(time.RFC3339)
			}
			enc := json.NewEncoder(a.stdout)
			enc.SetEscapeHTML(false)
			return enc.Encode(out)
		},
	}
	cmd.Flags().StringVar(&pageURL, "url", "", "the address the page was fetched from")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}
