package rest

// The search parameters Sen evaluates without an index of their own, as
// the CapabilityStatement declares them: what works and what it costs, in
// English and Vietnamese.
//
// https://hl7.org/fhir/R4/search.html#text, #content, #list, #contained,
// https://hl7.org/fhir/R4/search_filter.html

const (
	docText = "Basic text search of the narrative (text.div, tags removed): every space-separated term (or \"quoted phrase\") must start a word, case- and diacritic-insensitively; alternatives with commas or OR. " +
		"No full-text index: evaluated over the stored JSON of the resources the other parameters select, so alone it reads every resource of the type (up to 200,000). " +
		"/ Tìm văn bản cơ bản trong phần tường thuật (text.div, bỏ thẻ): mọi từ (hoặc \"cụm từ\") phải là đầu một từ, không phân biệt hoa thường và dấu; các lựa chọn cách nhau bằng dấu phẩy hoặc OR. " +
		"Không có chỉ mục toàn văn: được đánh giá trên JSON đã lưu của các tài nguyên mà các tham số khác chọn, nên khi dùng một mình sẽ đọc mọi tài nguyên của loại đó (tối đa 200.000)."
	docContent = "Basic text search of the whole resource (every string value, the narrative without tags), with the term rules of _text and the same cost: evaluated over the stored JSON of the candidates the other parameters select. " +
		"/ Tìm văn bản cơ bản trong toàn bộ tài nguyên (mọi giá trị chuỗi, phần tường thuật không thẻ), cùng quy tắc và cùng chi phí với _text."
	docList = "_list=id: the resources that are List.entry.item of the List with that id. Functional lists ($current-allergies …) are not supported (400). " +
		"/ _list=id: các tài nguyên là List.entry.item của List có id đó. Không hỗ trợ danh sách chức năng ($current-allergies …) (400)."
	docFilter = "The _filter expression of search_filter.html: eq ne co sw ew gt lt ge le ap sa eb pr po ss sb in ni re on the parameters of the type (each operator where the parameter type allows it), and, or (also across parameters), not (…), parentheses, chains with '.', and reference[filter].parameter. " +
		"Composite sub-filters and other unsupported parts are answered 400 naming them. " +
		"/ Biểu thức _filter theo search_filter.html trên các tham số của loại tài nguyên: and, or (kể cả giữa các tham số khác nhau), not (…), ngoặc, chuỗi tham chiếu bằng '.', và tham_chiếu[bộ lọc].tham_số. Phần không hỗ trợ được trả lời 400 kèm tên phần đó."
	docContained = "_contained=true returns the resources (containers) whose contained[] holds a resource of the searched type matching every other parameter; both adds the ordinary matches; false is the default. " +
		"Contained resources are not indexed: they are evaluated in Go over the JSON of every resource that has contained[] (a scan of the store, up to 200,000). Chains, _has, _list and :in/:not-in/:above/:below cannot apply to contained resources. " +
		"/ _contained=true trả về các tài nguyên chứa (container) có contained[] khớp mọi tham số khác; both thêm các kết quả thông thường. Tài nguyên được chứa không có chỉ mục: được đánh giá trên JSON của mọi tài nguyên có contained[] (quét toàn kho, tối đa 200.000)."
	docContainedType = "container (the default) only: _containedType=contained (returning the contained resources themselves) is answered 400. " +
		"/ Chỉ hỗ trợ container (mặc định); _containedType=contained trả lời 400."
)

// specialSearchParams are the special parameters of one resource type
// that Sen evaluates, after the type's own parameters. hasText tells
// whether the type is a DomainResource (has a narrative for _text).
func specialSearchParams(hasText bool) []searchParamCap {
	var out []searchParamCap
	if hasText {
		out = append(out, searchParamCap{Name: "_text", Definition: "http://hl7.org/fhir/SearchParameter/DomainResource-text", Type: "string", Documentation: docText})
	}
	return append(out,
		searchParamCap{Name: "_content", Definition: "http://hl7.org/fhir/SearchParameter/Resource-content", Type: "string", Documentation: docContent},
		searchParamCap{Name: "_list", Type: "special", Documentation: docList},
		searchParamCap{Name: "_filter", Type: "special", Documentation: docFilter},
	)
}

// systemSearchParams are the rest-level searchParam entries: parameters
// for all resources, including the result parameters of contained search.
func systemSearchParams() []searchParamCap {
	return append(specialSearchParams(true),
		searchParamCap{Name: "_contained", Type: "token", Documentation: docContained},
		searchParamCap{Name: "_containedType", Type: "token", Documentation: docContainedType},
	)
}
