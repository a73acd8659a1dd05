package alerts

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/frontierwatch/frontierwatch/config"
)

const (
	smtpUser = "fw-user"
	smtpPass = "smtp-pass-secret-77"
)

// testCert makes a self-signed certificate for 127.0.0.1 and a client
// config that trusts it.
func testCert(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "frontierwatch test SMTP"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12}
	client = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return server, client
}

// mailbox is an SMTP server's store.
type mailbox struct {
	mu   sync.Mutex
	msgs []delivered
}

type delivered struct {
	from   string
	to     []string
	data   []byte
	tls    bool
	authed bool
}

func (mb *mailbox) all() []delivered {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	return append([]delivered(nil), mb.msgs...)
}

type smtpBackend struct{ mb *mailbox }

func (b smtpBackend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	_, isTLS := c.TLSConnectionState()
	return &smtpSession{mb: b.mb, tls: isTLS, conn: c}, nil
}

type smtpSession struct {
	mb     *mailbox
	conn   *smtp.Conn
	tls    bool
	authed bool
	cur    delivered
}

func (s *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != smtpUser || pass != smtpPass {
			return smtp.ErrAuthFailed
		}
		s.authed = true
		return nil
	}), nil
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if !s.authed {
		return smtp.ErrAuthRequired
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.cur = delivered{from: from, tls: isTLS, authed: s.authed}
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.to = append(s.cur.to, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = b
	s.mb.mu.Lock()
	s.mb.msgs = append(s.mb.msgs, s.cur)
	s.mb.mu.Unlock()
	return nil
}

func (s *smtpSession) Reset()        { s.cur = delivered{} }
func (s *smtpSession) Logout() error { return nil }

// startSMTP runs an SMTP server on 127.0.0.1 that offers STARTTLS, or
// speaks TLS from the start when implicit, and requires AUTH PLAIN.
func startSMTP(t *testing.T, serverTLS *tls.Config, implicit bool) (*mailbox, int) {
	t.Helper()
	mb := &mailbox{}
	srv := smtp.NewServer(smtpBackend{mb: mb})
	srv.Domain = "localhost"
	srv.ErrorLog = log.New(io.Discard, "", 0)
	srv.ReadTimeout = 5 * time.Second
	srv.WriteTimeout = 5 * time.Second
	srv.TLSConfig = serverTLS
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if implicit {
		l = tls.NewListener(l, serverTLS)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(l)
	}()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return mb, l.Addr().(*net.TCPAddr).Port
}

func emailChannel(port int, tlsMode string) config.Channel {
	return config.Channel{
		Name: "mail", Type: TypeEmail, From: "frontierwatch@example.org",
		To:      []string{"research@example.org", "ops@example.net"},
		Timeout: config.Duration(5 * time.Second),
		SMTP: &config.SMTP{
			Host: "127.0.0.1", Port: port, Username: smtpUser, Password: smtpPass, TLS: tlsMode,
		},
	}
}

// parsedMail is a received email's headers and parts.
type parsedMail struct {
	header    mail.Header
	mediaType string
	text      string
	html      string
}

func parseMail(t *testing.T, data []byte) parsedMail {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("read message: %v\n%s", err, data)
	}
	p := parsedMail{header: m.Header}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	p.mediaType = mt
	if !strings.HasPrefix(mt, "multipart/") {
		t.Fatalf("Content-Type %s is not multipart", mt)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		part, err := mr.NextPart() // decodes quoted-printable
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(part)
		ct, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		switch ct {
		case "text/plain":
			p.text = string(b)
		case "text/html":
			p.html = string(b)
		}
	}
	return p
}

func (p parsedMail) subject(t *testing.T) string {
	t.Helper()
	s, err := new(mime.WordDecoder).DecodeHeader(p.header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestEmailSTARTTLS(t *testing.T) {
	serverTLS, clientTLS := testCert(t)
	mb, port := startSMTP(t, serverTLS, false)
	n := newNotifier(t, emailChannel(port, "starttls"), Deps{TLSConfig: clientTLS, PublicURL: "https://fw.example/"})

	a := hostileAlert()
	a.Milestone.Subject = "Claude 4.6 Opus"
	if retry, err := n.Notify(context.Background(), []Alert{a}); err != nil {
		t.Fatalf("Notify: %v, %v", retry, err)
	}
	msgs := mb.all()
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	got := msgs[0]
	if !got.tls || !got.authed {
		t.Errorf("delivered over TLS %v, authenticated %v", got.tls, got.authed)
	}
	if got.from != "frontierwatch@example.org" || strings.Join(got.to, ",") != "research@example.org,ops@example.net" {
		t.Errorf("envelope from %q to %q", got.from, got.to)
	}
	p := parseMail(t, got.data)
	if s := p.subject(t); s != "frontierwatch: new record for task_horizon: over 12 hours (Claude 4.6 Opus)" {
		t.Errorf("Subject = %q", s)
	}
	for key, want := range map[string]string{
		"From": "<frontierwatch@example.org>", "To": "<research@example.org>, <ops@example.net>",
		"Message-Id": "<ms-42-team-webhook@frontierwatch>", "Date": "Wed, 04 Mar 2026 05:06:07 +0000",
	} {
		if got := p.header.Get(key); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	if p.mediaType != "multipart/alternative" {
		t.Errorf("Content-Type = %s", p.mediaType)
	}
	// The plain text has the text as it is; the HTML escapes it.
	if !strings.Contains(p.text, hostileTitle) || !strings.Contains(p.text, "https://metr.org/blog/2026-03-04-horizon") {
		t.Errorf("text part:\n%s", p.text)
	}
	if strings.Contains(p.html, "<script>") || strings.Contains(p.html, "<!channel>") {
		t.Errorf("HTML part has unescaped article text:\n%s", p.html)
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;quotes&#34;", `<a href="https://metr.org/blog/2026-03-04-horizon">`, `<a href="https://fw.example/">`} {
		if !strings.Contains(p.html, want) {
			t.Errorf("HTML part lacks %q:\n%s", want, p.html)
		}
	}
}

func TestEmailImplicitTLSDigestAndTest(t *testing.T) {
	serverTLS, clientTLS := testCert(t)
	mb, port := startSMTP(t, serverTLS, true)
	n := newNotifier(t, emailChannel(port, "tls"), Deps{TLSConfig: clientTLS})
	ta := SampleAlert("mail", testNow)
	if retry, err := n.Notify(context.Background(), []Alert{ta, sampleAlert(), secondAlert()}); err != nil {
		t.Fatalf("Notify: %v, %v", retry, err)
	}
	msgs := mb.all()
	if len(msgs) != 1 || !msgs[0].tls {
		t.Fatalf("%d messages (tls %v), want one over TLS", len(msgs), len(msgs) > 0 && msgs[0].tls)
	}
	p := parseMail(t, msgs[0].data)
	if s := p.subject(t); s != "[TEST] frontierwatch: 3 new milestones" {
		t.Errorf("Subject = %q", s)
	}
	id := p.header.Get("Message-Id")
	if !strings.HasPrefix(id, "<digest-") || !strings.HasSuffix(id, "@frontierwatch>") {
		t.Errorf("digest Message-ID = %q", id)
	}
	for _, part := range []string{p.text, p.html} {
		if !strings.Contains(part, "[TEST]") || !strings.Contains(part, "3 new milestones") ||
			!strings.Contains(part, "share_of_code_by_ai: 92%") || !strings.Contains(part, "task_horizon: over 12 hours") {
			t.Errorf("digest part lacks the test mark or an alert:\n%s", part)
		}
	}
	if strings.Count(p.html, "<li>") != 3 {
		t.Errorf("HTML digest is not a list of 3:\n%s", p.html)
	}
}

func TestEmailFailures(t *testing.T) {
	serverTLS, clientTLS := testCert(t)
	_, port := startSMTP(t, serverTLS, false)
	_, tlsPort := startSMTP(t, serverTLS, true)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	downPort := l.Addr().(*net.TCPAddr).Port
	l.Close()

	tests := []struct {
		name  string
		ch    func() config.Channel
		deps  Deps
		retry bool
		want  string
	}{
		{"wrong password", func() config.Channel {
			ch := emailChannel(port, "starttls")
			ch.SMTP.Password = "wrong-password-99"
			return ch
		}, Deps{TLSConfig: clientTLS}, false, "authenticate"},
		{"server down", func() config.Channel { return emailChannel(downPort, "starttls") }, Deps{TLSConfig: clientTLS}, true, "connection refused"},
		{"untrusted certificate", func() config.Channel { return emailChannel(port, "starttls") }, Deps{}, false, "certificate"},
		{"implicit TLS spoken to a STARTTLS port", func() config.Channel { return emailChannel(port, "tls") }, Deps{TLSConfig: clientTLS}, false, ""},
		{"STARTTLS spoken to a TLS port", func() config.Channel {
			ch := emailChannel(tlsPort, "starttls")
			ch.Timeout = config.Duration(300 * time.Millisecond)
			return ch
		}, Deps{TLSConfig: clientTLS}, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			deps := tt.deps
			n := newNotifier(t, tt.ch(), deps)
			retry, err := n.Notify(context.Background(), []Alert{sampleAlert()})
			if err == nil {
				t.Fatal("Notify succeeded")
			}
			if retry != tt.retry {
				t.Errorf("retry = %v, want %v: %v", retry, tt.retry, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
			for _, secret := range []string{smtpPass, "wrong-password-99"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error shows the password: %v", err)
				}
			}
		})
	}
}

func TestEmailPlainRelay(t *testing.T) {
	mb := &mailbox{}
	srv := smtp.NewServer(smtpBackend{mb: mb})
	srv.Domain = "localhost"
	srv.ErrorLog = log.New(io.Discard, "", 0)
	srv.AllowInsecureAuth = true
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(l) }()
	defer func() { srv.Close(); <-done }()

	ch := emailChannel(l.Addr().(*net.TCPAddr).Port, "none")
	ch.From = ""
	ch.Subject = "{{.Metric}} at {{.Value}}"
	n := newNotifier(t, ch, Deps{})
	if retry, err := n.Notify(context.Background(), []Alert{sampleAlert()}); err != nil {
		t.Fatalf("Notify: %v, %v", retry, err)
	}
	msgs := mb.all()
	if len(msgs) != 1 || msgs[0].tls || !msgs[0].authed {
		t.Fatalf("messages %+v", msgs)
	}
	p := parseMail(t, msgs[0].data)
	if s := p.subject(t); s != "task_horizon at over 12 hours" {
		t.Errorf("custom Subject = %q", s)
	}
	if from := p.header.Get("From"); from != "<frontierwatch@localhost>" {
		t.Errorf("default From = %q", from)
	}
}

func TestMessageID(t *testing.T) {
	tests := []struct{ key, want string }{
		{"ms-42-mail", "ms-42-mail@frontierwatch"},
		{"digest-0123abcd", "digest-0123abcd@frontierwatch"},
		{"a.b_c", "a.b_c@frontierwatch"},
	}
	for _, tt := range tests {
		if got := MessageID(tt.key); got != tt.want {
			t.Errorf("MessageID(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
	seen := map[string]string{}
	for _, key := range []string{"a b", "a-b", "a\r\nBcc: x@evil", "<x>@y", "", ".", "..a..", "ü", strings.Repeat("k", 300), strings.Repeat("k", 300) + "2"} {
		id := MessageID(key)
		if _, err := mail.ParseAddress("<" + id + ">"); err != nil {
			t.Errorf("MessageID(%q) = %q is not a valid msg-id: %v", key, id, err)
		}
		if other, dup := seen[id]; dup {
			t.Errorf("MessageID(%q) = MessageID(%q) = %q", key, other, id)
		}
		seen[id] = key
		if len(id) > 160 || strings.ContainsAny(id, " \r\n<>") {
			t.Errorf("MessageID(%q) = %q", key, id)
		}
	}
}
