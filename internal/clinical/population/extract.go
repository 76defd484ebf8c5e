package population

import (
	"bufio"
	"context"
	"fmt"
	"io"
)

// WriteExtract writes a row-level, de-identified NDJSON extract of the
// given resource types to w: every resource goes through d (keyed
// pseudonyms, date shift by its patient's offset, identifiers and free
// text removed). Resources that belong to no patient (Practitioner,
// Organization …) are left out, since they carry staff names. It returns
// how many resources were written.
func WriteExtract(ctx context.Context, src Source, types []string, d *Deidentifier, w io.Writer) (int, error) {
	bw := bufio.NewWriter(w)
	n := 0
	for _, typ := range types {
		err := src.Each(ctx, typ, func(body []byte) error {
			pid := PatientOf(body)
			if pid == "" {
				return nil
			}
			out, err := d.Resource(body, pid)
			if err != nil {
				return err
			}
			n++
			if _, err := bw.Write(out); err != nil {
				return err
			}
			return bw.WriteByte('\n')
		})
		if err != nil {
			return n, fmt.Errorf("extract %s: %w", typ, err)
		}
	}
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("extract: %w", err)
	}
	return n, nil
}
