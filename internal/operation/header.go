package operation

import (
	"bytes"
	"encoding/json"

	"github.com/sen-emr/sen/internal/fhir"
)

// header returns resourceType and id of a resource body by reading only its
// top-level members; nested values are skipped without decoding. Bulk
// import calls it for every entry, where decoding whole resources would
// double the cost. The body is fully validated later by the indexer.
func header(body []byte) (typ, id string, err error) {
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return "", "", fhir.Errorf(fhir.KindInvalid, "the body is not a JSON object")
	}
	i++
	for {
		i = skipSpace(body, i)
		if i < len(body) && body[i] == '}' {
			break
		}
		if i < len(body) && body[i] == ',' {
			i++
			continue
		}
		if i >= len(body) || body[i] != '"' {
			return "", "", fhir.Errorf(fhir.KindInvalid, "malformed JSON object")
		}
		kEnd := stringEnd(body, i)
		if kEnd < 0 {
			return "", "", fhir.Errorf(fhir.KindInvalid, "malformed JSON object")
		}
		key := body[i+1 : kEnd]
		i = skipSpace(body, kEnd+1)
		if i >= len(body) || body[i] != ':' {
			return "", "", fhir.Errorf(fhir.KindInvalid, "malformed JSON object")
		}
		i = skipSpace(body, i+1)
		vEnd := valueEnd(body, i)
		if vEnd < 0 {
			return "", "", fhir.Errorf(fhir.KindInvalid, "malformed JSON object")
		}
		if string(key) == "resourceType" || string(key) == "id" {
			var s string
			if json.Unmarshal(body[i:vEnd], &s) != nil {
				return "", "", fhir.Errorf(fhir.KindInvalid, "%s is not a string", key)
			}
			if string(key) == "id" {
				id = s
			} else {
				typ = s
			}
		}
		i = vEnd
	}
	if typ == "" {
		return "", "", fhir.Errorf(fhir.KindInvalid, "the resource has no resourceType")
	}
	return typ, id, nil
}

// stringEnd returns the index of the closing quote of the string starting
// at b[i], or -1.
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j
		}
	}
	return -1
}

// valueEnd returns the index just past the JSON value starting at b[i], or -1.
func valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		e := stringEnd(b, i)
		if e < 0 {
			return -1
		}
		return e + 1
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				e := stringEnd(b, j)
				if e < 0 {
					return -1
				}
				j = e
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i
	for j < len(b) && !bytes.ContainsRune([]byte(",}] \t\r\n"), rune(b[j])) {
		j++
	}
	if j == i {
		return -1
	}
	return j
}
