package sqlpubsub

// PruneOlderStatement is PruneOlder's statement, for tests of its plan.
const PruneOlderStatement = pruneOlder
