package main

import (
	"encoding/json"
	"io"

	"github.com/spf13/cobra"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/validate"
)

func newValidateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE.json",
		Short: "Validate a FHIR R4 JSON resource / Kiểm tra tính hợp lệ của tài nguyên FHIR R4",
		Long: `Validate a FHIR R4 JSON resource ("-" reads standard input) against the R4
definitions: structure, cardinality, primitive formats, required bindings,
references and invariants. Prints an OperationOutcome; exits 1 when it holds
an error.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := readInput(args[0])
			if err != nil {
				return err
			}
			issues := validate.New(r4.Load()).Validate(data)
			if len(issues) == 0 {
				issues = []fhir.Issue{{Severity: "information", Code: "informational", Diagnostics: "no problems found"}}
			}
			out := fhir.NewOutcome(issues...)
			enc := json.NewEncoder(cmd.OutOrStdout())
			enc.SetIndent("", "  ")
			if err := enc.Encode(out); err != nil {
				return err
			}
			if out.HasErrors() {
				return exitError{code: 1}
			}
			return nil
		},
	}
}

func readAll(r io.Reader) ([]byte, error) { return io.ReadAll(r) }
