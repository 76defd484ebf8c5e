package chat

import (
	"strings"
)

// Intent is what a patient's message means for their medicines.
type Intent string

// Intents.
const (
	Unknown    Intent = "unknown"
	Taken      Intent = "taken"       // took the dose
	Missed     Intent = "missed"      // did not take it (forgot, skipped)
	RanOut     Intent = "ran-out"     // out of medicine: a refill is needed
	SideEffect Intent = "side-effect" // reports a symptom
	Question   Intent = "question"    // asks something of the care team
	Help       Intent = "help"        // asks how the service works
	Stop       Intent = "stop"        // wants no more messages
)

// TimeOfDay is a part of the day named in a message.
type TimeOfDay string

// Parts of the day.
const (
	AnyTime   TimeOfDay = ""
	Morning   TimeOfDay = "morning"
	Noon      TimeOfDay = "noon"
	Afternoon TimeOfDay = "afternoon"
	Evening   TimeOfDay = "evening"
	Night     TimeOfDay = "night"
)

// Result is a parsed message.
type Result struct {
	Intent     Intent
	TimeOfDay  TimeOfDay
	DayOffset  int    // 0 today, -1 yesterday, -2 the day before
	Medicine   string // the matched candidate, as given to Parse
	Symptom    string // canonical Vietnamese symptom for side effects
	SymptomEN  string
	Normalized string // the folded, expanded text the rules read
}

// Options carry what the parser may match against.
type Options struct {
	// Medicines are the patient's own medicine names ("Amlodipin 5 mg");
	// a message naming one (with or without diacritics, one typo allowed)
	// sets Result.Medicine.
	Medicines []string
	// Names (the patient's, a caregiver's) and Identifiers (any known
	// identifier values) are removed from the text an IntentModel sees
	// (Scrub); the rules do not use them.
	Names       []string
	Identifiers []string
}

// has reports whether the padded text contains any phrase as whole words.
func has(padded string, phrases ...string) bool {
	for _, p := range phrases {
		if strings.Contains(padded, " "+p+" ") {
			return true
		}
	}
	return false
}

// Parse reads one message. It never fails: text it cannot read is
// Unknown, and the caller answers with a polite "I did not understand".
func Parse(msg string, o Options) Result {
	n := normalize(msg)
	r := Result{Normalized: n}
	if n == "" {
		r.Intent = Unknown
		return r
	}
	p := " " + n + " "
	r.TimeOfDay, r.DayOffset = when(p)
	r.Symptom, r.SymptomEN = symptom(p)
	r.Medicine = matchMedicine(n, o.Medicines)
	r.Intent = classify(n, p, r.Symptom != "")
	return r
}

func classify(n, p string, symptom bool) Intent {
	// Menu replies to a reminder: 1 taken, 2 missed, 3 out of medicine,
	// 0 help.
	switch n {
	case "1":
		return Taken
	case "2":
		return Missed
	case "3":
		return RanOut
	case "0", "?", "help", "giup", "menu":
		return Help
	}
	if strings.Trim(n, "? ") == "" {
		return Help // only question marks: the patient is lost
	}
	question := has(p, "?") && !has(p, "huong dan", "cach dung app", "cach tra loi", "how does this work", "how do i use", "how to use")
	switch {
	case has(p, "stop", "unsubscribe", "huy dang ky", "huy nhac", "dung nhac", "ngung nhac", "dung nhan", "ngung nhan",
		"dung gui", "ngung gui", "tat nhac", "khong muon nhan", "dung lai", "dung tin nhan", "dung nhan tin", "huy"):
		return Stop
	case has(p, "het thuoc", "sap het thuoc", "het sach thuoc", "con it thuoc", "het roi thuoc", "thuoc het", "thuoc het roi", "het mat thuoc",
		"ran out", "run out", "running out", "out of pills", "out of medicine", "out of tablets", "no more pills", "no pills left",
		"need a refill", "need refill", "refill", "lay them thuoc", "cap them thuoc", "xin them thuoc", "mua them thuoc", "ke them thuoc"):
		return RanOut
	case symptom:
		return SideEffect
	case question:
		return Question
	case has(p, "quen", "chua uong", "khong uong", "bo uong", "bo lieu", "bo qua", "chua kip uong", "khong kip uong", "lo quen", "bo sot", "uong sot",
		"missed", "forgot", "forget", "not take", "not taken", "skipped", "skip", "not yet", "no i not", "did not take", "have not taken", "nho ma khong uong"):
		return Missed
	case n == "khong" || n == "chua" || n == "no" || n == "nope" || n == "khong a" || n == "chua a" || n == "no not yet":
		return Missed
	case has(p, "da uong", "uong roi", "vua uong", "moi uong", "uong xong", "xong roi", "da dung", "da tiem", "tiem roi", "da xit", "xit roi", "da hit",
		"took", "taken", "take it", "done", "have taken", "just took", "all done", "da uong thuoc", "uong thuoc roi", "uong day du", "uong du"):
		return Taken
	case has(p, "uong", "tiem", "xit") && strings.HasSuffix(p, " roi "):
		return Taken
	case n == "roi" || n == "ok" || n == "co" || n == "yes" || n == "da" || n == "vang" || n == "da roi" || n == "roi a" || n == "ok roi" ||
		n == "yes i did" || n == "yep" || n == "da co" || n == "co roi" || n == "uong" || n == "xong":
		return Taken
	case has(p, "?", "co duoc", "khi nao", "bao gio", "the nao", "lam sao", "tai sao", "sao", "co nen", "nen uong", "hoi", "can i", "should i",
		"what", "when", "how", "why", "is it ok", "uong chung", "uong cung"):
		if has(p, "huong dan", "cach dung app", "cach tra loi", "how does this work", "how do i use", "how to use") {
			return Help
		}
		return Question
	case has(p, "help", "giup", "tro giup", "huong dan", "giup do", "ho tro", "menu"):
		return Help
	}
	return Unknown
}

// when finds the part of day and the day offset.
func when(p string) (TimeOfDay, int) {
	day := 0
	switch {
	case has(p, "hom kia", "day before yesterday"):
		day = -2
	case has(p, "hom qua", "yesterday", "toi qua", "dem qua", "sang qua", "trua qua", "chieu qua", "last night", "ngay hom qua"):
		day = -1
	}
	t := AnyTime
	switch {
	case has(p, "sang", "buoi sang", "morning", "breakfast", "an sang"):
		t = Morning
	case has(p, "trua", "buoi trua", "noon", "lunch", "midday"):
		t = Noon
	case has(p, "chieu", "buoi chieu", "afternoon"):
		t = Afternoon
	case has(p, "buoi toi", "toi nay", "toi qua", "an toi", "bua toi", "thuoc toi", "lieu toi", "uong toi", "sang toi", "toi roi", "evening", "dinner", "tonight") ||
		strings.HasSuffix(p, " toi ") && !has(p, "giup toi", "cho toi", "voi toi", "bao toi", "nhac toi"):
		t = Evening
	case has(p, "dem", "night", "truoc khi ngu", "bedtime", "last night", "di ngu"):
		t = Night
	}
	if has(p, "last night") {
		t = Evening
	}
	return t, day
}
