// Package secretscan tells whether a rendered Secret or ConfigMap holds a
// credential in plaintext. It is pure and small so that both `git gitops
// check` (pkg/check) and `kubectl gitops sync`, which must stay free of the
// policy engine, use the same detection.
package secretscan

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Hit is one reason to think an object holds a plaintext secret.
type Hit struct {
	Key    string // data key, "" when the whole object is the reason
	Reason string
}

var (
	awsAccessKeyRe = regexp.MustCompile(`\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b`)
	awsSecretRe    = regexp.MustCompile(`(?i)aws.{0,20}secret.{0,20}?[:=\s"']+([A-Za-z0-9/+]{40})\b`)
	pemPrivateRe   = regexp.MustCompile(`-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----`)
	tokenFormatRe  = regexp.MustCompile(`\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,}|xox[abposr]-[A-Za-z0-9-]{10,}|glpat-[A-Za-z0-9_-]{20,}|sk_live_[A-Za-z0-9]{20,})\b`)
	credURLRe      = regexp.MustCompile(`[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]+:([^/\s@]+)@`)
	// a password=/token= style line inside an embedded file.
	assignRe = regexp.MustCompile(`(?im)^[ \t]*(?:export[ \t]+)?["']?([A-Za-z0-9_.\-]*?(?:password|passwd|secret|token|api[_.\-]?key|access[_.\-]?key|private[_.\-]?key|credentials?)[A-Za-z0-9_.\-]*)["']?[ \t]*[:=][ \t]*["']?([^"'\s#]*)`)
)

// sensitiveWords end the name of a key that holds a credential
// (DB_PASSWORD, jwtSecret, api-key, SECRET_KEY_BASE).
var sensitiveWords = [][]string{
	{"password"}, {"passwd"}, {"pwd"}, {"pass"}, {"secret"}, {"token"},
	{"apikey"}, {"api", "key"}, {"access", "key"}, {"secret", "key"},
	{"private", "key"}, {"client", "secret"}, {"credential"}, {"credentials"},
	{"secret", "key", "base"},
}

// harmlessLast are last words of key names that name, locate or describe
// a credential rather than hold one (token_url, password_file, ...).
var harmlessLast = map[string]bool{
	"file": true, "path": true, "dir": true, "url": true, "uri": true, "endpoint": true,
	"ttl": true, "timeout": true, "length": true, "expiry": true, "expiration": true,
	"lifetime": true, "header": true, "name": true, "names": true, "type": true,
	"enabled": true, "ref": true, "policy": true, "mode": true, "env": true, "id": true,
	"audience": true, "issuer": true, "hash": true, "algorithm": true, "format": true,
	"rotation": true, "min": true, "max": true, "size": true, "count": true,
}

var camelRe = regexp.MustCompile(`([a-z0-9])([A-Z])`)

// words splits a key name into lower-case words at _ . - and camelCase.
func words(k string) []string {
	k = camelRe.ReplaceAllString(k, "${1}_${2}")
	return strings.FieldsFunc(strings.ToLower(k), func(r rune) bool {
		return r == '_' || r == '.' || r == '-' || r == ' ' || r == '/'
	})
}

// sensitiveKey reports whether a key's name says it holds a credential.
func sensitiveKey(k string) bool {
	w := words(k)
	if len(w) == 0 || harmlessLast[w[len(w)-1]] {
		return false
	}
	for _, s := range sensitiveWords {
		if len(w) >= len(s) && equalWords(w[len(w)-len(s):], s) {
			return true
		}
	}
	return false
}

func equalWords(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

var placeholderRe = regexp.MustCompile(`(?i)^(?:|x+|\*+|\.+|-+|#+|changeme|change[_.\-]?me|replace[_.\-]?me|replace|todo|tbd|fixme|placeholder|example|dummy|fake|redacted|secret|password|token|none|null|nil|false|true|undefined|empty|default|test|<[^>]*>|\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\{\{.*\}\}|%\([^)]*\)s|%[A-Za-z_]+%|\[[^\]]*\]|your[_.\-].*|my[_.\-].*)$`)

// isPlaceholder reports whether v is not a real credential: empty, a
// template or variable reference, an obvious placeholder, a number, a path
// or a URL without credentials.
func isPlaceholder(v string) bool {
	v = strings.TrimSpace(strings.Trim(strings.TrimSpace(v), `"'`))
	switch {
	case placeholderRe.MatchString(v):
		return true
	case strings.HasPrefix(v, "/") || strings.HasPrefix(v, "./") || strings.HasPrefix(v, "file:"):
		return true
	case strings.Contains(v, "://") && !credURLRe.MatchString(v):
		return true
	case len(v) < 4:
		return true
	}
	digits := true
	for _, r := range v {
		if r < '0' || r > '9' {
			digits = false
			break
		}
	}
	return digits
}

// Hits inspects a Secret or a ConfigMap; other kinds yield nothing.
func Hits(u *unstructured.Unstructured) []Hit {
	gv := u.GetAPIVersion()
	if gv != "v1" {
		return nil
	}
	switch u.GetKind() {
	case "Secret":
		return plaintextSecret(u)
	case "ConfigMap":
		return configMapSecrets(u)
	}
	return nil
}

// plaintextSecret: a committed Secret with any real value in data or
// stringData is plaintext (base64 is an encoding, not encryption).
func plaintextSecret(u *unstructured.Unstructured) []Hit {
	values := map[string]string{}
	if data, ok := u.Object["data"].(map[string]any); ok {
		for k, v := range data {
			s, _ := v.(string)
			if b, err := base64.StdEncoding.DecodeString(s); err == nil {
				s = string(b)
			}
			values["data."+k] = s
		}
	}
	if data, ok := u.Object["stringData"].(map[string]any); ok {
		for k, v := range data {
			s, _ := v.(string)
			values["stringData."+k] = s
		}
	}
	var real []string
	for k, v := range values {
		if !isPlaceholder(v) {
			real = append(real, k)
		}
	}
	if len(real) == 0 {
		return nil
	}
	sort.Strings(real)
	return []Hit{{Reason: fmt.Sprintf(
		"%s committed in plaintext (base64 is not encryption); seal the Secret with kubectl gitops seal and commit the SealedSecret instead",
		strings.Join(real, ", "))}}
}

// configMapSecrets looks for credentials in a ConfigMap's data, by key name
// and by content.
func configMapSecrets(u *unstructured.Unstructured) []Hit {
	data, _ := u.Object["data"].(map[string]any)
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var hits []Hit
	for _, k := range keys {
		v, _ := data[k].(string)
		if r := valueReason(k, v); r != "" {
			hits = append(hits, Hit{Key: k, Reason: r})
		}
	}
	return hits
}

const moveIt = "; move it to a Secret sealed with kubectl gitops seal and reference it"

// valueReason says why the value of key k looks like a credential, or "".
func valueReason(k, v string) string {
	switch {
	case pemPrivateRe.MatchString(v):
		return "holds a PEM private key" + moveIt
	case awsAccessKeyRe.MatchString(v):
		return "holds an AWS access key ID" + moveIt
	case awsSecretRe.MatchString(v):
		return "holds an AWS secret access key" + moveIt
	case tokenFormatRe.MatchString(v):
		return "holds an API token in a well-known format (GitHub, GitLab, Slack, Stripe)" + moveIt
	}
	if m := credURLRe.FindStringSubmatch(v); m != nil && !isPlaceholder(m[1]) {
		return "holds a URL with a password in it (scheme://user:password@host)" + moveIt
	}
	if sensitiveKey(k) && !strings.Contains(v, "\n") && !isPlaceholder(v) {
		return "names a credential and its value is not a placeholder" + moveIt
	}
	for _, m := range assignRe.FindAllStringSubmatch(v, -1) {
		name, val := m[1], m[2]
		if !sensitiveKey(name) || isPlaceholder(val) {
			continue
		}
		return fmt.Sprintf("sets %s=… (a password=/token= style setting) to a value that is not a placeholder", name) + moveIt
	}
	return ""
}
