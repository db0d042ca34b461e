"""What the learner sees and clicks: the deck-list panel, the progress view, the note viewer, the mock's
timer, the update summary, the settings dialog, and the flows behind their buttons."""
