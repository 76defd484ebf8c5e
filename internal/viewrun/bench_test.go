package viewrun_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
	"github.com/sen-emr/sen/internal/store/sqlite"
	"github.com/sen-emr/sen/internal/view"
	"github.com/sen-emr/sen/internal/viewrun"
)

// BenchmarkStoreView streams a simple Patient view over 20,000 Patients in
// SQLite to CSV and reports resources/s. Sub-benchmarks, same data, same
// run:
//
//   - scan: the source alone (ScanType), bodies touched but not decoded —
//     the baseline no view run can beat;
//   - workers=1: decode and evaluate in the reading goroutine;
//   - workers=2: decode and evaluate in two workers, rows in order.
//
// SEN_BENCH_BODY=small stores the minimal Patient the benchmark used
// before (id, gender, birthDate, name); the default is a Patient of the
// size the synthetic population writes (narrative, extension,
// identifiers, telecom, address).
func BenchmarkStoreView(b *testing.B) {
	const n = 20000
	ctx := context.Background()
	model := r4.Load()
	ix, err := search.NewIndexer(model)
	if err != nil {
		b.Fatal(err)
	}
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "sen.db"), sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	small := os.Getenv("SEN_BENCH_BODY") == "small"
	for start := 0; start < n; start += 1000 {
		err := st.Update(ctx, func(tx store.Tx) error {
			for i := start; i < start+1000; i++ {
				id := fmt.Sprintf("p%05d", i)
				body := benchPatient(i, small)
				idx, err := ix.Index("Patient", body)
				if err != nil {
					return err
				}
				if _, err := tx.Put(ctx, store.Write{Type: "Patient", ID: id, JSON: body, Index: idx}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	v, err := view.Compile([]byte(patientView))
	if err != nil {
		b.Fatal(err)
	}
	src := viewrun.StoreSource{Reader: st}
	b.Run("scan", func(b *testing.B) {
		var sum int
		for i := 0; i < b.N; i++ {
			count := 0
			err := src.Each(ctx, "Patient", func(body []byte) error {
				count++
				sum += int(body[len(body)/2])
				return nil
			})
			if err != nil || count != n {
				b.Fatalf("%d resources, %v", count, err)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "resources/s")
		_ = sum
	})
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			req := viewrun.NewRequest()
			req.Format = "csv"
			req.Workers = workers
			for i := 0; i < b.N; i++ {
				if err := viewrun.Execute(ctx, v, src, req, io.Discard); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "resources/s")
		})
	}
}

func benchPatient(i int, small bool) []byte {
	if small {
		return []byte(fmt.Sprintf(`{"resourceType":"Patient","id":"p%05d","gender":"female","birthDate":"19%02d-03-04","name":[{"family":"Nguyễn","given":["Thị","Lan"]}]}`, i, i%100))
	}
	return []byte(fmt.Sprintf(`{"resourceType":"Patient","id":"p%05d",`+
		`"text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">Nguyễn Thị Lan %d</div>"},`+
		`"extension":[{"url":"https://sen-emr.github.io/fhir/StructureDefinition/ethnicity","valueCoding":{"system":"https://sen-emr.github.io/fhir/CodeSystem/vn-ethnicity","code":"01","display":"Kinh"}}],`+
		`"identifier":[{"system":"https://sen.vn/cccd","value":"0790%08d"},{"system":"https://sen.vn/bhyt","value":"GD479%010d"}],`+
		`"active":true,"name":[{"use":"official","family":"Nguyễn","given":["Thị","Lan"]}],"telecom":[{"system":"phone","value":"0901%06d","use":"mobile"}],`+
		`"gender":"female","birthDate":"19%02d-03-04","address":[{"use":"home","line":["12 Lê Lợi"],"city":"Huế","country":"VN"}],`+
		`"communication":[{"language":{"coding":[{"system":"urn:ietf:bcp:47","code":"vi"}]},"preferred":true}]}`, i, i, i, i, i%1000000, i%100))
}
