"""Moving assessments in and out of the portal: JSON, ZIP, Excel and CSV."""
