"""The only package that speaks SQL: the database, its migrations, and the reads and writes
the other stages need."""
