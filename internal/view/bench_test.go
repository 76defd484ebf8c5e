package view

import (
	"fmt"
	"testing"

	"github.com/sen-emr/sen/internal/fhirpath"
)

const benchView = `{
  "resource": "Patient",
  "select": [{
    "column": [
      {"name": "id", "path": "getResourceKey()", "type": "id"},
      {"name": "gender", "path": "gender", "type": "code"},
      {"name": "birth_date", "path": "birthDate", "type": "date"},
      {"name": "family", "path": "name.first().family", "type": "string"}
    ]
  }]
}`

// benchPatients decodes n small, realistic Patient resources once.
func benchPatients(tb testing.TB, n int) []fhirpath.Value {
	tb.Helper()
	out := make([]fhirpath.Value, n)
	for i := range out {
		body := fmt.Sprintf(`{"resourceType":"Patient","id":"p%d","meta":{"versionId":"1"},
"identifier":[{"system":"https://sen.vn/cccd","value":"0790%08d"}],"active":true,
"name":[{"use":"official","family":"Nguyễn","given":["Văn","An%d"]},{"use":"nickname","given":["Út"]}],
"telecom":[{"system":"phone","value":"0901%06d"}],"gender":"%s","birthDate":"19%02d-0%d-1%d",
"address":[{"line":["12 Lê Lợi"],"city":"Huế","country":"VN"}]}`,
			i, i, i, i%1000000, []string{"male", "female"}[i%2], i%100, 1+i%9, i%10)
		v, err := fhirpath.DecodeJSON([]byte(body))
		if err != nil {
			tb.Fatal(err)
		}
		out[i] = v
	}
	return out
}

// BenchmarkEvalSimple streams a four-column Patient view over decoded
// resources; resources/s is the figure to compare with the target.
func BenchmarkEvalSimple(b *testing.B) {
	v, err := Compile([]byte(benchView))
	if err != nil {
		b.Fatal(err)
	}
	patients := benchPatients(b, 1000)
	rows := 0
	emit := func(row []any) error { rows++; return nil }
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := v.Eval(patients[i%len(patients)], emit); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if rows != b.N {
		b.Fatalf("%d rows for %d resources", rows, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "resources/s")
}

// BenchmarkEvalForEach unnests names with forEach and a nested select.
func BenchmarkEvalForEach(b *testing.B) {
	v, err := Compile([]byte(`{"resource":"Patient","select":[
 {"column":[{"name":"id","path":"getResourceKey()"}]},
 {"forEach":"name","column":[{"name":"use","path":"use"},{"name":"idx","path":"%rowIndex"}],
  "select":[{"forEachOrNull":"given","column":[{"name":"given","path":"$this"}]}]}]}`))
	if err != nil {
		b.Fatal(err)
	}
	patients := benchPatients(b, 1000)
	emit := func(row []any) error { return nil }
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := v.Eval(patients[i%len(patients)], emit); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "resources/s")
}

// storedPatient is a Patient as the store returns it (meta added on
// write), of about the size the synthetic population writes.
func storedPatient(i int) []byte {
	return []byte(fmt.Sprintf(`{"resourceType":"Patient","id":"p%05d","meta":{"versionId":"1","lastUpdated":"2026-11-26T10:00:00.000Z"},`+
		`"text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">Nguyễn Thị Lan %d</div>"},`+
		`"extension":[{"url":"https://sen-emr.github.io/fhir/StructureDefinition/ethnicity","valueCoding":{"system":"https://sen-emr.github.io/fhir/CodeSystem/vn-ethnicity","code":"01","display":"Kinh"}}],`+
		`"identifier":[{"system":"https://sen.vn/cccd","value":"0790%08d"},{"system":"https://sen.vn/bhyt","value":"GD479%010d"}],`+
		`"active":true,"name":[{"use":"official","family":"Nguyễn","given":["Thị","Lan"]}],"telecom":[{"system":"phone","value":"0901%06d","use":"mobile"}],`+
		`"gender":"female","birthDate":"19%02d-03-04","address":[{"use":"home","line":["12 Lê Lợi"],"city":"Huế","country":"VN"}],`+
		`"communication":[{"language":{"coding":[{"system":"urn:ietf:bcp:47","code":"vi"}]},"preferred":true}]}`, i, i, i, i, i%1000000, i%100))
}

// BenchmarkEvalJSON decodes and evaluates the four-column view over
// stored Patient bodies: "fhirpath" is the full decode Eval had before the
// projection (the same-run baseline), "view" is EvalJSON.
func BenchmarkEvalJSON(b *testing.B) {
	v, err := Compile([]byte(benchView))
	if err != nil {
		b.Fatal(err)
	}
	bodies := make([][]byte, 1000)
	for i := range bodies {
		bodies[i] = storedPatient(i)
	}
	emit := func(row []any) error { return nil }
	b.Run("decode=fhirpath", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			res, err := fhirpath.DecodeJSON(bodies[i%len(bodies)])
			if err != nil {
				b.Fatal(err)
			}
			if err := v.Eval(res, emit); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "resources/s")
	})
	b.Run("decode=view", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if err := v.EvalJSON(bodies[i%len(bodies)], emit); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "resources/s")
	})
}
