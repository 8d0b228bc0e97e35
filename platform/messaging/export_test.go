package messaging

// ForgetHandledSQL is forgetHandledSQL, for the test of its query plan.
const ForgetHandledSQL = forgetHandledSQL

// OnWarmStack is onWarmStack, for its own test.
var OnWarmStack = onWarmStack
