package web

// careplanMessages are the community-care screens' strings (vi, en). They
// live beside the screens rather than in the shared catalog so that the
// screens can be added and reviewed as one piece; "t" looks here first and
// then in the catalog (careplanFuncs).
var careplanMessages = map[string][2]string{
	"cp.title":         {"Danh sách thăm tại nhà", "Home-visit worklist"},
	"cp.owner":         {"Của", "For"},
	"cp.owner.pick":    {"Chọn trạm y tế hoặc nhân viên y tế thôn bản", "Choose a commune station or community health worker"},
	"cp.owner.label":   {"Mã (Organization/… hoặc PractitionerRole/…)", "Reference (Organization/… or PractitionerRole/…)"},
	"cp.show":          {"Xem", "Show"},
	"cp.print":         {"In danh sách", "Print the list"},
	"cp.none":          {"Không có người bệnh nào cần thăm.", "No patient is due a visit."},
	"cp.village":       {"Thôn / xóm", "Village"},
	"cp.score":         {"Ưu tiên", "Priority"},
	"cp.why":           {"Lý do", "Why"},
	"cp.lastvisit":     {"Lần thăm trước", "Last visit"},
	"cp.never":         {"chưa thăm", "never"},
	"cp.record":        {"Ghi lần thăm", "Record visit"},
	"cp.age":           {"tuổi", "years"},
	"cp.tasks":         {"Việc cần làm", "Open tasks"},
	"cp.visit.title":   {"Ghi kết quả thăm tại nhà", "Record a home visit"},
	"cp.visit.when":    {"Thời gian thăm", "Visit time"},
	"cp.visit.sys":     {"Huyết áp tâm thu (mmHg)", "Systolic BP (mmHg)"},
	"cp.visit.dia":     {"Huyết áp tâm trương (mmHg)", "Diastolic BP (mmHg)"},
	"cp.visit.hr":      {"Mạch (lần/phút)", "Heart rate (/min)"},
	"cp.visit.wt":      {"Cân nặng (kg)", "Weight (kg)"},
	"cp.visit.glu":     {"Đường huyết mao mạch (mmol/L)", "Capillary glucose (mmol/L)"},
	"cp.visit.note":    {"Ghi chú (tình trạng, uống thuốc, người chăm sóc)", "Note (condition, medicines, caregiver)"},
	"cp.visit.task":    {"Hoàn thành việc theo dõi", "Complete the follow-up task"},
	"cp.visit.save":    {"Lưu", "Save"},
	"cp.visit.queued":  {"Đã lưu trên máy; sẽ gửi khi có mạng.", "Saved on this phone; it will be sent when online."},
	"cp.visit.sent":    {"Đã gửi.", "Sent."},
	"cp.visit.pending": {"Đang chờ gửi", "Waiting to send"},
	"cp.visit.saved":   {"Đã ghi lần thăm.", "The visit is recorded."},
	"cp.visit.offline": {"Biểu mẫu này dùng được khi mất mạng: kết quả được lưu trên máy và tự gửi khi có mạng.",
		"This form works offline: results are kept on the phone and sent when the network is back."},
}
