package alerts

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net/textproto"
	"strings"

	mail "github.com/wneessen/go-mail"

	"github.com/frontierwatch/frontierwatch/config"
)

// messageIDDomain is the right part of every Message-ID.
const messageIDDomain = "frontierwatch"

// emailNotifier is an email channel.
//
// It sends one message per delivery through SMTP with
// github.com/wneessen/go-mail: From, To (every address of the channel),
// Subject from the subject template, Date, Message-ID
// <DELIVERY-ID@frontierwatch> (the delivery ID with anything but letters,
// digits, '.', '-' and '_' replaced, and then a short hash of the original
// so that different IDs never share one), and a multipart/alternative
// body: the text template's plain text and the HTML template's HTML.
//
// smtp.tls is starttls (STARTTLS is required: a server without it is a
// permanent failure), tls (implicit TLS, port 465) or none (plain text,
// for a relay on this machine). With a username, go-mail picks the
// strongest mechanism the server offers (SCRAM, CRAM-MD5, PLAIN, LOGIN);
// without TLS it sends a plain password only to a server on localhost.
//
// SMTP 4xx replies and network failures are retryable; 5xx replies (a
// wrong password, a refused recipient), TLS certificate errors and a
// missing STARTTLS are not.
type emailNotifier struct {
	baseNotifier
	from string
	to   []string
	smtp config.SMTP
	red  *redactor
}

func newEmailNotifier(ch config.Channel, base baseNotifier) (*emailNotifier, error) {
	if ch.SMTP == nil || ch.SMTP.Host == "" {
		return nil, fmt.Errorf("alerts: channel %q: an email channel needs smtp.host", ch.Name)
	}
	if len(ch.To) == 0 {
		return nil, fmt.Errorf("alerts: channel %q: an email channel needs at least one recipient", ch.Name)
	}
	n := &emailNotifier{baseNotifier: base, from: ch.From, to: ch.To, smtp: *ch.SMTP, red: &redactor{}}
	n.red.addSMTPLogin(ch.SMTP.Username, ch.SMTP.Password.Reveal())
	if n.smtp.TLS == "" {
		n.smtp.TLS = "starttls"
	}
	if n.smtp.Port == 0 {
		n.smtp.Port = 587
		if n.smtp.TLS == "tls" {
			n.smtp.Port = 465
		}
	}
	switch n.smtp.TLS {
	case "starttls", "tls", "none":
	default:
		return nil, fmt.Errorf("alerts: channel %q: smtp.tls %q is not one of starttls, tls, none", ch.Name, n.smtp.TLS)
	}
	if n.from == "" {
		n.from = "frontierwatch@localhost"
		if strings.Contains(n.smtp.Username, "@") {
			n.from = n.smtp.Username
		}
	}
	// Check the addresses now rather than at every delivery.
	m := mail.NewMsg()
	if err := m.From(n.from); err != nil {
		return nil, fmt.Errorf("alerts: channel %q: from %q is not an address: %w", ch.Name, n.from, err)
	}
	if err := m.To(n.to...); err != nil {
		return nil, fmt.Errorf("alerts: channel %q: to: %w", ch.Name, err)
	}
	return n, nil
}

// rendered is an email's text.
type rendered struct{ subject, text, html string }

// render renders the subject and both parts of a delivery.
func (n *emailNotifier) render(alerts []Alert) (rendered, error) {
	m := newMessage(n.name, alerts, n.deps, plain)
	var r rendered
	var err error
	if r.subject, err = execute(n.tpl.subject, m); err != nil {
		return r, fmt.Errorf("subject: %w", err)
	}
	r.subject = truncate(markTest(oneLine(r.subject), m.Test), 250)
	if r.subject == "" {
		r.subject = markTest("frontierwatch", m.Test)
	}
	if r.text, err = execute(n.tpl.text, m); err != nil {
		return r, fmt.Errorf("text template: %w", err)
	}
	if r.html, err = execute(n.tpl.html, m); err != nil {
		return r, fmt.Errorf("HTML template: %w", err)
	}
	if m.Test && !strings.Contains(r.text, "[TEST]") {
		r.text = "[TEST] " + testNotice + "\n\n" + r.text
	}
	if m.Test && !strings.Contains(r.html, "[TEST]") {
		r.html = insertAfterBody(r.html, "<p><strong>[TEST]</strong> "+testNotice+"</p>\n")
	}
	return r, nil
}

// insertAfterBody puts s right after the <body> tag of page, or before
// everything when there is none.
func insertAfterBody(page, s string) string {
	lower := strings.ToLower(page)
	if i := strings.Index(lower, "<body"); i >= 0 {
		if j := strings.IndexByte(lower[i:], '>'); j >= 0 {
			k := i + j + 1
			return page[:k] + "\n" + s + page[k:]
		}
	}
	return s + page
}

// preview renders a delivery without sending it.
func (n *emailNotifier) preview(alerts []Alert) error {
	_, err := n.render(alerts)
	return err
}

// Notify sends alerts as one email.
func (n *emailNotifier) Notify(ctx context.Context, alerts []Alert) (bool, error) {
	if len(alerts) == 0 {
		return false, nil
	}
	key := deliveryKey(alerts)
	r, err := n.render(alerts)
	if err != nil {
		return result(n.red.errorf(n.name, false, nil, "render email: %v", err))
	}
	msg := mail.NewMsg(mail.WithNoDefaultUserAgent())
	if err := msg.From(n.from); err != nil {
		return result(n.red.errorf(n.name, false, nil, "from: %v", err))
	}
	if err := msg.To(n.to...); err != nil {
		return result(n.red.errorf(n.name, false, nil, "to: %v", err))
	}
	msg.Subject(r.subject)
	msg.SetMessageIDWithValue(MessageID(key))
	msg.SetDateWithValue(n.deps.now())
	msg.SetUserAgent(n.deps.userAgent())
	msg.SetGenHeader("X-Frontierwatch-Delivery", sanitizeID(key))
	msg.SetBodyString(mail.TypeTextPlain, r.text)
	msg.AddAlternativeString(mail.TypeTextHTML, r.html)

	client, err := n.client()
	if err != nil {
		return result(n.red.errorf(n.name, false, nil, "SMTP client: %v", err))
	}
	ctx, cancel := context.WithTimeout(ctx, n.timeout)
	defer cancel()
	start := n.deps.now()
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		e := n.classify(err)
		n.log.DebugContext(ctx, "alert email failed", "delivery_id", key, "alerts", len(alerts), "error", e.Error())
		return result(e)
	}
	n.log.DebugContext(ctx, "alert delivered", "delivery_id", key, "alerts", len(alerts), "took", n.deps.now().Sub(start))
	return false, nil
}

// client makes the go-mail client of one delivery.
func (n *emailNotifier) client() (*mail.Client, error) {
	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12}
	if n.deps.TLSConfig != nil {
		tlsConf = n.deps.TLSConfig.Clone()
	}
	if tlsConf.ServerName == "" {
		tlsConf.ServerName = n.smtp.Host
	}
	opts := []mail.Option{
		mail.WithPort(n.smtp.Port),
		mail.WithTimeout(n.timeout),
		mail.WithTLSConfig(tlsConf),
	}
	switch n.smtp.TLS {
	case "tls":
		opts = append(opts, mail.WithSSL())
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if n.smtp.Username != "" {
		opts = append(opts, mail.WithUsername(n.smtp.Username), mail.WithPassword(n.smtp.Password.Reveal()))
		if n.smtp.TLS == "none" {
			// Auto-discovery refuses PLAIN and LOGIN without TLS; go-mail's
			// PLAIN and LOGIN still refuse a server that is not localhost.
			opts = append(opts, mail.WithOpportunisticSMTPAuth(
				mail.SMTPAuthSCRAMSHA256, mail.SMTPAuthSCRAMSHA1, mail.SMTPAuthCramMD5,
				mail.SMTPAuthPlain, mail.SMTPAuthLogin))
		} else {
			opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover))
		}
	}
	return mail.NewClient(n.smtp.Host, opts...)
}

// classify turns a go-mail error into an *Error: SMTP 4xx replies and
// network failures are retryable, 5xx replies and the rest are not.
func (n *emailNotifier) classify(err error) *Error {
	code, retry := 0, false
	var tpErr *textproto.Error
	var sendErr *mail.SendError
	switch {
	case errors.As(err, &tpErr):
		code = tpErr.Code
		retry = code >= 400 && code < 500
	case errors.As(err, &sendErr) && sendErr.ErrorCode() > 0:
		code = sendErr.ErrorCode()
		retry = code >= 400 && code < 500
	case errors.As(err, &sendErr):
		// No reply code: the connection failed while sending, or the
		// message could not be built (which New's checks rule out).
		retry = sendErr.IsTemp() || (sendErr.Reason != mail.ErrGetSender && sendErr.Reason != mail.ErrGetRcpts &&
			sendErr.Reason != mail.ErrNoUnencoded)
	default:
		retry = transportRetry(err)
	}
	what := "send"
	if code == 535 || code == 534 || code == 530 {
		what = "authenticate (check smtp.username and the password)"
	}
	e := n.red.errorf(n.name, retry, err, "SMTP %s:%d: %s: %v", n.smtp.Host, n.smtp.Port, what, err)
	e.Status = code
	return e
}

// MessageID returns the Message-ID value (without <>) of a delivery:
// "<sanitised key>@frontierwatch". A key that needed sanitising gets a
// short hash of itself appended, so two keys never share an ID.
func MessageID(key string) string {
	return sanitizeID(key) + "@" + messageIDDomain
}

// sanitizeID keeps letters, digits, '.', '-' and '_' of key (others
// become '-'), at most 128 bytes, and appends a hash of key when that
// changed anything.
func sanitizeID(key string) string {
	var b strings.Builder
	for _, r := range key {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		case r == '.':
			if s := b.String(); s != "" && !strings.HasSuffix(s, ".") {
				b.WriteRune(r)
			} else {
				b.WriteByte('-')
			}
		default:
			b.WriteByte('-')
		}
	}
	s := strings.TrimSuffix(b.String(), ".")
	if len(s) > 128 {
		s = s[:128]
	}
	if s != key || s == "" {
		sum := sha256.Sum256([]byte(key))
		s = strings.TrimSuffix(s, ".")
		if s != "" {
			s += "."
		}
		s += hex.EncodeToString(sum[:6])
	}
	return s
}
