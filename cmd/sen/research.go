package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sen-emr/sen/internal/audit"
	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/research"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/viewrun"
)

// newResearchCmd is the governance of research extracts for the operator
// on the server: a researcher's request, a custodian's decision and the
// extract, each audited in the store's audit trail. --as names the actor;
// whoever can run sen on the server can already read the database, so the
// command records who acted rather than authenticating them.
func newResearchCmd() *cobra.Command {
	var f storeFlags
	var as, name string
	cmd := &cobra.Command{
		Use:   "research",
		Short: "Research extracts: request, approve, extract / Trích xuất nghiên cứu: yêu cầu, phê duyệt, trích xuất",
		Long: `A researcher requests a de-identified extract (resource types, an
optional registry as cohort, a purpose); a data custodian who is not the
researcher approves or rejects it; the researcher then produces it once.
The extract uses keyed pseudonyms, shifted dates and province-only places,
and is refused when people fall in (birth year, sex, province) classes
smaller than 5 beyond 5 % of the cohort. Every step is audited.

Nhà nghiên cứu yêu cầu trích xuất dữ liệu đã khử định danh; người quản lý
dữ liệu (không phải người yêu cầu) phê duyệt hoặc từ chối; nhà nghiên cứu
trích xuất một lần. Mọi bước đều được ghi nhật ký kiểm toán.`,
	}
	// The store flags are sen serve's, on every subcommand.
	cmd.PersistentFlags().StringVar(&f.dataDir, "data-dir", "./sen-data", "data directory (holds the SQLite database, the audit head and the requests)")
	cmd.PersistentFlags().StringVar(&f.db, "db", "sqlite", `database: "sqlite" (a file in --data-dir) or a postgres:// URL`)
	cmd.PersistentFlags().StringVar(&as, "as", "", "the actor's reference, e.g. Practitioner/7 (required)")
	cmd.PersistentFlags().StringVar(&name, "name", "", "the actor's display name")

	var purpose, types, registry, kind, by, month string
	request := &cobra.Command{
		Use:   "request --as REF --purpose TEXT (--types Patient,Condition [--registry ID] | --kind aggregate --registry ID --by province --month YYYY-MM)",
		Short: "Request an extract (researcher) / Gửi yêu cầu trích xuất",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withResearch(cmd.Context(), &f, func(s *research.Service) error {
				r, err := s.Submit(cmd.Context(), research.Actor{Ref: as, Name: name, Role: research.RoleResearcher},
					research.Request{Purpose: purpose, Types: researchTypes(types), Registry: registry, Kind: kind, By: by, Month: month})
				if err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), r.ID)
				return nil
			}, as)
		},
	}
	request.Flags().StringVar(&purpose, "purpose", "", "study or protocol the extract is for")
	request.Flags().StringVar(&types, "types", "", "comma-separated resource types")
	request.Flags().StringVar(&kind, "kind", research.KindRows, "rows (de-identified NDJSON) or aggregate (CSV of counts after disclosure control)")
	request.Flags().StringVar(&by, "by", "", "aggregate: province, commune, age or sex")
	request.Flags().StringVar(&month, "month", "", "aggregate: reference month YYYY-MM")
	request.Flags().StringVar(&registry, "registry", "", "restrict the cohort to a registry (hypertension, diabetes, copd-asthma, heart-disease, ckd, dementia)")

	var reject bool
	var reason string
	decide := &cobra.Command{
		Use:   "decide ID --as REF (--approve | --reject --reason TEXT)",
		Short: "Approve or reject a request (custodian) / Phê duyệt hoặc từ chối",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withResearch(cmd.Context(), &f, func(s *research.Service) error {
				r, err := s.Decide(cmd.Context(), research.Actor{Ref: as, Name: name, Role: research.RoleCustodian}, args[0], !reject, reason)
				if err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), r.ID, r.Status)
				return nil
			}, as)
		},
	}
	decide.Flags().Bool("approve", false, "approve the request (the default)")
	decide.Flags().BoolVar(&reject, "reject", false, "reject the request")
	decide.Flags().StringVar(&reason, "reason", "", "reason for the decision (required to reject)")

	var out string
	extract := &cobra.Command{
		Use:   "extract ID --as REF --out FILE (.ndjson rows, .csv aggregate)",
		Short: "Produce an approved extract (researcher) / Trích xuất dữ liệu đã duyệt",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return errors.New("--out FILE is required / cần --out TỆP")
			}
			file, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if err != nil {
				return fmt.Errorf("extract file: %w", err)
			}
			err = withResearch(cmd.Context(), &f, func(s *research.Service) error {
				r, err := s.Produce(cmd.Context(), research.Actor{Ref: as, Name: name, Role: research.RoleResearcher}, args[0], file)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: %d rows, smallest class %d / %d dòng\n", out, r.Rows, r.SmallestK, r.Rows)
				return nil
			}, as)
			if cerr := file.Close(); err == nil && cerr != nil {
				err = fmt.Errorf("extract file: %w", cerr)
			}
			if err != nil {
				_ = os.Remove(out)
			}
			return err
		},
	}
	extract.Flags().StringVar(&out, "out", "", "NDJSON file to create")

	list := &cobra.Command{
		Use:   "list",
		Short: "List requests / Danh sách yêu cầu",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			rs, err := (&research.FileRequests{Path: researchRequestsPath(f.dataDir)}).List(cmd.Context())
			if err != nil {
				return err
			}
			sort.Slice(rs, func(i, j int) bool { return rs[i].Requested.Before(rs[j].Requested) })
			w := cmd.OutOrStdout()
			for _, r := range rs {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%q\n", r.ID, r.Status, r.Researcher, strings.Join(r.Types, ","), r.Registry, r.Purpose)
			}
			return nil
		},
	}
	cmd.AddCommand(request, decide, extract, list)
	return cmd
}

func researchRequestsPath(dataDir string) string {
	return filepath.Join(dataDir, "research-requests.json")
}

// withResearch opens the store and the audit trail, runs fn with a
// research.Service over them, and flushes the audit events even when fn
// fails (refusals are audited too).
func withResearch(ctx context.Context, f *storeFlags, fn func(*research.Service) error, as string) error {
	if as == "" {
		return errors.New("--as REFERENCE is required (e.g. Practitioner/7) / cần --as")
	}
	st, err := openStore(ctx, f.db, f.dataDir)
	if err != nil {
		return err
	}
	defer st.Close()
	model := r4.Load()
	ix, err := search.NewIndexer(model)
	if err != nil {
		return fmt.Errorf("indexer: %w", err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	aw, err := audit.Open(ctx, audit.Config{Store: st, Indexer: ix, Anchor: audit.FileAnchor{Path: auditAnchorPath(f.dataDir)}, Logger: log})
	if err != nil {
		return fmt.Errorf("audit trail: %w", err)
	}
	s := &research.Service{
		Requests: &research.FileRequests{Path: researchRequestsPath(f.dataDir)},
		Source: viewrun.StoreSource{Reader: st, Parse: func(typ string, params url.Values) (*search.Query, error) {
			return search.ParseQuery(model, typ, params, false)
		}},
		Audit: aw,
	}
	err = fn(s)
	if cerr := aw.Close(ctx); cerr != nil {
		err = errors.Join(err, fmt.Errorf("audit trail: %w", cerr))
	}
	return err
}

// researchTypes splits a comma-separated list of resource types.
func researchTypes(s string) []string {
	var out []string
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}
