package validate

import "strconv"

// Required bindings: https://hl7.org/fhir/R4/terminologies.html#required.
// Only value sets whose codes the R4 definitions enumerate are checked;
// extensible, preferred and example bindings never produce an error.

// bound checks a coded value of field f against its required binding.
func (w *walker) bound(f *field, val any, at string) {
	b := f.binding
	switch f.typ {
	case "Coding":
		obj, _ := val.(map[string]any)
		if ok, code := b.hasCoding(obj); !ok {
			w.add(sevError, codeCodeInvalid, at, "the code "+code+" is not in the required value set "+b.url)
		}
	case "CodeableConcept":
		obj, _ := val.(map[string]any)
		codings, _ := obj["coding"].([]any)
		var first string
		for _, c := range codings {
			cm, _ := c.(map[string]any)
			ok, code := b.hasCoding(cm)
			if ok && code != "" {
				return
			}
			if first == "" {
				first = code
			}
		}
		if first != "" {
			w.add(sevError, codeCodeInvalid, at, "none of the codings (first: "+first+") is in the required value set "+b.url)
		}
	default: // code, string, uri: the value itself is the code
		if s, ok := val.(string); ok && !b.codes[s] {
			w.add(sevError, codeCodeInvalid, at, "the code "+strconv.Quote(s)+" is not in the required value set "+b.url)
		}
	}
}

// hasCoding reports whether a Coding is in the value set; a Coding without
// a code says nothing and is accepted. code describes it for messages
// ("" when there is no code).
func (b *binding) hasCoding(c map[string]any) (ok bool, code string) {
	cd, _ := c["code"].(string)
	if cd == "" {
		return true, ""
	}
	sys, _ := c["system"].(string)
	if sys == "" {
		return b.codes[cd], strconv.Quote(cd)
	}
	return b.coding[sys+"|"+cd], strconv.Quote(sys + "|" + cd)
}
