package chat

import (
	"strings"

	"github.com/sen-emr/sen/internal/vn"
)

// symptom returns the canonical symptom named in the padded text, in
// Vietnamese and English, or "" when none. Longer phrases come first.
func symptom(p string) (vi, en string) {
	for _, s := range []struct {
		vi, en  string
		phrases []string
	}{
		{"Khó thở", "Shortness of breath", []string{"kho tho", "tho gap", "short of breath", "breathless", "cant breathe"}},
		{"Đau ngực", "Chest pain", []string{"dau nguc", "tuc nguc", "chest pain"}},
		{"Chóng mặt", "Dizziness", []string{"chong mat", "hoa mat", "choang vang", "xay xam", "dizzy", "dizziness", "lightheaded", "light headed"}},
		{"Buồn nôn", "Nausea", []string{"buon non", "non oi", "muon non", "bi non", "oi mua", "nausea", "nauseous", "vomit", "vomiting", "throw up", "sick to my stomach"}},
		{"Đau đầu", "Headache", []string{"dau dau", "nhuc dau", "headache"}},
		{"Đau bụng", "Stomach pain", []string{"dau bung", "dau da day", "stomach ache", "stomach pain", "tummy ache"}},
		{"Tiêu chảy", "Diarrhoea", []string{"tieu chay", "di ngoai", "dau bung di ngoai", "diarrhea", "diarrhoea"}},
		{"Ho khan", "Dry cough", []string{"ho khan", "bi ho", "ho nhieu", "ho suot", "ho hoai", "cough", "coughing"}},
		{"Phát ban, ngứa", "Rash or itching", []string{"phat ban", "noi man", "man ngua", "ngua", "noi me day", "rash", "itchy", "itching", "hives"}},
		{"Phù", "Swelling", []string{"phu chan", "phu mat ca chan", "sung chan", "bi phu", "swelling", "swollen"}},
		{"Mệt mỏi", "Tiredness", []string{"met moi", "met lam", "bi met", "ue oai", "tired", "fatigue", "exhausted"}},
		{"Mất ngủ", "Insomnia", []string{"mat ngu", "khong ngu duoc", "kho ngu", "cant sleep", "insomnia"}},
		{"Đau cơ", "Muscle pain", []string{"dau co", "nhuc moi", "muscle pain", "muscle ache"}},
		{"Hạ đường huyết", "Low blood sugar", []string{"ha duong huyet", "run tay", "va mo hoi", "hypo", "low sugar", "shaky"}},
		{"Tim đập nhanh", "Palpitations", []string{"tim dap nhanh", "hoi hop", "danh trong nguc", "palpitations", "heart racing"}},
		{"Sốt", "Fever", []string{"bi sot", "sot cao", "sot nhe", "phat sot", "fever", "feverish"}},
		{"Tác dụng phụ", "Side effect", []string{"tac dung phu", "tac dung khong mong muon", "di ung", "side effect", "side effects", "allergic", "reaction"}},
	} {
		if has(p, s.phrases...) {
			return s.vi, s.en
		}
	}
	return "", ""
}

// matchMedicine returns the candidate whose first word (folded, at least
// four letters) appears in the message, exactly or with one typo
// (two for names of eight letters or more), or as a prefix of at least
// five letters ("amlo" is too short, "amlod" matches "amlodipin").
func matchMedicine(n string, candidates []string) string {
	words := strings.Fields(n)
	for _, c := range candidates {
		fields := strings.Fields(vn.Fold(c))
		if len(fields) == 0 || len(fields[0]) < 4 {
			continue
		}
		name := fields[0]
		allowed := 1
		if len(name) >= 8 {
			allowed = 2
		}
		for _, w := range words {
			if len(w) < 4 {
				continue
			}
			if w == name || (len(w) >= 5 && strings.HasPrefix(name, w)) || levenshtein(w, name) <= allowed {
				return c
			}
		}
	}
	return ""
}

// levenshtein is the edit distance of two ASCII strings.
func levenshtein(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99 // not a medicine name; keep the cost bounded
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
