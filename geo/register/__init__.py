"""
The programme's register: the database and everything people write into it.

The register and its one write path (`store`, Alembic migrations in `migrations/`), accounts and login
sessions, activities and concerns (`journal`), partners (HSDS 3.0, `partners`, `hsds`), what stays
(`knowledge`), what the group decides (`decide`), Welcome Point changes (`welcome`), privacy and erasure,
backups, the demo register, imports of the city's files (`fetch`), the programme year, digests, impact and
each person's start page. Modules here import `geo.core`, `geo.data`, `geo.analysis` and each other.
"""
