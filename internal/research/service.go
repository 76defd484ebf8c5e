package research

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/sen-emr/sen/internal/audit"
	"github.com/sen-emr/sen/internal/clinical/population"
	"github.com/sen-emr/sen/internal/fhir"
)

// Auditor records an audit event; *audit.Writer is one.
type Auditor interface {
	Record(e audit.Event)
}

// Service runs the request → approval → extract workflow. Requests,
// Source and Audit are required.
type Service struct {
	Requests Requests
	Source   population.Source // the whole store, read when an extract is produced
	Audit    Auditor
	Now      func() time.Time // time.Now when nil
	// K and MaxSuppress are the release policy (DefaultK and
	// DefaultMaxSuppress when 0).
	K           int
	MaxSuppress float64

	// mu serialises the read-check-write of a request's status, so that
	// two approvals or two productions of one request cannot both pass.
	mu sync.Mutex
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Submit records a researcher's request and returns it with its id and
// status requested.
func (s *Service) Submit(ctx context.Context, by Actor, r Request) (*Request, error) {
	err := func() error {
		if by.Role != RoleResearcher {
			return fhir.Errorf(fhir.KindForbidden, "chỉ nhà nghiên cứu được gửi yêu cầu / only a researcher may request an extract")
		}
		if err := r.Validate(); err != nil {
			return err
		}
		r.ID = uuid.NewString()
		r.Researcher = by.Ref
		r.Status = StatusRequested
		r.Requested = s.now()
		r.Custodian, r.Reason, r.Decided, r.Produced, r.Rows, r.SmallestK = "", "", time.Time{}, time.Time{}, 0, 0
		if err := s.Requests.Put(ctx, &r); err != nil {
			return fmt.Errorf("research: save request: %w", err)
		}
		return nil
	}()
	s.record(by, "research-request", audit.ActionCreate, r.ID, r.Purpose, err)
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// Decide approves or rejects a requested extract. Only a custodian may,
// and never for a request of their own; a rejection needs a reason.
func (s *Service) Decide(ctx context.Context, by Actor, id string, approve bool, reason string) (*Request, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	interaction := "research-reject"
	if approve {
		interaction = "research-approve"
	}
	r, err := func() (*Request, error) {
		if by.Role != RoleCustodian {
			return nil, fhir.Errorf(fhir.KindForbidden, "chỉ người quản lý dữ liệu được phê duyệt / only a data custodian may decide on a request")
		}
		r, err := s.Requests.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		if r.Researcher == by.Ref {
			return nil, fhir.Errorf(fhir.KindForbidden, "không được tự phê duyệt yêu cầu của mình / a custodian cannot decide on their own request")
		}
		if r.Status != StatusRequested {
			return nil, fhir.Errorf(fhir.KindConflict, "yêu cầu %s đã ở trạng thái %s / request %s is already %s", id, r.Status, id, r.Status)
		}
		if !approve && reason == "" {
			return nil, fhir.Errorf(fhir.KindInvalid, "từ chối cần nêu lý do / a rejection needs a reason")
		}
		r.Status = StatusRejected
		if approve {
			r.Status = StatusApproved
		}
		r.Custodian, r.Decided, r.Reason = by.Ref, s.now(), reason
		if err := s.Requests.Put(ctx, r); err != nil {
			return nil, fmt.Errorf("research: save decision: %w", err)
		}
		return r, nil
	}()
	s.record(by, interaction, audit.ActionUpdate, id, reason, err)
	return r, err
}

// Produce writes the approved extract as de-identified NDJSON to w, once:
// only the researcher who asked may produce it, the cohort must pass the
// k-anonymity check (people in too-small classes are left out within the
// suppression limit, else the extract is refused and stays approved), and
// each extract gets a fresh pseudonym secret, so two extracts cannot be
// linked by their ids.
func (s *Service) Produce(ctx context.Context, by Actor, id string, w io.Writer) (*Request, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var note string
	r, err := func() (*Request, error) {
		r, err := s.Requests.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		if by.Role != RoleResearcher || by.Ref != r.Researcher {
			return nil, fhir.Errorf(fhir.KindForbidden, "chỉ nhà nghiên cứu đã gửi yêu cầu được nhận dữ liệu / only the researcher who made the request may produce its extract")
		}
		if r.Status != StatusApproved {
			return nil, fhir.Errorf(fhir.KindConflict, "yêu cầu %s đang ở trạng thái %s, chưa được phê duyệt để trích xuất / request %s is %s, not approved for extraction", id, r.Status, id, r.Status)
		}
		cohort, err := population.LoadCohort(ctx, s.Source)
		if err != nil {
			return nil, fmt.Errorf("research: load cohort: %w", err)
		}
		if r.Kind == KindAggregate {
			n, err := writeAggregate(cohort, r, w)
			if err != nil {
				return nil, err
			}
			r.Status, r.Produced, r.Rows = StatusProduced, s.now(), n
			if err := s.Requests.Put(ctx, r); err != nil {
				return nil, fmt.Errorf("research: save request: %w", err)
			}
			note = fmt.Sprintf("aggregate of %d rows, counts <= 7 redacted, others rounded to 5", n)
			return r, nil
		}
		people := members(cohort, r.Registry)
		k, maxSup := s.K, s.MaxSuppress
		if k == 0 {
			k = DefaultK
		}
		if maxSup == 0 {
			maxSup = DefaultMaxSuppress
		}
		keep, smallest, suppressed, err := releasable(people, k, maxSup)
		if err != nil {
			return nil, err
		}
		d, err := population.NewDeidentifier()
		if err != nil {
			return nil, fmt.Errorf("research: %w", err)
		}
		n, err := population.WriteExtract(ctx, cohortSource{s.Source, keep}, r.Types, d, w)
		if err != nil {
			return nil, fmt.Errorf("research: %w", err)
		}
		r.Status, r.Produced, r.Rows, r.SmallestK = StatusProduced, s.now(), n, smallest
		if err := s.Requests.Put(ctx, r); err != nil {
			return nil, fmt.Errorf("research: save request: %w", err)
		}
		note = fmt.Sprintf("%d resources of %d people (%d left out for k=%d; smallest class %d)", n, len(keep), suppressed, k, smallest)
		return r, nil
	}()
	s.record(by, "research-extract", audit.ActionExecute, id, note, err)
	return r, err
}

// members are the living and dead cohort members on registry (everyone
// when registry is empty), in id order.
func members(c *population.Cohort, registry string) []*population.Person {
	reg, byRegistry := population.RegistryByID(registry)
	var out []*population.Person
	for _, p := range c.Sorted() {
		if byRegistry {
			if _, ok := reg.Registered(p); !ok {
				continue
			}
		}
		out = append(out, p)
	}
	return out
}

// cohortSource passes on only the resources of the released patients.
type cohortSource struct {
	src  population.Source
	keep map[string]bool
}

func (c cohortSource) Each(ctx context.Context, typ string, fn func([]byte) error) error {
	return c.src.Each(ctx, typ, func(body []byte) error {
		if !c.keep[population.PatientOf(body)] {
			return nil
		}
		return fn(body)
	})
}

// record writes one audit event for a step, allowed or refused.
func (s *Service) record(by Actor, interaction string, action audit.Action, id, reason string, err error) {
	status := http.StatusOK
	if action == audit.ActionCreate {
		status = http.StatusCreated
	}
	if err != nil {
		status = fhir.StatusOf(err)
		reason = err.Error()
	}
	s.Audit.Record(audit.Event{
		Time:        s.now(),
		Interaction: interaction,
		Action:      action,
		Outcome:     status,
		Query:       "request=" + id,
		Agent:       by.Ref,
		AgentName:   by.Name,
		AgentRole:   by.Role,
		Purpose:     []string{"HRESCH"},
		Reason:      reason,
	})
}
