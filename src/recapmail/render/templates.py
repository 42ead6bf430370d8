"""The Jinja2 environment shared by every renderer, with user overrides by template name.

Lookup order: the user's `templates_dir`, then the templates shipped in the package. A user
template can extend the shipped one it replaces as "!default/email/base.mjml.j2".
"""

from __future__ import annotations

import contextlib
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from recapmail.errors import RenderError

if TYPE_CHECKING:  # imported where used: finding the templates' folder needs no Jinja2
    import jinja2


def shipped_templates() -> Path:
    """The templates inside the installed package, or at the repository root when run from it."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "templates"
    if packaged.is_dir():
        return packaged
    return here.parent.parent / "templates"


@lru_cache(maxsize=8)
def environment(templates_dir: Path | None = None) -> jinja2.Environment:
    import jinja2

    shipped = jinja2.FileSystemLoader(str(shipped_templates()))
    loaders: list[jinja2.BaseLoader] = []
    if templates_dir is not None:
        if not templates_dir.is_dir():
            raise RenderError(f"{templates_dir}: templates_dir is not a folder (fix feeds.toml)")
        loaders.append(jinja2.FileSystemLoader(str(templates_dir)))
    loaders.append(shipped)
    loaders.append(jinja2.PrefixLoader({"!default": shipped}, delimiter="/"))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        # Every markup template escapes: outside text can never become MJML or HTML.
        autoescape=escapes,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        # Sandboxing is not needed: templates come from the package or the user's own folder,
        # never from articles or feeds.
        bytecode_cache=_bytecode_cache(),
    )
    return env


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept in the user cache folder between runs: compiling them all costs
    ~0.1 s a run. Jinja2 checks each one against its source and its own version."""
    import jinja2
    from platformdirs import user_cache_path

    class QuietCache(jinja2.FileSystemBytecodeCache):
        def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            with contextlib.suppress(OSError):  # a cache that cannot be written is no cache
                super().dump_bytecode(bucket)

    folder = user_cache_path("recapmail") / "templates"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return QuietCache(str(folder))


def escapes(name: str | None) -> bool:
    """Plain-text templates (".txt.j2") are not markup: escaping would show "&amp;" to readers."""
    return not (name or "").endswith(".txt.j2")


def render(name: str, context: dict[str, object], templates_dir: Path | None = None) -> str:
    """Render one template; a template mistake becomes a RenderError naming file and line."""
    import jinja2

    env = environment(templates_dir)
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as exc:
        where = exc.filename or exc.name or name
        raise RenderError(f"{where}:{exc.lineno}: template syntax error: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        raise RenderError(f"template {exc.name!r} not found (check templates_dir)") from None
    except jinja2.UndefinedError as exc:
        raise RenderError(f"{_location(exc, name)}: {exc.message}") from None
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        raise RenderError(f"{_location(exc, name)}: {exc}") from None


def _location(exc: BaseException, name: str) -> str:
    """The innermost template frame of a render-time error: 'email/item.mjml.j2:12'."""
    tb = exc.__traceback__
    where = name
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2") or "templates" in filename:
            where = f"{filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where
