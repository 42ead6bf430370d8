from __future__ import annotations

from pathlib import Path

import pytest

from recapmail.config import Config, find_config, load_config, read_config
from recapmail.errors import ConfigError

from .conftest import EXAMPLES, ROOT


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "feeds.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as info:
        read_config(write(tmp_path, text))
    return str(info.value)


def test_the_shipped_configs_load() -> None:
    team = read_config(ROOT / "feeds.toml")
    example = read_config(EXAMPLES / "feeds.toml")
    assert team.newsletter.language == "fr"
    assert any(s.url for s in team.sources)
    assert example.newsletter.title == "La veille infra ouverte"
    assert [s.name for s in example.sources] == ["Nos comptes rendus", "Veille cloud (exemple)"]
    # relative paths are taken from the config's folder
    assert example.sources[0].path == EXAMPLES / "articles"


def test_unknown_key_names_line_and_suggests(tmp_path: Path) -> None:
    message = error_of(tmp_path, '[newsletter]\nlanguage = "fr"\ntitel = "Hebdo"\n')
    assert message == (
        f"{tmp_path / 'feeds.toml'}:3: unknown key 'titel' in [newsletter] (did you mean 'title'?)"
    )


def test_wrong_type_in_third_source_names_its_line(tmp_path: Path) -> None:
    text = (
        '[[sources]]\nname = "a"\npath = "x"\n\n'
        '[[sources]]\nname = "b"\npath = "y"\n\n'
        '[[sources]]\nname = "c"\nurl = "https://e.org/feed"\ntags = "k8s"\n'
    )
    message = error_of(tmp_path, text)
    assert message.startswith(
        f'{tmp_path / "feeds.toml"}:12: sources[3] ("c").tags: must be a list'
    )


def test_unknown_key_in_a_source_counts_from_one_with_its_name(tmp_path: Path) -> None:
    text = (
        '[[sources]]\nname = "a"\npath = "x"\n\n'
        '[[sources]]\nname = "CNCF Blog"\nurl = "https://e.org/feed"\ntagz = ["k8s"]\n'
    )
    message = error_of(tmp_path, text)
    assert message.startswith(
        f"{tmp_path / 'feeds.toml'}:8: unknown key 'tagz' in [sources[2] (\"CNCF Blog\")]"
    )


def test_invalid_toml_is_one_line(tmp_path: Path) -> None:
    message = error_of(tmp_path, "[newsletter\ntitle = 1\n")
    assert "invalid TOML" in message and "\n" not in message


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('[newsletter]\nbrand_color = "red;background:url(x)"\n', "brand_color"),
        ('[newsletter]\nlogo_url = "javascript:alert(1)"\n', "logo_url"),
        ('[[sources]]\nname = "x"\nurl = "file:///etc/passwd"\n', "not a valid URL"),
        ('[[sources]]\nname = "x"\n', "exactly one of 'url' or 'path'"),
        ('[newsletter]\nfrom = "not an address"\n', "not an email address"),
        ('[newsletter]\ntimezone = "Mars/Olympus"\n', "unknown time zone"),
        ('[social]\nplatforms = ["myspace"]\n', "unknown platform"),
        ("[newsletter]\nmax_items = true\n", "must be an integer"),
        (
            '[newsletter]\ntitle = "Veille <b>infra</b>"\n',
            "title: contains markup ('<b>'); write plain text",
        ),
        (
            '[[sources]]\nname = "x"\npath = "a"\ntags = ["ok", "<!-- x"]\n',
            "tags: contains markup ('<!--'); write plain text",
        ),
        (
            '[[sources]]\nname = "x"\npath = "a"\n[[sources]]\nname = "x"\npath = "b"\n',
            "two sources",
        ),
    ],
)
def test_bad_values_are_refused(tmp_path: Path, text: str, needle: str) -> None:
    assert needle in error_of(tmp_path, text)


def test_find_config_prefers_explicit_then_local(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert find_config(None) is None
    monkeypatch.setenv("RECAPMAIL_STATE", str(tmp_path / "kept.sqlite3"))
    assert load_config(None) == Config(state_path=tmp_path / "kept.sqlite3")
    local = write(tmp_path, '[newsletter]\nlanguage = "en"\n')
    assert find_config(None) == Path("feeds.toml")
    assert load_config(None).newsletter.language == "en"
    with pytest.raises(ConfigError, match="no such config file"):
        find_config(tmp_path / "missing.toml")
    assert find_config(local) == local


def test_state_path_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECAPMAIL_STATE", str(tmp_path / "s.db"))
    cfg = read_config(write(tmp_path, '[state]\npath = "other.db"\n'))
    assert cfg.state_path == tmp_path / "s.db"
