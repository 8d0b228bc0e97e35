// Package events is the notifications module's public contract. The module
// publishes no events yet; its topics will be declared here when it does.
package events
