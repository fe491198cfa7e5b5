"""The verification journal: every verified dose, tamper-evident, and the history checks.

Qt-free (stdlib, pint through the core, platformdirs): the window, ``ixempra-journal`` and
``ixempra-calc --patient-id`` all use it. Import-linter forbids Qt, the UI and the CLIs here.

- ``store.Journal``: the SQLite file (WAL, synchronous=FULL, BEGIN IMMEDIATE appends)
- ``chain``: canonical JSON, SHA-256 chain, the verification walk
- ``schema``: schema version and migrations
- ``entries``: what a record holds; identifier checks
- ``history``: 21-day units, weight/BSA change, cycle interval (pure)
- ``double_check``: compare two calculations, and the sign-off rule
- ``export``: CSV export, written atomically
"""
