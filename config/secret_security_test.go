package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// TestDatabasePasswordMasked: a PostgreSQL URL's password, in the user
// part or as a password parameter, never shows in `config print`
// (WriteYAML), fmt, JSON or slog; the rest of the URL does, so the output
// still says where the archive is.
func TestDatabasePasswordMasked(t *testing.T) {
	const pw, pw2 = "pg-Pa55word-9731", "qry-Pa55-2468"
	tests := []struct {
		url, want string
		secrets   []string
	}{
		{"postgres://fw:" + pw + "@db.internal:5432/fw?sslmode=verify-full", "postgres://fw:***@db.internal:5432/fw?sslmode=verify-full", []string{pw}},
		{"postgresql://fw@db/fw?sslmode=require&password=" + pw2, "postgresql://fw@db/fw?sslmode=require&password=***", []string{pw2}},
		{"postgres://fw:" + pw + "@db/fw?PassWord=" + pw2, "postgres://fw:***@db/fw?PassWord=***", []string{pw, pw2}},
		{"postgres://fw:p%40ss%2F" + pw + "@db/fw", "postgres://fw:***@db/fw", []string{"p@ss/" + pw, "p%40ss%2F" + pw, pw}},
		{"sqlite://./data/frontierwatch.db", "sqlite://./data/frontierwatch.db", nil},
		{"postgres://fw@db/fw", "postgres://fw@db/fw", nil},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			c, err := Parse([]byte("database: {url: \""+tt.url+"\"}\n"), "db.yaml", nil)
			if err != nil {
				t.Fatal(err)
			}
			if c.Database.URL != tt.url {
				t.Fatalf("the URL itself changed: %q", c.Database.URL)
			}
			if got := c.Database.MaskedURL(); got != tt.want {
				t.Errorf("MaskedURL = %q, want %q", got, tt.want)
			}
			var yml, logs bytes.Buffer
			if err := c.WriteYAML(&yml); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(yml.String(), "url: "+tt.want) && !strings.Contains(yml.String(), "url: '"+tt.want+"'") {
				t.Errorf("config print lacks the masked URL %q:\n%s", tt.want, yml.String())
			}
			slog.New(slog.NewJSONHandler(&logs, nil)).Info("x", "database", c.Database, "config", c)
			j, _ := json.Marshal(c.Database)
			outputs := map[string]string{
				"config print": yml.String(), "slog": logs.String(), "json": string(j),
				"fmt": fmt.Sprintf("%v %+v %#v %s | %v %+v", c.Database, c.Database, c.Database, c.Database, c, *c),
			}
			for what, out := range outputs {
				for _, s := range tt.secrets {
					if strings.Contains(out, s) {
						t.Errorf("%s shows the password %q:\n%s", what, s, out)
					}
				}
			}
		})
	}
}
