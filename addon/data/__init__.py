"""What the add-on reads: the bundle a build ships, the collection's numbers, the mock's stored state,
settings and strings. No Qt, no window; the few that touch the collection only read it."""
