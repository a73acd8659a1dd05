package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// PosError is a problem at a place in a YAML text: the config file, or the
// value of an environment variable.
type PosError struct {
	Name string // file name, or environment variable
	Line int    // 1-based; 0 when unknown
	Path string // key path, e.g. sources[0].schedule; may be empty
	Msg  string
}

func (e *PosError) Error() string {
	var b strings.Builder
	b.WriteString("config: ")
	b.WriteString(e.Name)
	if e.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

var (
	unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()
	secretType      = reflect.TypeFor[Secret]()
	yamlLineRE      = regexp.MustCompile(`^yaml: (?:line (\d+): )?`)
	typeErrLineRE   = regexp.MustCompile(`^line (\d+): `)
)

// decodeFile decodes one YAML document strictly into c.
func decodeFile(data []byte, name string, c *Config) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil // an empty file: all defaults
		}
		return syntaxErr(name, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err != nil {
			return syntaxErr(name, err)
		}
		return &PosError{Name: name, Line: extra.Line, Msg: "more than one YAML document; a config file holds one"}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil
		}
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		return nil
	}
	if root.Kind != yaml.MappingNode {
		return &PosError{Name: name, Line: root.Line, Msg: "the config must be a mapping of keys (database:, sources:, …)"}
	}
	return decodeNode(root, name, "", c)
}

// decodeNode checks n against the type of *out (every key known, every
// value of the right form) and then decodes it into out.
func decodeNode(n *yaml.Node, name, path string, out any) error {
	ck := &checker{name: name, seen: map[seenKey]bool{}}
	ck.check(n, reflect.TypeOf(out).Elem(), path)
	if len(ck.errs) > 0 {
		return joinErrors(ck.errs)
	}
	if err := n.Decode(out); err != nil {
		return decodeErr(name, path, err)
	}
	return nil
}

// syntaxErr turns a YAML parser error into a PosError with its line.
func syntaxErr(name string, err error) error {
	msg := err.Error()
	line := 0
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0]):]
	}
	return &PosError{Name: name, Line: line, Msg: msg}
}

// decodeErr turns an error of yaml's Decode into PosErrors.
func decodeErr(name, path string, err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return syntaxErr(name, err)
	}
	errs := make([]error, 0, len(te.Errors))
	for _, e := range te.Errors {
		line := 0
		if m := typeErrLineRE.FindStringSubmatch(e); m != nil {
			line, _ = strconv.Atoi(m[1])
			e = e[len(m[0]):]
		}
		errs = append(errs, &PosError{Name: name, Line: line, Path: path, Msg: e})
	}
	return joinErrors(errs)
}

type seenKey struct {
	n *yaml.Node
	t reflect.Type
}

// checker walks a YAML node tree beside a Go type and records every key the
// type does not have and every value that does not fit, with its line.
type checker struct {
	name string
	errs []error
	seen map[seenKey]bool // alias targets already checked, so aliases cost nothing
}

func (c *checker) errorf(n *yaml.Node, path, format string, args ...any) {
	c.errs = append(c.errs, &PosError{Name: c.name, Line: n.Line, Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (c *checker) check(n *yaml.Node, t reflect.Type, path string) {
	for n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return
		}
		k := seenKey{n.Alias, t}
		if c.seen[k] {
			return
		}
		c.seen[k] = true
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	custom := reflect.PointerTo(t).Implements(unmarshalerType)
	if custom && n.Kind == yaml.ScalarNode {
		c.leaf(n, t, path)
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			c.errorf(n, path, "expected a mapping of keys, got %s", nodeKind(n))
			return
		}
		c.mapping(n, t, path, map[string]int{})
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			c.errorf(n, path, "expected a list, got %s", nodeKind(n))
			return
		}
		for i, item := range n.Content {
			c.check(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			c.errorf(n, path, "expected a mapping, got %s", nodeKind(n))
			return
		}
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				c.errorf(k, path, "keys must be plain strings")
				continue
			}
			if first, dup := seen[k.Value]; dup {
				c.errorf(k, path, "key %q is repeated (first at line %d)", k.Value, first)
				continue
			}
			seen[k.Value] = k.Line
			c.check(v, t.Elem(), joinPath(path, k.Value))
		}
	default:
		if n.Kind != yaml.ScalarNode {
			c.errorf(n, path, "expected a single value, got %s", nodeKind(n))
			return
		}
		c.leaf(n, t, path)
	}
}

// mapping checks the keys of a mapping node against struct type t.
func (c *checker) mapping(n *yaml.Node, t reflect.Type, path string, seen map[string]int) {
	fields := yamlFields(t)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			c.errorf(k, path, "keys must be plain strings")
			continue
		}
		if k.Value == "<<" && k.ShortTag() == "!!merge" {
			c.merge(v, t, path, map[string]int{}) // explicit keys may override merged ones
			continue
		}
		f, ok := fields[k.Value]
		switch {
		case !ok:
			c.errorf(k, "", "unknown key %q%s%s", k.Value, inPath(path), suggest(k.Value, fields))
			continue
		case f.resolved:
			c.errorf(k, "", "key %q%s cannot be written in the file: give it with %s_env or %s_file", k.Value, inPath(path), k.Value, k.Value)
			continue
		}
		if first, dup := seen[k.Value]; dup {
			c.errorf(k, "", "key %q%s is repeated (first at line %d)", k.Value, inPath(path), first)
			continue
		}
		seen[k.Value] = k.Line
		c.check(v, f.typ, joinPath(path, k.Value))
	}
}

// merge checks the value of a "<<" merge key.
func (c *checker) merge(v *yaml.Node, t reflect.Type, path string, seen map[string]int) {
	for v.Kind == yaml.AliasNode && v.Alias != nil {
		v = v.Alias
	}
	switch v.Kind {
	case yaml.MappingNode:
		c.mapping(v, t, path, seen)
	case yaml.SequenceNode:
		for _, item := range v.Content {
			c.merge(item, t, path, seen)
		}
	default:
		c.errorf(v, path, "a merge (<<) needs a mapping")
	}
}

// leaf decodes a scalar on its own to find a value of the wrong type.
func (c *checker) leaf(n *yaml.Node, t reflect.Type, path string) {
	v := reflect.New(t)
	err := n.Decode(v.Interface())
	if err == nil {
		return
	}
	if t == secretType {
		c.errorf(n, path, "expected a string") // never echo a secret's value
		return
	}
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = typeErrLineRE.ReplaceAllString(te.Errors[0], "")
	}
	c.errorf(n, path, "%s", msg)
}

type fieldInfo struct {
	index    int
	typ      reflect.Type
	resolved bool // a secret resolved from *_env/*_file, never read from YAML
}

// yamlFields maps the yaml key of each field of struct type t to the field.
func yamlFields(t reflect.Type) map[string]fieldInfo {
	out := map[string]fieldInfo{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, ok := yamlName(f)
		if !ok {
			continue
		}
		out[name] = fieldInfo{index: i, typ: f.Type, resolved: f.Tag.Get("secret") == "resolved"}
	}
	return out
}

// yamlName returns the yaml key of a struct field, false for fields that
// have none.
func yamlName(f reflect.StructField) (string, bool) {
	if !f.IsExported() {
		return "", false
	}
	tag := f.Tag.Get("yaml")
	name, _, _ := strings.Cut(tag, ",")
	if name == "-" {
		return "", false
	}
	if name == "" {
		name = strings.ToLower(f.Name)
	}
	return name, true
}

func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "a single value"
	}
	return "something else"
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func inPath(path string) string {
	if path == "" {
		return ""
	}
	return " in " + path
}

// suggest proposes the known key closest to a misspelt one.
func suggest(key string, fields map[string]fieldInfo) string {
	best, bestD := "", 3
	for name, f := range fields {
		if f.resolved {
			continue
		}
		if d := editDistance(key, name); d < bestD || d == bestD && best != "" && name < best {
			best, bestD = name, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// joinErrors joins errs into one error, flattening joined errors so that
// each problem is one line.
func joinErrors(errs []error) error {
	var flat []error
	var walk func(error)
	walk = func(err error) {
		if err == nil {
			return
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		flat = append(flat, err)
	}
	for _, e := range errs {
		walk(e)
	}
	if len(flat) == 0 {
		return nil
	}
	return errors.Join(flat...)
}
