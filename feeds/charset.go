package feeds

import (
	"io"

	"golang.org/x/net/html/charset"
)

// charsetReader decodes XML declared in a legacy encoding (ISO-8859-1,
// windows-1252, …) for encoding/xml.
func charsetReader(label string, input io.Reader) (io.Reader, error) {
	return charset.NewReaderLabel(label, input)
}
