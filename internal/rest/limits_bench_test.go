package rest

import (
	"strings"
	"testing"
)

// BenchmarkCheckDepth scans a 1 MB resource-like body: the depth guard
// must cost far less than parsing it.
func BenchmarkCheckDepth(b *testing.B) {
	body := []byte(`{"resourceType":"Bundle","entry":[` + strings.Repeat(`{"resource":{"resourceType":"Observation","code":{"coding":[{"system":"http://loinc.org","code":"8867-4","display":"Heart \"rate\""}]},"valueQuantity":{"value":72}}},`, 6000) + `{}]}`)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if err := checkDepth(body, 100); err != nil {
			b.Fatal(err)
		}
	}
}
