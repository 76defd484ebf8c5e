package vn

// FHIR JSON fragments for the parsed values, so that every package writes
// them the same way (docs/identifiers.md).

// Identifier returns the FHIR Identifier for the number under SystemCCCD.
func (c CCCD) Identifier() map[string]any {
	return map[string]any{"use": "official", "system": SystemCCCD, "value": c.Number}
}

// Identifier returns the FHIR Identifier for the number under the system of
// its kind (see BHYT.System).
func (b BHYT) Identifier() map[string]any {
	return map[string]any{"system": b.System(), "value": b.Number}
}

// ContactPoint returns the FHIR ContactPoint for the number, in E.164.
func (p Phone) ContactPoint() map[string]any {
	return map[string]any{"system": "phone", "value": p.E164, "use": "mobile"}
}

// Extension returns the Patient extension ExtEthnicity for the group.
func (e Ethnicity) Extension() map[string]any {
	return map[string]any{
		"url": ExtEthnicity,
		"valueCoding": map[string]any{
			"system": CodeSystemEthnicity, "code": e.Code, "display": e.Name,
		},
	}
}
