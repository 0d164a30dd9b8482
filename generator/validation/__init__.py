"""Validation in five phases, each in its own module, each returning what it established:

1. `load`: read every file safely into documents (syntax, encoding, size, secrets, file names).
2. `shape`: check each document against its declaration in `format.py` (keys, types, words).
3. `values`: read the values (dates, durations, phones, ids, templates) into model objects.
4. `references`: resolve every reference by id across files, and links to company-only hosts.
5. `derived`: the facts computed from the whole plan (recovery order, cycles, restore status,
   staleness, overdue actions), set on the final, frozen model objects.

`generator.validate.validate_project` runs them in this order; a later phase works only on what
the earlier ones established.
"""
