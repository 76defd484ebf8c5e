package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/operation"
)

func newExportCmd() *cobra.Command {
	var dataDir, db, out string
	var types []string
	cmd := &cobra.Command{
		Use:   "export --out DIR",
		Short: "Write the resources of a data directory as NDJSON / Xuất dữ liệu ra tệp NDJSON",
		Long: `Write the current version of every resource (or of the --type types) to
DIR/<Type>.ndjson, one resource per line, as Bulk Data $export does. The
files load back with sen import.

Ghi phiên bản hiện tại của mọi tài nguyên ra DIR/<Loại>.ndjson (mỗi dòng một
tài nguyên); có thể nạp lại bằng sen import.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return fmt.Errorf("--out is required / cần --out")
			}
			ctx := cmd.Context()
			st, err := openStore(ctx, db, dataDir)
			if err != nil {
				return err
			}
			defer st.Close()
			var ts []string
			for _, t := range types {
				for _, x := range strings.Split(t, ",") {
					if x = strings.TrimSpace(x); x != "" {
						ts = append(ts, x)
					}
				}
			}
			start := time.Now()
			files, err := operation.WriteNDJSON(ctx, st, r4.Load(), out, ts)
			var n int
			var bytes int64
			for _, f := range files {
				n += f.Count
				bytes += f.Bytes
				fmt.Fprintf(cmd.OutOrStdout(), "  %-28s %8d\n", f.Type, f.Count)
			}
			took := time.Since(start).Seconds()
			fmt.Fprintf(cmd.OutOrStdout(), "Exported %d resources (%.1f MB) to %s in %.1fs (%.1f MB/s).\nĐã xuất %d tài nguyên.\n",
				n, float64(bytes)/1e6, out, took, float64(bytes)/1e6/max(took, 1e-9), n)
			return err
		},
	}
	cmd.Flags().StringVar(&dataDir, "data-dir", "./sen-data", "data directory to read")
	cmd.Flags().StringVar(&db, "db", "sqlite", `database: "sqlite" (a file in --data-dir) or a postgres:// URL`)
	cmd.Flags().StringVar(&out, "out", "", "folder for the NDJSON files")
	cmd.Flags().StringSliceVar(&types, "type", nil, "resource types to export (repeat or comma-separate; default all)")
	return cmd
}
