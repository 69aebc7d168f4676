package seal

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
)

// SecretSource describes a Secret the way `kubectl create secret generic`
// takes it on the command line.
type SecretSource struct {
	Name      string
	Namespace string
	Type      corev1.SecretType
	// Literals are KEY=VALUE pairs (--from-literal).
	Literals []string
	// Files are PATH, KEY=PATH or a directory, whose regular files become
	// keys (--from-file).
	Files []string
	// EnvFiles are files of KEY=VALUE lines (--from-env-file).
	EnvFiles []string
}

// Empty reports whether s names no literal, file or env file.
func (s SecretSource) Empty() bool {
	return len(s.Literals) == 0 && len(s.Files) == 0 && len(s.EnvFiles) == 0
}

// BuildSecret builds the Secret s describes. Keys are validated as
// Kubernetes does and may not repeat. Errors name the flag, the file and
// the line or key, never a value.
func BuildSecret(s SecretSource) (*corev1.Secret, error) {
	sec := &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Name: s.Name, Namespace: s.Namespace},
		Type:       s.Type,
		Data:       map[string][]byte{},
	}
	for i, lit := range s.Literals {
		key, value, ok := strings.Cut(lit, "=")
		if !ok || key == "" {
			// Without a separator the whole argument may be the value: name it by position.
			return nil, fmt.Errorf("--from-literal #%d: %w: expected KEY=VALUE", i+1, ErrInvalidSource)
		}
		if err := addKey(sec, key, []byte(value), "--from-literal"); err != nil {
			return nil, err
		}
	}
	for _, src := range s.Files {
		if err := addFileSource(sec, src); err != nil {
			return nil, err
		}
	}
	for _, f := range s.EnvFiles {
		if err := addEnvFile(sec, f); err != nil {
			return nil, err
		}
	}
	return sec, nil
}

// addFileSource adds PATH (key: base name), KEY=PATH, or every regular file
// of a directory.
func addFileSource(sec *corev1.Secret, src string) error {
	key, p, err := parseFileSource(src)
	if err != nil {
		return err
	}
	fi, err := os.Stat(p)
	if err != nil {
		return fmt.Errorf("--from-file %s: %w", p, err)
	}
	if !fi.IsDir() {
		return addKeyFromFile(sec, key, p)
	}
	if strings.Contains(src, "=") {
		return fmt.Errorf("--from-file %s: %w: a directory takes no key name (its files name the keys)", p, ErrInvalidSource)
	}
	entries, err := os.ReadDir(p)
	if err != nil {
		return fmt.Errorf("--from-file %s: %w", p, err)
	}
	for _, e := range entries {
		if e.Type().IsRegular() {
			if err := addKeyFromFile(sec, e.Name(), filepath.Join(p, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// parseFileSource splits KEY=PATH as kubectl does; a bare PATH gives its base name.
func parseFileSource(src string) (key, p string, err error) {
	switch n := strings.Count(src, "="); {
	case n == 0:
		return path.Base(filepath.ToSlash(src)), src, nil
	case n > 1:
		return "", "", fmt.Errorf("--from-file %s: %w: key names and paths cannot contain '='", src, ErrInvalidSource)
	}
	key, p, _ = strings.Cut(src, "=")
	if key == "" || p == "" {
		return "", "", fmt.Errorf("--from-file %s: %w: expected PATH or KEY=PATH", src, ErrInvalidSource)
	}
	return key, p, nil
}

func addKeyFromFile(sec *corev1.Secret, key, p string) error {
	data, err := os.ReadFile(p)
	if err != nil {
		return fmt.Errorf("--from-file %s: %w", p, err)
	}
	return addKey(sec, key, data, "--from-file "+p)
}

// addEnvFile reads KEY=VALUE lines as kubectl does: a UTF-8 BOM is ignored,
// leading blanks are trimmed, blank lines and # comments are skipped, and a
// line with no '=' takes its value from the environment.
func addEnvFile(sec *corev1.Secret, p string) error {
	data, err := os.ReadFile(p)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return fmt.Errorf("--from-env-file %s: %w", p, pe.Err)
		}
		return fmt.Errorf("--from-env-file %s: %w", p, err)
	}
	data = bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF})
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), len(data)+1)
	for n := 1; sc.Scan(); n++ {
		where := fmt.Sprintf("--from-env-file %s line %d", p, n)
		line := sc.Bytes()
		if !utf8.Valid(line) {
			return fmt.Errorf("%s: %w: not valid UTF-8", where, ErrInvalidSource)
		}
		line = bytes.TrimLeftFunc(line, unicode.IsSpace)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		key, value, hasValue := strings.Cut(string(line), "=")
		if errs := validation.IsEnvVarName(key); len(errs) != 0 {
			// The "key" may be a value whose '=' was forgotten: do not quote it.
			return fmt.Errorf("%s: %w: expected KEY=VALUE with KEY a valid environment variable name", where, ErrInvalidSource)
		}
		if !hasValue {
			value = os.Getenv(key)
		}
		if err := addKey(sec, key, []byte(value), where); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("--from-env-file %s: %w", p, err)
	}
	return nil
}

// addKey adds key unless it is invalid or already present.
func addKey(sec *corev1.Secret, key string, value []byte, where string) error {
	if errs := validation.IsConfigMapKey(key); len(errs) != 0 {
		return fmt.Errorf("%s: %w %q: %s", where, ErrInvalidKey, key, strings.Join(errs, "; "))
	}
	if _, dup := sec.Data[key]; dup {
		return fmt.Errorf("%s: %w %q: another source already gives it", where, ErrDuplicateKey, key)
	}
	sec.Data[key] = value
	return nil
}
