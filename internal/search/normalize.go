package search

import "github.com/sen-emr/sen/internal/vn"

// Normalize is the case- and diacritic-insensitive form of a string used
// for string search: lower case, Vietnamese tone and vowel marks removed,
// đ folded to d, white space collapsed ("Nguyễn  Văn" -> "nguyen van").
// Index entries store it in Entry.Norm and query values in Value.Norm, so
// a backend compares them with plain equality or prefix matching.
func Normalize(s string) string { return vn.Fold(s) }
