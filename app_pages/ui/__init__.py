"""
What every page shares, by concern: `text` (language and texts), `caches` (work done once), `datasets` (the
dataset shown and its register), `people` (login and sessions), `records` (what the register holds, read
once), `page` (the frame of a page), `widgets` (the house widgets). A page imports from the module it needs.
"""
