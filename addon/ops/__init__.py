"""Changes to the collection and the background work that runs them (`CollectionOp`/`QueryOp`).

Imports data and the runtime, never a view: a view hands its callbacks in."""
