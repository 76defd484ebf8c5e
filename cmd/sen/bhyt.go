package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/job"
	"github.com/sen-emr/sen/internal/rest"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
	"github.com/sen-emr/sen/internal/vn/bhyt/sendqueue"
)

func newBHYTCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bhyt",
		Short: "Health-insurance (BHYT) claims, Decision 130/QĐ-BYT / Hồ sơ giám định BHYT theo Quyết định 130/QĐ-BYT",
	}
	var f storeFlags
	var encounter, since, out string
	export := &cobra.Command{
		Use:   "export (--encounter ID | --since YYYY-MM-DD) --out DIR",
		Short: "Write the claim XML envelope of encounters / Xuất hồ sơ XML giám định BHYT",
		Long: `Write the GIAMDINHHS envelope (XML1–XML5, XML7, XML13, XML14 as they
apply, each base64-encoded) of one encounter, or of every encounter that
ended on or after --since, to DIR/<encounter id>.xml. Each claim is
validated field by field first; a claim with wrong fields is not written and
its errors are listed one per field. The envelope's CHUKYDONVI is left empty
for the facility's signing step.

Ghi hồ sơ GIAMDINHHS của một đợt khám hoặc của mọi đợt kết thúc từ ngày
--since vào thư mục DIR. Hồ sơ có trường sai không được ghi; lỗi được liệt kê
theo từng trường.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (encounter == "") == (since == "") {
				return errors.New("give exactly one of --encounter ID or --since YYYY-MM-DD / chọn --encounter hoặc --since")
			}
			if out == "" {
				return errors.New("--out DIR is required / cần thư mục --out")
			}
			var from time.Time
			if since != "" {
				t, err := time.ParseInLocation(time.DateOnly, since, vnZone)
				if err != nil {
					return fmt.Errorf("--since %q: want YYYY-MM-DD", since)
				}
				from = t
			}
			st, err := openStore(cmd.Context(), f.db, f.dataDir)
			if err != nil {
				return err
			}
			defer st.Close()
			ids := []string{encounter}
			if since != "" {
				if ids, err = encountersEndedSince(cmd.Context(), st, from); err != nil {
					return err
				}
			}
			return exportClaims(cmd.Context(), st, ids, out, cmd.OutOrStdout())
		},
	}
	f.register(export)
	export.Flags().StringVar(&encounter, "encounter", "", "the Encounter id")
	export.Flags().StringVar(&since, "since", "", "every encounter that ended on or after this date (Vietnam time)")
	export.Flags().StringVar(&out, "out", "", "directory to write the envelopes to")
	cmd.AddCommand(export, newBHYTStatusCmd())
	return cmd
}

func newBHYTStatusCmd() *cobra.Command {
	var dataDir, maLK string
	cmd := &cobra.Command{
		Use:   "status [--encounter ID]",
		Short: "Show sent BHYT claims and the gateway's receipts / Xem hồ sơ BHYT đã gửi và biên nhận của cổng BHXH",
		Long: `Show each claim sen serve sent to the BHXH gateway (MA_LK = the Encounter
id): the sending job's state, attempts and last error, and every receipt
the gateway gave (time, step, result code, transaction id, deadline, late).

Liệt kê hồ sơ BHYT đã gửi: trạng thái, số lần gửi, lỗi gần nhất và mọi biên
nhận của cổng BHXH (mã kết quả, mã giao dịch, hạn gửi, trễ hạn).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return bhytStatus(cmd.Context(), dataDir, maLK, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&dataDir, "data-dir", "./sen-data", "data directory of sen serve")
	cmd.Flags().StringVar(&maLK, "encounter", "", "only this encounter's claim")
	return cmd
}

// bhytStatus prints the claims' states and receipts.
func bhytStatus(ctx context.Context, dataDir, maLK string, w io.Writer) error {
	rc := &sendqueue.Receipts{Dir: bhytReceiptsDir(dataDir)}
	claims := []string{maLK}
	if maLK == "" {
		var err error
		if claims, err = rc.Claims(); err != nil {
			return err
		}
	}
	var q *job.Queue
	if _, err := os.Stat(filepath.Join(dataDir, "bhyt-jobs.db")); err == nil {
		if q, err = job.Open(ctx, filepath.Join(dataDir, "bhyt-jobs.db")); err != nil {
			return err
		}
		defer q.Close()
	}
	if len(claims) == 0 {
		fmt.Fprintln(w, "no BHYT claim sent yet / chưa gửi hồ sơ BHYT nào")
		return nil
	}
	for _, id := range claims {
		state := "not queued / chưa xếp hàng"
		if q != nil {
			if j, err := q.Get(ctx, sendqueue.Kind+":"+id); err == nil {
				state = fmt.Sprintf("%s, %d attempts / lần gửi", j.State, j.Attempts)
				if j.LastError != "" {
					state += ", last error / lỗi: " + j.LastError
				}
			}
		}
		fmt.Fprintf(w, "Encounter/%s (MA_LK %s): %s\n", id, id, state)
		recs, err := rc.List(id)
		if err != nil {
			return err
		}
		for _, r := range recs {
			flags := ""
			if r.Late {
				flags = " LATE / TRỄ HẠN"
			}
			ok := "rejected / bị từ chối"
			if r.Accepted {
				ok = "accepted / đã nhận"
			}
			fmt.Fprintf(w, "  %s  %-8s  %s  code %s  transaction %s  deadline %s%s  %s\n", r.At.In(vnZone).Format("2006-01-02 15:04:05"),
				r.Step, ok, r.Code, r.Transaction, r.Deadline.In(vnZone).Format("2006-01-02 15:04"), flags, r.Message)
		}
	}
	return nil
}

// vnZone is Vietnam time (UTC+7, no daylight saving).
var vnZone = time.FixedZone("ICT", 7*3600)

// encountersEndedSince lists finished Encounters whose period ended at or
// after from.
func encountersEndedSince(ctx context.Context, st store.Store, from time.Time) ([]string, error) {
	var ids []string
	err := each(ctx, st, "Encounter", func(b []byte) {
		var e struct {
			ID     string `json:"id"`
			Status string `json:"status"`
			Period struct {
				End string `json:"end"`
			} `json:"period"`
		}
		if json.Unmarshal(b, &e) != nil || e.Status != "finished" || e.Period.End == "" {
			return
		}
		end, err := time.Parse(time.RFC3339, e.Period.End)
		if err != nil {
			if end, err = time.ParseInLocation(time.DateOnly, e.Period.End, vnZone); err != nil {
				return
			}
		}
		if !end.Before(from) {
			ids = append(ids, e.ID)
		}
	})
	return ids, err
}

// exportClaims runs $bhyt-xml in process for each encounter (the same
// code path as the API, so the CLI and the server cannot disagree) and
// writes the envelopes. It reports every failure and fails at the end if
// any claim was not written.
func exportClaims(ctx context.Context, st store.Store, ids []string, dir string, w io.Writer) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	model := r4.Load()
	ix, err := search.NewIndexer(model)
	if err != nil {
		return fmt.Errorf("search indexer: %w", err)
	}
	api := rest.New(rest.Config{Store: st, Indexer: ix, Model: model,
		Parser: rest.QueryParserFunc(func(typ string, params url.Values, strict bool) (*search.Query, error) {
			return search.ParseQuery(model, typ, params, strict)
		})})
	written, failed := 0, 0
	for _, id := range ids {
		env, problems, err := claimEnvelope(ctx, api, id, "")
		if err == nil && len(problems) == 0 {
			err = os.WriteFile(filepath.Join(dir, safeFileName(id)+".xml"), env, 0o640)
		}
		if err != nil || len(problems) > 0 {
			failed++
			fmt.Fprintf(w, "Encounter/%s: NOT WRITTEN / KHÔNG GHI\n", id)
			if err != nil {
				fmt.Fprintf(w, "  %v\n", err)
			}
			for _, p := range problems {
				fmt.Fprintf(w, "  %s\n", p)
			}
			continue
		}
		written++
		fmt.Fprintf(w, "Encounter/%s → %s\n", id, filepath.Join(dir, safeFileName(id)+".xml"))
	}
	fmt.Fprintf(w, "%d claims written, %d not / %d hồ sơ đã ghi, %d hồ sơ lỗi\n", written, failed, written, failed)
	if failed > 0 {
		return fmt.Errorf("%d of %d claims have errors / %d hồ sơ có lỗi", failed, len(ids), failed)
	}
	return nil
}

// claimEnvelope asks the handler for Encounter/id/$bhyt-xml: the envelope,
// or the per-field problems of a claim that fails validation. maLK names
// the claim ("": a fresh random MA_LK).
func claimEnvelope(ctx context.Context, api http.Handler, id, maLK string) ([]byte, []string, error) {
	target := "/fhir/Encounter/" + url.PathEscape(id) + "/$bhyt-xml"
	if maLK != "" {
		target += "?ma-lk=" + url.QueryEscape(maLK)
	}
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, req)
	if rec.Code >= 500 {
		return nil, nil, fmt.Errorf("$bhyt-xml Encounter/%s: HTTP %d", id, rec.Code)
	}
	if rec.Code != http.StatusOK {
		var oo struct {
			Issue []struct {
				Diagnostics string   `json:"diagnostics"`
				Expression  []string `json:"expression"`
			} `json:"issue"`
		}
		if json.Unmarshal(rec.Body.Bytes(), &oo) != nil || len(oo.Issue) == 0 {
			return nil, nil, fmt.Errorf("HTTP %d: %s", rec.Code, strings.TrimSpace(rec.Body.String()))
		}
		var out []string
		for _, is := range oo.Issue {
			out = append(out, strings.TrimSpace(strings.Join(is.Expression, ",")+" "+is.Diagnostics))
		}
		return nil, out, nil
	}
	var bin struct {
		Data string `json:"data"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &bin); err != nil {
		return nil, nil, fmt.Errorf("$bhyt-xml answer: %w", err)
	}
	env, err := base64.StdEncoding.DecodeString(bin.Data)
	if err != nil {
		return nil, nil, fmt.Errorf("$bhyt-xml answer: %w", err)
	}
	return env, nil, nil
}

// safeFileName keeps an id usable as a file name.
func safeFileName(id string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' {
			return r
		}
		return '_'
	}, id)
}
