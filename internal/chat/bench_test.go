package chat

import "testing"

func BenchmarkParse(b *testing.B) {
	meds := []string{"Amlodipin 5 mg", "Metformin 500 mg", "Losartan 50 mg"}
	msgs := []string{"đã uống thuốc sáng", "quen uong toi qua", "bị chóng mặt sau khi uống amlodipin", "hết thuốc rồi", "took it"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Parse(msgs[i%len(msgs)], Options{Medicines: meds})
	}
}
