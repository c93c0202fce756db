# Requests and reply templates arrive with the opening-hours issue.
