package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/fhirpath"
)

func newFHIRPathCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "fhirpath EXPR FILE.json",
		Short: "Evaluate a FHIRPath expression on a FHIR JSON file / Tính biểu thức FHIRPath trên tệp FHIR JSON",
		Long: `Evaluate a FHIRPath expression on a FHIR JSON resource ("-" reads standard input).
The result is printed as a JSON array of {"type": ..., "value": ...} items.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			expr, err := fhirpath.Parse(args[0])
			if err != nil {
				return fmt.Errorf("expression: %w", err)
			}
			data, err := readInput(args[1])
			if err != nil {
				return err
			}
			input, err := fhirpath.DecodeJSON(data)
			if err != nil {
				return fmt.Errorf("%s: %w", args[1], err)
			}
			result, err := expr.Evaluate(input, &fhirpath.Options{Model: fhirpath.R4(r4.Load())})
			if err != nil {
				return fmt.Errorf("evaluate: %w", err)
			}
			type item struct {
				Type  string `json:"type"`
				Value any    `json:"value"`
			}
			items := make([]item, 0, len(result))
			for _, v := range result {
				items = append(items, item{Type: v.TypeName(), Value: v.Raw()})
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			enc.SetIndent("", "  ")
			return enc.Encode(items)
		},
	}
}

// readInput reads a file, or standard input for "-".
func readInput(name string) ([]byte, error) {
	if name == "-" {
		data, err := readAll(os.Stdin)
		if err != nil {
			return nil, fmt.Errorf("read standard input: %w", err)
		}
		return data, nil
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return data, nil
}
