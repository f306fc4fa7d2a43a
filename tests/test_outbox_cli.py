"""Reading the outbox: `userpool outbox` on a data dir (filters, --json, --follow, Ctrl-C),
`GET /_userpool/outbox` on a server started with --dev-endpoints (404 without), and the
delivery flags `serve` refuses."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import Server, start_server
from userpool.domain.messages import Medium, Message, MessagePurpose
from userpool.storage import database
from userpool.storage.sql_store import SqlStore

POOL_A = "us-east-1_PoolAAAAA"
POOL_B = "us-east-1_PoolBBBBB"
CREATED = 1_800_000_000.25  # 2027-01-15 08:00:00.25 UTC


def message(pool_id: str, username: str, code: str, medium: Medium = Medium.EMAIL) -> Message:
    email = medium == Medium.EMAIL
    return Message(
        pool_id=pool_id,
        username=username,
        medium=medium,
        destination=f"{username}@example.com" if email else "+15555550100",
        subject="Your verification code" if email else None,
        body=f"Your verification code is {code}.\nWelcome.",
        purpose="sign-up",
        sent_for=MessagePurpose.SIGN_UP,
        code=code,
    )


def write(data_dir: Path, *messages: Message) -> None:
    """Store messages as the outbox backend does, in the data dir's database."""
    engine = database.create(database.sqlite_url(data_dir))
    database.migrate(engine)
    with SqlStore(engine).write() as tx:
        for each in messages:
            tx.outbox.add(each, CREATED)
    engine.dispose()


def outbox(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "userpool", "outbox", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    write(
        folder,
        message(POOL_A, "alice", "111111"),
        message(POOL_A, "bob", "222222", Medium.SMS),
        message(POOL_B, "alice", "333333"),
    )
    return folder


def test_prints_every_message(data_dir: Path) -> None:
    result = outbox("--data-dir", str(data_dir))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"#1 2027-01-15 08:00:00Z {POOL_A} alice EMAIL alice@example.com sign-up  code 111111",
        "    Subject: Your verification code",
        "    Your verification code is 111111.",
        "    Welcome.",
        f"#2 2027-01-15 08:00:00Z {POOL_A} bob SMS +15555550100 sign-up  code 222222",
        "    Your verification code is 222222.",
        "    Welcome.",
        f"#3 2027-01-15 08:00:00Z {POOL_B} alice EMAIL alice@example.com sign-up  code 333333",
        "    Subject: Your verification code",
        "    Your verification code is 333333.",
        "    Welcome.",
    ]


def codes_in(lines: str) -> list[str]:
    return [json.loads(line)["code"] for line in lines.splitlines()]


def test_json_lines_and_filters(data_dir: Path) -> None:
    result = outbox("--data-dir", str(data_dir), "--json")
    first = json.loads(result.stdout.splitlines()[0])
    assert first == {
        "id": 1,
        "created": CREATED,
        "poolId": POOL_A,
        "username": "alice",
        "medium": "EMAIL",
        "destination": "alice@example.com",
        "subject": "Your verification code",
        "body": "Your verification code is 111111.\nWelcome.",
        "purpose": "sign-up",
        "sentFor": "SignUp",
        "code": "111111",
    }
    assert codes_in(result.stdout) == ["111111", "222222", "333333"]
    assert codes_in(outbox("--data-dir", str(data_dir), "--json", "--pool", POOL_A).stdout) == [
        "111111",
        "222222",
    ]
    by_user = outbox("--data-dir", str(data_dir), "--json", "--user", "alice").stdout
    assert codes_in(by_user) == ["111111", "333333"]
    both = outbox("--data-dir", str(data_dir), "--json", "--pool", POOL_B, "--user", "alice")
    assert codes_in(both.stdout) == ["333333"]
    assert outbox("--data-dir", str(data_dir), "--user", "carol").stdout == ""


def test_db_url_names_the_database(data_dir: Path, tmp_path: Path) -> None:
    url = database.sqlite_url(data_dir)
    result = outbox("--db", url, "--json", "--data-dir", str(tmp_path / "elsewhere"))
    assert codes_in(result.stdout) == ["111111", "222222", "333333"]


def test_follow_prints_new_messages_until_ctrl_c(data_dir: Path) -> None:
    command = ["outbox", "--data-dir", str(data_dir), "--follow", "--json", "--user", "carol"]
    process = subprocess.Popen(
        [sys.executable, "-m", "userpool", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        write(data_dir, message(POOL_A, "dave", "444444"), message(POOL_A, "carol", "555555"))
        assert process.stdout is not None
        assert json.loads(process.stdout.readline())["code"] == "555555"
        write(data_dir, message(POOL_B, "carol", "666666"))
        assert json.loads(process.stdout.readline())["code"] == "666666"
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert out == ""
    assert "Traceback" not in err


def test_no_database_is_one_line(tmp_path: Path) -> None:
    result = outbox("--data-dir", str(tmp_path / "nothing"))
    assert result.returncode == 2
    assert result.stdout == ""
    assert (
        result.stderr
        == f"userpool: no database in {tmp_path / 'nothing'} (pass --data-dir or --db)\n"
    )
    assert not (tmp_path / "nothing").exists()


def test_an_unreadable_database_is_one_line(tmp_path: Path) -> None:
    result = outbox("--db", "nonsense://")
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("userpool: cannot read the outbox in nonsense://: ")


# --- over HTTP --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dev_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(tmp_path_factory.mktemp("dev"), "--dev-endpoints")
    yield running
    running.stop()


def listed(server: Server, **params: Any) -> list[dict[str, Any]]:
    response = httpx.get(f"{server.url}/_userpool/outbox", params=params, timeout=10)
    assert response.status_code == 200, response.text
    messages: list[dict[str, Any]] = response.json()["messages"]
    return messages


def test_http_outbox(dev_server: Server) -> None:
    write(
        dev_server.data_dir,
        message(POOL_A, "alice", "111111"),
        message(POOL_A, "bob", "222222", Medium.SMS),
        message(POOL_B, "alice", "333333"),
    )
    everything = listed(dev_server)
    assert [m["code"] for m in everything] == ["111111", "222222", "333333"]
    assert everything[1] == {
        "id": everything[1]["id"],
        "created": CREATED,
        "poolId": POOL_A,
        "username": "bob",
        "medium": "SMS",
        "destination": "+15555550100",
        "subject": None,
        "body": "Your verification code is 222222.\nWelcome.",
        "purpose": "sign-up",
        "sentFor": "SignUp",
        "code": "222222",
    }
    assert [m["code"] for m in listed(dev_server, pool=POOL_A)] == ["111111", "222222"]
    assert [m["code"] for m in listed(dev_server, user="alice")] == ["111111", "333333"]
    assert [m["code"] for m in listed(dev_server, pool=POOL_B, user="alice")] == ["333333"]
    after_first = listed(dev_server, after=everything[0]["id"])
    assert [m["code"] for m in after_first] == ["222222", "333333"]
    assert listed(dev_server, after=everything[-1]["id"]) == []


def test_http_outbox_refuses_a_bad_after(dev_server: Server) -> None:
    response = httpx.get(f"{dev_server.url}/_userpool/outbox", params={"after": "x"})
    assert response.status_code == 400
    assert response.json() == {"message": "after must be a message id"}


def test_no_http_outbox_without_dev_endpoints(server: Server) -> None:
    assert httpx.get(f"{server.url}/_userpool/outbox").status_code == 404


# --- serve's delivery flags ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "env", "line"),
    [
        (["--delivery", "smtp"], {}, "userpool: --delivery smtp needs --smtp-host"),
        (
            ["--delivery", "smtp", "--smtp-host", "mail.example", "--smtp-username", "u"],
            {},
            "userpool: --smtp-username and --smtp-password (or USERPOOL_SMTP_PASSWORD) go together",
        ),
        (
            ["--dev-endpoints", "--host", "0.0.0.0", "--credentials", "{credentials}"],
            {},
            "userpool: refusing --dev-endpoints on 0.0.0.0: anyone could read the codes sent "
            "(pass --allow-any-credentials to accept)",
        ),
        ([], {"USERPOOL_DELIVERY": "pigeon"}, "userpool: Invalid value for '--delivery'"),
        (["--smtp-tls", "ssl"], {}, "userpool: Invalid value for '--smtp-tls'"),
    ],
)
def test_serve_refuses_bad_delivery_flags(
    tmp_path: Path, args: list[str], env: dict[str, str], line: str
) -> None:
    credentials = tmp_path / "credentials"
    credentials.write_text("AKIDLOCAL local-secret\n")
    args = [arg.format(credentials=credentials) for arg in args]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("USERPOOL_")}
    result = subprocess.run(
        [sys.executable, "-m", "userpool", "serve", "--data-dir", str(tmp_path), *args],
        capture_output=True,
        text=True,
        env={**environment, **env},
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    [printed] = result.stderr.splitlines()
    assert printed.startswith(line)
