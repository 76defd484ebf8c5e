package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/user"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/sen-emr/sen/internal/audit"
	"github.com/sen-emr/sen/internal/fhir"
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
			var aud *audit.Writer
			if yes {
				// The removals join the audit chain of the data directory,
				// as sen serve's own events do: run the purge while the
				// server is stopped, or the chain forks.
				ix, err := search.NewIndexer(r4.Load())
				if err != nil {
					return err
				}
				aud, err = audit.Open(cmd.Context(), audit.Config{Store: st, Indexer: ix, Anchor: audit.FileAnchor{Path: auditAnchorPath(f.dataDir)}})
				if err != nil {
					return fmt.Errorf("audit trail: %w", err)
				}
				defer func() {
					if err := aud.Close(context.Background()); err != nil {
						fmt.Fprintf(cmd.ErrOrStderr(), "audit trail: %v\n", err)
					}
				}()
			}
			return retentionPurge(cmd.Context(), st, refs, now, yes, cmd.OutOrStdout(), aud)
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&at, "at", "", "judge expiry as of this date (YYYY-MM-DD; default today)")
	cmd.Flags().BoolVar(&yes, "yes", false, "remove for real (default: list only)")
	return cmd
}

// retentionPurge removes (or, without yes, lists) the records named, or
// every record that is due. Every record is judged first and only then are
// the due ones removed, so that removing an Encounter cannot change how
// its other records are judged; an episode's Encounters go last. Each
// removal is preceded by an AuditEvent committed to the chain (aud, which
// yes requires), so that none goes unaudited; a removal that then fails
// adds an event with outcome 500. A named record still under retention
// makes the command fail after the others are done.
func retentionPurge(ctx context.Context, st store.Store, refs []string, now time.Time, yes bool, w io.Writer, aud *audit.Writer) error {
	x, _ := st.(record.Expunger)
	if yes && x == nil {
		return errors.New("this store cannot remove records physically (it does not implement record.Expunger); nothing was removed / " +
			"kho dữ liệu này không hỗ trợ xóa vật lý; không có gì bị xóa")
	}
	if yes && aud == nil {
		return errors.New("purge: no audit trail to record the removals in; nothing was removed / không có nhật ký để ghi việc tiêu hủy")
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
	var due []record.Verdict
	refused := 0
	for _, ref := range refs {
		typ, id, _ := strings.Cut(ref, "/")
		v, err := g.Judge(ctx, typ, id, now)
		switch {
		case err == nil:
			due = append(due, v)
			if !yes {
				fmt.Fprintf(w, "%s: due, would be purged / đã hết hạn, sẽ bị tiêu hủy\n", ref)
			}
		case !named:
			refused++ // not due: the report lists these
		default:
			refused++
			fmt.Fprintf(w, "%s: REFUSED / TỪ CHỐI: %v\n", ref, err)
		}
	}
	if yes {
		// Encounters last: an interrupted run leaves no record whose
		// episode can no longer be read.
		sort.SliceStable(due, func(i, j int) bool { return due[i].Type != "Encounter" && due[j].Type == "Encounter" })
		for i, v := range due {
			if err := purgeOne(ctx, x, aud, v); err != nil {
				fmt.Fprintf(w, "%d records purged / đã tiêu hủy %d hồ sơ; stopped at / dừng tại %s/%s\n", i, i, v.Type, v.ID)
				return err
			}
			fmt.Fprintf(w, "%s/%s: purged / đã tiêu hủy\n", v.Type, v.ID)
		}
	}
	verb := "would be purged / sẽ bị tiêu hủy"
	if yes {
		verb = "purged / đã tiêu hủy"
	}
	fmt.Fprintf(w, "%d records %s; %d kept / %d hồ sơ được giữ lại\n", len(due), verb, refused, refused)
	if named && refused > 0 {
		return fmt.Errorf("%d of %d records may not be purged / %d hồ sơ không được tiêu hủy", refused, len(refs), refused)
	}
	return nil
}

// purgeOne commits the AuditEvent of a removal, then removes the record.
func purgeOne(ctx context.Context, x record.Expunger, aud *audit.Writer, v record.Verdict) error {
	ref := v.Type + "/" + v.ID
	until := "—"
	if !v.Until.IsZero() {
		until = v.Until.Format(time.DateOnly)
	}
	ev := audit.Event{Interaction: "purge", Action: audit.ActionDelete, Outcome: http.StatusOK, Method: "CLI", Path: "sen retention purge " + ref,
		User: cliUser(), AgentName: "sen retention purge (" + cliUser() + ")", Purpose: []string{"RECORDMGT"},
		Reason: fmt.Sprintf("retention period run: %s (%s), kept until %s / hết thời hạn lưu trữ: %s, lưu đến %s",
			v.Class.LabelEN, v.Class.Code, until, v.Class.Label, until),
		Resources: []string{ref}}
	if v.Patient != "" {
		ev.Patients = []string{v.Patient}
	}
	aud.Record(ev)
	if err := aud.Flush(ctx); err != nil {
		return fmt.Errorf("%s: the audit event could not be written, nothing removed / không ghi được nhật ký, chưa xóa: %w", ref, err)
	}
	if err := x.Expunge(ctx, v.Type, v.ID); err != nil {
		ev.Outcome = http.StatusInternalServerError
		ev.Reason = "removal failed / xóa thất bại: " + err.Error()
		ev.Time = time.Time{}
		aud.Record(ev)
		_ = aud.Flush(ctx)
		return fmt.Errorf("purge %s: %w", ref, err)
	}
	return nil
}

// cliUser names the operating-system account running a command, for the
// audit trail.
func cliUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "unknown"
}

// eachResource calls fn with the id of every current resource of typ.
func eachResource(ctx context.Context, st store.Store, typ string, fn func(id string)) error {
	return eachCurrent(ctx, st, typ, func(r *fhir.Resource) { fn(r.ID) })
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
	return eachCurrent(ctx, st, typ, func(r *fhir.Resource) { fn(r.JSON) })
}

// eachCurrent pages through every current resource of typ.
func eachCurrent(ctx context.Context, st store.Store, typ string, fn func(*fhir.Resource)) error {
	q := &search.Query{Type: typ, Count: 1000}
	for {
		page, err := st.Search(ctx, q)
		if err != nil {
			return fmt.Errorf("list %s: %w", typ, err)
		}
		for _, r := range page.Resources {
			fn(r)
		}
		if page.Next == "" {
			return nil
		}
		q.Cursor = page.Next
	}
}
