"""
What the data says: computations on a dataset that every page, file and command shares.

The need index (`need`), coverage by tandems and distances to Welcome Points (`coverage`), change between
two dates (`dynamics`), and the map view, what a map shows, as a value and as a page address (`view`).
Modules here import `geo.core`, `geo.data` and each other; never the register.
"""
