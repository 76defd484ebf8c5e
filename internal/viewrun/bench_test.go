package viewrun_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
	"github.com/sen-emr/sen/internal/store/sqlite"
	"github.com/sen-emr/sen/internal/view"
	"github.com/sen-emr/sen/internal/viewrun"
)

// BenchmarkStoreView streams a simple Patient view over 20,000 Patients in
// SQLite (store.Search paging, 1000 per page) and reports resources/s.
var pageSize = 1000

func BenchmarkStoreView(b *testing.B) {
	if s := os.Getenv("SEN_BENCH_PAGE"); s != "" {
		pageSize, _ = strconv.Atoi(s)
	}
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
	for start := 0; start < n; start += 1000 {
		err := st.Update(ctx, func(tx store.Tx) error {
			for i := start; i < start+1000; i++ {
				id := fmt.Sprintf("p%05d", i)
				body := []byte(fmt.Sprintf(`{"resourceType":"Patient","id":%q,"gender":"female","birthDate":"19%02d-03-04","name":[{"family":"Nguyễn","given":["Thị","Lan"]}]}`, id, i%100))
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
	src := viewrun.StoreSource{Reader: st, PageSize: pageSize}
	req := viewrun.NewRequest()
	req.Format = "csv"
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := viewrun.Execute(ctx, v, src, req, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "resources/s")
}
