"""
The managers' statistics of a channel (docs/statistics.md): the period in the
channel's time zone (periods), the figures as database aggregates (figures),
agents present per hour (attendance), the live numbers (live), who may see
them (access), all of a period together (report), the charts' geometry
(charts) and the CSV (export). Reads only: nothing here changes a chat.
"""
