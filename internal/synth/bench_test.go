package synth

import "testing"

// BenchmarkRun measures end-to-end generation (model, simulation and JSON
// rendering) and reports resources per second.
func BenchmarkRun(b *testing.B) {
	var n int
	for b.Loop() {
		n = 0
		g := New(testConfig(500))
		if err := g.Run(func([]byte) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "resources/s")
}

// BenchmarkBundles measures transaction-bundle output.
func BenchmarkBundles(b *testing.B) {
	for b.Loop() {
		g := New(testConfig(500))
		if err := g.Bundles(func([]byte) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}
