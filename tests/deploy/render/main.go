// SPDX-License-Identifier: Apache-2.0
//
// render: renders a Helm chart the way `helm template` does, without Helm.
//
// Helm cannot be installed where the tests run, but its template engine is
// just Go's text/template with the sprig function library plus a handful of
// Helm's own functions (include, tpl, required, toYaml, fromYaml, toJson,
// fromJson, lookup).  This tool loads an unpacked chart and its subcharts in
// charts/, coalesces values the way Helm does (chart defaults <- -f files in
// order <- parent's section for each subchart, with `global` copied down,
// null deleting a key), honours dependency conditions, renders every
// template in one shared template namespace, splits the output into YAML
// documents and parses each one (a template that renders invalid YAML is an
// error, as it is for Helm).
//
// Values are decoded through YAML -> JSON like Helm does, so numbers are
// float64: a template that prints a big number without `int` shows 6.048e+08
// here exactly as it would under Helm.
//
// Output (-o json): {"manifests":[{"source":..., "object":{...}}], "notes":...}
// Output (-o yaml): a `helm template`-like stream with "# Source:" comments.
// With -plain, the arguments are plain YAML files (no templating) converted
// to the same JSON shape, so non-templated manifests share one validator.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"sigs.k8s.io/yaml"
)

type valueFiles []string

func (v *valueFiles) String() string     { return strings.Join(*v, ",") }
func (v *valueFiles) Set(s string) error { *v = append(*v, s); return nil }

// chart is one loaded chart directory: metadata, default values, its
// template files (keyed by full template name) and its subcharts.
type chart struct {
	name     string // template path prefix, e.g. data-platform/charts/capture
	meta     map[string]interface{}
	defaults map[string]interface{}
	files    map[string]string // template name -> source text
	subs     []*chart
	deps     []interface{} // Chart.yaml dependencies (for conditions)
}

type manifest struct {
	Source string                 `json:"source"`
	Object map[string]interface{} `json:"object"`
}

func main() {
	var vf, sets valueFiles
	chartDir := flag.String("chart", "", "unpacked chart directory")
	release := flag.String("release", "data-platform", "release name")
	namespace := flag.String("namespace", "default", "release namespace")
	output := flag.String("o", "json", "output: json or yaml")
	plain := flag.Bool("plain", false, "arguments are plain YAML files, not a chart")
	flag.Var(&vf, "f", "values file (repeatable, later wins)")
	flag.Var(&sets, "set", "key.path=value, applied after the files (repeatable)")
	flag.Parse()

	var ms []manifest
	notes := ""
	var err error
	if *plain {
		ms, err = loadPlain(flag.Args())
	} else {
		if *chartDir == "" {
			fatalf("render: -chart is required")
		}
		ms, notes, err = renderChart(*chartDir, vf, sets, *release, *namespace)
	}
	if err != nil {
		fatalf("render: %v", err)
	}
	if *output == "yaml" {
		for _, m := range ms {
			y, err := yaml.Marshal(m.Object)
			if err != nil {
				fatalf("render: %v", err)
			}
			fmt.Printf("---\n# Source: %s\n%s", m.Source, y)
		}
		if notes != "" {
			fmt.Printf("\nNOTES:\n%s\n", notes)
		}
		return
	}
	out, err := json.MarshalIndent(map[string]interface{}{"manifests": ms, "notes": notes}, "", " ")
	if err != nil {
		fatalf("render: %v", err)
	}
	os.Stdout.Write(append(out, '\n'))
}

func fatalf(f string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, f+"\n", a...)
	os.Exit(1)
}

func readYAMLMap(file string) (map[string]interface{}, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return map[string]interface{}{}, nil
		}
		return nil, err
	}
	m := map[string]interface{}{}
	if err := yaml.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("could not parse %s: %v", file, err)
	}
	if m == nil {
		m = map[string]interface{}{}
	}
	return m, nil
}

func loadChart(dir, prefix string) (*chart, error) {
	meta, err := readYAMLMap(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		return nil, err
	}
	name, _ := meta["name"].(string)
	if name == "" {
		return nil, fmt.Errorf("chart %s: Chart.yaml has no name", dir)
	}
	// Helm finds a subchart by its directory; the top chart may live anywhere.
	if base := filepath.Base(dir); prefix != "" && base != name {
		return nil, fmt.Errorf("chart %s: directory name differs from chart name %q", dir, name)
	}
	c := &chart{name: path.Join(prefix, name), meta: meta, files: map[string]string{}}
	if c.defaults, err = readYAMLMap(filepath.Join(dir, "values.yaml")); err != nil {
		return nil, err
	}
	c.deps, _ = meta["dependencies"].([]interface{})
	tdir := filepath.Join(dir, "templates")
	err = filepath.Walk(tdir, func(p string, info os.FileInfo, werr error) error {
		if werr != nil || info.IsDir() {
			return werr
		}
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		c.files[path.Join(c.name, filepath.ToSlash(rel))] = string(b)
		return nil
	})
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	entries, err := os.ReadDir(filepath.Join(dir, "charts"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	for _, e := range entries {
		if !e.IsDir() {
			return nil, fmt.Errorf("chart %s: packaged subchart %s is not supported here", dir, e.Name())
		}
		sc, err := loadChart(filepath.Join(dir, "charts", e.Name()), path.Join(c.name, "charts"))
		if err != nil {
			return nil, err
		}
		c.subs = append(c.subs, sc)
	}
	return c, nil
}

// coalesce fills dst with the keys of src that dst lacks, recursing into
// maps.  A nil in dst (a `null` in a values file) deletes the key, as in
// Helm, unless keepNull is set: values files are first merged among
// themselves with keepNull, so that a null in the last file still removes
// the chart's default afterwards.
func coalesce(dst, src map[string]interface{}, keepNull bool) map[string]interface{} {
	if dst == nil {
		dst = map[string]interface{}{}
	}
	for k, sv := range src {
		dv, ok := dst[k]
		if !ok {
			dst[k] = deepCopy(sv)
			continue
		}
		dm, dok := dv.(map[string]interface{})
		sm, sok := sv.(map[string]interface{})
		if dok && sok {
			dst[k] = coalesce(dm, sm, keepNull)
		}
	}
	if !keepNull {
		for k, v := range dst {
			if v == nil {
				delete(dst, k)
			}
		}
	}
	return dst
}

func deepCopy(v interface{}) interface{} {
	b, _ := json.Marshal(v)
	var out interface{}
	_ = json.Unmarshal(b, &out)
	return out
}

// lookupPath reads a dotted path (a.b.c) from values.
func lookupPath(vals map[string]interface{}, p string) (interface{}, bool) {
	var cur interface{} = vals
	for _, part := range strings.Split(p, ".") {
		m, ok := cur.(map[string]interface{})
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// enabledSubs returns the subcharts whose dependency condition holds.
func enabledSubs(c *chart, vals map[string]interface{}) []*chart {
	var out []*chart
	for _, sc := range c.subs {
		short := path.Base(sc.name)
		on := true
		for _, d := range c.deps {
			dm, _ := d.(map[string]interface{})
			if dm["name"] != short {
				continue
			}
			cond, _ := dm["condition"].(string)
			for _, cp := range strings.Split(cond, ",") {
				if v, ok := lookupPath(vals, strings.TrimSpace(cp)); ok {
					b, isBool := v.(bool)
					on = isBool && b
					break
				}
			}
		}
		if on {
			out = append(out, sc)
		}
	}
	return out
}

// scope is one chart's rendering context.
type scope struct {
	c    *chart
	vals map[string]interface{}
}

// collect walks the chart tree, giving each enabled chart its coalesced
// values: its own defaults under its parent's section, globals copied down.
func collect(c *chart, vals map[string]interface{}, out *[]scope) {
	*out = append(*out, scope{c, vals})
	for _, sc := range enabledSubs(c, vals) {
		short := path.Base(sc.name)
		mine, _ := vals[short].(map[string]interface{})
		sv, _ := deepCopy(mine).(map[string]interface{})
		sv = coalesce(sv, sc.defaults, false)
		if sv == nil {
			sv = map[string]interface{}{}
		}
		pg, _ := vals["global"].(map[string]interface{})
		sg, _ := sv["global"].(map[string]interface{})
		pgc, _ := deepCopy(pg).(map[string]interface{})
		sv["global"] = coalesce(pgc, sg, false)
		collect(sc, sv, out)
	}
}

func renderChart(dir string, files, sets []string, release, namespace string) ([]manifest, string, error) {
	top, err := loadChart(filepath.Clean(dir), "")
	if err != nil {
		return nil, "", err
	}
	user := map[string]interface{}{}
	for _, f := range files {
		m, err := readYAMLMap(f)
		if err != nil {
			return nil, "", err
		}
		if _, statErr := os.Stat(f); statErr != nil {
			return nil, "", fmt.Errorf("could not read values file %s: %v", f, statErr)
		}
		// Later files win: the new file is the dst, what came before the src.
		user = coalesce(m, user, true)
	}
	for _, kv := range sets {
		if err := setPath(user, kv); err != nil {
			return nil, "", err
		}
	}
	vals := coalesce(user, top.defaults, false)
	if _, ok := vals["global"]; !ok {
		vals["global"] = map[string]interface{}{}
	}
	var scopes []scope
	collect(top, vals, &scopes)

	// One template namespace for the whole tree, as in Helm: a define in
	// any chart can be included from any other.
	root := template.New("root").Option("missingkey=zero")
	funcs := funcMap(root)
	root.Funcs(funcs)
	var names []string
	for _, s := range scopes {
		for n := range s.c.files {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	src := map[string]string{}
	for _, s := range scopes {
		for n, t := range s.c.files {
			src[n] = t
		}
	}
	for _, n := range names {
		if _, err := root.New(n).Parse(src[n]); err != nil {
			return nil, "", fmt.Errorf("parse error in %s: %v", n, err)
		}
	}

	release_ := map[string]interface{}{
		"Name": release, "Namespace": namespace, "Service": "Helm",
		"IsInstall": true, "IsUpgrade": false, "Revision": 1,
	}
	caps := map[string]interface{}{
		"KubeVersion": map[string]interface{}{"Version": "v1.29.0", "Major": "1", "Minor": "29", "GitVersion": "v1.29.0"},
		"APIVersions": apiVersions{},
		"HelmVersion": map[string]interface{}{"Version": "v3.14.0"},
	}
	var out []manifest
	notes := ""
	docSep := regexp.MustCompile(`(?m)^---\s*$`)
	for _, s := range scopes {
		chartMeta := map[string]interface{}{}
		for k, v := range s.c.meta {
			chartMeta[strings.ToUpper(k[:1])+k[1:]] = v
		}
		var tnames []string
		for n := range s.c.files {
			tnames = append(tnames, n)
		}
		sort.Strings(tnames)
		for _, n := range tnames {
			base := path.Base(n)
			if strings.HasPrefix(base, "_") {
				continue
			}
			isNotes := base == "NOTES.txt"
			if isNotes && s.c != top {
				continue
			}
			if !isNotes && !strings.HasSuffix(base, ".yaml") && !strings.HasSuffix(base, ".yml") && !strings.HasSuffix(base, ".tpl") {
				continue
			}
			data := map[string]interface{}{
				"Values": s.vals, "Release": release_, "Chart": chartMeta, "Capabilities": caps,
				"Template": map[string]interface{}{"Name": n, "BasePath": path.Join(s.c.name, "templates")},
				"Files":    files_{},
			}
			var b bytes.Buffer
			if err := root.ExecuteTemplate(&b, n, data); err != nil {
				return nil, "", fmt.Errorf("execute %s: %v", n, err)
			}
			text := strings.ReplaceAll(b.String(), "<no value>", "")
			if isNotes {
				notes = text
				continue
			}
			for i, doc := range docSep.Split(text, -1) {
				if strings.TrimSpace(stripComments(doc)) == "" {
					continue
				}
				obj := map[string]interface{}{}
				if err := yaml.UnmarshalStrict([]byte(doc), &obj); err != nil {
					return nil, "", fmt.Errorf("YAML parse error in %s (document %d): %v\n%s", n, i, err, doc)
				}
				out = append(out, manifest{Source: n, Object: obj})
			}
		}
	}
	return out, notes, nil
}

func stripComments(doc string) string {
	var b strings.Builder
	for _, l := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// apiVersions answers .Capabilities.APIVersions.Has like a cluster that has
// the built-in groups only: optional CRDs (ServiceMonitor, ScaledObject)
// must be switched on explicitly in values, never guessed.
type apiVersions struct{}

func (apiVersions) Has(v string) bool {
	for _, g := range []string{"v1", "apps/v1", "policy/v1", "batch/v1", "networking.k8s.io/v1"} {
		if v == g || strings.HasPrefix(v, g+"/") {
			return true
		}
	}
	return false
}

// files_ stands in for .Files; these charts read no files, so any use is
// an error rather than a silent empty string.
type files_ struct{}

func (files_) Get(name string) (string, error) {
	return "", fmt.Errorf(".Files.Get %q: chart files are not supported by this renderer", name)
}

func funcMap(root *template.Template) template.FuncMap {
	f := sprig.TxtFuncMap()
	// Helm removes these so a render never depends on the machine.
	delete(f, "env")
	delete(f, "expandenv")
	includeDepth := 0
	f["include"] = func(name string, data interface{}) (string, error) {
		includeDepth++
		defer func() { includeDepth-- }()
		if includeDepth > 1000 {
			return "", fmt.Errorf("include %q: recursion too deep", name)
		}
		var b bytes.Buffer
		if err := root.ExecuteTemplate(&b, name, data); err != nil {
			return "", err
		}
		return b.String(), nil
	}
	f["tpl"] = func(text string, data interface{}) (string, error) {
		t, err := root.Clone()
		if err != nil {
			return "", err
		}
		t, err = t.New("tpl").Parse(text)
		if err != nil {
			return "", err
		}
		var b bytes.Buffer
		if err := t.Execute(&b, data); err != nil {
			return "", err
		}
		return strings.ReplaceAll(b.String(), "<no value>", ""), nil
	}
	f["required"] = func(msg string, v interface{}) (interface{}, error) {
		if v == nil {
			return nil, errors.New(msg)
		}
		if s, ok := v.(string); ok && s == "" {
			return nil, errors.New(msg)
		}
		return v, nil
	}
	f["toYaml"] = func(v interface{}) string {
		b, err := yaml.Marshal(v)
		if err != nil {
			return ""
		}
		return strings.TrimSuffix(string(b), "\n")
	}
	f["fromYaml"] = func(s string) map[string]interface{} {
		m := map[string]interface{}{}
		if err := yaml.Unmarshal([]byte(s), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
	f["toJson"] = func(v interface{}) string {
		b, err := json.Marshal(v)
		if err != nil {
			return ""
		}
		return string(b)
	}
	f["fromJson"] = func(s string) map[string]interface{} {
		m := map[string]interface{}{}
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
	// No cluster here: lookup finds nothing, as under `helm template`.
	f["lookup"] = func(string, string, string, string) (map[string]interface{}, error) {
		return map[string]interface{}{}, nil
	}
	return f
}

func loadPlain(files []string) ([]manifest, error) {
	var out []manifest
	docSep := regexp.MustCompile(`(?m)^---\s*$`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		for i, doc := range docSep.Split(string(b), -1) {
			if strings.TrimSpace(stripComments(doc)) == "" {
				continue
			}
			obj := map[string]interface{}{}
			if err := yaml.UnmarshalStrict([]byte(doc), &obj); err != nil {
				return nil, fmt.Errorf("YAML parse error in %s (document %d): %v", f, i, err)
			}
			out = append(out, manifest{Source: f, Object: obj})
		}
	}
	return out, nil
}

// setPath applies one --set style assignment: a.b.c=value, where value is
// typed the way Helm's strvals types it (bool, int64, null, else string).
func setPath(vals map[string]interface{}, kv string) error {
	eq := strings.IndexByte(kv, '=')
	if eq <= 0 {
		return fmt.Errorf("bad -set %q: want key=value", kv)
	}
	var v interface{} = kv[eq+1:]
	switch s := kv[eq+1:]; s {
	case "true":
		v = true
	case "false":
		v = false
	case "null":
		v = nil
	default:
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			v = n
		}
	}
	parts := strings.Split(kv[:eq], ".")
	cur := vals
	for _, p := range parts[:len(parts)-1] {
		next, ok := cur[p].(map[string]interface{})
		if !ok {
			next = map[string]interface{}{}
			cur[p] = next
		}
		cur = next
	}
	cur[parts[len(parts)-1]] = v
	return nil
}
