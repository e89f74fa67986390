"""Assessment: supervisor, peer and self assessments, continuous feedback, objections."""
