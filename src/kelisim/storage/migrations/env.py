"""Alembic environment: runs against the engine kelisim hands over (never a URL in an ini file)."""

from alembic import context

from kelisim.storage.schema import compared, metadata

engine = context.config.attributes["engine"]

with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                      compare_type=True,
                      include_name=compared)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
