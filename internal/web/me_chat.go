package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/sen-emr/sen/internal/chat"
)

// The patient app's chat (/me/chat): the patient — or a caregiver acting
// for them — writes in their own words ("uống rồi", "quên uống tối qua",
// "bị ho khan"), Sen understands, records it and answers. The page is a
// plain form (no script): POST, then a redirect back to the
// conversation, which is read from the record through the user's own
// guarded store, so only the patient's own conversation is shown and
// every read is audited.

// Conversations records what patients write in the app's chat and
// answers them; the server wires internal/chat and the care-team alerts
// (alert.Scanner.CheckIn) to it. It is optional: without it the app has
// no chat.
type Conversations interface {
	// Converse reads one message written in the patient app, records what
	// it says (a dose taken or missed, a side effect, a question …) and
	// keeps the exchange in the record as two Communications
	// (chat.Turn), and returns Sen's answer in m.Lang. The caller has
	// checked that the user may act for m.PatientID. An error means
	// nothing was recorded.
	Converse(ctx context.Context, m ChatMessage) (ChatAnswer, error)
}

// ChatMessage is one message typed in the patient app.
type ChatMessage struct {
	PatientID string // FHIR id of the patient the message is about
	Sender    string // FHIR reference of the writer ("Patient/1", "RelatedPerson/2"); "" is the patient
	Text      string
	Lang      string // the app's language: the answer's
}

// ChatAnswer is Sen's answer.
type ChatAnswer struct {
	Reply    string
	Intent   string   // what Sen understood (chat.Intent)
	Recorded []string // "Type/id" written for the message
}

// maxChatForm bounds the chat form's body: the text is kept up to
// chat.MaxStoredRunes characters (4 bytes each at most) plus the form's
// own encoding.
const maxChatForm = 64 << 10

// chatLine is one line of the conversation shown.
type chatLine struct {
	At       time.Time
	Mine     bool // written by the patient or caregiver (else Sen's answer)
	Text     string
	Recorded bool // the message was recorded as a clinical fact
}

type chatData struct {
	*meData
	Lines []chatLine
	Sent  bool
	Empty bool
}

// maxChatLines is how much of the conversation the page shows.
const maxChatLines = 60

// meChat shows the conversation and the form.
func (h *Handler) meChat(w http.ResponseWriter, r *http.Request) error {
	if h.cfg.Chat == nil {
		return notFound("error.notfound")
	}
	u, d, ok, err := h.meBase(w, r)
	if !ok || err != nil {
		return err
	}
	lines, err := h.conversation(r.Context(), d.Patient.ID)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	cd := &chatData{meData: d, Lines: lines, Sent: q.Get("sent") == "1", Empty: q.Get("empty") == "1"}
	return h.render(w, r, "me_chat", &page{Title: "me.chat.title", App: "me", User: u, Data: cd})
}

// meChatPost takes one message: Sen records it, then the page shows the
// conversation with the answer (POST, redirect, GET).
func (h *Handler) meChatPost(w http.ResponseWriter, r *http.Request) error {
	if h.cfg.Chat == nil {
		return notFound("error.notfound")
	}
	u, d, ok, err := h.meBase(w, r)
	if !ok || err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxChatForm)
	if err := r.ParseForm(); err != nil {
		return badRequest("me.chat.toolong", err)
	}
	text := chat.CleanText(r.PostForm.Get("text"))
	if text == "" {
		return redirect(w, r, "/me/chat?empty=1#say")
	}
	sender := ""
	if u.Role == RoleCaregiver {
		sender = userReference(u)
	}
	if _, err := h.cfg.Chat.Converse(r.Context(), ChatMessage{PatientID: d.Patient.ID, Sender: sender, Text: text,
		Lang: h.cfg.Catalog.FromRequest(r)}); err != nil {
		return err
	}
	return redirect(w, r, "/me/chat?sent=1#last")
}

// conversation reads the patient's last turns, oldest first.
func (h *Handler) conversation(ctx context.Context, patientID string) ([]chatLine, error) {
	res, err := h.search(ctx, "Communication", url.Values{
		"subject":  {"Patient/" + patientID},
		"category": {chat.SystemConversation + "|"},
		"_sort":    {"-sent"},
		"_count":   {"60"},
	})
	if err != nil {
		return nil, err
	}
	// A message and its answer share one time: each answer is placed
	// after the message it answers (inResponseTo → the message's
	// identifier), and turns of the same second keep the order they were
	// written in (lastUpdated).
	type group struct {
		at, written time.Time
		lines       []chatLine
	}
	var groups []*group
	byKey := map[string]*group{}
	var replies []conversationJSON
	var replyWritten []time.Time
	for _, x := range res {
		var c conversationJSON
		if err := json.Unmarshal(x.JSON, &c); err != nil {
			h.cfg.Logger.Warn("web: undecodable resource", "type", x.Type, "id", x.ID, "err", err)
			continue
		}
		if !c.message() {
			replies, replyWritten = append(replies, c), append(replyWritten, x.LastUpdated)
			continue
		}
		g := &group{at: parseTime(c.Sent, h.cfg.Location), written: x.LastUpdated, lines: []chatLine{h.chatLine(c)}}
		groups = append(groups, g)
		for _, id := range c.Identifier {
			byKey[id.System+"|"+id.Value] = g
		}
	}
	for i, c := range replies {
		var g *group
		for _, rt := range c.InResponseTo {
			if g = byKey[rt.Identifier.System+"|"+rt.Identifier.Value]; g != nil {
				break
			}
		}
		if g == nil {
			g = &group{at: parseTime(c.Sent, h.cfg.Location), written: replyWritten[i]}
			groups = append(groups, g)
		}
		g.lines = append(g.lines, h.chatLine(c))
	}
	sort.SliceStable(groups, func(i, j int) bool {
		if !groups[i].at.Equal(groups[j].at) {
			return groups[i].at.Before(groups[j].at)
		}
		return groups[i].written.Before(groups[j].written)
	})
	var lines []chatLine
	for _, g := range groups {
		lines = append(lines, g.lines...)
	}
	if len(lines) > maxChatLines {
		lines = lines[len(lines)-maxChatLines:]
	}
	return lines, nil
}

func (h *Handler) chatLine(c conversationJSON) chatLine {
	l := chatLine{At: parseTime(c.Sent, h.cfg.Location), Mine: c.message(), Recorded: len(c.About) > 0}
	for _, p := range c.Payload {
		if p.ContentString != "" {
			l.Text = strings.TrimSpace(l.Text + "\n" + p.ContentString)
		}
	}
	return l
}

// message reports whether c is what the patient wrote (else Sen's answer).
func (c conversationJSON) message() bool {
	for _, cat := range c.Category {
		for _, cd := range cat.Coding {
			if cd.System == chat.SystemConversation && cd.Code == chat.ConversationMessage {
				return true
			}
		}
	}
	return false
}

type identifierJSON struct {
	System string `json:"system"`
	Value  string `json:"value"`
}

type conversationJSON struct {
	Identifier   []identifierJSON `json:"identifier"`
	InResponseTo []struct {
		Identifier identifierJSON `json:"identifier"`
	} `json:"inResponseTo"`
	Sent     string `json:"sent"`
	Category []struct {
		Coding []struct {
			System string `json:"system"`
			Code   string `json:"code"`
		} `json:"coding"`
	} `json:"category"`
	Payload []struct {
		ContentString string `json:"contentString"`
	} `json:"payload"`
	About []json.RawMessage `json:"about"`
}
