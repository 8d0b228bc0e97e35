package app

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Kinds of notification.
const (
	KindWelcome        = "welcome"
	KindAddressChanged = "address_changed"
	KindOrderPlaced    = "order_placed"
	KindOrderCancelled = "order_cancelled"
)

// Notification is a message to a user, made from one event. Email and Name
// come from the recipient's Contact and are empty while the recipient is
// unknown.
type Notification struct {
	Seq       int64 // insertion order; keyset pagination
	ID        string
	UserID    string
	Kind      string
	Subject   string
	Body      string
	EventID   string
	CreatedAt time.Time
	Email     string
	Name      string
}

// Contact is how a recipient is reached and addressed.
type Contact struct {
	Email string
	Name  string
}

// Message is what a notification says.
type Message struct {
	Kind    string
	Subject string
	Body    string
}

// To is the notification, under a new id, of m to userID, made from the
// event eventID at at.
func (m Message) To(userID, eventID string, at time.Time) Notification {
	id, _ := uuid.NewV7()
	return Notification{ID: id.String(), UserID: userID, Kind: m.Kind, Subject: m.Subject, Body: m.Body,
		EventID: eventID, CreatedAt: at}
}

// Welcome greets a user who registered.
func Welcome(c Contact) Message {
	return Message{Kind: KindWelcome, Subject: "Welcome, " + c.Name + "!",
		Body: fmt.Sprintf("Your account %s is ready.", c.Email)}
}

// AddressChanged tells a user the address they now have.
func AddressChanged(a Address) Message {
	return Message{Kind: KindAddressChanged, Subject: "Your address was changed",
		Body: "Your address is now: " + a.OneLine() + "."}
}

// PlacedOrder is what a notification tells of an order placed.
type PlacedOrder struct {
	ID         string
	Lines      int
	TotalCents int64
	Currency   string
}

// OrderPlaced tells a user their order is placed.
func OrderPlaced(o PlacedOrder) Message {
	return Message{Kind: KindOrderPlaced, Subject: "Order placed",
		Body: fmt.Sprintf("Your order %s of %d item(s) for %s %s is placed.", o.ID, o.Lines, money(o.TotalCents), o.Currency)}
}

// OrderCancelled tells a user their order orderID is cancelled.
func OrderCancelled(orderID string) Message {
	return Message{Kind: KindOrderCancelled, Subject: "Order cancelled",
		Body: fmt.Sprintf("Your order %s is cancelled.", orderID)}
}

// Address is a postal address as a notification names it.
type Address struct {
	Line1      string
	Line2      string
	City       string
	PostalCode string
	Country    string
}

// OneLine is a on one line, its parts separated by commas, empty parts left
// out.
func (a Address) OneLine() string {
	return strings.Join(nonEmpty(a.Line1, a.Line2, a.PostalCode+" "+a.City, a.Country), ", ")
}

func money(cents int64) string {
	return fmt.Sprintf("%d.%02d", cents/100, cents%100)
}

func nonEmpty(parts ...string) []string {
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
