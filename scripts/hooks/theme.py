# MkDocs hook: the theme's start-up script in short tasks (see scripts/theme_patch.py for why and how).
# - on_config: KERNEL_LAB_STOCK_THEME=1 builds the theme as shipped (the browser benchmark's comparison);
#   the page template reads config.extra.kl_stock_theme. KERNEL_LAB_THEME_SKIP=NAME[,NAME] leaves edits out (per-edit
#   benchmark variants).
# - on_files: the theme's bundle and its source map replaced by their patched versions, under names that carry
#   a hash of the patched bundle (hosts may cache the theme's hashed names for long). Fails open: when an edit's
#   anchor is missing (a theme upgrade), the build warns and ships the theme as it is, as with
#   KERNEL_LAB_STOCK_THEME=1; `mkdocs build --strict` (CI) still fails on that warning.
# - on_env: mkdocstrings' stylesheet (written unhashed into the site at on_env) renamed with a hash of its content,
#   so that a host may let browsers keep it for long too: a render-blocking stylesheet that is revalidated costs
#   every repeat visit a round trip before the first paint.
# - on_post_page, on_post_template: pages (and 404.html) refer to the new names.

from __future__ import annotations

import hashlib
import logging
import os
import re
from pathlib import Path

from jinja2 import Environment
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from scripts.theme_patch import ThemePatchError, patch_bundle

_BUNDLE = re.compile(r"assets/javascripts/bundle\.[0-9a-f]+\.min\.js")
renamed: dict[str, str] = {}  # a file's name -> its hashed name (the bundle, mkdocstrings' CSS), for on_post_page
MKDOCSTRINGS_CSS = "assets/_mkdocstrings.css"  # mkdocstrings' stylesheet, in every page's head
log = logging.getLogger("mkdocs.hooks.theme")  # under "mkdocs.": --strict counts its warnings


def stock() -> bool:
    return os.environ.get("KERNEL_LAB_STOCK_THEME") == "1"


def skipped_edits() -> set[str]:
    """KERNEL_LAB_THEME_SKIP=late_search[,...] leaves those edits out (the browser benchmark's per-edit variants)."""
    return {n.strip() for n in os.environ.get("KERNEL_LAB_THEME_SKIP", "").split(",") if n.strip()}


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    config.extra["kl_stock_theme"] = stock()
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    renamed.clear()
    if stock():
        return files
    bundles = [f for f in files if _BUNDLE.fullmatch(f.src_uri)]
    source_map = files.get_file_from_path(bundles[0].src_uri + ".map") if len(bundles) == 1 else None
    try:
        if source_map is None:
            raise ThemePatchError(f"theme hook: expected one theme bundle with its map, found {len(bundles)}")
        bundle = bundles[0]
        js, smap = patch_bundle(bundle.content_string, source_map.content_string, skipped_edits())
    except ThemePatchError as exc:
        log.warning("%s; shipping the theme's start-up script as it is (slower start-up, same pages)", exc)
        config.extra["kl_stock_theme"] = True  # the page template loads it the stock way too
        return files
    old_name = bundle.src_uri.rsplit("/", 1)[1]
    new_name = old_name.replace(".min.js", f".{hashlib.sha256(js.encode()).hexdigest()[:8]}.min.js")
    js = js.replace(f"//# sourceMappingURL={old_name}.map", f"//# sourceMappingURL={new_name}.map")
    renamed[old_name] = new_name
    for old, content in ((bundle, js), (source_map, smap)):
        files.remove(old)
        files.append(File.generated(config, old.src_uri.replace(old_name, new_name), content=content))
    return files


@event_priority(-50)  # after mkdocstrings writes its stylesheet (priority -20), before the pages are rendered
def on_env(env: Environment, config: MkDocsConfig, files: Files) -> Environment:
    css = Path(config.site_dir) / MKDOCSTRINGS_CSS
    if css.is_file():
        hashed = f"{css.stem}.{hashlib.sha256(css.read_bytes()).hexdigest()[:8]}.css"
        css.replace(css.with_name(hashed))
        renamed[css.name] = hashed
    return env


def on_post_page(output: str, page: Page | None, config: MkDocsConfig) -> str:
    for old, new in renamed.items():
        output = output.replace(f"/{old}", f"/{new}")
    return output


def on_post_template(output: str, template_name: str, config: MkDocsConfig) -> str:
    return on_post_page(output, None, config)  # 404.html
