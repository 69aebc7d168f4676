package webhookserver

import (
	"encoding/base64"
	"strings"
)

func encodeBase64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func join(s []string, sep string) string { return strings.Join(s, sep) }
