"""The REST API of organisations, assessments, answers, evidence and reviews."""
