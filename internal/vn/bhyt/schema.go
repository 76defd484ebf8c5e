package bhyt

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Kind is the value type of a field.
type Kind byte

const (
	Text     Kind = 's' // free text or a code kept as a string
	DateTime Kind = 't' // yyyyMMddHHmm (12 characters)
	Date     Kind = 'd' // yyyyMMdd
	Int      Kind = 'n' // digits
	Money    Kind = 'm' // decimal with at most 2 places
	Price    Kind = 'p' // decimal with at most 3 places (DON_GIA)
	Decimal  Kind = 'f' // decimal, any places
)

// Field is one element of a table row.
type Field struct {
	Name     string
	Kind     Kind
	Max      int  // maximum length in characters; 0: unbounded
	Required bool // must not be empty
	// Multi: several values separated by ";" (MA_BENH_KT, MA_KHOA, ...),
	// each checked against Kind; Max applies to the whole.
	Multi bool
	Codes []string       // allowed values, when a closed list
	Re    *regexp.Regexp // a pattern every value must match
}

// Table is one claim table: its container elements and fields in order.
type Table struct {
	Name      string   // "XML1"
	Path      []string // container elements down to the row element
	Fields    []Field
	PerRecord bool // several rows (XML2–XML5) rather than one
}

// Row element is the last of Path.
func (t *Table) Row() string { return t.Path[len(t.Path)-1] }

// Field returns the named field.
func (t *Table) Field(name string) (Field, bool) {
	for _, f := range t.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

var (
	reICD      = regexp.MustCompile(`^[A-Z][0-9]{2}(\.[0-9A-Z]{1,3})?$`)
	reDoiTuong = regexp.MustCompile(`^[0-9](\.[0-9]{1,2})?$`)
	reCSKCB    = regexp.MustCompile(`^[0-9]{5}$`)
	reKhoa     = regexp.MustCompile(`^K[0-9]{2}$`)
	rePhone    = regexp.MustCompile(`^[0-9+]{8,15}$`)
	reCCCD     = regexp.MustCompile(`^([0-9]{9}|[0-9]{12})$`)
)

var (
	codesSex        = []string{"1", "2", "3"}
	codesLoaiKCB    = []string{"01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14", "15", "16"}
	codesKetQua     = []string{"1", "2", "3", "4", "5", "6", "7"}
	codesLoaiRV     = []string{"1", "2", "3", "4", "5"}
	codesMaNhom     = []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17", "18"}
	codesTaiNan     = []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
	codesLyDoVNT    = []string{"1", "2", "3", "4"}
	codesPhamVi     = []string{"1", "2", "3"}
	codesDoiTuongKC = reDoiTuong
)

// spec parses "NAME kind max [!] [*]": kind one of s t d n m p f, ! for
// required, * for multi-valued. It keeps the table literals readable.
func spec(line string, opts ...func(*Field)) Field {
	p := strings.Fields(line)
	f := Field{Name: p[0], Kind: Kind(p[1][0])}
	if len(p) > 2 && strings.Trim(p[2], "!*") != "" {
		n, err := strconv.Atoi(strings.Trim(p[2], "!*"))
		if err != nil {
			panic(fmt.Sprintf("bhyt spec %q: %v", line, err))
		}
		f.Max = n
	}
	f.Required = strings.Contains(line, "!")
	f.Multi = strings.Contains(line, "*")
	switch f.Kind {
	case DateTime:
		f.Max = 12
	case Date:
		f.Max = 8
	}
	for _, o := range opts {
		o(&f)
	}
	return f
}

func codes(c []string) func(*Field)    { return func(f *Field) { f.Codes = c } }
func re(r *regexp.Regexp) func(*Field) { return func(f *Field) { f.Re = r } }

// Tables returns the table definitions Sen generates, in envelope order.
// Field order and names are those of Decision 130 as amended by 3176
// ([C] in REGULATIONS.md §2); lengths are Sen's reading of the decision's
// tables and must be checked against the BHXH portal's XSD
// (REGULATIONS.md §9 item 1).
func Tables() []*Table { return tableList }

// TableByName returns one table definition.
func TableByName(name string) (*Table, bool) {
	for _, t := range tableList {
		if t.Name == name {
			return t, true
		}
	}
	return nil, false
}

// tableList is built once and never modified.
var tableList = []*Table{xml0(), xml1(), xml2(), xml3(), xml4(), xml5(), xml7(), xml13(), xml14()}

func xml0() *Table {
	return &Table{Name: "XML0", PerRecord: true, Path: []string{"CHI_TIEU_TRANG_THAI_KCB", "DSACH_TRANG_THAI_KCB", "TRANG_THAI_KCB"}, Fields: []Field{
		spec("MA_LK s 100 !"), spec("STT n 10"), spec("MA_BN s 100 !"), spec("HO_TEN s 255 !"), spec("SO_CCCD s 15", re(reCCCD)),
		spec("NGAY_SINH t !"), spec("GIOI_TINH n 1 !", codes(codesSex)), spec("MA_THE_BHYT s 15"), spec("MA_DKBD s 5"),
		spec("GT_THE_TU d"), spec("GT_THE_DEN d"), spec("MA_DOITUONG_KCB s 4 !", re(codesDoiTuongKC)), spec("NGAY_VAO t !"),
		spec("NGAY_VAO_NOI_TRU t"), spec("LY_DO_VNT s 1024"), spec("MA_LY_DO_VNT s 5"), spec("MA_LOAI_KCB s 2 !", codes(codesLoaiKCB)),
		spec("MA_CSKCB s 5 !", re(reCSKCB)), spec("MA_DICH_VU s 50"), spec("TEN_DICH_VU s 1024"), spec("MA_THUOC s 255"),
		spec("TEN_THUOC s 1024"), spec("MA_VAT_TU s 255"), spec("TEN_VAT_TU s 1024"), spec("NGAY_YL t"), spec("DU_PHONG s"),
	}}
}

func xml1() *Table {
	return &Table{Name: "XML1", Path: []string{"TONG_HOP"}, Fields: []Field{
		spec("MA_LK s 100 !"), spec("STT n 10"), spec("MA_BN s 100 !"), spec("HO_TEN s 255 !"), spec("SO_CCCD s 15", re(reCCCD)),
		spec("NGAY_SINH t !"), spec("GIOI_TINH n 1 !", codes(codesSex)), spec("NHOM_MAU s 10"), spec("MA_QUOCTICH s 3 !"),
		spec("MA_DANTOC s 2 !"), spec("MA_NGHE_NGHIEP s 5"), spec("DIA_CHI s 1024"), spec("MATINH_CU_TRU s 3"),
		spec("MAHUYEN_CU_TRU s 3"), spec("MAXA_CU_TRU s 5"), spec("DIEN_THOAI s 15", re(rePhone)), spec("MA_THE_BHYT s 159 *"),
		spec("MA_DKBD s 59 *"), spec("GT_THE_TU d 89 *"), spec("GT_THE_DEN d 89 *"), spec("NGAY_MIEN_CCT t"), spec("LY_DO_VV s 1024"),
		spec("LY_DO_VNT s 1024"), spec("MA_LY_DO_VNT s 5", codes(codesLyDoVNT)), spec("CHAN_DOAN_VAO s 2048 !"),
		spec("CHAN_DOAN_RV s 2048 !"), spec("MA_BENH_CHINH s 7 !", re(reICD)), spec("MA_BENH_KT s 100 *", re(reICD)),
		spec("MA_BENH_YHCT s 255"), spec("MA_PTTT_QT s 125 *"), spec("MA_DOITUONG_KCB s 4 !", re(codesDoiTuongKC)),
		spec("MA_NOI_DI s 5", re(reCSKCB)), spec("MA_NOI_DEN s 5", re(reCSKCB)), spec("MA_TAI_NAN n 1", codes(codesTaiNan)),
		spec("NGAY_VAO t !"), spec("NGAY_VAO_NOI_TRU t"), spec("NGAY_RA t !"), spec("GIAY_CHUYEN_TUYEN s 50"),
		spec("SO_NGAY_DTRI n 3 !"), spec("PP_DIEU_TRI s"), spec("KET_QUA_DTRI n 1 !", codes(codesKetQua)),
		spec("MA_LOAI_RV n 1 !", codes(codesLoaiRV)), spec("GHI_CHU s"), spec("NGAY_TTOAN t"),
		spec("T_THUOC m 15 !"), spec("T_VTYT m 15 !"), spec("T_TONGCHI_BV m 15 !"), spec("T_TONGCHI_BH m 15 !"),
		spec("T_BNTT m 15 !"), spec("T_BNCCT m 15 !"), spec("T_BHTT m 15 !"), spec("T_NGUONKHAC m 15 !"), spec("T_BHTT_GDV m 15 !"),
		spec("NAM_QT n 4 !"), spec("THANG_QT n 2 !"), spec("MA_LOAI_KCB s 2 !", codes(codesLoaiKCB)), spec("MA_KHOA s 50 ! *", re(reKhoa)),
		spec("MA_CSKCB s 5 !", re(reCSKCB)), spec("MA_KHUVUC s 2"), spec("CAN_NANG f 6"), spec("CAN_NANG_CON s 100"),
		spec("NAM_NAM_LIEN_TUC d"), spec("NGAY_TAI_KHAM s 50"), spec("MA_HSBA s 100 !"), spec("MA_TTDV s 10"), spec("DU_PHONG s"),
	}}
}

func xml2() *Table {
	return &Table{Name: "XML2", PerRecord: true, Path: []string{"CHITIEU_CHITIET_THUOC", "DSACH_CHI_TIET_THUOC", "CHI_TIET_THUOC"}, Fields: []Field{
		spec("MA_LK s 100 !"), spec("STT n 10 !"), spec("MA_THUOC s 255 !"), spec("MA_PP_CHEBIEN s 255"), spec("MA_CSKCB_THUOC s 10"),
		spec("MA_NHOM n 2 !", codes(codesMaNhom)), spec("TEN_THUOC s 1024 !"), spec("DON_VI_TINH s 50 !"), spec("HAM_LUONG s 1024"),
		spec("DUONG_DUNG s 4"), spec("DANG_BAO_CHE s 1024"), spec("LIEU_DUNG s 1024 !"), spec("CACH_DUNG s 1024"),
		spec("SO_DANG_KY s 255"), spec("TT_THAU s 50"), spec("PHAM_VI n 1 !", codes(codesPhamVi)), spec("TYLE_TT_BH n 3 !"),
		spec("SO_LUONG f 10 !"), spec("DON_GIA p 15 !"), spec("THANH_TIEN_BV m 15 !"), spec("THANH_TIEN_BH m 15 !"),
		spec("T_NGUONKHAC_NSNN m 15"), spec("T_NGUONKHAC_VTNN m 15"), spec("T_NGUONKHAC_VTTN m 15"), spec("T_NGUONKHAC_CL m 15"),
		spec("T_NGUONKHAC m 15 !"), spec("MUC_HUONG n 4 !"), spec("T_BHTT m 15 !"), spec("T_BNCCT m 15 !"), spec("T_BNTT m 15 !"),
		spec("MA_KHOA s 15 !", re(reKhoa)), spec("MA_BAC_SI s 255 ! *"), spec("MA_DICH_VU s 255"), spec("NGAY_YL t !"),
		spec("NGAY_TH_YL t"), spec("MA_PTTT n 1"), spec("NGUON_CTRA n 1"), spec("VET_THUONG_TP n 1"), spec("DU_PHONG s"),
	}}
}

func xml3() *Table {
	return &Table{Name: "XML3", PerRecord: true, Path: []string{"CHITIEU_CHITIET_DVKT_VTYT", "DSACH_CHI_TIET_DVKT", "CHI_TIET_DVKT"}, Fields: []Field{
		spec("MA_LK s 100 !"), spec("STT n 10 !"), spec("MA_DICH_VU s 50"), spec("MA_PTTT_QT s 255"), spec("MA_VAT_TU s 255"),
		spec("MA_NHOM n 2 !", codes(codesMaNhom)), spec("GOI_VTYT s 3"), spec("TEN_VAT_TU s 1024"), spec("TEN_DICH_VU s 1024"),
		spec("MA_XANG_DAU s 20"), spec("DON_VI_TINH s 50 !"), spec("PHAM_VI n 1 !", codes(codesPhamVi)), spec("SO_LUONG f 10 !"),
		spec("DON_GIA_BV p 15 !"), spec("DON_GIA_BH p 15 !"), spec("TT_THAU s 25"), spec("TYLE_TT_DV n 3"), spec("TYLE_TT_BH n 3 !"),
		spec("THANH_TIEN_BV m 15 !"), spec("THANH_TIEN_BH m 15 !"), spec("T_TRANTT m 15"), spec("MUC_HUONG n 4 !"),
		spec("T_NGUONKHAC_NSNN m 15"), spec("T_NGUONKHAC_VTNN m 15"), spec("T_NGUONKHAC_VTTN m 15"), spec("T_NGUONKHAC_CL m 15"),
		spec("T_NGUONKHAC m 15 !"), spec("T_BHTT m 15 !"), spec("T_BNTT m 15 !"), spec("T_BNCCT m 15 !"),
		spec("MA_KHOA s 15 !", re(reKhoa)), spec("MA_GIUONG s 50 *", re(regexp.MustCompile(`^[HTCK][0-9]{3}$`))),
		spec("MA_BAC_SI s 255 ! *"), spec("NGUOI_THUC_HIEN s 255 *"), spec("MA_BENH s 100 *", re(reICD)), spec("MA_BENH_YHCT s 255"),
		spec("NGAY_YL t !"), spec("NGAY_TH_YL t"), spec("NGAY_KQ t"), spec("MA_PTTT n 1"), spec("VET_THUONG_TP n 1"),
		spec("PP_VO_CAM n 1"), spec("VI_TRI_TH_DVKT n 3"), spec("MA_MAY s 1024"), spec("MA_HIEU_SP s 255"), spec("TAI_SU_DUNG n 1"),
		spec("DU_PHONG s"),
	}}
}

func xml4() *Table {
	return &Table{Name: "XML4", PerRecord: true, Path: []string{"CHITIEU_CHITIET_DICHVUCANLAMSANG", "DSACH_CHI_TIET_CLS", "CHI_TIET_CLS"}, Fields: []Field{
		spec("MA_LK s 100 !"), spec("STT n 10 !"), spec("MA_DICH_VU s 50 !"), spec("MA_CHI_SO s 50"), spec("TEN_CHI_SO s 255"),
		spec("GIA_TRI s 255"), spec("DON_VI_DO s 50"), spec("MO_TA s"), spec("KET_LUAN s"), spec("NGAY_KQ t !"),
		spec("MA_BS_DOC_KQ s 255"), spec("DU_PHONG s"),
	}}
}

func xml5() *Table {
	return &Table{Name: "XML5", PerRecord: true, Path: []string{"CHITIEU_CHITIET_DIENBIENLAMSANG", "DSACH_CHI_TIET_DIEN_BIEN_BENH", "CHI_TIET_DIEN_BIEN_BENH"}, Fields: []Field{
		spec("MA_LK s 100 !"), spec("STT n 10 !"), spec("DIEN_BIEN_LS s !"), spec("GIAI_DOAN_BENH s"), spec("HOI_CHAN s"),
		spec("PHAU_THUAT s"), spec("THOI_DIEM_DBLS t !"), spec("NGUOI_THUC_HIEN s 255 ! *"), spec("DU_PHONG s"),
	}}
}

func xml7() *Table {
	return &Table{Name: "XML7", Path: []string{"CHI_TIEU_DU_LIEU_GIAY_RA_VIEN"}, Fields: []Field{
		spec("MA_LK s 100 !"), spec("SO_LUU_TRU s 200 !"), spec("MA_YTE s 200 !"), spec("MA_KHOA_RV s 200 ! *", re(reKhoa)),
		spec("NGAY_VAO t !"), spec("NGAY_RA t !"), spec("MA_DINH_CHI_THAI n 1"), spec("NGUYENNHAN_DINHCHI s"), spec("THOIGIAN_DINHCHI t"),
		spec("TUOI_THAI n 2"), spec("CHAN_DOAN_RV s 1500 !"), spec("PP_DIEUTRI s 1500 !"), spec("GHI_CHU s 1500"),
		spec("MA_TTDV s 10 !"), spec("MA_BS s 200 !"), spec("TEN_BS s 255 !"), spec("NGAY_CT d !"), spec("MA_CHA s 10"),
		spec("MA_ME s 10"), spec("MA_THE_TAM s 15"), spec("HO_TEN_CHA s 255"), spec("HO_TEN_ME s 255"), spec("SO_NGAY_NGHI n 3"),
		spec("NGOAITRU_TUNGAY d"), spec("NGOAITRU_DENNGAY d"), spec("DU_PHONG s"),
	}}
}

func xml13() *Table {
	return &Table{Name: "XML13", Path: []string{"CHI_TIEU_GIAYCHUYENTUYEN"}, Fields: []Field{
		spec("MA_LK s 100 !"), spec("SO_HOSO s 50 !"), spec("SO_CHUYENTUYEN s 50 !"), spec("GIAY_CHUYEN_TUYEN s 50 !"),
		spec("MA_CSKCB s 5 !", re(reCSKCB)), spec("MA_CSKCB_DI s 5 !", re(reCSKCB)), spec("MA_CSKCB_DEN s 5 !", re(reCSKCB)),
		spec("HO_TEN s 255 !"), spec("NGAY_SINH t !"), spec("GIOI_TINH n 1 !", codes(codesSex)), spec("MA_QUOCTICH s 3 !"),
		spec("MA_DANTOC s 2 !"), spec("MA_NGHE_NGHIEP s 5"), spec("DIA_CHI s 1024 !"), spec("MA_THE_BHYT s 15 !"),
		spec("GT_THE_DEN d"), spec("NGAY_VAO t !"), spec("NGAY_VAO_NOI_TRU t"), spec("NGAY_RA t !"), spec("DAU_HIEU_LS s !"),
		spec("CHAN_DOAN_RV s !"), spec("QT_BENHLY s !"), spec("TOMTAT_KQ s !"), spec("PP_DIEUTRI s !"),
		spec("MA_BENH_CHINH s 7 !", re(reICD)), spec("MA_BENH_KT s 100 *", re(reICD)), spec("MA_BENH_YHCT s 255"),
		spec("TINH_TRANG_CT s 255"), spec("MA_LOAI_RV n 1 !", codes(codesLoaiRV)), spec("MA_LYDO_CT n 1 !"),
		spec("HUONG_DIEU_TRI s 1024 !"), spec("PHUONGTIEN_VC s 255"), spec("HOTEN_NGUOI_HT s 255"), spec("CHUCDANH_NGUOI_HT s 255"),
		spec("MA_BAC_SI s 255 !"), spec("MA_TTDV s 10 !"), spec("DU_PHONG s"),
	}}
}

func xml14() *Table {
	return &Table{Name: "XML14", Path: []string{"CHI_TIEU_GIAYHEN_KHAMLAI"}, Fields: []Field{
		spec("MA_LK s 100 !"), spec("SO_GIAYHEN_KL s 50 !"), spec("MA_CSKCB s 5 !", re(reCSKCB)), spec("HO_TEN s 255 !"),
		spec("NGAY_SINH t !"), spec("GIOI_TINH n 1 !", codes(codesSex)), spec("DIA_CHI s 1024 !"), spec("MA_THE_BHYT s 15 !"),
		spec("GT_THE_DEN d"), spec("NGAY_VAO t !"), spec("NGAY_VAO_NOI_TRU t"), spec("NGAY_RA t !"), spec("NGAY_HEN_KL d !"),
		spec("CHAN_DOAN_RV s !"), spec("MA_BENH_CHINH s 7 !", re(reICD)), spec("MA_BENH_KT s 100 *", re(reICD)),
		spec("MA_BENH_YHCT s 255"), spec("MA_DOITUONG_KCB s 4 !", re(codesDoiTuongKC)), spec("MA_BAC_SI s 255 !"),
		spec("MA_TTDV s 10 !"), spec("NGAY_CT d !"), spec("DU_PHONG s"),
	}}
}
