package config

import (
	"encoding"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// Environment variables with the FRONTIERWATCH_ prefix that are not config
// keys and so are not reported as unknown: the CLI's config path, and
// anything under FRONTIERWATCH_TEST_ (test settings such as the PostgreSQL
// DSN). Variables named by a *_env key of the config are also allowed.
var reservedEnv = map[string]bool{EnvPrefix + "CONFIG": true}

const reservedEnvPrefix = EnvPrefix + "TEST_"

// envTarget is one config key that an environment variable sets.
type envTarget struct {
	path  string // yaml key path, e.g. http.allow_private_networks
	index []int  // field indexes from Config down to the key
	typ   reflect.Type
	list  bool // a list or mapping, given as a YAML or JSON flow value
}

// envTargets maps every FRONTIERWATCH_* variable name to its key. It is
// derived from the yaml tags of Config, so a new key gets its variable
// without being listed anywhere.
var envTargets = sync.OnceValue(func() map[string]envTarget {
	out := map[string]envTarget{}
	collectEnv(reflect.TypeFor[Config](), "", strings.TrimSuffix(EnvPrefix, "_"), nil, out)
	return out
})

// EnvNames maps every FRONTIERWATCH_* variable that overrides a key to the
// key path it sets (e.g. FRONTIERWATCH_HTTP_MAX_BODY to http.max_body).
func EnvNames() map[string]string {
	out := map[string]string{}
	for name, t := range envTargets() {
		out[name] = t.path
	}
	return out
}

func collectEnv(t reflect.Type, path, env string, index []int, out map[string]envTarget) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, ok := yamlName(f)
		if !ok || f.Tag.Get("secret") == "resolved" {
			continue
		}
		tg := envTarget{
			path:  joinPath(path, name),
			index: append(slices.Clone(index), i),
			typ:   f.Type,
		}
		envName := env + "_" + strings.ToUpper(name)
		ft := f.Type
		if ft.Kind() == reflect.Pointer && !isLeafType(ft) {
			ft = ft.Elem()
		}
		switch {
		case isLeafType(ft):
			out[envName] = tg
		case ft.Kind() == reflect.Struct:
			collectEnv(ft, tg.path, envName, tg.index, out)
		case ft.Kind() == reflect.Slice || ft.Kind() == reflect.Map:
			tg.list = true
			out[envName] = tg
		}
	}
}

// isLeafType reports whether t holds one scalar value.
func isLeafType(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(reflect.TypeFor[encoding.TextUnmarshaler]()) {
		return true
	}
	switch t.Kind() {
	case reflect.String, reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// applyEnv applies the FRONTIERWATCH_* variables of env to c. A variable
// with the prefix that names no key is an error, unless it is reserved or a
// secret's *_env key names it.
func applyEnv(c *Config, env []string) error {
	vals := map[string]string{}
	for _, kv := range env {
		k, v, ok := strings.Cut(kv, "=")
		if ok && strings.HasPrefix(k, EnvPrefix) {
			vals[k] = v
		}
	}
	names := make([]string, 0, len(vals))
	for k := range vals {
		names = append(names, k)
	}
	sort.Strings(names)

	targets := envTargets()
	var errs []error
	var unknown []string
	for _, k := range names {
		if reservedEnv[k] || strings.HasPrefix(k, reservedEnvPrefix) {
			continue
		}
		t, ok := targets[k]
		if !ok {
			unknown = append(unknown, k)
			continue
		}
		if err := setEnv(c, t, k, vals[k]); err != nil {
			errs = append(errs, err)
		}
	}
	referenced := c.referencedEnv()
	for _, k := range unknown {
		if referenced[k] {
			continue
		}
		errs = append(errs, &PosError{Name: k, Msg: "unknown setting: no config key has this variable" + suggestEnv(k, targets)})
	}
	return joinErrors(errs)
}

// setEnv sets the key of t in c from the variable name=s.
func setEnv(c *Config, t envTarget, name, s string) error {
	v := reflect.ValueOf(c).Elem()
	for _, i := range t.index {
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(i)
	}
	if t.list {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(s), &doc); err != nil {
			return syntaxErr(name, err)
		}
		out := reflect.New(t.typ)
		if len(doc.Content) > 0 {
			if err := decodeNode(doc.Content[0], name, t.path, out.Interface()); err != nil {
				return err
			}
		}
		v.Set(out.Elem())
		return nil
	}
	if err := setLeaf(v, s); err != nil {
		msg := err.Error()
		if t.typ == secretType {
			msg = "invalid value"
		}
		return &PosError{Name: name, Path: t.path, Msg: msg}
	}
	return nil
}

// setLeaf parses s into the scalar v.
func setLeaf(v reflect.Value, s string) error {
	if v.Kind() == reflect.Pointer {
		nv := reflect.New(v.Type().Elem())
		if err := setLeaf(nv.Elem(), s); err != nil {
			return err
		}
		v.Set(nv)
		return nil
	}
	if tu, ok := v.Addr().Interface().(encoding.TextUnmarshaler); ok {
		return tu.UnmarshalText([]byte(s))
	}
	t := strings.TrimSpace(s)
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(t)
		if err != nil {
			return fmt.Errorf("invalid boolean %q (want true or false)", s)
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(t, 10, v.Type().Bits())
		if err != nil {
			return fmt.Errorf("invalid integer %q", s)
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(t, 10, v.Type().Bits())
		if err != nil {
			return fmt.Errorf("invalid non-negative integer %q", s)
		}
		v.SetUint(n)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(t, v.Type().Bits())
		if err != nil {
			return fmt.Errorf("invalid number %q", s)
		}
		v.SetFloat(f)
	default:
		return errors.New("this key cannot be set from the environment")
	}
	return nil
}

func suggestEnv(name string, targets map[string]envTarget) string {
	best, bestD := "", 4
	for k := range targets {
		if d := editDistance(name, k); d < bestD || d == bestD && best != "" && k < best {
			best, bestD = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}
