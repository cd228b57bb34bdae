"""Views of organisations, assessments, questionnaires and evidence."""
