package webhookserver

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	kjson "sigs.k8s.io/json"
)

// reference decodes raw as the handler did before parseObject.
func reference(raw []byte) (map[string]any, error) {
	var m map[string]any
	err := kjson.UnmarshalCaseSensitivePreserveInts(raw, &m)
	return m, err
}

var jsonCases = []string{
	`{}`, `null`, ` { } `, `{"a":1}`, `{"a":-1,"b":0,"c":-0}`, `{"a":1.5,"b":1e3,"c":1E-2,"d":-0.0}`,
	`{"big":9223372036854775807,"bigger":9223372036854775808,"neg":-9223372036854775808,"negger":-9223372036854775809}`,
	`{"n":123456789012345678}`, `{"n":1234567890123456789}`,
	`{"s":"plain","e":"a\"b\\c\/d\n\t\u00e9\ud83d\ude00","bad":"\ud800x","u":"héllo"}`,
	`{"metadata":{"name":"web","labels":{"app":"web"}},"spec":{"replicas":3,"list":[1,"two",true,false,null,{},[]]}}`,
	`{"a":1,"a":2}`, `{"Name":1,"name":2}`, "{\"x\":\"\xff\xfe\"}",
	// Malformed: each must fail in both decoders.
	`{`, `{"a"`, `{"a":`, `{"a":1`, `{"a":1,}`, `{"a" 1}`, `{a:1}`, `[1]`, `"s"`, `1`, `true`,
	`{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":1e}`, `{"a":-}`, `{"a":+1}`, `{"a":tru}`, `{"a":nul}`,
	`{"a":1} x`, `{} {}`, `{"a":[1,]}`, `{"a":[1 2]}`, "{\"a\":\"x\ny\"}", `{"a":"\x"}`, `{"a":"\u12"}`,
	`{"a":1e999}`, ``, ` `, `nul`,
}

func TestParseObjectMatchesReference(t *testing.T) {
	cases := append([]string{`{"deep":` + strings.Repeat(`[`, 200) + strings.Repeat(`]`, 200) + `}`}, jsonCases...)
	for _, c := range cases {
		want, wantErr := reference([]byte(c))
		got, err := parseObject([]byte(c))
		if (err != nil) != (wantErr != nil) {
			t.Errorf("%q: error %v, reference error %v", c, err, wantErr)
			continue
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Errorf("%q: got %#v, want %#v", c, got, want)
		}
	}
}

func TestParseObjectDepthLimit(t *testing.T) {
	deep := `{"a":` + strings.Repeat(`[`, maxDepth+1) + strings.Repeat(`]`, maxDepth+1) + `}`
	if _, err := parseObject([]byte(deep)); err == nil {
		t.Error("no error beyond the depth limit")
	}
}

func FuzzParseObject(f *testing.F) {
	for _, c := range jsonCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		want, wantErr := reference(raw)
		got, err := parseObject(raw)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("%q: error %v, reference error %v", raw, err, wantErr)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: got %#v, want %#v", raw, got, want)
		}
	})
}

// pairCases are (object, oldObject) pairs.
var pairCases = [][2]string{
	{`{"a":1}`, `{"a":1}`}, {`{"a":1}`, `{"a":2}`}, {`{"a":{"b":[1,2,{"c":"x"}]},"d":"e"}`, `{"a":{"b":[1,2,{"c":"y"}]},"d":"e"}`},
	{`{"a":[1,2]}`, `{"a":[1,2,3]}`}, {`{"a":1,"b":2}`, `{"b":2,"c":3}`}, {`{"a":{"x":1}}`, `{"a":[1]}`},
	{`{"a":1,"a":2}`, `{"a":3,"a":2}`}, {`{"b":1}`, `{"a":1,"a":2}`}, {`{"b":1}`, `{"a":tru,"a":2}`},
	{`null`, `{"a":1}`}, {``, `{"a":1}`}, {`{"a":1}`, ``}, {` {"a" : [ 1 , 2 ] } `, `{"a":[1,2]}`},
	{`{"a":{"b":}}`, `{"a":{"b":1}}`}, {`{"a":[}`, `{"a":[]}`}, {`{"a":"\u00e9"}`, `{"a":"é"}`},
	{`{"a":{"b":1}} x`, `{"a":{"b":2}}`}, {`{"a":[1,]}`, `{"a":[2,]}`}, {`{"a":{"b":1,}}`, `{"a":{"b":2,}}`},
	{`{"a":"x\"}`, `{"a":"y"}`}, {`[1]`, `[2]`}, {`{"a":1 2}`, `{"a":1}`},
	{`{"status":{"a":1},"metadata":{"name":"x","managedFields":[{"time":"1"}]}}`, `{"status":{"a":2},"metadata":{"name":"x","managedFields":[{"time":"2"}]}}`},
	{`{"status":tru}`, `{}`}, {`{}`, `{"metadata":{"managedFields":[}}`}, {`{"metadata":1}`, `{"metadata":{"a":1}}`},
	{`{"metadata":{"a":1},"metadata":{"b":2}}`, `{"metadata":{"c":1}}`}, {`{"x":1}`, `{"metadata":{"a":1},"metadata":{"b":2}}`},
}

func refPair(n, o []byte) (map[string]any, map[string]any, error) {
	nm, err := reference(n)
	if err != nil {
		return nil, nil, err
	}
	om, err := reference(o)
	return prune(nm), prune(om), err
}

// prune drops what parsePair does not decode.
func prune(m map[string]any) map[string]any {
	delete(m, "status")
	if md, ok := m["metadata"].(map[string]any); ok {
		delete(md, "managedFields")
	}
	return m
}

// refEmpty treats an empty body as null, as decode does.
func refEmpty(b string) string {
	if strings.TrimSpace(b) == "" {
		return "null"
	}
	return b
}

func checkPair(t *testing.T, n, o string) {
	t.Helper()
	wn, wo, wantErr := refPair([]byte(refEmpty(n)), []byte(refEmpty(o)))
	gn, gop, err := parsePair([]byte(n), []byte(o))
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("%q / %q: error %v, reference error %v", n, o, err, wantErr)
	}
	if err == nil && (!reflect.DeepEqual(gn, wn) || !reflect.DeepEqual(gop, wo)) {
		t.Fatalf("%q / %q: got %#v / %#v, want %#v / %#v", n, o, gn, gop, wn, wo)
	}
}

func TestParsePairMatchesReference(t *testing.T) {
	for _, c := range pairCases {
		t.Run("", func(t *testing.T) { checkPair(t, c[0], c[1]) })
	}
}

func FuzzParsePair(f *testing.F) {
	for _, c := range pairCases {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, n, o string) {
		if strings.TrimSpace(n) == "" || strings.TrimSpace(o) == "" {
			return // parseObject's own contract; empty means absent in decode
		}
		checkPair(t, n, o)
	})
}

// TestNotPlain checks the word-at-a-time scan against a byte-at-a-time one.
func TestNotPlain(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte{'a', 'Z', '0', ' ', '"', '\\', 0x1f, 0x20, 0x7f, 0x80, 0xff, 0x00, 0x21, 0x5b, 0x5d}
	for range 200000 {
		var b [8]byte
		for i := range b {
			if rng.IntN(4) == 0 {
				b[i] = alphabet[rng.IntN(len(alphabet))]
			} else {
				b[i] = byte(rng.IntN(256))
			}
		}
		want := 8
		for i, c := range b {
			if c == '"' || c == '\\' || c < 0x20 || c >= 0x80 {
				want = i
				break
			}
		}
		got := 8
		if m := notPlain(binary.LittleEndian.Uint64(b[:])); m != 0 {
			got = bits.TrailingZeros64(m) / 8
		}
		if got != want {
			t.Fatalf("% x: first non-plain byte at %d, want %d", b, got, want)
		}
	}
}
