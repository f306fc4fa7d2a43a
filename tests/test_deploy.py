"""What docs/deploy.md tells an operator, checked: nodes starting at once on a new database
migrate it once; `userpool migrate` runs them on its own; a node of an older version starts
on a schema that a newer one migrated (a rolling upgrade, or a roll back) and refuses one that
lacks what it uses; and the nginx configuration there is one nginx accepts. (The nodes
behind nginx: test_nginx_nodes.py.)"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from click.testing import CliRunner, Result
from sqlalchemy import text

from tests.conftest import free_port, make_client, start_server
from tests.nginx_support import NGINX, migrate_once, require_nginx, start_nodes, stop_all
from tests.pg import fresh_database
from userpool.cli import main
from userpool.storage import database
from userpool.storage.database import MIGRATIONS

DEPLOY_DOC = Path(__file__).parent.parent / "docs" / "deploy.md"
NEWER = "9999"  # a revision this version's migrations do not know


def schema_revisions(db_url: str) -> list[str]:
    engine = database.create(db_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version"))
            return [str(revision) for (revision,) in rows]
    finally:
        engine.dispose()


def alter(db_url: str, *statements: str) -> None:
    engine = database.create(db_url)
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        engine.dispose()


def userpool_migrate(db_url: str) -> Result:
    return CliRunner().invoke(main, ["migrate", "--db", db_url])


@pytest.mark.postgres
def test_three_nodes_starting_at_once_on_a_new_database_migrate_it_once(tmp_path: Path) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    with fresh_database() as db_url:
        env = {"USERPOOL_SECRET_KEY": "one key for every node"}
        public_url = f"http://127.0.0.1:{free_port()}"
        nodes = start_nodes(tmp_path, db_url, public_url, env, at_once=True)
        try:
            made = make_client(nodes[0].url).create_user_pool(PoolName="at-once")["UserPool"]
            seen = make_client(nodes[2].url).describe_user_pool(UserPoolId=made["Id"])
            assert seen["UserPool"]["Name"] == "at-once"
        finally:
            stop_all(nodes)
        assert schema_revisions(db_url) == [head]
        again = userpool_migrate(db_url)
        assert again.exit_code == 0 and "schema up to date" in again.output


@pytest.mark.postgres
def test_an_older_node_starts_on_a_schema_a_newer_version_migrated(tmp_path: Path) -> None:
    """A rolling upgrade migrates first (migrations only add), then replaces the nodes one by
    one: meanwhile, or after rolling back, a node of the older version must still start."""
    with fresh_database() as db_url:
        migrate_once(db_url)
        alter(  # what a newer version's migration would do
            db_url,
            "ALTER TABLE pools ADD COLUMN from_a_newer_version TEXT",
            f"UPDATE alembic_version SET version_num = '{NEWER}'",
        )
        older = start_server(tmp_path / "older", "--db", db_url)
        try:
            made = make_client(older.url).create_user_pool(PoolName="after-the-upgrade")
            assert made["UserPool"]["Name"] == "after-the-upgrade"
        finally:
            older.stop()
        assert f"schema at {NEWER}, newer than this version's" in older.log.read_text()
        left = userpool_migrate(db_url)
        assert left.exit_code == 0 and "left as it is" in left.output
        assert schema_revisions(db_url) == [NEWER]
        alter(
            db_url, "ALTER TABLE refresh_tokens DROP COLUMN scopes"
        )  # not one this version runs on
        refused = userpool_migrate(db_url)
        assert refused.exit_code == 2
        assert f"revision {NEWER}, which this version does not know" in refused.output
        assert "lacks refresh_tokens.scopes" in refused.output


def test_the_nginx_configuration_in_the_deploy_doc_is_valid(tmp_path: Path) -> None:
    """docs/deploy.md's conf.d file, inside an nginx.conf of its own, passes `nginx -t`."""
    require_nginx()
    blocks = re.findall(r"```nginx\n(.*?)```", DEPLOY_DOC.read_text(), re.DOTALL)
    assert len(blocks) == 1
    site = blocks[0].replace("/var/log/nginx/", f"{tmp_path}/")
    temp_paths = [f"{kind}_temp_path {tmp_path / kind};" for kind in ("client_body", "proxy")]
    config = tmp_path / "nginx.conf"
    config.write_text(f"events {{}}\nhttp {{\n{' '.join(temp_paths)}\n{site}\n}}\n")
    files = ["-p", str(tmp_path), "-c", str(config), "-e", str(tmp_path / "error.log")]
    pid = ["-g", f"pid {tmp_path / 'nginx.pid'};"]
    checked = subprocess.run(
        [str(NGINX), "-t", *files, *pid], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stderr
