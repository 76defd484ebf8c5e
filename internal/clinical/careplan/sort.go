package careplan

import "sort"

// sortStable sorts xs by less, keeping equal elements in order.
func sortStable[T any](xs []T, less func(a, b T) bool) {
	sort.SliceStable(xs, func(i, j int) bool { return less(xs[i], xs[j]) })
}
