package synth

// Minimal FHIR R4 datatypes used by the generator. They are plain structs
// (not map[string]any) because encoding/json marshals structs in declared
// field order, which gives byte-identical output for the same seed, and is
// several times faster than marshalling maps.

type coding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code,omitempty"`
	Display string `json:"display,omitempty"`
}

type concept struct {
	Coding []coding `json:"coding,omitempty"`
	Text   string   `json:"text,omitempty"`
}

type reference struct {
	Reference string `json:"reference,omitempty"`
	Display   string `json:"display,omitempty"`
}

type identifier struct {
	Use    string   `json:"use,omitempty"`
	Type   *concept `json:"type,omitempty"`
	System string   `json:"system,omitempty"`
	Value  string   `json:"value,omitempty"`
}

type quantity struct {
	Value  float64 `json:"value"`
	Unit   string  `json:"unit,omitempty"`
	System string  `json:"system,omitempty"`
	Code   string  `json:"code,omitempty"`
}

type period struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

type extension struct {
	URL          string      `json:"url"`
	ValueCode    string      `json:"valueCode,omitempty"`
	ValueCoding  *coding     `json:"valueCoding,omitempty"`
	ValueBoolean *bool       `json:"valueBoolean,omitempty"`
	ValueDecimal *float64    `json:"valueDecimal,omitempty"`
	ValueInteger *int        `json:"valueInteger,omitempty"`
	ValueDate    string      `json:"valueDate,omitempty"`
	ValueString  string      `json:"valueString,omitempty"`
	Extension    []extension `json:"extension,omitempty"`
}

type meta struct {
	Security []coding `json:"security,omitempty"`
	Tag      []coding `json:"tag,omitempty"`
}

type humanName struct {
	Use    string   `json:"use,omitempty"`
	Text   string   `json:"text,omitempty"`
	Family string   `json:"family,omitempty"`
	Given  []string `json:"given,omitempty"`
}

type contactPoint struct {
	System string `json:"system,omitempty"`
	Value  string `json:"value,omitempty"`
	Use    string `json:"use,omitempty"`
}

type address struct {
	Extension []extension `json:"extension,omitempty"`
	Use       string      `json:"use,omitempty"`
	Type      string      `json:"type,omitempty"`
	Text      string      `json:"text,omitempty"`
	Line      []string    `json:"line,omitempty"`
	City      string      `json:"city,omitempty"`
	State     string      `json:"state,omitempty"`
	Country   string      `json:"country,omitempty"`
}

type annotation struct {
	Text string `json:"text"`
}

// synthMeta marks every generated resource as test data (v3 ActReason
// HTEST, the standard label for test records) and tags it as Sen synthetic
// output, so that it can never be mistaken for, or mixed with, real data.
func synthMeta() *meta {
	return &meta{
		Security: []coding{{System: "http://terminology.hl7.org/CodeSystem/v3-ActReason", Code: "HTEST", Display: "test health data"}},
		Tag:      []coding{{System: SystemTag, Code: "synthetic", Display: "Dữ liệu tổng hợp (Sen synth)"}},
	}
}
