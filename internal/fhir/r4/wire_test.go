package r4

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

func TestEncodeDecodeRoundTrip(t *testing.T) {
	or := false
	ele1 := Constraint{Key: "ele-1", Severity: "error", Human: "All FHIR elements must have a @value or children", Expression: "hasValue() or (children().count() > id.count())"}
	src := &Source{
		FHIRVersion: "4.0.1",
		Types: []*TypeDef{
			{Name: "Element", Kind: KindComplex, Abstract: true, Constraints: []Constraint{ele1},
				Elements: []*ElementDef{{Path: "Element.id", Name: "id", Types: []string{"System.String"}, FHIRType: "string", Max: 1, Constraints: []Constraint{ele1}}}},
			{Name: "Resource", Kind: KindResource, Abstract: true,
				Elements: []*ElementDef{{Path: "Resource.id", Name: "id", Types: []string{"System.String"}, FHIRType: "string", Max: 1, Summary: true}}},
			{Name: "Thing", Kind: KindResource, Base: "Resource",
				Elements: []*ElementDef{
					{Path: "Thing.id", Name: "id", Types: []string{"System.String"}, FHIRType: "string", Max: 1},
					{Path: "Thing.value[x]", Name: "value", Types: []string{"Quantity", "string"}, Choice: true, Max: 1, Constraints: []Constraint{ele1, {Key: "x-1", Severity: "warning", Human: "h"}}},
					{Path: "Thing.part", Name: "part", Types: []string{"BackboneElement"}, Max: -1, Binding: &Binding{Strength: "required", ValueSet: "http://x/vs"}},
					{Path: "Thing.part.part", Name: "part", ContentRef: "Thing.part", Max: -1},
				}},
		},
		SearchParams: []*SearchParam{
			{URL: "http://x/sp/Resource-id", Code: "_id", Base: []string{"Resource"}, Type: "token", Expression: "Resource.id"},
			{URL: "http://x/sp/Thing-value", Code: "value", Base: []string{"Thing"}, Type: "quantity", Expression: "Thing.value", MultipleOr: &or},
		},
		Compartments: map[string]map[string][]string{"Thing": {"Thing": {"part"}}},
		ValueSets:    []*ValueSet{{URL: "http://x/vs", Codes: []Coding{{System: "http://x/cs", Code: "a", Display: "A"}}}},
	}
	var mb, vb bytes.Buffer
	if err := Encode(&mb, &vb, src); err != nil {
		t.Fatal(err)
	}
	m, err := Decode(bytes.NewReader(mb.Bytes()), bytes.NewReader(vb.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range src.Types {
		if got := m.Type(want.Name); !reflect.DeepEqual(got, want) {
			t.Errorf("Type(%s) = %+v, want %+v", want.Name, got, want)
		}
	}
	if got := m.AllSearchParams(); !reflect.DeepEqual(got, src.SearchParams) {
		t.Errorf("AllSearchParams() = %+v, want %+v", got, src.SearchParams)
	}
	if got, want := len(m.SearchParams("Thing")), 2; got != want {
		t.Errorf("len(SearchParams(Thing)) = %d, want %d", got, want)
	}
	if got := m.ValueSet("http://x/vs|1.0"); !reflect.DeepEqual(got, src.ValueSets[0]) {
		t.Errorf("ValueSet = %+v, want %+v", got, src.ValueSets[0])
	}
	if got := m.ResourceTypes(); !reflect.DeepEqual(got, []string{"Thing"}) {
		t.Errorf("ResourceTypes() = %v", got)
	}
	if _, typ, ok := m.Child("Thing.part", "part"); !ok || typ != "Thing.part" {
		t.Errorf("Child(Thing.part, part) = %q, %v", typ, ok)
	}
	if got := m.CompartmentParams("Thing", "Thing"); !reflect.DeepEqual(got, []string{"{def}", "part"}) {
		t.Errorf("CompartmentParams = %v", got)
	}

	// Equal sources give equal bytes: the generator's reproducibility rests on it.
	var mb2, vb2 bytes.Buffer
	if err := Encode(&mb2, &vb2, src); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(mb.Bytes(), mb2.Bytes()) || !bytes.Equal(vb.Bytes(), vb2.Bytes()) {
		t.Error("Encode is not deterministic")
	}
}

func TestDecodeBadConstraintRef(t *testing.T) {
	in := gzipBytes(t, []byte(`{"constraints":[],"types":[{"name":"a","kind":0,"constraints":[3]}]}`))
	_, err := Decode(bytes.NewReader(in), nil)
	if err == nil || !strings.Contains(err.Error(), "out of range") {
		t.Fatalf("err = %v, want constraint out of range", err)
	}
}

func TestBadValueSetsGiveNil(t *testing.T) {
	m, err := Decode(bytes.NewReader(embedded), bytes.NewReader([]byte("not gzip")))
	if err != nil {
		t.Fatal(err)
	}
	if vs := m.ValueSet("http://hl7.org/fhir/ValueSet/administrative-gender"); vs != nil {
		t.Errorf("ValueSet from a corrupt file = %v, want nil", vs)
	}
	if _, err := m.loadValueSets(); err == nil || !strings.Contains(err.Error(), "value sets") {
		t.Errorf("loadValueSets err = %v, want a value set error", err)
	}
	bad := gzipBytes(t, []byte(`[{"url":"http://x/vs","runs":[{"system":"s","codes":[["a","b","c"]]}]}]`))
	if _, err := readValueSets(bytes.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "length 3") {
		t.Errorf("readValueSets(bad code entry) err = %v", err)
	}
	noURL := gzipBytes(t, []byte(`[{"runs":[]}]`))
	if _, err := readValueSets(bytes.NewReader(noURL)); err == nil {
		t.Error("readValueSets(no url) succeeded, want error")
	}
	if _, err := Load().loadValueSets(); err != nil {
		t.Errorf("embedded value sets: %v", err)
	}
}
