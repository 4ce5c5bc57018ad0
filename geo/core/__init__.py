"""
The ground everything stands on, with no knowledge of cities, datasets or the register.

Typed errors, the message catalogues and the city's words (`i18n`, `glossary`), settings, atomic file
writes, reports, who may do what (`access`, `auth`), tables safe for spreadsheets, chart specs, logging,
scripts taken from installed packages (`assets`) and TopoJSON (`topology`). Modules here import only each
other.
"""
