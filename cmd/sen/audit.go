package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sen-emr/sen/internal/audit"
)

// newAuditCmd is `sen audit verify`: check the AuditEvent hash chain of a
// data directory.
func newAuditCmd() *cobra.Command {
	var dataDir, db string
	cmd := &cobra.Command{Use: "audit", Short: "Audit trail tools / Nhật ký truy cập"}
	verify := &cobra.Command{
		Use:   "verify",
		Short: "Verify the AuditEvent hash chain; exit status 1 if any event was altered or deleted",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := openStore(cmd.Context(), db, dataDir)
			if err != nil {
				return err
			}
			defer st.Close()
			head, err := audit.FileAnchor{Path: auditAnchorPath(dataDir)}.Load()
			if err != nil {
				return err
			}
			rep, err := audit.Verify(cmd.Context(), st, &head)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "%d AuditEvents, chain head #%d %s (anchor #%d)\n", rep.Events, rep.Head.Seq, short(rep.Head.Hash), head.Seq)
			if rep.OK() {
				fmt.Fprintln(out, "OK: chuỗi nhật ký nguyên vẹn / the audit chain is intact")
				return nil
			}
			for _, p := range rep.Problems {
				fmt.Fprintln(out, "  "+p.String())
			}
			fmt.Fprintf(out, "HỎNG: %d vấn đề / BROKEN: %d problems\n", len(rep.Problems), len(rep.Problems))
			return exitError{code: 1}
		},
	}
	verify.Flags().StringVar(&dataDir, "data-dir", "./sen-data", "data directory")
	verify.Flags().StringVar(&db, "db", "sqlite", `database: "sqlite" (a file in --data-dir) or a postgres:// URL`)
	cmd.AddCommand(verify)
	return cmd
}

func short(h string) string {
	if len(h) > 16 {
		return h[:16]
	}
	return h
}
