package vn

// FHIR identifier systems and extension URLs that Sen uses for Vietnamese
// data. Other packages depend on these exact strings; docs/identifiers.md
// documents them and their mapping to the VN Core IG.
const (
	// SystemCCCD identifies the 12-digit personal identification number
	// (CCCD, also the health identifier under Decree 102/2025).
	SystemCCCD = "https://sen-emr.github.io/fhir/sid/cccd"
	// SystemBHYT identifies the 15-character health-insurance card number.
	SystemBHYT = "https://sen-emr.github.io/fhir/sid/bhyt"
	// SystemSocialInsurance identifies the 10-digit social-insurance
	// number (mã số BHXH), which since 2025 also serves as the card number.
	SystemSocialInsurance = "https://sen-emr.github.io/fhir/sid/bhxh"
	// SystemMRN identifies a medical-record number; per-organisation
	// numbers use SystemMRN + "/" + organisation code (see MRNSystem).
	SystemMRN = "https://sen-emr.github.io/fhir/sid/mrn"

	// ExtEthnicity is the Patient extension carrying the ethnic group as a
	// valueCoding in CodeSystemEthnicity.
	ExtEthnicity = "https://sen-emr.github.io/fhir/StructureDefinition/ethnicity"
	// CodeSystemEthnicity holds the 54 GSO ethnic-group codes 01–54.
	CodeSystemEthnicity = "https://sen-emr.github.io/fhir/CodeSystem/vn-ethnicity"

	// ExtAddressAdminUnit is the Address extension carrying the
	// administrative-unit codes of QĐ 19/2025/QĐ-TTg. It repeats: one
	// valueCoding in CodeSystemProvince and one in CodeSystemCommune.
	ExtAddressAdminUnit = "https://sen-emr.github.io/fhir/StructureDefinition/address-admin-unit"
	// CodeSystemProvince holds the 2-digit province codes in force since
	// 1 July 2025.
	CodeSystemProvince = "https://sen-emr.github.io/fhir/CodeSystem/vn-province"
	// CodeSystemCommune holds the 5-digit commune, ward and special-zone
	// codes in force since 1 July 2025.
	CodeSystemCommune = "https://sen-emr.github.io/fhir/CodeSystem/vn-commune"
)

// Identifier systems of the VN Core IG (hl7vn/vn-core-ig, canonical
// http://fhir.ehealth.gov.vn/core, published by the MOH IT department, CI
// draft). Sen writes its own systems and accepts these as synonyms; see
// docs/identifiers.md.
const (
	VNCoreSystemNationalID      = "http://fhir.ehealth.gov.vn/core/sid/national_id"
	VNCoreSystemCitizenID       = "http://fhir.ehealth.gov.vn/core/sid/citizen_id"
	VNCoreSystemInsuranceNumber = "http://fhir.ehealth.gov.vn/core/sid/insurance_number"
	VNCoreSystemPassportNumber  = "http://fhir.ehealth.gov.vn/core/sid/passport_number"
)

// MRNSystem returns the identifier system for medical-record numbers issued
// by the organisation with the given code, or SystemMRN when orgCode is
// empty.
func MRNSystem(orgCode string) string {
	if orgCode == "" {
		return SystemMRN
	}
	return SystemMRN + "/" + orgCode
}
