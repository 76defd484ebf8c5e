package validate

import (
	"encoding/json"
	"strconv"
)

// duplicateKey scans syntactically valid JSON for an object that names the
// same property twice, which encoding/json silently accepts (the last one
// wins) but FHIR JSON forbids (https://hl7.org/fhir/R4/json.html). It returns
// a description of the first duplicate, or "".
func duplicateKey(body []byte) string {
	// Keys are compared as substrings of one string copy of the body, so
	// that recording them allocates nothing.
	b := string(body)
	type frame struct {
		obj       bool
		expectKey bool
		keys      []string        // substrings of b: no copy
		set       map[string]bool // once keys grows large, to stay linear
	}
	var stack []frame
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '{':
			stack = append(stack, frame{obj: true, expectKey: true})
		case '[':
			stack = append(stack, frame{})
		case '}', ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case ',':
			if n := len(stack); n > 0 && stack[n-1].obj {
				stack[n-1].expectKey = true
			}
		case '"':
			start, escaped := i, false
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					escaped = true
					i++
				}
			}
			n := len(stack)
			if n == 0 || !stack[n-1].obj || !stack[n-1].expectKey {
				continue
			}
			top := &stack[n-1]
			top.expectKey = false
			end := min(i, len(b)-1)
			key := b[start+1 : end]
			if escaped {
				var s string
				if json.Unmarshal(body[start:end+1], &s) == nil {
					key = s
				}
			}
			if top.set != nil {
				if top.set[key] {
					return "duplicate property " + strconv.Quote(key) + " at offset " + strconv.Itoa(start)
				}
				top.set[key] = true
				continue
			}
			for _, k := range top.keys {
				if k == key {
					return "duplicate property " + strconv.Quote(key) + " at offset " + strconv.Itoa(start)
				}
			}
			top.keys = append(top.keys, key)
			if len(top.keys) > 32 {
				top.set = make(map[string]bool, 64)
				for _, k := range top.keys {
					top.set[k] = true
				}
				top.keys = nil
			}
		}
	}
	return ""
}
