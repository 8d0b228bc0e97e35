package messaging

// ForgetHandledSQL is forgetHandledSQL, for the test of its query plan.
const ForgetHandledSQL = forgetHandledSQL
