"""Moving assessments in and out of the portal: JSON, ZIP, Excel and CSV.

The assessment file is described in ``FORMAT.md`` beside this package.
"""
