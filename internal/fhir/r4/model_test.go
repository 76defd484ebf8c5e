package r4

import (
	"bytes"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
)

func TestCounts(t *testing.T) {
	m := Load()
	// 146 concrete resources: the StructureDefinitions of profiles-resources.json
	// with kind=resource and abstract=false (Resource and DomainResource are
	// abstract; MetadataResource is a logical model).
	if got, want := len(m.ResourceTypes()), 146; got != want {
		t.Errorf("len(ResourceTypes()) = %d, want %d", got, want)
	}
	if got, want := len(m.AllSearchParams()), 1375; got != want {
		t.Errorf("len(AllSearchParams()) = %d, want %d", got, want)
	}
	if !sort.StringsAreSorted(m.ResourceTypes()) {
		t.Error("ResourceTypes() is not sorted")
	}
	if got, want := m.FHIRVersion(), "4.0.1"; got != want {
		t.Errorf("FHIRVersion() = %q, want %q", got, want)
	}
}

func TestTypes(t *testing.T) {
	m := Load()
	tests := []struct {
		name         string
		kind         Kind
		abstract     bool
		base         string
		isResource   bool
		wantElement  string // a path among Elements
		wantConstKey string // a key among root Constraints, "" to skip
	}{
		{"Patient", KindResource, false, "DomainResource", true, "Patient.contact.name", "dom-2"},
		{"Bundle", KindResource, false, "Resource", true, "Bundle.entry.resource", ""},
		{"DomainResource", KindResource, true, "Resource", true, "DomainResource.text", "dom-6"},
		{"Resource", KindResource, true, "", true, "Resource.meta", ""},
		{"HumanName", KindComplex, false, "Element", false, "HumanName.given", "ele-1"},
		{"BackboneElement", KindComplex, true, "Element", false, "BackboneElement.modifierExtension", "ele-1"},
		{"Element", KindComplex, true, "", false, "Element.id", "ele-1"},
		{"SimpleQuantity", KindComplex, false, "Quantity", false, "Quantity.comparator", "sqty-1"},
		{"string", KindPrimitive, false, "Element", false, "string.value", "ele-1"},
		{"code", KindPrimitive, false, "string", false, "code.value", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			td := m.Type(tt.name)
			if td == nil {
				t.Fatalf("Type(%q) = nil", tt.name)
			}
			if td.Name != tt.name || td.Kind != tt.kind || td.Abstract != tt.abstract || td.Base != tt.base {
				t.Errorf("got {%s %v %v %q}, want {%s %v %v %q}", td.Name, td.Kind, td.Abstract, td.Base, tt.name, tt.kind, tt.abstract, tt.base)
			}
			if got := m.IsResource(tt.name); got != tt.isResource {
				t.Errorf("IsResource(%q) = %v, want %v", tt.name, got, tt.isResource)
			}
			if !slices.ContainsFunc(td.Elements, func(e *ElementDef) bool { return e.Path == tt.wantElement }) {
				t.Errorf("Elements lack %s", tt.wantElement)
			}
			if td.Elements[0].Path == tt.name {
				t.Errorf("Elements include the root element")
			}
			if tt.wantConstKey != "" && !slices.ContainsFunc(td.Constraints, func(c Constraint) bool { return c.Key == tt.wantConstKey }) {
				t.Errorf("Constraints lack %s: %v", tt.wantConstKey, td.Constraints)
			}
		})
	}
	for _, name := range []string{"", "patient", "MetadataResource", "Patient.contact", "System.String"} {
		if td := m.Type(name); td != nil {
			t.Errorf("Type(%q) = %v, want nil", name, td.Name)
		}
	}
}

func TestTypeBasesExist(t *testing.T) {
	m := Load()
	for _, name := range m.ResourceTypes() {
		for td := m.Type(name); td.Base != ""; td = m.Type(td.Base) {
			if m.Type(td.Base) == nil {
				t.Fatalf("%s: base %q of %s unknown", name, td.Base, td.Name)
			}
		}
	}
}

func TestElement(t *testing.T) {
	m := Load()
	tests := []struct {
		path       string
		name       string
		types      []string
		choice     bool
		contentRef string
		min, max   int
		summary    bool
		modifier   bool
	}{
		{"Observation.value[x]", "value", []string{"Quantity", "CodeableConcept", "string", "boolean", "integer", "Range", "Ratio", "SampledData", "time", "dateTime", "Period"}, true, "", 0, 1, true, false},
		{"Patient.contact.name", "name", []string{"HumanName"}, false, "", 0, 1, false, false},
		{"Patient.active", "active", []string{"boolean"}, false, "", 0, 1, true, true},
		{"Patient.identifier", "identifier", []string{"Identifier"}, false, "", 0, -1, true, false},
		{"Observation.status", "status", []string{"code"}, false, "", 1, 1, true, true},
		{"Questionnaire.item.item", "item", nil, false, "Questionnaire.item", 0, -1, false, false},
		{"Bundle.entry.resource", "resource", []string{"Resource"}, false, "", 0, 1, true, false},
		{"Patient.id", "id", []string{"System.String"}, false, "", 0, 1, true, false},
		{"date.value", "value", []string{"System.Date"}, false, "", 0, 1, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			e := m.Element(tt.path)
			if e == nil {
				t.Fatalf("Element(%q) = nil", tt.path)
			}
			if e.Path != tt.path || e.Name != tt.name || !slices.Equal(e.Types, tt.types) || e.Choice != tt.choice ||
				e.ContentRef != tt.contentRef || e.Min != tt.min || e.Max != tt.max || e.Summary != tt.summary || e.Modifier != tt.modifier {
				t.Errorf("got %+v", *e)
			}
		})
	}
	for _, p := range []string{"", "Patient", "Observation.value", "Observation.valueQuantity", "Questionnaire.item.item.linkId", "Quantity.nope"} {
		if e := m.Element(p); e != nil {
			t.Errorf("Element(%q) = %s, want nil", p, e.Path)
		}
	}
}

func TestElementDetails(t *testing.T) {
	m := Load()
	subj := m.Element("Observation.subject")
	if got, want := subj.TargetProfiles, []string{"Patient", "Group", "Device", "Location"}; !slices.Equal(got, want) {
		t.Errorf("Observation.subject TargetProfiles = %v, want %v", got, want)
	}
	if got := m.Element("Patient.id").FHIRType; got != "id" {
		t.Errorf("Patient.id FHIRType = %q, want id", got)
	}
	if got := m.Element("Patient.contact.id").FHIRType; got != "string" {
		t.Errorf("Patient.contact.id FHIRType = %q, want string", got)
	}
	if got := m.Element("Extension.url").FHIRType; got != "uri" {
		t.Errorf("Extension.url FHIRType = %q, want uri", got)
	}
	g := m.Element("Patient.gender").Binding
	if g == nil || g.Strength != "required" || g.ValueSet != "http://hl7.org/fhir/ValueSet/administrative-gender" {
		t.Errorf("Patient.gender binding = %+v", g)
	}
	ext := m.Element("Patient.extension")
	if !slices.ContainsFunc(ext.Constraints, func(c Constraint) bool {
		return c.Key == "ext-1" && c.Severity == "error" && c.Expression == "extension.exists() != value.exists()"
	}) {
		t.Errorf("Patient.extension constraints lack ext-1: %v", ext.Constraints)
	}
}

func TestChild(t *testing.T) {
	m := Load()
	tests := []struct {
		parent, json string
		wantPath     string // "" means ok=false
		wantType     string
	}{
		{"Observation", "valueQuantity", "Observation.value[x]", "Quantity"},
		{"Observation", "valueCodeableConcept", "Observation.value[x]", "CodeableConcept"},
		{"Observation", "valueDateTime", "Observation.value[x]", "dateTime"},
		{"Observation", "value", "", ""},
		{"Observation", "valuequantity", "", ""},
		{"Observation", "valueReference", "", ""},
		{"Observation", "component", "Observation.component", "Observation.component"},
		{"Observation.component", "code", "Observation.component.code", "CodeableConcept"},
		{"Observation.component", "valueQuantity", "Observation.component.value[x]", "Quantity"},
		{"Patient", "contact", "Patient.contact", "Patient.contact"},
		{"Patient.contact", "name", "Patient.contact.name", "HumanName"},
		{"Patient.contact", "id", "Patient.contact.id", "string"},
		{"Bundle", "id", "Bundle.id", "id"},
		{"Patient.contact", "modifierExtension", "Patient.contact.modifierExtension", "Extension"},
		{"Patient", "deceasedBoolean", "Patient.deceased[x]", "boolean"},
		{"Patient", "birthDate", "Patient.birthDate", "date"},
		{"Patient", "id", "Patient.id", "id"},
		{"Patient", "meta", "Patient.meta", "Meta"},
		{"Patient", "text", "Patient.text", "Narrative"},
		{"Patient", "contained", "Patient.contained", "Resource"},
		{"Patient", "implicitRules", "Patient.implicitRules", "uri"},
		{"Patient", "language", "Patient.language", "code"},
		{"Patient", "extension", "Patient.extension", "Extension"},
		{"Patient", "resourceType", "", ""},
		{"Patient", "_birthDate", "Patient.birthDate", "Element"},
		{"Patient", "_deceasedBoolean", "Patient.deceased[x]", "Element"},
		{"HumanName", "_given", "HumanName.given", "Element"},
		{"Patient", "_contact", "", ""},
		{"Patient", "_", "", ""},
		{"Patient", "__birthDate", "", ""},
		{"Questionnaire", "item", "Questionnaire.item", "Questionnaire.item"},
		{"Questionnaire.item", "item", "Questionnaire.item.item", "Questionnaire.item"},
		{"Questionnaire.item", "linkId", "Questionnaire.item.linkId", "string"},
		{"Bundle", "entry", "Bundle.entry", "Bundle.entry"},
		{"Bundle.entry", "resource", "Bundle.entry.resource", "Resource"},
		{"Resource", "meta", "Resource.meta", "Meta"},
		{"HumanName", "given", "HumanName.given", "string"},
		{"HumanName", "id", "HumanName.id", "string"},
		{"Resource", "id", "Resource.id", "id"},
		{"Extension", "url", "Extension.url", "uri"},
		{"Extension", "valueString", "Extension.value[x]", "string"},
		{"Extension", "valueReference", "Extension.value[x]", "Reference"},
		{"Reference", "reference", "Reference.reference", "string"},
		{"Timing", "repeat", "Timing.repeat", "Timing.repeat"},
		{"Timing.repeat", "boundsPeriod", "Timing.repeat.bounds[x]", "Period"},
		{"SimpleQuantity", "value", "Quantity.value", "decimal"},
		{"Quantity", "comparator", "Quantity.comparator", "code"},
		{"ElementDefinition", "slicing", "ElementDefinition.slicing", "ElementDefinition.slicing"},
		{"Nope", "id", "", ""},
		{"", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.parent+"/"+tt.json, func(t *testing.T) {
			el, typ, ok := m.Child(tt.parent, tt.json)
			if tt.wantPath == "" {
				if ok || el != nil || typ != "" {
					t.Errorf("Child = (%v, %q, %v), want not found", el, typ, ok)
				}
				return
			}
			if !ok {
				t.Fatalf("Child not found, want %s", tt.wantPath)
			}
			if el.Path != tt.wantPath || typ != tt.wantType {
				t.Errorf("Child = (%s, %q), want (%s, %q)", el.Path, typ, tt.wantPath, tt.wantType)
			}
		})
	}
}

func TestChildren(t *testing.T) {
	m := Load()
	tests := []struct {
		parent string
		want   []string // element names in order
	}{
		{"HumanName", []string{"id", "extension", "use", "text", "family", "given", "prefix", "suffix", "period"}},
		{"Patient.contact", []string{"id", "extension", "modifierExtension", "relationship", "name", "telecom", "address", "gender", "organization", "period"}},
		{"Resource", []string{"id", "meta", "implicitRules", "language"}},
		{"Nope", nil},
	}
	for _, tt := range tests {
		t.Run(tt.parent, func(t *testing.T) {
			var got []string
			for _, e := range m.Children(tt.parent) {
				got = append(got, e.Name)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Children(%q) = %v, want %v", tt.parent, got, tt.want)
			}
		})
	}
	// Every child listed resolves through Child under its JSON name.
	for parent, list := range m.childList {
		for _, e := range list {
			name := e.Name
			if e.Choice {
				name += upperFirst(e.Types[0])
			}
			if got, _, ok := m.Child(parent, name); !ok || got != e {
				t.Errorf("Child(%q, %q) does not give %s", parent, name, e.Path)
			}
		}
	}
}

// Every child of every type must resolve to a type name that Child or Type
// knows, so that a walker can recurse through any resource.
func TestChildTypesResolve(t *testing.T) {
	m := Load()
	for parent, kids := range m.children {
		for name, c := range kids {
			if strings.HasPrefix(c.typeName, "System.") {
				continue // values of primitive types
			}
			if m.Type(c.typeName) == nil && m.children[c.typeName] == nil {
				t.Errorf("Child(%q, %q) type %q resolves to nothing", parent, name, c.typeName)
			}
		}
	}
}

func TestPrimitiveRegex(t *testing.T) {
	m := Load()
	tests := []struct {
		typ      string
		match    []string
		noMatch  []string
		hasRegex bool
	}{
		{"date", []string{"2024", "2024-02", "2024-02-29"}, []string{"2024-13", "24-01-01", "2024-02-29T10:00:00"}, true},
		{"dateTime", []string{"2024", "2024-02-29T10:00:00+07:00", "2024-02-29T10:00:00Z"}, []string{"2024-02-29T10:00", "2024-02-29T25:00:00Z"}, true},
		{"instant", []string{"2024-02-29T10:00:00.123+07:00"}, []string{"2024-02-29"}, true},
		{"time", []string{"10:00:00", "23:59:59.5"}, []string{"24:00:00", "10:00"}, true},
		{"id", []string{"abc", "A-1.b", strings.Repeat("a", 64)}, []string{"", "a_b", strings.Repeat("a", 65)}, true},
		{"decimal", []string{"0", "-1.50", "3e10", "0.0"}, []string{"01", "1.", "+1", "abc"}, true},
		// R4's integer regexes reject a leading '+', unlike XML Schema.
		{"integer", []string{"0", "-12"}, []string{"1.0", "00", "+5"}, true},
		{"positiveInt", []string{"1", "42"}, []string{"0", "-1", "+42"}, true},
		{"unsignedInt", []string{"0", "42"}, []string{"-1"}, true},
		{"boolean", []string{"true", "false"}, []string{"TRUE", "1"}, true},
		{"code", []string{"male", "a b"}, []string{" male", "a  b"}, true},
		{"oid", []string{"urn:oid:1.2.3"}, []string{"1.2.3"}, true},
		{"uuid", []string{"urn:uuid:c757873d-ec9a-4326-a141-556f43239520"}, []string{"c757873d-ec9a-4326-a141-556f43239520"}, true},
		{"base64Binary", []string{"aGVsbG8="}, []string{"not base64!"}, true},
		{"string", nil, nil, true},
		{"xhtml", nil, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			td := m.Type(tt.typ)
			if td == nil || td.Kind != KindPrimitive {
				t.Fatalf("Type(%q) is not a primitive: %v", tt.typ, td)
			}
			if (td.Regex != "") != tt.hasRegex {
				t.Fatalf("Regex = %q, want present=%v", td.Regex, tt.hasRegex)
			}
			if !tt.hasRegex {
				return
			}
			re, err := compileAnchored(td.Regex)
			if err != nil {
				t.Fatalf("regex %q: %v", td.Regex, err)
			}
			for _, s := range tt.match {
				if !re.MatchString(s) {
					t.Errorf("%q does not match %s", s, td.Regex)
				}
			}
			for _, s := range tt.noMatch {
				if re.MatchString(s) {
					t.Errorf("%q matches %s", s, td.Regex)
				}
			}
		})
	}
}

func TestLoadConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	got := make([]*Model, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = Load()
		}()
	}
	wg.Wait()
	for _, m := range got {
		if m != got[0] || m == nil {
			t.Fatal("Load() returned different models")
		}
	}
}

func TestDecodeBadInput(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"not gzip", []byte("{}")},
		{"truncated", embedded[:len(embedded)/2]},
		{"gzip of garbage", gzipBytes(t, []byte("not json"))},
		{"no types", gzipBytes(t, []byte(`{"types":[]}`))},
		{"duplicate type", gzipBytes(t, []byte(`{"types":[{"name":"a","kind":0},{"name":"a","kind":0}]}`))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Decode(bytes.NewReader(tt.in), nil)
			if err == nil || m != nil {
				t.Fatalf("Decode = (%v, %v), want error", m, err)
			}
			if !strings.Contains(err.Error(), "r4 model") {
				t.Errorf("error %q lacks context", err)
			}
		})
	}
}
