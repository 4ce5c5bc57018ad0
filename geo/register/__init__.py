"""
The programme's register: the database and everything people write into it.

The register and its one write path (`store`, Alembic migrations in `migrations/`), accounts and login
sessions, activities and concerns (`journal`), partners (HSDS 3.0, `partners`, `hsds`), what stays
(`knowledge`), what the group decides (`decide`), Welcome Point changes (`welcome`), privacy and erasure,
backups, the demo register (`demo_register`), the programme year, digests, impact and each person's start
page. Modules whose name begins with `_` serve the modules of this package only (`_handover`). Modules here import `geo.core`, `geo.data`, `geo.analysis` and each other.
"""
