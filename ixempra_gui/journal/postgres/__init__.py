"""The site journal on PostgreSQL (issue 14): one record for a whole infusion center.

Needs the optional driver, ``ixempra-gui[postgresql]`` (psycopg 3 with its binary wheels);
nothing here is imported unless a site journal is configured (``journal.site_config``).

- ``schema``: roles, tables, triggers, grants and the numbered migrations of ``site-init``
- ``admin``: ``site_init`` and ``add_pharmacist`` (what IT runs)
- ``session``: signing in (a password held in memory only), ``VerifierSession``
- ``store``: ``PostgresJournal``, the journal operations of ``journal.interface``
- ``errors``: what went wrong, classified (unreachable, credentials, not a pharmacist, ...)
"""
