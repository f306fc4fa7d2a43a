"""User pool domains (CreateUserPoolDomain): a prefix domain and a custom domain per pool.

Revision ID: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The domain name is the primary key: a name is served by one pool on the whole server,
    # whichever pool claims it first. (pool_id, kind) is unique too: a pool has at most one
    # prefix domain and one custom domain. Both rules are keys, so two requests racing for
    # them cannot both win.
    op.create_table(
        "domains",
        sa.Column("domain", sa.String(253), primary_key=True),
        sa.Column("pool_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("certificate_arn", sa.String(2048)),
        sa.Column("cloudfront_domain", sa.String(255), nullable=False),
        sa.Column("s3_bucket", sa.String(1024)),
        sa.Column("version", sa.String(20), nullable=False),
        sa.Column("managed_login_version", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("modified", sa.Float, nullable=False),
        sa.UniqueConstraint("pool_id", "kind", name="uq_domains_pool_kind"),
    )


def downgrade() -> None:
    op.drop_table("domains")
