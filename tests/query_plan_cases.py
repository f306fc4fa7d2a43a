"""The storage calls behind each step of a sign-in, a token's use, a user's lookup and
housekeeping, as the accounts, auth and services code makes them: one case per repository
method (named "repository.method"), each run on query_plan_fill's database.

ListUsers and ListUsersInGroup are in test_query_plans.py, filter by filter, page by page.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from tests.query_plan_fill import (
    MAIN,
    NOW,
    OTHERS,
    VERIFIED,
    Fill,
    attributes_of,
    name_key,
    username_of,
)
from userpool.accounts.lookup import find_user, sign_in_names
from userpool.domain.auth_events import (
    AuthEvent,
    EventResponse,
    EventType,
    Feedback,
    FeedbackProvider,
    FeedbackValue,
)
from userpool.domain.auth_records import (
    AuthorizationCode,
    Device,
    Lockout,
    Passkey,
    PasskeyChallenge,
    RefreshRecord,
)
from userpool.domain.messages import StoredCode
from userpool.domain.models import ImportedHash, PasswordVerifier, User, UserPool, UserStatus
from userpool.storage.sql_store import SqlTransaction

Case = Callable[[SqlTransaction, Fill], object]
# Each number is used by one case only, as cases that write change what they touch; users are
# added, changed and deleted in OTHERS, which no listing is checked in.
LOOKUPS: dict[str, Case] = {}  # run in a read and in a write transaction (which holds rows)
WRITES: dict[str, Case] = {}  # run in a write transaction


def _pool(tx: SqlTransaction, pool_id: str = MAIN) -> UserPool:
    pool = tx.pools.get(pool_id)
    assert pool is not None
    return pool


def _user(tx: SqlTransaction, number: int, pool_id: str = MAIN) -> User:
    user = tx.users.get(pool_id, username_of(pool_id, number))
    assert user is not None
    return user


def lookup(name: str) -> Callable[[Case], Case]:
    def register(case: Case) -> Case:
        LOOKUPS[name] = case
        return case

    return register


def write(name: str) -> Callable[[Case], Case]:
    def register(case: Case) -> Case:
        WRITES[name] = case
        return case

    return register


@lookup("users.find")
def _find(tx: SqlTransaction, fill: Fill) -> None:
    pool = _pool(tx)
    for name in (username_of(MAIN, 10), "user00011@example.com", "pref00012", fill.sub(13)):
        assert find_user(tx, pool, name) is not None
    assert find_user(tx, pool, "nobody") is None


@lookup("users.get")
def _get(tx: SqlTransaction, fill: Fill) -> None:
    assert _user(tx, 20).sub == fill.sub(20)


@lookup("users.get_by_sub")
def _get_by_sub(tx: SqlTransaction, fill: Fill) -> None:
    assert tx.users.get_by_sub(MAIN, fill.sub(21)) is not None


@lookup("users.holder")
def _holder(tx: SqlTransaction, fill: Fill) -> None:
    key = sign_in_names(_pool(tx), _user(tx, 22))["email"]
    holder = tx.users.holder(MAIN, "email", key)
    assert holder is not None and holder.sub == fill.sub(22)


@write("users.add")
def _add(tx: SqlTransaction, fill: Fill) -> None:
    number = fill.counts[OTHERS]  # past the filled ones
    attributes = attributes_of(OTHERS, number)
    user = User(f"new-{number}", OTHERS, f"new{number}", UserStatus.CONFIRMED, True, NOW, NOW)
    user.attributes = {"sub": user.sub, **attributes, **VERIFIED}
    assert tx.users.add(user, user.username, sign_in_names(_pool(tx, OTHERS), user)) == []


@write("users.update")
def _update(tx: SqlTransaction, fill: Fill) -> None:
    user = _user(tx, 30, OTHERS)
    user.attributes["email"] = "someone.else@example.com"
    assert tx.users.update(user, sign_in_names(_pool(tx, OTHERS), user)) == []


@write("users.adopt_verifier")
def _adopt_verifier(tx: SqlTransaction, fill: Fill) -> None:
    imported = ImportedHash("bcrypt", "$2b$10$" + "x" * 53)
    user = dataclasses.replace(_user(tx, 31, OTHERS), imported_hash=imported)
    # The stored user has no imported hash: the statement runs and changes nothing.
    assert not tx.users.adopt_verifier(user, PasswordVerifier("00", "00", NOW, False))


@write("users.delete")
def _delete(tx: SqlTransaction, fill: Fill) -> None:
    tx.users.delete(_user(tx, 32, OTHERS))


@lookup("lockouts.get")
def _lockout(tx: SqlTransaction, fill: Fill) -> None:
    assert tx.lockouts.get(fill.sub(40)) is not None


@write("lockouts.get_for_update")
def _lockout_held(tx: SqlTransaction, fill: Fill) -> None:
    assert tx.lockouts.get_for_update(MAIN, fill.sub(41)) is not None


@write("lockouts.save")
def _lockout_save(tx: SqlTransaction, fill: Fill) -> None:
    tx.lockouts.save(MAIN, fill.sub(42), Lockout(2, NOW, 0.0))


@write("lockouts.clear")
def _lockout_clear(tx: SqlTransaction, fill: Fill) -> None:
    tx.lockouts.clear(fill.sub(43))


@lookup("refresh_tokens.get")
def _refresh(tx: SqlTransaction, fill: Fill) -> None:
    assert tx.refresh_tokens.get(f"hash-{fill.sub(50)}") is not None


@lookup("refresh_tokens.get_by_jti")
def _refresh_by_jti(tx: SqlTransaction, fill: Fill) -> None:
    assert tx.refresh_tokens.get_by_jti(f"jti-{fill.sub(51)}") is not None


@write("refresh_tokens.add")
def _refresh_add(tx: SqlTransaction, fill: Fill) -> None:
    sub = fill.sub(52)
    record = RefreshRecord("new-hash", "new-jti", MAIN, "client", sub, NOW, NOW, NOW + 60)
    tx.refresh_tokens.add(record)


@write("refresh_tokens.revoke")
def _refresh_revoke(tx: SqlTransaction, fill: Fill) -> None:
    tx.refresh_tokens.revoke(f"jti-{fill.sub(53)}")


@write("refresh_tokens.revoke_user")
def _refresh_revoke_user(tx: SqlTransaction, fill: Fill) -> None:
    tx.refresh_tokens.revoke_user(MAIN, fill.sub(54))


@write("refresh_tokens.mark_rotated")
def _refresh_rotate(tx: SqlTransaction, fill: Fill) -> None:
    tx.refresh_tokens.mark_rotated(f"hash-{fill.sub(55)}", NOW, 60.0)


@lookup("sign_in_states.get")
def _state(tx: SqlTransaction, fill: Fill) -> None:
    assert tx.sign_in_states.get(f"sid-{fill.sub(60)}") is not None


@write("sign_in_states.put")
def _state_put(tx: SqlTransaction, fill: Fill) -> None:
    tx.sign_in_states.put("new-sid", MAIN, NOW + 60, "{}")


@write("session_markers.consume")
def _consume(tx: SqlTransaction, fill: Fill) -> None:
    assert not tx.session_markers.consume(f"sid-{fill.sub(61)}", NOW + 60)


@lookup("codes.get")
def _code(tx: SqlTransaction, fill: Fill) -> None:
    assert tx.codes.get(fill.sub(70), "verify:email") is not None


@write("codes.put")
def _code_put(tx: SqlTransaction, fill: Fill) -> None:
    tx.codes.put(StoredCode(MAIN, fill.sub(71), "verify:email", "hash", NOW + 60, 0, NOW))


@write("codes.count_failure")
def _code_failure(tx: SqlTransaction, fill: Fill) -> None:
    tx.codes.count_failure(fill.sub(72), "verify:email")


@write("codes.delete")
def _code_delete(tx: SqlTransaction, fill: Fill) -> None:
    tx.codes.delete(fill.sub(73), "verify:email")


def _device_key(fill: Fill, number: int) -> str:
    return f"us-east-1_{fill.sub(number)}"


@lookup("devices.get")
def _device(tx: SqlTransaction, fill: Fill) -> None:
    assert tx.devices.get(MAIN, _device_key(fill, 80)) is not None


@lookup("devices.list")
def _devices(tx: SqlTransaction, fill: Fill) -> None:
    assert len(tx.devices.list(MAIN, fill.sub(81), 60, None).items) == 1


@write("devices.put")
def _device_put(tx: SqlTransaction, fill: Fill) -> None:
    device = Device("us-east-1_new", MAIN, fill.sub(82), "g", "00", "00", None, False, NOW, NOW)
    assert tx.devices.put(device)


@write("devices.set_remembered")
def _device_remembered(tx: SqlTransaction, fill: Fill) -> None:
    assert tx.devices.set_remembered(MAIN, fill.sub(83), _device_key(fill, 83), False, NOW)


@write("devices.authenticated")
def _device_authenticated(tx: SqlTransaction, fill: Fill) -> None:
    tx.devices.authenticated(MAIN, _device_key(fill, 84), NOW)


@write("devices.forget")
def _device_forget(tx: SqlTransaction, fill: Fill) -> None:
    assert tx.devices.forget(MAIN, fill.sub(85), _device_key(fill, 85))


@lookup("passkeys.get")
def _passkey(tx: SqlTransaction, fill: Fill) -> None:
    assert tx.passkeys.get(MAIN, f"credential-{fill.sub(90)}") is not None


@lookup("passkeys.of_user")
def _passkeys_of(tx: SqlTransaction, fill: Fill) -> None:
    assert len(tx.passkeys.of_user(MAIN, fill.sub(91))) == 1


@lookup("passkeys.count")
def _passkey_count(tx: SqlTransaction, fill: Fill) -> None:
    assert tx.passkeys.count(MAIN, fill.sub(92)) == 1


@lookup("passkeys.list")
def _passkey_list(tx: SqlTransaction, fill: Fill) -> None:
    assert len(tx.passkeys.list(MAIN, fill.sub(93), 20, None).items) == 1


@write("passkeys.add")
def _passkey_add(tx: SqlTransaction, fill: Fill) -> None:
    passkey = Passkey("new-credential", MAIN, fill.sub(94), b"k", 0, (), "example.com", NOW)
    assert tx.passkeys.add(passkey)


@write("passkeys.update_sign_count")
def _passkey_count_moved(tx: SqlTransaction, fill: Fill) -> None:
    assert tx.passkeys.update_sign_count(MAIN, f"credential-{fill.sub(95)}", 1, 2)


@write("passkeys.delete")
def _passkey_delete(tx: SqlTransaction, fill: Fill) -> None:
    assert tx.passkeys.delete(MAIN, fill.sub(96), f"credential-{fill.sub(96)}")


@write("passkeys.put_challenge")
def _challenge_put(tx: SqlTransaction, fill: Fill) -> None:
    challenge = PasskeyChallenge(MAIN, fill.sub(97), "c", "x", "example.com", "preferred", NOW)
    tx.passkeys.put_challenge(challenge)


@write("passkeys.take_challenge")
def _challenge_take(tx: SqlTransaction, fill: Fill) -> None:
    assert tx.passkeys.take_challenge(MAIN, fill.sub(98)) is not None


def _event(fill: Fill, number: int, event_id: str) -> AuthEvent:
    sub = fill.sub(number)
    return AuthEvent(
        event_id, MAIN, sub, username_of(MAIN, number), EventType.SIGN_IN, 1, EventResponse.PASS
    )


@write("auth_events.record")
def _event_record(tx: SqlTransaction, fill: Fill) -> None:
    tx.auth_events.record(_event(fill, 100, f"{fill.sub(100)}-0"))  # a step of a stored one


@write("auth_events.record_alike")
def _event_alike(tx: SqlTransaction, fill: Fill) -> None:
    tx.auth_events.record_alike(_event(fill, 101, "new-event"), keep=False)


@write("auth_events.set_feedback")
def _event_feedback(tx: SqlTransaction, fill: Fill) -> None:
    given = Feedback(FeedbackValue.VALID, FeedbackProvider.ADMIN, 1)
    assert tx.auth_events.set_feedback(MAIN, fill.sub(102), f"{fill.sub(102)}-1", given)


@lookup("auth_events.of_user")
def _events_of(tx: SqlTransaction, fill: Fill) -> None:
    assert len(tx.auth_events.of_user(MAIN, fill.sub(103), 10, None)) == 2


@write("authorization_codes.take")
def _code_take(tx: SqlTransaction, fill: Fill) -> None:
    assert tx.authorization_codes.take(f"code-{fill.sub(110)}") is not None


@write("authorization_codes.add")
def _code_add(tx: SqlTransaction, fill: Fill) -> None:
    code = AuthorizationCode("new-code", MAIN, "c", fill.sub(111), "https://x/", (), b"s", NOW)
    tx.authorization_codes.add(code)


@lookup("groups.names_of")
def _group_names(tx: SqlTransaction, fill: Fill) -> None:
    assert list(tx.groups.names_of(MAIN, fill.sub(100))) == ["big", "small"]


@lookup("groups.groups_of")
def _groups_of(tx: SqlTransaction, fill: Fill) -> None:
    assert len(tx.groups.groups_of(MAIN, fill.sub(200), 60, None).items) == 2


@lookup("pools.get, clients.get, signing_keys.for_pool, signing_keys.get")
def _configuration(tx: SqlTransaction, fill: Fill) -> None:
    assert tx.clients.get(f"client-{MAIN}") is not None
    assert len(tx.signing_keys.for_pool(MAIN)) == 1
    assert tx.signing_keys.get(f"kid-{MAIN}") is not None


HOUSEKEEPING: dict[str, Case] = {
    "session_markers.purge_expired": lambda tx, _: tx.session_markers.purge_expired(NOW),
    "sign_in_states.purge_expired": lambda tx, _: tx.sign_in_states.purge_expired(NOW),
    "codes.purge_expired": lambda tx, _: tx.codes.purge_expired(NOW),
    "refresh_tokens.purge_expired": lambda tx, _: tx.refresh_tokens.purge_expired(NOW - 86_400),
    "lockouts.purge_forgotten": lambda tx, _: tx.lockouts.purge_forgotten(NOW - 900),
    "passkeys.purge_expired_challenges": lambda tx, _: tx.passkeys.purge_expired_challenges(NOW),
    "authorization_codes.purge_expired": lambda tx, _: tx.authorization_codes.purge_expired(NOW),
    "auth_events.purge_older_than": lambda tx, _: tx.auth_events.purge_older_than(1),
}
WRITES.update(HOUSEKEEPING)

# Methods no sign-in, token check or filter calls, and why they may read more than a page.
EXEMPT = {
    "users.list": "ListUsers: test_query_plans.py, filter by filter",
    "users.count": "DescribeUserPool's EstimatedNumberOfUsers: counts the pool along its index",
    "auth_events.export": "`userpool events export`: reads every event, by design",
}


@lookup("user_batches.taken_usernames")
def _taken_usernames(tx: SqlTransaction, fill: Fill) -> None:
    keys = [username_of(MAIN, number) for number in range(2950, 3050)]  # half of them taken
    assert len(tx.user_batches.taken_usernames(MAIN, keys)) == 50


@lookup("user_batches.taken_names")
def _taken_names(tx: SqlTransaction, fill: Fill) -> None:
    emails = [attributes_of(MAIN, number)["email"] for number in range(2950, 3050)]
    names = [("email", name_key(email)) for email in emails]
    assert len(tx.user_batches.taken_names(MAIN, names)) == 50


@write("user_batches.add_all")
def _add_all(tx: SqlTransaction, fill: Fill) -> None:
    number = fill.counts[OTHERS] + 1
    user = User(f"new-{number}", OTHERS, f"new{number}", UserStatus.CONFIRMED, True, NOW, NOW)
    user.attributes = {"sub": user.sub, **attributes_of(OTHERS, number), **VERIFIED}
    names = sign_in_names(_pool(tx, OTHERS), user)
    assert tx.user_batches.add_all([(user, user.username, names)])
