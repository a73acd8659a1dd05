package fetch

// RedactURL returns raw without its user part (user name and password),
// for logs, errors and API answers; a string that does not parse as a URL
// loses the user part of every URL inside it.
func RedactURL(raw string) string { return redactURL(raw) }
