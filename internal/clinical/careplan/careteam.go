package careplan

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// CodeSystemCareRole and CodeSystemSector are Sen's codes for what a care
// team member does and which sector they work in. Vietnamese displays come
// first; clinicians read them.
const (
	CodeSystemCareRole = "https://sen-emr.github.io/fhir/CodeSystem/care-team-role"
	CodeSystemSector   = "https://sen-emr.github.io/fhir/CodeSystem/care-sector"
)

// Care team roles.
const (
	RoleSpecialist   = "specialist"     // hospital specialist
	RoleStationGP    = "station-doctor" // commune health station doctor / physician assistant
	RoleNurse        = "nurse"
	RoleCHW          = "chw" // village community health worker (nhân viên y tế thôn bản)
	RoleSocialWorker = "social-worker"
	RoleCaregiver    = "caregiver" // a family caregiver (RelatedPerson)
	RoleCoordinator  = "coordinator"
)

// Sectors a member works in.
const (
	SectorHospital  = "hospital"
	SectorPrimary   = "primary-care" // commune health station
	SectorCommunity = "community"
	SectorSocial    = "social"
	SectorFamily    = "family"
)

type roleInfo struct {
	sector string
	vi, en string
	// types are the resource types a member in this role may be.
	types []string
}

var roles = map[string]roleInfo{
	RoleSpecialist:   {SectorHospital, "Bác sĩ chuyên khoa", "Hospital specialist", []string{"Practitioner", "PractitionerRole"}},
	RoleStationGP:    {SectorPrimary, "Bác sĩ / y sĩ trạm y tế xã", "Commune health station doctor", []string{"Practitioner", "PractitionerRole"}},
	RoleNurse:        {SectorPrimary, "Điều dưỡng", "Nurse", []string{"Practitioner", "PractitionerRole"}},
	RoleCHW:          {SectorCommunity, "Nhân viên y tế thôn bản", "Community health worker", []string{"Practitioner", "PractitionerRole"}},
	RoleSocialWorker: {SectorSocial, "Cán bộ xã hội", "Social worker", []string{"Practitioner", "PractitionerRole", "Organization"}},
	RoleCaregiver:    {SectorFamily, "Người chăm sóc trong gia đình", "Family caregiver", []string{"RelatedPerson"}},
	RoleCoordinator:  {SectorPrimary, "Điều phối chăm sóc", "Care coordinator", []string{"Practitioner", "PractitionerRole", "Organization"}},
}

var sectorNames = map[string][2]string{
	SectorHospital:  {"Bệnh viện", "Hospital"},
	SectorPrimary:   {"Trạm y tế xã", "Commune health station"},
	SectorCommunity: {"Cộng đồng", "Community"},
	SectorSocial:    {"Xã hội", "Social services"},
	SectorFamily:    {"Gia đình", "Family"},
}

// RoleName returns the display of a role in lang ("vi" or "en"); the code
// itself when unknown.
func RoleName(role, lang string) string {
	ri, ok := roles[role]
	if !ok {
		return role
	}
	if lang == "en" {
		return ri.en
	}
	return ri.vi
}

// SectorName returns the display of a sector in lang.
func SectorName(sector, lang string) string {
	n, ok := sectorNames[sector]
	if !ok {
		return sector
	}
	if lang == "en" {
		return n[1]
	}
	return n[0]
}

// Member is one person or organisation on a care team.
type Member struct {
	Ref        string // Practitioner/…, PractitionerRole/…, RelatedPerson/… or Organization/…
	Display    string
	Role       string // one of the Role constants
	Sector     string // set from Role when empty
	OnBehalfOf string // the Organization they act for ("" for family)
}

// Team is a care team to build.
type Team struct {
	ID       string
	Patient  string // Patient/…
	Name     string
	Managing []string // Organization references (the hospital, the commune station …)
	Members  []Member
	Start    string // FHIR date of the team's start ("" for none)
}

// CareTeamJSON returns the team as an R4 CareTeam (status active). Each
// participant carries its role and sector codes; membership is what the
// access policy reads (internal/auth: a member, or an organisation on
// whose behalf one acts, may reach the record). Errors name the member at
// fault.
func CareTeamJSON(t Team) ([]byte, error) {
	if !strings.HasPrefix(t.Patient, "Patient/") {
		return nil, fmt.Errorf("care team: subject %q is not a Patient reference", t.Patient)
	}
	if len(t.Members) == 0 {
		return nil, fmt.Errorf("care team for %s has no members", t.Patient)
	}
	type part struct {
		Role       []concept  `json:"role"`
		Member     reference  `json:"member"`
		OnBehalfOf *reference `json:"onBehalfOf,omitempty"`
	}
	out := struct {
		ResourceType         string      `json:"resourceType"`
		ID                   string      `json:"id,omitempty"`
		Status               string      `json:"status"`
		Name                 string      `json:"name,omitempty"`
		Subject              reference   `json:"subject"`
		Period               *period     `json:"period,omitempty"`
		Participant          []part      `json:"participant"`
		ManagingOrganization []reference `json:"managingOrganization,omitempty"`
	}{ResourceType: "CareTeam", ID: t.ID, Status: "active", Name: t.Name, Subject: reference{Reference: t.Patient}}
	if t.Start != "" {
		out.Period = &period{Start: t.Start}
	}
	for _, m := range t.Managing {
		if !strings.HasPrefix(m, "Organization/") {
			return nil, fmt.Errorf("care team: managing organisation %q is not an Organization reference", m)
		}
		out.ManagingOrganization = append(out.ManagingOrganization, reference{Reference: m})
	}
	for i, m := range t.Members {
		ri, ok := roles[m.Role]
		if !ok {
			return nil, fmt.Errorf("care team member %d (%s): unknown role %q", i+1, m.Ref, m.Role)
		}
		typ, _, _ := strings.Cut(m.Ref, "/")
		if !slices.Contains(ri.types, typ) {
			return nil, fmt.Errorf("care team member %d (%s): a %s cannot have role %s (want %s)", i+1, m.Ref, typ, m.Role, strings.Join(ri.types, " or "))
		}
		sector := m.Sector
		if sector == "" {
			sector = ri.sector
		}
		if _, ok := sectorNames[sector]; !ok {
			return nil, fmt.Errorf("care team member %d (%s): unknown sector %q", i+1, m.Ref, sector)
		}
		p := part{
			Role: []concept{
				{Coding: []coding{{System: CodeSystemCareRole, Code: m.Role, Display: ri.vi}}, Text: ri.vi},
				{Coding: []coding{{System: CodeSystemSector, Code: sector, Display: sectorNames[sector][0]}}},
			},
			Member: reference{Reference: m.Ref, Display: m.Display},
		}
		if m.OnBehalfOf != "" {
			if !strings.HasPrefix(m.OnBehalfOf, "Organization/") {
				return nil, fmt.Errorf("care team member %d (%s): onBehalfOf %q is not an Organization reference", i+1, m.Ref, m.OnBehalfOf)
			}
			p.OnBehalfOf = &reference{Reference: m.OnBehalfOf}
		}
		out.Participant = append(out.Participant, p)
	}
	return json.Marshal(out)
}

// Members reads a CareTeam's participants back as Members. A participant
// without Sen's role code keeps its first role text as Role and an empty
// Sector, so teams made elsewhere still list.
func Members(careTeam []byte) ([]Member, error) {
	var t struct {
		Participant []struct {
			Role       []concept  `json:"role"`
			Member     *reference `json:"member"`
			OnBehalfOf *reference `json:"onBehalfOf"`
		} `json:"participant"`
	}
	if err := decodeType(careTeam, "CareTeam", &t); err != nil {
		return nil, err
	}
	var out []Member
	for _, p := range t.Participant {
		if p.Member == nil {
			continue
		}
		m := Member{Ref: p.Member.Reference, Display: p.Member.Display}
		if p.OnBehalfOf != nil {
			m.OnBehalfOf = p.OnBehalfOf.Reference
		}
		for _, r := range p.Role {
			for _, c := range r.Coding {
				switch c.System {
				case CodeSystemCareRole:
					m.Role = c.Code
				case CodeSystemSector:
					m.Sector = c.Code
				}
			}
		}
		if m.Role == "" && len(p.Role) > 0 {
			m.Role = p.Role[0].label()
		}
		if m.Sector == "" {
			if ri, ok := roles[m.Role]; ok {
				m.Sector = ri.sector
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// HasMember reports whether ref (a person or an organisation) is on the
// team, directly or as the organisation a member acts for.
func HasMember(members []Member, ref string) bool {
	for _, m := range members {
		if m.Ref == ref || m.OnBehalfOf != "" && m.OnBehalfOf == ref {
			return true
		}
	}
	return false
}
