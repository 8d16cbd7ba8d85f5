"""Keep each flow's search vector in its row (PostgreSQL): a library search reads it for every flow.

A flow row is over PostgreSQL's 2 kB TOAST threshold (graph, search text and vector), and the vector
was the value moved out of line, so matching and ranking 10,000 flows fetched 10,000 TOAST chunks
(33,000 buffer reads per scan). STORAGE MAIN keeps the (compressed) vector inline and moves the graph
and search text out instead, which the library list does not read: the scan and the rank got ~3x faster
on the bench's library. Rows are rewritten once so existing vectors move in too.
"""

from django.db import migrations


def vector_inline(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE flows_flow ALTER COLUMN search_vector SET STORAGE MAIN")
        # A new value (not the same TOAST pointer) is stored afresh under the new strategy.
        schema_editor.execute(
            "UPDATE flows_flow SET search_vector = search_vector || ''::tsvector WHERE search_vector IS NOT NULL"
        )


def vector_extended(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE flows_flow ALTER COLUMN search_vector SET STORAGE EXTENDED")


class Migration(migrations.Migration):
    dependencies = [("flows", "0003_flowrun_analytics_index")]

    operations = [migrations.RunPython(vector_inline, vector_extended, elidable=False)]
