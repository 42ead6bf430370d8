"""Hostile configs, exit codes, and runs that are killed or raced: nothing half-written, no
item lost or sent twice."""

from __future__ import annotations

import contextlib
import email
import email.policy
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from recapmail.cli import app
from tests.feedserver import FeedServer, feed_server, make_items, rss_feed
from tests.hostile import assert_inert, edition_folders, run_cli

pytestmark = pytest.mark.slow  # real processes, servers and files: see pyproject's markers

__all__ = ["feed_server"]

runner = CliRunner()
EXPECTED_FILES = {
    "newsletter.html", "newsletter.txt", "newsletter.eml", "newsletter.mjml", "digest.json",
    "social/linkedin.txt", "social/mastodon.txt", "social/bluesky.txt", ".edition.json",
}  # fmt: skip

# -- config ----------------------------------------------------------------------------------

CONFIGS = [
    ("not toml", b"[newsletter\ntitle = 'x'\n", "invalid TOML"),
    ("binary", b"\x00\x01\xff\xfe" * 50, "not UTF-8"),
    ("utf16", '[newsletter]\ntitle = "x"\n'.encode("utf-16"), "not UTF-8"),
    ("deep arrays", ("a = " + "[" * 5000 + "]" * 5000 + "\n").encode(), "nested too deeply"),
    ("deep tables", ("a = " + "{b = " * 3000 + "1" + "}" * 3000 + "\n").encode(), "feeds.toml"),
    (
        "wrong type",
        b"[newsletter]\ntitle = 3\n",
        "feeds.toml:2: newsletter.title: must be a string",
    ),
    ("wrong table", b"newsletter = 3\n", "must be a table"),
    ("unknown key", b'[newsletter]\ntitel = "x"\n', "did you mean 'title'?"),
    ("unknown source key", b'[[sources]]\nname = "a"\nurll = "https://a.org/"\n', "'url'"),
    ("unknown table", b'[newsleter]\ntitle = "x"\n', "did you mean 'newsletter'?"),
    ("file url", b'[[sources]]\nname = "a"\nurl = "file:///etc/passwd"\n', "not a valid URL"),
    ("js url", b'[[sources]]\nname = "a"\nurl = "javascript:alert(1)//"\n', "not a valid URL"),
    ("ftp url", b'[[sources]]\nname = "a"\nurl = "ftp://a.org/f.xml"\n', "not a valid URL"),
    ("gopher url", b'[[sources]]\nname = "a"\nurl = "gopher://a.org/"\n', "not a valid URL"),
    ("no host", b'[[sources]]\nname = "a"\nurl = "https:///f.xml"\n', "not a valid URL"),
    ("both", b'[[sources]]\nname = "a"\nurl = "https://a.org/"\npath = "x"\n', "exactly one"),
    ("colour markup", b'[newsletter]\nbrand_color = "red;}</style><script>"\n', "brand_color"),
    ("colour css", b'[newsletter]\nbrand_color = "#fff;background:url(x)"\n', "brand_color"),
    ("colour expr", b'[newsletter]\nbrand_color = "expression(alert(1))"\n', "brand_color"),
    ("title markup", b'[newsletter]\ntitle = "<script>alert(1)</script>"\n', "markup"),
    ("team markup", b'[newsletter]\nteam = "<img src=x onerror=alert(1)>"\n', "markup"),
    ("intro markup", b'[newsletter]\nintro = "</mj-text><mj-raw>"\n', "markup"),
    ("source markup", b'[[sources]]\nname = "<b onmouseover=x>"\npath = "a"\n', "markup"),
    ("tag markup", b'[[sources]]\nname = "a"\npath = "a"\ntags = ["<script>"]\n', "markup"),
    ("logo js", b'[newsletter]\nlogo_url = "javascript:alert(1)"\n', "logo_url"),
    ("logo quote", b'[newsletter]\nlogo_url = "https://a.org/x.png\\" onerror=\\"x"\n', "logo_url"),
    ("unsubscribe data", b'[newsletter]\nunsubscribe_url = "data:text/html,x"\n', "unsubscribe"),
    ("website vbs", b'[newsletter]\nwebsite_url = "vbscript:msgbox(1)"\n', "website_url"),
    ("from header", b'[newsletter]\nfrom = "a@b.org\\nBcc: all@evil.example"\n', "from"),
    ("to header", b'[newsletter]\nto = ["a@b.org\\r\\nBcc: x@evil.example"]\n', "to"),
    ("control chars", b'[newsletter]\ntitle = "a\\u0007b"\n', "control characters"),
    ("language", b'[newsletter]\nlanguage = "fr<script>"\n', "two-letter"),
    ("timezone", b'[newsletter]\ntimezone = "../../etc/passwd"\n', "time zone"),
    ("max items", b"[newsletter]\nmax_items = 100000000\n", "between"),
    ("negative timeout", b"[fetch]\ntimeout = -1\n", "between"),
    ("huge max_bytes", b"[fetch]\nmax_bytes = 99999999999\n", "between"),
    ("platform", b'[social]\nplatforms = ["myspace"]\n', "unknown platform"),
    ("hashtag", b'[social]\nhashtags = ["#a b<script>"]\n', "not a hashtag"),
    ("sources table", b'sources = "x"\n', "[[sources]]"),
    (
        "duplicate names",
        b'[[sources]]\nname = "a"\npath = "x"\n[[sources]]\nname = "a"\npath = "y"\n',
        "two sources",
    ),
]


@pytest.mark.parametrize(("name", "data", "message"), CONFIGS, ids=[c[0] for c in CONFIGS])
def test_hostile_configs_get_one_clear_error(
    name: str, data: bytes, message: str, tmp_path: Path
) -> None:
    config = tmp_path / "feeds.toml"
    config.write_bytes(data)
    for args in (
        ["digest", "--config", str(config), "--out", str(tmp_path / "out")],
        ["newsletter", str(config), "--config", str(config)],
        ["feeds", "--config", str(config)],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 1, (args, result.stdout, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, lines
        assert lines[0].startswith(f"Error: {config}"), lines[0]
        assert message in lines[0], lines[0]
    assert not (tmp_path / "out").exists()


def test_a_huge_config_is_refused_unparsed(tmp_path: Path) -> None:
    config = tmp_path / "feeds.toml"
    config.write_text("# " + "x" * 2_000_000 + "\n", encoding="utf-8")
    result = runner.invoke(app, ["feeds", "--config", str(config)])
    assert result.exit_code == 1
    assert "larger than 1 MB" in result.stderr


# -- exit codes and tracebacks ---------------------------------------------------------------


def test_a_traceback_only_with_debug(tmp_path: Path) -> None:
    missing = tmp_path / "missing.md"
    plain = run_cli("highlights", str(missing), cwd=tmp_path, timeout=30)
    assert plain.code == 1 and "Traceback" not in plain.stderr
    assert plain.stderr.strip() == f"Error: {missing}: no such file (check the path)"
    debug = run_cli("--debug", "highlights", str(missing), cwd=tmp_path, timeout=30)
    assert debug.code == 1 and "Traceback" in debug.stderr and "SourceError" in debug.stderr


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["digest", "--week", "2026-W47", "--since", "2026-11-16"])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "Error: use either --week or --since/--until, not both"
    ]
    result = runner.invoke(app, ["highlights"])
    assert result.exit_code == 2
    for week in ("2026-W99", "../../etc", "2026-W47; rm -rf /", "9" * 400):
        result = runner.invoke(app, ["digest", "--week", week, "--out", str(tmp_path / "o")])
        assert result.exit_code in (1, 2), (week, result.stderr)
        assert result.stderr.startswith("Error:") and "Traceback" not in result.stderr
    assert not (tmp_path / "o").exists()


def test_an_unwritable_output_is_one_line(tmp_path: Path) -> None:
    article = tmp_path / "a.md"
    article.write_text("---\ntitle: Un titre correct\n---\nUn texte. Deux phrases.\n", "utf-8")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = runner.invoke(app, ["newsletter", str(article), "--out", str(blocker / "sub")])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot write the output folder" in lines[0], lines


def test_a_corrupt_state_file_is_one_line(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite3"
    state.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    config = tmp_path / "feeds.toml"
    config.write_text("[newsletter]\n", encoding="utf-8")
    run = run_cli(
        "digest", "--config", str(config), "--week", "2026-W47", cwd=tmp_path,
        env={"RECAPMAIL_STATE": str(state)}, timeout=30,
    )  # fmt: skip
    assert run.code == 1 and "Traceback" not in run.stderr
    assert run.error_lines and "state file" in run.error_lines[0], run.stderr


# -- killed and concurrent runs ----------------------------------------------------------------


def recap(folder: Path, n: int) -> None:
    (folder / f"recap-{n:02d}.md").write_text(
        f"---\ntitle: Compte rendu numéro {n} du meetup OpenStack\ndate: 2026-11-1{n % 7 + 1}\n"
        f"---\nLe meetup {n} a réuni {100 + n} participants à Lyon autour d'OpenStack. "
        f"Les opérateurs ont comparé KubeVirt et Proxmox pour la migration {n}.\n",
        encoding="utf-8",
    )


def workspace(tmp_path: Path, recaps: int) -> tuple[Path, dict[str, str]]:
    folder = tmp_path / "recaps"
    folder.mkdir()
    for n in range(recaps):
        recap(folder, n)
    config = tmp_path / "feeds.toml"
    config.write_text(
        '[newsletter]\nmax_items = 200\n[[sources]]\nname = "recaps"\npath = "recaps"\n',
        encoding="utf-8",
    )
    env = {"RECAPMAIL_STATE": str(tmp_path / "state.sqlite3")}
    return config, env


def digest_args(week: str, out: str = "out") -> list[str]:
    return ["digest", "--config", "feeds.toml", "--week", week, "--out", out]


def assert_complete(edition: Path) -> list[str]:
    """Every file present and whole; returns the sources the edition holds."""
    files = {str(p.relative_to(edition)) for p in edition.rglob("*") if p.is_file()}
    assert files == EXPECTED_FILES, files
    assert (edition / "newsletter.html").read_text("utf-8").rstrip().endswith("</html>")
    message = email.message_from_bytes(
        (edition / "newsletter.eml").read_bytes(), policy=email.policy.default
    )
    assert message.is_multipart() and len(list(message.iter_parts())) == 2
    digest = json.loads((edition / "digest.json").read_text("utf-8"))
    return sorted(item["source"] for item in digest["items"])


def assert_state_sound(env: dict[str, str]) -> None:
    with sqlite3.connect(env["RECAPMAIL_STATE"]) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def popen(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "recapmail", *args],
        cwd=cwd, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def test_sigkill_at_any_point_leaves_a_whole_folder_and_a_usable_state(tmp_path: Path) -> None:
    _config, env = workspace(tmp_path, 12)
    first = run_cli(*digest_args("2026-W47"), cwd=tmp_path, env=env, timeout=60)
    assert first.code == 0, first.stderr
    (edition,) = edition_folders(tmp_path / "out")
    before = assert_complete(edition)
    assert len(before) == 12
    published = run_cli("publish", str(edition), cwd=tmp_path, env=env, timeout=60)
    assert published.code == 0, published.stderr
    recap(tmp_path / "recaps", 12)  # new after W47 went out: for the next edition only
    # Kill points spread over one run, from start-up to the final rename.
    for fraction in (0.35, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0):
        child = popen(digest_args("2026-W47"), tmp_path, env)
        time.sleep(first.seconds * fraction)
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=30)
        folders = edition_folders(tmp_path / "out")
        assert [f.name for f in folders] == ["2026-W47"]
        assert assert_complete(folders[0]) == before
        assert_state_sound(env)
    again = run_cli(*digest_args("2026-W47"), cwd=tmp_path, env=env, timeout=60)
    assert again.code == 0, again.stderr
    assert assert_complete(tmp_path / "out" / "2026-W47") == before
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]
    following = run_cli(*digest_args("2026-W48"), cwd=tmp_path, env=env, timeout=60)
    assert following.code == 0, following.stderr
    after = assert_complete(tmp_path / "out" / "2026-W48")
    assert after == ["recaps/recap-12.md"]  # nothing lost, nothing twice


def test_two_runs_at_once_share_the_state_safely(tmp_path: Path) -> None:
    _config, env = workspace(tmp_path, 8)
    children = [popen(digest_args("2026-W47", out), tmp_path, env) for out in ("a", "b", "a")]
    for child in children:
        _, err = child.communicate(timeout=60)
        assert child.returncode == 0, err.decode()
        assert b"Traceback" not in err
    assert_state_sound(env)
    seen = [assert_complete(tmp_path / out / "2026-W47") for out in ("a", "b")]
    assert seen[0] == seen[1] and len(seen[0]) == 8
    for out in ("a", "b"):
        assert_inert(tmp_path / out / "2026-W47")
    published = run_cli("publish", str(tmp_path / "a" / "2026-W47"), cwd=tmp_path, env=env)
    assert published.code == 0, published.stderr
    recap(tmp_path / "recaps", 8)
    following = run_cli(*digest_args("2026-W48", "a"), cwd=tmp_path, env=env, timeout=60)
    assert following.code == 0, following.stderr
    assert assert_complete(tmp_path / "a" / "2026-W48") == ["recaps/recap-08.md"]


# -- Ctrl-C ----------------------------------------------------------------------------------


def interrupt_workspace(tmp_path: Path, server: FeedServer) -> dict[str, str]:
    """Feeds that answer at once (so the parsing helper has work), slowly, and never."""
    sources = []
    for n in range(12):
        server.add(f"/big-{n}.xml", rss_feed(make_items(300, prefix=f"f{n}")))
        sources.append(server.url(f"/big-{n}.xml"))
    sources += [server.url(f"/slow/{s}") for s in (0.3, 0.6, 1, 2, 4, 8)]
    (tmp_path / "feeds.toml").write_text(
        "[fetch]\ntimeout = 10\ndeadline = 20\n"
        + "".join(f'[[sources]]\nname = "f{i}"\nurl = "{u}"\n' for i, u in enumerate(sources)),
        encoding="utf-8",
    )
    return {"RECAPMAIL_STATE": str(tmp_path / "state.sqlite3")}


# What CPython itself says when SIGINT comes while it is still starting up (importing site or
# runpy), before any line of recapmail has run: nothing recapmail can catch.
_INTERPRETER_STARTING = ("Fatal Python error: init_import_site", "Could not import runpy module")


def interrupted_run(
    args: list[str], cwd: Path, env: dict[str, str], delay: float, *, group: bool = True
) -> tuple[subprocess.Popen[bytes], str, float]:
    """`recapmail ARGS` sent SIGINT `delay` s after it starts (to its process group, as a
    terminal's Ctrl-C, or to it alone): the child, its stderr and how long it took to stop. On
    a loaded machine the interpreter may still be starting at `delay`: then it is run again,
    so that the signal reaches recapmail's own code."""
    for _attempt in range(5):
        child = subprocess.Popen(
            [sys.executable, "-m", "recapmail", *args], cwd=cwd, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        )  # fmt: skip
        started = time.monotonic()
        time.sleep(delay)
        if group:
            os.killpg(child.pid, signal.SIGINT)
        else:
            child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=30)
        stopped = time.monotonic() - started
        stderr = err.decode("utf-8", "replace")
        if not any(said in stderr for said in _INTERPRETER_STARTING):
            break
    return child, stderr, stopped


@pytest.mark.parametrize("group", [True, False], ids=["terminal", "process"])
def test_ctrl_c_while_fetching_always_says_interrupted(
    group: bool, tmp_path: Path, feed_server: FeedServer
) -> None:
    """A terminal's Ctrl-C reaches the whole process group (the parsing helper too); `kill
    -INT` only the main process. Either way: `Interrupted.`, exit 130, no traceback."""
    interrupt_workspace(tmp_path, feed_server)
    for delay in (0.05, 0.1, 0.15, 0.2, 0.3, 0.45, 0.6, 0.8, 1.2, 2.0):
        state = {"RECAPMAIL_STATE": str(tmp_path / f"state-{delay}.sqlite3")}
        child, stderr, stopped = interrupted_run(
            digest_args("2026-W47"), tmp_path, {**os.environ, **state}, delay, group=group
        )
        assert child.returncode == 130, (delay, child.returncode, stderr[-3000:])
        assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, (delay, stderr)
        assert stderr.strip().splitlines()[-1] == "Interrupted.", (delay, stderr)
        assert stopped < delay + 5, (delay, stopped)
        with contextlib.suppress(ProcessLookupError):  # no helper outlives the run
            os.killpg(child.pid, 0)
            time.sleep(0.5)
            os.killpg(child.pid, 0)
            pytest.fail(f"a process of the run is left after {delay} s")
        assert_state_sound(state)


def test_a_state_write_held_up_by_another_process_times_no_feed_out(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """Another process holds the state's write lock for 4 s while this run fetches: the feeds
    that answered meanwhile waited in their sockets, and none is reported timed out."""
    from recapmail.state import State

    feed_server.add("/now.xml", rss_feed(make_items(5, prefix="now")))
    sources = [feed_server.url("/now.xml")]
    sources += [feed_server.url(f"/slow/{s}") for s in (0.5, 1, 1.5, 2)]
    (tmp_path / "feeds.toml").write_text(
        "[fetch]\ntimeout = 1\ndeadline = 30\n"
        + "".join(f'[[sources]]\nname = "f{i}"\nurl = "{u}"\n' for i, u in enumerate(sources)),
        encoding="utf-8",
    )
    env = {"RECAPMAIL_STATE": str(tmp_path / "state.sqlite3")}
    State.open(Path(env["RECAPMAIL_STATE"])).close()
    holder = sqlite3.connect(env["RECAPMAIL_STATE"], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        child = popen(digest_args("2026-W47"), tmp_path, env)
        time.sleep(4)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    _, err = child.communicate(timeout=60)
    stderr = err.decode("utf-8", "replace")
    assert child.returncode == 0, stderr[-3000:]
    assert "timed out" not in stderr and "Warning" not in stderr, stderr[-3000:]
    assert len(assert_complete(tmp_path / "out" / "2026-W47")) == 5 + 2


# -- permissions -----------------------------------------------------------------------------


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o077])
def test_edition_folders_follow_the_umask(umask: int, tmp_path: Path) -> None:
    _config, env = workspace(tmp_path, 2)
    before = os.umask(umask)  # the child inherits it, as from a user's shell
    try:
        run = run_cli(*digest_args("2026-W47"), cwd=tmp_path, env=env, timeout=60)
        special = run_cli(
            "newsletter", "recaps/recap-00.md", "--out", "special", cwd=tmp_path, timeout=60
        )
    finally:
        os.umask(before)
    assert run.code == 0 and special.code == 0, run.stderr + special.stderr
    (edition,) = edition_folders(tmp_path / "out")
    (other,) = edition_folders(tmp_path / "special")
    for folder in (edition, edition / "social", other):
        assert folder.stat().st_mode & 0o777 == 0o777 & ~umask, (folder, oct(folder.stat().st_mode))
    for file in (edition / "newsletter.html", edition / "social" / "mastodon.txt"):
        assert file.stat().st_mode & 0o777 == 0o666 & ~umask, file


def test_an_up_to_date_run_removes_what_a_killed_run_left(tmp_path: Path) -> None:
    _config, env = workspace(tmp_path, 2)
    first = run_cli(*digest_args("2026-W47"), cwd=tmp_path, env=env, timeout=60)
    assert first.code == 0, first.stderr
    left = tmp_path / "out" / ".tmp-2026-W47-abc123"  # as a run killed mid-write leaves it
    left.mkdir()
    (left / "newsletter.html").write_text("<html>half", encoding="utf-8")
    again = run_cli(*digest_args("2026-W47"), cwd=tmp_path, env=env, timeout=60)
    assert again.code == 0 and "up to date" in again.stdout, again.stderr
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["2026-W47"]


def test_every_run_removes_what_a_killed_run_left(tmp_path: Path) -> None:
    """Not only a run that writes an edition: one with nothing new, and one --strict stops."""
    _config, env = workspace(tmp_path, 2)
    first = run_cli(*digest_args("2026-W47"), cwd=tmp_path, env=env, timeout=60)
    assert first.code == 0, first.stderr
    assert run_cli("publish", "out/2026-W47", cwd=tmp_path, env=env).code == 0
    out = tmp_path / "out"
    for name in (".tmp-2026-W48-k1ll3d", ".tmp-2026-W47-k1ll3d"):
        (out / name).mkdir()
        (out / name / "newsletter.html").write_text("<html>half", encoding="utf-8")
    empty = run_cli(*digest_args("2026-W48"), cwd=tmp_path, env=env, timeout=60)
    assert empty.code == 0 and "nothing new since 2026-W47" in empty.stdout, empty.stderr
    assert sorted(p.name for p in out.iterdir()) == ["2026-W47"]
    (out / ".tmp-2026-W48-k1ll3d").mkdir()
    (tmp_path / "recaps" / "broken.md").write_bytes(b"")  # an empty recap: a warning
    strict = run_cli(*digest_args("2026-W48"), "--strict", cwd=tmp_path, env=env, timeout=60)
    assert strict.code == 4, strict.stderr
    assert sorted(p.name for p in out.iterdir()) == ["2026-W47"]


def test_ctrl_c_during_a_local_run_says_interrupted_or_finishes(tmp_path: Path) -> None:
    _config, env = workspace(tmp_path, 30)
    interrupted = 0
    for delay in (0.05, 0.1, 0.2, 0.3, 0.45, 0.6, 0.8):
        env["RECAPMAIL_STATE"] = str(tmp_path / f"state-{delay}.sqlite3")
        child, stderr, _ = interrupted_run(
            digest_args("2026-W47", f"out-{delay}"), tmp_path, {**os.environ, **env}, delay
        )
        assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, (delay, stderr)
        assert child.returncode in (0, 130), (delay, child.returncode, stderr)
        if child.returncode == 130:
            interrupted += 1
            assert stderr.strip().splitlines()[-1] == "Interrupted.", (delay, stderr)
        for edition in (tmp_path / f"out-{delay}").glob("2026-W47"):
            assert_complete(edition)  # interrupted or not: whole, or not there
        assert_state_sound(env)
    assert interrupted >= 3
