package chat

import "testing"

// BenchmarkScrub measures what scrubbing adds to a model call, beside
// BenchmarkParse (the rules) in the same run.
func BenchmarkScrub(b *testing.B) {
	o := ScrubOptions{Names: []string{"Nguyễn Văn An", "Trần Thị Lan"}, Identifiers: []string{"BN-778812"}}
	msgs := []string{"đã uống thuốc sáng", "bác An quên uống tối qua, gọi 0912 345 678", "CCCD 001088012345, sinh 12/03/1960, hỏi thuốc",
		"hết thuốc rồi", "took it, email an@example.vn"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Scrub(msgs[i%len(msgs)], o)
	}
}
