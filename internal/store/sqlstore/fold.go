package sqlstore

import "github.com/sen-emr/sen/internal/search"

// fold is search.Normalize: index entries and query values that arrive
// without a precomputed Norm (token display text for :text, hand-built
// entries) are folded the same way as the ones that do.
func fold(s string) string {
	if s == "" {
		return ""
	}
	return search.Normalize(s)
}
