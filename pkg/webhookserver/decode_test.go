package webhookserver

import (
	"encoding/json"
	"testing"
)

// FuzzDecodeObject: an embedded object decodes, or fails with an error,
// never a panic, and it decodes exactly when encoding/json decodes it into
// a map (the webhook accepts what the standard decoder accepts, no more).
//
//	go test ./pkg/webhookserver -run '^$' -fuzz FuzzDecodeObject -fuzztime 30s
func FuzzDecodeObject(f *testing.F) {
	for _, s := range []string{`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"data":{"a":"1"}}`,
		`{"spec":{"replicas":3,"cpu":0.5,"big":12345678901234567890,"neg":-1e3}}`, `null`, ` null `, `[1]`, `"x"`,
		`{"a":{"a":{"a":[null,true,"\u00e9"]}}}`, `{"a":1e999}`, `{"a":1,"a":2}`, `{"a":"\ud800"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		u, err := decodeObject(raw, "object")
		if isNull(raw) {
			if u != nil || err != nil {
				t.Fatalf("%q: %v, %v; want nothing", raw, u, err)
			}
			return
		}
		var m map[string]any
		stdErr := json.Unmarshal(raw, &m)
		if (err == nil) != (stdErr == nil) {
			t.Fatalf("%q: decodeObject error %v, encoding/json error %v", raw, err, stdErr)
		}
		if err == nil && (u == nil) != (m == nil) {
			t.Fatalf("%q: decoded %v, encoding/json %v", raw, u, m)
		}
	})
}
