"""The cooperation workspace (issue 15): programs and projects (Art. 4, Art. 3), their stages and
agreed deadlines (Art. 5), and their costs (Art. 7).

Every change is an event; the current state of a project is folded from its events
(`project.fold`), so that nodes can replicate the events (issue 14, docs/decisions/
0015-workspace.md). The rules here decide; services/workspace/ stores and serves.
"""
