package terminology

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/sen-emr/sen/internal/fhir"
)

func TestLookupOperationJSON(t *testing.T) {
	tm := newTest(t)
	b, err := tm.LookupOperation(Params{System: SystemICD10, Code: "N18", DisplayLanguage: "en"})
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		ResourceType string `json:"resourceType"`
		Parameter    []struct {
			Name        string `json:"name"`
			ValueString string `json:"valueString"`
			Part        []struct {
				Name         string `json:"name"`
				ValueCode    string `json:"valueCode"`
				ValueString  string `json:"valueString"`
				ValueBoolean bool   `json:"valueBoolean"`
			} `json:"part"`
		} `json:"parameter"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range out.Parameter {
		s := p.Name + "=" + p.ValueString
		for _, pt := range p.Part {
			s += " " + pt.Name + ":" + pt.ValueCode + pt.ValueString
		}
		got = append(got, s)
	}
	want := []string{
		"name=ICD10VN", "version=vn-moh-2026", "display=Chronic kidney disease",
		"designation= language:vi value:Bệnh thận mạn", "designation= language:en value:Chronic kidney disease",
		"property= code:parent value:N17-N19",
		"property= code:child value:N18.1", "property= code:child value:N18.2", "property= code:child value:N18.3",
		"property= code:child value:N18.4", "property= code:child value:N18.5", "property= code:child value:N18.9",
		"property= code:kind value:category",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestExpansionJSON(t *testing.T) {
	tm := newTest(t)
	b, err := tm.ExpandOperation(Params{URL: CanonicalBase + "/ValueSet/hypertension", Filter: "tim", Count: 1, Offset: 1})
	if err != nil {
		t.Fatal(err)
	}
	var vs struct {
		ResourceType string `json:"resourceType"`
		URL          string `json:"url"`
		Expansion    struct {
			Timestamp string `json:"timestamp"`
			Total     int    `json:"total"`
			Offset    int    `json:"offset"`
			Parameter []struct {
				Name string `json:"name"`
			} `json:"parameter"`
			Contains []struct {
				System, Code, Display string
			} `json:"contains"`
		} `json:"expansion"`
	}
	if err := json.Unmarshal(b, &vs); err != nil {
		t.Fatal(err)
	}
	x := vs.Expansion
	// "tim" (heart) matches I11, I11.9 and I13 in the hypertension set.
	if vs.ResourceType != "ValueSet" || x.Total != 3 || x.Offset != 1 || len(x.Contains) != 1 || x.Contains[0].Code != "I11.9" ||
		x.Timestamp != "2026-07-01T08:00:00+07:00" || len(x.Parameter) != 3 {
		t.Errorf("unexpected expansion: %s", b)
	}
}

func TestParams(t *testing.T) {
	tests := []struct {
		name    string
		query   string
		body    string
		want    Params
		wantErr fhir.Kind
	}{
		{name: "query", query: "url=u&filter=tang&count=5&offset=10&displayLanguage=vi",
			want: Params{URL: "u", Filter: "tang", Count: 5, Offset: 10, DisplayLanguage: "vi"}},
		{name: "query coding", query: "coding=" + url.QueryEscape("http://loinc.org|8480-6"),
			want: Params{Coding: &Coding{System: "http://loinc.org", Code: "8480-6"}}},
		{name: "query bad count", query: "count=-2", wantErr: fhir.KindInvalid},
		{name: "query bad coding", query: "coding=8480-6", wantErr: fhir.KindInvalid},
		{name: "body", body: `{"resourceType":"Parameters","parameter":[{"name":"system","valueUri":"s"},{"name":"code","valueCode":"c"},{"name":"display","valueString":"d"},{"name":"offset","valueInteger":3}]}`,
			want: Params{System: "s", Code: "c", Display: "d", Offset: 3}},
		{name: "body codeableConcept", body: `{"resourceType":"Parameters","parameter":[{"name":"codeableConcept","valueCodeableConcept":{"coding":[{"system":"a","code":"1"},{"system":"b","code":"2"}]}}]}`,
			want: Params{CodeableConcept: []Coding{{System: "a", Code: "1"}, {System: "b", Code: "2"}}}},
		{name: "body not Parameters", body: `{"resourceType":"Bundle"}`, wantErr: fhir.KindInvalid},
		{name: "body not JSON", body: `[`, wantErr: fhir.KindInvalid},
		{name: "body coding without value", body: `{"resourceType":"Parameters","parameter":[{"name":"coding","valueString":"x"}]}`, wantErr: fhir.KindInvalid},
		{name: "body inline resource", body: `{"resourceType":"Parameters","parameter":[{"name":"valueSet","resource":{}}]}`, wantErr: fhir.KindUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got Params
			var err error
			if tt.body != "" {
				got, err = ParamsFromJSON([]byte(tt.body))
			} else {
				q, _ := url.ParseQuery(tt.query)
				got, err = ParamsFromQuery(q)
			}
			if tt.wantErr != 0 {
				var fe *fhir.Error
				if !errors.As(err, &fe) || fe.Kind != tt.wantErr {
					t.Fatalf("err = %v, want kind %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			gb, _ := json.Marshal(got)
			wb, _ := json.Marshal(tt.want)
			if string(gb) != string(wb) {
				t.Errorf("got %s, want %s", gb, wb)
			}
		})
	}
}
