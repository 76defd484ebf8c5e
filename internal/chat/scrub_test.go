package chat

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestScrub(t *testing.T) {
	names := ScrubOptions{Names: []string{"Nguyễn Văn An", "Trần Thị Lan"}}
	tests := []struct {
		name string
		msg  string
		o    ScrubOptions
		want string
	}{
		{"plain reply kept", "đã uống rồi", names, "đã uống rồi"},
		{"dose numbers kept", "uống 2 viên 500 mg lúc 7h", names, "uống 2 viên 500 mg lúc 7h"},
		{"menu answer kept", "1", names, "1"},
		{"mobile", "gọi cho em số 0912345678 nhé", names, "gọi cho em số [PHONE] nhé"},
		{"mobile with dots", "sdt 0912.345.678", names, "sdt [PHONE]"},
		{"mobile with spaces", "call me on 091 234 5678", names, "call me on [PHONE]"},
		{"international", "số +84 912 345 678 của con trai", names, "số [PHONE] của con trai"},
		{"84 without plus", "zalo 84912345678", names, "zalo [PHONE]"},
		{"landline", "máy bàn 02438251234", names, "máy bàn [PHONE]"},
		{"CCCD", "CCCD của tôi là 001088012345", names, "CCCD của tôi là [CCCD]"},
		{"old CMND", "cmnd 012345678", names, "cmnd [NUMBER]"},
		{"BHYT card", "thẻ BHYT HS4010123456789 hết hạn", names, "thẻ BHYT [BHYT] hết hạn"},
		{"BHYT card spaced lower case", "the bhyt dn 4 79 7915001234", names, "the bhyt [BHYT]"},
		{"social insurance number", "mã BHXH 7915001234", names, "mã BHXH [NUMBER]"},
		{"email", "email em là an.nguyen@gmail.com ạ", names, "email em là [EMAIL] ạ"},
		{"date of birth slashes", "tôi sinh 12/03/1960", names, "tôi sinh [DATE]"},
		{"ISO date", "DOB 1960-03-12", names, "DOB [DATE]"},
		{"day and month after sinh ngày", "sinh ngày 12/3 mà", names, "sinh ngày [DATE] mà"},
		{"Vietnamese date words", "bác sinh ngày 5 tháng 3 năm 1948", names, "bác sinh [DATE]"},
		{"Vietnamese date words unaccented", "sinh ngay 5 thang 3 nam 1948", names, "sinh [DATE]"},
		{"English date", "born 5 March 1948, took it", names, "born [DATE], took it"},
		{"English date month first", "DOB March 5th, 1948", names, "DOB [DATE]"},
		{"birth year", "bác sinh năm 1948", names, "bác sinh năm [DATE]"},
		{"full name", "Nguyễn Văn An đã uống thuốc", names, "[NAME] đã uống thuốc"},
		{"full name unaccented lower case", "nguyen van an quen uong", names, "[NAME] quen uong"},
		{"given name with honorific", "bác An uống rồi", names, "bác [NAME] uống rồi"},
		{"given name in unaccented text", "ba Lan het thuoc", names, "ba [NAME] het thuoc"},
		{"ăn is not An in accented text", "uống sau khi ăn", names, "uống sau khi ăn"},
		{"lần is not Lan in accented text", "quên 2 lần", names, "quên 2 lần"},
		{"middle and given name", "Thị Lan bị ho", names, "[NAME] bị ho"},
		{"family name alone kept", "bác sĩ Nguyễn dặn", names, "bác sĩ Nguyễn dặn"},
		{"known identifier", "mã bệnh nhân BN-778812 đây", ScrubOptions{Identifiers: []string{"BN-778812"}}, "mã bệnh nhân [ID] đây"},
		{"identifier equal to its placeholder", "x [id] [ID]y", ScrubOptions{Identifiers: []string{"[ID]"}}, "x [ID] [ID]y"},
		{"too short to be an identifier", "đã uống", ScrubOptions{Identifiers: []string{"u", "ng"}}, "đã uống"},
		{"known phone written differently", "số 0912 345 678", ScrubOptions{Identifiers: []string{"+84912345678"}}, "số [ID]"},
		{"several at once", "Lan, 0987654321, lan@example.vn, 01/02/1970", names, "[NAME], [PHONE], [EMAIL], [DATE]"},
	}
	if len(tests) < 20 {
		t.Fatalf("%d cases, want at least 20", len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Scrub(tt.msg, tt.o); got != tt.want {
				t.Errorf("Scrub(%q) = %q, want %q", tt.msg, got, tt.want)
			}
		})
	}
}

func TestScrubHostileInput(t *testing.T) {
	for _, msg := range []string{strings.Repeat("0912345678 ", 10000), strings.Repeat("😀", 5000), "\x00\xff\xfe An", strings.Repeat("a@b.cc ", 2000)} {
		got := Scrub(msg, ScrubOptions{Names: []string{"An", ""}, Identifiers: []string{"", "  "}})
		if n := len([]rune(got)); n > 2*MaxRunes {
			t.Errorf("scrubbed text of %d runes, want at most %d", n, 2*MaxRunes)
		}
		if strings.Contains(got, "0912345678") {
			t.Errorf("phone number left in %q…", got[:min(len(got), 80)])
		}
	}
}

// FuzzScrub: any text, with a phone number and the patient's full name
// put in the middle, scrubs without panic to valid UTF-8 that holds
// neither.
func FuzzScrub(f *testing.F) {
	for _, s := range []string{"", "đã uống", "0912", "An an AN ăn", "12/03/19", "😀", "\xff", "+84", "a@b"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, before, after string) {
		msg := before + " 0912345678 Nguyễn Văn An " + after
		got := Scrub(msg, ScrubOptions{Names: []string{"Nguyễn Văn An"}})
		if !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8: %q", got)
		}
		if len([]rune(msg)) <= MaxRunes-10 && (strings.Contains(onlyDigits(got), "912345678") || strings.Contains(got, "Nguyễn Văn An")) {
			t.Fatalf("Scrub(%q) = %q", msg, got)
		}
	})
}
