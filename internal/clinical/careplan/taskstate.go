package careplan

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/sen-emr/sen/internal/fhir"
)

// Task statuses (http://hl7.org/fhir/task-status, FHIR R4).
const (
	TaskDraft          = "draft"
	TaskRequested      = "requested"
	TaskReceived       = "received"
	TaskAccepted       = "accepted"
	TaskRejected       = "rejected"
	TaskReady          = "ready"
	TaskCancelled      = "cancelled"
	TaskInProgress     = "in-progress"
	TaskOnHold         = "on-hold"
	TaskFailed         = "failed"
	TaskCompleted      = "completed"
	TaskEnteredInError = "entered-in-error"
)

// TaskStatuses lists every R4 Task status in the order of the code system.
func TaskStatuses() []string {
	return []string{TaskDraft, TaskRequested, TaskReceived, TaskAccepted, TaskRejected, TaskReady,
		TaskCancelled, TaskInProgress, TaskOnHold, TaskFailed, TaskCompleted, TaskEnteredInError}
}

// taskNext is the FHIR R4 Task state machine
// (https://hl7.org/fhir/R4/task.html#statemachine) as Sen enforces it: the
// statuses a Task may move to from each status. Any status but
// entered-in-error may also move to entered-in-error (a record-keeping
// correction, not a workflow step), which Next adds. rejected, cancelled,
// failed and completed are terminal: the work is over, and new work is a
// new Task.
//
// Sen reads two edges of the diagram narrowly, on purpose: cancelled is
// reachable only before the work starts (draft … ready) or while it is
// paused (on-hold), because work that started and stopped is failed; and
// ready (assignment and acceptance a given) follows draft, requested or
// accepted.
var taskNext = map[string][]string{
	TaskDraft:      {TaskRequested, TaskReady, TaskCancelled},
	TaskRequested:  {TaskReceived, TaskAccepted, TaskRejected, TaskReady, TaskCancelled},
	TaskReceived:   {TaskAccepted, TaskRejected, TaskCancelled},
	TaskAccepted:   {TaskReady, TaskInProgress, TaskCancelled},
	TaskReady:      {TaskInProgress, TaskCancelled},
	TaskInProgress: {TaskOnHold, TaskCompleted, TaskFailed},
	TaskOnHold:     {TaskInProgress, TaskFailed, TaskCancelled},
}

// taskInitial are the statuses a new Task may have: work is proposed
// (draft), sought (requested), or assigned as a given (ready).
var taskInitial = []string{TaskDraft, TaskRequested, TaskReady}

// ownerNeeded are statuses that say someone has taken the work on, so the
// Task must name its owner.
var ownerNeeded = []string{TaskAccepted, TaskInProgress, TaskCompleted}

// Next returns the statuses a Task in status from may move to (nil for an
// unknown or terminal status, apart from entered-in-error).
func Next(from string) []string {
	if !validStatus(from) || from == TaskEnteredInError {
		return nil
	}
	return append(slices.Clone(taskNext[from]), TaskEnteredInError)
}

// Terminal reports whether no workflow step leads out of status.
func Terminal(status string) bool {
	return validStatus(status) && len(taskNext[status]) == 0
}

// Open reports whether a Task in status still asks for work: not draft,
// not terminal, not entered-in-error.
func Open(status string) bool {
	return validStatus(status) && status != TaskDraft && !Terminal(status)
}

func validStatus(s string) bool { return slices.Contains(TaskStatuses(), s) }

// CheckTransition checks a Task status change. from is "" when the Task is
// new (create, or update of an absent id). An unchanged status always
// passes, so other elements of a Task can be edited. The error is a
// *fhir.Error of kind Unprocessable (HTTP 422) that names the transition
// and the allowed next statuses, in Vietnamese and English.
func CheckTransition(from, to string) error {
	if !validStatus(to) {
		return fhir.Errorf(fhir.KindUnprocessable,
			"trạng thái Task %s không có trong FHIR R4 / Task status %s is not an R4 task-status code", quote(to), quote(to)).At("Task.status")
	}
	if from == "" {
		if slices.Contains(taskInitial, to) {
			return nil
		}
		return fhir.Errorf(fhir.KindUnprocessable,
			"Task mới không thể ở trạng thái %s; dùng %s / a new Task cannot start as %s; start as %s",
			to, strings.Join(taskInitial, ", "), to, strings.Join(taskInitial, ", ")).At("Task.status")
	}
	if from == to {
		return nil
	}
	if !validStatus(from) {
		// A stored Task with a status outside R4 predates enforcement; let
		// it be corrected to any valid status.
		return nil
	}
	next := Next(from)
	if slices.Contains(next, to) {
		return nil
	}
	allowed := strings.Join(next, ", ")
	if len(taskNext[from]) == 0 {
		return fhir.Errorf(fhir.KindUnprocessable,
			"chuyển trạng thái Task %s → %s không hợp lệ: %s là trạng thái kết thúc (chỉ có thể sang entered-in-error) / invalid Task status transition %s → %s: %s is final (only entered-in-error may follow)",
			from, to, from, from, to, from).At("Task.status")
	}
	return fhir.Errorf(fhir.KindUnprocessable,
		"chuyển trạng thái Task %s → %s không hợp lệ; từ %s chỉ được sang: %s / invalid Task status transition %s → %s; from %s the allowed statuses are: %s",
		from, to, from, allowed, from, to, from, allowed).At("Task.status")
}

// taskHead is the part of a Task the workflow checks read.
type taskHead struct {
	ResourceType string     `json:"resourceType"`
	Status       string     `json:"status"`
	Owner        *reference `json:"owner"`
}

// CheckTaskWrite checks a Task write: prev is the current stored body (nil
// when there is none), next the body about to be stored. Beyond the status
// transition it requires an owner once the work is taken on (accepted,
// in-progress, completed), so that every piece of work in progress has
// someone answerable for it.
func CheckTaskWrite(prev, next []byte) error {
	var n taskHead
	if err := json.Unmarshal(next, &n); err != nil {
		return fhir.Errorf(fhir.KindInvalid, "Task: %v", err)
	}
	from := ""
	if prev != nil {
		var p taskHead
		if err := json.Unmarshal(prev, &p); err != nil {
			return fmt.Errorf("read the stored Task: %w", err)
		}
		from = p.Status
	}
	if err := CheckTransition(from, n.Status); err != nil {
		return err
	}
	if from != n.Status && slices.Contains(ownerNeeded, n.Status) && (n.Owner == nil || n.Owner.Reference == "" && n.Owner.Display == "") {
		return fhir.Errorf(fhir.KindUnprocessable,
			"Task ở trạng thái %s phải có người phụ trách (Task.owner) / a Task that is %s must name its owner (Task.owner)", n.Status, n.Status).At("Task.owner")
	}
	return nil
}
