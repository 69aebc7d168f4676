package seal

import "unicode"

// yamlKeyLess orders map keys as go.yaml.in/yaml/v2 (under sigs.k8s.io/yaml)
// does for string keys, so that the encryptedData section Encode writes
// itself is in the order the YAML library, and kubeseal, give: letters
// before other characters, and runs of digits compared as numbers
// ("key-2" before "key-10"). It follows yaml.v2's sorter.go keyList.Less.
func yamlKeyLess(a, b string) bool {
	if i := commonASCIIPrefix(a, b); i > 0 {
		// Equal ASCII characters decide nothing, but a run of digits
		// that starts before the difference matters; back up to its start.
		for i > 0 && a[i-1] >= '0' && a[i-1] <= '9' {
			i--
		}
		a, b = a[i:], b[i:]
	}
	ar, br := []rune(a), []rune(b)
	for i := 0; i < len(ar) && i < len(br); i++ {
		if ar[i] == br[i] {
			continue
		}
		al, bl := unicode.IsLetter(ar[i]), unicode.IsLetter(br[i])
		if al && bl {
			return ar[i] < br[i]
		}
		if al || bl {
			return bl
		}
		var ai, bi int
		var an, bn int64
		if ar[i] == '0' || br[i] == '0' {
			for j := i - 1; j >= 0 && unicode.IsDigit(ar[j]); j-- {
				if ar[j] != '0' {
					an, bn = 1, 1
					break
				}
			}
		}
		for ai = i; ai < len(ar) && unicode.IsDigit(ar[ai]); ai++ {
			an = an*10 + int64(ar[ai]-'0')
		}
		for bi = i; bi < len(br) && unicode.IsDigit(br[bi]); bi++ {
			bn = bn*10 + int64(br[bi]-'0')
		}
		if an != bn {
			return an < bn
		}
		if ai != bi {
			return ai < bi
		}
		return ar[i] < br[i]
	}
	return len(ar) < len(br)
}

// commonASCIIPrefix is the length of the longest common prefix of a and b
// made of ASCII bytes.
func commonASCIIPrefix(a, b string) int {
	n := min(len(a), len(b))
	i := 0
	for i < n && a[i] == b[i] && a[i] < utf8RuneSelf {
		i++
	}
	return i
}

const utf8RuneSelf = 0x80
