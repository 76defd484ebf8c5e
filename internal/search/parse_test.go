package search

import (
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/fhir/r4"
)

// compact renders a value with only its non-zero fields, so test
// expectations stay short: {Param:"code" Type:"token" Values:[{...}]}.
func compact(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return "nil"
		}
		return compact(v.Elem())
	case reflect.Struct:
		if t, ok := v.Interface().(time.Time); ok {
			return t.Format(time.RFC3339Nano)
		}
		var parts []string
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			if f.IsZero() {
				continue
			}
			parts = append(parts, v.Type().Field(i).Name+":"+compact(f))
		}
		return "{" + strings.Join(parts, " ") + "}"
	case reflect.Slice:
		var parts []string
		for i := 0; i < v.Len(); i++ {
			parts = append(parts, compact(v.Index(i)))
		}
		return "[" + strings.Join(parts, " ") + "]"
	case reflect.String:
		return fmt.Sprintf("%q", v.String())
	}
	return fmt.Sprint(v.Interface())
}

type parseCase struct {
	name    string
	typ     string // resource type searched ("" for system level)
	query   string // raw query string
	strict  bool
	want    string // compact(Query.Clauses) unless wantQ is set
	wantQ   string // compact(*Query) minus Clauses/Type, for result parameters
	wantErr string // substring of the error; the error must be KindInvalid
}

func runParseCases(t *testing.T, cases []parseCase) {
	t.Helper()
	m := r4.Load()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			vals, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			q, err := ParseQuery(m, tt.typ, vals, tt.strict)
			if tt.wantErr != "" {
				var fe *fhir.Error
				if !errors.As(err, &fe) || fe.Kind != fhir.KindInvalid {
					t.Fatalf("ParseQuery(%q) error = %v, want KindInvalid containing %q", tt.query, err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseQuery(%q) error = %q, want it to contain %q", tt.query, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseQuery(%q): %v", tt.query, err)
			}
			var got, want string
			if tt.wantQ != "" {
				c := *q
				c.Clauses, c.Type = nil, ""
				got, want = compact(reflect.ValueOf(c)), tt.wantQ
			} else {
				got, want = compact(reflect.ValueOf(q.Clauses)), tt.want
			}
			if got != want {
				t.Errorf("ParseQuery(%q)\n got: %s\nwant: %s", tt.query, got, want)
			}
		})
	}
}

func TestParseQueryClauses(t *testing.T) {
	runParseCases(t, []parseCase{
		// token
		{name: "token code", typ: "Observation", query: "code=1234-5",
			want: `[{Param:"code" Type:"token" Values:[{Raw:"1234-5" Code:"1234-5"}]}]`},
		{name: "token system|code", typ: "Observation", query: "code=http://loinc.org|1234-5",
			want: `[{Param:"code" Type:"token" Values:[{Raw:"http://loinc.org|1234-5" System:"http://loinc.org" Code:"1234-5" HasSystem:true}]}]`},
		{name: "token |code", typ: "Observation", query: "code=|1234-5",
			want: `[{Param:"code" Type:"token" Values:[{Raw:"|1234-5" Code:"1234-5" HasSystem:true}]}]`},
		{name: "token system|", typ: "Observation", query: "code=http://loinc.org|",
			want: `[{Param:"code" Type:"token" Values:[{Raw:"http://loinc.org|" System:"http://loinc.org" HasSystem:true}]}]`},
		{name: "token OR", typ: "Patient", query: "gender=male,female",
			want: `[{Param:"gender" Type:"token" Values:[{Raw:"male" Code:"male"} {Raw:"female" Code:"female"}]}]`},
		{name: "token AND", typ: "Patient", query: "_tag=a&_tag=b",
			want: `[{Param:"_tag" Type:"token" Values:[{Raw:"a" Code:"a"}]} {Param:"_tag" Type:"token" Values:[{Raw:"b" Code:"b"}]}]`},
		{name: "token :not", typ: "Patient", query: "gender:not=male",
			want: `[{Param:"gender" Type:"token" Modifier:"not" Values:[{Raw:"male" Code:"male"}]}]`},
		{name: "token :text folds", typ: "Condition", query: "code:text=Tiểu Đường",
			want: `[{Param:"code" Type:"token" Modifier:"text" Values:[{Raw:"Tiểu Đường" Norm:"tieu duong"}]}]`},
		{name: "token :in", typ: "Condition", query: "code:in=http://example.org/fhir/ValueSet/dm",
			want: `[{Param:"code" Type:"token" Modifier:"in" Values:[{Raw:"http://example.org/fhir/ValueSet/dm" RefURL:"http://example.org/fhir/ValueSet/dm"}]}]`},
		{name: "token :not-in", typ: "Condition", query: "code:not-in=http://x/vs",
			want: `[{Param:"code" Type:"token" Modifier:"not-in" Values:[{Raw:"http://x/vs" RefURL:"http://x/vs"}]}]`},
		{name: "token :below", typ: "Condition", query: "code:below=http://snomed.info/sct|73211009",
			want: `[{Param:"code" Type:"token" Modifier:"below" Values:[{Raw:"http://snomed.info/sct|73211009" System:"http://snomed.info/sct" Code:"73211009" HasSystem:true}]}]`},
		{name: "token :of-type", typ: "Patient", query: "identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|446053",
			want: `[{Param:"identifier" Type:"token" Modifier:"of-type" Values:[{Raw:"http://terminology.hl7.org/CodeSystem/v2-0203|MR|446053" Code:"446053" TypeSystem:"http://terminology.hl7.org/CodeSystem/v2-0203" TypeCode:"MR"}]}]`},
		{name: "token escaped comma and bar", typ: "Observation", query: `code=a\,b,c\|d`,
			want: `[{Param:"code" Type:"token" Values:[{Raw:"a,b" Code:"a,b"} {Raw:"c|d" Code:"c|d"}]}]`},
		{name: "token escaped backslash", typ: "Observation", query: `code=a\\`,
			want: `[{Param:"code" Type:"token" Values:[{Raw:"a\\" Code:"a\\"}]}]`},
		{name: "_id", typ: "Patient", query: "_id=p1,p2",
			want: `[{Param:"_id" Type:"token" Values:[{Raw:"p1" Code:"p1"} {Raw:"p2" Code:"p2"}]}]`},
		{name: "_security", typ: "Patient", query: "_security=http://terminology.hl7.org/CodeSystem/v3-Confidentiality|R",
			want: `[{Param:"_security" Type:"token" Values:[{Raw:"http://terminology.hl7.org/CodeSystem/v3-Confidentiality|R" System:"http://terminology.hl7.org/CodeSystem/v3-Confidentiality" Code:"R" HasSystem:true}]}]`},
		{name: "boolean token", typ: "Patient", query: "active=true",
			want: `[{Param:"active" Type:"token" Values:[{Raw:"true" Code:"true"}]}]`},
		// string
		{name: "string folds Vietnamese", typ: "Patient", query: "name=Nguyễn",
			want: `[{Param:"name" Type:"string" Values:[{Raw:"Nguyễn" Norm:"nguyen"}]}]`},
		{name: "string đ", typ: "Patient", query: "family=ĐỖ",
			want: `[{Param:"family" Type:"string" Values:[{Raw:"ĐỖ" Norm:"do"}]}]`},
		{name: "string :exact", typ: "Patient", query: "given:exact=Văn",
			want: `[{Param:"given" Type:"string" Modifier:"exact" Values:[{Raw:"Văn" Norm:"van"}]}]`},
		{name: "string :contains", typ: "Patient", query: "address:contains=hà nội",
			want: `[{Param:"address" Type:"string" Modifier:"contains" Values:[{Raw:"hà nội" Norm:"ha noi"}]}]`},
		{name: "string OR escaped", typ: "Patient", query: `address-city=Hà Nội,Huế\,TT`,
			want: `[{Param:"address-city" Type:"string" Values:[{Raw:"Hà Nội" Norm:"ha noi"} {Raw:"Huế,TT" Norm:"hue,tt"}]}]`},
		// date
		{name: "date year", typ: "Patient", query: "birthdate=1988",
			want: `[{Param:"birthdate" Type:"date" Values:[{Raw:"1988" Prefix:"eq" Low:1988-01-01T00:00:00Z High:1988-12-31T23:59:59.999999999Z}]}]`},
		{name: "date month ge", typ: "Patient", query: "birthdate=ge1988-02",
			want: `[{Param:"birthdate" Type:"date" Values:[{Raw:"1988-02" Prefix:"ge" Low:1988-02-01T00:00:00Z High:1988-02-29T23:59:59.999999999Z}]}]`},
		{name: "date day lt", typ: "Observation", query: "date=lt2024-05-17",
			want: `[{Param:"date" Type:"date" Values:[{Raw:"2024-05-17" Prefix:"lt" Low:2024-05-17T00:00:00Z High:2024-05-17T23:59:59.999999999Z}]}]`},
		{name: "date time with offset", typ: "Observation", query: "date=gt2024-05-17T08:30:00%2B07:00",
			want: `[{Param:"date" Type:"date" Values:[{Raw:"2024-05-17T08:30:00+07:00" Prefix:"gt" Low:2024-05-17T01:30:00Z High:2024-05-17T01:30:00.999999999Z}]}]`},
		{name: "date minutes", typ: "Observation", query: "date=sa2024-05-17T08:30Z",
			want: `[{Param:"date" Type:"date" Values:[{Raw:"2024-05-17T08:30Z" Prefix:"sa" Low:2024-05-17T08:30:00Z High:2024-05-17T08:30:59.999999999Z}]}]`},
		{name: "date millis", typ: "Observation", query: "date=eb2024-05-17T08:30:00.250Z",
			want: `[{Param:"date" Type:"date" Values:[{Raw:"2024-05-17T08:30:00.250Z" Prefix:"eb" Low:2024-05-17T08:30:00.25Z High:2024-05-17T08:30:00.250999999Z}]}]`},
		{name: "date range AND", typ: "Encounter", query: "date=ge2024-01&date=lt2024-02",
			want: `[{Param:"date" Type:"date" Values:[{Raw:"2024-01" Prefix:"ge" Low:2024-01-01T00:00:00Z High:2024-01-31T23:59:59.999999999Z}]} {Param:"date" Type:"date" Values:[{Raw:"2024-02" Prefix:"lt" Low:2024-02-01T00:00:00Z High:2024-02-29T23:59:59.999999999Z}]}]`},
		{name: "date ap and ne", typ: "Observation", query: "date=ap2024,ne2023",
			want: `[{Param:"date" Type:"date" Values:[{Raw:"2024" Prefix:"ap" Low:2024-01-01T00:00:00Z High:2024-12-31T23:59:59.999999999Z} {Raw:"2023" Prefix:"ne" Low:2023-01-01T00:00:00Z High:2023-12-31T23:59:59.999999999Z}]}]`},
		{name: "_lastUpdated", typ: "Patient", query: "_lastUpdated=gt2024-01-01",
			want: `[{Param:"_lastUpdated" Type:"date" Values:[{Raw:"2024-01-01" Prefix:"gt" Low:2024-01-01T00:00:00Z High:2024-01-01T23:59:59.999999999Z}]}]`},
		// number
		{name: "number precision", typ: "RiskAssessment", query: "probability=0.8",
			want: `[{Param:"probability" Type:"number" Values:[{Raw:"0.8" Prefix:"eq" Number:0.8 NumLow:0.75 NumHigh:0.8500000000000001}]}]`},
		{name: "number integer", typ: "MolecularSequence", query: "variant-start=gt100",
			want: `[{Param:"variant-start" Type:"number" Values:[{Raw:"100" Prefix:"gt" Number:100 NumLow:99.5 NumHigh:100.5}]}]`},
		{name: "number exponent", typ: "RiskAssessment", query: "probability=le1e-1",
			want: `[{Param:"probability" Type:"number" Values:[{Raw:"1e-1" Prefix:"le" Number:0.1 NumLow:0.05 NumHigh:0.15000000000000002}]}]`},
		// quantity
		{name: "quantity full", typ: "Observation", query: "value-quantity=5.4|http://unitsofmeasure.org|mg",
			want: `[{Param:"value-quantity" Type:"quantity" Values:[{Raw:"5.4|http://unitsofmeasure.org|mg" Prefix:"eq" Number:5.4 NumLow:5.3500000000000005 NumHigh:5.45 UnitSystem:"http://unitsofmeasure.org" UnitCode:"mg" Canonical:0.0054 CanonicalLow:0.005350000000000001 CanonicalHigh:0.00545 CanonicalCode:"g" HasCanonical:true}]}]`},
		{name: "quantity no system", typ: "Observation", query: "value-quantity=gt5||mmol/L",
			want: `[{Param:"value-quantity" Type:"quantity" Values:[{Raw:"gt5||mmol/L" Prefix:"gt" Number:5 NumLow:4.5 NumHigh:5.5 UnitCode:"mmol/L" Canonical:3.011068349999999e+24 CanonicalLow:2.709961514999999e+24 CanonicalHigh:3.312175184999999e+24 CanonicalCode:"m-3" HasCanonical:true}]}]`},
		{name: "quantity number only", typ: "Observation", query: "value-quantity=ap100",
			want: `[{Param:"value-quantity" Type:"quantity" Values:[{Raw:"ap100" Prefix:"ap" Number:100 NumLow:99.5 NumHigh:100.5}]}]`},
		{name: "quantity non-UCUM", typ: "Observation", query: "value-quantity=le7|http://snomed.info/sct|258683005",
			want: `[{Param:"value-quantity" Type:"quantity" Values:[{Raw:"le7|http://snomed.info/sct|258683005" Prefix:"le" Number:7 NumLow:6.5 NumHigh:7.5 UnitSystem:"http://snomed.info/sct" UnitCode:"258683005"}]}]`},
		// reference
		{name: "reference Type/id", typ: "Observation", query: "subject=Patient/p1",
			want: `[{Param:"subject" Type:"reference" Values:[{Raw:"Patient/p1" RefType:"Patient" RefID:"p1"}]}]`},
		{name: "reference bare id single target", typ: "Observation", query: "patient=p1",
			want: `[{Param:"patient" Type:"reference" Values:[{Raw:"p1" RefType:"Patient" RefID:"p1"}]}]`},
		{name: "reference bare id many targets", typ: "Observation", query: "subject=p1",
			want: `[{Param:"subject" Type:"reference" Values:[{Raw:"p1" RefID:"p1"}]}]`},
		{name: "reference :Type", typ: "Observation", query: "subject:Patient=p1",
			want: `[{Param:"subject" Type:"reference" Modifier:"Patient" Values:[{Raw:"p1" RefType:"Patient" RefID:"p1"}]}]`},
		{name: "reference absolute URL", typ: "Observation", query: "subject=http://sen.example/fhir/Patient/p1",
			want: `[{Param:"subject" Type:"reference" Values:[{Raw:"http://sen.example/fhir/Patient/p1" RefType:"Patient" RefID:"p1" RefURL:"http://sen.example/fhir/Patient/p1"}]}]`},
		{name: "reference canonical with version", typ: "PlanDefinition", query: "derived-from=http://x.org/Questionnaire/q|2.0",
			want: `[{Param:"derived-from" Type:"reference" Values:[{Raw:"http://x.org/Questionnaire/q|2.0" RefType:"Questionnaire" RefID:"q" RefURL:"http://x.org/Questionnaire/q"}]}]`},
		{name: "reference :identifier", typ: "Observation", query: "subject:identifier=urn:sen:vn:cccd|001088012345",
			want: `[{Param:"subject" Type:"reference" Modifier:"identifier" Values:[{Raw:"urn:sen:vn:cccd|001088012345" System:"urn:sen:vn:cccd" Code:"001088012345" HasSystem:true}]}]`},
		{name: "reference :missing", typ: "Observation", query: "encounter:missing=true",
			want: `[{Param:"encounter" Type:"reference" Modifier:"missing" Values:[{Raw:"true" Missing:true}]}]`},
		{name: "missing false on string", typ: "Patient", query: "name:missing=false",
			want: `[{Param:"name" Type:"string" Modifier:"missing" Values:[{Raw:"false"}]}]`},
		// uri
		{name: "uri", typ: "ValueSet", query: "url=http://hl7.org/fhir/ValueSet/x",
			want: `[{Param:"url" Type:"uri" Values:[{Raw:"http://hl7.org/fhir/ValueSet/x" Norm:"http://hl7.org/fhir/valueset/x"}]}]`},
		{name: "uri :below", typ: "ValueSet", query: "url:below=http://hl7.org/fhir/",
			want: `[{Param:"url" Type:"uri" Modifier:"below" Values:[{Raw:"http://hl7.org/fhir/" Norm:"http://hl7.org/fhir/"}]}]`},
		{name: "_profile", typ: "Observation", query: "_profile=http://hl7.org/fhir/StructureDefinition/vitalsigns",
			want: `[{Param:"_profile" Type:"uri" Values:[{Raw:"http://hl7.org/fhir/StructureDefinition/vitalsigns" Norm:"http://hl7.org/fhir/structuredefinition/vitalsigns"}]}]`},
		{name: "_source", typ: "Patient", query: "_source=urn:sen:synth",
			want: `[{Param:"_source" Type:"uri" Values:[{Raw:"urn:sen:synth" Norm:"urn:sen:synth"}]}]`},
		// composite
		{name: "composite token$quantity", typ: "Observation", query: "code-value-quantity=http://loinc.org|8480-6$gt140|http://unitsofmeasure.org|mm[Hg]",
			want: `[{Param:"code-value-quantity" Type:"composite" Values:[{Raw:"http://loinc.org|8480-6$gt140|http://unitsofmeasure.org|mm[Hg]" Parts:[{Raw:"http://loinc.org|8480-6" System:"http://loinc.org" Code:"8480-6" HasSystem:true} {Raw:"gt140|http://unitsofmeasure.org|mm[Hg]" Prefix:"gt" Number:140 NumLow:139.5 NumHigh:140.5 UnitSystem:"http://unitsofmeasure.org" UnitCode:"mm[Hg]" Canonical:1.866508e+07 CanonicalLow:1.8598419e+07 CanonicalHigh:1.8731741e+07 CanonicalCode:"g.m-1.s-2" HasCanonical:true}]}] Components:[{Param:"code" Type:"token"} {Param:"value-quantity" Type:"quantity"}]}]`},
		{name: "composite token$token escaped $", typ: "Observation", query: `code-value-concept=a\$b$c`,
			want: `[{Param:"code-value-concept" Type:"composite" Values:[{Raw:"a$b$c" Parts:[{Raw:"a$b" Code:"a$b"} {Raw:"c" Code:"c"}]}] Components:[{Param:"code" Type:"token"} {Param:"value-concept" Type:"token"}]}]`},
		// chains and _has
		{name: "chain with type", typ: "Observation", query: "subject:Patient.name=nguyen",
			want: `[{Param:"subject" Type:"reference" Modifier:"Patient" Chain:{TargetType:"Patient" Clause:{Param:"name" Type:"string" Values:[{Raw:"nguyen" Norm:"nguyen"}]}}}]`},
		{name: "chain single candidate", typ: "Observation", query: "subject.birthdate=1988",
			want: `[{Param:"subject" Type:"reference" Chain:{TargetType:"Patient" Clause:{Param:"birthdate" Type:"date" Values:[{Raw:"1988" Prefix:"eq" Low:1988-01-01T00:00:00Z High:1988-12-31T23:59:59.999999999Z}]}}}]`},
		{name: "chain any target", typ: "Observation", query: "subject.identifier=x",
			want: `[{Param:"subject" Type:"reference" Chain:{Targets:["Group" "Device" "Patient" "Location"] Clause:{Param:"identifier" Type:"token" Values:[{Raw:"x" Code:"x"}]}}}]`},
		{name: "chain multi-level", typ: "Observation", query: "patient.organization.name=Bạch Mai",
			want: `[{Param:"patient" Type:"reference" Chain:{TargetType:"Patient" Clause:{Param:"organization" Type:"reference" Chain:{TargetType:"Organization" Clause:{Param:"name" Type:"string" Values:[{Raw:"Bạch Mai" Norm:"bach mai"}]}}}}}]`},
		{name: "chain with tail modifier", typ: "Encounter", query: "patient.name:exact=An",
			want: `[{Param:"patient" Type:"reference" Chain:{TargetType:"Patient" Clause:{Param:"name" Type:"string" Modifier:"exact" Values:[{Raw:"An" Norm:"an"}]}}}]`},
		{name: "_has", typ: "Patient", query: "_has:Observation:patient:code=1234-5",
			want: `[{Param:"_has" Type:"token" Has:{Type:"Observation" Ref:"patient" Clause:{Param:"code" Type:"token" Values:[{Raw:"1234-5" Code:"1234-5"}]}}}]`},
		{name: "_has nested", typ: "Patient", query: "_has:Observation:patient:_has:AuditEvent:entity:agent=Practitioner/x",
			want: `[{Param:"_has" Type:"reference" Has:{Type:"Observation" Ref:"patient" Clause:{Param:"_has" Type:"reference" Has:{Type:"AuditEvent" Ref:"entity" Clause:{Param:"agent" Type:"reference" Values:[{Raw:"Practitioner/x" RefType:"Practitioner" RefID:"x"}]}}}}}]`},
		{name: "_list", typ: "Patient", query: "_list=42",
			want: `[{Param:"_list" Type:"special" Values:[{Raw:"42" RefType:"List" RefID:"42"}]}]`},
		{name: "_text", typ: "Patient", query: "_text=tiểu đường",
			want: `[{Param:"_text" Type:"special" Values:[{Raw:"tiểu đường" Terms:["tieu" "duong"]}]}]`},
		{name: "_content", typ: "Patient", query: "_content=cough",
			want: `[{Param:"_content" Type:"special" Values:[{Raw:"cough" Terms:["cough"]}]}]`},
		{name: "_containedType", typ: "Observation", query: "_contained=true&_containedType=contained", wantQ: `{Contained:"true" ContainedType:"contained"}`},
		{name: "system level _id", typ: "", query: "_id=x",
			want: `[{Param:"_id" Type:"token" Values:[{Raw:"x" Code:"x"}]}]`},
		{name: "system level _type param", typ: "", query: "_type=Patient,Practitioner&name=an",
			want: `[{Param:"name" Type:"string" Values:[{Raw:"an" Norm:"an"}]}]`},
		{name: "ignored _format and _pretty", typ: "Patient", query: "_format=json&_pretty=true&gender=male",
			want: `[{Param:"gender" Type:"token" Values:[{Raw:"male" Code:"male"}]}]`},
		{name: "unknown lenient", typ: "Patient", query: "shoe-size=42&gender=male",
			want: `[{Param:"gender" Type:"token" Values:[{Raw:"male" Code:"male"}]}]`},
	})
}

func TestParseQueryResultParams(t *testing.T) {
	runParseCases(t, []parseCase{
		{name: "_sort", typ: "Observation", query: "_sort=-date,code,_id",
			wantQ: `{Sort:[{Param:"date" Type:"date" Descending:true} {Param:"code" Type:"token"} {Param:"_id" Type:"token"}]}`},
		{name: "_count _total _summary", typ: "Patient", query: "_count=50&_total=accurate&_summary=count",
			wantQ: `{Count:50 Total:"accurate" Summary:"count"}`},
		{name: "_count zero", typ: "Patient", query: "_count=0", wantQ: `{}`},
		{name: "_elements", typ: "Patient", query: "_elements=name, birthDate,identifier",
			wantQ: `{Elements:["name" "birthDate" "identifier"]}`},
		{name: "_include", typ: "MedicationRequest", query: "_include=MedicationRequest:patient&_include=MedicationRequest:requester:Practitioner",
			wantQ: `{Include:[{Source:"MedicationRequest" Param:"patient"} {Source:"MedicationRequest" Param:"requester" Target:"Practitioner"}]}`},
		{name: "_include:iterate and *", typ: "MedicationRequest", query: "_include:iterate=Patient:general-practitioner&_include=*",
			wantQ: `{Include:[{Source:"*" Param:"*"} {Source:"Patient" Param:"general-practitioner" Iterate:true}]}`},
		{name: "_revinclude", typ: "Patient", query: "_revinclude=Provenance:target&_revinclude=Observation:*",
			wantQ: `{RevInclude:[{Source:"Provenance" Param:"target"} {Source:"Observation" Param:"*"}]}`},
		{name: "_type", typ: "", query: "_type=Patient,Observation,Patient",
			wantQ: `{Types:["Patient" "Observation"]}`},
		{name: "_contained", typ: "Observation", query: "_contained=both", wantQ: `{Contained:"both"}`},
		{name: "_cursor _offset", typ: "Patient", query: "_cursor=abc&_offset=20", wantQ: `{Cursor:"abc" Offset:20}`},
		{name: "warnings", typ: "Patient", query: "foo=1&name=",
			wantQ: `{Warnings:["unknown search parameter foo" "search parameter name has no value and was ignored"]}`},
	})
}

func TestParseQueryErrors(t *testing.T) {
	runParseCases(t, []parseCase{
		{name: "unknown strict", typ: "Patient", query: "shoe-size=42", strict: true, wantErr: "unknown search parameter shoe-size"},
		{name: "unknown type", typ: "Nope", query: "a=b", wantErr: "unknown resource type"},
		{name: "bad date", typ: "Patient", query: "birthdate=1988-13", wantErr: "birthdate"},
		{name: "bad date day", typ: "Patient", query: "birthdate=2023-02-29", wantErr: "malformed date"},
		{name: "bad prefix", typ: "Patient", query: "birthdate=xx1988", wantErr: "birthdate"},
		{name: "bad number", typ: "RiskAssessment", query: "probability=high", wantErr: "probability"},
		{name: "bad quantity", typ: "Observation", query: "value-quantity=5|mg", wantErr: "value-quantity"},
		{name: "unknown modifier", typ: "Patient", query: "name:fuzzy=x", wantErr: "modifier :fuzzy"},
		{name: "modifier wrong type", typ: "Patient", query: "birthdate:exact=2020", wantErr: "not supported on date"},
		{name: "bad missing", typ: "Patient", query: "name:missing=maybe", wantErr: "true or false"},
		{name: "token too many bars", typ: "Observation", query: "code=a|b|c", wantErr: "code"},
		{name: "of-type short", typ: "Patient", query: "identifier:of-type=MR|123", wantErr: "of-type"},
		{name: "chain on token", typ: "Observation", query: "code.name=x", wantErr: "only reference parameters can be chained"},
		{name: "chain wrong type", typ: "Observation", query: "patient:Organization.name=x", wantErr: "cannot refer to Organization"},
		{name: "chain unknown tail strict", typ: "Observation", query: "subject.shoe=x", strict: true, wantErr: "unknown search parameter"},
		{name: "_has bad form", typ: "Patient", query: "_has:Observation:patient=x", wantErr: "_has:Type:reference:parameter"},
		{name: "_has not reference", typ: "Patient", query: "_has:Observation:code:status=final", wantErr: "not a reference parameter"},
		{name: "_has wrong target", typ: "Practitioner", query: "_has:Observation:patient:code=x", wantErr: "cannot refer to Practitioner"},
		{name: "_count negative", typ: "Patient", query: "_count=-1", wantErr: "_count"},
		{name: "_count text", typ: "Patient", query: "_count=ten", wantErr: "_count"},
		{name: "_total bad", typ: "Patient", query: "_total=some", wantErr: "_total"},
		{name: "_summary bad", typ: "Patient", query: "_summary=yes", wantErr: "_summary"},
		{name: "_sort unknown strict", typ: "Patient", query: "_sort=shoe", strict: true, wantErr: "shoe"},
		{name: "_sort composite", typ: "Observation", query: "_sort=code-value-quantity", wantErr: "cannot sort"},
		{name: "_include bad", typ: "Patient", query: "_include=Patient", wantErr: "Source:parameter"},
		{name: "_include not reference", typ: "Patient", query: "_include=Patient:name", wantErr: "not a reference parameter"},
		{name: "_include other source", typ: "Patient", query: "_include=Observation:subject", wantErr: "use :iterate"},
		{name: "_include bad modifier", typ: "Patient", query: "_include:deep=Patient:link", wantErr: "only :iterate"},
		{name: "_type on type search strict", typ: "Patient", query: "_type=Patient", strict: true, wantErr: "_type"},
		{name: "_type unknown", typ: "", query: "_type=Nope", wantErr: "unknown resource type"},
		{name: "system non-common param strict", typ: "", query: "name=x", strict: true, wantErr: "unknown search parameter name"},
		{name: "composite wrong parts", typ: "Observation", query: "code-value-quantity=a", wantErr: "separated by $"},
		{name: "reference bad id", typ: "Observation", query: "subject=Patient/ bad", wantErr: "subject"},
		{name: "reference type mismatch", typ: "Observation", query: "subject:Patient=Group/1", wantErr: "type modifier"},
		{name: "_list modifier", typ: "Patient", query: "_list:x=1", wantErr: "_list"},
		{name: "_elements bad", typ: "Patient", query: "_elements=na me", wantErr: "_elements"},
	})
}

// TestParseQueryDeterministic checks that map order does not leak.
func TestParseQueryDeterministic(t *testing.T) {
	m := r4.Load()
	vals, _ := url.ParseQuery("name=a&gender=male&birthdate=2000&_tag=x&address=y&family=z")
	first, err := ParseQuery(m, "Patient", vals, false)
	if err != nil {
		t.Fatal(err)
	}
	want := compact(reflect.ValueOf(first))
	for i := 0; i < 20; i++ {
		q, _ := ParseQuery(m, "Patient", vals, false)
		if got := compact(reflect.ValueOf(q)); got != want {
			t.Fatalf("run %d differs:\n%s\n%s", i, got, want)
		}
	}
	var params []string
	for _, c := range first.Clauses {
		params = append(params, c.Param)
	}
	if !sort.StringsAreSorted(params) {
		t.Errorf("clauses not in parameter order: %v", params)
	}
}
