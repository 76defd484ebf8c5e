package main

import (
	"bufio"
	"fmt"
	"io"
	"net/url"
	"os"

	"github.com/spf13/cobra"

	"github.com/sen-emr/sen/internal/clinical/population"
	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/view"
	"github.com/sen-emr/sen/internal/viewrun"
)

// newViewCmd is "sen view": SQL-on-FHIR ViewDefinitions on the command line.
func newViewCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "view",
		Short: "Run SQL-on-FHIR v2 ViewDefinitions / Chạy ViewDefinition SQL-on-FHIR",
	}
	cmd.AddCommand(newViewRunCmd(), newViewListCmd())
	return cmd
}

func newViewRunCmd() *cobra.Command {
	var input, format, dataDir, db, output string
	var limit int
	var noHeader bool
	cmd := &cobra.Command{
		Use:   "run VIEW.json",
		Short: "Run a ViewDefinition over an NDJSON file or the data directory / Chạy một ViewDefinition",
		Long: `Run a ViewDefinition (a JSON file, "-" for standard input, or the id of a
view Sen ships, see "sen view list") over the resources of --input (NDJSON,
e.g. a Bulk Data export file; "-" for standard input) or, without --input,
over the store in --data-dir. Rows go to standard output or --output.

Chạy ViewDefinition trên tệp NDJSON (--input) hoặc trên cơ sở dữ liệu trong
--data-dir; kết quả ghi ra màn hình hoặc tệp --output.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			body, ok := population.View(args[0])
			if !ok {
				var err error
				if body, err = readInput(args[0]); err != nil {
					return err
				}
			}
			v, err := view.Compile(body)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			var out io.Writer = cmd.OutOrStdout()
			if output != "" {
				f, err := os.Create(output)
				if err != nil {
					return fmt.Errorf("output: %w", err)
				}
				defer f.Close()
				out = f
			}
			bw := bufio.NewWriterSize(out, 1<<16)
			req := viewrun.NewRequest()
			req.Format, req.Limit, req.Header = format, limit, !noHeader
			var src view.Source
			switch {
			case input == "-":
				src = viewrun.NDJSON{R: cmd.InOrStdin()}
			case input != "":
				f, err := os.Open(input)
				if err != nil {
					return fmt.Errorf("input: %w", err)
				}
				defer f.Close()
				src = viewrun.NDJSON{R: bufio.NewReaderSize(f, 1<<20)}
			default:
				st, err := openStore(cmd.Context(), db, dataDir)
				if err != nil {
					return err
				}
				defer st.Close()
				model := r4.Load()
				src = viewrun.StoreSource{Reader: st, Parse: func(typ string, params url.Values) (*search.Query, error) {
					return search.ParseQuery(model, typ, params, true)
				}}
			}
			if err := viewrun.Execute(cmd.Context(), v, src, req, bw); err != nil {
				return err
			}
			if err := bw.Flush(); err != nil {
				return fmt.Errorf("output: %w", err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&input, "input", "", "NDJSON file of resources (\"-\": standard input); default: the store in --data-dir")
	cmd.Flags().StringVar(&format, "format", "csv", "output format: csv, ndjson, json or parquet")
	cmd.Flags().StringVarP(&output, "output", "o", "", "write rows to this file instead of standard output")
	cmd.Flags().IntVar(&limit, "limit", 0, "stop after this many rows (0: all)")
	cmd.Flags().BoolVar(&noHeader, "no-header", false, "omit the CSV header row")
	cmd.Flags().StringVar(&dataDir, "data-dir", "./sen-data", "data directory (holds the SQLite database)")
	cmd.Flags().StringVar(&db, "db", "sqlite", `database: "sqlite" (a file in --data-dir) or a postgres:// URL`)
	return cmd
}

func newViewListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the ViewDefinitions Sen ships / Liệt kê các ViewDefinition có sẵn",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, e := range population.Catalog() {
				if _, err := fmt.Fprintf(cmd.OutOrStdout(), "%-24s %-12s %s\n", e.ID, e.Resource, e.Title); err != nil {
					return err
				}
			}
			return nil
		},
	}
}
