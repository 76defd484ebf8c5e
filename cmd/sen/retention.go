package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/record"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

func newRetentionCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "retention",
		Short: "Record retention under Circular 33/2025/TT-BYT / Lưu trữ hồ sơ bệnh án theo Thông tư 33/2025/TT-BYT",
	}
	var f storeFlags
	var at string
	var dueOnly bool
	report := &cobra.Command{
		Use:   "report",
		Short: "List each episode's retention class and expiry, and what is due / Liệt kê thời hạn lưu trữ và hồ sơ đã hết hạn",
		Long: `List every Encounter with its retention class (10, 20, 30 years or
permanent, counted from the end of the episode) and whether its period has
run at --at (default today). Nothing is deleted: destruction is a decision
of the facility's council, recorded separately.

Liệt kê mọi đợt khám chữa bệnh với loại lưu trữ và ngày hết hạn. Không xóa
gì: việc tiêu hủy do hội đồng của cơ sở quyết định.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			now := time.Now()
			if at != "" {
				t, err := time.Parse(time.DateOnly, at)
				if err != nil {
					return fmt.Errorf("--at %q: want YYYY-MM-DD", at)
				}
				now = t
			}
			st, err := openStore(cmd.Context(), f.db, f.dataDir)
			if err != nil {
				return err
			}
			defer st.Close()
			rows, err := retentionRows(cmd.Context(), st, now)
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "RECORD / HỒ SƠ\tCLASS / LOẠI\tKEEP UNTIL / LƯU ĐẾN\tSTATUS / TRẠNG THÁI")
			due := 0
			for _, r := range rows {
				if r.due {
					due++
				} else if dueOnly {
					continue
				}
				fmt.Fprintf(w, "%s\t%s (%s)\t%s\t%s\n", r.ref, r.class.Label, r.class.Code, r.until, r.status)
			}
			if err := w.Flush(); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%d episodes, %d past their retention period / %d đợt, %d đã hết thời hạn lưu trữ\n",
				len(rows), due, len(rows), due)
			return nil
		},
	}
	f.register(report)
	report.Flags().StringVar(&at, "at", "", "report as of this date (YYYY-MM-DD; default today)")
	report.Flags().BoolVar(&dueOnly, "due", false, "list only episodes past their retention period")
	cmd.AddCommand(report, newRetentionPurgeCmd())
	return cmd
}

func newRetentionPurgeCmd() *cobra.Command {
	var f storeFlags
	var at string
	var yes bool
	cmd := &cobra.Command{
		Use:   "purge [--yes] [--at YYYY-MM-DD] [Type/id ...]",
		Short: "Physically remove records whose retention has run / Tiêu hủy hồ sơ đã hết thời hạn lưu trữ",
		Long: `Physically remove medical records whose retention period (Circular
33/2025/TT-BYT) has run at --at (default today): every version and its
index entries. Name records as Type/id, or name none to take every record
that is due. A record still under retention is refused with its class, the
end of its episode and its expiry date, and nothing of it is removed.

Without --yes nothing is removed: the command lists what it would do. The
destruction itself must follow the facility council's decision.

Xóa vĩnh viễn hồ sơ đã hết thời hạn lưu trữ. Hồ sơ còn trong thời hạn bị từ
chối kèm loại lưu trữ, ngày kết thúc đợt điều trị và ngày hết hạn. Không có
--yes thì chỉ liệt kê, không xóa.`,
		RunE: func(cmd *cobra.Command, refs []string) error {
			now := time.Now()
			if at != "" {
				t, err := time.Parse(time.DateOnly, at)
				if err != nil {
					return fmt.Errorf("--at %q: want YYYY-MM-DD", at)
				}
				now = t
			}
			for _, ref := range refs {
				if typ, id, ok := strings.Cut(ref, "/"); !ok || typ == "" || id == "" {
					return fmt.Errorf("%q: want Type/id / cần dạng Loại/id", ref)
				}
			}
			st, err := openStore(cmd.Context(), f.db, f.dataDir)
			if err != nil {
				return err
			}
			defer st.Close()
			return retentionPurge(cmd.Context(), st, refs, now, yes, cmd.OutOrStdout())
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&at, "at", "", "judge expiry as of this date (YYYY-MM-DD; default today)")
	cmd.Flags().BoolVar(&yes, "yes", false, "remove for real (default: list only)")
	return cmd
}

// retentionPurge removes (or, without yes, lists) the records named, or
// every record that is due. A named record still under retention makes
// the command fail after the others are done.
func retentionPurge(ctx context.Context, st store.Store, refs []string, now time.Time, yes bool, w io.Writer) error {
	x, _ := st.(record.Expunger)
	if yes && x == nil {
		return errors.New("this store cannot remove records physically yet (it does not implement record.Expunger); nothing was removed / " +
			"kho dữ liệu này chưa hỗ trợ xóa vật lý; không có gì bị xóa")
	}
	g := retentionGuard(st, r4.Load(), nil)
	named := len(refs) > 0
	if !named {
		for _, typ := range record.RecordTypes() {
			if err := eachResource(ctx, st, typ, func(id string) { refs = append(refs, typ+"/"+id) }); err != nil {
				return err
			}
		}
	}
	done, refused := 0, 0
	for _, ref := range refs {
		typ, id, _ := strings.Cut(ref, "/")
		err := g.Purge(ctx, x, typ, id, now, !yes)
		switch {
		case err == nil && yes:
			done++
			fmt.Fprintf(w, "%s: purged / đã tiêu hủy\n", ref)
		case err == nil:
			done++
			fmt.Fprintf(w, "%s: due, would be purged / đã hết hạn, sẽ bị tiêu hủy\n", ref)
		case !named:
			refused++ // not due: the report lists these
		default:
			refused++
			fmt.Fprintf(w, "%s: REFUSED / TỪ CHỐI: %v\n", ref, err)
		}
	}
	verb := "would be purged / sẽ bị tiêu hủy"
	if yes {
		verb = "purged / đã tiêu hủy"
	}
	fmt.Fprintf(w, "%d records %s; %d kept / %d hồ sơ được giữ lại\n", done, verb, refused, refused)
	if named && refused > 0 {
		return fmt.Errorf("%d of %d records may not be purged / %d hồ sơ không được tiêu hủy", refused, len(refs), refused)
	}
	return nil
}

// eachResource calls fn with the id of every current resource of typ.
func eachResource(ctx context.Context, st store.Store, typ string, fn func(id string)) error {
	q := &search.Query{Type: typ, Count: 1000}
	for {
		page, err := st.Search(ctx, q)
		if err != nil {
			return fmt.Errorf("list %s: %w", typ, err)
		}
		for _, r := range page.Resources {
			fn(r.ID)
		}
		if page.Next == "" {
			return nil
		}
		q.Cursor = page.Next
	}
}

type retentionRow struct {
	ref, until, status string
	class              record.Class
	due                bool
}

// retentionRows classifies every Encounter from its Conditions and Patient.
func retentionRows(ctx context.Context, st store.Store, now time.Time) ([]retentionRow, error) {
	conds := map[string][][]byte{} // by encounter id
	err := each(ctx, st, "Condition", func(b []byte) {
		var c struct {
			Encounter struct{ Reference string } `json:"encounter"`
		}
		if json.Unmarshal(b, &c) == nil && c.Encounter.Reference != "" {
			id := strings.TrimPrefix(c.Encounter.Reference, "Encounter/")
			conds[id] = append(conds[id], b)
		}
	})
	if err != nil {
		return nil, err
	}
	var rows []retentionRow
	err = each(ctx, st, "Encounter", func(b []byte) {
		var e struct {
			ID      string `json:"id"`
			Subject struct{ Reference string }
		}
		_ = json.Unmarshal(b, &e)
		var patient []byte
		if pid, ok := strings.CutPrefix(e.Subject.Reference, "Patient/"); ok {
			if p, err := st.Read(ctx, "Patient", pid); err == nil {
				patient = p.JSON
			}
		}
		ep := record.EpisodeOf(b, conds[e.ID], patient)
		c := record.Classify(ep)
		r := retentionRow{ref: "Encounter/" + e.ID, class: c, until: "—", status: "keep / lưu"}
		if until, ok := c.Expiry(ep); ok {
			r.until = until.Format(time.DateOnly)
			if !now.Before(until) {
				r.due, r.status = true, "due for review / đến hạn xem xét tiêu hủy"
			}
		} else if c.Permanent {
			r.until = "permanent / vĩnh viễn"
		} else {
			r.until = "episode open / đợt chưa kết thúc"
		}
		rows = append(rows, r)
	})
	return rows, err
}

func each(ctx context.Context, st store.Store, typ string, fn func([]byte)) error {
	q := &search.Query{Type: typ, Count: 1000}
	for {
		page, err := st.Search(ctx, q)
		if err != nil {
			return fmt.Errorf("list %s: %w", typ, err)
		}
		for _, r := range page.Resources {
			fn(r.JSON)
		}
		if page.Next == "" {
			return nil
		}
		q.Cursor = page.Next
	}
}
