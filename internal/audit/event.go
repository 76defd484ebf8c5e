package audit

import (
	"encoding/json"
	"strconv"
	"time"
)

// Extension URLs of the hash chain, carried by every AuditEvent Sen writes.
const (
	ExtChain    = "https://sen-emr.github.io/fhir/StructureDefinition/audit-chain"
	extSequence = "sequence"
	extPrevious = "previousHash"
	// ExtReview flags an event (a break-glass access) for review.
	ExtReview = "https://sen-emr.github.io/fhir/StructureDefinition/audit-review-required"
)

// Action is the AuditEvent.action code: C, R, U, D or E (execute, e.g. a
// search or an operation).
type Action string

const (
	ActionCreate  Action = "C"
	ActionRead    Action = "R"
	ActionUpdate  Action = "U"
	ActionDelete  Action = "D"
	ActionExecute Action = "E"
)

// Event is one access or change to record, in Sen's terms; Build turns it
// into an AuditEvent.
type Event struct {
	Time        time.Time
	Interaction string // read, vread, search-type, create, transaction, login, break-glass ...
	Action      Action
	Outcome     int    // HTTP status of the request
	Method      string // HTTP method and path, for the record
	Path        string
	Query       string

	Agent        string // reference of the actor: Practitioner/1, Patient/2, Device/client-id
	AgentName    string // display name
	AgentRole    string // role code (doctor, patient ...)
	AgentRoleVI  string // role label in Vietnamese
	AgentOrg     string // reference of the actor's organisation, if any
	AgentOrgName string
	User         string // account subject (user id or client id)
	Client       string // OAuth client id
	Address      string // network address

	Purpose    []string // v3 PurposeOfUse codes: TREAT, ETREAT, BTG, HRESCH, PATRQT, HOPERAT
	Reason     string   // free text reason (break-glass)
	BreakGlass bool     // flagged for review

	Patients  []string // patient ids whose records were touched
	Resources []string // Type/id of the resources touched (capped by the caller)
}

// outcomeCode maps an HTTP status to AuditEvent.outcome: 0 success, 4 minor
// failure (the caller's fault), 8 serious failure (the server's fault).
func outcomeCode(status int) string {
	switch {
	case status >= 500:
		return "8"
	case status >= 400:
		return "4"
	}
	return "0"
}

type coding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code,omitempty"`
	Display string `json:"display,omitempty"`
}

type concept struct {
	Coding []coding `json:"coding,omitempty"`
	Text   string   `json:"text,omitempty"`
}

type reference struct {
	Reference string `json:"reference,omitempty"`
	Display   string `json:"display,omitempty"`
}

type extension struct {
	URL          string      `json:"url"`
	ValueString  string      `json:"valueString,omitempty"`
	ValueInteger *int64      `json:"valueInteger,omitempty"`
	ValueBoolean *bool       `json:"valueBoolean,omitempty"`
	Extension    []extension `json:"extension,omitempty"`
}

type agent struct {
	Type      *concept   `json:"type,omitempty"`
	Role      []concept  `json:"role,omitempty"`
	Who       *reference `json:"who,omitempty"`
	AltID     string     `json:"altId,omitempty"`
	Name      string     `json:"name,omitempty"`
	Requestor bool       `json:"requestor"`
	Location  *reference `json:"location,omitempty"`
	PurposeOf []concept  `json:"purposeOfUse,omitempty"`
	Network   *struct {
		Address string `json:"address"`
		Type    string `json:"type"`
	} `json:"network,omitempty"`
}

type entity struct {
	What        *reference `json:"what,omitempty"`
	Type        *coding    `json:"type,omitempty"`
	Role        *coding    `json:"role,omitempty"`
	Description string     `json:"description,omitempty"`
	Query       string     `json:"query,omitempty"` // base64Binary
}

type auditEvent struct {
	ResourceType string      `json:"resourceType"`
	ID           string      `json:"id"`
	Extension    []extension `json:"extension,omitempty"`
	Type         coding      `json:"type"`
	Subtype      []coding    `json:"subtype,omitempty"`
	Action       Action      `json:"action,omitempty"`
	Recorded     string      `json:"recorded"`
	Outcome      string      `json:"outcome"`
	OutcomeDesc  string      `json:"outcomeDesc,omitempty"`
	PurposeOf    []concept   `json:"purposeOfEvent,omitempty"`
	Agent        []agent     `json:"agent"`
	Source       struct {
		Observer reference `json:"observer"`
		Type     []coding  `json:"type,omitempty"`
	} `json:"source"`
	Entity []entity `json:"entity,omitempty"`
}

const (
	sysPurpose   = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
	sysEventType = "http://terminology.hl7.org/CodeSystem/audit-event-type"
	sysRestful   = "http://hl7.org/fhir/restful-interaction"
	sysEntity    = "http://terminology.hl7.org/CodeSystem/audit-entity-type"
	sysObjRole   = "http://terminology.hl7.org/CodeSystem/object-role"
)

// build renders e as an AuditEvent body with the chain extension.
func build(e *Event, id string, seq int64, prev string) ([]byte, error) {
	ae := auditEvent{ResourceType: "AuditEvent", ID: id}
	s := seq
	chain := extension{URL: ExtChain, Extension: []extension{
		{URL: extSequence, ValueInteger: &s},
		{URL: extPrevious, ValueString: prev},
	}}
	ae.Extension = append(ae.Extension, chain)
	if e.BreakGlass {
		t := true
		ae.Extension = append(ae.Extension, extension{URL: ExtReview, ValueBoolean: &t})
	}
	ae.Type = coding{System: sysEventType, Code: "rest", Display: "RESTful Operation"}
	if e.Interaction != "" {
		ae.Subtype = []coding{{System: sysRestful, Code: e.Interaction}}
	}
	ae.Action = e.Action
	ae.Recorded = e.Time.UTC().Format(time.RFC3339Nano)
	ae.Outcome = outcomeCode(e.Outcome)
	if e.Outcome != 0 {
		ae.OutcomeDesc = "HTTP " + strconv.Itoa(e.Outcome)
	}
	for _, p := range e.Purpose {
		ae.PurposeOf = append(ae.PurposeOf, concept{Coding: []coding{{System: sysPurpose, Code: p}}})
	}
	if e.Reason != "" {
		ae.PurposeOf = append(ae.PurposeOf, concept{Text: e.Reason})
	}
	a := agent{Requestor: true, AltID: e.User, Name: e.AgentName}
	if e.Agent != "" {
		a.Who = &reference{Reference: e.Agent, Display: e.AgentName}
	}
	if e.AgentRole != "" {
		a.Role = []concept{{Coding: []coding{{System: "https://sen-emr.github.io/fhir/CodeSystem/role", Code: e.AgentRole, Display: e.AgentRoleVI}}}}
	}
	if e.AgentOrg != "" {
		a.Location = nil
		ae.Entity = append(ae.Entity, entity{What: &reference{Reference: e.AgentOrg, Display: e.AgentOrgName},
			Type: &coding{System: sysEntity, Code: "3", Display: "Organization"}, Description: "agent organisation"})
	}
	if e.Address != "" {
		a.Network = &struct {
			Address string `json:"address"`
			Type    string `json:"type"`
		}{Address: e.Address, Type: "2"}
	}
	ae.Agent = append(ae.Agent, a)
	if e.Client != "" && e.Client != e.User {
		ae.Agent = append(ae.Agent, agent{Who: &reference{Display: e.Client}, AltID: e.Client, Name: "OAuth client " + e.Client,
			Type: &concept{Coding: []coding{{System: "http://dicom.nema.org/resources/ontology/DCM", Code: "110150", Display: "Application"}}}})
	}
	ae.Source.Observer = reference{Display: "Sen"}
	ae.Source.Type = []coding{{System: "http://terminology.hl7.org/CodeSystem/security-source-type", Code: "4", Display: "Application Server"}}
	for _, p := range e.Patients {
		ae.Entity = append(ae.Entity, entity{What: &reference{Reference: "Patient/" + p},
			Type: &coding{System: sysEntity, Code: "1", Display: "Person"}, Role: &coding{System: sysObjRole, Code: "1", Display: "Patient"}})
	}
	for _, r := range e.Resources {
		ae.Entity = append(ae.Entity, entity{What: &reference{Reference: r}, Type: &coding{System: sysEntity, Code: "2", Display: "System Object"}})
	}
	if e.Method != "" {
		ae.Entity = append(ae.Entity, entity{Type: &coding{System: sysEntity, Code: "2", Display: "System Object"},
			Description: e.Method + " " + e.Path + queryPart(e.Query)})
	}
	return json.Marshal(&ae)
}

func queryPart(q string) string {
	if q == "" {
		return ""
	}
	return "?" + q
}
