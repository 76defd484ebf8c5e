-- Search parameters whose index rows only repeated other parameters' rows
-- (search.AliasOf: combo-code = code | component-code, patient = subject
-- restricted to Patient, ...) are no longer written; searches read the
-- rows they repeat. This removes the rows written before. The list is the
-- one search.AliasOf gives for R4 4.0.1 (a test keeps them equal).

-- +goose Up
DELETE FROM idx_token WHERE (type, param) IN (VALUES
    ('Account', 'patient'), ('Appointment', 'location'), ('Appointment', 'patient'), ('Appointment', 'practitioner'),
    ('AppointmentResponse', 'location'), ('AppointmentResponse', 'patient'), ('AppointmentResponse', 'practitioner'), ('Basic', 'patient'),
    ('Bundle', 'message'), ('CapabilityStatement', 'version'), ('CarePlan', 'patient'), ('CareTeam', 'patient'),
    ('ChargeItem', 'patient'), ('ClinicalImpression', 'patient'), ('CodeSystem', 'url'), ('Communication', 'patient'),
    ('CommunicationRequest', 'patient'), ('Composition', 'patient'), ('Condition', 'patient'), ('Contract', 'patient'),
    ('Coverage', 'patient'), ('DeviceRequest', 'patient'), ('DeviceUseStatement', 'subject'), ('DiagnosticReport', 'patient'),
    ('DocumentManifest', 'patient'), ('DocumentReference', 'patient'), ('Encounter', 'patient'), ('Encounter', 'practitioner'),
    ('EnrollmentRequest', 'subject'), ('Flag', 'patient'), ('Goal', 'patient'), ('GuidanceResponse', 'patient'),
    ('ImagingStudy', 'patient'), ('Invoice', 'patient'), ('Linkage', 'source'), ('List', 'patient'),
    ('MeasureReport', 'patient'), ('Media', 'patient'), ('MedicationAdministration', 'patient'), ('MedicationDispense', 'patient'),
    ('MedicationRequest', 'patient'), ('MedicationStatement', 'patient'), ('Observation', 'combo-code'), ('Observation', 'combo-code-value-concept'),
    ('Observation', 'combo-code-value-quantity'), ('Observation', 'combo-data-absent-reason'), ('Observation', 'combo-value-concept'), ('Observation', 'combo-value-quantity'),
    ('Observation', 'patient'), ('Patient', 'phonetic'), ('Person', 'patient'), ('Person', 'phonetic'),
    ('Person', 'practitioner'), ('Person', 'relatedperson'), ('Practitioner', 'phonetic'), ('Procedure', 'patient'),
    ('Provenance', 'patient'), ('QuestionnaireResponse', 'patient'), ('RelatedPerson', 'phonetic'), ('RequestGroup', 'patient'),
    ('ResearchSubject', 'patient'), ('RiskAssessment', 'patient'), ('ServiceRequest', 'patient'), ('Specimen', 'patient'),
    ('Task', 'patient')
);
DELETE FROM idx_string WHERE (type, param) IN (VALUES
    ('Account', 'patient'), ('Appointment', 'location'), ('Appointment', 'patient'), ('Appointment', 'practitioner'),
    ('AppointmentResponse', 'location'), ('AppointmentResponse', 'patient'), ('AppointmentResponse', 'practitioner'), ('Basic', 'patient'),
    ('Bundle', 'message'), ('CapabilityStatement', 'version'), ('CarePlan', 'patient'), ('CareTeam', 'patient'),
    ('ChargeItem', 'patient'), ('ClinicalImpression', 'patient'), ('CodeSystem', 'url'), ('Communication', 'patient'),
    ('CommunicationRequest', 'patient'), ('Composition', 'patient'), ('Condition', 'patient'), ('Contract', 'patient'),
    ('Coverage', 'patient'), ('DeviceRequest', 'patient'), ('DeviceUseStatement', 'subject'), ('DiagnosticReport', 'patient'),
    ('DocumentManifest', 'patient'), ('DocumentReference', 'patient'), ('Encounter', 'patient'), ('Encounter', 'practitioner'),
    ('EnrollmentRequest', 'subject'), ('Flag', 'patient'), ('Goal', 'patient'), ('GuidanceResponse', 'patient'),
    ('ImagingStudy', 'patient'), ('Invoice', 'patient'), ('Linkage', 'source'), ('List', 'patient'),
    ('MeasureReport', 'patient'), ('Media', 'patient'), ('MedicationAdministration', 'patient'), ('MedicationDispense', 'patient'),
    ('MedicationRequest', 'patient'), ('MedicationStatement', 'patient'), ('Observation', 'combo-code'), ('Observation', 'combo-code-value-concept'),
    ('Observation', 'combo-code-value-quantity'), ('Observation', 'combo-data-absent-reason'), ('Observation', 'combo-value-concept'), ('Observation', 'combo-value-quantity'),
    ('Observation', 'patient'), ('Patient', 'phonetic'), ('Person', 'patient'), ('Person', 'phonetic'),
    ('Person', 'practitioner'), ('Person', 'relatedperson'), ('Practitioner', 'phonetic'), ('Procedure', 'patient'),
    ('Provenance', 'patient'), ('QuestionnaireResponse', 'patient'), ('RelatedPerson', 'phonetic'), ('RequestGroup', 'patient'),
    ('ResearchSubject', 'patient'), ('RiskAssessment', 'patient'), ('ServiceRequest', 'patient'), ('Specimen', 'patient'),
    ('Task', 'patient')
);
DELETE FROM idx_reference WHERE (type, param) IN (VALUES
    ('Account', 'patient'), ('Appointment', 'location'), ('Appointment', 'patient'), ('Appointment', 'practitioner'),
    ('AppointmentResponse', 'location'), ('AppointmentResponse', 'patient'), ('AppointmentResponse', 'practitioner'), ('Basic', 'patient'),
    ('Bundle', 'message'), ('CapabilityStatement', 'version'), ('CarePlan', 'patient'), ('CareTeam', 'patient'),
    ('ChargeItem', 'patient'), ('ClinicalImpression', 'patient'), ('CodeSystem', 'url'), ('Communication', 'patient'),
    ('CommunicationRequest', 'patient'), ('Composition', 'patient'), ('Condition', 'patient'), ('Contract', 'patient'),
    ('Coverage', 'patient'), ('DeviceRequest', 'patient'), ('DeviceUseStatement', 'subject'), ('DiagnosticReport', 'patient'),
    ('DocumentManifest', 'patient'), ('DocumentReference', 'patient'), ('Encounter', 'patient'), ('Encounter', 'practitioner'),
    ('EnrollmentRequest', 'subject'), ('Flag', 'patient'), ('Goal', 'patient'), ('GuidanceResponse', 'patient'),
    ('ImagingStudy', 'patient'), ('Invoice', 'patient'), ('Linkage', 'source'), ('List', 'patient'),
    ('MeasureReport', 'patient'), ('Media', 'patient'), ('MedicationAdministration', 'patient'), ('MedicationDispense', 'patient'),
    ('MedicationRequest', 'patient'), ('MedicationStatement', 'patient'), ('Observation', 'combo-code'), ('Observation', 'combo-code-value-concept'),
    ('Observation', 'combo-code-value-quantity'), ('Observation', 'combo-data-absent-reason'), ('Observation', 'combo-value-concept'), ('Observation', 'combo-value-quantity'),
    ('Observation', 'patient'), ('Patient', 'phonetic'), ('Person', 'patient'), ('Person', 'phonetic'),
    ('Person', 'practitioner'), ('Person', 'relatedperson'), ('Practitioner', 'phonetic'), ('Procedure', 'patient'),
    ('Provenance', 'patient'), ('QuestionnaireResponse', 'patient'), ('RelatedPerson', 'phonetic'), ('RequestGroup', 'patient'),
    ('ResearchSubject', 'patient'), ('RiskAssessment', 'patient'), ('ServiceRequest', 'patient'), ('Specimen', 'patient'),
    ('Task', 'patient')
);
DELETE FROM idx_date WHERE (type, param) IN (VALUES
    ('Account', 'patient'), ('Appointment', 'location'), ('Appointment', 'patient'), ('Appointment', 'practitioner'),
    ('AppointmentResponse', 'location'), ('AppointmentResponse', 'patient'), ('AppointmentResponse', 'practitioner'), ('Basic', 'patient'),
    ('Bundle', 'message'), ('CapabilityStatement', 'version'), ('CarePlan', 'patient'), ('CareTeam', 'patient'),
    ('ChargeItem', 'patient'), ('ClinicalImpression', 'patient'), ('CodeSystem', 'url'), ('Communication', 'patient'),
    ('CommunicationRequest', 'patient'), ('Composition', 'patient'), ('Condition', 'patient'), ('Contract', 'patient'),
    ('Coverage', 'patient'), ('DeviceRequest', 'patient'), ('DeviceUseStatement', 'subject'), ('DiagnosticReport', 'patient'),
    ('DocumentManifest', 'patient'), ('DocumentReference', 'patient'), ('Encounter', 'patient'), ('Encounter', 'practitioner'),
    ('EnrollmentRequest', 'subject'), ('Flag', 'patient'), ('Goal', 'patient'), ('GuidanceResponse', 'patient'),
    ('ImagingStudy', 'patient'), ('Invoice', 'patient'), ('Linkage', 'source'), ('List', 'patient'),
    ('MeasureReport', 'patient'), ('Media', 'patient'), ('MedicationAdministration', 'patient'), ('MedicationDispense', 'patient'),
    ('MedicationRequest', 'patient'), ('MedicationStatement', 'patient'), ('Observation', 'combo-code'), ('Observation', 'combo-code-value-concept'),
    ('Observation', 'combo-code-value-quantity'), ('Observation', 'combo-data-absent-reason'), ('Observation', 'combo-value-concept'), ('Observation', 'combo-value-quantity'),
    ('Observation', 'patient'), ('Patient', 'phonetic'), ('Person', 'patient'), ('Person', 'phonetic'),
    ('Person', 'practitioner'), ('Person', 'relatedperson'), ('Practitioner', 'phonetic'), ('Procedure', 'patient'),
    ('Provenance', 'patient'), ('QuestionnaireResponse', 'patient'), ('RelatedPerson', 'phonetic'), ('RequestGroup', 'patient'),
    ('ResearchSubject', 'patient'), ('RiskAssessment', 'patient'), ('ServiceRequest', 'patient'), ('Specimen', 'patient'),
    ('Task', 'patient')
);
DELETE FROM idx_number WHERE (type, param) IN (VALUES
    ('Account', 'patient'), ('Appointment', 'location'), ('Appointment', 'patient'), ('Appointment', 'practitioner'),
    ('AppointmentResponse', 'location'), ('AppointmentResponse', 'patient'), ('AppointmentResponse', 'practitioner'), ('Basic', 'patient'),
    ('Bundle', 'message'), ('CapabilityStatement', 'version'), ('CarePlan', 'patient'), ('CareTeam', 'patient'),
    ('ChargeItem', 'patient'), ('ClinicalImpression', 'patient'), ('CodeSystem', 'url'), ('Communication', 'patient'),
    ('CommunicationRequest', 'patient'), ('Composition', 'patient'), ('Condition', 'patient'), ('Contract', 'patient'),
    ('Coverage', 'patient'), ('DeviceRequest', 'patient'), ('DeviceUseStatement', 'subject'), ('DiagnosticReport', 'patient'),
    ('DocumentManifest', 'patient'), ('DocumentReference', 'patient'), ('Encounter', 'patient'), ('Encounter', 'practitioner'),
    ('EnrollmentRequest', 'subject'), ('Flag', 'patient'), ('Goal', 'patient'), ('GuidanceResponse', 'patient'),
    ('ImagingStudy', 'patient'), ('Invoice', 'patient'), ('Linkage', 'source'), ('List', 'patient'),
    ('MeasureReport', 'patient'), ('Media', 'patient'), ('MedicationAdministration', 'patient'), ('MedicationDispense', 'patient'),
    ('MedicationRequest', 'patient'), ('MedicationStatement', 'patient'), ('Observation', 'combo-code'), ('Observation', 'combo-code-value-concept'),
    ('Observation', 'combo-code-value-quantity'), ('Observation', 'combo-data-absent-reason'), ('Observation', 'combo-value-concept'), ('Observation', 'combo-value-quantity'),
    ('Observation', 'patient'), ('Patient', 'phonetic'), ('Person', 'patient'), ('Person', 'phonetic'),
    ('Person', 'practitioner'), ('Person', 'relatedperson'), ('Practitioner', 'phonetic'), ('Procedure', 'patient'),
    ('Provenance', 'patient'), ('QuestionnaireResponse', 'patient'), ('RelatedPerson', 'phonetic'), ('RequestGroup', 'patient'),
    ('ResearchSubject', 'patient'), ('RiskAssessment', 'patient'), ('ServiceRequest', 'patient'), ('Specimen', 'patient'),
    ('Task', 'patient')
);
DELETE FROM idx_quantity WHERE (type, param) IN (VALUES
    ('Account', 'patient'), ('Appointment', 'location'), ('Appointment', 'patient'), ('Appointment', 'practitioner'),
    ('AppointmentResponse', 'location'), ('AppointmentResponse', 'patient'), ('AppointmentResponse', 'practitioner'), ('Basic', 'patient'),
    ('Bundle', 'message'), ('CapabilityStatement', 'version'), ('CarePlan', 'patient'), ('CareTeam', 'patient'),
    ('ChargeItem', 'patient'), ('ClinicalImpression', 'patient'), ('CodeSystem', 'url'), ('Communication', 'patient'),
    ('CommunicationRequest', 'patient'), ('Composition', 'patient'), ('Condition', 'patient'), ('Contract', 'patient'),
    ('Coverage', 'patient'), ('DeviceRequest', 'patient'), ('DeviceUseStatement', 'subject'), ('DiagnosticReport', 'patient'),
    ('DocumentManifest', 'patient'), ('DocumentReference', 'patient'), ('Encounter', 'patient'), ('Encounter', 'practitioner'),
    ('EnrollmentRequest', 'subject'), ('Flag', 'patient'), ('Goal', 'patient'), ('GuidanceResponse', 'patient'),
    ('ImagingStudy', 'patient'), ('Invoice', 'patient'), ('Linkage', 'source'), ('List', 'patient'),
    ('MeasureReport', 'patient'), ('Media', 'patient'), ('MedicationAdministration', 'patient'), ('MedicationDispense', 'patient'),
    ('MedicationRequest', 'patient'), ('MedicationStatement', 'patient'), ('Observation', 'combo-code'), ('Observation', 'combo-code-value-concept'),
    ('Observation', 'combo-code-value-quantity'), ('Observation', 'combo-data-absent-reason'), ('Observation', 'combo-value-concept'), ('Observation', 'combo-value-quantity'),
    ('Observation', 'patient'), ('Patient', 'phonetic'), ('Person', 'patient'), ('Person', 'phonetic'),
    ('Person', 'practitioner'), ('Person', 'relatedperson'), ('Practitioner', 'phonetic'), ('Procedure', 'patient'),
    ('Provenance', 'patient'), ('QuestionnaireResponse', 'patient'), ('RelatedPerson', 'phonetic'), ('RequestGroup', 'patient'),
    ('ResearchSubject', 'patient'), ('RiskAssessment', 'patient'), ('ServiceRequest', 'patient'), ('Specimen', 'patient'),
    ('Task', 'patient')
);
DELETE FROM idx_uri WHERE (type, param) IN (VALUES
    ('Account', 'patient'), ('Appointment', 'location'), ('Appointment', 'patient'), ('Appointment', 'practitioner'),
    ('AppointmentResponse', 'location'), ('AppointmentResponse', 'patient'), ('AppointmentResponse', 'practitioner'), ('Basic', 'patient'),
    ('Bundle', 'message'), ('CapabilityStatement', 'version'), ('CarePlan', 'patient'), ('CareTeam', 'patient'),
    ('ChargeItem', 'patient'), ('ClinicalImpression', 'patient'), ('CodeSystem', 'url'), ('Communication', 'patient'),
    ('CommunicationRequest', 'patient'), ('Composition', 'patient'), ('Condition', 'patient'), ('Contract', 'patient'),
    ('Coverage', 'patient'), ('DeviceRequest', 'patient'), ('DeviceUseStatement', 'subject'), ('DiagnosticReport', 'patient'),
    ('DocumentManifest', 'patient'), ('DocumentReference', 'patient'), ('Encounter', 'patient'), ('Encounter', 'practitioner'),
    ('EnrollmentRequest', 'subject'), ('Flag', 'patient'), ('Goal', 'patient'), ('GuidanceResponse', 'patient'),
    ('ImagingStudy', 'patient'), ('Invoice', 'patient'), ('Linkage', 'source'), ('List', 'patient'),
    ('MeasureReport', 'patient'), ('Media', 'patient'), ('MedicationAdministration', 'patient'), ('MedicationDispense', 'patient'),
    ('MedicationRequest', 'patient'), ('MedicationStatement', 'patient'), ('Observation', 'combo-code'), ('Observation', 'combo-code-value-concept'),
    ('Observation', 'combo-code-value-quantity'), ('Observation', 'combo-data-absent-reason'), ('Observation', 'combo-value-concept'), ('Observation', 'combo-value-quantity'),
    ('Observation', 'patient'), ('Patient', 'phonetic'), ('Person', 'patient'), ('Person', 'phonetic'),
    ('Person', 'practitioner'), ('Person', 'relatedperson'), ('Practitioner', 'phonetic'), ('Procedure', 'patient'),
    ('Provenance', 'patient'), ('QuestionnaireResponse', 'patient'), ('RelatedPerson', 'phonetic'), ('RequestGroup', 'patient'),
    ('ResearchSubject', 'patient'), ('RiskAssessment', 'patient'), ('ServiceRequest', 'patient'), ('Specimen', 'patient'),
    ('Task', 'patient')
);
DELETE FROM idx_composite WHERE (type, param) IN (VALUES
    ('Account', 'patient'), ('Appointment', 'location'), ('Appointment', 'patient'), ('Appointment', 'practitioner'),
    ('AppointmentResponse', 'location'), ('AppointmentResponse', 'patient'), ('AppointmentResponse', 'practitioner'), ('Basic', 'patient'),
    ('Bundle', 'message'), ('CapabilityStatement', 'version'), ('CarePlan', 'patient'), ('CareTeam', 'patient'),
    ('ChargeItem', 'patient'), ('ClinicalImpression', 'patient'), ('CodeSystem', 'url'), ('Communication', 'patient'),
    ('CommunicationRequest', 'patient'), ('Composition', 'patient'), ('Condition', 'patient'), ('Contract', 'patient'),
    ('Coverage', 'patient'), ('DeviceRequest', 'patient'), ('DeviceUseStatement', 'subject'), ('DiagnosticReport', 'patient'),
    ('DocumentManifest', 'patient'), ('DocumentReference', 'patient'), ('Encounter', 'patient'), ('Encounter', 'practitioner'),
    ('EnrollmentRequest', 'subject'), ('Flag', 'patient'), ('Goal', 'patient'), ('GuidanceResponse', 'patient'),
    ('ImagingStudy', 'patient'), ('Invoice', 'patient'), ('Linkage', 'source'), ('List', 'patient'),
    ('MeasureReport', 'patient'), ('Media', 'patient'), ('MedicationAdministration', 'patient'), ('MedicationDispense', 'patient'),
    ('MedicationRequest', 'patient'), ('MedicationStatement', 'patient'), ('Observation', 'combo-code'), ('Observation', 'combo-code-value-concept'),
    ('Observation', 'combo-code-value-quantity'), ('Observation', 'combo-data-absent-reason'), ('Observation', 'combo-value-concept'), ('Observation', 'combo-value-quantity'),
    ('Observation', 'patient'), ('Patient', 'phonetic'), ('Person', 'patient'), ('Person', 'phonetic'),
    ('Person', 'practitioner'), ('Person', 'relatedperson'), ('Practitioner', 'phonetic'), ('Procedure', 'patient'),
    ('Provenance', 'patient'), ('QuestionnaireResponse', 'patient'), ('RelatedPerson', 'phonetic'), ('RequestGroup', 'patient'),
    ('ResearchSubject', 'patient'), ('RiskAssessment', 'patient'), ('ServiceRequest', 'patient'), ('Specimen', 'patient'),
    ('Task', 'patient')
);

-- +goose Down
-- The rows are derived data: rebuild them by re-indexing (sen import of an
-- export) if this schema version must be left.
SELECT 1;
