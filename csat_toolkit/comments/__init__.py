"""What customers say: comments in six languages, tied to their scores (issue 16)."""
