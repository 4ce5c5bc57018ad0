"""
A city's data as files: read, checked, corrected and kept as a dataset folder.

City profiles (`city`, one TOML file per city in `cities/`) and a made-up demo for each (`citydemo`),
Düsseldorf's synthetic demo dataset (`demo_dataset`), downloads from the portal and imports (`imports`), the
indicator catalogue (`indicators`, `indikatoren.toml`), readers for the official files (`sources`, `series`,
`streets`, `languages`), checks and corrections, where each figure comes from (`provenance`), and the
dataset itself (`dataset`). Modules here import `geo.core` and each other.
"""
