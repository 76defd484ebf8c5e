// Command sen is the Sen EMR: one binary whose subcommands serve the FHIR
// API and apps (serve, demo), and work on files and data directories
// (fhirpath, validate, import, export, ...). It is the only package that
// knows the concrete storage backends.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// exitError carries a specific exit status (e.g. validation found errors)
// without printing anything more.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRootCmd().ExecuteContext(ctx)
	stop()
	if err != nil {
		var ee exitError
		if errors.As(err, &ee) {
			os.Exit(ee.code)
		}
		fmt.Fprintln(os.Stderr, "sen:", err)
		os.Exit(1)
	}
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "sen",
		Short:         "Sen (lotus): a FHIR R4 electronic medical record for Vietnam",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(
		newServeCmd(),
		newDemoCmd(),
		newFHIRPathCmd(),
		newValidateCmd(),
		newVersionCmd(),
		newCheckCmd(), newBackupCmd(), newRestoreCmd(), newConfigCmd(),
		newImportCmd(),
		newExportCmd(),
		newViewCmd(), newResearchCmd(),
		newUserCmd(), newClientCmd(), newAuditCmd(),
		newAdherenceCmd(), newModelCmd(), newChatCmd(),
		newVerifyCmd(), newRetentionCmd(), newBHYTCmd(),
		newSynthCmd(),
	)
	addConfig(root)
	return root
}
