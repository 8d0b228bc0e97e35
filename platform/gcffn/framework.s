// Empty on purpose: it lets framework.go declare initServer without a body,
// which //go:linkname then binds to the Functions Framework's own.
