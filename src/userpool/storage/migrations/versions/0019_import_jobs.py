"""User import jobs (storage/sql_import_jobs.py): the jobs, the CSV files uploaded to their
PreSignedUrl (kept in chunks, so that any node can run a job whichever node took the upload),
the rows each job skipped or failed (Cognito's CloudWatch log lines), and the password hash
an imported user keeps until their first sign-in.

Revision ID: 0019
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_jobs",
        sa.Column("job_id", sa.String(64), primary_key=True),
        sa.Column("pool_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("role_arn", sa.String(2048), nullable=False),
        sa.Column("algorithm", sa.String(32)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("presigned_url", sa.Text, nullable=False),
        sa.Column("upload_token", sa.String(128), nullable=False),
        sa.Column("upload_expires", sa.Float, nullable=False),
        sa.Column("upload_id", sa.String(64)),
        sa.Column("upload_size", sa.BigInteger, nullable=False),
        sa.Column("started", sa.Float),
        sa.Column("completed", sa.Float),
        sa.Column("imported", sa.BigInteger, nullable=False),
        sa.Column("skipped", sa.BigInteger, nullable=False),
        sa.Column("failed", sa.BigInteger, nullable=False),
        sa.Column("message", sa.String(256)),
        sa.Column("next_offset", sa.BigInteger, nullable=False),
        sa.Column("next_line", sa.BigInteger, nullable=False),
        sa.Column("runner", sa.String(64)),
        sa.Column("lease_until", sa.Float),
        sa.Column("active", sa.Integer),
        sa.UniqueConstraint("active", name="uq_import_jobs_active"),
    )
    op.create_index("ix_import_jobs_pool", "import_jobs", ["pool_id", "created", "job_id"])
    op.create_index("ix_import_jobs_status", "import_jobs", ["status"])
    op.create_table(
        "import_uploads",
        sa.Column("job_id", sa.String(64), primary_key=True),
        sa.Column("upload_id", sa.String(64), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("pool_id", sa.String(64), nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "import_job_log",
        sa.Column("job_id", sa.String(64), primary_key=True),
        sa.Column("line", sa.BigInteger, primary_key=True),
        sa.Column("pool_id", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
    )
    op.add_column("users", sa.Column("password_hash", sa.Text))
    op.add_column("users", sa.Column("password_hash_algorithm", sa.String(16)))


def downgrade() -> None:
    op.drop_column("users", "password_hash_algorithm")
    op.drop_column("users", "password_hash")
    op.drop_table("import_job_log")
    op.drop_table("import_uploads")
    op.drop_table("import_jobs")
