"""bench/million.py's users: who they are, the import jobs that bring them in and the CSV files
those jobs upload.

User `i` is `user{i:07d}` with a given and a family name drawn from short made-up lists (so a
`family_name = "..."` filter matches about one user in 300, a few thousand of a million), an
email address, a phone number and a preferred username of their own. Most rows carry no
password hash and are imported RESET_REQUIRED, as Cognito imports them; a few thousand carry
a hash of PASSWORD, made once per kind by the libraries (bcrypt, argon2-cffi) and repeated on
every row of that kind: each hash holds its own salt, so one string serves many users.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from pathlib import Path

import argon2
import bcrypt

PASSWORD = "Old-Passw0rd!"
MAX_JOB_ROWS = 500_000  # Cognito's (and the server's) most users in one file
FIRST_JOB_ROWS = 1_000  # the small pool the 1k sign-in figures are measured in
HEADER = (
    "cognito:username,given_name,family_name,name,email,email_verified,phone_number,"
    "preferred_username,password_hash\n"
)
_ONSETS = ("B", "C", "D", "F", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S", "T", "V", "W")
_VOWELS = ("a", "e", "i", "o", "u")
_CODAS = ("", "n", "r", "s", "l", "x", "m", "d")
# 17 x 5 x 8 = 680 syllables: given names are one syllable and "ie", family names two.
_SYLLABLES = [o + v + c for o, v, c in itertools.product(_ONSETS, _VOWELS, _CODAS)]
GIVEN = [s + "ie" for s in _SYLLABLES[:400]]
FAMILY = [a + b.lower() for a, b in zip(_SYLLABLES[:300], _SYLLABLES[-1:-301:-1], strict=True)]


@dataclass(frozen=True)
class HashKind:
    """A password hash of PASSWORD: its label, the job algorithm and the hash itself."""

    label: str
    algorithm: str
    value: str

    @property
    def csv_value(self) -> str:
        return self.value.replace(",", "\\,")  # Argon2's m=..,t=..,p=.. holds commas


def make_hashes() -> dict[str, HashKind]:
    """Cheap ones for thousands of users, and ones at the costs systems really use (bcrypt 10,
    OWASP's Argon2id m=19456 KiB, t=2) for a few hundred, to show what those cost."""
    secret = PASSWORD.encode()
    made = [
        ("bcrypt-5", "BCRYPT", bcrypt.hashpw(secret, bcrypt.gensalt(5)).decode()),
        ("bcrypt-10", "BCRYPT", bcrypt.hashpw(secret, bcrypt.gensalt(10)).decode()),
        (
            "argon2id-m4096-t1",
            "ARGON2ID",
            argon2.PasswordHasher(time_cost=1, memory_cost=4096, parallelism=1).hash(PASSWORD),
        ),
        (
            "argon2id-m19456-t2",
            "ARGON2ID",
            argon2.PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1).hash(PASSWORD),
        ),
    ]
    return {label: HashKind(label, algorithm, value) for label, algorithm, value in made}


@dataclass
class Job:
    """One import job: users first..end-1, of whom `hashed` (index -> kind label) have a hash."""

    first: int
    end: int
    algorithm: str
    hashed: dict[int, str] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return self.end - self.first

    def users_of(self, label: str) -> list[int]:
        return [index for index, kind in self.hashed.items() if kind == label]


_KINDS = {
    "BCRYPT": ("bcrypt-5", "bcrypt-10"),
    "ARGON2ID": ("argon2id-m4096-t1", "argon2id-m19456-t2"),
}


def plan_jobs(users: int, cheap: int, costly: int) -> list[Job]:
    """The first job: FIRST_JOB_ROWS users, all with a cheap bcrypt hash (they are signed in
    once, then measured). Then the rest in jobs of at most MAX_JOB_ROWS (at least two),
    alternately BCRYPT and ARGON2ID, each with `cheap` + `costly` hashed rows spread evenly
    through it and the others without a password."""
    first = Job(0, FIRST_JOB_ROWS, "BCRYPT", dict.fromkeys(range(FIRST_JOB_ROWS), "bcrypt-5"))
    rest = users - FIRST_JOB_ROWS
    count = max(2, -(-rest // MAX_JOB_ROWS))
    jobs = [first]
    for number in range(count):
        start = FIRST_JOB_ROWS + rest * number // count
        end = FIRST_JOB_ROWS + rest * (number + 1) // count
        algorithm = ("BCRYPT", "ARGON2ID")[number % 2]
        cheap_kind, costly_kind = _KINDS[algorithm]
        job = Job(start, end, algorithm)
        wanted = min(cheap + costly, (end - start) // 4)
        step = (end - start) // max(1, wanted)
        every = max(1, wanted // max(1, costly))  # every n-th hashed row is a costly one
        for k in range(wanted):
            costly_one = k % every == 0 and k // every < costly
            job.hashed[start + k * step + step // 2] = costly_kind if costly_one else cheap_kind
        jobs.append(job)
    return jobs


def given(index: int) -> str:
    return GIVEN[index * 7 % len(GIVEN)]


def family(index: int) -> str:
    return FAMILY[index * 13 % len(FAMILY)]


def email(index: int) -> str:
    return f"{given(index).lower()}.{family(index).lower()}{index}@example.com"


def phone(index: int) -> str:
    return f"+1555{index:07d}"


def preferred(index: int) -> str:
    return f"{given(index).lower()}{index}"


def username(index: int) -> str:
    return f"user{index:07d}"


def write_csv(job: Job, hashes: dict[str, HashKind], path: Path) -> float:
    """The job's file, streamed to `path` in blocks; returns the seconds it took."""
    started = time.perf_counter()
    values = {index: hashes[label].csv_value for index, label in job.hashed.items()}
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write(HEADER)
        for block in range(job.first, job.end, 10_000):
            out.write(
                "".join(
                    f"user{i:07d},{g},{f},{g} {f},{g.lower()}.{f.lower()}{i}@example.com,true,"
                    f"+1555{i:07d},{g.lower()}{i},{values.get(i, '')}\n"
                    for i in range(block, min(block + 10_000, job.end))
                    for g, f in ((given(i), family(i)),)
                )
            )
    return time.perf_counter() - started
