# FAQ categories and entries arrive with the FAQ suggestions issue.
